package variation

import (
	"math"
	"testing"

	"ccg/internal/stats"
)

func TestStandardiseByHand(t *testing.T) {
	in := StandardiseInput{
		Measure: Measure{ID: "ref", Source: SourceReferrals},
		Month:   month,
		Members: []Member{{"P1", "L1", "C1"}, {"P2", "L1", "C1"}, {"P3", "", "C2"}},
		Populations: map[string]Population{
			"P1": {Bands: map[string]float64{"female:65-69": 100, "male:25-29": 300}},
			"P2": {Bands: map[string]float64{"female:65-69": 300, "male:25-29": 100}},
			"P3": {Bands: map[string]float64{"female:65-69": 50}},
		},
		Counts: []BandCount{
			{"P1", "female", "65-69", 10}, {"P1", "male", "25-29", 3},
			{"P2", "female", "65-69", 24}, {"P2", "male", "25-29", 1},
			{"P3", "female", "65-69", 6},
			{"P1", "female", "100-104", 99}, // a band with no population: left out
		},
	}
	got := in.Compute(LevelPractice, ReferenceEngland)
	if len(got) != 3 {
		t.Fatalf("%+v", got)
	}
	// England: female 65-69 40/450, male 25-29 4/400.
	f, m := 40.0/450, 4.0/400
	want := map[string][2]float64{
		"P1": {13, 100*f + 300*m},
		"P2": {25, 300*f + 100*m},
		"P3": {6, 50 * f},
	}
	for _, s := range got {
		w := want[s.OrgCode]
		if s.Observed != w[0] || math.Abs(s.Expected-w[1]) > 1e-12 || math.Abs(s.Ratio-w[0]/w[1]) > 1e-12 {
			t.Errorf("%s: %v/%v = %v, want %v/%v", s.OrgCode, s.Observed, s.Expected, s.Ratio, w[0], w[1])
		}
		lo, hi := stats.Byar(w[0], 0.95)
		method := "Byars"
		if w[0] < 10 {
			lo, hi = stats.PoissonExact(w[0], 0.95)
			method = "Exact"
		}
		if s.Method != method || math.Abs(s.Lower95-lo/w[1]) > 1e-12 || math.Abs(s.Upper95-hi/w[1]) > 1e-12 {
			t.Errorf("%s: limits %v %v (%s), want %v %v (%s)", s.OrgCode, s.Lower95, s.Upper95, s.Method, lo/w[1], hi/w[1], method)
		}
	}
	// Against each CCG: C2 has one practice, so its ratio is 1.
	for _, s := range in.Compute(LevelPractice, ReferenceCCG) {
		if s.OrgCode == "P3" && (math.Abs(s.Ratio-1) > 1e-12 || s.Reference != "C2") {
			t.Errorf("P3 against its CCG: %+v", s)
		}
	}
	// Localities sum their practices.
	loc := in.Compute(LevelLocality, ReferenceEngland)
	if len(loc) != 1 || loc[0].Observed != 38 || math.Abs(loc[0].Expected-(400*f+400*m)) > 1e-12 {
		t.Errorf("locality %+v", loc)
	}
}
