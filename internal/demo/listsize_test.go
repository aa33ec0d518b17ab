package demo

import (
	"math"
	"strconv"
	"testing"

	"ccg/internal/calendar"
	"ccg/internal/registry"
)

// wantSexBands is the SEX/AGE_GROUP_5 sequence of one practice in a file.
func wantSexBands() [][2]string {
	out := [][2]string{{"ALL", "ALL"}}
	for _, sex := range []string{"FEMALE", "MALE"} {
		for _, b := range AgeBands {
			out = append(out, [2]string{sex, b})
		}
		out = append(out, [2]string{sex, "ALL"})
	}
	return out
}

func TestListSizeFiles(t *testing.T) {
	for _, seed := range []int64{1, 2, 99} {
		w := generate(t, seed)
		for _, m := range w.Months {
			t.Run(strconv.FormatInt(seed, 10)+"/"+m.String(), func(t *testing.T) {
				rows := readCSV(t, stepFile(t, w, "gp-reg-pat-prac-quin-age-"+m.String()+".csv"))
				if got := rows[0]; len(got) != 9 || got[0] != "PUBLICATION" || got[8] != "NUMBER_OF_PATIENTS" {
					t.Fatalf("header %q", got)
				}
				rows = rows[1:]
				if len(rows)%registryAllRows != 0 {
					t.Fatalf("%d rows is not a whole number of practices", len(rows))
				}
				seq := wantSexBands()
				var codes []string
				for start := 0; start < len(rows); start += registryAllRows {
					block := rows[start : start+registryAllRows]
					code := block[0][3]
					codes = append(codes, code)
					p := w.Practice(code)
					if p == nil || !p.GP() {
						t.Fatalf("%s is not a GP practice of the world", code)
					}
					l, ok := p.ListSize(m)
					if !ok {
						t.Fatalf("%s has no list for %s in the World", code, m)
					}
					n := make([]int, registryAllRows)
					for i, r := range block {
						if r[0] != "GP_PRAC_PAT_LIST" || r[1] != extractDate(m) || r[2] != "GP" || r[3] != code || r[4] != "" || r[5] != p.Postcode {
							t.Fatalf("%s row %d: %q", code, i, r)
						}
						if r[6] != seq[i][0] || r[7] != seq[i][1] {
							t.Fatalf("%s row %d: %s/%s, want %s/%s", code, i, r[6], r[7], seq[i][0], seq[i][1])
						}
						v, err := strconv.Atoi(r[8])
						if err != nil || v < 0 {
							t.Fatalf("%s row %d: count %q", code, i, r[8])
						}
						n[i] = v
					}
					female, male := sum(n[1:21]), sum(n[22:42])
					if n[21] != female || n[42] != male || n[0] != female+male {
						t.Errorf("%s: ALL %d, FEMALE ALL %d (bands %d), MALE ALL %d (bands %d)", code, n[0], n[21], female, n[42], male)
					}
					if n[0] != l.Total() || n[21] != l.Females() || n[42] != l.Males() {
						t.Errorf("%s: file total %d, World %d", code, n[0], l.Total())
					}
					recs := l.Records(code)
					for i, r := range recs {
						if r.Patients != n[i] {
							t.Errorf("%s record %d: %d, file %d", code, i, r.Patients, n[i])
						}
					}
				}
				// The practices in the file are the GP practices open on the
				// first of the month, in code order.
				var want []string
				for _, p := range w.Practices {
					if p.GP() && p.OpenOn(m.First()) {
						want = append(want, p.Code)
					}
				}
				if len(codes) != len(want) {
					t.Fatalf("practices %v, want %v", codes, want)
				}
				for i := range want {
					if codes[i] != want[i] {
						t.Fatalf("practices %v, want %v", codes, want)
					}
				}
			})
		}
	}
}

