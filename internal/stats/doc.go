// Package stats is the project's statistics: confidence intervals,
// standardised rates, funnel plots with overdispersion, percentiles and
// benchmark comparisons, survey differences and disclosure control. It is
// pure Go (standard library only, no I/O) and it is the only statistics
// code in the project: other packages call it rather than re-deriving
// formulas.
//
// Practices differ in size and age mix, so a league table of raw rates
// shames small practices for noise. The tools here put every figure with
// its uncertainty: intervals for single figures, standardisation for age
// mix, funnel plots (with Spiegelhalter's overdispersion adjustment) for
// comparing many organisations at once.
//
// # Conventions
//
// The conventions are those of Public Health England's PHEindicatormethods
// R package (v2.1.0), which produces the Fingertips indicators, and the
// package reproduces that package's published test vectors to 1e-12
// relative (see reference_test.go):
//
//   - confidence is a fraction in (0, 1), e.g. 0.95 or 0.998 (not 95);
//   - the two-sided critical value is z = Φ⁻¹(c + (1 − c)/2), with Φ⁻¹ from
//     Wichura's AS 241 as in R (1.959964 at 95%, 3.090232 at 99.8%);
//   - values and limits are multiplied by a multiplier (1 for a proportion,
//     100 for a percentage, 100000 for a rate per 100,000);
//   - counts: exact (chi-square) limits below 10 events, Byar's from 10;
//   - directly standardised rates are not given from fewer than 10 events.
//
// Invalid input never panics: functions returning plain numbers return NaN
// (documented per function), and functions returning an error return one.
//
// # Formulas
//
// Wilson score interval for a proportion (no continuity correction):
//
//	(2x + z² ∓ z√(z² + 4x(1 − x/n))) / (2(n + z²))
//
// Byar's approximation for a Poisson count x:
//
//	lower = x(1 − 1/(9x) − z/(3√x))³,  upper = (x+1)(1 − 1/(9(x+1)) + z/(3√(x+1)))³
//
// Exact Poisson limits: lower = χ²(α/2; 2x)/2, upper = χ²(1 − α/2; 2x+2)/2,
// computed as inverse regularised incomplete gamma functions.
//
// Directly standardised rate (Dobson): with w_i = std_i/n_i and X = Σx_i,
// DSR = Σ x_i w_i / Σ std_i and limits DSR + √(Σ x_i w_i² / (Σ std_i)² / X)·(B − X),
// B Byar's limit for X.
//
// Indirectly standardised ratio: O/E with E = Σ n_i · refx_i/refn_i and
// limits L(O)/E, U(O)/E; the rate is the ratio times the reference rate.
//
// Funnel plots: PHE's limits (ProportionFunnel, PoissonFunnel,
// PoissonFunnelExpected, PHEFunnelLimits, PHEFunnelSignificance) and the
// FunnelPlotR-style analysis (Funnel) on a transformed scale y with
// standard error s: z = (y − θ)/s, winsorised or truncated z_w,
// φ = Σ z_w²/n, τ² = max(0, (nφ − (n − 1))/(Σw − Σw²/Σw)) with w = 1/s², and
// adjusted limits θ ± z√(s² + τ²).
//
// Differences: Newcombe's hybrid score interval for p1 − p2 (method 10),
// Welch's interval for a difference of means with Welch–Satterthwaite
// degrees of freedom; Cronbach's α = k/(k−1)(1 − Σ s_i²/s_T²).
//
// Percentiles: rank percentile (rank − 1)/(n − 1) with ties at the lowest
// rank (SQL PERCENT_RANK, as OpenPrescribing), and type 7 linear
// quantiles (R's default, numpy's "linear").
//
// # Sources
//
//   - Public Health England. PHEindicatormethods (R package), v2.1.0, and
//     Technical Guide: Confidence Intervals; Fingertips technical guidance.
//   - Wilson EB. J Am Stat Assoc 1927;22:209-212. Newcombe RG, Altman DG,
//     in Statistics with Confidence, 2nd edn, BMJ Books 2000.
//   - Breslow NE, Day NE. Statistical Methods in Cancer Research, vol II.
//     IARC 1987 (Byar's method).
//   - Dobson AJ et al. Stat Med 1991;10:457-462.
//   - Wichura MJ. Algorithm AS 241. Appl Stat 1988;37:477-484.
//   - Loader C. Fast and accurate computation of binomial probabilities,
//     2000 (saddle-point Poisson density). Press WH et al. Numerical
//     Recipes, 3rd edn, §6.2 and §6.4.
//   - Spiegelhalter DJ. Stat Med 2005;24:1185-1202 (funnel plots);
//     Qual Saf Health Care 2005;14:347-351 (over-dispersion).
//     DerSimonian R, Laird N. Control Clin Trials 1986;7:177-188.
//   - Mainey C. FunnelPlotR (R package), NHS-R Community; NHS Digital SHMI
//     methodology.
//   - Newcombe RG. Stat Med 1998;17:873-890. Welch BL. Biometrika
//     1947;34:28-35. Cronbach LJ. Psychometrika 1951;16:297-334.
//   - Hyndman RJ, Fan Y. Am Stat 1996;50:361-365 (sample quantiles).
package stats
