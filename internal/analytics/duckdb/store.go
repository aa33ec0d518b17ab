// Package duckdb is ccg's analytics store: prescribing and referral facts
// and computed measure values, kept as immutable Parquet files in the
// analytics folder of the data folder and queried with DuckDB in-process.
// It implements the variation.Analytics port.
//
// Which files are current is said by a catalog in the SQL store
// (analytics.Catalog). A Store opens a private in-memory DuckDB database
// and defines one view per dataset over exactly the files the catalog
// names; it checks the catalog's generation at most every PollInterval
// and rebuilds the views when it has moved, so a running server shows a
// new import within seconds and several servers over one catalog and one
// folder serve the same figures.
//
// Changes are made in a Draft (Begin): it writes new files for the parts it
// replaces, reads the published snapshot with its own files laid over it,
// and is published by one catalog change (Draft.Publish), in the SQL
// transaction that records the import run. Files no catalog entry names
// are removed by GC (never those of a draft still running). See
// docs/formats/analytics.md.
//
// Prescribing files are read by DuckDB itself (read_csv with explicit
// columns and types, summed per practice × presentation × month as they
// are read), fed through named pipes so that ccg's import pipeline can
// count the bytes for its progress bar and DuckDB can still parse in
// parallel. See Draft.ImportPrescribing.
package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	duckdbdriver "github.com/duckdb/duckdb-go/v2"

	"ccg/internal/analytics"
	"ccg/internal/errs"
)

// Store is the analytics store: a reader of the published snapshot, and
// the place drafts begin. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	conn *duckdbdriver.Connector
	root string // the analytics folder
	tmp  string // this process's DuckDB spill and pipe folder
	own  bool   // root is a temporary folder removed on Close
	cat  analytics.Catalog
	poll time.Duration

	mu      sync.Mutex // guards the fields below and view rebuilds
	checked time.Time
	snap    analytics.Snapshot
	files   map[analytics.Key]analytics.File

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt
}

// Options tune the store. The zero value suits a desktop machine.
type Options struct {
	// MemoryLimit caps DuckDB's memory (for example "3GB"); "" means 3GB.
	MemoryLimit string
	// Threads caps DuckDB's threads; 0 means the number of CPUs.
	Threads int
	// PollInterval is how often readers check the catalog for a new
	// publish; 0 means 2 seconds.
	PollInterval time.Duration
}

// Open opens a stand-alone store: files in the folder dir (a temporary
// folder, removed on Close, when dir is "" or ":memory:") and the catalog
// kept in memory, so every change is published as soon as it is made. It
// is for tests and benchmarks; ccg itself uses OpenCatalog.
func Open(ctx context.Context, dir string) (*Store, error) {
	return OpenCatalog(ctx, dir, NewMemoryCatalog(), Options{})
}

// OpenCatalog opens the store over the analytics folder root (created
// when missing) and the catalog cat. Files left behind by imports that
// were killed are removed first (GC).
func OpenCatalog(ctx context.Context, root string, cat analytics.Catalog, opts Options) (*Store, error) {
	if opts.MemoryLimit == "" {
		opts.MemoryLimit = "3GB"
	}
	if opts.Threads <= 0 {
		opts.Threads = runtime.NumCPU()
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 2 * time.Second
	}
	own := false
	if root == "" || root == ":memory:" {
		d, err := os.MkdirTemp("", "ccg-analytics-*")
		if err != nil {
			return nil, fmt.Errorf("analytics: open: %w", err)
		}
		root, own = d, true
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("analytics: open %s: %w", root, err)
	}
	root = abs
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o750); err != nil {
		return nil, fmt.Errorf("analytics: open %s: %w", root, err)
	}
	tmp, err := os.MkdirTemp(filepath.Join(root, "tmp"), tempPrefix()+"*")
	if err != nil {
		return nil, fmt.Errorf("analytics: open %s: %w", root, err)
	}
	connector, err := duckdbdriver.NewConnector("", nil)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("analytics: open %s: %w", root, err)
	}
	db := sql.OpenDB(connector)
	s := &Store{db: db, conn: connector, root: root, tmp: tmp, own: own, cat: cat, poll: opts.PollInterval}
	settings := []string{
		fmt.Sprintf("SET memory_limit = '%s'", opts.MemoryLimit),
		fmt.Sprintf("SET threads = %d", opts.Threads),
		fmt.Sprintf("SET temp_directory = '%s'", sqlString(tmp)),
		"SET preserve_insertion_order = false",
		"SET enable_object_cache = true",
	}
	for _, q := range settings {
		if _, err := db.ExecContext(ctx, q); err != nil {
			s.Close()
			return nil, fmt.Errorf("analytics: open %s: %s: %w", root, q, err)
		}
	}
	for _, d := range datasets {
		if _, err := db.ExecContext(ctx, "CREATE TABLE empty_"+d.name+" ("+d.columns+")"); err != nil {
			s.Close()
			return nil, fmt.Errorf("analytics: open: %w", err)
		}
	}
	if err := s.refresh(ctx, true); err != nil {
		s.Close()
		return nil, err
	}
	if _, err := s.GC(ctx, DefaultGrace); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database and removes this process's temporary files.
