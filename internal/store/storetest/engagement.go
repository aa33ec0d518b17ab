package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"ccg/internal/engagement"
	"ccg/internal/errs"
	"ccg/internal/store/sqlstore"
)

func init() { Register(Suite{Name: "engagement", Run: engagementSuite}) }

func engagementSuite(t *testing.T, open Opener) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, st *sqlstore.Store)
	}{
		{"surveys and waves", engSurveys},
		{"invitations burn once", engInvitations},
		{"responses and tallies", engResponses},
		{"answers are not identifiable", engAnonymity},
		{"small groups suppressed", engSmallGroups},
		{"consultations", engConsultations},
		{"questions", engQuestions},
		{"service end to end", engService},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, Migrated(t, open)) })
	}
}

// engDecisions answers DecisionRef from a map (governance is another
// package's store; engagement only needs a title and a state).
type engDecisions map[int64]engagement.DecisionRef

func (d engDecisions) DecisionRef(_ context.Context, id int64) (engagement.DecisionRef, error) {
	r, ok := d[id]
	if !ok {
		return engagement.DecisionRef{}, fmt.Errorf("decision %d: %w", id, errs.ErrNotFound)
	}
	return r, nil
}

// engAudit collects audit records.
type engAudit struct{ entries []string }

func (a *engAudit) Record(_ context.Context, action, subject, detail string) error {
	a.entries = append(a.entries, action+" "+subject+" "+detail)
	return nil
}

// engNow is the suite's clock: inside the December wave.
var engNow = time.Date(2024, 12, 2, 10, 0, 0, 0, time.UTC)

func engServiceOn(st *sqlstore.Store, audit *engAudit, clock *time.Time) *engagement.Service {
	dec := engDecisions{
		1: {ID: 1, Title: "Community ophthalmology service", Status: engagement.DecisionProposed},
		2: {ID: 2, Title: "Already decided", Status: "decided"},
	}
	return engagement.NewService(st, audit, dec).WithClock(func() time.Time { return *clock })
}

// engAnswers answers every Likert item of q with v and yes-no items yes.
func engAnswers(q engagement.Questionnaire, v int) engagement.Answers {
	a := engagement.Answers{}
	for _, it := range q.Items() {
		switch it.Kind {
		case engagement.ItemLikert:
			a[it.ID] = strconv.Itoa(v)
		case engagement.ItemYesNo:
			a[it.ID] = engagement.AnswerYes
		}
	}
	return a
}

func engInvitees(first, n int, c engagement.Class) []engagement.Invitee {
	var out []engagement.Invitee
	for i := 0; i < n; i++ {
		out = append(out, engagement.Invitee{Person: int64(900000 + first + i), Practice: fmt.Sprintf("P%04d", 1+i%2), Class: c})
	}
	return out
}

