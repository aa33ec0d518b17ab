package engagement

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/stats"
)

func day(s string) calendar.Date { return calendar.MustDate(s) }

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// small is a hand-sized questionnaire: a dimension "d" of four items (one
// reverse), a yes-no, a choice and free text.
func small() Questionnaire {
	return Questionnaire{
		Title:      "Small",
		Dimensions: []Dimension{{ID: "d", Name: "Dim"}},
		Sections: []Section{{ID: "s", Title: "S", Items: []Item{
			{ID: "a", Kind: ItemLikert, Dimension: "d", Text: "A"},
			{ID: "b", Kind: ItemLikert, Dimension: "d", Text: "B"},
			{ID: "c", Kind: ItemLikert, Dimension: "d", Text: "C"},
			{ID: "r", Kind: ItemLikert, Dimension: "d", Text: "R", Reverse: true},
			{ID: "yn", Kind: ItemYesNo, Text: "YN"},
			{ID: "ch", Kind: ItemChoice, Text: "CH", Options: []Option{{"x", "X"}, {"y", "Y"}}},
			{ID: "t", Kind: ItemText, Text: "T"},
		}}},
	}
}

func TestDefaultQuestionnaire(t *testing.T) {
	q := DefaultQuestionnaire()
	if err := q.Validate(); err != nil {
		t.Fatal(err)
	}
	kinds := map[ItemKind]int{}
	reverse := 0
	for _, it := range q.Items() {
		kinds[it.Kind]++
		if it.Reverse {
			reverse++
		}
	}
	if kinds[ItemLikert] != 20 || kinds[ItemYesNo] < 1 || kinds[ItemChoice] < 1 || kinds[ItemText] < 1 {
		t.Errorf("kinds = %v, want 20 Likert and at least one of each other kind", kinds)
	}
	if reverse < 4 {
		t.Errorf("reverse items = %d, want some in every dimension", reverse)
	}
	for _, id := range []string{"ownership", "influence", "communication", "trust", "constitution"} {
		t.Run(id, func(t *testing.T) {
			its := q.DimensionItems(id)
			rev := 0
			for _, it := range its {
				if it.Reverse {
					rev++
				}
			}
			if len(its) != 4 || rev != 1 {
				t.Errorf("dimension %s: %d items, %d reverse; want 4 and 1", id, len(its), rev)
			}
		})
	}
	// a fresh copy each time
	q.Title = "changed"
	if DefaultQuestionnaire().Title == "changed" {
		t.Error("DefaultQuestionnaire shares state between calls")
	}
	if !bytes.Contains(DefaultQuestionnaireJSON(), []byte(`"reverse": true`)) {
		t.Error("DefaultQuestionnaireJSON lacks reverse items")
	}
}

func TestQuestionnaireValidate(t *testing.T) {
	mod := func(f func(q *Questionnaire)) Questionnaire { q := small(); f(&q); return q }
	tests := []struct {
		name string
		q    Questionnaire
		want string // "" valid
	}{
		{"valid", small(), ""},
		{"no title", mod(func(q *Questionnaire) { q.Title = " " }), "title"},
		{"no sections", mod(func(q *Questionnaire) { q.Sections = nil }), "at least one section"},
		{"duplicate item", mod(func(q *Questionnaire) { q.Sections[0].Items[1].ID = "a" }), `"a" is listed twice`},
		{"bad id", mod(func(q *Questionnaire) { q.Sections[0].Items[0].ID = "A b" }), "lower-case"},
		{"unknown dimension", mod(func(q *Questionnaire) { q.Sections[0].Items[0].Dimension = "zz" }), "must name one of the dimensions"},
		{"likert with options", mod(func(q *Questionnaire) { q.Sections[0].Items[0].Options = []Option{{"x", "X"}} }), "no options of its own"},
		{"yes-no with dimension", mod(func(q *Questionnaire) { q.Sections[0].Items[4].Dimension = "d" }), "only scale questions"},
		{"text reverse", mod(func(q *Questionnaire) { q.Sections[0].Items[6].Reverse = true }), "only scale questions"},
		{"choice one option", mod(func(q *Questionnaire) { q.Sections[0].Items[5].Options = q.Sections[0].Items[5].Options[:1] }), "at least two options"},
		{"choice duplicate option", mod(func(q *Questionnaire) { q.Sections[0].Items[5].Options[1].ID = "x" }), "unique lower-case ID"},
		{"yes-no with options", mod(func(q *Questionnaire) { q.Sections[0].Items[4].Options = []Option{{"x", "X"}, {"y", "Y"}} }), "only choose-one"},
		{"unknown kind", mod(func(q *Questionnaire) { q.Sections[0].Items[4].Kind = "slider" }), "not a kind of question"},
		{"no wording", mod(func(q *Questionnaire) { q.Sections[0].Items[0].Text = "" }), "needs its wording"},
		{"dimension of one item", mod(func(q *Questionnaire) {
			q.Dimensions = append(q.Dimensions, Dimension{ID: "e", Name: "E"})
			q.Sections[0].Items[3].Dimension = "e"
		}), `dimension "e" needs at least two`},
		{"duplicate dimension", mod(func(q *Questionnaire) { q.Dimensions = append(q.Dimensions, Dimension{ID: "d", Name: "D"}) }), "listed twice"},
		{"dimension without name", mod(func(q *Questionnaire) { q.Dimensions[0].Name = "" }), "needs a name"},
		{"empty section", mod(func(q *Questionnaire) { q.Sections = append(q.Sections, Section{ID: "e", Title: "E"}) }), "has no questions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.q.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want ErrInvalid mentioning %q", err, tt.want)
			}
		})
	}
}