func (s *Store) Close() error {
	s.stmtMu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = nil
	s.stmtMu.Unlock()
	err := s.db.Close()
	os.RemoveAll(s.tmp)
	if s.own {
		os.RemoveAll(s.root)
	}
	return err
}

// DB returns the database handle, for benchmarks and ad-hoc queries over
// the views of the published snapshot.
func (s *Store) DB() *sql.DB { return s.db }

// Root returns the analytics folder.
func (s *Store) Root() string { return s.root }

// Catalog returns the catalog the store reads.
func (s *Store) Catalog() analytics.Catalog { return s.cat }

// dataset is one kind of file in the layout.
type dataset struct {
	name    string
	columns string // DuckDB column definitions, in file order
	// view, when set, is the SQL of the view over the files (%s: the
	// files' relation); else the view is the files themselves.
	view     string
	viewName string // the view's name when it differs from the dataset's
}

// The datasets. Every part is a month (YYYY-MM).
var datasets = []dataset{
	{name: "prescribing", columns: `month DATE NOT NULL, practice VARCHAR NOT NULL, bnf_code VARCHAR NOT NULL,
		items DOUBLE NOT NULL, quantity DOUBLE NOT NULL, actual_cost DOUBLE NOT NULL, nic DOUBLE NOT NULL, adq DOUBLE`},
	{name: "presentations", columns: `month DATE NOT NULL, bnf_code VARCHAR NOT NULL, name VARCHAR NOT NULL`,
		view: "SELECT bnf_code, arg_max(name, month) AS name FROM %s GROUP BY bnf_code"},
	{name: "prescribing_issues", viewName: "data_issues", columns: `month DATE NOT NULL, source VARCHAR NOT NULL,
		practice VARCHAR NOT NULL, issue VARCHAR NOT NULL, row_count BIGINT NOT NULL`},
	{name: "referrals", columns: `month DATE NOT NULL, practice VARCHAR NOT NULL, function_code VARCHAR NOT NULL,
		sex VARCHAR NOT NULL, age_band VARCHAR NOT NULL, priority VARCHAR NOT NULL, referrals DOUBLE NOT NULL`},
	{name: "measure_values", columns: `measure_id VARCHAR NOT NULL, month DATE NOT NULL, level VARCHAR NOT NULL,
		org_code VARCHAR NOT NULL, numerator DOUBLE NOT NULL, denominator DOUBLE NOT NULL, value DOUBLE, percentile DOUBLE,
		cs10 DOUBLE, cs20 DOUBLE, cs30 DOUBLE, cs40 DOUBLE, cs50 DOUBLE, cs60 DOUBLE, cs70 DOUBLE, cs80 DOUBLE, cs90 DOUBLE,
		lower95 DOUBLE, upper95 DOUBLE, lower998 DOUBLE, upper998 DOUBLE, adjusted BOOLEAN, z DOUBLE,
		high95 BOOLEAN NOT NULL, low95 BOOLEAN NOT NULL, high998 BOOLEAN NOT NULL, low998 BOOLEAN NOT NULL,
		quality VARCHAR NOT NULL, standardised VARCHAR`},
	{name: "measure_deciles", columns: `measure_id VARCHAR NOT NULL, month DATE NOT NULL, level VARCHAR NOT NULL,
		p10 DOUBLE, p20 DOUBLE, p30 DOUBLE, p40 DOUBLE, p50 DOUBLE, p60 DOUBLE, p70 DOUBLE, p80 DOUBLE, p90 DOUBLE,
		org_count INTEGER NOT NULL, numerator DOUBLE NOT NULL, denominator DOUBLE NOT NULL,
		cs10 DOUBLE, cs20 DOUBLE, cs30 DOUBLE, cs40 DOUBLE, cs50 DOUBLE, cs60 DOUBLE, cs70 DOUBLE, cs80 DOUBLE, cs90 DOUBLE,
		funnel_method VARCHAR, target DOUBLE, phi DOUBLE, tau2 DOUBLE, adjusted BOOLEAN`},
}

// fields returns the dataset's columns as name, type pairs.
func (d dataset) fields() [][2]string {
	var out [][2]string
	for _, c := range strings.Split(d.columns, ",") {
		f := strings.Fields(c)
		out = append(out, [2]string{f[0], f[1]})
	}
	return out
}

func datasetNamed(name string) (dataset, bool) {
	for _, d := range datasets {
		if d.name == name {
			return d, true
		}
	}
	return dataset{}, false
}

