package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"ccg/internal/analytics"
	"ccg/internal/errs"
)

var _ analytics.Catalog = (*Store)(nil)

// Generation implements analytics.Catalog.
func (s *Store) Generation(ctx context.Context) (int64, error) {
	var g int64
	if err := s.queryRow(ctx, `SELECT generation FROM analytics_state WHERE id = 1`).Scan(&g); err != nil {
		return 0, wrapErr("analytics generation", err)
	}
	return g, nil
}

// Snapshot implements analytics.Catalog: the state, files and measures
// are read in one transaction, so they belong to one generation.
func (s *Store) Snapshot(ctx context.Context) (analytics.Snapshot, error) {
	var snap analytics.Snapshot
	read := func(q querier) error {
		snap = analytics.Snapshot{}
		if err := q.QueryRowContext(ctx, `SELECT generation, layout FROM analytics_state WHERE id = 1`).Scan(&snap.Generation, &snap.Layout); err != nil {
			return err
		}
		rows, err := q.QueryContext(ctx, `SELECT dataset, part, path, run, rows, bytes FROM analytics_files ORDER BY dataset, part`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var f analytics.File
			if err := rows.Scan(&f.Dataset, &f.Part, &f.Path, &f.Run, &f.Rows, &f.Bytes); err != nil {
				rows.Close()
				return err
			}
			snap.Files = append(snap.Files, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = q.QueryContext(ctx, `SELECT id, definition, updated FROM analytics_measures ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m analytics.StoredMeasure
			if err := rows.Scan(&m.ID, &m.Definition, scanTime(&m.Updated)); err != nil {
				return err
			}
			snap.Measures = append(snap.Measures, m)
		}
		return rows.Err()
	}
	// One read-only transaction gives one consistent view: a snapshot
	// (repeatable read) on PostgreSQL, a WAL read snapshot on SQLite.
	var err error
	if t := s.txFrom(ctx); t != nil {
		err = read(t.tx)
	} else {
		var opts *sql.TxOptions
		if s.dialect == Postgres {
			opts = &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
		}
		var tx *sql.Tx
		if tx, err = s.read.BeginTx(ctx, opts); err == nil {
			err = read(tx)
			if rerr := tx.Rollback(); err == nil && rerr != nil && rerr != sql.ErrTxDone {
				err = rerr
			}
		}
	}
	if err != nil {
		return analytics.Snapshot{}, wrapErr("analytics snapshot", err)
	}
	return snap, nil
}

// Publish implements analytics.Catalog. The state row is updated first,
// which serialises concurrent publishes (PostgreSQL holds the row lock to
// the end of the transaction; SQLite has one writer); the bases are then
// checked against what is committed now.
func (s *Store) Publish(ctx context.Context, c analytics.Change) (int64, error) {
	var gen int64
	err := s.InTx(ctx, func(ctx context.Context) error {
		var layout int
		if err := s.queryRowWrite(ctx, `UPDATE analytics_state SET generation = generation + 1 WHERE id = 1 RETURNING generation, layout`).Scan(&gen, &layout); err != nil {
			return err
		}
		if layout != analytics.Layout {
			return fmt.Errorf("the analytics catalog has layout %d, this ccg writes layout %d: %w", layout, analytics.Layout, errs.ErrConflict)
		}
		keys := make([]analytics.Key, 0, len(c.Base))
		for k := range c.Base {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if keys[i].Dataset != keys[j].Dataset {
				return keys[i].Dataset < keys[j].Dataset
			}
			return keys[i].Part < keys[j].Part
		})
		for _, k := range keys {
			now, err := s.filePath(ctx, k)
			if err != nil {
				return err
			}
			if now != c.Base[k] {
				return fmt.Errorf("another import published %s %s while this one ran (run it again): %w", k.Dataset, k.Part, errs.ErrConflict)
			}
		}
		retired := timeArg(time.Now())
		for _, f := range c.Files {
			old, err := s.filePath(ctx, f.Key)
			if err != nil {
				return err
			}
			if old != "" {
				if _, err := s.exec(ctx, `DELETE FROM analytics_files WHERE dataset = ? AND part = ?`, f.Dataset, f.Part); err != nil {
					return err
				}
				if old != f.Path {
					if _, err := s.exec(ctx, `INSERT INTO analytics_retired (path, retired) VALUES (?, ?)`, old, retired); err != nil {
						return err
					}
				}
			}
			if _, err := s.exec(ctx, `INSERT INTO analytics_files (dataset, part, path, run, rows, bytes, generation) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				f.Dataset, f.Part, f.Path, f.Run, f.Rows, f.Bytes, gen); err != nil {
				return err
			}
		}
		for _, m := range c.Measures {
			if _, err := s.exec(ctx, `DELETE FROM analytics_measures WHERE id = ?`, m.ID); err != nil {
				return err
			}
			if _, err := s.exec(ctx, `INSERT INTO analytics_measures (id, definition, updated) VALUES (?, ?, ?)`,
				m.ID, m.Definition, timeArg(m.Updated)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, wrapErr("analytics publish", err)
	}
	return gen, nil
}

func (s *Store) filePath(ctx context.Context, k analytics.Key) (string, error) {
	rows, err := s.query(ctx, `SELECT path FROM analytics_files WHERE dataset = ? AND part = ?`, k.Dataset, k.Part)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	p := ""
	if rows.Next() {
		if err := rows.Scan(&p); err != nil {
			return "", err
		}
	}
	return p, rows.Err()
}

// Retired implements analytics.Catalog.
func (s *Store) Retired(ctx context.Context, before time.Time) ([]string, error) {
	rows, err := s.query(ctx, `SELECT path FROM analytics_retired WHERE retired < ? ORDER BY path`, timeArg(before))
	if err != nil {
		return nil, wrapErr("analytics retired files", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, wrapErr("analytics retired files", err)
		}
		out = append(out, p)
	}
	return out, wrapErr("analytics retired files", rows.Err())
}

// Forget implements analytics.Catalog.
func (s *Store) Forget(ctx context.Context, paths []string) error {
	return wrapErr("analytics forget retired files", s.InTx(ctx, func(ctx context.Context) error {
		for _, p := range paths {
			if _, err := s.exec(ctx, `DELETE FROM analytics_retired WHERE path = ?`, p); err != nil {
				return err
			}
		}
		return nil
	}))
}

// querier is a transaction or a pool.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}
