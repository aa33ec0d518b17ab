package stats

import "math"

// This file holds the regularised incomplete beta function and Student's t
// distribution built on it.
//
// I_x(a, b) is evaluated with the continued fraction of Abramowitz & Stegun
// 26.5.8 (modified Lentz, Numerical Recipes §6.4), using the symmetry
// I_x(a, b) = 1 − I_{1−x}(b, a) to stay in the region of fast convergence;
// the caller passes both x and y = 1 − x so that neither is formed by
// cancellation. The t quantile is found by a bracketed Newton iteration on
// the t distribution function, so it is the inverse of the incomplete beta
// function evaluated in t. Accuracy is about 1e-13 relative for moderate
// degrees of freedom; above 4e5 degrees of freedom the normal approximation
// with Fisher's correction (as R's pt) is used.

// betaIncReg returns I_x(a, b) for x in [0, 1], with y = 1 − x supplied by
// the caller.
func betaIncReg(a, b, x, y float64) float64 {
	switch {
	case math.IsNaN(a) || math.IsNaN(b) || math.IsNaN(x) || a <= 0 || b <= 0 || x < 0 || x > 1:
		return math.NaN()
	case x == 0:
		return 0
	case y == 0:
		return 1
	}
	if x > (a+1)/(a+b+2) {
		return 1 - betaIncReg(b, a, y, x)
	}
	ly := math.Log1p(-x)
	if y < 0.5 {
		ly = logf(y) // log(1−x) is better taken from y when x is not small
	}
	front := math.Exp(a*logf(x)+b*ly-lbeta(a, b)) / a
	return front * betaCF(a, b, x)
}

// lbeta returns log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a+b) for
// a, b > 0, avoiding the cancellation of large log-gamma values when a or b
// is large (as R's lbeta), with stirlerr(x) = log Γ(x) − ((x − ½) log x − x
// + log √(2π)).
func lbeta(a, b float64) float64 {
	p, q := math.Min(a, b), math.Max(a, b)
	switch {
	case p >= 10:
		corr := stirlerr(p) + stirlerr(q) - stirlerr(p+q)
		return -0.5*logf(q) + lnSqrt2Pi + corr + (p-0.5)*logf(p/(p+q)) + q*math.Log1p(-p/(p+q))
	case q >= 10:
		lp := lgammaf(p)
		corr := stirlerr(q) - stirlerr(p+q)
		return lp + corr + p - p*logf(p+q) + (q-0.5)*math.Log1p(-p/(p+q))
	}
	lp := lgammaf(p)
	lq := lgammaf(q)
	lpq := lgammaf(p + q)
	return lp + lq - lpq
}

