package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/governance"
)

// The governance store keeps each record's detail as JSON text (doc) beside
// the columns it filters, orders and enforces uniqueness on; the has-voted
// set, the ballot-box totals and named ballots are separate tables so that
// anonymous votes cannot be joined to voters (see governance.VoteStore).

var _ governance.Store = (*Store)(nil)

// docArg encodes v as JSON text for a doc column.
func docArg(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode: %w", err)
	}
	return cleanText(string(b)), nil
}

// fromDoc decodes a doc column into v.
func fromDoc(doc string, v any) error {
	if err := json.Unmarshal([]byte(doc), v); err != nil {
		return fmt.Errorf("decode stored record: %w", err)
	}
	return nil
}

// SaveConstitution implements governance.ConstitutionStore.
func (s *Store) SaveConstitution(ctx context.Context, c governance.Constitution) error {
	doc, err := docArg(c)
	if err != nil {
		return wrapErr("save constitution", err)
	}
	_, err = s.exec(ctx, `INSERT INTO gov_constitutions (version, adopted, summary, doc) VALUES (?, ?, ?, ?)`,
		c.Version.Number, dateArg(c.Version.Adopted), c.Version.Summary, doc)
	return wrapErr(fmt.Sprintf("save constitution version %d", c.Version.Number), err)
}

// Constitution implements governance.ConstitutionStore.
func (s *Store) Constitution(ctx context.Context, n int) (governance.Constitution, error) {
	var doc string
	var err error
	if n == 0 {
		err = s.queryRow(ctx, `SELECT doc FROM gov_constitutions ORDER BY version DESC LIMIT 1`).Scan(&doc)
	} else {
		err = s.queryRow(ctx, `SELECT doc FROM gov_constitutions WHERE version = ?`, n).Scan(&doc)
	}
	var c governance.Constitution
	if err == nil {
		err = fromDoc(doc, &c)
	}
	return c, wrapErr(fmt.Sprintf("constitution version %d", n), err)
}

// ConstitutionVersions implements governance.ConstitutionStore.
func (s *Store) ConstitutionVersions(ctx context.Context) ([]governance.Version, error) {
	rows, err := s.query(ctx, `SELECT doc FROM gov_constitutions ORDER BY version`)
	if err != nil {
		return nil, wrapErr("constitution versions", err)
	}
	defer rows.Close()
	var out []governance.Version
	for rows.Next() {
		var doc string
		var c governance.Constitution
		if err := rows.Scan(&doc); err != nil {
			return nil, wrapErr("constitution versions", err)
		}
		if err := fromDoc(doc, &c); err != nil {
			return nil, wrapErr("constitution versions", err)
		}
		out = append(out, c.Version)
	}
	return out, wrapErr("constitution versions", rows.Err())
}

// CreateDecision implements governance.DecisionStore.
func (s *Store) CreateDecision(ctx context.Context, d governance.Decision) (int64, error) {
	hist := d.History
	d.ID, d.History = 0, nil
	doc, err := docArg(d)
	if err != nil {
		return 0, wrapErr("create decision", err)
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.queryRowWrite(ctx, `INSERT INTO gov_decisions (status, body, decided, doc) VALUES (?, ?, ?, ?) RETURNING id`,
			string(d.Status), string(d.Body), dateArg(d.Decided), doc).Scan(&d.ID); err != nil {
			return err
		}
		for _, e := range hist {
			if err := s.AppendDecisionEvent(ctx, d.ID, e); err != nil {
				return err
			}
		}
		return nil
	})
	return d.ID, wrapErr("create decision", err)
}

// Decision implements governance.DecisionStore.
func (s *Store) Decision(ctx context.Context, id int64) (governance.Decision, error) {
	d, err := s.decision(ctx, id)
	return d, wrapErr(fmt.Sprintf("decision %d", id), err)
}

func (s *Store) decision(ctx context.Context, id int64) (governance.Decision, error) {
	var doc string
	if err := s.queryRow(ctx, `SELECT doc FROM gov_decisions WHERE id = ?`, id).Scan(&doc); err != nil {
		return governance.Decision{}, err
	}
	var d governance.Decision
	if err := fromDoc(doc, &d); err != nil {
		return governance.Decision{}, err
	}
	d.ID = id
	hist, err := s.decisionEvents(ctx, id)
	if err != nil {
		return governance.Decision{}, err
	}
	d.History = hist
	return d, nil
}