func engSurveys(t *testing.T, st *sqlstore.Store) {
	ctx := context.Background()
	var s engagement.SurveyStore = st
	q := engagement.DefaultQuestionnaire()
	sv := engagement.Survey{Title: "Member voice", Questionnaire: q, Created: d("2024-11-01"), CreatedBy: 7}
	id, err := s.PutSurvey(ctx, sv)
	must(t, "put survey", err)
	sv.ID = id
	got, err := s.Survey(ctx, id)
	must(t, "survey", err)
	if !reflect.DeepEqual(got, sv) {
		t.Fatalf("survey round trip:\n got %+v\nwant %+v", got, sv)
	}
	_, err = s.Survey(ctx, id+100)
	wantErr(t, "missing survey", err, errs.ErrNotFound)
	sv.Title = "Member voice 2"
	_, err = s.PutSurvey(ctx, sv)
	must(t, "replace survey", err)
	_, err = s.PutSurvey(ctx, engagement.Survey{ID: id + 100, Title: "x", Questionnaire: q})
	wantErr(t, "replace missing survey", err, errs.ErrNotFound)
	id2, err := s.PutSurvey(ctx, engagement.Survey{Title: "Later", Questionnaire: q, Created: d("2025-01-01")})
	must(t, "second survey", err)
	all, err := s.Surveys(ctx)
	must(t, "surveys", err)
	if len(all) != 2 || all[0].ID != id2 || all[1].Title != "Member voice 2" {
		t.Fatalf("surveys newest first: %+v", all)
	}

	april := engagement.Wave{Survey: id, Name: "April 2025", Opens: d("2025-04-01"), Closes: d("2025-05-01")}
	dec := engagement.Wave{Survey: id, Name: "December 2024", Opens: d("2024-12-01"), Closes: d("2025-01-01")}
	april.ID, err = s.PutWave(ctx, april)
	must(t, "april", err)
	dec.ID, err = s.PutWave(ctx, dec)
	must(t, "december", err)
	_, err = s.PutWave(ctx, engagement.Wave{Survey: id + 100, Name: "x", Opens: d("2025-01-01"), Closes: d("2025-02-01")})
	wantErr(t, "wave of a missing survey", err, errs.ErrConflict)
	dec.Invited = 12
	_, err = s.PutWave(ctx, dec)
	must(t, "replace wave", err)
	w, err := s.Wave(ctx, dec.ID)
	must(t, "wave", err)
	if !reflect.DeepEqual(w, dec) {
		t.Fatalf("wave round trip: got %+v want %+v", w, dec)
	}
	_, err = s.Wave(ctx, 999)
	wantErr(t, "missing wave", err, errs.ErrNotFound)
	ws, err := s.Waves(ctx, id)
	must(t, "waves", err)
	if len(ws) != 2 || ws[0].ID != dec.ID || ws[1].ID != april.ID {
		t.Fatalf("waves earliest first: %+v", ws)
	}
}

func engWave(t *testing.T, s engagement.SurveyStore) int64 {
	t.Helper()
	ctx := context.Background()
	id, err := s.PutSurvey(ctx, engagement.Survey{Title: "Member voice", Questionnaire: engagement.DefaultQuestionnaire(), Created: d("2024-11-01")})
	must(t, "survey", err)
	w, err := s.PutWave(ctx, engagement.Wave{Survey: id, Name: "December 2024", Opens: d("2024-12-01"), Closes: d("2025-01-01")})
	must(t, "wave", err)
	return w
}

