// Package importing runs every ccg import the same way: the file is read as a
// stream, checked row by row, and written in one transaction, so that an
// import is all-or-nothing; the same file imported again changes nothing; a
// row that fails a check is rejected and kept with its file, line, column and
// reason; and a file that is not what it claims to be fails with a message
// naming where, leaving the store exactly as it was.
//
// Each kind of file (ODS practices, list sizes, prescribing, ...) is a
// Handler. Handlers parse and validate; the Service hashes the file, checks
// whether it was imported before, reports progress, counts, keeps rejected
// rows, and records the run.
package importing

import (
	"context"
	"fmt"
	"time"

	"ccg/internal/txn"
)

// FileError is an error at a place in a file. Its message reads
// "FILE:LINE:COLUMN: reason" so that editors and people can find the spot.
// Line and Column count from 1; a Column of 0 means the whole line, and a
// Line of 0 the whole file.
type FileError struct {
	File   string
	Line   int
	Column int
	Err    error
}

// Error implements error.
func (e *FileError) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	case e.Column == 0:
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Column, e.Err)
}

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

// Rejection is one row that failed a check and was left out of an import.
type Rejection struct {
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Field  string `json:"field"`  // the column's name, where it has one
	Reason string `json:"reason"` // plain words: what is wrong and what was expected
	Record string `json:"record"` // the row as read, for people to inspect
}

// Status is how an import run ended.
type Status string

// Run statuses. Failed runs are not stored (a failed import leaves the store
// as it was); they exist so the caller can report them.
const (
	StatusImported Status = "imported"
	StatusFailed   Status = "failed"
)

// Run is the record of one import of one file.
type Run struct {
	ID       int64     `json:"id"`
	Kind     string    `json:"kind"`
	File     string    `json:"file"`   // the file's base name
	SHA256   string    `json:"sha256"` // of the whole file, hex
	Bytes    int64     `json:"bytes"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Status   Status    `json:"status"`
	Read     int       `json:"read"`     // data rows read
	Accepted int       `json:"accepted"` // rows that passed every check
	Rejected int       `json:"rejected"` // rows kept aside with reasons
	Changed  int       `json:"changed"`  // stored records that this run inserted or altered
	// Notes are plain-language remarks for the summary (for example
	// "3 practices in the file are not in the registry").
	Notes []string `json:"notes,omitempty"`
	// Actor names who ran the import ("cli", or a person's email).
	Actor string `json:"actor,omitempty"`
}

// Summary is what an import reports when it ends.
type Summary struct {
	Run
	// AlreadyImported is true when this exact file was imported before; then
	// nothing was written and Run describes the earlier run.
	AlreadyImported bool `json:"already_imported"`
	// Rejections holds the first rejected rows (the store keeps them all).
	Rejections []Rejection `json:"rejections,omitempty"`
}

// Store keeps the record of import runs and their rejected rows.
type Store interface {
	txn.Runner
	// FindImport returns the successful run of kind with this file hash; it
	// wraps errs.ErrNotFound when there is none.
	FindImport(ctx context.Context, kind, sha256 string) (Run, error)
	// HasImportOfSize reports whether a successful run of kind read a file
	// of exactly this many bytes (only such a file can be a repeat, so a
	// new file is hashed while it is imported instead of in a pass before).
	HasImportOfSize(ctx context.Context, kind string, bytes int64) (bool, error)
	// RecordImport stores a finished run and all its rejections and returns
	// the run's id.
	RecordImport(ctx context.Context, r Run, rejected []Rejection) (int64, error)
	// Imports returns the most recent runs, newest first.
	Imports(ctx context.Context, limit int) ([]Run, error)
	// Import returns one run.
	Import(ctx context.Context, id int64) (Run, error)
	// Rejections returns up to limit rejected rows of a run, in file order.
	Rejections(ctx context.Context, runID int64, limit int) ([]Rejection, error)
}

// Stager is a Handler whose work is done before the import's transaction
// and published inside it: Stage reads the file and prepares the change
// (for example new analytics files nobody sees yet) without making it
// visible; the Service then applies the --strict and reject-share rules,
// and only when they pass calls Publish in the transaction that records
// the run. Finish is always called at the end with whether that
// transaction was committed, so that an unpublished change is discarded.
// Heavy imports stage so that the SQL transaction stays short and nothing
// is visible before every check has passed.
type Stager interface {
	Handler
	Stage(ctx context.Context, src *Source, rec *Recorder) (Staged, error)
}

// LoadStaged is the Load of a Stager: the change staged and published at
// once, in the transaction ctx carries.
func LoadStaged(ctx context.Context, h Stager, src *Source, rec *Recorder) error {
	st, err := h.Stage(ctx, src, rec)
	if err != nil {
		return err
	}
	err = st.Publish(ctx)
	st.Finish(err == nil)
	return err
}

// Staged is a change a Stager prepared.
type Staged interface {
	// Publish makes the change visible, in the transaction ctx carries.
	Publish(ctx context.Context) error
	// Finish ends the change; committed says whether Publish's transaction
	// was committed.
	Finish(committed bool)
}

// Progress is told how far through a file an import is. Implementations
// draw a bar on a terminal or feed a page; all methods may be called from the
// importing goroutine only.
type Progress interface {
	// Start is called once with the file's size in bytes (0 when unknown).
	Start(label string, total int64)
	// Advance is called with the number of bytes read so far.
	Advance(done int64)
	// Finish is called once at the end, whatever the outcome.
	Finish()
}

// NoProgress is a Progress that shows nothing.
type NoProgress struct{}

// Start implements Progress.
func (NoProgress) Start(string, int64) {}

// Advance implements Progress.
func (NoProgress) Advance(int64) {}

// Finish implements Progress.
func (NoProgress) Finish() {}
