package duckdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"ccg/internal/analytics"
	"ccg/internal/variation"
)

// Draft is a change to the analytics being prepared: it reads the
// snapshot that was published when it began, with the files it has written
// laid over it, and it publishes them all with one catalog change
// (Publish). Until then nobody else sees its files; Finish(false), or a
// crash, leaves them for GC. A Draft implements variation.Analytics, so
// measures computed in it read only the published snapshot and the draft's
// own new facts.
//
// A Draft is for one goroutine.
type Draft struct {
	s      *Store
	run    string
	conn   *sql.Conn
	unlock func()

	base     map[analytics.Key]analytics.File
	measures map[string]analytics.StoredMeasure // published at Begin
	reads    map[analytics.Key]string           // base path of every key read or written
	staged   map[analytics.Key]analytics.File
	pending  map[string]analytics.StoredMeasure
	seq      int
	done     bool
}

var _ variation.Analytics = (*Draft)(nil)

// newRunID returns a unique, time-ordered id for a draft.
func newRunID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// Begin starts a draft over the snapshot published now. The draft holds a
// lock that keeps GC off its files until Finish.
func (s *Store) Begin(ctx context.Context) (*Draft, error) {
	if err := s.refresh(ctx, true); err != nil {
		return nil, err
	}
	snap, files := s.snapshot()
	d := &Draft{s: s, run: newRunID(), base: files, measures: map[string]analytics.StoredMeasure{},
		reads: map[analytics.Key]string{}, staged: map[analytics.Key]analytics.File{}, pending: map[string]analytics.StoredMeasure{}}
	for _, m := range snap.Measures {
		d.measures[m.ID] = m
	}
	unlock, err := lockRun(s.root, d.run)
	if err != nil {
		return nil, fmt.Errorf("analytics: begin: %w", err)
	}
	d.unlock = unlock
	d.conn, err = s.db.Conn(ctx)
	if err != nil {
		unlock()
		return nil, fmt.Errorf("analytics: begin: %w", err)
	}
	for _, ds := range datasets {
		if err := d.view(ctx, ds); err != nil {
			d.Finish(false)
			return nil, fmt.Errorf("analytics: begin: %w", err)
		}
	}
	return d, nil
}

// Run returns the draft's id (it names the draft's files).
func (d *Draft) Run() string { return d.run }

// touch records the base path of keys the draft reads or replaces.
func (d *Draft) touch(keys ...analytics.Key) {
	for _, k := range keys {
		if _, ok := d.reads[k]; !ok {
			d.reads[k] = d.base[k].Path
		}
	}
}

// view rebuilds the draft's view of a dataset: the base files of the keys
// it has not replaced, and its own.
func (d *Draft) view(ctx context.Context, ds dataset) error {
	var paths []string
	for k, f := range d.base {
		if k.Dataset != ds.name {
			continue
		}
		if _, ok := d.staged[k]; !ok {
			paths = append(paths, d.s.abs(f.Path))
		}
	}
	for k, f := range d.staged {
		if k.Dataset == ds.name {
			paths = append(paths, d.s.abs(f.Path))
		}
	}
	_, err := d.conn.ExecContext(ctx, viewSQL(ds, paths, true))
	return err
}

// write writes the rows of query as the draft's file of dataset × part
// (replacing a file the draft wrote before for it) and lays it over the
// snapshot.
func (d *Draft) write(ctx context.Context, dsName, part, query string) (analytics.File, error) {
	return d.writeOrdered(ctx, dsName, part, query, "")
}

// writeOrdered is write with the rows sorted by orderBy (column names of
// the dataset), so that the file's row groups can be skipped by range.
func (d *Draft) writeOrdered(ctx context.Context, dsName, part, query, orderBy string) (analytics.File, error) {
	if d.done {
		return analytics.File{}, errClosed
	}
	ds, ok := datasetNamed(dsName)
	if !ok {
		return analytics.File{}, fmt.Errorf("analytics: no dataset %q", dsName)
	}
	k := analytics.Key{Dataset: dsName, Part: part}
	d.touch(k)
	d.seq++
	rel := fmt.Sprintf("%s/%s/%s-%d.parquet", dsName, part, d.run, d.seq)
	abs := d.s.abs(rel)
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return analytics.File{}, err
	}
	// The query's columns are taken by position and cast to the dataset's
	// names and types, so every file of a dataset has the same schema.
	cols := ds.fields()
	proj := make([]string, len(cols))
	for i, c := range cols {
		proj[i] = fmt.Sprintf("CAST(#%d AS %s) AS %s", i+1, c[1], c[0])
	}
	q := "SELECT " + strings.Join(proj, ", ") + " FROM (" + query + ")"
	if orderBy != "" {
		q += " ORDER BY " + orderBy
	}
	res, err := d.conn.ExecContext(ctx, "COPY ("+q+") TO '"+sqlString(abs)+"' (FORMAT parquet, COMPRESSION zstd)")
	if err != nil {
		os.Remove(abs)
		return analytics.File{}, fmt.Errorf("write %s %s: %w", dsName, part, err)
	}
	n, _ := res.RowsAffected()
	size, err := syncFile(abs)
	if err != nil {
		os.Remove(abs)
		return analytics.File{}, fmt.Errorf("write %s %s: %w", dsName, part, err)
	}
	if old, ok := d.staged[k]; ok {
		os.Remove(d.s.abs(old.Path))
	}
	f := analytics.File{Key: k, Path: rel, Run: d.run, Rows: n, Bytes: size}
	d.staged[k] = f
	if err := d.view(ctx, ds); err != nil {
		return analytics.File{}, err
	}
	return f, nil
}