func engInvitations(t *testing.T, st *sqlstore.Store) {
	ctx := context.Background()
	var s engagement.SurveyStore = st
	w := engWave(t, s)
	leader := engagement.Class{Leadership: engagement.Leader, Role: engagement.RoleGP}
	invs := []engagement.Invitation{
		{Wave: w, TokenHash: engagement.HashToken("a"), Class: leader},
		{Wave: w, TokenHash: engagement.HashToken("b"), Class: engagement.Class{}},
	}
	must(t, "add", s.AddInvitations(ctx, w, invs, []engagement.PracticeTally{{Practice: "P0001", Locality: "North", Invited: 2}},
		[]engagement.ClassTally{{Class: leader, Invited: 1}, {Invited: 1}}))
	err := s.AddInvitations(ctx, w, invs[:1], nil, nil)
	wantErr(t, "duplicate hash", err, errs.ErrConflict)

	got, err := s.Invitation(ctx, invs[0].TokenHash)
	must(t, "invitation", err)
	if !reflect.DeepEqual(got, invs[0]) {
		t.Fatalf("invitation: got %+v want %+v", got, invs[0])
	}
	_, err = s.Invitation(ctx, engagement.HashToken("nobody"))
	wantErr(t, "unknown invitation", err, errs.ErrNotFound)
	wantErr(t, "burn unknown", s.BurnInvitation(ctx, engagement.HashToken("nobody")), errs.ErrNotFound)
	must(t, "burn", s.BurnInvitation(ctx, invs[0].TokenHash))
	wantErr(t, "burn twice", s.BurnInvitation(ctx, invs[0].TokenHash), errs.ErrConflict)
	_, err = s.Invitation(ctx, invs[0].TokenHash)
	wantErr(t, "used invitation", err, errs.ErrConflict)

	// a burn inside a transaction that fails is undone
	boom := fmt.Errorf("boom")
	err = st.InTx(ctx, func(ctx context.Context) error {
		if err := s.BurnInvitation(ctx, invs[1].TokenHash); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("rolled back burn: %v", err)
	}
	if _, err := s.Invitation(ctx, invs[1].TokenHash); err != nil {
		t.Fatalf("invitation after rolled-back burn: %v", err)
	}
	cts, err := s.ClassTallies(ctx, w)
	must(t, "class tallies", err)
	if len(cts) != 2 {
		t.Fatalf("class tallies: %+v", cts)
	}
}

func engResponses(t *testing.T, st *sqlstore.Store) {
	ctx := context.Background()
	var s engagement.SurveyStore = st
	w := engWave(t, s)
	other := engWave(t, s)
	must(t, "tallies", s.AddInvitations(ctx, w, nil, []engagement.PracticeTally{
		{Practice: "P0002", Locality: "South", Invited: 3}, {Practice: "P0001", Locality: "North", Invited: 4}}, nil))
	for _, d := range []engagement.Disposition{engagement.Complete, engagement.Complete, engagement.Partial, engagement.BreakOff} {
		must(t, "count", s.CountResponse(ctx, w, "P0001", d))
	}
	wantErr(t, "count for a practice not invited", s.CountResponse(ctx, w, "P0009", engagement.Complete), errs.ErrNotFound)
	wantErr(t, "count a bad disposition", s.CountResponse(ctx, w, "P0001", "maybe"), errs.ErrInvalid)
	pts, err := s.PracticeTallies(ctx, w)
	must(t, "practice tallies", err)
	want := []engagement.PracticeTally{
		{Practice: "P0001", Locality: "North", Invited: 4, Complete: 2, Partial: 1, BreakOff: 1},
		{Practice: "P0002", Locality: "South", Invited: 3},
	}
	if !reflect.DeepEqual(pts, want) {
		t.Fatalf("practice tallies:\n got %+v\nwant %+v", pts, want)
	}

	r := engagement.Response{Wave: w, Class: engagement.Class{Locality: "North", Role: engagement.RoleNurse, Leadership: engagement.OtherMember, Size: engagement.SizeLarge},
		Disposition: engagement.Complete, Answers: engagement.Answers{"own-belongs": "4", "free": "Tell us more, \"please\" — ünïcode"}}
	must(t, "add response", s.AddResponse(ctx, r))
	must(t, "add other response", s.AddResponse(ctx, engagement.Response{Wave: other, Disposition: engagement.Partial, Answers: engagement.Answers{"x": "1"}}))
	rs, err := s.Responses(ctx, w)
	must(t, "responses", err)
	if len(rs) != 1 || !reflect.DeepEqual(rs[0], r) {
		t.Fatalf("responses: got %+v want %+v", rs, r)
	}
}

// engAnonymity answers a wave through the Service on the real store, then
// reads the raw tables: no response row names a person, a practice, a
// token, its hash or a time; spent tokens are kept only as their hash; the
// order responses come back in is not the order they were given.
func engAnonymity(t *testing.T, st *sqlstore.Store) {
	ctx := context.Background()
	clock := engNow
	svc := engServiceOn(st, &engAudit{}, &clock)
	q := engagement.DefaultQuestionnaire()
	sv, err := svc.CreateSurvey(ctx, 1, "Member voice", q)
	must(t, "survey", err)
	w, err := svc.AddWave(ctx, 1, engagement.Wave{Survey: sv.ID, Name: "December 2024", Opens: d("2024-12-01"), Closes: d("2025-01-01")})
	must(t, "wave", err)
	people := append(engInvitees(1, 6, engagement.Class{Leadership: engagement.Leader, Role: engagement.RoleGP}),
		engInvitees(100, 14, engagement.Class{Leadership: engagement.OtherMember, Role: engagement.RoleNurse})...)
	toks, err := svc.Invite(ctx, 1, w.ID, people)
	must(t, "invite", err)
	const answered = 16
	var order []string
	for i, tk := range toks[:answered] {
		a := engAnswers(q, 1+i%5)
		a["own-belongs"] = strconv.Itoa(1 + i%5)
		// a distinct free-text answer marks each response's place in the answering order
		for _, it := range q.Items() {
			if it.Kind == engagement.ItemText {
				a[it.ID] = fmt.Sprintf("answer number %02d", i)
				order = append(order, a[it.ID])
				break
			}
		}
		_, err := svc.Respond(ctx, tk.Token, a)
		must(t, "respond", err)
	}
	// A second use is answered as the first was (the answer must not say
	// whether the link was used) and stores nothing: see the counts below.
	_, err = svc.Respond(ctx, toks[0].Token, engAnswers(q, 3))
	must(t, "second use of a token", err)

	db := st.ReadDB()
	columns := func(table string) []string {
		rows, err := db.QueryContext(ctx, `SELECT * FROM `+table+` WHERE 1 = 0`)
		must(t, "columns of "+table, err)
		defer rows.Close()
		cols, err := rows.Columns()
		must(t, "columns of "+table, err)
		return cols
	}
	dump := func(table string) []string {
		rows, err := db.QueryContext(ctx, `SELECT * FROM `+table)
		must(t, "dump "+table, err)
		defer rows.Close()
		cols, _ := rows.Columns()
		var out []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			must(t, "scan "+table, rows.Scan(ptrs...))
			var b strings.Builder
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%v|", v)
			}
			out = append(out, b.String())
		}
		must(t, "dump "+table, rows.Err())
		return out
	}

	t.Run("response rows have no identifying column", func(t *testing.T) {
		// only the wave, the coarsened class, the disposition, the answers
		// and a random ordering key: no person, practice, token or time
		allowed := map[string]bool{"sort_key": true, "wave_id": true, "locality": true, "role": true, "leadership": true,
			"size": true, "disposition": true, "answers": true}
		for _, c := range columns("eng_responses") {
			if !allowed[c] {
				t.Fatalf("eng_responses has column %q, which could identify a respondent", c)
			}
		}
		for _, table := range []string{"eng_invitations", "eng_used_tokens", "eng_class_tallies"} {
			for _, c := range columns(table) {
				if strings.Contains(c, "person") || strings.Contains(c, "practice") || strings.Contains(c, "created") || strings.Contains(c, "time") {
					t.Fatalf("%s has column %q", table, c)
				}
			}
		}
	})
	t.Run("spent tokens are kept only as one hash each", func(t *testing.T) {
		if cols := columns("eng_used_tokens"); !reflect.DeepEqual(cols, []string{"token_hash"}) {
			t.Fatalf("eng_used_tokens columns %v, want only token_hash", cols)
		}
		used := dump("eng_used_tokens")
		if len(used) != answered {
			t.Fatalf("%d used tokens stored, want %d", len(used), answered)
		}
		want := map[string]bool{}
		for _, tk := range toks[:answered] {
			h := sha256.Sum256([]byte(tk.Token))
			want[hex.EncodeToString(h[:])+"|"] = true
		}
		for _, u := range used {
			if !want[u] {
				t.Fatalf("used token row %q is not the SHA-256 of a spent token", u)
			}
		}
		unused := dump("eng_invitations")
		if len(unused) != len(toks)-answered {
			t.Fatalf("%d unused invitations, want %d", len(unused), len(toks)-answered)
		}
	})
	t.Run("no stored value carries a person, a token or a practice with an answer", func(t *testing.T) {
		for _, table := range []string{"eng_invitations", "eng_used_tokens", "eng_responses", "eng_class_tallies", "eng_practice_tallies"} {
			for _, row := range dump(table) {
				for _, tk := range toks {
					if strings.Contains(row, tk.Token) {
						t.Fatalf("%s row %q carries a token", table, row)
					}
				}
				for _, p := range people {
					if strings.Contains(row, strconv.FormatInt(p.Person, 10)) {
						t.Fatalf("%s row %q carries person %d", table, row, p.Person)
					}
				}
			}
		}
		for _, row := range dump("eng_responses") {
			for _, tk := range toks {
				if strings.Contains(row, engagement.HashToken(tk.Token)) {
					t.Fatalf("response row %q carries a token hash", row)
				}
			}
			if strings.Contains(row, "P0001") || strings.Contains(row, "P0002") {
				t.Fatalf("response row %q carries a practice", row)
			}
		}
	})
	t.Run("responses come back in no answering order", func(t *testing.T) {
		rs, err := st.Responses(ctx, w.ID)
		must(t, "responses", err)
		var got []string
		for _, r := range rs {
			for _, v := range r.Answers {
				if strings.HasPrefix(v, "answer number") {
					got = append(got, v)
				}
			}
		}
		if len(got) != answered {
			t.Fatalf("%d marked responses, want %d", len(got), answered)
		}
		if reflect.DeepEqual(got, order) {
			t.Fatalf("responses come back in the order they were given: %v", got)
		}
	})
	t.Run("stored classes cover five or more invitees", func(t *testing.T) {
		cts, err := st.ClassTallies(ctx, w.ID)
		must(t, "class tallies", err)
		for _, c := range cts {
			if c.Invited < 5 {
				t.Fatalf("class %+v has %d invitees", c.Class, c.Invited)
			}
		}
	})
}

