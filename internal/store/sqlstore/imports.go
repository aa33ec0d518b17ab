package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"ccg/internal/errs"
	"ccg/internal/importing"
)

var _ importing.Store = (*Store)(nil)

const runColumns = `id, kind, file, sha256, bytes, started, finished, status,
	read_rows, accepted, rejected, changed, notes, actor`

func scanRun(sc interface{ Scan(...any) error }) (importing.Run, error) {
	var r importing.Run
	var status string
	err := sc.Scan(&r.ID, &r.Kind, &r.File, &r.SHA256, &r.Bytes, scanTime(&r.Started), scanTime(&r.Finished),
		&status, &r.Read, &r.Accepted, &r.Rejected, &r.Changed, scanLines(&r.Notes), &r.Actor)
	r.Status = importing.Status(status)
	return r, err
}

// FindImport implements importing.Store.
func (s *Store) FindImport(ctx context.Context, kind, sha256 string) (importing.Run, error) {
	r, err := scanRun(s.queryRow(ctx, `SELECT `+runColumns+` FROM import_runs
		WHERE kind = ? AND sha256 = ? AND status = ? ORDER BY id DESC LIMIT 1`,
		kind, sha256, string(importing.StatusImported)))
	if err != nil {
		return importing.Run{}, wrapErr(fmt.Sprintf("find import %s %s", kind, sha256), err)
	}
	return r, nil
}

// HasImportOfSize implements importing.Store.
func (s *Store) HasImportOfSize(ctx context.Context, kind string, bytes int64) (bool, error) {
	var one int
	err := s.queryRow(ctx, `SELECT 1 FROM import_runs WHERE kind = ? AND bytes = ? AND status = ? LIMIT 1`,
		kind, bytes, string(importing.StatusImported)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, wrapErr(fmt.Sprintf("find import %s of %d bytes", kind, bytes), err)
	}
	return true, nil
}

// RecordImport implements importing.Store: the run and all its rejections
// are written in one transaction (the caller's, when there is one). A second
// successful run of the same kind and file hash fails with errs.ErrConflict.
func (s *Store) RecordImport(ctx context.Context, r importing.Run, rejected []importing.Rejection) (int64, error) {
	if r.Kind == "" || r.SHA256 == "" {
		return 0, fmt.Errorf("sqlstore: record import: kind and sha256 are required: %w", errs.ErrInvalid)
	}
	if r.Status == "" {
		r.Status = importing.StatusImported
	}
	var id int64
	err := s.InTx(ctx, func(ctx context.Context) error {
		err := s.queryRowWrite(ctx, `INSERT INTO import_runs (kind, file, sha256, bytes, started, finished,
			status, read_rows, accepted, rejected, changed, notes, actor)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.Kind, r.File, r.SHA256, r.Bytes, timeArg(r.Started), timeArg(r.Finished), string(r.Status),
			r.Read, r.Accepted, r.Rejected, r.Changed, cleanText(linesArg(r.Notes)), r.Actor).Scan(&id)
		if err != nil {
			return err
		}
		const batch = 200 // 7 values a row
		for start := 0; start < len(rejected); start += batch {
			end := min(start+batch, len(rejected))
			args := make([]any, 0, 7*(end-start))
			for i, rej := range rejected[start:end] {
				args = append(args, id, start+i+1, rej.Line, rej.Column, cleanText(rej.Field), cleanText(rej.Reason),
					cleanText(rej.Record))
			}
			if _, err := s.exec(ctx, `INSERT INTO import_rejections (run_id, seq, line, column_no, field, reason, record)
				VALUES `+placeholders(end-start, 7), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, wrapErr(fmt.Sprintf("record import %s %s", r.Kind, r.File), err)
	}
	return id, nil
}

// Imports implements importing.Store. A limit of 0 or less returns every run.
func (s *Store) Imports(ctx context.Context, limit int) ([]importing.Run, error) {
	q := `SELECT ` + runColumns + ` FROM import_runs ORDER BY id DESC`
	var args []any
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, wrapErr("imports", err)
	}
	defer rows.Close()
	var out []importing.Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, wrapErr("imports", err)
		}
		out = append(out, r)
	}
	return out, wrapErr("imports", rows.Err())
}

// Import implements importing.Store.
func (s *Store) Import(ctx context.Context, id int64) (importing.Run, error) {
	r, err := scanRun(s.queryRow(ctx, `SELECT `+runColumns+` FROM import_runs WHERE id = ?`, id))
	if err != nil {
		return importing.Run{}, wrapErr(fmt.Sprintf("import run %d", id), err)
	}
	return r, nil
}

// Rejections implements importing.Store, in file order (by line, then in
// the order they were found). A limit of 0 or less returns them all; an
// unknown run has none.
func (s *Store) Rejections(ctx context.Context, runID int64, limit int) ([]importing.Rejection, error) {
	q := `SELECT line, column_no, field, reason, record FROM import_rejections
		WHERE run_id = ? ORDER BY line, seq`
	args := []any{runID}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	op := fmt.Sprintf("rejections of run %d", runID)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, wrapErr(op, err)
	}
	defer rows.Close()
	var out []importing.Rejection
	for rows.Next() {
		var rej importing.Rejection
		if err := rows.Scan(&rej.Line, &rej.Column, &rej.Field, &rej.Reason, &rej.Record); err != nil {
			return nil, wrapErr(op, err)
		}
		out = append(out, rej)
	}
	return out, wrapErr(op, rows.Err())
}

// ImportsStamp names the state of the import runs: their number and the
// newest id. It changes whenever an import is recorded, in the transaction
// of the import's changes, so it serves as the version of what imports
// write (the registry: see variation.CachedRegistry). Both are needed:
// PostgreSQL may commit a lower id after a higher one.
func (s *Store) ImportsStamp(ctx context.Context) (string, error) {
	var n, id int64
	if err := s.queryRow(ctx, `SELECT count(*), COALESCE(max(id), 0) FROM import_runs`).Scan(&n, &id); err != nil {
		return "", wrapErr("imports stamp", err)
	}
	return fmt.Sprintf("%d/%d", n, id), nil
}
