package importing

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/errs"
)

// Handler reads one kind of file. It parses and checks each row, writes what
// it accepts (through the stores it was built with, using the context it is
// given, which carries the import's transaction), and tells the Recorder
// about every row. It returns a *FileError when the file as a whole is not
// what it claims to be; the whole import is then undone.
type Handler interface {
	// Kind is the name used on the command line, for example "ods-practices".
	Kind() string
	// Describe says in one plain line what file the kind reads.
	Describe() string
	// Load reads src to the end.
	Load(ctx context.Context, src *Source, rec *Recorder) error
}

// Committer is a Handler with work to do only once its import has been
// committed: work outside the transaction (recomputing figures in another
// store, say) that must not happen for an import that is then undone. It
// runs after every committed import of the kind, also one that changed
// nothing and a file found already imported, so that importing the same
// file again finishes work a crash interrupted. Its error is returned, but the import stays committed.
type Committer interface {
	Handler
	AfterCommit(ctx context.Context) error
}

// Source is a file being imported.
type Source struct {
	// Name is the file's base name, used in every message.
	Name string
	// Months are the months the person importing declared the file holds
	// (Options.Months); nil when not declared.
	Months []calendar.Month
	r      io.Reader
}

// NewSource wraps r as a source named name (for tests and uploads).
func NewSource(name string, r io.Reader) *Source { return &Source{Name: name, r: r} }

// Reader returns the file's bytes.
func (s *Source) Reader() io.Reader { return s.r }

// Errorf returns a *FileError at line and column of this file.
func (s *Source) Errorf(line, column int, format string, args ...any) error {
	return &FileError{File: s.Name, Line: line, Column: column, Err: fmt.Errorf(format, args...)}
}

// Recorder counts rows and keeps rejections while a Handler runs.
type Recorder struct {
	read, accepted, changed int
	rejections              []Rejection
	notes                   []string
}

// Row counts one data row read.
func (r *Recorder) Row() { r.read++ }

// Accept counts one row accepted, and how many stored records it changed.
func (r *Recorder) Accept(changed int) {
	r.accepted++
	r.changed += changed
}

// Changed adds stored changes not tied to one row (for example a month of
// prescribing replaced as a whole).
func (r *Recorder) Changed(n int) { r.changed += n }

// Reject keeps a row aside with its reason.
func (r *Recorder) Reject(rej Rejection) { r.rejections = append(r.rejections, rej) }

// Note adds a plain-language remark to the summary.
func (r *Recorder) Note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

// Counts returns rows read, accepted and rejected so far.
func (r *Recorder) Counts() (read, accepted, rejected int) {
	return r.read, r.accepted, len(r.rejections)
}

// Options adjust one import.
type Options struct {
	// Strict fails the whole import if any row is rejected.
	Strict bool
	// MaxRejectShare fails the import when more than this share of its rows
	// is rejected (a sign the file is not what it claims). Zero means 0.5.
	MaxRejectShare float64
	// Progress is told how far the import has got; nil shows nothing.
	Progress Progress
	// Actor names who is importing.
	Actor string
	// Months, when set, are the months the file holds, as declared by the
	// person importing (--month, --months): handlers of monthly files check
	// every row against them.
	Months []calendar.Month
}

// Auditor writes a line of the audit log, in the transaction ctx carries.
type Auditor interface {
	Record(ctx context.Context, action, subject, detail string) error
}

// Service runs imports.
type Service struct {
	store    Store
	handlers map[string]Handler
	now      func() time.Time
	audit    Auditor
}

// SetAuditor makes every import run write an audit entry (kind, file,
// SHA-256, counts and who), in the same transaction as the run.
func (s *Service) SetAuditor(a Auditor) { s.audit = a }

// NewService returns a Service that records runs in store and knows the
// given handlers.
func NewService(store Store, handlers ...Handler) *Service {
	s := &Service{store: store, handlers: map[string]Handler{}, now: time.Now}
	for _, h := range handlers {
		s.handlers[h.Kind()] = h
	}
	return s
}

// PersonalData is implemented by handlers whose files hold personal data
// (names, e-mail addresses): their rejected rows are shown only to those
// who manage people.
type PersonalData interface {
	PersonalData() bool
}

// Personal reports whether runs of kind may hold personal data in their
// rejected rows: true for handlers that say so, and for kinds this service
// does not know (the safe answer).
func (s *Service) Personal(kind string) bool {
	h, ok := s.handlers[kind]
	if !ok {
		return true
	}
	pd, ok := h.(PersonalData)
	return ok && pd.PersonalData()
}

