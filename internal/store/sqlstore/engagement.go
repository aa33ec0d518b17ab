package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"ccg/internal/engagement"
	"ccg/internal/errs"
)

var _ engagement.Store = (*Store)(nil)

// ---- surveys and waves ----

// PutSurvey implements engagement.SurveyStore.
func (s *Store) PutSurvey(ctx context.Context, sv engagement.Survey) (int64, error) {
	q, err := json.Marshal(sv.Questionnaire)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: put survey: %w", err)
	}
	if sv.ID == 0 {
		err := s.queryRowWrite(ctx, `INSERT INTO eng_surveys (title, questionnaire, created, created_by) VALUES (?, ?, ?, ?) RETURNING id`,
			sv.Title, string(q), dateArg(sv.Created), sv.CreatedBy).Scan(&sv.ID)
		return sv.ID, wrapErr("put survey", err)
	}
	res, err := s.exec(ctx, `UPDATE eng_surveys SET title = ?, questionnaire = ?, created = ?, created_by = ? WHERE id = ?`,
		sv.Title, string(q), dateArg(sv.Created), sv.CreatedBy, sv.ID)
	if err != nil {
		return 0, wrapErr("put survey", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, fmt.Errorf("sqlstore: put survey %d: %w", sv.ID, errs.ErrNotFound)
	}
	return sv.ID, nil
}

const surveyColumns = `id, title, questionnaire, created, created_by`

func engScanSurvey(row interface{ Scan(...any) error }) (engagement.Survey, error) {
	var sv engagement.Survey
	var q string
	if err := row.Scan(&sv.ID, &sv.Title, &q, scanDate(&sv.Created), &sv.CreatedBy); err != nil {
		return sv, err
	}
	if err := json.Unmarshal([]byte(q), &sv.Questionnaire); err != nil {
		return sv, fmt.Errorf("stored questionnaire: %w", err)
	}
	return sv, nil
}

// Survey implements engagement.SurveyStore.
func (s *Store) Survey(ctx context.Context, id int64) (engagement.Survey, error) {
	sv, err := engScanSurvey(s.queryRow(ctx, `SELECT `+surveyColumns+` FROM eng_surveys WHERE id = ?`, id))
	return sv, wrapErr(fmt.Sprintf("survey %d", id), err)
}

// Surveys implements engagement.SurveyStore.
func (s *Store) Surveys(ctx context.Context) ([]engagement.Survey, error) {
	rows, err := s.query(ctx, `SELECT `+surveyColumns+` FROM eng_surveys ORDER BY created DESC, id DESC`)
	if err != nil {
		return nil, wrapErr("surveys", err)
	}
	defer rows.Close()
	var out []engagement.Survey
	for rows.Next() {
		sv, err := engScanSurvey(rows)
		if err != nil {
			return nil, wrapErr("surveys", err)
		}
		out = append(out, sv)
	}
	return out, wrapErr("surveys", rows.Err())
}

