package integration

import (
	"context"
	"testing"

	"ccg/internal/calendar"
	"ccg/internal/formats/internal/formatstest"
	"ccg/internal/registry"
)

// date reads "YYYY-MM-DD", or "" for no date.
func date(s string) calendar.Date {
	if s == "" {
		return calendar.Date{}
	}
	return calendar.MustDate(s)
}

// The handlers rely on the registry service's rule for a relationship stated
// twice: whatever order the statements arrive in, the stored end is the same
// (a known end beats none, and the earlier of two ends wins), and when
// nothing but the source would change the stored source is kept.
func TestRecordRelationshipEndIsOrderIndependent(t *testing.T) {
	tests := []struct {
		name       string
		first, sec string // the To of each statement
		want       string
		source     string
	}{
		{"open then closed", "", "2017-10-31", "2017-10-31", "two"},
		{"closed then open", "2017-10-31", "", "2017-10-31", "one"},
		{"later then earlier", "2018-03-31", "2017-10-31", "2017-10-31", "two"},
		{"earlier then later", "2017-10-31", "2018-03-31", "2017-10-31", "one"},
		{"both open", "", "", "", "one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			w := formatstest.New(t)
			for i, to := range []string{tt.first, tt.sec} {
				r := registry.Relationship{Child: "B99001", Parent: "01X", Kind: registry.RelMemberOf,
					From: date("2013-04-01"), To: date(to), Source: []string{"one", "two"}[i]}
				if _, err := w.Registry.RecordRelationship(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			rs, err := w.Store.ParentsOf(ctx, "B99001", registry.RelMemberOf)
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 1 || rs[0].To.String() != tt.want || rs[0].Source != tt.source {
				t.Errorf("got %+v, want one relationship ending %q from %q", rs, tt.want, tt.source)
			}
		})
	}
}

// An organisation whose stored record already says the same thing is not
// written again, so its Source keeps naming the import that last changed it.
func TestRecordOrganisationKeepsSourceOfSameFacts(t *testing.T) {
	ctx := context.Background()
	w := formatstest.New(t)
	o := registry.Organisation{Code: "B99001", Name: "CANAL SIDE SURGERY", Kind: registry.KindPractice,
		Address: []string{"1 LOCK LANE"}, Opened: date("1974-04-01"), Status: registry.StatusActive, Source: "ods-practices a.csv"}
	steps := []struct {
		name    string
		change  func(*registry.Organisation)
		changed bool
		source  string
	}{
		{"new", func(*registry.Organisation) {}, true, "ods-practices a.csv"},
		{"same facts, other file", func(o *registry.Organisation) { o.Source = "ods-practices b.csv" }, false, "ods-practices a.csv"},
		{"closed", func(o *registry.Organisation) {
			o.Closed, o.Status, o.Source = date("2018-03-31"), registry.StatusClosed, "ods-practices c.csv"
		}, true, "ods-practices c.csv"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.change(&o)
			changed, err := w.Registry.RecordOrganisation(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			got := w.Organisation(t, o.Code)
			if changed != s.changed || got.Source != s.source {
				t.Errorf("changed %v, source %q; want %v, %q", changed, got.Source, s.changed, s.source)
			}
		})
	}
}