// engSmallGroups checks, on the real store, that an open wave's results
// are held whatever the number of answers (reading them before and after
// one person answers must not give that person's answers: issue 13), and
// that once the wave closes a breakdown group of fewer than five is
// suppressed (the stats disclosure rule decides).
func engSmallGroups(t *testing.T, st *sqlstore.Store) {
	ctx := context.Background()
	clock := engNow
	svc := engServiceOn(st, &engAudit{}, &clock)
	q := engagement.DefaultQuestionnaire()
	sv, err := svc.CreateSurvey(ctx, 1, "Member voice", q)
	must(t, "survey", err)
	w, err := svc.AddWave(ctx, 1, engagement.Wave{Survey: sv.ID, Name: "December 2024", Opens: d("2024-12-01"), Closes: d("2025-01-01")})
	must(t, "wave", err)
	leaders := engInvitees(1, 5, engagement.Class{Leadership: engagement.Leader, Role: engagement.RoleGP})
	members := engInvitees(100, 10, engagement.Class{Leadership: engagement.OtherMember, Role: engagement.RoleGP})
	toks, err := svc.Invite(ctx, 1, w.ID, append(leaders, members...))
	must(t, "invite", err)
	// members first: the whole wave reaches five before any breakdown does
	for i := 5; i < 15; i++ {
		res, err := svc.Results(ctx, w.ID)
		must(t, "results", err)
		if res.Hidden == nil || res.Hidden.Code != engagement.HeldCode || res.Respondents != 0 {
			t.Fatalf("open wave after %d responses: hidden %v, respondents %d", i-5, res.Hidden, res.Respondents)
		}
		rates, err := svc.ResponseRates(ctx, w.ID)
		must(t, "rates", err)
		if len(rates.ByPractice)+len(rates.ByLocality)+len(rates.ByRole)+len(rates.ByLeadership)+len(rates.BySize) != 0 {
			t.Fatalf("open wave after %d responses: rates by group %+v", i-5, rates)
		}
		_, err = svc.Respond(ctx, toks[i].Token, engAnswers(q, 4))
		must(t, "respond", err)
	}
	// three leaders answer: their group is too small to show, and so is the gap
	for i := 0; i < 3; i++ {
		_, err := svc.Respond(ctx, toks[i].Token, engAnswers(q, 2))
		must(t, "respond leader", err)
	}
	clock = time.Date(2025, 1, 2, 9, 0, 0, 0, time.UTC) // the wave has closed
	res, err := svc.Results(ctx, w.ID)
	must(t, "results", err)
	if res.Hidden != nil || res.Respondents != 13 {
		t.Fatalf("whole wave: hidden %v, respondents %d", res.Hidden, res.Respondents)
	}
	var lead *engagement.Breakdown
	for i := range res.Breakdowns {
		if res.Breakdowns[i].By == engagement.ByLeadership {
			lead = &res.Breakdowns[i]
		}
	}
	if lead == nil {
		t.Fatalf("no leadership breakdown in %+v", res.Breakdowns)
	}
	for _, g := range lead.Groups {
		if g.Key == string(engagement.Leader) && (g.Hidden == nil || g.Respondents != 0) {
			t.Fatalf("three leaders shown: %+v", g)
		}
	}
	for _, gap := range res.Gap {
		if gap.Shown() {
			t.Fatalf("gap %s shown with three leaders", gap.ID)
		}
	}
}

