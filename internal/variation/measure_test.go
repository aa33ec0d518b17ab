package variation

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/registry"
)

func TestFilterMatch(t *testing.T) {
	for _, tc := range []struct {
		name    string
		part    Part
		code    string
		matches bool
	}{
		{"prefix", Part{Include: []string{"0501"}}, "0501013K0AAAAAA", true},
		{"prefix with comment", Part{Include: []string{"0501013K0 # co-amoxiclav"}}, "0501013K0AAAAAA", true},
		{"other prefix", Part{Include: []string{"0501"}}, "0401013K0AAAAAA", false},
		{"excluded", Part{Include: []string{"0501"}, Exclude: []string{"050109"}}, "0501090K0AAAAAA", false},
		{"exclude only", Part{Exclude: []string{"050109"}}, "0401090K0AAAAAA", true},
		{"whole code", Part{Include: []string{"0501013K0AAAAAA"}}, "0501013K0AAAAAA", true},
		{"whole code is not a prefix", Part{Include: []string{"0501013K0AAAAAA"}}, "0501013K0AAAAAAB", false},
		{"wildcard", Part{Include: []string{"0401020K0%AD"}}, "0401020K0BBAAAD", true},
		{"wildcard end", Part{Include: []string{"0401020K0%AD"}}, "0401020K0BBAAAE", false},
		{"appliance whole code", Part{Include: []string{"21220000213"}}, "21220000213", true},
		{"trailing spaces in data", Part{Include: []string{"0501"}}, "0501013K0AAAAAA  ", true},
		{"empty", Part{}, "0501013K0AAAAAA", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CompileFilter(tc.part).Match(tc.code); got != tc.matches {
				t.Errorf("Match(%q) = %v", tc.code, got)
			}
		})
	}
}

func TestParseOpenPrescribing(t *testing.T) {
	data, err := os.ReadFile("testdata/op_nsaids.json")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMeasure("definitions/op_nsaids.json", data)
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != "op_nsaids" || m.Origin != "openprescribing" || !m.IsPercentage || m.LowIsGood == nil || !*m.LowIsGood {
		t.Errorf("%+v", m)
	}
	if m.Title != "NSAIDs other than ibuprofen and naproxen as a percentage of NSAIDs" {
		t.Errorf("title %q", m.Title)
	}
	if strings.Contains(m.WhyItMatters, "<") || !strings.Contains(m.WhyItMatters, "• Use ibuprofen") {
		t.Errorf("why it matters %q", m.WhyItMatters)
	}
	if got := m.Numerator; got.Quantity != QuantityItems || len(got.Include) != 1 || got.Include[0] != "100101" || len(got.Exclude) != 2 || got.Exclude[1] != "1001010P0" {
		t.Errorf("numerator %+v", got)
	}
	if m.Numerator.Label != "Other NSAID items" {
		t.Errorf("label %q", m.Numerator.Label)
	}
}

