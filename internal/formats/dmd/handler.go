package dmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"ccg/internal/dmd"
	"ccg/internal/importing"
)

// Handler is the "dmd" import kind.
type Handler struct {
	store dmd.Store
	now   func() time.Time
}

// NewHandler returns the dm+d handler over store (nil when the handler
// only names itself, for `ccg help import`).
func NewHandler(store dmd.Store) *Handler { return &Handler{store: store, now: time.Now} }

// Kind implements importing.Handler.
func (h *Handler) Kind() string { return "dmd" }

// Describe implements importing.Handler.
func (h *Handler) Describe() string {
	return "the NHSBSA dm+d weekly release: a FOLDER holding f_vtm2, f_vmp2, f_vmpp2, f_amp2, f_ampp2, f_ingredient2, f_lookup2 (and f_gtin2) XML files; replaces the stored release"
}

// fileName is a release file's name: f_<kind>2_<release>.xml.
var fileName = regexp.MustCompile(`^f_([a-z]+)2_([0-9]+)\.xml$`)

// requiredKinds must be in a release folder; f_gtin2 may be missing.
var requiredKinds = []string{"lookup", "ingredient", "vtm", "vmp", "amp", "vmpp", "ampp"}

// bundleMagic starts the stream a release folder is read as.
const bundleMagic = "ccg dm+d release folder v1\n"

// Bundle is a release folder read as one stream (so that the import
// pipeline can hash it, show progress and import it all-or-nothing): a
// first line naming the format, then for each release file a line
// "file NAME SIZE" followed by its bytes.
type Bundle struct {
	Name  string // the folder's base name
	Files []string
	Size  int64
	dir   string
	r     io.Reader
	open  []*os.File
}

// OpenFolder opens a release folder as a Bundle. It fails when a required
// file is missing or a kind appears twice.
func OpenFolder(dir string) (*Bundle, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("dm+d: %w", err)
	}
	byKind := map[string]string{}
	for _, e := range entries {
		m := fileName.FindStringSubmatch(strings.ToLower(e.Name()))
		if e.IsDir() || m == nil {
			continue
		}
		if _, known := rootElements[m[1]]; !known {
			continue
		}
		if prev, dup := byKind[m[1]]; dup {
			return nil, fmt.Errorf("dm+d: %s holds two %s files (%s and %s): one release at a time", dir, m[1], prev, e.Name())
		}
		byKind[m[1]] = e.Name()
	}
	var missing []string
	for _, k := range requiredKinds {
		if byKind[k] == "" {
			missing = append(missing, "f_"+k+"2_*.xml")
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("dm+d: %s is not a dm+d release folder: %s missing (download the weekly release from the NHSBSA and unzip it)", dir, strings.Join(missing, ", "))
	}
	b := &Bundle{Name: filepath.Base(dir), dir: dir}
	for _, k := range dmd.FileKinds {
		if n := byKind[k]; n != "" {
			b.Files = append(b.Files, n)
		}
	}
	b.Size = int64(len(bundleMagic))
	for _, n := range b.Files {
		st, err := os.Stat(filepath.Join(dir, n))
		if err != nil {
			return nil, fmt.Errorf("dm+d: %w", err)
		}
		b.Size += int64(len(fileHeader(n, st.Size()))) + st.Size()
	}
	return b, b.rewind()
}

func fileHeader(name string, size int64) string { return fmt.Sprintf("file %s %d\n", name, size) }

func (b *Bundle) rewind() error {
	b.closeFiles()
	readers := []io.Reader{strings.NewReader(bundleMagic)}
	for _, n := range b.Files {
		f, err := os.Open(filepath.Join(b.dir, n))
		if err != nil {
			b.closeFiles()
			return fmt.Errorf("dm+d: %w", err)
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			b.closeFiles()
			return fmt.Errorf("dm+d: %w", err)
		}
		b.open = append(b.open, f)
		readers = append(readers, strings.NewReader(fileHeader(n, st.Size())), io.LimitReader(f, st.Size()))
	}
	b.r = io.MultiReader(readers...)
	return nil
}

func (b *Bundle) closeFiles() {
	for _, f := range b.open {
		f.Close()
	}
	b.open = nil
}

