package variation

import (
	"context"
	"fmt"
	"math"
	"sort"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/stats"
)

// BandCount is one practice's count of referrals for one sex and age band.
type BandCount struct {
	Practice string
	Sex      string // male or female
	AgeBand  string // "0-4", ..., "95+"
	Count    float64
}

// Referrals by band come from the analytics store; a store that implements
// this (internal/analytics/duckdb does) makes standardised referral ratios
// available.
type bandSource interface {
	// ReferralBands returns the month's referrals selected by a referral
	// measure's numerator, per practice, sex and age band (rows without a
	// sex or an age band are left out).
	ReferralBands(ctx context.Context, month calendar.Month, m Measure) ([]BandCount, error)
}

// Reference names what expected counts are standardised against.
const (
	ReferenceEngland = "england"
	ReferenceCCG     = "ccg"
)

// Standardised is an indirectly standardised referral ratio: observed
// referrals over those expected were the organisation's patients referred at
// the reference rates of their sex and age band.
type Standardised struct {
	MeasureID string         `json:"measure_id"`
	Level     Level          `json:"level"`
	OrgCode   string         `json:"org_code"`
	Month     calendar.Month `json:"month"`
	Reference string         `json:"reference"` // "england" or the CCG's code
	Observed  float64        `json:"observed"`
	Expected  float64        `json:"expected"`
	// Ratio is Observed / Expected (1 = as the reference), with 95% and
	// 99.8% limits: exact Poisson limits below 10 events, Byar's
	// approximation otherwise (Method).
	Ratio    float64 `json:"ratio"`
	Lower95  float64 `json:"lower_95"`
	Upper95  float64 `json:"upper_95"`
	Lower998 float64 `json:"lower_998"`
	Upper998 float64 `json:"upper_998"`
	Method   string  `json:"method"`
	// High and Low flag a ratio whose 95% (or 99.8%) interval lies wholly
	// above or below 1.
	High95, Low95, High998, Low998 bool
}

// Standardise returns indirectly standardised referral ratios of a referral
// measure for every practice (or locality, or CCG) in a month, against
// England's or each practice's own CCG's rates by sex and 5-year age band.
// It needs referrals with sex and age band and list sizes by sex and age
// band; bands present in only one of them are left out of both sides.
func (s *Service) Standardise(ctx context.Context, measureID string, month calendar.Month, level Level, reference string) ([]Standardised, error) {
	m, err := s.Measure(ctx, measureID)
	if err != nil {
		return nil, err
	}
	if m.Source != SourceReferrals {
		return nil, fmt.Errorf("variation: standardise %q: only referral measures can be standardised: %w", measureID, errs.ErrInvalid)
	}
	if level != LevelPractice && level != LevelLocality && level != LevelCCG {
		return nil, fmt.Errorf("variation: standardise: level %q: %w", level, errs.ErrInvalid)
	}
	if reference != ReferenceEngland && reference != ReferenceCCG {
		return nil, fmt.Errorf("variation: standardise: reference %q is not england or ccg: %w", reference, errs.ErrInvalid)
	}
	src, ok := s.an.(bandSource)
	if !ok {
		return nil, fmt.Errorf("variation: standardise: the analytics store cannot give referrals by band: %w", errs.ErrInvalid)
	}
	counts, err := src.ReferralBands(ctx, month, m)
	if err != nil {
		return nil, fmt.Errorf("variation: standardise %q: %w", measureID, err)
	}
	members, err := s.reg.Members(ctx, month)
	if err != nil {
		return nil, fmt.Errorf("variation: standardise %q: %w", measureID, err)
	}
	pops, err := s.reg.Populations(ctx, month)
	if err != nil {
		return nil, fmt.Errorf("variation: standardise %q: %w", measureID, err)
	}
	return StandardiseInput{Measure: m, Month: month, Members: members, Populations: pops, Counts: counts}.Compute(level, reference), nil
}