// Register adds a handler (later capabilities add their own kinds).
func (s *Service) Register(h Handler) { s.handlers[h.Kind()] = h }

// Kinds returns the known handlers, sorted by kind.
func (s *Service) Kinds() []Handler {
	out := make([]Handler, 0, len(s.handlers))
	for _, h := range s.handlers {
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind() < out[j].Kind() })
	return out
}

// ImportFile imports the file at path as kind.
func (s *Service) ImportFile(ctx context.Context, kind, path string, opts Options) (Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return Summary{}, fmt.Errorf("import %s: %w", kind, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Summary{}, fmt.Errorf("import %s: %w", kind, err)
	}
	if st.IsDir() {
		return Summary{}, fmt.Errorf("import %s: %s is a folder, not a file: %w", kind, path, errs.ErrInvalid)
	}
	return s.Import(ctx, kind, filepath.Base(path), f, st.Size(), opts)
}

// Import imports a file given as a seekable reader (a file or an upload).
// size may be 0 when unknown; it only feeds the progress bar.
func (s *Service) Import(ctx context.Context, kind, name string, r io.ReadSeeker, size int64, opts Options) (Summary, error) {
	h, ok := s.handlers[kind]
	if !ok {
		return Summary{}, fmt.Errorf("import: unknown kind %q (see 'ccg help import'): %w", kind, errs.ErrInvalid)
	}
	prog := opts.Progress
	if prog == nil {
		prog = NoProgress{}
	}
	maxShare := opts.MaxRejectShare
	if maxShare <= 0 {
		maxShare = 0.5
	}

	// Only a file of the same size as one imported before can be a repeat.
	// Such a file is hashed in a first pass, and the hash decides; any other
	// file is hashed as it is imported (one pass over a national file
	// instead of two), and its hash is recorded with the run.
	var (
		sum       string
		n         int64
		retryNote string
	)
	maybeRepeat := true
	if size > 0 {
		var err error
		if maybeRepeat, err = s.store.HasImportOfSize(ctx, kind, size); err != nil {
			return Summary{}, fmt.Errorf("import %s: %w", kind, err)
		}
	}
	if maybeRepeat {
		hash := sha256.New()
		var err error
		if n, err = io.Copy(hash, r); err != nil {
			return Summary{}, fmt.Errorf("import %s: read %s: %w", kind, name, err)
		}
		sum = hex.EncodeToString(hash.Sum(nil))
		prev, err := s.store.FindImport(ctx, kind, sum)
		switch {
		case err == nil && prev.Rejected == 0:
			if c, ok := h.(Committer); ok {
				if err := c.AfterCommit(ctx); err != nil {
					return Summary{}, fmt.Errorf("import %s %s: already imported, but then: %w", kind, name, err)
				}
			}
			return Summary{Run: prev, AlreadyImported: true}, nil
		case err == nil:
			// The same file again, but its earlier run rejected rows: they may
			// pass now (for example once the practices they name are imported).
			// Accepted rows are upserts, so they change nothing the second time.
			retryNote = fmt.Sprintf("this file was imported before as run %d with %d rejected rows; imported again", prev.ID, prev.Rejected)
		case !errors.Is(err, errs.ErrNotFound):
			return Summary{}, fmt.Errorf("import %s: %w", kind, err)
		}
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return Summary{}, fmt.Errorf("import %s: rewind %s: %w", kind, name, err)
		}
		if size <= 0 {
			size = n
		}
	}

	run := Run{Kind: kind, File: name, SHA256: sum, Bytes: n, Started: s.now().UTC(), Status: StatusImported, Actor: opts.Actor}
	rec := &Recorder{}
	if retryNote != "" {
		rec.Note("%s", retryNote)
	}
	prog.Start(fmt.Sprintf("%s %s", kind, name), size)
	var in io.Reader = r
	var streamHash hash.Hash
	if sum == "" {
		streamHash = sha256.New()
		in = io.TeeReader(r, streamHash)
	}
	cr := &countingReader{r: bufio.NewReaderSize(in, 1<<20), progress: prog}
	src := &Source{Name: name, r: cr, Months: opts.Months}

	// check applies what must hold before anything is kept: the whole file
	// hashed, --strict, and the share of rejected rows.
	check := func() error {
		if streamHash != nil {
			// Hash what the handler did not read (a trailer, say) too.
			if _, err := io.Copy(io.Discard, cr); err != nil {
				return fmt.Errorf("read %s: %w", name, err)
			}
			run.SHA256, run.Bytes = hex.EncodeToString(streamHash.Sum(nil)), cr.n
		}
		read, _, rejected := rec.Counts()
		if opts.Strict && rejected > 0 {
			first := rec.rejections[0]
			return &FileError{File: name, Line: first.Line, Column: first.Column,
				Err: fmt.Errorf("%s (strict import: %d rejected rows, nothing imported)", first.Reason, rejected)}
		}
		if read > 0 && rejected > 10 && float64(rejected) > maxShare*float64(read) {
			first := rec.rejections[0]
			return &FileError{File: name, Line: first.Line, Column: first.Column,
				Err: fmt.Errorf("%s; %d of %d rows rejected, so this does not look like a %s file: nothing imported",
					first.Reason, rejected, read, kind)}
		}
		return nil
	}
	record := func(ctx context.Context) error {
		run.Read, run.Accepted, run.Rejected, run.Changed = rec.read, rec.accepted, len(rec.rejections), rec.changed
		run.Notes = rec.notes
		run.Finished = s.now().UTC()
		id, err := s.store.RecordImport(ctx, run, rec.rejections)
		if err != nil {
			return fmt.Errorf("record run: %w", err)
		}
		run.ID = id
		if s.audit != nil {
			detail := fmt.Sprintf("%s %s sha256 %s: %d rows read, %d accepted, %d rejected, %d records changed; by %s",
				kind, name, run.SHA256, run.Read, run.Accepted, run.Rejected, run.Changed, run.Actor)
			if err := s.audit.Record(ctx, "import.run", "import:"+strconv.FormatInt(id, 10), detail); err != nil {
				return fmt.Errorf("audit run: %w", err)
			}
		}
		return nil
	}
	var err error
	if st, ok := h.(Stager); ok {
		// The work is done outside the transaction; the change is
		// published with the run only once every check has passed.
		var staged Staged
		staged, err = st.Stage(ctx, src, rec)
		if err == nil {
			err = check()
		}
		if err == nil {
			err = s.store.InTx(ctx, func(ctx context.Context) error {
				if err := staged.Publish(ctx); err != nil {
					return err
				}
				return record(ctx)
			})
		}
		if staged != nil {
			staged.Finish(err == nil)
		}
	} else {
		err = s.store.InTx(ctx, func(ctx context.Context) error {
			if err := h.Load(ctx, src, rec); err != nil {
				return err
			}
			if err := check(); err != nil {
				return err
			}
			return record(ctx)
		})
	}
	prog.Finish()
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			return Summary{}, fmt.Errorf("import %s: %w", kind, err)
		}
		return Summary{}, fmt.Errorf("import %s %s: %w", kind, name, err)
	}
	if c, ok := h.(Committer); ok {
		if err := c.AfterCommit(ctx); err != nil {
			return Summary{}, fmt.Errorf("import %s %s: imported, but then: %w", kind, name, err)
		}
	}
	out := Summary{Run: run}
	keep := rec.rejections
	if len(keep) > 20 {
		keep = keep[:20]
	}
	out.Rejections = keep
	return out, nil
}

// History returns the most recent import runs.
func (s *Service) History(ctx context.Context, limit int) ([]Run, error) {
	if limit <= 0 {
		limit = 100
	}
	runs, err := s.store.Imports(ctx, limit)
	if err != nil {
		return nil, fmt.Errorf("import history: %w", err)
	}
	return runs, nil
}

// RunDetail is one run with its rejected rows.
type RunDetail struct {
	Run        Run         `json:"run"`
	Rejections []Rejection `json:"rejections"`
}

// Detail returns one run with up to limit of its rejected rows.
func (s *Service) Detail(ctx context.Context, id int64, limit int) (RunDetail, error) {
	run, err := s.store.Import(ctx, id)
	if err != nil {
		return RunDetail{}, fmt.Errorf("import run %d: %w", id, err)
	}
	rej, err := s.store.Rejections(ctx, id, limit)
	if err != nil {
		return RunDetail{}, fmt.Errorf("import run %d: %w", id, err)
	}
	return RunDetail{Run: run, Rejections: rej}, nil
}

type countingReader struct {
	r        io.Reader
	n        int64
	progress Progress
	last     int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n-c.last >= 1<<16 || err == io.EOF {
		c.progress.Advance(c.n)
		c.last = c.n
	}
	return n, err
}
