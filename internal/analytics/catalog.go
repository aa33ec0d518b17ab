// Package analytics defines the catalog of ccg's analytics snapshots: the
// port between the analytics files (Parquet, written and read by
// internal/analytics/duckdb) and the SQL store that says which of those
// files are published (internal/store/sqlstore implements Catalog).
//
// An analytics import writes new, immutable files for the parts it
// replaces (a dataset's month), then publishes them with one Catalog change
// in the same SQL transaction that records the import run. Readers query
// exactly the files the catalog names; files it does not name are
// unpublished leftovers or retired, and are removed by garbage collection.
// docs/formats/analytics.md describes the layout.
package analytics

import (
	"context"
	"time"
)

// Layout is the version of the analytics file layout this ccg writes and
// reads. A catalog written by a newer layout is refused.
const Layout = 1

// Key names one part of a dataset: for example dataset "prescribing", part
// "2021-03" (a month, YYYY-MM).
type Key struct {
	Dataset string
	Part    string
}

// File is one published file: the only file of its Key.
type File struct {
	Key
	// Path is relative to the analytics folder, with forward slashes.
	Path string
	// Run is the id of the snapshot that wrote the file.
	Run  string
	Rows int64
	// Bytes is the file's size.
	Bytes int64
}

// StoredMeasure is a measure definition kept with the catalog (as JSON,
// the variation package's Measure).
type StoredMeasure struct {
	ID         string
	Definition string
	Updated    time.Time
}

// Snapshot is the published state: a generation number that grows with
// every publish, the layout, the files and the measure definitions.
type Snapshot struct {
	Generation int64
	Layout     int
	Files      []File
	Measures   []StoredMeasure
}

// Change is one publish: the files that replace their keys' files, and
// measure definitions that replace theirs.
type Change struct {
	Run string
	// Base names, for every key the change read or replaces, the path the
	// key had when the change was computed ("" when it had none). When any
	// key's path differs now, another import published in between and the
	// change is refused (errs.ErrConflict) rather than mixing the two.
	Base     map[Key]string
	Files    []File
	Measures []StoredMeasure
}

// Catalog is the SQL side of the analytics snapshots.
type Catalog interface {
	// Generation returns the number of the current publish (0: none yet).
	Generation(ctx context.Context) (int64, error)
	// Snapshot returns the published state.
	Snapshot(ctx context.Context) (Snapshot, error)
	// Publish applies a change and returns the new generation. It runs in
	// the transaction ctx carries (the import run's) when there is one, so
	// that the change and the run are committed together or not at all.
	// The files a change replaces are recorded as retired at that moment.
	Publish(ctx context.Context, c Change) (int64, error)
	// Retired returns the paths of files retired before the given time.
	Retired(ctx context.Context, before time.Time) ([]string, error)
	// Forget drops retired paths (once their files are removed).
	Forget(ctx context.Context, paths []string) error
}