func (s *Store) decisionEvents(ctx context.Context, id int64) ([]governance.Event, error) {
	rows, err := s.query(ctx, `SELECT at, by_person, from_status, to_status, refused, note
		FROM gov_decision_events WHERE decision_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []governance.Event
	for rows.Next() {
		var e governance.Event
		var from, to string
		var refused int
		if err := rows.Scan(scanTime(&e.At), &e.By, &from, &to, &refused, &e.Note); err != nil {
			return nil, err
		}
		e.From, e.To, e.Refused = governance.Status(from), governance.Status(to), refused != 0
		out = append(out, e)
	}
	return out, rows.Err()
}

// UpdateDecision implements governance.DecisionStore.
func (s *Store) UpdateDecision(ctx context.Context, d governance.Decision, from governance.Status) error {
	id := d.ID
	d.History = nil
	doc, err := docArg(d)
	if err != nil {
		return wrapErr("update decision", err)
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		res, err := s.exec(ctx, `UPDATE gov_decisions SET status = ?, body = ?, decided = ?, doc = ? WHERE id = ? AND status = ?`,
			string(d.Status), string(d.Body), dateArg(d.Decided), doc, id, string(from))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 1 {
			return nil
		}
		var have string
		if err := s.queryRow(ctx, `SELECT status FROM gov_decisions WHERE id = ?`, id).Scan(&have); err != nil {
			return err
		}
		return fmt.Errorf("status is %s, not %s: %w", have, from, errs.ErrConflict)
	})
	return wrapErr(fmt.Sprintf("update decision %d", id), err)
}

// AppendDecisionEvent implements governance.DecisionStore.
func (s *Store) AppendDecisionEvent(ctx context.Context, id int64, e governance.Event) error {
	_, err := s.exec(ctx, `INSERT INTO gov_decision_events (decision_id, at, by_person, from_status, to_status, refused, note)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, timeArg(e.At), e.By, string(e.From), string(e.To), boolInt(e.Refused), cleanText(e.Note))
	if err != nil && violation(err) == errs.ErrConflict {
		err = fmt.Errorf("no such decision: %w", errs.ErrNotFound)
	}
	return wrapErr(fmt.Sprintf("decision %d: append event", id), err)
}

// Decisions implements governance.DecisionStore.
func (s *Store) Decisions(ctx context.Context, f governance.DecisionFilter) ([]governance.Decision, error) {
	var where []string
	var args []any
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if f.Body != "" {
		where, args = append(where, "body = ?"), append(args, string(f.Body))
	}
	if !f.DecidedFrom.IsZero() || !f.DecidedTo.IsZero() {
		where = append(where, "decided <> ''")
	}
	if !f.DecidedFrom.IsZero() {
		where, args = append(where, "decided >= ?"), append(args, dateArg(f.DecidedFrom))
	}
	if !f.DecidedTo.IsZero() {
		where, args = append(where, "decided < ?"), append(args, dateArg(f.DecidedTo))
	}
	q := `SELECT id FROM gov_decisions`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY decided DESC, id DESC"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, max(f.Offset, 0))
	} else if f.Offset > 0 {
		q += fmt.Sprintf(" LIMIT 1000000000 OFFSET %d", f.Offset)
	}
	ids, err := s.ids(ctx, q, args...)
	if err != nil {
		return nil, wrapErr("decisions", err)
	}
	out := make([]governance.Decision, 0, len(ids))
	for _, id := range ids {
		d, err := s.decision(ctx, id)
		if err != nil {
			return nil, wrapErr("decisions", err)
		}
		out = append(out, d)
	}
	return out, nil
}

// ids runs a query returning one id column.
func (s *Store) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// docs runs a query returning (id, doc) rows and decodes each into a new T,
// setting its id with setID.
func docs[T any](ctx context.Context, s *Store, setID func(*T, int64), q string, args ...any) ([]T, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var id int64
		var doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, err
		}
		var v T
		if err := fromDoc(doc, &v); err != nil {
			return nil, err
		}
		setID(&v, id)
		out = append(out, v)
	}
	return out, rows.Err()
}