func engConsultations(t *testing.T, st *sqlstore.Store) {
	ctx := context.Background()
	var s engagement.ConsultationStore = st
	c := engagement.Consultation{Decision: 5, Title: "Ophthalmology", Question: "Should we?", Proposal: "Move it",
		Options: []engagement.Option{{ID: "a", Label: "Option A"}, {ID: "b", Label: "Option B"}},
		Opens:   d("2024-12-01"), Closes: d("2025-01-01"), OpenedBy: 3}
	id, err := s.PutConsultation(ctx, c)
	must(t, "put", err)
	c.ID = id
	got, err := s.Consultation(ctx, id)
	must(t, "get", err)
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, c)
	}
	c.YouSaidWeDid, c.YouSaidWeDidBy, c.YouSaidWeDidOn = "You said; we did.", 4, d("2025-01-05")
	_, err = s.PutConsultation(ctx, c)
	must(t, "replace", err)
	got, _ = s.Consultation(ctx, id)
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("replace:\n got %+v\nwant %+v", got, c)
	}
	_, err = s.Consultation(ctx, id+100)
	wantErr(t, "missing", err, errs.ErrNotFound)
	_, err = s.PutConsultation(ctx, engagement.Consultation{ID: id + 100, Decision: 1, Opens: d("2024-01-01"), Closes: d("2024-02-01")})
	wantErr(t, "replace missing", err, errs.ErrNotFound)
	later, err := s.PutConsultation(ctx, engagement.Consultation{Decision: 6, Title: "Later", Opens: d("2025-02-01"), Closes: d("2025-03-01")})
	must(t, "later", err)
	all, err := s.Consultations(ctx, engagement.ConsultationFilter{})
	must(t, "all", err)
	if len(all) != 2 || all[0].ID != later || all[1].ID != id || all[0].Options != nil {
		t.Fatalf("newest first: %+v", all)
	}
	one, err := s.Consultations(ctx, engagement.ConsultationFilter{Decision: 5})
	must(t, "by decision", err)
	if len(one) != 1 || one[0].ID != id {
		t.Fatalf("by decision: %+v", one)
	}
	page, err := s.Consultations(ctx, engagement.ConsultationFilter{Limit: 1, Offset: 1})
	must(t, "page", err)
	if len(page) != 1 || page[0].ID != id {
		t.Fatalf("page: %+v", page)
	}

	t1 := time.Date(2024, 12, 3, 9, 0, 0, 123000000, time.UTC)
	t2 := t1.Add(time.Hour)
	r := engagement.ConsultationResponse{Consultation: id, Person: 11, Practice: "P0001", Position: engagement.Support, Option: "a",
		Comment: "Yes", Created: t1, Updated: t1}
	created, err := s.UpsertConsultationResponse(ctx, r)
	wantChanged(t, "first response", created, err, true)
	_, err = s.UpsertConsultationResponse(ctx, engagement.ConsultationResponse{Consultation: id, Person: 12, Position: engagement.Oppose, Created: t2, Updated: t2})
	must(t, "second person", err)
	r2 := r
	r2.Position, r2.Option, r2.Comment, r2.Created, r2.Updated = engagement.Neutral, "", "Changed my mind", t2, t2
	created, err = s.UpsertConsultationResponse(ctx, r2)
	wantChanged(t, "changed response", created, err, false)
	rs, err := s.ConsultationResponses(ctx, id)
	must(t, "responses", err)
	if len(rs) != 2 || rs[0].Person != 11 || !rs[0].Created.Equal(t1) || !rs[0].Updated.Equal(t2) || rs[0].Position != engagement.Neutral ||
		rs[0].Comment != "Changed my mind" || rs[0].Option != "" || rs[1].Person != 12 {
		t.Fatalf("responses: %+v", rs)
	}
	_, err = s.UpsertConsultationResponse(ctx, engagement.ConsultationResponse{Consultation: id + 100, Person: 1, Position: engagement.Support, Created: t1, Updated: t1})
	wantErr(t, "response to a missing consultation", err, errs.ErrConflict)
}

