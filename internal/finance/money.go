package finance

import (
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"ccg/internal/errs"
)

// Money is an amount in pence. Every figure in the package is whole pence;
// fractions of a penny appear only inside a calculation, and each place
// that rounds says how (see Apportion and RoundDiv).
type Money int64

// Pounds returns m as a number of pounds, for display and charts only.
func (m Money) Pounds() float64 { return float64(m) / 100 }

// String formats m as pounds with thousands separators and pence:
// "£1,234.56", "-£0.05", "£0.00".
func (m Money) String() string {
	sign := ""
	v := int64(m)
	if v < 0 {
		sign = "-"
		v = -v
	}
	pounds := strconv.FormatInt(v/100, 10)
	var b strings.Builder
	for i, c := range pounds {
		if i > 0 && (len(pounds)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s£%s.%02d", sign, b.String(), v%100)
}

// ParsePounds reads an amount of pounds as ledgers and spreadsheets write
// it and returns it in pence: "1234.56", "-1234.56", "1,234.56", "£1,234.5",
// "(1,234.56)" (accounting negative), "+12", "0.07". At most two decimal
// places are accepted (a third would be a fraction of a penny); thousands
// separators must group three digits. The error is a plain sentence.
func ParsePounds(s string) (Money, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, errors.New("the amount is missing")
	}
	bad := func(why string) (Money, error) {
		return 0, fmt.Errorf("the amount %q is not an amount of pounds (%s; want a form such as 1234.56, -1234.56 or 1,234.56)", s, why)
	}
	neg := false
	if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
		neg, t = true, strings.TrimSpace(t[1:len(t)-1])
	}
	switch {
	case strings.HasPrefix(t, "-"):
		if neg {
			return bad("it is negative twice")
		}
		neg, t = true, t[1:]
	case strings.HasPrefix(t, "+"):
		t = t[1:]
	}
	t = strings.TrimPrefix(t, "£")
	whole, frac, hasPoint := strings.Cut(t, ".")
	if whole == "" && (!hasPoint || frac == "") {
		return bad("it has no digits")
	}
	if strings.Contains(whole, ",") {
		groups := strings.Split(whole, ",")
		if len(groups[0]) < 1 || len(groups[0]) > 3 {
			return bad("its thousands separators are misplaced")
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return bad("its thousands separators are misplaced")
			}
		}
		whole = strings.Join(groups, "")
	}
	if whole == "" {
		whole = "0"
	}
	if !digits(whole) || (hasPoint && !digits(frac)) {
		return bad("it has characters that are not digits")
	}
	if len(frac) > 2 {
		return bad("it has more than two decimal places")
	}
	if len(whole) > 15 {
		return bad("it is too large")
	}
	frac = (frac + "00")[:2]
	p, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	v := p*100 + f
	if neg {
		v = -v
	}
	return Money(v), nil
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// RoundDiv returns a/b rounded to the nearest whole number, halves away
// from zero (so 5/2 = 3 and -5/2 = -3). b must not be zero.
func RoundDiv(a, b int64) int64 {
	if b < 0 {
		a, b = -a, -b
	}
	if a >= 0 {
		return (a + b/2) / b
	}
	return -((-a + b/2) / b)
}

// Apportion divides total into len(weights) whole-penny shares in
// proportion to weights, so that the shares sum to total exactly. It uses
// the largest-remainder (Hamilton) method in exact rational arithmetic:
//
//  1. each share's exact quota is |total| × w / Σw;
//  2. each share first gets its quota rounded down to a whole penny;
//  3. the pence left over (fewer than the number of shares) go one each to
//     the shares with the largest fractional remainders; equal remainders
//     are broken by the larger weight, then by the earlier position, so the
//     result does not depend on anything but the inputs' order.
//
// A negative total is apportioned as its magnitude and every share negated.
// Weights must be finite and not negative, with a positive sum; otherwise
// the error wraps errs.ErrInvalid. A zero weight always gets zero.
func Apportion(total Money, weights []float64) ([]Money, error) {
	if len(weights) == 0 {
		return nil, fmt.Errorf("apportion: no shares: %w", errs.ErrInvalid)
	}
	ws := make([]*big.Rat, len(weights))
	sum := new(big.Rat)
	for i, w := range weights {
		if w < 0 || w != w || w > 1e300 {
			return nil, fmt.Errorf("apportion: weight %d is %v (want a finite number, zero or more): %w", i+1, w, errs.ErrInvalid)
		}
		ws[i] = new(big.Rat).SetFloat64(w)
		sum.Add(sum, ws[i])
	}
	if sum.Sign() == 0 {
		return nil, fmt.Errorf("apportion: the weights sum to zero: %w", errs.ErrInvalid)
	}
	neg := total < 0
	abs := int64(total)
	if neg {
		abs = -abs
	}
	T := new(big.Int).SetInt64(abs)
	out := make([]Money, len(weights))
	type rem struct {
		i   int
		r   *big.Rat
		wgt float64
	}
	rems := make([]rem, len(weights))
	given := int64(0)
	for i, w := range ws {
		// quota = T*w/sum; floor = num / den (both non-negative)
		q := new(big.Rat).Mul(new(big.Rat).SetInt(T), w)
		q.Quo(q, sum)
		fl := new(big.Int).Quo(q.Num(), q.Denom())
		out[i] = Money(fl.Int64())
		given += fl.Int64()
		frac := new(big.Rat).Sub(q, new(big.Rat).SetInt(fl))
		rems[i] = rem{i, frac, weights[i]}
	}
	sort.SliceStable(rems, func(a, b int) bool {
		if c := rems[a].r.Cmp(rems[b].r); c != 0 {
			return c > 0
		}
		if rems[a].wgt != rems[b].wgt {
			return rems[a].wgt > rems[b].wgt
		}
		return rems[a].i < rems[b].i
	})
	for k := int64(0); k < abs-given; k++ {
		out[rems[k].i]++
	}
	if neg {
		for i := range out {
			out[i] = -out[i]
		}
	}
	return out, nil
}

// Sum returns the total of ms.
func Sum(ms []Money) Money {
	var t Money
	for _, m := range ms {
		t += m
	}
	return t
}

// Percent returns part as a percentage of whole (0 when whole is 0), for
// display; decisions use exact integer comparisons instead (see RAGPolicy).
func Percent(part, whole Money) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) * 100 / float64(whole)
}