// betaCF evaluates the continued fraction for I_x(a, b) by modified Lentz.
func betaCF(a, b, x float64) float64 {
	const tiny = 1e-300
	qab, qap, qam := a+b, a+1, a-1
	c := 1.0
	d := 1 - qab*x/qap
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m < 100000; m++ {
		fm := float64(m)
		m2 := 2 * fm
		aa := fm * (b - fm) * x / ((qam + m2) * (a + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		h *= d * c
		aa = -(a + fm) * (qab + fm) * x / ((a + m2) * (qap + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) <= dblEpsilon {
			break
		}
	}
	return h
}

// studentTUpper returns P(T > t) for t ≥ 0 and df degrees of freedom.
func studentTUpper(t, df float64) float64 {
	if df > 4e5 {
		v := 1 / (4 * df)
		return NormalCDF(-t * (1 - v) / math.Sqrt(1+t*t*2*v))
	}
	// P(|T| > t) = I_{df/(df+t²)}(df/2, 1/2); y = 1 − x written so that
	// an overflowing t² gives x = 0, y = 1 rather than NaN.
	t2 := t * t
	x := df / (df + t2)
	y := 1 / (1 + df/t2)
	return 0.5 * betaIncReg(df/2, 0.5, x, y)
}

// StudentTCDF returns P(T ≤ t) for Student's t distribution with df > 0
// degrees of freedom (df need not be an integer). It returns NaN for
// df ≤ 0 or NaN arguments.
func StudentTCDF(t, df float64) float64 {
	if math.IsNaN(t) || math.IsNaN(df) || df <= 0 {
		return math.NaN()
	}
	if math.IsInf(t, 0) {
		if t > 0 {
			return 1
		}
		return 0
	}
	if t < 0 {
		return studentTUpper(-t, df)
	}
	return 1 - studentTUpper(t, df)
}

// studentTDensity returns the t density at t.
func studentTDensity(t, df float64) float64 {
	if math.IsInf(df, 1) {
		return math.Exp(-t*t/2) / math.Sqrt(2*math.Pi)
	}
	// Γ((df+1)/2)/Γ(df/2)/√(dfπ) = 1/(√df · B(df/2, ½)).
	return math.Exp(-lbeta(df/2, 0.5) - 0.5*logf(df) - (df+1)/2*math.Log1p(t*t/df))
}

// StudentTQuantile returns the p-quantile of Student's t distribution with
// df > 0 degrees of freedom (R's qt(p, df)); df need not be an integer, as
// in Welch's interval. It is the inverse of the incomplete beta function,
// found by a bracketed Newton iteration on StudentTCDF.
//
// It returns -Inf for p = 0, +Inf for p = 1 (and ±Inf when the quantile
// overflows, which only happens for df well below 1), and NaN for p outside
// [0, 1], df ≤ 0 or NaN arguments.
func StudentTQuantile(p, df float64) float64 {
	switch {
	case math.IsNaN(p) || math.IsNaN(df) || p < 0 || p > 1 || df <= 0:
		return math.NaN()
	case p == 0:
		return math.Inf(-1)
	case p == 1:
		return math.Inf(1)
	case p == 0.5:
		return 0
	}
	if math.IsInf(df, 1) {
		return NormalQuantile(p)
	}
	// Solve P(T > t) = q for t > 0, q = min(p, 1 − p) (1 − p is exact for
	// p ≥ 0.5).
	q, sign := p, -1.0
	if p > 0.5 {
		q, sign = 1-p, 1
	}
	var t float64
	switch {
	case df == 1:
		t = math.Tan(math.Pi * (0.5 - q)) // Cauchy
	case df == 2:
		t = math.Sqrt(2/(4*q*(1-q))-2) * math.Copysign(1, 0.5-q)
	default:
		// Cornish–Fisher expansion about the normal quantile.
		z := NormalQuantile(1 - q)
		z2 := z * z
		g1 := (z2 + 1) * z / 4
		g2 := ((5*z2+16)*z2 + 3) * z / 96
		g3 := (((3*z2+19)*z2+17)*z2 - 15) * z / 384
		t = z + g1/df + g2/(df*df) + g3/(df*df*df)
	}
	if !(t > 0) || math.IsInf(t, 0) {
		t = 1
	}
	lo, hi := 0.0, math.Inf(1)
	for i := 0; i < 300; i++ {
		if !(t > lo && t < hi) || math.IsNaN(t) {
			if math.IsInf(hi, 1) {
				t = 2*lo + 1
			} else {
				t = lo + (hi-lo)/2
			}
		}
		if math.IsInf(t, 1) {
			break // the quantile overflows (tiny df, tiny tail)
		}
		u := studentTUpper(t, df)
		if u == q {
			break
		}
		if u > q {
			lo = t
		} else {
			hi = t
		}
		dens := studentTDensity(t, df)
		if !(dens > 0) || math.IsInf(dens, 0) {
			t = math.NaN()
			continue
		}
		step := (u - q) / dens // upper tail decreases: t_new = t + (u−q)/f
		tn := t + step
		if math.Abs(step) <= 2*dblEpsilon*t || (!math.IsInf(hi, 1) && hi-lo <= 4*dblEpsilon*hi) {
			if tn > lo && tn < hi {
				t = tn
			}
			break
		}
		t = tn
	}
	if math.IsNaN(t) || t < lo || t > hi {
		// Out of iterations in a degenerate tail: the bracket's best point.
		t = lo + (hi-lo)/2
		if math.IsInf(hi, 1) {
			t = math.Inf(1)
		}
	}
	return sign * t
}