// Read implements io.Reader.
func (b *Bundle) Read(p []byte) (int, error) { return b.r.Read(p) }

// Seek implements io.Seeker for rewinding only (offset 0 from the start).
func (b *Bundle) Seek(offset int64, whence int) (int64, error) {
	if offset != 0 || whence != io.SeekStart {
		return 0, errors.New("dm+d: a release folder can only be read again from its start")
	}
	return 0, b.rewind()
}

// Close closes the files.
func (b *Bundle) Close() error {
	b.closeFiles()
	return nil
}

// batchSize is how many records are written at a time.
const batchSize = 1000

// Load implements importing.Handler: it reads a Bundle stream.
func (h *Handler) Load(ctx context.Context, src *importing.Source, rec *importing.Recorder) error {
	if h.store == nil {
		return errors.New("dmd: no store")
	}
	br := bufio.NewReaderSize(src.Reader(), 1<<16)
	magic, err := br.ReadString('\n')
	if err != nil || magic != bundleMagic {
		return src.Errorf(1, 1, "give the dm+d release FOLDER (the unzipped weekly release), not a single file")
	}
	deleted, err := h.store.ClearDMD(ctx)
	if err != nil {
		return fmt.Errorf("dmd: %w", err)
	}
	rel := dmd.Release{Imported: h.now().UTC()}
	var batch []dmd.Record
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := h.store.AddDMDRecords(ctx, batch); err != nil {
			return fmt.Errorf("dmd: %w", err)
		}
		batch = batch[:0]
		return nil
	}
	// prevVMP maps a previous VMP identifier (VPIDPREV) to the current one,
	// so that references to the old identifier are followed.
	prevVMP := map[string]string{}
	followed := 0
	perTable := map[string]int{}
	for {
		line, err := br.ReadString('\n')
		if err == io.EOF && line == "" {
			break
		}
		parts := strings.Fields(line)
		if err != nil || len(parts) != 3 || parts[0] != "file" {
			return &importing.FileError{File: src.Name, Err: errors.New("the release folder stream is damaged")}
		}
		name := parts[1]
		size, perr := strconv.ParseInt(parts[2], 10, 64)
		m := fileName.FindStringSubmatch(strings.ToLower(name))
		if perr != nil || m == nil {
			return &importing.FileError{File: src.Name, Err: fmt.Errorf("the release folder stream names %q, which is not a release file", name)}
		}
		kind := m[1]
		if rel.Name == "" || kind == "vmp" {
			rel.Name = m[2]
		}
		rel.Files = append(rel.Files, name)
		body := io.LimitReader(br, size)
		err = ReadFile(name, kind, body, func(e Element) error {
			rec.Row()
			if e.Table == "vmp" {
				if prev := e.Get("VPIDPREV"); prev != "" {
					prevVMP[prev] = e.Get("VPID")
				}
			} else {
				for i, f := range e.Fields {
					if f.Tag == "VPID" {
						if cur, ok := prevVMP[f.Value]; ok {
							e.Fields[i].Value = cur
							followed++
						}
					}
				}
			}
			rec.Accept(1)
			perTable[e.Table]++
			rel.Records++
			batch = append(batch, e.Record)
			if len(batch) >= batchSize {
				return flush()
			}
			return nil
		}, func(p Problem) {
			rec.Row()
			rec.Reject(importing.Rejection{Line: p.Line, Column: p.Column, Field: p.Tag, Reason: name + ": " + p.Reason})
		})
		if err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, body); err != nil {
			return fmt.Errorf("dmd: read %s: %w", name, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if rel.Records == 0 {
		return &importing.FileError{File: src.Name, Err: errors.New("the release holds no dm+d records")}
	}
	if err := h.store.SetDMDRelease(ctx, rel); err != nil {
		return fmt.Errorf("dmd: %w", err)
	}
	tables := make([]string, 0, len(perTable))
	for t, n := range perTable {
		tables = append(tables, fmt.Sprintf("%s %d", t, n))
	}
	sort.Strings(tables)
	rec.Note("dm+d release %s: %d records replace %d (%s)", rel.Name, rel.Records, deleted, strings.Join(tables, ", "))
	if followed > 0 {
		rec.Note("%d references to previous VMP identifiers (VPIDPREV) were followed to the current VMP", followed)
	}
	return nil
}