func TestParseQuestionnaire(t *testing.T) {
	tests := []struct {
		name, json string
		ok         bool
	}{
		{"default", string(DefaultQuestionnaireJSON()), true},
		{"unknown field", `{"title":"x","sections":[],"revers":true}`, false},
		{"not json", `{`, false},
		{"invalid content", `{"title":"x","sections":[]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseQuestionnaire([]byte(tt.json))
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, errs.ErrInvalid) {
				t.Fatalf("err %v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestCheckAnswers(t *testing.T) {
	q := small()
	tests := []struct {
		name string
		in   Answers
		want Answers
		bad  string
	}{
		{"all good", Answers{"a": "5", "yn": "yes", "ch": "y", "t": "  hi  "}, Answers{"a": "5", "yn": "yes", "ch": "y", "t": "hi"}, ""},
		{"empty dropped", Answers{"a": "", "b": " "}, Answers{}, ""},
		{"likert 0", Answers{"a": "0"}, nil, "1 to 5"},
		{"likert 6", Answers{"a": "6"}, nil, "1 to 5"},
		{"likert word", Answers{"a": "agree"}, nil, "1 to 5"},
		{"yes-no", Answers{"yn": "maybe"}, nil, "yes or no"},
		{"choice", Answers{"ch": "z"}, nil, "not one of the options"},
		{"unknown item", Answers{"zz": "1"}, nil, "not a question"},
		{"text too long", Answers{"t": strings.Repeat("é", MaxTextLen+1)}, nil, "characters"},
		{"text at limit", Answers{"t": strings.Repeat("é", MaxTextLen)}, Answers{"t": strings.Repeat("é", MaxTextLen)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := q.CheckAnswers(tt.in)
			if tt.bad != "" {
				if !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), tt.bad) {
					t.Fatalf("err = %v, want ErrInvalid with %q", err, tt.bad)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	q := small() // 6 counted questions (text does not count)
	ans := func(ids ...string) Answers {
		a := Answers{"t": "free text never counts"}
		for _, id := range ids {
			a[id] = "1"
		}
		return a
	}
	tests := []struct {
		name string
		a    Answers
		want Disposition
	}{
		{"all six", ans("a", "b", "c", "r", "yn", "ch"), Complete},
		{"five of six (83%)", ans("a", "b", "c", "r", "yn"), Complete},
		{"four of six (67%)", ans("a", "b", "c", "r"), Partial},
		{"three of six (50%)", ans("a", "b", "c"), Partial},
		{"two of six (33%)", ans("a", "b"), BreakOff},
		{"text only", ans(), BreakOff},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(q, tt.a); got != tt.want {
				t.Fatalf("Classify = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSizeBandOf(t *testing.T) {
	tests := []struct {
		n    int
		want SizeBand
	}{{0, ""}, {-3, ""}, {1, SizeSmall}, {4999, SizeSmall}, {5000, SizeMedium}, {9999, SizeMedium}, {10000, SizeLarge}, {40000, SizeLarge}}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			if got := SizeBandOf(tt.n); got != tt.want {
				t.Fatalf("SizeBandOf(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}

// repeat returns n copies of c.
func repeat(c Class, n int) []Class {
	out := make([]Class, n)
	for i := range out {
		out[i] = c
	}
	return out
}

func concat(parts ...[]Class) []Class {
	var out []Class
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestCoarsen(t *testing.T) {
	d := stats.DefaultDisclosure
	gpN := Class{Locality: "North", Role: RoleGP, Leadership: OtherMember, Size: SizeLarge}
	gpNs := Class{Locality: "North", Role: RoleGP, Leadership: OtherMember, Size: SizeSmall}
	nurseS := Class{Locality: "South", Role: RoleNurse, Leadership: OtherMember, Size: SizeMedium}
	leadN := Class{Locality: "North", Role: RoleGP, Leadership: Leader, Size: SizeLarge}
	leadS := Class{Locality: "South", Role: RoleManager, Leadership: Leader, Size: SizeSmall}
	tests := []struct {
		name string
		in   []Class
		want map[Class]int // stored class → how many
	}{
		{"all large enough", concat(repeat(gpN, 5), repeat(nurseS, 6)), map[Class]int{gpN: 5, nurseS: 6}},
		{"small size band given up", concat(repeat(gpN, 5), repeat(gpNs, 2)),
			// the two small-practice GPs absorb the five (the smallest safe
			// class that generalises to theirs): all seven lose their size band
			map[Class]int{{Locality: "North", Role: RoleGP, Leadership: OtherMember}: 7}},
		{"leaders kept as leaders", concat(repeat(gpN, 6), repeat(nurseS, 6), repeat(leadN, 3), repeat(leadS, 2)),
			map[Class]int{gpN: 6, nurseS: 6, {Leadership: Leader}: 5}},
		{"three leaders only: leadership not recorded", concat(repeat(gpN, 6), repeat(nurseS, 6), repeat(leadN, 3)),
			// at the last level the three absorb the smallest safe class
			map[Class]int{nurseS: 6, {}: 9}},
		{"fewer than five in all", repeat(gpN, 4), map[Class]int{{}: 4}},
		{"empty", nil, map[Class]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Coarsen(d, tt.in)
			if len(got) != len(tt.in) {
				t.Fatalf("len = %d, want %d", len(got), len(tt.in))
			}
			count := map[Class]int{}
			for i, c := range got {
				count[c]++
				o := tt.in[i]
				// every stored attribute is the original or "not recorded"
				if (c.Locality != "" && c.Locality != o.Locality) || (c.Role != "" && c.Role != o.Role) ||
					(c.Leadership != "" && c.Leadership != o.Leadership) || (c.Size != "" && c.Size != o.Size) {
					t.Errorf("class %d: %+v is not a generalisation of %+v", i, c, o)
				}
			}
			if !reflect.DeepEqual(count, tt.want) {
				t.Errorf("stored classes = %v, want %v", count, tt.want)
			}
			if len(tt.in) >= d.MinGroup {
				for c, n := range count {
					if !d.AllowGroup(n) {
						t.Errorf("stored class %+v has only %d people", c, n)
					}
				}
			}
			if again := Coarsen(d, tt.in); !reflect.DeepEqual(again, got) {
				t.Error("Coarsen is not deterministic")
			}
		})
	}
}

// TestCoarsenProperty checks the k-anonymity guarantee over many mixes.
func TestCoarsenProperty(t *testing.T) {
	d := stats.DefaultDisclosure
	locs := []string{"North", "South", "East"}
	for seed := 1; seed <= 60; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			var in []Class
			x := seed
			n := 5 + seed%37
			for i := 0; i < n; i++ {
				x = (x*1103515245 + 12345) & 0x7fffffff
				c := Class{Locality: locs[x%3], Role: RoleGroups[(x/3)%5], Leadership: Leader, Size: SizeBands[(x/15)%3]}
				if (x/45)%4 != 0 {
					c.Leadership = OtherMember
				}
				in = append(in, c)
			}
			count := map[Class]int{}
			for _, c := range Coarsen(d, in) {
				count[c]++
			}
			for c, k := range count {
				if !d.AllowGroup(k) {
					t.Errorf("stored class %+v has only %d people", c, k)
				}
			}
		})
	}
}

func TestTokens(t *testing.T) {
	tok, hash, err := NewToken(bytes.NewReader(make([]byte, 64)), 7, "A81001")
	if err != nil {
		t.Fatal(err)
	}
	if hash != HashToken(tok) || len(hash) != 64 || strings.Contains(hash, "A81001") {
		t.Fatalf("hash %q of %q", hash, tok)
	}
	tests := []struct {
		name, token string
		wave        int64
		practice    string
		ok          bool
	}{
		{"made", tok, 7, "A81001", true},
		{"two parts", "7.A81001", 0, "", false},
		{"bad wave", "x.A81001." + strings.Repeat("A", 43), 0, "", false},
		{"bad practice", "7.a8.AAAA", 0, "", false},
		{"short secret", "7.A81001.AAAA", 0, "", false},
		{"empty", "", 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, p, err := ParseToken(tt.token)
			if (err == nil) != tt.ok || w != tt.wave || p != tt.practice {
				t.Fatalf("ParseToken = %d, %q, %v", w, p, err)
			}
			if err != nil && !errors.Is(err, errs.ErrNotFound) {
				t.Fatalf("err %v should wrap ErrNotFound", err)
			}
		})
	}
	t.Run("bad inputs", func(t *testing.T) {
		if _, _, err := NewToken(bytes.NewReader(nil), 7, "A81001"); err == nil {
			t.Error("short random source accepted")
		}
		if _, _, err := NewToken(bytes.NewReader(make([]byte, 64)), 0, "A81001"); !errors.Is(err, errs.ErrInvalid) {
			t.Error("wave 0 accepted")
		}
		if _, _, err := NewToken(bytes.NewReader(make([]byte, 64)), 1, "a.b"); !errors.Is(err, errs.ErrInvalid) {
			t.Error("practice with a dot accepted")
		}
	})
}

func TestProtect(t *testing.T) {
	d := stats.DefaultDisclosure
	S, F, D, N := ShownCode, TooFewCode, DifferenceCode, NoAnswersCode
	tests := []struct {
		name   string
		counts []int
		total  int
		pre    []Reason
		want   []ReasonCode
	}{
		{"all large", []int{5, 6, 7}, 18, nil, []ReasonCode{S, S, S}},
		{"one small, rest hides ≥5", []int{5, 5, 2, 3}, 15, nil, []ReasonCode{S, S, F, F}},
		{"complement: leaders 10, members 2", []int{10, 2}, 12, nil, []ReasonCode{D, F}},
		{"complement: group of 4 hidden, total 4", []int{4}, 4, nil, []ReasonCode{F}},
		{"three groups, one small: next smallest hidden", []int{6, 7, 3}, 16, nil, []ReasonCode{D, S, F}},
		{"ties: the first of equal groups", []int{6, 6, 3}, 15, nil, []ReasonCode{D, S, F}},
		{"unseen people count as hidden", []int{6, 6}, 14, nil, []ReasonCode{D, S}},
		{"unseen people ≥ 5 need nothing", []int{6, 6}, 17, nil, []ReasonCode{S, S}},
		{"zero group", []int{0, 6, 6}, 12, nil, []ReasonCode{N, S, S}},
		{"pre-hidden group carries its reason", []int{6, 6, 6}, 18, []Reason{{}, differencing(), {}}, []ReasonCode{S, D, S}},
		{"pre-hidden small group triggers secondary", []int{6, 7, 8}, 21, []Reason{tooFew(d), {}, {}}, []ReasonCode{F, S, S}},
		{"everything small", []int{1, 2, 1}, 4, nil, []ReasonCode{F, F, F}},
		{"exactly five each", []int{5, 5}, 10, nil, []ReasonCode{S, S}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Protect(d, tt.counts, tt.total, tt.pre)
			var codes []ReasonCode
			for _, r := range got {
				codes = append(codes, r.Code)
				if !r.Shown() && r.Text == "" {
					t.Error("a hidden group must say why")
				}
			}
			if !reflect.DeepEqual(codes, tt.want) {
				t.Fatalf("Protect(%v, %d) = %v, want %v", tt.counts, tt.total, codes, tt.want)
			}
			// the people hidden are never 1 to 4 unless everything is hidden
			hiddenN := tt.total
			for i, n := range tt.counts {
				if got[i].Shown() {
					hiddenN -= n
				}
			}
			if hiddenN > 0 && hiddenN < d.MinGroup && hiddenN != tt.total {
				t.Fatalf("%d people hidden: they could be worked out by subtraction", hiddenN)
			}
		})
	}
}

func TestReverseCodeAndRescale(t *testing.T) {
	tests := []struct {
		x       int
		reverse bool
		want    int
	}{{1, false, 1}, {5, false, 5}, {1, true, 5}, {2, true, 4}, {3, true, 3}, {5, true, 1}, {0, true, 0}, {6, false, 0}}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.x, tt.reverse), func(t *testing.T) {
			if got := ReverseCode(tt.x, tt.reverse); got != tt.want {
				t.Fatalf("ReverseCode(%d, %v) = %d, want %d", tt.x, tt.reverse, got, tt.want)
			}
		})
	}
	for _, c := range []struct{ m, want float64 }{{1, 0}, {3, 50}, {5, 100}, {4, 75}, {3.5, 62.5}} {
		t.Run(fmt.Sprint("rescale ", c.m), func(t *testing.T) {
			if got := Rescale(c.m); !near(got, c.want) {
				t.Fatalf("Rescale(%v) = %v, want %v", c.m, got, c.want)
			}
		})
	}
}

func TestDimensionScore(t *testing.T) {
	its := small().DimensionItems("d") // a, b, c, r(reverse)
	tests := []struct {
		name string
		a    Answers
		want float64
		ok   bool
	}{
		// (4 + 5 + 3 + (6−2)) / 4 = 4 → 75
		{"all four, reverse coded", Answers{"a": "4", "b": "5", "c": "3", "r": "2"}, 75, true},
		// all 5 with the negative item strongly agreed (→1): (5+5+5+1)/4 = 4 → 75
		{"agreeing with the negative item lowers the score", Answers{"a": "5", "b": "5", "c": "5", "r": "5"}, 75, true},
		// three of four = 75%: (2 + 2 + (6−1)) / 3 = 3 → 50
		{"three of four answered (75%) scored", Answers{"a": "2", "b": "2", "r": "1"}, 50, true},
		{"two of four (50%) not scored", Answers{"a": "5", "b": "5"}, 0, false},
		{"none", Answers{}, 0, false},
		{"all 1s", Answers{"a": "1", "b": "1", "c": "1", "r": "5"}, 0, true},
		{"all best", Answers{"a": "5", "b": "5", "c": "5", "r": "1"}, 100, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := DimensionScore(its, tt.a)
			if ok != tt.ok || !near(got, tt.want) {
				t.Fatalf("DimensionScore = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// resp builds a complete response to small() with Likert answers a, b, c, r.
func resp(cl Class, a, b, c, r int, yes bool) Response {
	yn := AnswerNo
	if yes {
		yn = AnswerYes
	}
	return Response{Wave: 1, Class: cl, Disposition: Complete, Answers: Answers{
		"a": fmt.Sprint(a), "b": fmt.Sprint(b), "c": fmt.Sprint(c), "r": fmt.Sprint(r), "yn": yn, "ch": "x",
	}}
}

var (
	leaderN = Class{Locality: "North", Role: RoleGP, Leadership: Leader, Size: SizeLarge}
	memberN = Class{Locality: "North", Role: RoleNurse, Leadership: OtherMember, Size: SizeLarge}
	memberS = Class{Locality: "South", Role: RoleNurse, Leadership: OtherMember, Size: SizeSmall}
)

func TestAnalyseHandWorked(t *testing.T) {
	q := small()
	// five leaders, all positive; six members, mixed.
	var rs []Response
	for i := 0; i < 5; i++ {
		rs = append(rs, resp(leaderN, 5, 4, 4, 1, true))
	}
	member := [][4]int{{2, 2, 3, 4}, {2, 3, 3, 4}, {4, 4, 4, 2}, {1, 2, 2, 5}, {3, 3, 3, 3}, {2, 2, 2, 4}}
	for i, m := range member {
		cl := memberN
		if i >= 3 {
			cl = memberS
		}
		rs = append(rs, resp(cl, m[0], m[1], m[2], m[3], i == 2))
	}
	// a break-off is left out of results
	rs = append(rs, Response{Wave: 1, Class: memberN, Disposition: BreakOff, Answers: Answers{"a": "1"}})

	res := Analyse(q, Wave{ID: 1}, rs, DefaultOptions())
	if res.Hidden != nil || res.Respondents != 11 {
		t.Fatalf("respondents = %d, hidden %v; want 11 shown", res.Respondents, res.Hidden)
	}
	item := func(id string) ItemResult {
		for _, it := range res.Items {
			if it.ID == id {
				return it
			}
		}
		t.Fatalf("no item %s", id)
		return ItemResult{}
	}
	t.Run("item a", func(t *testing.T) {
		a := item("a")
		// answers: 5×5, 2,2,4,1,3,2 → agree = 5 + 1 = 6 of 11; mean = (25+14)/11
		if a.N != 11 || a.Agree != 6 || !near(a.Mean, 39.0/11) {
			t.Fatalf("a = %+v", a.Measure)
		}
		lo, hi := stats.Wilson(6, 11, 0.95)
		if !near(a.Proportion, 6.0/11) || !near(a.Lower, lo) || !near(a.Upper, hi) {
			t.Fatalf("a proportion %v [%v, %v], want %v [%v, %v]", a.Proportion, a.Lower, a.Upper, 6.0/11, lo, hi)
		}
		if !reflect.DeepEqual(a.Distribution, []int{1, 3, 1, 1, 5}) {
			t.Fatalf("distribution %v", a.Distribution)
		}
	})
	t.Run("reverse item r", func(t *testing.T) {
		r := item("r")
		// as worded: 1×5, 4,4,2,5,3,4 → agree (4-5) = 4; scores 6−x: 5×5, 2,2,4,1,3,2 → mean 39/11
		if r.Agree != 4 || !near(r.Mean, 39.0/11) || !r.Reverse {
			t.Fatalf("r = %+v", r.Measure)
		}
	})
	t.Run("yes-no", func(t *testing.T) {
		yn := item("yn")
		if yn.Agree != 6 || yn.N != 11 || yn.HasMean || !reflect.DeepEqual(yn.Distribution, []int{6, 5}) {
			t.Fatalf("yn = %+v", yn.Measure)
		}
	})
	t.Run("choice", func(t *testing.T) {
		ch := item("ch")
		if ch.N != 11 || !reflect.DeepEqual(ch.Distribution, []int{11, 0}) || ch.Proportion != 0 {
			t.Fatalf("ch = %+v", ch.Measure)
		}
	})
	t.Run("dimension", func(t *testing.T) {
		dm := res.Dimensions[0]
		// leaders: (5+4+4+5)/4 = 4.5 → 87.5 each. members: scores per respondent
		// (2+2+3+2)/4=2.25→31.25; (2+3+3+2)/4=2.5→37.5; (4+4+4+4)/4=4→75;
		// (1+2+2+1)/4=1.5→12.5; 3→50; (2+2+2+2)/4=2→25
		want := (5*87.5 + 31.25 + 37.5 + 75 + 12.5 + 50 + 25) / 11
		if dm.N != 11 || dm.Agree != 6 || !near(dm.Mean, want) {
			t.Fatalf("dimension = %+v, want mean %v and 6 positive", dm.Measure, want)
		}
		// alpha from stats over the 11 complete respondents
		var m [4][]float64
		for _, r := range rs[:11] {
			for k, id := range []string{"a", "b", "c", "r"} {
				v, _ := ItemScore(q.DimensionItems("d")[k], r.Answers)
				_ = id
				m[k] = append(m[k], v)
			}
		}
		wantAlpha := stats.CronbachAlpha(m[:])
		if dm.Alpha == nil || !near(*dm.Alpha, wantAlpha) || dm.AlphaN != 11 {
			t.Fatalf("alpha = %v (n %d), want %v", dm.Alpha, dm.AlphaN, wantAlpha)
		}
	})
	t.Run("leader-member gap", func(t *testing.T) {
		g := res.Gap[0]
		if !g.Dimension || !g.Shown() {
			t.Fatalf("gap = %+v", g)
		}
		p, pl, pu := stats.Newcombe(5, 5, 1, 6, 0.95)
		if !near(g.Proportion, p) || !near(g.ProportionLower, pl) || !near(g.ProportionUpper, pu) {
			t.Fatalf("gap proportion %v [%v,%v], want %v [%v,%v]", g.Proportion, g.ProportionLower, g.ProportionUpper, p, pl, pu)
		}
		md, ml, mu := stats.WelchSamples([]float64{87.5, 87.5, 87.5, 87.5, 87.5}, []float64{31.25, 37.5, 75, 12.5, 50, 25}, 0.95)
		if !g.HasMean || !near(g.Mean, md) || !near(g.MeanLower, ml) || !near(g.MeanUpper, mu) {
			t.Fatalf("gap mean %v [%v,%v], want %v [%v,%v]", g.Mean, g.MeanLower, g.MeanUpper, md, ml, mu)
		}
		// items: a, b, c, r, yn (choice has no gap)
		if len(res.Gap) != 1+5 {
			t.Fatalf("gap rows = %d, want 6", len(res.Gap))
		}
	})
	t.Run("breakdowns", func(t *testing.T) {
		byKind := map[BreakdownKind]Breakdown{}
		for _, b := range res.Breakdowns {
			byKind[b.By] = b
		}
		lead := byKind[ByLeadership]
		if len(lead.Groups) != 2 || lead.Groups[0].Key != "leader" || lead.Groups[0].Respondents != 5 || lead.Groups[1].Respondents != 6 {
			t.Fatalf("leadership groups %+v", lead.Groups)
		}
		// locality: North 5 leaders + 3 members = 8, South 3 → South hidden,
		// and North too (11 − 8 = 3 could be worked out)
		loc := byKind[ByLocality]
		for _, g := range loc.Groups {
			if g.Hidden == nil || g.Respondents != 0 {
				t.Fatalf("locality group %s should be hidden: %+v", g.Key, g)
			}
			for _, m := range append(g.Items, g.Dimensions...) {
				if m.Shown() || m.N != 0 || m.Mean != 0 || m.Distribution != nil {
					t.Fatalf("hidden group %s leaks numbers: %+v", g.Key, m)
				}
			}
		}
		if loc.Groups[0].Hidden.Code != DifferenceCode || loc.Groups[1].Hidden.Code != TooFewCode {
			t.Fatalf("locality reasons %v, %v", loc.Groups[0].Hidden, loc.Groups[1].Hidden)
		}
		// role: GP 5 (leaders), nurse 6 → both shown
		role := byKind[ByRole]
		if len(role.Groups) != 2 || role.Groups[0].Hidden != nil || role.Groups[1].Hidden != nil {
			t.Fatalf("role groups %+v", role.Groups)
		}
	})
}

func TestAnalyseGroupOfFive(t *testing.T) {
	q := small()
	for n := 0; n <= 6; n++ {
		t.Run(fmt.Sprint(n, " respondents"), func(t *testing.T) {
			var rs []Response
			for i := 0; i < n; i++ {
				rs = append(rs, resp(memberN, 4, 4, 4, 2, true))
			}
			res := Analyse(q, Wave{ID: 1}, rs, DefaultOptions())
			shown := res.Hidden == nil
			if shown != (n >= 5) {
				t.Fatalf("%d respondents: shown = %v", n, shown)
			}
			for _, it := range res.Items {
				if it.Shown() != shown || (!shown && (it.N != 0 || it.Distribution != nil)) {
					t.Fatalf("item %s: %+v", it.ID, it.Measure)
				}
			}
			for _, d := range res.Dimensions {
				if (d.Alpha != nil) && !shown {
					t.Fatal("alpha shown for a hidden wave")
				}
			}
			if !shown && (res.Breakdowns != nil || res.Gap != nil || res.Respondents != 0) {
				t.Fatal("a hidden wave has breakdowns or a gap")
			}
		})
	}
	t.Run("item answered by four of six hidden", func(t *testing.T) {
		var rs []Response
		for i := 0; i < 6; i++ {
			r := resp(memberN, 4, 4, 4, 2, true)
			if i < 2 {
				delete(r.Answers, "yn")
			}
			rs = append(rs, r)
		}
		res := Analyse(q, Wave{ID: 1}, rs, DefaultOptions())
		for _, it := range res.Items {
			if (it.ID == "yn") == it.Shown() {
				t.Fatalf("item %s shown=%v", it.ID, it.Shown())
			}
		}
	})
	t.Run("no leaders: gap hidden", func(t *testing.T) {
		var rs []Response
		for i := 0; i < 6; i++ {
			rs = append(rs, resp(memberN, 4, 4, 4, 2, true))
		}
		res := Analyse(q, Wave{ID: 1}, rs, DefaultOptions())
		for _, g := range res.Gap {
			if g.Shown() || g.Hidden.Text == "" {
				t.Fatalf("gap %+v should be hidden with a reason", g)
			}
		}
	})
	t.Run("four leaders and six members: complement hides both", func(t *testing.T) {
		var rs []Response
		for i := 0; i < 4; i++ {
			rs = append(rs, resp(leaderN, 5, 5, 5, 1, true))
		}
		for i := 0; i < 6; i++ {
			rs = append(rs, resp(memberN, 2, 2, 2, 4, false))
		}
		res := Analyse(q, Wave{ID: 1}, rs, DefaultOptions())
		if res.Hidden != nil {
			t.Fatal("the wave of 10 should be shown")
		}
		for _, g := range res.Breakdowns[0].Groups {
			if g.Hidden == nil {
				t.Fatalf("leadership group %s shown: 10 − 6 = 4 leaders could be worked out", g.Key)
			}
		}
	})
}

func TestCompareWaves(t *testing.T) {
	q := small()
	var dec, apr []Response
	for i := 0; i < 6; i++ {
		dec = append(dec, resp(memberN, 2, 2, 2, 4, false)) // dimension 25
	}
	for i := 0; i < 5; i++ {
		apr = append(apr, resp(memberN, 4, 4, 4, 2, true)) // dimension 75
	}
	apr = append(apr, resp(memberN, 3, 3, 3, 3, false)) // 50
	ch := CompareWaves(q, dec, apr, DefaultOptions())
	d := ch[0]
	p, pl, pu := stats.Newcombe(5, 6, 0, 6, 0.95)
	md, ml, mu := stats.WelchSamples([]float64{75, 75, 75, 75, 75, 50}, []float64{25, 25, 25, 25, 25, 25}, 0.95)
	if !d.Shown() || !near(d.Proportion, p) || !near(d.ProportionLower, pl) || !near(d.ProportionUpper, pu) ||
		!near(d.Mean, md) || !near(d.MeanLower, ml) || !near(d.MeanUpper, mu) {
		t.Fatalf("change %+v, want %v [%v,%v] and %v [%v,%v]", d, p, pl, pu, md, ml, mu)
	}
	t.Run("small earlier wave hides every change", func(t *testing.T) {
		for _, c := range CompareWaves(q, dec[:4], apr, DefaultOptions()) {
			if c.Shown() {
				t.Fatalf("change %s shown from a wave of 4", c.ID)
			}
		}
	})
}

func TestResponseRates(t *testing.T) {
	pts := []PracticeTally{
		{Practice: "B2", Locality: "South", Invited: 10, Complete: 2, Partial: 1, BreakOff: 1},
		{Practice: "A1", Locality: "North", Invited: 20, Complete: 10, Partial: 2},
		{Practice: "C3", Locality: "North", Invited: 5},
	}
	cts := []ClassTally{{Class: Class{Leadership: Leader}, Invited: 5}, {Class: Class{Leadership: OtherMember}, Invited: 30}}
	var rs []Response
	add := func(l Leadership, d Disposition, n int) {
		for i := 0; i < n; i++ {
			rs = append(rs, Response{Class: Class{Leadership: l}, Disposition: d})
		}
	}
	add(Leader, Complete, 4)
	add(OtherMember, Complete, 8)
	add(OtherMember, Partial, 3)
	add(OtherMember, BreakOff, 1)
	tab := ResponseRates(pts, cts, rs)
	tests := []struct {
		name           string
		got            Rate
		invited, compl int
		rr1, rr2       float64
	}{
		{"overall", tab.Overall, 35, 12, 12.0 / 35, 15.0 / 35},
		{"practice A1", tab.ByPractice[0], 20, 10, 0.5, 0.6},
		{"practice B2: partial and break-off in denominator only", tab.ByPractice[1], 10, 2, 0.2, 0.3},
		{"practice C3: nobody", tab.ByPractice[2], 5, 0, 0, 0},
		{"locality North", tab.ByLocality[0], 25, 10, 0.4, 0.48},
		{"locality South", tab.ByLocality[1], 10, 2, 0.2, 0.3},
		{"leaders", tab.ByLeadership[0], 5, 4, 0.8, 0.8},
		{"members", tab.ByLeadership[1], 30, 8, 8.0 / 30, 11.0 / 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got.Invited != tt.invited || tt.got.Complete != tt.compl || !near(tt.got.RR1, tt.rr1) || !near(tt.got.RR2, tt.rr2) {
				t.Fatalf("rate %+v, want invited %d complete %d RR1 %v RR2 %v", tt.got, tt.invited, tt.compl, tt.rr1, tt.rr2)
			}
		})
	}
}

func TestConsultationRules(t *testing.T) {
	c := Consultation{ID: 1, Decision: 9, Question: "Should we?", Proposal: "We propose.", OpenedBy: 1,
		Opens: day("2024-01-01"), Closes: day("2024-02-01"), Options: []Option{{"a", "A"}, {"b", "B"}}}
	t.Run("validate", func(t *testing.T) {
		mod := func(f func(*Consultation)) Consultation { x := c; f(&x); return x }
		tests := []struct {
			name string
			c    Consultation
			ok   bool
		}{
			{"valid", c, true},
			{"no decision", mod(func(x *Consultation) { x.Decision = 0 }), false},
			{"no question", mod(func(x *Consultation) { x.Question = "" }), false},
			{"options only", mod(func(x *Consultation) { x.Proposal = "" }), true},
			{"neither proposal nor options", mod(func(x *Consultation) { x.Proposal, x.Options = "", nil }), false},
			{"one option", mod(func(x *Consultation) { x.Options = x.Options[:1] }), false},
			{"closes before opens", mod(func(x *Consultation) { x.Closes = day("2023-12-31") }), false},
			{"same day", mod(func(x *Consultation) { x.Closes = x.Opens }), false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := tt.c.Validate()
				if (err == nil) != tt.ok || (err != nil && !errors.Is(err, errs.ErrInvalid)) {
					t.Fatalf("Validate = %v, want ok=%v", err, tt.ok)
				}
			})
		}
	})
	t.Run("respond", func(t *testing.T) {
		r := ConsultationResponse{Consultation: 1, Person: 5, Position: Support}
		mod := func(f func(*ConsultationResponse)) ConsultationResponse { x := r; f(&x); return x }
		tests := []struct {
			name string
			r    ConsultationResponse
			on   string
			want error
		}{
			{"first day", r, "2024-01-01", nil},
			{"last day (closes − 1)", r, "2024-01-31", nil},
			{"closing day is closed", r, "2024-02-01", errs.ErrConflict},
			{"before opening", r, "2023-12-31", errs.ErrConflict},
			{"bad position", mod(func(x *ConsultationResponse) { x.Position = "maybe" }), "2024-01-10", errs.ErrInvalid},
			{"option", mod(func(x *ConsultationResponse) { x.Option = "b" }), "2024-01-10", nil},
			{"unknown option", mod(func(x *ConsultationResponse) { x.Option = "z" }), "2024-01-10", errs.ErrInvalid},
			{"anonymous", mod(func(x *ConsultationResponse) { x.Person = 0 }), "2024-01-10", errs.ErrUnauthenticated},
			{"long comment", mod(func(x *ConsultationResponse) { x.Comment = strings.Repeat("x", MaxTextLen+1) }), "2024-01-10", errs.ErrInvalid},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := c.CheckResponse(tt.r, day(tt.on))
				if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
					t.Fatalf("CheckResponse = %v, want %v", err, tt.want)
				}
			})
		}
	})
	t.Run("summary", func(t *testing.T) {
		rs := []ConsultationResponse{
			{Position: Support, Option: "a", Comment: "yes"}, {Position: Support, Option: "a"},
			{Position: Oppose, Option: "b", Comment: " no "}, {Position: Neutral},
		}
		s := Summarise(c, rs)
		want := []Count{{"support", "Support", 2, 50}, {"oppose", "Oppose", 1, 25}, {"neutral", "Neither support nor oppose", 1, 25}}
		if s.Responses != 4 || !reflect.DeepEqual(s.Positions, want) || s.Comments != 2 || s.NoOption != 1 ||
			s.Options[0].Count != 2 || s.Options[1].Count != 1 {
			t.Fatalf("summary %+v", s)
		}
		if e := Summarise(c, nil); e.Responses != 0 || e.Positions[0].Percent != 0 {
			t.Fatalf("empty summary %+v", e)
		}
	})
	t.Run("you said, we did gate", func(t *testing.T) {
		done := c
		done.YouSaidWeDid = "You said it was too fast; we phased it over two years."
		other := c
		other.Decision = 8
		tests := []struct {
			name string
			cs   []Consultation
			on   string
			ok   bool
			msg  string
		}{
			{"no consultation", nil, "2024-03-01", true, ""},
			{"another decision's", []Consultation{other}, "2024-03-01", true, ""},
			{"closed without statement", []Consultation{c}, "2024-03-01", false, "you said, we did"},
			{"closed with statement", []Consultation{done}, "2024-03-01", true, ""},
			{"still open", []Consultation{done}, "2024-01-31", false, "cannot be published before the consultation closes"},
			{"one of two lacks it", []Consultation{done, c}, "2024-03-01", false, "you said, we did"},
			{"whitespace statement", []Consultation{func() Consultation { x := c; x.YouSaidWeDid = "  "; return x }()}, "2024-03-01", false, "you said"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := CheckPublish(9, tt.cs, day(tt.on))
				if (err == nil) != tt.ok || (err != nil && (!errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), tt.msg))) {
					t.Fatalf("CheckPublish = %v, want ok=%v (%q)", err, tt.ok, tt.msg)
				}
			})
		}
	})
}

func TestQuestionLifecycle(t *testing.T) {
	all := []QuestionStatus{QSubmitted, QAcknowledged, QAssigned, QAnswered, QPublished}
	legal := map[[2]QuestionStatus]bool{
		{QSubmitted, QAcknowledged}: true, {QAcknowledged, QAssigned}: true, {QAssigned, QAssigned}: true,
		{QAssigned, QAnswered}: true, {QAnswered, QPublished}: true,
	}
	for _, from := range all {
		for _, to := range all {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				q := Question{ID: 1, Status: from, AssignedTo: 3, Answer: "A", AnsweredBy: 3}
				err := q.CheckMove(to)
				if (err == nil) != legal[[2]QuestionStatus{from, to}] {
					t.Fatalf("CheckMove = %v, legal = %v", err, legal[[2]QuestionStatus{from, to}])
				}
			})
		}
	}
	conds := []struct {
		name string
		q    Question
		to   QuestionStatus
		msg  string
	}{
		{"assign needs someone", Question{Status: QAcknowledged}, QAssigned, "who is to answer"},
		{"answer needs text", Question{Status: QAssigned, AnsweredBy: 2, Answer: " "}, QAnswered, "an answer"},
		{"answer needs who", Question{Status: QAssigned, Answer: "x"}, QAnswered, "an answer"},
		{"private not published", Question{Status: QAnswered, Private: true}, QPublished, "private"},
	}
	for _, c := range conds {
		t.Run(c.name, func(t *testing.T) {
			if err := c.q.CheckMove(c.to); !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("CheckMove = %v, want %q", err, c.msg)
			}
		})
	}
	valid := []struct {
		name string
		q    Question
		ok   bool
	}{
		{"complete", Question{Kind: KindConcern, Asker: 1, To: "governing-body", Subject: "S", Text: "T"}, true},
		{"no kind", Question{Asker: 1, To: "g", Subject: "S", Text: "T"}, false},
		{"no asker", Question{Kind: KindQuestion, To: "g", Subject: "S", Text: "T"}, false},
		{"no body", Question{Kind: KindQuestion, Asker: 1, Subject: "S", Text: "T"}, false},
		{"no text", Question{Kind: KindQuestion, Asker: 1, To: "g", Subject: "S"}, false},
	}
	for _, v := range valid {
		t.Run("validate "+v.name, func(t *testing.T) {
			if err := v.q.Validate(); (err == nil) != v.ok {
				t.Fatalf("Validate = %v", err)
			}
		})
	}
}

func TestDashboard(t *testing.T) {
	t0 := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	qs := []Question{
		{To: "gb", Status: QPublished, Submitted: h(0), Acknowledged: h(2), Answered: h(10)},
		{To: "gb", Status: QAnswered, Submitted: h(0), Acknowledged: h(4), Answered: h(30), Private: true},
		{To: "gb", Status: QAssigned, Submitted: h(0), Acknowledged: h(6)},
		{To: "north", Status: QSubmitted, Submitted: h(20)},
	}
	d := BuildDashboard(qs, h(50))
	tests := []struct {
		name                string
		got                 AnswerTimes
		asked, open         int
		ack, ans, oldest    float64
		hasAck, hasAnswered bool
	}{
		{"overall", d.Overall, 4, 2, 4, 20, 50, true, true},
		{"gb", d.Bodies[0], 3, 1, 4, 20, 50, true, true},
		{"north", d.Bodies[1], 1, 1, 0, 0, 30, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := tt.got
			if g.Asked != tt.asked || g.Open != tt.open || !near(g.MedianAcknowledgeHrs, tt.ack) || !near(g.MedianAnswerHrs, tt.ans) ||
				!near(g.OldestOpenHrs, tt.oldest) || g.HasMedianAcknowledge != tt.hasAck || g.HasMedianAnswer != tt.hasAnswered {
				t.Fatalf("times %+v", g)
			}
		})
	}
	if d.ByStatus[QPublished] != 1 || d.ByStatus[QSubmitted] != 1 {
		t.Fatalf("by status %v", d.ByStatus)
	}
}