func engQuestions(t *testing.T, st *sqlstore.Store) {
	ctx := context.Background()
	var s engagement.QuestionStore = st
	t1 := time.Date(2024, 12, 3, 9, 0, 0, 5000, time.UTC)
	q := engagement.Question{Kind: engagement.KindQuestion, Asker: 9, Practice: "P0001", To: "governing-body", Subject: "Why?",
		Text: "Why was it decided?", Private: true, Status: engagement.QSubmitted, Submitted: t1}
	id, err := s.PutQuestion(ctx, q)
	must(t, "put", err)
	q.ID = id
	got, err := s.Question(ctx, id)
	must(t, "get", err)
	if !reflect.DeepEqual(got, q) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, q)
	}
	q.Status, q.Answer, q.AnsweredBy, q.Answered, q.Acknowledged, q.Assigned, q.AssignedTo = engagement.QAnswered, "Because.", 3, t1.Add(48*time.Hour), t1.Add(time.Hour), t1.Add(2*time.Hour), 3
	_, err = s.PutQuestion(ctx, q)
	must(t, "replace", err)
	got, _ = s.Question(ctx, id)
	if !reflect.DeepEqual(got, q) {
		t.Fatalf("replace:\n got %+v\nwant %+v", got, q)
	}
	_, err = s.Question(ctx, id+100)
	wantErr(t, "missing", err, errs.ErrNotFound)
	_, err = s.PutQuestion(ctx, engagement.Question{ID: id + 100, Submitted: t1})
	wantErr(t, "replace missing", err, errs.ErrNotFound)
	id2, err := s.PutQuestion(ctx, engagement.Question{Kind: q.Kind, Asker: 10, To: "locality:North", Subject: "S", Text: "T",
		Status: engagement.QSubmitted, Submitted: t1.Add(time.Hour)})
	must(t, "second", err)
	for _, tc := range []struct {
		name string
		f    engagement.QuestionFilter
		want []int64
	}{
		{"all, newest first", engagement.QuestionFilter{}, []int64{id2, id}},
		{"by status", engagement.QuestionFilter{Status: engagement.QAnswered}, []int64{id}},
		{"by body", engagement.QuestionFilter{To: "locality:North"}, []int64{id2}},
		{"by asker", engagement.QuestionFilter{Asker: 9}, []int64{id}},
		{"page", engagement.QuestionFilter{Limit: 1, Offset: 1}, []int64{id}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			qs, err := s.Questions(ctx, tc.f)
			must(t, "questions", err)
			var ids []int64
			for _, q := range qs {
				ids = append(ids, q.ID)
			}
			if !reflect.DeepEqual(ids, tc.want) {
				t.Fatalf("got %v want %v", ids, tc.want)
			}
		})
	}
}