// PutWave implements engagement.SurveyStore.
func (s *Store) PutWave(ctx context.Context, w engagement.Wave) (int64, error) {
	if w.ID == 0 {
		err := s.queryRowWrite(ctx, `INSERT INTO eng_waves (survey_id, name, opens, closes, invited) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			w.Survey, w.Name, dateArg(w.Opens), dateArg(w.Closes), w.Invited).Scan(&w.ID)
		return w.ID, wrapErr("put wave", err)
	}
	res, err := s.exec(ctx, `UPDATE eng_waves SET survey_id = ?, name = ?, opens = ?, closes = ?, invited = ? WHERE id = ?`,
		w.Survey, w.Name, dateArg(w.Opens), dateArg(w.Closes), w.Invited, w.ID)
	if err != nil {
		return 0, wrapErr("put wave", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, fmt.Errorf("sqlstore: put wave %d: %w", w.ID, errs.ErrNotFound)
	}
	return w.ID, nil
}

const waveColumns = `id, survey_id, name, opens, closes, invited`

func engScanWave(row interface{ Scan(...any) error }) (engagement.Wave, error) {
	var w engagement.Wave
	err := row.Scan(&w.ID, &w.Survey, &w.Name, scanDate(&w.Opens), scanDate(&w.Closes), &w.Invited)
	return w, err
}

// Wave implements engagement.SurveyStore.
func (s *Store) Wave(ctx context.Context, id int64) (engagement.Wave, error) {
	w, err := engScanWave(s.queryRow(ctx, `SELECT `+waveColumns+` FROM eng_waves WHERE id = ?`, id))
	return w, wrapErr(fmt.Sprintf("wave %d", id), err)
}

// Waves implements engagement.SurveyStore.
func (s *Store) Waves(ctx context.Context, survey int64) ([]engagement.Wave, error) {
	rows, err := s.query(ctx, `SELECT `+waveColumns+` FROM eng_waves WHERE survey_id = ? ORDER BY opens, id`, survey)
	if err != nil {
		return nil, wrapErr("waves", err)
	}
	defer rows.Close()
	var out []engagement.Wave
	for rows.Next() {
		w, err := engScanWave(rows)
		if err != nil {
			return nil, wrapErr("waves", err)
		}
		out = append(out, w)
	}
	return out, wrapErr("waves", rows.Err())
}

// ---- invitations, responses and tallies ----

// AddInvitations implements engagement.SurveyStore. It records the number
// invited on the wave too.
func (s *Store) AddInvitations(ctx context.Context, wave int64, invs []engagement.Invitation, practices []engagement.PracticeTally, classes []engagement.ClassTally) error {
	op := fmt.Sprintf("add invitations to wave %d", wave)
	err := s.InTx(ctx, func(ctx context.Context) error {
		for _, iv := range invs {
			c := iv.Class
			if _, err := s.exec(ctx, `INSERT INTO eng_invitations (token_hash, wave_id, locality, role, leadership, size) VALUES (?, ?, ?, ?, ?, ?)`,
				iv.TokenHash, wave, c.Locality, string(c.Role), string(c.Leadership), string(c.Size)); err != nil {
				return err
			}
		}
		for _, p := range practices {
			if _, err := s.exec(ctx, `INSERT INTO eng_practice_tallies (wave_id, practice, locality, invited, complete, partial, break_off) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				wave, p.Practice, p.Locality, p.Invited, p.Complete, p.Partial, p.BreakOff); err != nil {
				return err
			}
		}
		for _, ct := range classes {
			c := ct.Class
			if _, err := s.exec(ctx, `INSERT INTO eng_class_tallies (wave_id, locality, role, leadership, size, invited) VALUES (?, ?, ?, ?, ?, ?)`,
				wave, c.Locality, string(c.Role), string(c.Leadership), string(c.Size), ct.Invited); err != nil {
				return err
			}
		}
		return nil
	})
	return wrapErr(op, err)
}

// Invitation implements engagement.SurveyStore.
func (s *Store) Invitation(ctx context.Context, tokenHash string) (engagement.Invitation, error) {
	const op = "invitation"
	iv := engagement.Invitation{TokenHash: tokenHash}
	var role, lead, size string
	err := s.queryRow(ctx, `SELECT wave_id, locality, role, leadership, size FROM eng_invitations WHERE token_hash = ?`, tokenHash).
		Scan(&iv.Wave, &iv.Class.Locality, &role, &lead, &size)
	if err == nil {
		iv.Class.Role, iv.Class.Leadership, iv.Class.Size = engagement.RoleGroup(role), engagement.Leadership(lead), engagement.SizeBand(size)
		return iv, nil
	}
	if mapErr(err) == errs.ErrNotFound {
		used, uerr := s.engTokenUsed(ctx, tokenHash)
		if uerr != nil {
			return iv, wrapErr(op, uerr)
		}
		if used {
			return iv, fmt.Errorf("sqlstore: %s: already used: %w", op, errs.ErrConflict)
		}
	}
	return iv, wrapErr(op, err)
}

func (s *Store) engTokenUsed(ctx context.Context, tokenHash string) (bool, error) {
	var n int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM eng_used_tokens WHERE token_hash = ?`, tokenHash).Scan(&n); err != nil {
		return false, err
	}
	return n > 0, nil
}

// BurnInvitation implements engagement.SurveyStore: the delete and the
// insert of the bare hash happen in one transaction, and the hash's primary
// key makes a second burn a conflict on both engines.
func (s *Store) BurnInvitation(ctx context.Context, tokenHash string) error {
	const op = "burn invitation"
	err := s.InTx(ctx, func(ctx context.Context) error {
		used, err := s.engTokenUsed(ctx, tokenHash)
		if err != nil {
			return err
		}
		if used {
			return fmt.Errorf("already used: %w", errs.ErrConflict)
		}
		res, err := s.exec(ctx, `DELETE FROM eng_invitations WHERE token_hash = ?`, tokenHash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.ErrNotFound
		}
		_, err = s.exec(ctx, `INSERT INTO eng_used_tokens (token_hash) VALUES (?)`, tokenHash)
		return err
	})
	return wrapErr(op, err)
}

// engRandomKey returns 128 random bits in hex: the key that orders responses
// by nothing to do with when they came.
func engRandomKey() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// AddResponse implements engagement.SurveyStore.
func (s *Store) AddResponse(ctx context.Context, r engagement.Response) error {
	const op = "add response"
	a, err := json.Marshal(r.Answers)
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	key, err := engRandomKey()
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	c := r.Class
	_, err = s.exec(ctx, `INSERT INTO eng_responses (sort_key, wave_id, locality, role, leadership, size, disposition, answers) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		key, r.Wave, c.Locality, string(c.Role), string(c.Leadership), string(c.Size), string(r.Disposition), string(a))
	return wrapErr(op, err)
}

