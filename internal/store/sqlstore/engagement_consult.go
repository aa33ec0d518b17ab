package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"ccg/internal/engagement"
	"ccg/internal/errs"
)

// ---- consultations ----

const consultationColumns = `id, decision_id, title, question, proposal, options, opens, closes, opened_by, you_said_we_did, you_said_we_did_by, you_said_we_did_on`

// PutConsultation implements engagement.ConsultationStore.
func (s *Store) PutConsultation(ctx context.Context, c engagement.Consultation) (int64, error) {
	const op = "put consultation"
	opts := ""
	if len(c.Options) > 0 {
		b, err := json.Marshal(c.Options)
		if err != nil {
			return 0, fmt.Errorf("sqlstore: %s: %w", op, err)
		}
		opts = string(b)
	}
	args := []any{c.Decision, c.Title, c.Question, c.Proposal, opts, dateArg(c.Opens), dateArg(c.Closes), c.OpenedBy,
		c.YouSaidWeDid, c.YouSaidWeDidBy, dateArg(c.YouSaidWeDidOn)}
	if c.ID == 0 {
		err := s.queryRowWrite(ctx, `INSERT INTO eng_consultations (decision_id, title, question, proposal, options, opens, closes, opened_by,
			you_said_we_did, you_said_we_did_by, you_said_we_did_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, args...).Scan(&c.ID)
		return c.ID, wrapErr(op, err)
	}
	res, err := s.exec(ctx, `UPDATE eng_consultations SET decision_id = ?, title = ?, question = ?, proposal = ?, options = ?, opens = ?,
		closes = ?, opened_by = ?, you_said_we_did = ?, you_said_we_did_by = ?, you_said_we_did_on = ? WHERE id = ?`, append(args, c.ID)...)
	if err != nil {
		return 0, wrapErr(op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, fmt.Errorf("sqlstore: %s %d: %w", op, c.ID, errs.ErrNotFound)
	}
	return c.ID, nil
}

func engScanConsultation(row interface{ Scan(...any) error }) (engagement.Consultation, error) {
	var c engagement.Consultation
	var opts string
	if err := row.Scan(&c.ID, &c.Decision, &c.Title, &c.Question, &c.Proposal, &opts, scanDate(&c.Opens), scanDate(&c.Closes),
		&c.OpenedBy, &c.YouSaidWeDid, &c.YouSaidWeDidBy, scanDate(&c.YouSaidWeDidOn)); err != nil {
		return c, err
	}
	if opts != "" {
		if err := json.Unmarshal([]byte(opts), &c.Options); err != nil {
			return c, fmt.Errorf("stored options: %w", err)
		}
	}
	return c, nil
}

// Consultation implements engagement.ConsultationStore.
func (s *Store) Consultation(ctx context.Context, id int64) (engagement.Consultation, error) {
	c, err := engScanConsultation(s.queryRow(ctx, `SELECT `+consultationColumns+` FROM eng_consultations WHERE id = ?`, id))
	return c, wrapErr(fmt.Sprintf("consultation %d", id), err)
}

// Consultations implements engagement.ConsultationStore.
func (s *Store) Consultations(ctx context.Context, f engagement.ConsultationFilter) ([]engagement.Consultation, error) {
	const op = "consultations"
	q := `SELECT ` + consultationColumns + ` FROM eng_consultations`
	var args []any
	if f.Decision != 0 {
		q += ` WHERE decision_id = ?`
		args = append(args, f.Decision)
	}
	q += ` ORDER BY opens DESC, id DESC` + engLimit(f.Limit, f.Offset)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, wrapErr(op, err)
	}
	defer rows.Close()
	var out []engagement.Consultation
	for rows.Next() {
		c, err := engScanConsultation(rows)
		if err != nil {
			return nil, wrapErr(op, err)
		}
		out = append(out, c)
	}
	return out, wrapErr(op, rows.Err())
}

// engLimit renders LIMIT/OFFSET for non-negative integers (0: no limit).
func engLimit(limit, offset int) string {
	switch {
	case limit > 0 && offset > 0:
		return fmt.Sprintf(" LIMIT %d OFFSET %d", limit, offset)
	case limit > 0:
		return fmt.Sprintf(" LIMIT %d", limit)
	case offset > 0:
		return fmt.Sprintf(" LIMIT 1000000000 OFFSET %d", offset)
	}
	return ""
}

// UpsertConsultationResponse implements engagement.ConsultationStore.
func (s *Store) UpsertConsultationResponse(ctx context.Context, r engagement.ConsultationResponse) (bool, error) {
	op := fmt.Sprintf("response of person %d to consultation %d", r.Person, r.Consultation)
	created := false
	err := s.InTx(ctx, func(ctx context.Context) error {
		res, err := s.exec(ctx, `UPDATE eng_consultation_responses SET practice = ?, position = ?, option_id = ?, comment = ?, updated = ?
			WHERE consultation_id = ? AND person_id = ?`, r.Practice, string(r.Position), r.Option, r.Comment, timeArg(r.Updated), r.Consultation, r.Person)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		created = true
		_, err = s.exec(ctx, `INSERT INTO eng_consultation_responses (consultation_id, person_id, practice, position, option_id, comment, created, updated)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.Consultation, r.Person, r.Practice, string(r.Position), r.Option, r.Comment, timeArg(r.Created), timeArg(r.Updated))
		return err
	})
	return created, wrapErr(op, err)
}