// engService runs the service's rules for consultations and questions on
// the real store (the service tests use an in-memory fake).
func engService(t *testing.T, st *sqlstore.Store) {
	ctx := context.Background()
	clock := engNow
	audit := &engAudit{}
	svc := engServiceOn(st, audit, &clock)
	c, err := svc.OpenConsultation(ctx, 3, engagement.Consultation{Decision: 1, Question: "Should we commission it?",
		Proposal: "A community service", Opens: d("2024-12-01"), Closes: d("2024-12-20")})
	must(t, "open", err)
	_, err = svc.OpenConsultation(ctx, 3, engagement.Consultation{Decision: 1, Question: "Again?", Proposal: "x", Opens: d("2024-12-01"), Closes: d("2024-12-20")})
	wantErr(t, "second open consultation", err, errs.ErrConflict)
	_, err = svc.OpenConsultation(ctx, 3, engagement.Consultation{Decision: 2, Question: "Q", Proposal: "x", Opens: d("2024-12-01"), Closes: d("2024-12-20")})
	wantErr(t, "decided decision", err, errs.ErrConflict)
	for i, p := range []engagement.Position{engagement.Support, engagement.Support, engagement.Oppose} {
		_, err := svc.RespondToConsultation(ctx, engagement.ConsultationResponse{Consultation: c.ID, Person: int64(20 + i), Position: p, Comment: "c"})
		must(t, "respond", err)
	}
	_, err = svc.RespondToConsultation(ctx, engagement.ConsultationResponse{Consultation: c.ID, Person: 22, Position: engagement.Support})
	must(t, "change", err)
	_, sum, err := svc.Consultation(ctx, c.ID)
	must(t, "summary", err)
	if sum.Responses != 3 {
		t.Fatalf("summary %+v", sum)
	}
	wantErr(t, "publish while open", svc.CheckPublish(ctx, 1), errs.ErrInvalid)
	clock = time.Date(2024, 12, 21, 9, 0, 0, 0, time.UTC)
	_, err = svc.RecordYouSaidWeDid(ctx, 3, c.ID, "You supported it; we commissioned it.")
	must(t, "you said we did", err)
	must(t, "publish", svc.CheckPublish(ctx, 1))

	q, err := svc.Ask(ctx, engagement.Question{Kind: engagement.KindQuestion, Asker: 20, Practice: "P0001", To: "governing-body",
		Subject: "Waiting times", Text: "What is being done?"})
	must(t, "ask", err)
	for _, step := range []func() (engagement.Question, error){
		func() (engagement.Question, error) { return svc.Acknowledge(ctx, 3, q.ID) },
		func() (engagement.Question, error) { return svc.Assign(ctx, 3, q.ID, 4) },
		func() (engagement.Question, error) { return svc.AnswerQuestion(ctx, 4, q.ID, "We are working on it.") },
		func() (engagement.Question, error) { return svc.PublishQuestion(ctx, 4, q.ID) },
	} {
		clock = clock.Add(time.Hour)
		_, err := step()
		must(t, "move question", err)
	}
	pub, err := svc.PublishedQuestions(ctx, 10, 0)
	must(t, "published", err)
	if len(pub) != 1 || pub[0].Answer != "We are working on it." {
		t.Fatalf("published: %+v", pub)
	}
	dash, err := svc.Dashboard(ctx)
	must(t, "dashboard", err)
	if dash.Overall.Asked != 1 || !dash.Overall.HasMedianAnswer {
		t.Fatalf("dashboard %+v", dash.Overall)
	}
	if len(audit.entries) == 0 {
		t.Fatal("nothing audited")
	}
}