// CountResponse implements engagement.SurveyStore.
func (s *Store) CountResponse(ctx context.Context, wave int64, practice string, d engagement.Disposition) error {
	op := fmt.Sprintf("count response for %s in wave %d", practice, wave)
	var col string
	switch d {
	case engagement.Complete:
		col = "complete"
	case engagement.Partial:
		col = "partial"
	case engagement.BreakOff:
		col = "break_off"
	default:
		return fmt.Errorf("sqlstore: %s: unknown disposition %q: %w", op, d, errs.ErrInvalid)
	}
	res, err := s.exec(ctx, `UPDATE eng_practice_tallies SET `+col+` = `+col+` + 1 WHERE wave_id = ? AND practice = ?`, wave, practice)
	if err != nil {
		return wrapErr(op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlstore: %s: no tally: %w", op, errs.ErrNotFound)
	}
	return nil
}

// Responses implements engagement.SurveyStore: ordered by their random key.
func (s *Store) Responses(ctx context.Context, wave int64) ([]engagement.Response, error) {
	const op = "responses"
	rows, err := s.query(ctx, `SELECT locality, role, leadership, size, disposition, answers FROM eng_responses WHERE wave_id = ? ORDER BY sort_key`, wave)
	if err != nil {
		return nil, wrapErr(op, err)
	}
	defer rows.Close()
	var out []engagement.Response
	for rows.Next() {
		r := engagement.Response{Wave: wave}
		var role, lead, size, disp, a string
		if err := rows.Scan(&r.Class.Locality, &role, &lead, &size, &disp, &a); err != nil {
			return nil, wrapErr(op, err)
		}
		r.Class.Role, r.Class.Leadership, r.Class.Size = engagement.RoleGroup(role), engagement.Leadership(lead), engagement.SizeBand(size)
		r.Disposition = engagement.Disposition(disp)
		if err := json.Unmarshal([]byte(a), &r.Answers); err != nil {
			return nil, fmt.Errorf("sqlstore: %s: stored answers: %w", op, err)
		}
		out = append(out, r)
	}
	return out, wrapErr(op, rows.Err())
}

// PracticeTallies implements engagement.SurveyStore.
func (s *Store) PracticeTallies(ctx context.Context, wave int64) ([]engagement.PracticeTally, error) {
	const op = "practice tallies"
	rows, err := s.query(ctx, `SELECT practice, locality, invited, complete, partial, break_off FROM eng_practice_tallies WHERE wave_id = ? ORDER BY practice `+s.engByteOrder(), wave)
	if err != nil {
		return nil, wrapErr(op, err)
	}
	defer rows.Close()
	var out []engagement.PracticeTally
	for rows.Next() {
		var p engagement.PracticeTally
		if err := rows.Scan(&p.Practice, &p.Locality, &p.Invited, &p.Complete, &p.Partial, &p.BreakOff); err != nil {
			return nil, wrapErr(op, err)
		}
		out = append(out, p)
	}
	return out, wrapErr(op, rows.Err())
}

// ClassTallies implements engagement.SurveyStore.
func (s *Store) ClassTallies(ctx context.Context, wave int64) ([]engagement.ClassTally, error) {
	const op = "class tallies"
	rows, err := s.query(ctx, `SELECT locality, role, leadership, size, invited FROM eng_class_tallies WHERE wave_id = ? ORDER BY leadership, role, locality, size`, wave)
	if err != nil {
		return nil, wrapErr(op, err)
	}
	defer rows.Close()
	var out []engagement.ClassTally
	for rows.Next() {
		var c engagement.ClassTally
		var role, lead, size string
		if err := rows.Scan(&c.Class.Locality, &role, &lead, &size, &c.Invited); err != nil {
			return nil, wrapErr(op, err)
		}
		c.Class.Role, c.Class.Leadership, c.Class.Size = engagement.RoleGroup(role), engagement.Leadership(lead), engagement.SizeBand(size)
		out = append(out, c)
	}
	return out, wrapErr(op, rows.Err())
}

// engByteOrder returns the collation that sorts text by bytes.
func (s *Store) engByteOrder() string { return s.dialect.Vars().ByteOrder }
