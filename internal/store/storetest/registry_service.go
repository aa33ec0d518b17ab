package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/registry"
)

// registryServiceSuite checks the registry's as-at rules on a real store.
func registryServiceSuite(t *testing.T, open Opener) {
	ctx := context.Background()
	members := func(t *testing.T, svc *registry.Service, ccg, at string, preds bool) string {
		t.Helper()
		got, err := svc.MembersAt(ctx, ccg, d(at), preds)
		must(t, "members at", err)
		s := ""
		for _, m := range got {
			s += fmt.Sprintf("%s(%s via %s since %s in %q) ", m.Code, m.Name, m.Via, m.Since, m.Locality)
		}
		return s
	}
	chain := func(sc []registry.Succession) []string {
		out := []string{}
		for _, c := range sc {
			out = append(out, c.Predecessor+">"+c.Successor)
		}
		return out
	}

	tests := []struct {
		name string
		run  func(t *testing.T, svc *registry.Service, s registry.Store)
	}{
		{"members across a merger, with and without predecessors", func(t *testing.T, svc *registry.Service, s registry.Store) {
			for _, o := range []registry.Organisation{
				org("A", "NHS A CCG", registry.KindCCG), org("B", "NHS B CCG", registry.KindCCG),
				org("C", "NHS C CCG", registry.KindCCG), org("L1", "North", registry.KindLocality),
				org("P1", "Alpha", registry.KindPractice), org("P2", "Bravo", registry.KindPractice),
				org("P3", "Charlie", registry.KindPractice), org("P4", "Delta", registry.KindPractice),
				org("P5", "Echo", registry.KindPractice),
			} {
				_, err := s.UpsertOrganisation(ctx, o)
				must(t, "upsert", err)
			}
			for _, sc := range []registry.Succession{
				{Predecessor: "A", Successor: "C", Reason: "Merger", Effective: d("2020-04-01")},
				{Predecessor: "B", Successor: "C", Reason: "Merger", Effective: d("2020-04-01")},
			} {
				_, err := s.PutSuccession(ctx, sc)
				must(t, "succession", err)
			}
			for _, r := range []registry.Relationship{
				rel("P1", "A", registry.RelMemberOf, "2013-04-01", ""),
				rel("P2", "A", registry.RelMemberOf, "2013-04-01", ""),
				rel("P3", "B", registry.RelMemberOf, "2013-04-01", ""),
				rel("P6", "B", registry.RelMemberOf, "2013-04-01", "2020-04-01"), // not in the registry
				rel("P5", "A", registry.RelMemberOf, "2013-04-01", "2016-01-01"), // left early
				rel("P1", "C", registry.RelMemberOf, "2020-04-01", ""),
				rel("P2", "C", registry.RelMemberOf, "2020-04-01", ""),
				rel("P3", "C", registry.RelMemberOf, "2020-04-01", ""),
				rel("P4", "C", registry.RelMemberOf, "2021-01-01", ""),
				rel("P1", "L1", registry.RelInLocality, "2013-04-01", ""),
			} {
				_, err := svc.RecordRelationship(ctx, r)
				must(t, "record", err)
			}
			cases := []struct {
				ccg, at string
				preds   bool
				want    string
			}{
				{"C", "2019-06-01", false, ""},
				{"C", "2019-06-01", true, `P1(Alpha via A since 2013-04-01 in "L1") P2(Bravo via A since 2013-04-01 in "") P3(Charlie via B since 2013-04-01 in "") P6(P6 via B since 2013-04-01 in "") `},
				{"C", "2020-06-01", false, `P1(Alpha via C since 2020-04-01 in "L1") P2(Bravo via C since 2020-04-01 in "") P3(Charlie via C since 2020-04-01 in "") `},
				{"C", "2020-06-01", true, `P1(Alpha via C since 2020-04-01 in "L1") P2(Bravo via C since 2020-04-01 in "") P3(Charlie via C since 2020-04-01 in "") `},
				{"C", "2021-06-01", false, `P1(Alpha via C since 2020-04-01 in "L1") P2(Bravo via C since 2020-04-01 in "") P3(Charlie via C since 2020-04-01 in "") P4(Delta via C since 2021-01-01 in "") `},
				{"A", "2015-06-01", false, `P1(Alpha via A since 2013-04-01 in "L1") P2(Bravo via A since 2013-04-01 in "") P5(Echo via A since 2013-04-01 in "") `},
				{"A", "2020-04-01", false, ""},
			}
			for _, tc := range cases {
				if got := members(t, svc, tc.ccg, tc.at, tc.preds); got != tc.want {
					t.Errorf("members of %s at %s (predecessors %v):\n got %s\nwant %s", tc.ccg, tc.at, tc.preds, got, tc.want)
				}
			}
			_, err := svc.MembersAt(ctx, "C", calendar.Date{}, false)
			wantErr(t, "members with no date", err, errs.ErrInvalid)
			// the merger closed the old memberships on the day it took effect
			rels, err := s.ParentsOf(ctx, "P1", registry.RelMemberOf)
			must(t, "parents", err)
			if want := "[P1 member-of A 2013-04-01..2020-04-01] [P1 member-of C 2020-04-01..] "; relString(rels) != want {
				t.Errorf("P1 memberships = %s, want %s", relString(rels), want)
			}
		}},
		{"successor chain through two mergers", func(t *testing.T, svc *registry.Service, s registry.Store) {
			for _, sc := range []registry.Succession{
				{Predecessor: "X", Successor: "Y", Reason: "Merger", Effective: d("2018-04-01")},
				{Predecessor: "W", Successor: "Y", Reason: "Merger", Effective: d("2018-04-01")},
				{Predecessor: "Y", Successor: "Z", Reason: "Merger", Effective: d("2020-04-01")},
			} {
				_, err := s.PutSuccession(ctx, sc)
				must(t, "succession", err)
			}
			_, err := s.UpsertOrganisation(ctx, org("Z", "NHS Z CCG", registry.KindCCG))
			must(t, "upsert", err)
			cases := []struct {
				code, at string
				want     []string
			}{
				{"X", "", []string{"X>Y", "Y>Z"}},
				{"X", "2017-01-01", []string{}},
				{"X", "2018-04-01", []string{"X>Y"}},
				{"X", "2020-04-01", []string{"X>Y", "Y>Z"}},
				{"W", "", []string{"W>Y", "Y>Z"}},
				{"Z", "", []string{}},
			}
			for _, tc := range cases {
				var at calendar.Date
				if tc.at != "" {
					at = d(tc.at)
				}
				got, err := svc.SuccessorChain(ctx, tc.code, at)
				must(t, "chain", err)
				if !reflect.DeepEqual(chain(got), tc.want) {
					t.Errorf("chain of %s at %q = %v, want %v", tc.code, tc.at, chain(got), tc.want)
				}
			}
			cur, steps, err := svc.CurrentSuccessor(ctx, "X")
			must(t, "current successor", err)
			if cur.Code != "Z" || cur.Name != "NHS Z CCG" || len(steps) != 2 {
				t.Errorf("current successor of X = %+v via %v", cur, chain(steps))
			}
			preds, err := svc.Predecessors(ctx, "Z")
			must(t, "predecessors", err)
			if got := chain(preds); !reflect.DeepEqual(got, []string{"Y>Z", "W>Y", "X>Y"}) {
				t.Errorf("predecessors of Z = %v", got)
			}
			h, err := svc.History(ctx, "Z")
			must(t, "history", err)
			if len(h.Successions) != 1 || len(h.Predecessors) != 3 || len(h.SuccessorChain) != 0 {
				t.Errorf("history of Z = %+v", h)
			}
			_, err = svc.History(ctx, "Y") // known only from successions
			wantErr(t, "history of an unknown organisation", err, errs.ErrNotFound)
		}},
		{"record relationship closes overlaps whatever the import order", func(t *testing.T, svc *registry.Service, s registry.Store) {
			snapshots := []registry.Relationship{
				rel("", "A", registry.RelMemberOf, "2013-04-01", ""),
				rel("", "B", registry.RelMemberOf, "2018-04-01", ""),
				rel("", "C", registry.RelMemberOf, "2020-04-01", ""),
			}
			orders := [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
			for i, order := range orders {
				child := fmt.Sprintf("P%d", i)
				for _, k := range order {
					r := snapshots[k]
					r.Child = child
					c, err := svc.RecordRelationship(ctx, r)
					wantChanged(t, fmt.Sprintf("order %v: record %s", order, r.Parent), c, err, true)
				}
				got, err := s.ParentsOf(ctx, child, registry.RelMemberOf)
				must(t, "parents", err)
				want := fmt.Sprintf("[%[1]s member-of A 2013-04-01..2018-04-01] [%[1]s member-of B 2018-04-01..2020-04-01] [%[1]s member-of C 2020-04-01..] ", child)
				if relString(got) != want {
					t.Errorf("order %v:\n got %s\nwant %s", order, relString(got), want)
				}
				// the newest snapshot again changes nothing
				r := snapshots[2]
				r.Child = child
				c, err := svc.RecordRelationship(ctx, r)
				wantChanged(t, fmt.Sprintf("order %v: newest again", order), c, err, false)
			}
		}},
		{"record relationship is idempotent", func(t *testing.T, svc *registry.Service, s registry.Store) {
			steps := []struct {
				r    registry.Relationship
				want bool
			}{
				{rel("P", "A", registry.RelMemberOf, "2013-04-01", ""), true},
				{rel("P", "A", registry.RelMemberOf, "2013-04-01", ""), false},
				{rel("P", "B", registry.RelMemberOf, "2018-04-01", ""), true},
				{rel("P", "B", registry.RelMemberOf, "2018-04-01", ""), false},
				{rel("P", "L", registry.RelInLocality, "", ""), true},
				{rel("P", "L", registry.RelInLocality, "", ""), false},
			}
			for i, st := range steps {
				c, err := svc.RecordRelationship(ctx, st.r)
				wantChanged(t, fmt.Sprintf("step %d: %s", i, st.r.Parent), c, err, st.want)
			}
			_, err := svc.RecordRelationship(ctx, rel("P", "B", registry.RelMemberOf, "2018-04-01", "2017-01-01"))
			wantErr(t, "ends before it starts", err, errs.ErrInvalid)
			_, err = svc.RecordRelationship(ctx, rel("", "B", registry.RelMemberOf, "2018-04-01", ""))
			wantErr(t, "no child", err, errs.ErrInvalid)
		}},
		{"record relationship: an older snapshot recorded again changes nothing", func(t *testing.T, svc *registry.Service, s registry.Store) {
			old := rel("P", "A", registry.RelMemberOf, "2013-04-01", "")
			for _, r := range []registry.Relationship{rel("P", "B", registry.RelMemberOf, "2018-04-01", ""), old} {
				_, err := svc.RecordRelationship(ctx, r)
				must(t, "record", err)
			}
			c, err := svc.RecordRelationship(ctx, old)
			wantChanged(t, "older snapshot again", c, err, false)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Migrated(t, open)
			tc.run(t, registry.NewService(s), s)
		})
	}
}