// syncFile flushes a written file to disk and returns its size.
func syncFile(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// Files returns the files the draft has written, by dataset and part.
func (d *Draft) Files() []analytics.File {
	out := make([]analytics.File, 0, len(d.staged))
	for _, f := range d.staged {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Dataset != out[j].Dataset {
			return out[i].Dataset < out[j].Dataset
		}
		return out[i].Part < out[j].Part
	})
	return out
}

// Publish makes the draft's files and measure definitions the published
// ones, with one catalog change in the transaction ctx carries (the import
// run's). It fails with errs.ErrConflict when another draft published a
// part this one read or replaces since it began.
func (d *Draft) Publish(ctx context.Context) error {
	if d.done {
		return errClosed
	}
	ch := analytics.Change{Run: d.run, Base: d.reads, Files: d.Files()}
	ids := make([]string, 0, len(d.pending))
	for id := range d.pending {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		ch.Measures = append(ch.Measures, d.pending[id])
	}
	if len(ch.Files) == 0 && len(ch.Measures) == 0 {
		return nil
	}
	if _, err := d.s.cat.Publish(ctx, ch); err != nil {
		return fmt.Errorf("analytics: publish: %w", err)
	}
	return nil
}

// Finish ends the draft: committed says whether the transaction its
// Publish ran in was committed. An uncommitted draft's files are removed.
func (d *Draft) Finish(committed bool) {
	if d.done {
		return
	}
	d.done = true
	if d.conn != nil {
		// The connection holds the draft's temporary views, which shadow
		// the published ones: it must never go back to the pool.
		_ = d.conn.Raw(func(any) error { return driver.ErrBadConn })
		d.conn.Close()
	}
	if !committed {
		for _, f := range d.staged {
			os.Remove(d.s.abs(f.Path))
		}
	}
	d.unlock()
	if committed {
		// Show the publish at once in this process.
		d.s.invalidate()
		_ = d.s.refresh(context.Background(), true)
	}
}

// change runs fn in a draft and publishes it at once (outside any import
// run): the Store's own write methods.
func (s *Store) change(ctx context.Context, fn func(d *Draft) error) error {
	d, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	err = fn(d)
	if err == nil {
		err = d.Publish(ctx)
	}
	d.Finish(err == nil)
	return err
}

// PutMeasure implements variation.Analytics: the definition is published
// with the draft.
func (d *Draft) PutMeasure(ctx context.Context, m variation.Measure) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("analytics: put measure %q: %w", m.ID, err)
	}
	d.pending[m.ID] = analytics.StoredMeasure{ID: m.ID, Definition: string(b), Updated: time.Now().UTC()}
	return nil
}

// StoredMeasures implements variation.Analytics: the published
// definitions and the draft's.
func (d *Draft) StoredMeasures(ctx context.Context) ([]variation.Measure, error) {
	all := map[string]analytics.StoredMeasure{}
	for id, m := range d.measures {
		all[id] = m
	}
	for id, m := range d.pending {
		all[id] = m
	}
	return decodeMeasures(all)
}

// PutMeasure implements variation.Analytics: the definition is published
// at once.
func (s *Store) PutMeasure(ctx context.Context, m variation.Measure) error {
	return s.change(ctx, func(d *Draft) error { return d.PutMeasure(ctx, m) })
}

// StoredMeasures implements variation.Analytics.
func (s *Store) StoredMeasures(ctx context.Context) ([]variation.Measure, error) {
	if err := s.fresh(ctx); err != nil {
		return nil, err
	}
	snap, _ := s.snapshot()
	all := map[string]analytics.StoredMeasure{}
	for _, m := range snap.Measures {
		all[m.ID] = m
	}
	return decodeMeasures(all)
}

func decodeMeasures(all map[string]analytics.StoredMeasure) ([]variation.Measure, error) {
	out := make([]variation.Measure, 0, len(all))
	for id, sm := range all {
		var m variation.Measure
		if err := json.Unmarshal([]byte(sm.Definition), &m); err != nil {
			return nil, fmt.Errorf("analytics: measure %q: %w", id, err)
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Stage implements variation.Snapshots.
func (s *Store) Stage(ctx context.Context) (variation.Draft, error) { return s.Begin(ctx) }

var _ variation.Snapshots = (*Store)(nil)

// WritePart writes the rows of a DuckDB query (its columns those of the
// dataset, in order: see docs/formats/analytics.md) as the draft's file of
// dataset × part (a month, YYYY-MM). Import code uses the typed methods;
// this is for generated data (benchmarks, tests).
func (d *Draft) WritePart(ctx context.Context, dataset, part, query string) (analytics.File, error) {
	return d.write(ctx, dataset, part, query)
}

// PutPart is WritePart in a draft published at once.
func (s *Store) PutPart(ctx context.Context, dataset, part, query string) error {
	return s.change(ctx, func(d *Draft) error {
		_, err := d.WritePart(ctx, dataset, part, query)
		return err
	})
}
