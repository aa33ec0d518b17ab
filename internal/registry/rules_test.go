package registry

import (
	"testing"

	"ccg/internal/calendar"
)

func rel(parent, from, to string) Relationship {
	return Relationship{Child: "P1", Parent: parent, Kind: RelMemberOf,
		From: calendar.MustDate(from), To: mustOptDate(to)}
}

func mustOptDate(s string) calendar.Date {
	if s == "" {
		return calendar.Date{}
	}
	return calendar.MustDate(s)
}

func TestCloseOverlaps(t *testing.T) {
	tests := []struct {
		name string
		in   []Relationship
		want map[string]string // parent -> expected To after fixes (only for fixed ones)
	}{
		{"open then newer parent closes the old one",
			[]Relationship{rel("PCT", "2002-04-01", ""), rel("CCG", "2013-04-01", "")},
			map[string]string{"PCT": "2013-04-01"}},
		{"order of input does not matter",
			[]Relationship{rel("CCG", "2013-04-01", ""), rel("PCT", "2002-04-01", "")},
			map[string]string{"PCT": "2013-04-01"}},
		{"already closed before the next starts is left alone",
			[]Relationship{rel("PCT", "2002-04-01", "2013-03-01"), rel("CCG", "2013-04-01", "")},
			map[string]string{}},
		{"ends after the next starts is pulled back",
			[]Relationship{rel("A", "2013-04-01", "2021-01-01"), rel("B", "2020-04-01", "")},
			map[string]string{"A": "2020-04-01"}},
		{"same parent twice is not an overlap",
			[]Relationship{rel("A", "2013-04-01", ""), rel("A", "2015-04-01", "")},
			map[string]string{}},
		{"three in a chain",
			[]Relationship{rel("C", "2020-04-01", ""), rel("A", "2002-04-01", ""), rel("B", "2013-04-01", "")},
			map[string]string{"A": "2013-04-01", "B": "2020-04-01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fixes := closeOverlaps(tt.in)
			if len(fixes) != len(tt.want) {
				t.Fatalf("got %d fixes %v, want %d", len(fixes), fixes, len(tt.want))
			}
			for _, f := range fixes {
				if want, ok := tt.want[f.Parent]; !ok || f.To.String() != want {
					t.Errorf("fix for %s ends %s, want %q", f.Parent, f.To, want)
				}
			}
		})
	}
}

func TestKindValidAndLabel(t *testing.T) {
	for _, k := range Kinds {
		if !k.Valid() || k.Label() == string(k) {
			t.Errorf("kind %q: valid=%v label=%q", k, k.Valid(), k.Label())
		}
	}
	if Kind("hospital").Valid() {
		t.Error("unknown kind reported valid")
	}
}