func TestExtractDate(t *testing.T) {
	tests := []struct{ month, want string }{
		{"2019-04", "01APR2019"},
		{"2020-12", "01DEC2020"},
		{"2021-03", "01MAR2021"},
	}
	for _, tt := range tests {
		t.Run(tt.month, func(t *testing.T) {
			if got := extractDate(calendar.MustMonth(tt.month)); got != tt.want {
				t.Errorf("extractDate = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRecords(t *testing.T) {
	l := ListSize{Month: calendar.MustMonth("2019-04")}
	for i := range l.Female {
		l.Female[i] = i + 1
		l.Male[i] = 2 * i
	}
	recs := l.Records("Y90001")
	tests := []struct {
		i        int
		sex      registry.Sex
		band     string
		patients int
	}{
		{0, registry.SexAll, registry.AgeAll, 210 + 380},
		{1, registry.SexFemale, "0-4", 1},
		{20, registry.SexFemale, "95+", 20},
		{21, registry.SexFemale, registry.AgeAll, 210},
		{22, registry.SexMale, "0-4", 0},
		{41, registry.SexMale, "95+", 38},
		{42, registry.SexMale, registry.AgeAll, 380},
	}
	if len(recs) != registryAllRows {
		t.Fatalf("%d records", len(recs))
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.i), func(t *testing.T) {
			r := recs[tt.i]
			if r.Sex != tt.sex || r.AgeBand != tt.band || r.Patients != tt.patients || r.Practice != "Y90001" || r.Month != l.Month {
				t.Errorf("record %d = %+v, want %s %s %d", tt.i, r, tt.sex, tt.band, tt.patients)
			}
		})
	}
}

// share returns the share of the list in bands [from, to].
func share(l ListSize, from, to int) float64 {
	n := 0
	for i := from; i <= to; i++ {
		n += l.Band(i)
	}
	return float64(n) / float64(l.Total())
}

func TestListSizesRealistic(t *testing.T) {
	for _, seed := range []int64{1, 2, 3, 4, 5, 1234567} {
		w := generate(t, seed)
		t.Run(strconv.FormatInt(seed, 10), func(t *testing.T) {
			// events: practice -> months whose change from the month before
			// is expected to exceed the steady drift
			events := map[string]map[calendar.Month]bool{}
			mark := func(code string, m calendar.Month) {
				if events[code] == nil {
					events[code] = map[calendar.Month]bool{}
				}
				events[code][m] = true
			}
			for _, p := range w.Practices {
				if p.Closed.IsZero() {
					continue
				}
				after := p.Closed.AddDays(1).Month()
				for _, sh := range p.Dispersal {
					mark(sh.Practice, after)
				}
				for i := 0; i < closingMonths; i++ {
					mark(p.Code, after.Add(-1-i))
				}
			}
			for _, p := range w.Practices {
				if !p.GP() {
					if len(p.Lists) != 0 {
						t.Errorf("%s (setting %s) has list sizes", p.Code, p.Setting)
					}
					continue
				}
				for i, l := range p.Lists {
					if n := l.Total(); n < 1500 || n > 20000 {
						t.Errorf("%s %s: list %d outside 1,500-20,000", p.Code, l.Month, n)
					}
					old := 0
					for b := 17; b < NumAgeBands; b++ {
						if l.Female[b] <= l.Male[b] && l.Female[b]+l.Male[b] >= 30 {
							t.Errorf("%s %s band %s: %d women, %d men", p.Code, l.Month, AgeBands[b], l.Female[b], l.Male[b])
						}
						old += l.Female[b] - l.Male[b]
					}
					if old <= 0 {
						t.Errorf("%s %s: men outnumber women over 85", p.Code, l.Month)
					}
					if i == 0 {
						continue
					}
					prev := p.Lists[i-1]
					if prev.Month.Add(1) != l.Month {
						t.Errorf("%s: months %s then %s", p.Code, prev.Month, l.Month)
					}
					change := float64(l.Total())/float64(prev.Total()) - 1
					if p.Profile == ProfileStudent || p.Opened.After(w.Months[0].First()) || events[p.Code][l.Month] {
						continue
					}
					if math.Abs(change) > 0.01 {
						t.Errorf("%s %s: month-to-month change %.2f%%", p.Code, l.Month, 100*change)
					}
				}
			}
			checks := []struct {
				name string
				ok   func() bool
			}{
				{"student practice is mostly 15-29", func() bool {
					l, _ := w.Practice("Y90041").ListSize(w.Months[0])
					return share(l, 3, 5) > 0.5 && share(l, 13, 19) < 0.05
				}},
				{"student intake in October and November", func() bool {
					p := w.Practice("Y90041")
					sep, _ := p.ListSize(calendar.MustMonth("2019-09"))
					nov, _ := p.ListSize(calendar.MustMonth("2019-11"))
					return float64(nov.Total()) > 1.05*float64(sep.Total())
				}},
				{"coast practices are old", func() bool {
					for _, p := range w.MembersOn(CCGMerged, calendar.MustDate("2020-04-01")) {
						if p.Locality == "LOC-COAST" && p.Profile == ProfileRetirement {
							l, _ := p.ListSize(calendar.MustMonth("2020-04"))
							if share(l, 13, 19) < 0.28 {
								return false
							}
						}
					}
					return true
				}},
				{"family practices have more children than coast ones", func() bool {
					fam, _ := w.Practice("Y90001").ListSize(w.Months[0])
					coast, _ := w.Practice("Y90031").ListSize(w.Months[0])
					return share(fam, 0, 2) > share(coast, 0, 2)+0.05
				}},
				{"growing practice grows", func() bool {
					p := w.Practice("Y90003")
					return float64(p.Lists[len(p.Lists)-1].Total()) > 1.06*float64(p.Lists[0].Total())
				}},
				{"closed practice's patients move", func() bool {
					sep, _ := w.Practice("Y90008").ListSize(calendar.MustMonth("2019-09"))
					_, gone := w.Practice("Y90008").ListSize(calendar.MustMonth("2019-10"))
					gain := 0
					for _, code := range []string{"Y90002", "Y90004"} {
						a, _ := w.Practice(code).ListSize(calendar.MustMonth("2019-09"))
						b, _ := w.Practice(code).ListSize(calendar.MustMonth("2019-10"))
						gain += b.Total() - a.Total()
					}
					return !gone && gain > sep.Total()*9/10 && gain < sep.Total()*11/10
				}},
				{"new practice opens in October 2019 and grows", func() bool {
					p := w.Practice("Y90048")
					_, before := p.ListSize(calendar.MustMonth("2019-09"))
					first, ok := p.ListSize(calendar.MustMonth("2019-10"))
					last := p.Lists[len(p.Lists)-1]
					return !before && ok && last.Month == w.Months[len(w.Months)-1] && float64(last.Total()) > 1.8*float64(first.Total())
				}},
				{"second closure at the end of January 2020", func() bool {
					p := w.Practice("Y90037")
					_, jan := p.ListSize(calendar.MustMonth("2020-01"))
					_, feb := p.ListSize(calendar.MustMonth("2020-02"))
					return jan && !feb
				}},
				{"historical closure has no list sizes", func() bool { return len(w.Practice("Y90018").Lists) == 0 }},
				{"CCG size is plausible", func() bool {
					n := w.RegisteredIn(CCGMerged, calendar.MustMonth("2020-04"))
					return n > 200000 && n < 400000
				}},
			}
			for _, c := range checks {
				t.Run(c.name, func(t *testing.T) {
					if !c.ok() {
						t.Error("failed")
					}
				})
			}
		})
	}
}
