package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"ccg/internal/dmd"
)

var _ dmd.Store = (*Store)(nil)

// ClearDMD implements dmd.Store.
func (s *Store) ClearDMD(ctx context.Context) (int64, error) {
	var deleted int64
	err := s.InTx(ctx, func(ctx context.Context) error {
		r, err := s.exec(ctx, `DELETE FROM dmd_records`)
		if err != nil {
			return err
		}
		deleted, _ = r.RowsAffected()
		_, err = s.exec(ctx, `DELETE FROM dmd_release`)
		return err
	})
	return deleted, wrapErr("dm+d: clear", err)
}

// SetDMDRelease implements dmd.Store.
func (s *Store) SetDMDRelease(ctx context.Context, rel dmd.Release) error {
	err := s.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.exec(ctx, `DELETE FROM dmd_release`); err != nil {
			return err
		}
		_, err := s.exec(ctx, `INSERT INTO dmd_release (id, name, files, records, imported) VALUES (1, ?, ?, ?, ?)`,
			rel.Name, linesArg(rel.Files), rel.Records, timeArg(rel.Imported))
		return err
	})
	return wrapErr("dm+d: set release", err)
}

// AddDMDRecords implements dmd.Store.
func (s *Store) AddDMDRecords(ctx context.Context, recs []dmd.Record) error {
	const batch = 300
	err := s.InTx(ctx, func(ctx context.Context) error {
		for len(recs) > 0 {
			n := min(batch, len(recs))
			var q strings.Builder
			q.WriteString(`INSERT INTO dmd_records (tbl, seq, fields) VALUES `)
			args := make([]any, 0, 3*n)
			for i, r := range recs[:n] {
				if i > 0 {
					q.WriteString(", ")
				}
				q.WriteString("(?, ?, ?)")
				fields, err := json.Marshal(r.Fields)
				if err != nil {
					return err
				}
				args = append(args, r.Table, r.Seq, string(fields))
			}
			if _, err := s.exec(ctx, q.String(), args...); err != nil {
				return err
			}
			recs = recs[n:]
		}
		return nil
	})
	return wrapErr("dm+d: add records", err)
}

// DMDRelease implements dmd.Store.
func (s *Store) DMDRelease(ctx context.Context) (dmd.Release, error) {
	var rel dmd.Release
	var files string
	err := s.queryRow(ctx, `SELECT name, files, records, imported FROM dmd_release WHERE id = 1`).
		Scan(&rel.Name, &files, &rel.Records, scanTime(&rel.Imported))
	if err != nil {
		return dmd.Release{}, wrapErr("dm+d: release", err)
	}
	if files != "" {
		rel.Files = strings.Split(files, "\n")
	}
	return rel, nil
}