func TestParseOpenPrescribingQueryAndCustom(t *testing.T) {
	base := `"name": "x", "title": "x", "description": "x", "why_it_matters": "x", "tags": [], "url": null,
		"is_percentage": false, "is_cost_based": false, "low_is_good": true, "numerator_short": "x", "denominator_short": "x"`
	m, err := ParseMeasure("c.json", []byte(`{`+base+`, "numerator_type": "custom", "numerator_columns": ["SUM(items)", "AS numerator"],
		"numerator_from": "{hscic}.normalised_prescribing", "numerator_where": ["bnf_code LIKE '05%' --antibacterials", "AND items > 0"], "denominator_type": "list_size"}`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind() != KindCustom || m.Numerator.SQL == nil || m.Numerator.SQL.Columns != "SUM(items)\nAS numerator" ||
		m.Numerator.SQL.Where != "bnf_code LIKE '05%' --antibacterials\nAND items > 0" || m.Denominator.Quantity != QuantityListSize {
		t.Fatalf("custom: %+v %+v", m, m.Numerator.SQL)
	}
	q, err := ParseMeasure("q.json", []byte(`{`+base+`, "numerator_type": "bnf_items", "numerator_bnf_codes_query": ["SELECT bnf_code", "FROM {measures}.vw"], "numerator_bnf_codes_filter": ["0501", "~050109"], "denominator_type": "list_size"}`))
	if err != nil {
		t.Fatal(err)
	}
	if q.Kind() != KindQuery || q.Numerator.Query != "SELECT bnf_code\nFROM {measures}.vw" || len(q.Numerator.Include) != 1 || len(q.Numerator.Exclude) != 1 {
		t.Fatalf("query: %+v", q.Numerator)
	}
	// Until the query is run, the part selects nothing (never more than the definition).
	if CompileFilter(q.Numerator).Match("0501013B0AAABAB") {
		t.Fatal("an unresolved query part matched a code")
	}
}

func TestParseOpenPrescribingCannotTake(t *testing.T) {
	base := `"name": "x", "title": "x", "description": "x", "why_it_matters": "x", "tags": [], "url": null,
		"is_percentage": false, "is_cost_based": false, "low_is_good": true, "numerator_short": "x", "denominator_short": "x"`
	for _, tc := range []struct {
		name, body, says string
	}{
		{"price per unit", `{` + base + `, "numerator_type": "bnf_price_per_unit", "numerator_bnf_codes_filter": ["0501"], "denominator_type": "list_size"}`, "bnf_price_per_unit"},
		{"custom denominator", `{` + base + `, "numerator_type": "bnf_items", "numerator_bnf_codes_filter": ["0501"], "denominator_type": "custom"}`, "custom"},
		{"list size numerator", `{` + base + `, "numerator_type": "list_size", "denominator_type": "list_size"}`, "only be a denominator"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseMeasure("m.json", []byte(tc.body))
			if !errors.Is(err, ErrUnsupportedDefinition) || !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("got %v", err)
			}
		})
	}
}

func TestParseOwnFormat(t *testing.T) {
	good := `{"name": "N", "why_it_matters": "w", "numerator": {"quantity": "items", "include": ["0501"]}, "denominator": {"quantity": "list_size"}, "is_percentage": false, "low_is_good": true, "is_cost_based": false}`
	m, err := ParseMeasure("abx.json", []byte(good))
	if err != nil || m.ID != "abx" || m.Source != SourcePrescribing || m.Origin != "ccg" {
		t.Fatalf("%+v %v", m, err)
	}
	for _, tc := range []struct{ name, body string }{
		{"id differs from file", strings.Replace(good, `{"name"`, `{"id": "other", "name"`, 1)},
		{"unknown field", strings.Replace(good, `{"name"`, `{"colour": "red", "name"`, 1)},
		{"bad quantity", strings.Replace(good, `"items"`, `"tablets"`, 1)},
		{"population numerator", strings.Replace(good, `{"quantity": "items", "include": ["0501"]}`, `{"quantity": "list_size"}`, 1)},
		{"bad code", strings.Replace(good, `"0501"`, `"05 01"`, 1)},
		{"percentage of list size", strings.Replace(good, `"is_percentage": false`, `"is_percentage": true`, 1)},
		{"no name", strings.Replace(good, `"name": "N"`, `"name": ""`, 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseMeasure("abx.json", []byte(tc.body)); !errors.Is(err, errs.ErrInvalid) {
				t.Errorf("want invalid, got %v", err)
			}
		})
	}
	if id := IDFromFileName(`C:\defs\lpzomnibus.json`); id != "lpzomnibus" {
		t.Errorf("id %q", id)
	}
}