// viewSQL returns the CREATE statement of a dataset's view over paths
// (absolute), as a temporary view when temp.
func viewSQL(d dataset, paths []string, temp bool) string {
	rel := "empty_" + d.name
	if len(paths) > 0 {
		sort.Strings(paths)
		q := make([]string, len(paths))
		for i, p := range paths {
			q[i] = "'" + sqlString(p) + "'"
		}
		// union_by_name: a file written before a column was added (the
		// measure values' standardised, say) reads it as NULL.
		rel = "read_parquet([" + strings.Join(q, ", ") + "], hive_partitioning = false, union_by_name = true)"
	}
	body := "SELECT * FROM " + rel
	if d.view != "" {
		body = fmt.Sprintf(d.view, rel)
	}
	name := d.name
	if d.viewName != "" {
		name = d.viewName
	}
	kind := "VIEW"
	if temp {
		kind = "TEMP VIEW"
	}
	return "CREATE OR REPLACE " + kind + " " + name + " AS " + body
}

// abs returns the absolute path of a catalog path.
func (s *Store) abs(rel string) string { return filepath.Join(s.root, filepath.FromSlash(rel)) }

// refresh checks the catalog's generation (when force, or when the last
// check is older than the poll interval) and rebuilds the views when it
// has moved.
func (s *Store) refresh(ctx context.Context, force bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !force && time.Since(s.checked) < s.poll {
		return nil
	}
	gen, err := s.cat.Generation(ctx)
	if err != nil {
		return fmt.Errorf("analytics: catalog: %w", err)
	}
	if gen == s.snap.Generation && s.files != nil {
		s.checked = time.Now()
		return nil
	}
	snap, err := s.cat.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("analytics: catalog: %w", err)
	}
	if snap.Layout > analytics.Layout {
		return fmt.Errorf("analytics: the catalog was written by a newer ccg (analytics layout %d; this ccg reads layout %d): upgrade ccg: %w",
			snap.Layout, analytics.Layout, errs.ErrConflict)
	}
	files := map[analytics.Key]analytics.File{}
	for _, f := range snap.Files {
		files[f.Key] = f
	}
	for _, d := range datasets {
		var paths []string
		for _, f := range snap.Files {
			if f.Dataset == d.name {
				paths = append(paths, s.abs(f.Path))
			}
		}
		if _, err := s.db.ExecContext(ctx, viewSQL(d, paths, false)); err != nil {
			return fmt.Errorf("analytics: open snapshot %d: %w", snap.Generation, err)
		}
	}
	s.snap, s.files, s.checked = snap, files, time.Now()
	s.stmtMu.Lock()
	closeLater(s.stmts)
	s.stmts = nil
	s.stmtMu.Unlock()
	return nil
}

// closeLater closes prepared statements of an earlier generation once the
// queries that may still use them are over.
func closeLater(stmts map[string]*sql.Stmt) {
	if len(stmts) == 0 {
		return
	}
	time.AfterFunc(time.Minute, func() {
		for _, st := range stmts {
			st.Close()
		}
	})
}

// fresh brings the views up to date when the poll interval has passed.
// When the catalog cannot be read (the database restarting, say) the
// snapshot already open goes on being served, and the next poll tries
// again.
func (s *Store) fresh(ctx context.Context) error {
	err := s.refresh(ctx, false)
	if err == nil || ctx.Err() != nil {
		return err
	}
	s.mu.Lock()
	opened, gen := s.files != nil, s.snap.Generation
	if opened {
		s.checked = time.Now()
	}
	s.mu.Unlock()
	if !opened {
		return err
	}
	slog.Warn("analytics: cannot check the catalog for a new snapshot; serving the one open", "generation", gen, "err", err)
	return nil
}

// Generation returns the catalog generation the views show (after
// checking for a newer one when the poll interval has passed).
func (s *Store) Generation(ctx context.Context) int64 {
	if err := s.fresh(ctx); err != nil {
		return -1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snap.Generation
}

// snapshot returns the snapshot the views show.
func (s *Store) snapshot() (analytics.Snapshot, map[analytics.Key]analytics.File) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snap, s.files
}

// invalidate makes the next read check the catalog.
func (s *Store) invalidate() {
	s.mu.Lock()
	s.checked = time.Time{}
	s.mu.Unlock()
}

// sqlString escapes s for a single-quoted SQL literal.
func sqlString(s string) string { return strings.ReplaceAll(s, "'", "''") }

// errClosed is returned by a draft used after Finish.
var errClosed = errors.New("analytics: the draft is finished")

// tempPrefix names this process's temporary folder: host and process id,
// so that GC on any machine sharing the folder removes only folders of its
// own machine's processes that are gone.
func tempPrefix() string {
	host, _ := os.Hostname()
	host = strings.NewReplacer("/", "", "_", "", string(filepath.Separator), "").Replace(host)
	return fmt.Sprintf("%s_p%d_", host, os.Getpid())
}