// one returns the single record a docs query found, or errs.ErrNotFound.
func one[T any](list []T, err error) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if len(list) == 0 {
		return zero, errs.ErrNotFound
	}
	return list[0], nil
}

// CreateMeeting implements governance.MeetingStore.
func (s *Store) CreateMeeting(ctx context.Context, m governance.Meeting) (int64, error) {
	m.ID = 0
	doc, err := docArg(m)
	if err != nil {
		return 0, wrapErr("create meeting", err)
	}
	var id int64
	err = s.queryRowWrite(ctx, `INSERT INTO gov_meetings (body, held, doc) VALUES (?, ?, ?) RETURNING id`,
		string(m.Body), dateArg(m.Date), doc).Scan(&id)
	return id, wrapErr("create meeting", err)
}

func setMeetingID(m *governance.Meeting, id int64) { m.ID = id }

// Meeting implements governance.MeetingStore.
func (s *Store) Meeting(ctx context.Context, id int64) (governance.Meeting, error) {
	m, err := one(docs(ctx, s, setMeetingID, `SELECT id, doc FROM gov_meetings WHERE id = ?`, id))
	return m, wrapErr(fmt.Sprintf("meeting %d", id), err)
}

// UpdateMeeting implements governance.MeetingStore.
func (s *Store) UpdateMeeting(ctx context.Context, m governance.Meeting) error {
	doc, err := docArg(m)
	if err != nil {
		return wrapErr("update meeting", err)
	}
	res, err := s.exec(ctx, `UPDATE gov_meetings SET body = ?, held = ?, doc = ? WHERE id = ?`,
		string(m.Body), dateArg(m.Date), doc, m.ID)
	if err == nil {
		err = affectedOne(res)
	}
	return wrapErr(fmt.Sprintf("update meeting %d", m.ID), err)
}

// affectedOne returns errs.ErrNotFound when a write changed no row.
func affectedOne(res interface{ RowsAffected() (int64, error) }) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return errs.ErrNotFound
	}
	return nil
}

// Meetings implements governance.MeetingStore.
func (s *Store) Meetings(ctx context.Context, body governance.BodyID, from, to calendar.Date) ([]governance.Meeting, error) {
	q := `SELECT id, doc FROM gov_meetings WHERE 1 = 1`
	var args []any
	if body != "" {
		q, args = q+` AND body = ?`, append(args, string(body))
	}
	if !from.IsZero() {
		q, args = q+` AND held >= ?`, append(args, dateArg(from))
	}
	if !to.IsZero() {
		q, args = q+` AND held < ?`, append(args, dateArg(to))
	}
	out, err := docs(ctx, s, setMeetingID, q+` ORDER BY held, id`, args...)
	return out, wrapErr("meetings", err)
}

func setVoteID(v *governance.MemberVote, id int64) { v.ID = id }

// CreateVote implements governance.VoteStore. It creates the ballot box's
// running totals, all zero, for every option and for abstentions.
func (s *Store) CreateVote(ctx context.Context, v governance.MemberVote) (int64, error) {
	v.ID = 0
	doc, err := docArg(v)
	if err != nil {
		return 0, wrapErr("create vote", err)
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.queryRowWrite(ctx, `INSERT INTO gov_votes (body, doc) VALUES (?, ?) RETURNING id`,
			string(v.Body), doc).Scan(&v.ID); err != nil {
			return err
		}
		for c := -1; c < len(v.Options); c++ {
			if _, err := s.exec(ctx, `INSERT INTO gov_vote_totals (vote_id, choice, votes, weight) VALUES (?, ?, 0, 0)`, v.ID, c); err != nil {
				return err
			}
		}
		return nil
	})
	return v.ID, wrapErr("create vote", err)
}