// EachDMDRecord implements dmd.Store.
func (s *Store) EachDMDRecord(ctx context.Context, fn func(dmd.Record) error) error {
	rows, err := s.query(ctx, `SELECT tbl, seq, fields FROM dmd_records ORDER BY tbl, seq`)
	if err != nil {
		return wrapErr("dm+d: records", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r dmd.Record
		var fields string
		if err := rows.Scan(&r.Table, &r.Seq, &fields); err != nil {
			return wrapErr("dm+d: records", err)
		}
		if err := json.Unmarshal([]byte(fields), &r.Fields); err != nil {
			return fmt.Errorf("sqlstore: dm+d: record %s %d: %w", r.Table, r.Seq, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return wrapErr("dm+d: records", rows.Err())
}

// ReplaceBNFMapping implements dmd.Store: rows that are the same are left
// alone, so that importing the same mapping again changes nothing.
func (s *Store) ReplaceBNFMapping(ctx context.Context, rows []dmd.Mapping) (int, error) {
	changed := 0
	err := s.InTx(ctx, func(ctx context.Context) error {
		old, err := s.BNFMapping(ctx)
		if err != nil {
			return err
		}
		have := make(map[string]dmd.Mapping, len(old))
		for _, m := range old {
			have[m.SNOMED] = m
		}
		keep := map[string]bool{}
		for _, m := range rows {
			keep[m.SNOMED] = true
			prev, ok := have[m.SNOMED]
			if ok && prev == m {
				continue
			}
			if ok {
				_, err = s.exec(ctx, `UPDATE dmd_bnf_map SET level = ?, bnf_code = ?, bnf_name = ?, dmd_name = ? WHERE snomed_code = ?`,
					m.Level, m.BNFCode, m.BNFName, m.DMDName, m.SNOMED)
			} else {
				_, err = s.exec(ctx, `INSERT INTO dmd_bnf_map (snomed_code, level, bnf_code, bnf_name, dmd_name) VALUES (?, ?, ?, ?, ?)`,
					m.SNOMED, m.Level, m.BNFCode, m.BNFName, m.DMDName)
			}
			if err != nil {
				return err
			}
			have[m.SNOMED] = m
			changed++
		}
		for code := range have {
			if !keep[code] {
				if _, err := s.exec(ctx, `DELETE FROM dmd_bnf_map WHERE snomed_code = ?`, code); err != nil {
					return err
				}
				changed++
			}
		}
		return nil
	})
	return changed, wrapErr("dm+d: replace BNF mapping", err)
}

// BNFMapping implements dmd.Store.
func (s *Store) BNFMapping(ctx context.Context) ([]dmd.Mapping, error) {
	rows, err := s.query(ctx, `SELECT snomed_code, level, bnf_code, bnf_name, dmd_name FROM dmd_bnf_map ORDER BY snomed_code`)
	if err != nil {
		return nil, wrapErr("dm+d: BNF mapping", err)
	}
	defer rows.Close()
	var out []dmd.Mapping
	for rows.Next() {
		var m dmd.Mapping
		if err := rows.Scan(&m.SNOMED, &m.Level, &m.BNFCode, &m.BNFName, &m.DMDName); err != nil {
			return nil, wrapErr("dm+d: BNF mapping", err)
		}
		out = append(out, m)
	}
	return out, wrapErr("dm+d: BNF mapping", rows.Err())
}

// PutReferenceTable implements dmd.Store.
func (s *Store) PutReferenceTable(ctx context.Context, t dmd.ReferenceTable) (bool, error) {
	changed := false
	err := s.InTx(ctx, func(ctx context.Context) error {
		var sum string
		err := s.queryRow(ctx, `SELECT sha256 FROM measure_reference_tables WHERE name = ?`, t.Name).Scan(&sum)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		switch {
		case err == nil && sum == t.SHA256:
			return nil
		case err == nil:
			_, err = s.exec(ctx, `UPDATE measure_reference_tables SET content = ?, sha256 = ?, imported = ? WHERE name = ?`,
				t.Content, t.SHA256, timeArg(t.Imported), t.Name)
		default:
			_, err = s.exec(ctx, `INSERT INTO measure_reference_tables (name, content, sha256, imported) VALUES (?, ?, ?, ?)`,
				t.Name, t.Content, t.SHA256, timeArg(t.Imported))
		}
		changed = err == nil
		return err
	})
	return changed, wrapErr("measure reference table "+t.Name, err)
}

// ReferenceTables implements dmd.Store.
func (s *Store) ReferenceTables(ctx context.Context) ([]dmd.ReferenceTable, error) {
	rows, err := s.query(ctx, `SELECT name, content, sha256, imported FROM measure_reference_tables ORDER BY name`)
	if err != nil {
		return nil, wrapErr("measure reference tables", err)
	}
	defer rows.Close()
	var out []dmd.ReferenceTable
	for rows.Next() {
		var t dmd.ReferenceTable
		if err := rows.Scan(&t.Name, &t.Content, &t.SHA256, scanTime(&t.Imported)); err != nil {
			return nil, wrapErr("measure reference tables", err)
		}
		out = append(out, t)
	}
	return out, wrapErr("measure reference tables", rows.Err())
}
