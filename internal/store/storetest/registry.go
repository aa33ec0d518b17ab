package storetest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/registry"
)

func init() { Register(Suite{Name: "foundation/registry", Run: registrySuite}) }

var d = calendar.MustDate

func org(code, name string, k registry.Kind) registry.Organisation {
	return registry.Organisation{Code: code, Name: name, Kind: k, Status: registry.StatusActive, Source: "test"}
}

func rel(child, parent string, k registry.RelationKind, from, to string) registry.Relationship {
	r := registry.Relationship{Child: child, Parent: parent, Kind: k, Source: "test"}
	if from != "" {
		r.From = d(from)
	}
	if to != "" {
		r.To = d(to)
	}
	return r
}

// relString renders relationships compactly for comparison.
func relString(rels []registry.Relationship) string {
	s := ""
	for _, r := range rels {
		s += fmt.Sprintf("[%s %s %s %s..%s] ", r.Child, r.Kind, r.Parent, r.From, r.To)
	}
	return s
}

func codes(orgs []registry.Organisation) []string {
	out := []string{}
	for _, o := range orgs {
		out = append(out, o.Code)
	}
	return out
}

func registrySuite(t *testing.T, open Opener) {
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(t *testing.T, s registry.Store)
	}{
		{"organisation round trip", func(t *testing.T, s registry.Store) {
			o := registry.Organisation{
				Code: "A81001", Name: "THE DENSHAM SURGERY", Kind: registry.KindPractice,
				Address:  []string{"THE HEALTH CENTRE", "LAWSON STREET", "STOCKTON-ON-TEES"},
				Postcode: "TS18 1HU", Phone: "01642 672351",
				Opened: d("1974-04-01"), Closed: d("2020-03-31"), Status: registry.StatusClosed,
				Setting: "4", Source: "ods-practices epraccur_20180831.csv",
			}
			c, err := s.UpsertOrganisation(ctx, o)
			wantChanged(t, "insert", c, err, true)
			got, err := s.Organisation(ctx, o.Code)
			must(t, "organisation", err)
			if !reflect.DeepEqual(got, o) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, o)
			}
			// zero dates and empty lists come back zero
			bare := registry.Organisation{Code: "X1", Name: "Bare", Kind: registry.KindCCG}
			_, err = s.UpsertOrganisation(ctx, bare)
			must(t, "insert bare", err)
			got, err = s.Organisation(ctx, "X1")
			must(t, "bare", err)
			if !reflect.DeepEqual(got, bare) || !got.Opened.IsZero() || !got.Closed.IsZero() || got.Address != nil {
				t.Errorf("bare round trip: got %+v want %+v", got, bare)
			}
		}},
		{"upsert reports only real changes", func(t *testing.T, s registry.Store) {
			o := org("B1", "Old name", registry.KindPractice)
			o.Opened = d("2013-04-01")
			o.Address = []string{"1 High St"}
			steps := []struct {
				what   string
				change func(o *registry.Organisation)
				want   bool
			}{
				{"insert", func(*registry.Organisation) {}, true},
				{"same again", func(*registry.Organisation) {}, false},
				{"new name", func(o *registry.Organisation) { o.Name = "New name" }, true},
				{"new name again", func(*registry.Organisation) {}, false},
				{"only the source differs", func(o *registry.Organisation) { o.Source = "other file" }, false},
				{"closed", func(o *registry.Organisation) { o.Closed = d("2019-03-31") }, true},
				{"address line added", func(o *registry.Organisation) { o.Address = append(o.Address, "Leeds") }, true},
				{"status", func(o *registry.Organisation) { o.Status = registry.StatusClosed }, true},
				{"kind", func(o *registry.Organisation) { o.Kind = registry.KindPrescriber }, true},
				{"setting", func(o *registry.Organisation) { o.Setting = "1" }, true},
				{"phone", func(o *registry.Organisation) { o.Phone = "0113" }, true},
				{"postcode", func(o *registry.Organisation) { o.Postcode = "LS1 1AA" }, true},
				{"opened cleared", func(o *registry.Organisation) { o.Opened = calendar.Date{} }, true},
				{"all the same", func(*registry.Organisation) {}, false},
			}
			for _, st := range steps {
				st.change(&o)
				c, err := s.UpsertOrganisation(ctx, o)
				wantChanged(t, st.what, c, err, st.want)
			}
			got, err := s.Organisation(ctx, "B1")
			must(t, "organisation", err)
			if got.Source != "other file" || got.Name != "New name" || len(got.Address) != 2 {
				t.Errorf("after upserts got %+v", got)
			}
		}},
		{"missing organisation is not found; empty code is invalid", func(t *testing.T, s registry.Store) {
			_, err := s.Organisation(ctx, "NOPE")
			wantErr(t, "organisation", err, errs.ErrNotFound)
			_, err = s.UpsertOrganisation(ctx, registry.Organisation{Name: "no code"})
			wantErr(t, "upsert", err, errs.ErrInvalid)
		}},
		{"search and count", func(t *testing.T, s registry.Store) {
			for _, o := range []registry.Organisation{
				{Code: "P2", Name: "Beech Surgery", Kind: registry.KindPractice, Postcode: "LS1 4HY"},
				{Code: "P1", Name: "Ash Surgery", Kind: registry.KindPractice, Postcode: "LS2 9JT"},
				{Code: "P3", Name: "Ash Surgery", Kind: registry.KindPractice, Postcode: "BD1 1AA"},
				{Code: "P4", Name: "100% Health_Centre", Kind: registry.KindPrescriber, Postcode: "LS6 1AA"},
				{Code: "02V", Name: "NHS Leeds North CCG", Kind: registry.KindCCG},
				{Code: "03C", Name: "NHS LEEDS WEST CCG", Kind: registry.KindCCG},
			} {
				_, err := s.UpsertOrganisation(ctx, o)
				must(t, "upsert", err)
			}
			cases := []struct {
				name  string
				f     registry.Filter
				want  []string
				total int
			}{
				// names sort by bytes on both engines: "NHS LEEDS" before "NHS Leeds"
				{"everything by name then code", registry.Filter{}, []string{"P4", "P1", "P3", "P2", "03C", "02V"}, 6},
				{"kind", registry.Filter{Kind: registry.KindCCG}, []string{"03C", "02V"}, 2},
				{"name, any case", registry.Filter{Query: "leeds"}, []string{"03C", "02V"}, 2},
				{"code, any case", registry.Filter{Query: "p1"}, []string{"P1"}, 1},
				{"postcode with space", registry.Filter{Query: "ls1 4hy"}, []string{"P2"}, 1},
				{"postcode without space", registry.Filter{Query: "LS14HY"}, []string{"P2"}, 1},
				{"postcode district", registry.Filter{Query: "LS"}, []string{"P4", "P1", "P2"}, 3},
				{"kind and query", registry.Filter{Kind: registry.KindPractice, Query: "surgery"}, []string{"P1", "P3", "P2"}, 3},
				{"percent is literal", registry.Filter{Query: "%"}, []string{"P4"}, 1},
				{"underscore is literal", registry.Filter{Query: "h_c"}, []string{"P4"}, 1},
				{"paging", registry.Filter{Limit: 2, Offset: 1}, []string{"P1", "P3"}, 6},
				{"past the end", registry.Filter{Offset: 10}, []string{}, 6},
				{"no match", registry.Filter{Query: "zzz"}, []string{}, 0},
			}
			for _, tc := range cases {
				got, total, err := s.SearchOrganisations(ctx, tc.f)
				must(t, tc.name, err)
				if !reflect.DeepEqual(codes(got), tc.want) || total != tc.total {
					t.Errorf("%s: got %v total %d, want %v total %d", tc.name, codes(got), total, tc.want, tc.total)
				}
			}
			counts, err := s.CountOrganisations(ctx)
			must(t, "count", err)
			want := map[registry.Kind]int{registry.KindPractice: 3, registry.KindPrescriber: 1, registry.KindCCG: 2}
			if !reflect.DeepEqual(counts, want) {
				t.Errorf("count = %v, want %v", counts, want)
			}
		}},
		{"search limit defaults to 50", func(t *testing.T, s registry.Store) {
			for i := range 60 {
				_, err := s.UpsertOrganisation(ctx, org(fmt.Sprintf("Q%02d", i), fmt.Sprintf("Practice %02d", i), registry.KindPractice))
				must(t, "upsert", err)
			}
			got, total, err := s.SearchOrganisations(ctx, registry.Filter{})
			must(t, "search", err)
			if len(got) != 50 || total != 60 || got[0].Code != "Q00" {
				t.Errorf("got %d (first %v) total %d, want 50 of 60", len(got), codes(got[:1]), total)
			}
		}},
		{"relationships: put, changes and queries", func(t *testing.T, s registry.Store) {
			steps := []struct {
				what string
				r    registry.Relationship
				want bool
			}{
				{"insert", rel("P1", "A", registry.RelMemberOf, "2013-04-01", ""), true},
				{"same", rel("P1", "A", registry.RelMemberOf, "2013-04-01", ""), false},
				{"closed", rel("P1", "A", registry.RelMemberOf, "2013-04-01", "2018-04-01"), true},
				{"closed again", rel("P1", "A", registry.RelMemberOf, "2013-04-01", "2018-04-01"), false},
				{"another parent", rel("P1", "B", registry.RelMemberOf, "2018-04-01", ""), true},
				{"another kind", rel("P1", "L1", registry.RelInLocality, "", ""), true},
				{"another child", rel("P2", "A", registry.RelMemberOf, "2010-01-01", ""), true},
				{"locality of A", rel("L1", "A", registry.RelLocalityOf, "2013-04-01", ""), true},
			}
			for _, st := range steps {
				c, err := s.PutRelationship(ctx, st.r)
				wantChanged(t, st.what, c, err, st.want)
			}
			src := rel("P1", "B", registry.RelMemberOf, "2018-04-01", "")
			src.Source = "other file"
			c, err := s.PutRelationship(ctx, src)
			wantChanged(t, "only the source differs", c, err, false)
			_, err = s.PutRelationship(ctx, registry.Relationship{Child: "P1", Kind: registry.RelMemberOf})
			wantErr(t, "no parent", err, errs.ErrInvalid)

			got, err := s.ParentsOf(ctx, "P1", registry.RelMemberOf)
			must(t, "parents", err)
			if want := "[P1 member-of A 2013-04-01..2018-04-01] [P1 member-of B 2018-04-01..] "; relString(got) != want {
				t.Errorf("parents of P1 = %s, want %s", relString(got), want)
			}
			got, err = s.RelationshipsOf(ctx, "P1")
			must(t, "relationships of P1", err)
			if want := "[P1 in-locality L1 ..] [P1 member-of A 2013-04-01..2018-04-01] [P1 member-of B 2018-04-01..] "; relString(got) != want {
				t.Errorf("relationships of P1 = %s, want %s", relString(got), want)
			}
			got, err = s.RelationshipsOf(ctx, "A")
			must(t, "relationships of A", err)
			if want := "[P2 member-of A 2010-01-01..] [L1 locality-of A 2013-04-01..] [P1 member-of A 2013-04-01..2018-04-01] "; relString(got) != want {
				t.Errorf("relationships of A = %s, want %s", relString(got), want)
			}
			if got[0].Source != "test" {
				t.Errorf("source = %q", got[0].Source)
			}
			got, err = s.ParentsOf(ctx, "nobody", registry.RelMemberOf)
			must(t, "parents of nobody", err)
			if len(got) != 0 {
				t.Errorf("parents of nobody = %s", relString(got))
			}

			at := []struct {
				at   string
				want string
			}{
				{"", "[P1 member-of A 2013-04-01..2018-04-01] [P2 member-of A 2010-01-01..] "},
				{"2009-12-31", ""},
				{"2010-01-01", "[P2 member-of A 2010-01-01..] "},
				{"2013-04-01", "[P1 member-of A 2013-04-01..2018-04-01] [P2 member-of A 2010-01-01..] "},
				{"2018-03-31", "[P1 member-of A 2013-04-01..2018-04-01] [P2 member-of A 2010-01-01..] "},
				{"2018-04-01", "[P2 member-of A 2010-01-01..] "},
			}
			for _, tc := range at {
				var day calendar.Date
				if tc.at != "" {
					day = d(tc.at)
				}
				got, err := s.ChildrenOf(ctx, "A", registry.RelMemberOf, day)
				must(t, "children", err)
				if relString(got) != tc.want {
					t.Errorf("members of A at %q = %s, want %s", tc.at, relString(got), tc.want)
				}
			}
			got, err = s.ChildrenOf(ctx, "L1", registry.RelInLocality, d("1990-01-01"))
			must(t, "children of L1", err)
			if relString(got) != "[P1 in-locality L1 ..] " {
				t.Errorf("open-ended relationship on any date: %s", relString(got))
			}

			// The whole membership on a date, in one query: kinds of both
			// sides ("" when not held), the locality then, ordered by
			// parent name then child name.
			for _, o := range []registry.Organisation{org("A", "Zed CCG", registry.KindCCG), org("B", "Alpha CCG", registry.KindCCG), org("P1", "Practice One", registry.KindPractice)} {
				_, err := s.UpsertOrganisation(ctx, o)
				must(t, "organisation", err)
			}
			_, err = s.PutRelationship(ctx, rel("P2", "L2", registry.RelInLocality, "2019-01-01", ""))
			must(t, "locality of P2", err)
			mships := func(at string) string {
				t.Helper()
				ms, err := s.MembershipsOn(ctx, d(at))
				must(t, "memberships on "+at, err)
				var b strings.Builder
				for _, m := range ms {
					fmt.Fprintf(&b, "[%s(%s) in %s(%s) loc %q] ", m.Child, m.ChildKind, m.Parent, m.ParentKind, m.Locality)
				}
				return b.String()
			}
			for _, tc := range []struct{ at, want string }{
				{"2009-12-31", ""},
				{"2013-04-01", `[P2() in A(ccg) loc ""] [P1(practice) in A(ccg) loc "L1"] `},
				{"2019-06-01", `[P1(practice) in B(ccg) loc "L1"] [P2() in A(ccg) loc "L2"] `},
			} {
				if got := mships(tc.at); got != tc.want {
					t.Errorf("memberships on %s = %s, want %s", tc.at, got, tc.want)
				}
			}
			_, err = s.MembershipsOn(ctx, calendar.Date{})
			wantErr(t, "memberships with no date", err, errs.ErrInvalid)
		}},
		{"successions", func(t *testing.T, s registry.Store) {
			a := registry.Succession{Predecessor: "02V", Successor: "15F", Reason: "Merger", Effective: d("2018-04-01"), Source: "succ"}
			c, err := s.PutSuccession(ctx, a)
			wantChanged(t, "insert", c, err, true)
			c, err = s.PutSuccession(ctx, a)
			wantChanged(t, "same", c, err, false)
			a.Source = "other"
			c, err = s.PutSuccession(ctx, a)
			wantChanged(t, "only source", c, err, false)
			a.Indicator = "S"
			c, err = s.PutSuccession(ctx, a)
			wantChanged(t, "indicator", c, err, true)
			b := registry.Succession{Predecessor: "15F", Successor: "X99", Reason: "Merger", Effective: d("2020-04-01")}
			c, err = s.PutSuccession(ctx, b)
			wantChanged(t, "second", c, err, true)
			e := registry.Succession{Predecessor: "03C", Successor: "15F", Reason: "Merger", Effective: d("2018-04-01")}
			c, err = s.PutSuccession(ctx, e)
			wantChanged(t, "third", c, err, true)
			_, err = s.PutSuccession(ctx, registry.Succession{Predecessor: "A"})
			wantErr(t, "no successor", err, errs.ErrInvalid)

			got, err := s.SuccessionsOf(ctx, "15F")
			must(t, "successions of 15F", err)
			var keys []string
			for _, sc := range got {
				keys = append(keys, sc.Predecessor+">"+sc.Successor+"@"+sc.Effective.String())
			}
			if want := []string{"02V>15F@2018-04-01", "03C>15F@2018-04-01", "15F>X99@2020-04-01"}; !reflect.DeepEqual(keys, want) {
				t.Errorf("successions of 15F = %v, want %v", keys, want)
			}
			if got[0].Reason != "Merger" || got[0].Indicator != "S" || got[0].Source != "other" {
				t.Errorf("succession fields: %+v", got[0])
			}
			got, err = s.SuccessionsOf(ctx, "none")
			must(t, "successions of none", err)
			if len(got) != 0 {
				t.Errorf("successions of none = %v", got)
			}
		}},
		{"list sizes", func(t *testing.T, s registry.Store) {
			sep, oct, nov := calendar.MustMonth("2017-09"), calendar.MustMonth("2017-10"), calendar.MustMonth("2017-11")
			bands := []string{registry.AgeAll, "0-4", "5-9", "10-14", "95+"}
			var rows []registry.ListSize
			for _, m := range []calendar.Month{oct, sep} {
				for _, p := range []string{"P2", "P1"} {
					for _, sex := range []registry.Sex{registry.SexMale, registry.SexAll, registry.SexFemale} {
						for i := len(bands) - 1; i >= 0; i-- {
							rows = append(rows, registry.ListSize{Practice: p, Month: m, Sex: sex, AgeBand: bands[i], Patients: 100*m.Since(sep) + i})
						}
					}
				}
			}
			n, err := s.PutListSizes(ctx, rows)
			must(t, "put", err)
			if n != len(rows) {
				t.Errorf("first put changed %d, want %d", n, len(rows))
			}
			n, err = s.PutListSizes(ctx, rows)
			must(t, "put again", err)
			if n != 0 {
				t.Errorf("same rows again changed %d, want 0", n)
			}
			// one changed count, one new row, a repeated key (last wins)
			more := []registry.ListSize{
				{Practice: "P1", Month: sep, Sex: registry.SexAll, AgeBand: registry.AgeAll, Patients: 5000},
				{Practice: "P1", Month: sep, Sex: registry.SexMale, AgeBand: "0-4", Patients: 1},
				{Practice: "P1", Month: nov, Sex: registry.SexAll, AgeBand: registry.AgeAll, Patients: 1},
				{Practice: "P1", Month: nov, Sex: registry.SexAll, AgeBand: registry.AgeAll, Patients: 7},
			}
			n, err = s.PutListSizes(ctx, more)
			must(t, "put more", err)
			if n != 3 {
				t.Errorf("put more changed %d, want 3 (one update, one unchanged, one insert written twice)", n)
			}
			n, err = s.PutListSizes(ctx, nil)
			must(t, "put none", err)
			if n != 0 {
				t.Errorf("put none changed %d", n)
			}
			_, err = s.PutListSizes(ctx, []registry.ListSize{{Practice: "P1", Sex: registry.SexAll, AgeBand: "all"}})
			wantErr(t, "no month", err, errs.ErrInvalid)

			got, err := s.ListSizes(ctx, "P1", calendar.Month{}, calendar.Month{})
			must(t, "list sizes", err)
			if len(got) != 2*15+1 {
				t.Fatalf("P1 has %d rows, want 31", len(got))
			}
			var order []string
			for _, l := range got[:6] {
				order = append(order, fmt.Sprintf("%s/%s/%s=%d", l.Month, l.Sex, l.AgeBand, l.Patients))
			}
			if want := []string{"2017-09/all/all=5000", "2017-09/all/0-4=1", "2017-09/all/5-9=2", "2017-09/all/10-14=3", "2017-09/all/95+=4", "2017-09/female/all=0"}; !reflect.DeepEqual(order, want) {
				t.Errorf("order = %v, want %v", order, want)
			}
			if last := got[len(got)-1]; last.Month != nov || last.Patients != 7 || last.Practice != "P1" {
				t.Errorf("last = %+v, want November's 7 (the repeated key's last value)", last)
			}
			got, err = s.ListSizes(ctx, "P1", oct, oct)
			must(t, "october", err)
			if len(got) != 15 || got[0].Month != oct || got[14].Month != oct {
				t.Errorf("P1 in October: %d rows", len(got))
			}
			got, err = s.ListSizes(ctx, "P1", oct, calendar.Month{})
			must(t, "from october", err)
			if len(got) != 16 {
				t.Errorf("P1 from October: %d rows, want 16", len(got))
			}
			got, err = s.ListSizes(ctx, "P1", calendar.Month{}, sep)
			must(t, "to september", err)
			if len(got) != 15 {
				t.Errorf("P1 to September: %d rows, want 15", len(got))
			}
			got, err = s.ListSizesForMonth(ctx, oct)
			must(t, "for month", err)
			if len(got) != 30 || got[0].Practice != "P1" || got[29].Practice != "P2" {
				t.Errorf("October: %d rows", len(got))
			}
			got, err = s.ListSizesForMonth(ctx, calendar.MustMonth("2001-01"))
			must(t, "empty month", err)
			if len(got) != 0 {
				t.Errorf("empty month: %d rows", len(got))
			}
			months, err := s.ListSizeMonths(ctx)
			must(t, "months", err)
			if !reflect.DeepEqual(months, []calendar.Month{sep, oct, nov}) {
				t.Errorf("months = %v", months)
			}
		}},
		{"list sizes: no months when empty; large batches", func(t *testing.T, s registry.Store) {
			months, err := s.ListSizeMonths(ctx)
			must(t, "months", err)
			if len(months) != 0 {
				t.Errorf("months of an empty store = %v", months)
			}
			m := calendar.MustMonth("2020-01")
			var rows []registry.ListSize
			for p := range 150 {
				for _, sex := range []registry.Sex{registry.SexMale, registry.SexFemale} {
					for b := range 5 {
						rows = append(rows, registry.ListSize{Practice: fmt.Sprintf("P%03d", p), Month: m, Sex: sex, AgeBand: fmt.Sprintf("%d-%d", 5*b, 5*b+4), Patients: p + b})
					}
				}
			}
			n, err := s.PutListSizes(ctx, rows)
			must(t, "put", err)
			if n != 1500 {
				t.Errorf("changed %d, want 1500", n)
			}
			for i := range rows {
				if i%7 == 0 {
					rows[i].Patients++
				}
			}
			n, err = s.PutListSizes(ctx, rows)
			must(t, "put changed", err)
			if want := (len(rows) + 6) / 7; n != want {
				t.Errorf("changed %d, want %d", n, want)
			}
			got, err := s.ListSizesForMonth(ctx, m)
			must(t, "for month", err)
			if len(got) != 1500 {
				t.Errorf("%d rows, want 1500", len(got))
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, Migrated(t, open)) })
	}
	t.Run("service", func(t *testing.T) { registryServiceSuite(t, open) })
}