// Vote implements governance.VoteStore.
func (s *Store) Vote(ctx context.Context, id int64) (governance.MemberVote, error) {
	v, err := one(docs(ctx, s, setVoteID, `SELECT id, doc FROM gov_votes WHERE id = ?`, id))
	return v, wrapErr(fmt.Sprintf("vote %d", id), err)
}

// UpdateVote implements governance.VoteStore: only the proxies and the
// outcome change.
func (s *Store) UpdateVote(ctx context.Context, v governance.MemberVote) error {
	err := s.InTx(ctx, func(ctx context.Context) error {
		cur, err := one(docs(ctx, s, setVoteID, `SELECT id, doc FROM gov_votes WHERE id = ?`, v.ID))
		if err != nil {
			return err
		}
		cur.Proxies, cur.Outcome = v.Proxies, v.Outcome
		doc, err := docArg(cur)
		if err != nil {
			return err
		}
		_, err = s.exec(ctx, `UPDATE gov_votes SET doc = ? WHERE id = ?`, doc, v.ID)
		return err
	})
	return wrapErr(fmt.Sprintf("update vote %d", v.ID), err)
}

// Votes implements governance.VoteStore.
func (s *Store) Votes(ctx context.Context, body governance.BodyID) ([]governance.MemberVote, error) {
	q, args := `SELECT id, doc FROM gov_votes`, []any(nil)
	if body != "" {
		q, args = q+` WHERE body = ?`, append(args, string(body))
	}
	out, err := docs(ctx, s, setVoteID, q+` ORDER BY id DESC`, args...)
	return out, wrapErr("votes", err)
}