// StandardiseInput is what Standardise computes from.
type StandardiseInput struct {
	Measure     Measure
	Month       calendar.Month
	Members     []Member
	Populations map[string]Population
	Counts      []BandCount
}

// Compute applies indirect standardisation (stats.ISR) at a level against a
// reference ("england" or "ccg").
func (in StandardiseInput) Compute(level Level, reference string) []Standardised {
	// Bands with population anywhere.
	bandSet := map[string]bool{}
	for _, p := range in.Populations {
		for k := range p.Bands {
			bandSet[k] = true
		}
	}
	var bands []string
	for k := range bandSet {
		bands = append(bands, k)
	}
	sort.Strings(bands)
	index := map[string]int{}
	for i, b := range bands {
		index[b] = i
	}
	type acc struct{ pops, counts []float64 }
	newAcc := func() *acc { return &acc{pops: make([]float64, len(bands)), counts: make([]float64, len(bands))} }
	practiceCounts := map[string][]float64{}
	for _, c := range in.Counts {
		i, ok := index[BandKey(c.Sex, c.AgeBand)]
		if !ok {
			continue
		}
		if practiceCounts[c.Practice] == nil {
			practiceCounts[c.Practice] = make([]float64, len(bands))
		}
		practiceCounts[c.Practice][i] += c.Count
	}
	orgOf := func(mem Member) string {
		switch level {
		case LevelLocality:
			return mem.Locality
		case LevelCCG:
			return mem.CCG
		}
		return mem.Practice
	}
	refOf := func(mem Member) string {
		if reference == ReferenceCCG {
			return mem.CCG
		}
		return ReferenceEngland
	}
	orgs, refs := map[string]*acc{}, map[string]*acc{}
	orgRef := map[string]string{}
	for _, mem := range in.Members {
		pop := in.Populations[mem.Practice]
		cs := practiceCounts[mem.Practice]
		r := refs[refOf(mem)]
		if r == nil {
			r = newAcc()
			refs[refOf(mem)] = r
		}
		code := orgOf(mem)
		var o *acc
		if code != "" {
			o = orgs[code]
			if o == nil {
				o = newAcc()
				orgs[code] = o
				orgRef[code] = refOf(mem)
			}
		}
		for k, n := range pop.Bands {
			i := index[k]
			r.pops[i] += n
			if o != nil {
				o.pops[i] += n
			}
		}
		for i, c := range cs {
			r.counts[i] += c
			if o != nil {
				o.counts[i] += c
			}
		}
	}
	var out []Standardised
	for code, o := range orgs {
		ref := refs[orgRef[code]]
		// Keep the bands the reference has patients in.
		var pops, rc, rp []float64
		observed := 0.0
		for i := range bands {
			if ref.pops[i] <= 0 {
				continue
			}
			pops = append(pops, o.pops[i])
			rc = append(rc, ref.counts[i])
			rp = append(rp, ref.pops[i])
			observed += o.counts[i]
		}
		st := Standardised{MeasureID: in.Measure.ID, Level: level, OrgCode: code, Month: in.Month, Reference: orgRef[code], Observed: observed}
		r95, err := stats.ISR(observed, pops, rc, rp, 0.95, 1)
		if err != nil {
			st.Ratio, st.Expected = math.NaN(), r95.Expected
			out = append(out, st)
			continue
		}
		r998, _ := stats.ISR(observed, pops, rc, rp, 0.998, 1)
		st.Expected, st.Ratio, st.Method = r95.Expected, r95.Ratio.Value, r95.Ratio.Method.String()
		st.Lower95, st.Upper95 = r95.Ratio.Lower, r95.Ratio.Upper
		st.Lower998, st.Upper998 = r998.Ratio.Lower, r998.Ratio.Upper
		st.High95, st.Low95 = st.Lower95 > 1, st.Upper95 < 1
		st.High998, st.Low998 = st.Lower998 > 1, st.Upper998 < 1
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OrgCode < out[j].OrgCode })
	return out
}