func TestLibrary(t *testing.T) {
	lib, err := Library()
	if err != nil {
		t.Fatal(err)
	}
	if len(lib) < 15 {
		t.Fatalf("%d measures, want at least 15", len(lib))
	}
	tags := map[string]int{}
	var prescribing, referrals int
	for _, m := range lib {
		if m.WhyItMatters == "" || len(m.WhyItMatters) < 80 || m.Description == "" {
			t.Errorf("%s: say why it matters, in plain words", m.ID)
		}
		for _, tg := range m.Tags {
			tags[tg]++
		}
		if m.Source == SourceReferrals {
			referrals++
		} else {
			prescribing++
		}
	}
	for _, want := range []string{"antimicrobial", "opioids", "generic", "lowvalue", "referrals", "mentalhealth", "gastrointestinal"} {
		if tags[want] == 0 {
			t.Errorf("no measure tagged %s", want)
		}
	}
	if prescribing < 15 || referrals < 3 {
		t.Errorf("%d prescribing and %d referral measures", prescribing, referrals)
	}
}

func TestParseBNFCode(t *testing.T) {
	b, err := ParseBNFCode(" 0401020K0BBAAAD ")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"04", "0401", "040102", "0401020", "0401020K0", "0401020K0BB", "0401020K0BBAAAD"}
	for i, l := range b.Levels() {
		if l != want[i] {
			t.Errorf("level %d = %q, want %q", i, l, want[i])
		}
	}
	if b.Generic || b.GenericEquivalent != "0401020K0AAADAD" {
		t.Errorf("%+v", b)
	}
	g, _ := ParseBNFCode("0103050P0AAAAAA")
	if !g.Generic || g.GenericEquivalent != g.Code {
		t.Errorf("%+v", g)
	}
	a, err := ParseBNFCode("21220000213")
	if err != nil || !a.Appliance || a.Chapter != "21" || a.GenericEquivalent != "" {
		t.Errorf("%+v %v", a, err)
	}
	for _, bad := range []string{"", "04010", "0401020K0BBAAA", "AB01020K0BBAAAD", "0401020k0-BAAAD", "21220000213XXXX"} {
		if _, err := ParseBNFCode(bad); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("%q: want invalid, got %v", bad, err)
		}
	}
}

func TestWriteValuesCSV(t *testing.T) {
	v := 0.25
	p := 50.0
	values := []MeasureValue{
		{MeasureID: "m", Level: LevelPractice, OrgCode: "A81001", Month: calendar.MustMonth("2024-01"), Numerator: 1, Denominator: 4,
			Value: &v, Percentile: &p, CostSavings: map[int]float64{10: -1.5, 50: 2, 90: 3},
			Limits: &Limits{Lower95: 0.1, Upper95: 0.4, Lower998: 0.05, Upper998: 0.5, Z: 0.3}, Flags: Flags{Quality: []string{"a", "b"}}},
		{MeasureID: "m", Level: LevelPractice, OrgCode: "=HYPERLINK(1)", Month: calendar.MustMonth("2024-01")},
	}
	var buf bytes.Buffer
	if err := WriteValuesCSV(&buf, values); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&buf)
	sc.Scan()
	header := sc.Text()
	if !strings.Contains(header, "org_code,numerator,denominator,value,percentile,cost_saving_10") ||
		!strings.Contains(header, "cost_saving_50") || !strings.Contains(header, "cost_saving_90") {
		t.Errorf("header %q", header)
	}
	sc.Scan()
	if got := sc.Text(); !strings.HasPrefix(got, "m,2024-01,practice,A81001,1,4,0.25,50,-1.5,,,,2,,,,3,0.1,0.4,0.05,0.5,false,0.3,false,false,false,false,a;b") {
		t.Errorf("row %q", got)
	}
	sc.Scan()
	if got := sc.Text(); !strings.HasPrefix(got, "m,2024-01,practice,'=HYPERLINK(1),0,0,,,,") {
		t.Errorf("row %q", got)
	}
}