// CastVote implements governance.VoteStore.
func (s *Store) CastVote(ctx context.Context, p governance.Participation, e governance.BoxEntry, b *governance.Ballot) error {
	err := s.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.exec(ctx, `INSERT INTO gov_vote_participation (vote_id, practice, cast_by, proxy_holder) VALUES (?, ?, ?, ?)`,
			p.Vote, p.Practice, p.CastBy, p.ProxyHolder); err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("practice %s has already voted: %w", p.Practice, errs.ErrConflict)
			}
			return err
		}
		res, err := s.exec(ctx, `UPDATE gov_vote_totals SET votes = votes + 1, weight = weight + ? WHERE vote_id = ? AND choice = ?`,
			e.Weight, e.Vote, int(e.Choice))
		if err != nil {
			return err
		}
		if err := affectedOne(res); err != nil {
			return fmt.Errorf("no option %d: %w", e.Choice, errs.ErrInvalid)
		}
		if b != nil {
			if _, err := s.exec(ctx, `INSERT INTO gov_ballots (vote_id, practice, cast_by, proxy_holder, choice, weight, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				b.Vote, b.Practice, b.CastBy, b.ProxyHolder, int(b.Choice), b.Weight, timeArg(b.At)); err != nil {
				return err
			}
		}
		return nil
	})
	return wrapErr(fmt.Sprintf("cast vote %d for %s", p.Vote, p.Practice), err)
}

// Participations implements governance.VoteStore.
func (s *Store) Participations(ctx context.Context, vote int64) ([]governance.Participation, error) {
	rows, err := s.query(ctx, `SELECT practice, cast_by, proxy_holder FROM gov_vote_participation WHERE vote_id = ? ORDER BY practice`, vote)
	if err != nil {
		return nil, wrapErr("participations", err)
	}
	defer rows.Close()
	var out []governance.Participation
	for rows.Next() {
		p := governance.Participation{Vote: vote}
		if err := rows.Scan(&p.Practice, &p.CastBy, &p.ProxyHolder); err != nil {
			return nil, wrapErr("participations", err)
		}
		out = append(out, p)
	}
	return out, wrapErr("participations", rows.Err())
}

// Totals implements governance.VoteStore.
func (s *Store) Totals(ctx context.Context, vote int64) (governance.Totals, error) {
	rows, err := s.query(ctx, `SELECT choice, votes, weight FROM gov_vote_totals WHERE vote_id = ? ORDER BY choice`, vote)
	if err != nil {
		return governance.Totals{}, wrapErr("totals", err)
	}
	defer rows.Close()
	type row struct{ choice, votes, weight int64 }
	var list []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.choice, &r.votes, &r.weight); err != nil {
			return governance.Totals{}, wrapErr("totals", err)
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return governance.Totals{}, wrapErr("totals", err)
	}
	if len(list) == 0 {
		return governance.Totals{}, wrapErr(fmt.Sprintf("totals of vote %d", vote), errs.ErrNotFound)
	}
	t := governance.NewTotals(len(list) - 1)
	for _, r := range list {
		if r.choice < 0 {
			t.AbstainCount, t.AbstainWeight = r.votes, r.weight
			continue
		}
		t.Count[r.choice], t.Weight[r.choice] = r.votes, r.weight
	}
	return t, nil
}

// Ballots implements governance.VoteStore.
func (s *Store) Ballots(ctx context.Context, vote int64) ([]governance.Ballot, error) {
	rows, err := s.query(ctx, `SELECT practice, cast_by, proxy_holder, choice, weight, at FROM gov_ballots WHERE vote_id = ? ORDER BY practice`, vote)
	if err != nil {
		return nil, wrapErr("ballots", err)
	}
	defer rows.Close()
	var out []governance.Ballot
	for rows.Next() {
		b := governance.Ballot{Vote: vote}
		var choice int
		if err := rows.Scan(&b.Practice, &b.CastBy, &b.ProxyHolder, &choice, &b.Weight, scanTime(&b.At)); err != nil {
			return nil, wrapErr("ballots", err)
		}
		b.Choice = governance.Choice(choice)
		out = append(out, b)
	}
	return out, wrapErr("ballots", rows.Err())
}

// putDoc inserts (id 0) or replaces a row of a (id, <cols>, doc) table and
// returns its id; replacing a missing id wraps errs.ErrNotFound.
func (s *Store) putDoc(ctx context.Context, table string, id int64, cols []string, vals []any, v any) (int64, error) {
	doc, err := docArg(v)
	if err != nil {
		return 0, err
	}
	if id == 0 {
		q := fmt.Sprintf(`INSERT INTO %s (%s, doc) VALUES (%s?) RETURNING id`, table, strings.Join(cols, ", "),
			strings.Repeat("?, ", len(cols)))
		err = s.queryRowWrite(ctx, q, append(vals, doc)...).Scan(&id)
		return id, err
	}
	q := fmt.Sprintf(`UPDATE %s SET %s = ?, doc = ? WHERE id = ?`, table, strings.Join(cols, " = ?, "))
	res, err := s.exec(ctx, q, append(vals, doc, id)...)
	if err == nil {
		err = affectedOne(res)
	}
	return id, err
}

func setInterestID(i *governance.Interest, id int64) { i.ID = id }

// PutInterest implements governance.RegisterStore.
func (s *Store) PutInterest(ctx context.Context, i governance.Interest) (int64, error) {
	id, err := s.putDoc(ctx, "gov_interests", i.ID, []string{"person", "organisation"},
		[]any{i.Person, strings.ToUpper(strings.TrimSpace(i.Organisation))}, i)
	return id, wrapErr("put interest", err)
}

// Interests implements governance.RegisterStore.
func (s *Store) Interests(ctx context.Context, person governance.PersonID) ([]governance.Interest, error) {
	q, args := `SELECT id, doc FROM gov_interests`, []any(nil)
	if person != 0 {
		q, args = q+` WHERE person = ?`, append(args, person)
	}
	out, err := docs(ctx, s, setInterestID, q+` ORDER BY id`, args...)
	return out, wrapErr("interests", err)
}

// InterestsIn implements governance.RegisterStore; organisations match
// ignoring case and surrounding spaces.
func (s *Store) InterestsIn(ctx context.Context, organisations []string) ([]governance.Interest, error) {
	if len(organisations) == 0 {
		return nil, nil
	}
	args := make([]any, len(organisations))
	for i, o := range organisations {
		args[i] = strings.ToUpper(strings.TrimSpace(o))
	}
	q := `SELECT id, doc FROM gov_interests WHERE organisation IN (` + strings.TrimSuffix(strings.Repeat("?,", len(args)), ",") + `) ORDER BY id`
	out, err := docs(ctx, s, setInterestID, q, args...)
	return out, wrapErr("interests in organisations", err)
}

// AddConfirmation implements governance.RegisterStore; confirming twice on
// the same day changes nothing.
func (s *Store) AddConfirmation(ctx context.Context, c governance.Confirmation) error {
	_, err := s.exec(ctx, `INSERT INTO gov_confirmations (person, confirmed) VALUES (?, ?) ON CONFLICT (person, confirmed) DO NOTHING`,
		c.Person, dateArg(c.On))
	return wrapErr("add confirmation", err)
}

// LatestConfirmations implements governance.RegisterStore.
func (s *Store) LatestConfirmations(ctx context.Context) (map[governance.PersonID]calendar.Date, error) {
	rows, err := s.query(ctx, `SELECT person, MAX(confirmed) FROM gov_confirmations GROUP BY person`)
	if err != nil {
		return nil, wrapErr("latest confirmations", err)
	}
	defer rows.Close()
	out := map[governance.PersonID]calendar.Date{}
	for rows.Next() {
		var p int64
		var d calendar.Date
		if err := rows.Scan(&p, scanDate(&d)); err != nil {
			return nil, wrapErr("latest confirmations", err)
		}
		out[p] = d
	}
	return out, wrapErr("latest confirmations", rows.Err())
}

func setGiftID(g *governance.Gift, id int64) { g.ID = id }

// PutGift implements governance.RegisterStore.
func (s *Store) PutGift(ctx context.Context, g governance.Gift) (int64, error) {
	id, err := s.putDoc(ctx, "gov_gifts", g.ID, []string{"offered"}, []any{dateArg(g.Offered)}, g)
	return id, wrapErr("put gift", err)
}

// Gift implements governance.RegisterStore.
func (s *Store) Gift(ctx context.Context, id int64) (governance.Gift, error) {
	g, err := one(docs(ctx, s, setGiftID, `SELECT id, doc FROM gov_gifts WHERE id = ?`, id))
	return g, wrapErr(fmt.Sprintf("gift %d", id), err)
}

// Gifts implements governance.RegisterStore.
func (s *Store) Gifts(ctx context.Context, from, to calendar.Date) ([]governance.Gift, error) {
	q := `SELECT id, doc FROM gov_gifts WHERE 1 = 1`
	var args []any
	if !from.IsZero() {
		q, args = q+` AND offered >= ?`, append(args, dateArg(from))
	}
	if !to.IsZero() {
		q, args = q+` AND offered < ?`, append(args, dateArg(to))
	}
	out, err := docs(ctx, s, setGiftID, q+` ORDER BY offered, id`, args...)
	return out, wrapErr("gifts", err)
}

func setProcurementID(p *governance.ProcurementDecision, id int64) { p.ID = id }

// PutProcurement implements governance.RegisterStore.
func (s *Store) PutProcurement(ctx context.Context, p governance.ProcurementDecision) (int64, error) {
	id, err := s.putDoc(ctx, "gov_procurements", p.ID, []string{"decided"}, []any{dateArg(p.Decided)}, p)
	return id, wrapErr("put procurement decision", err)
}

// Procurements implements governance.RegisterStore.
func (s *Store) Procurements(ctx context.Context) ([]governance.ProcurementDecision, error) {
	out, err := docs(ctx, s, setProcurementID, `SELECT id, doc FROM gov_procurements ORDER BY decided DESC, id DESC`)
	return out, wrapErr("procurement decisions", err)
}

func setBreachID(b *governance.Breach, id int64) { b.ID = id }

// PutBreach implements governance.RegisterStore.
func (s *Store) PutBreach(ctx context.Context, b governance.Breach) (int64, error) {
	id, err := s.putDoc(ctx, "gov_breaches", b.ID, []string{"occurred"}, []any{dateArg(b.Occurred)}, b)
	return id, wrapErr("put breach", err)
}

// Breaches implements governance.RegisterStore.
func (s *Store) Breaches(ctx context.Context) ([]governance.Breach, error) {
	out, err := docs(ctx, s, setBreachID, `SELECT id, doc FROM gov_breaches ORDER BY occurred DESC, id DESC`)
	return out, wrapErr("breaches", err)
}