// ConsultationResponses implements engagement.ConsultationStore.
func (s *Store) ConsultationResponses(ctx context.Context, consultation int64) ([]engagement.ConsultationResponse, error) {
	const op = "consultation responses"
	rows, err := s.query(ctx, `SELECT person_id, practice, position, option_id, comment, created, updated FROM eng_consultation_responses
		WHERE consultation_id = ? ORDER BY created, person_id`, consultation)
	if err != nil {
		return nil, wrapErr(op, err)
	}
	defer rows.Close()
	var out []engagement.ConsultationResponse
	for rows.Next() {
		r := engagement.ConsultationResponse{Consultation: consultation}
		var pos string
		if err := rows.Scan(&r.Person, &r.Practice, &pos, &r.Option, &r.Comment, scanTime(&r.Created), scanTime(&r.Updated)); err != nil {
			return nil, wrapErr(op, err)
		}
		r.Position = engagement.Position(pos)
		out = append(out, r)
	}
	return out, wrapErr(op, rows.Err())
}

// ---- questions and concerns ----

const questionColumns = `id, kind, asker, practice, to_body, subject, body, private, status, assigned_to, answer, answered_by,
	submitted, acknowledged, assigned, answered, published`

// PutQuestion implements engagement.QuestionStore.
func (s *Store) PutQuestion(ctx context.Context, q engagement.Question) (int64, error) {
	const op = "put question"
	args := []any{string(q.Kind), q.Asker, q.Practice, q.To, q.Subject, q.Text, boolInt(q.Private), string(q.Status), q.AssignedTo,
		q.Answer, q.AnsweredBy, timeArg(q.Submitted), timeArg(q.Acknowledged), timeArg(q.Assigned), timeArg(q.Answered), timeArg(q.Published)}
	if q.ID == 0 {
		err := s.queryRowWrite(ctx, `INSERT INTO eng_questions (kind, asker, practice, to_body, subject, body, private, status, assigned_to,
			answer, answered_by, submitted, acknowledged, assigned, answered, published) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			args...).Scan(&q.ID)
		return q.ID, wrapErr(op, err)
	}
	res, err := s.exec(ctx, `UPDATE eng_questions SET kind = ?, asker = ?, practice = ?, to_body = ?, subject = ?, body = ?, private = ?,
		status = ?, assigned_to = ?, answer = ?, answered_by = ?, submitted = ?, acknowledged = ?, assigned = ?, answered = ?, published = ?
		WHERE id = ?`, append(args, q.ID)...)
	if err != nil {
		return 0, wrapErr(op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, fmt.Errorf("sqlstore: %s %d: %w", op, q.ID, errs.ErrNotFound)
	}
	return q.ID, nil
}

func engScanQuestion(row interface{ Scan(...any) error }) (engagement.Question, error) {
	var q engagement.Question
	var kind, status string
	var private int
	if err := row.Scan(&q.ID, &kind, &q.Asker, &q.Practice, &q.To, &q.Subject, &q.Text, &private, &status, &q.AssignedTo,
		&q.Answer, &q.AnsweredBy, scanTime(&q.Submitted), scanTime(&q.Acknowledged), scanTime(&q.Assigned), scanTime(&q.Answered),
		scanTime(&q.Published)); err != nil {
		return q, err
	}
	q.Kind, q.Status, q.Private = engagement.QuestionKind(kind), engagement.QuestionStatus(status), private != 0
	return q, nil
}

// Question implements engagement.QuestionStore.
func (s *Store) Question(ctx context.Context, id int64) (engagement.Question, error) {
	q, err := engScanQuestion(s.queryRow(ctx, `SELECT `+questionColumns+` FROM eng_questions WHERE id = ?`, id))
	return q, wrapErr(fmt.Sprintf("question %d", id), err)
}

// Questions implements engagement.QuestionStore.
func (s *Store) Questions(ctx context.Context, f engagement.QuestionFilter) ([]engagement.Question, error) {
	const op = "questions"
	q := `SELECT ` + questionColumns + ` FROM eng_questions WHERE 1 = 1`
	var args []any
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	if f.To != "" {
		q += ` AND to_body = ?`
		args = append(args, f.To)
	}
	if f.Asker != 0 {
		q += ` AND asker = ?`
		args = append(args, f.Asker)
	}
	q += ` ORDER BY submitted DESC, id DESC` + engLimit(f.Limit, f.Offset)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, wrapErr(op, err)
	}
	defer rows.Close()
	var out []engagement.Question
	for rows.Next() {
		qu, err := engScanQuestion(rows)
		if err != nil {
			return nil, wrapErr(op, err)
		}
		out = append(out, qu)
	}
	return out, wrapErr(op, rows.Err())
}