func TestPopulationsWeights(t *testing.T) {
	rows := []registry.ListSize{
		{Practice: "P", Sex: registry.SexAll, AgeBand: registry.AgeAll, Patients: 300},
		{Practice: "P", Sex: registry.SexMale, AgeBand: "0-4", Patients: 100},
		{Practice: "P", Sex: registry.SexFemale, AgeBand: "10-14", Patients: 100},
		{Practice: "P", Sex: registry.SexMale, AgeBand: "95+", Patients: 100},
		{Practice: "P", Sex: registry.SexMale, AgeBand: registry.AgeAll, Patients: 200},
		{Practice: "Q", Sex: registry.SexAll, AgeBand: registry.AgeAll, Patients: 50},
	}
	pops := Populations(rows)
	p := pops["P"]
	wantCost := 100*1.0 + 100*0.736837170135133 + 100*11.3430752706509
	if p.ListSize != 300 || !p.Banded || !approx(p.ASTROPUCost, wantCost) {
		t.Errorf("%+v (want cost %v)", p, wantCost)
	}
	if q := pops["Q"]; q.ListSize != 50 || q.Banded || q.Of(QuantityListSize) != 0.05 {
		t.Errorf("%+v", q)
	}
	for band, want := range map[string]int{"0-4": 0, "5-9": 1, "10-14": 1, "5-14": 1, "70-74": 7, "75-79": 8, "95+": 8, "75+": 8, "60-69": -1, "all": -1, "0_4": 0} {
		if got := weightBand(band); got != want {
			t.Errorf("weightBand(%q) = %d, want %d", band, got, want)
		}
	}
}

// The weights in weights.go must be the published ones.
func TestWeightsMatchShared(t *testing.T) {
	check := func(file string, pick func(rec []string) (int, bool, float64, bool)) {
		f, err := os.Open("../../../shared/data/weights/" + file)
		if err != nil {
			t.Skipf("shared weights not available: %v", err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		n := 0
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "#") || line == "" {
				continue
			}
			if i, _, _, ok := pick(strings.Split(line, ",")); !ok || i < 0 {
				continue
			}
			n++
		}
		if n == 0 {
			t.Errorf("%s: no rows checked", file)
		}
	}
	bandIndex := func(b string) int {
		for i, w := range WeightBands {
			if w == b {
				return i
			}
		}
		return -1
	}
	check("astro_pu_2013_weights.csv", func(rec []string) (int, bool, float64, bool) {
		if len(rec) != 4 || rec[0] == "age_band" {
			return -1, false, 0, false
		}
		i := bandIndex(rec[0])
		cost, _ := strconv.ParseFloat(rec[2], 64)
		items, _ := strconv.ParseFloat(rec[3], 64)
		wc, wi := astroPUCost[i].female, astroPUItems[i].female
		if rec[1] == "male" {
			wc, wi = astroPUCost[i].male, astroPUItems[i].male
		}
		if wc != cost || wi != items {
			t.Errorf("ASTRO-PU %s %s: have %v %v, published %v %v", rec[0], rec[1], wc, wi, cost, items)
		}
		return i, true, 0, true
	})
	check("star_pu_2013_weights.csv", func(rec []string) (int, bool, float64, bool) {
		if len(rec) != 4 || rec[0] != "oral_antibacterials_item" {
			return -1, false, 0, false
		}
		i := bandIndex(rec[1])
		m, _ := strconv.ParseFloat(rec[2], 64)
		f, _ := strconv.ParseFloat(rec[3], 64)
		if starPUOralAntibacterialItems[i].male != m || starPUOralAntibacterialItems[i].female != f {
			t.Errorf("STAR-PU %s: have %+v, published %v %v", rec[1], starPUOralAntibacterialItems[i], m, f)
		}
		return i, true, 0, true
	})
}

func TestCustomSQLReads(t *testing.T) {
	c := &CustomSQL{Columns: "SUM(items) AS numerator", From: "{hscic}.raw_prescribing_normalised", Where: "Quantity_Per_Item > 15"}
	if !c.Reads("quantity_per_item") || !c.Reads("raw_prescribing_normalised") || c.Reads("practice_statistics") {
		t.Fatal("Reads")
	}
	var none *CustomSQL
	if none.Reads("x") {
		t.Fatal("nil Reads")
	}
}
