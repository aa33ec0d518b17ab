// Package measureref imports the small reference tables OpenPrescribing's
// measure definitions join to (for example opioid_ing_form_ome.csv, the
// oral morphine equivalence of each opioid ingredient and form, or an ADQ
// table), as the "measure-reference" kind. The table's name is the file
// name without .csv; importing a table of the same name replaces it.
package measureref

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"ccg/internal/dmd"
	"ccg/internal/importing"
)

// Handler is the "measure-reference" import kind.
type Handler struct {
	store dmd.Store
	now   func() time.Time
}

// NewHandler returns the handler over store (nil: it only names itself).
func NewHandler(store dmd.Store) *Handler { return &Handler{store: store, now: time.Now} }

// Kind implements importing.Handler.
func (h *Handler) Kind() string { return "measure-reference" }

// Describe implements importing.Handler.
func (h *Handler) Describe() string {
	return "a reference table for measure definitions, as CSV with a header (e.g. opioid_ing_form_ome.csv); its name is the file name"
}

const maxTable = 32 << 20

var (
	tableName  = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	columnName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)
)

// Load implements importing.Handler.
func (h *Handler) Load(ctx context.Context, src *importing.Source, rec *importing.Recorder) error {
	if h.store == nil {
		return errors.New("measure-reference: no store")
	}
	name := strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(src.Name, ".csv"), ".CSV"))
	if !tableName.MatchString(name) {
		return src.Errorf(0, 0, "the table is named after the file: %q must be lower-case letters, digits and '_' (as a definition names it), ending .csv", src.Name)
	}
	data, err := io.ReadAll(io.LimitReader(src.Reader(), maxTable+1))
	if err != nil {
		return fmt.Errorf("measure-reference: read %s: %w", src.Name, err)
	}
	if len(data) > maxTable {
		return src.Errorf(0, 0, "a reference table is small; this file is over %d MB", maxTable>>20)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\uFEFF")))
	header, err := r.Read()
	if err != nil {
		return src.Errorf(1, 0, "no header row: %v", err)
	}
	seen := map[string]bool{}
	for i, c := range header {
		c = strings.TrimSpace(c)
		if !columnName.MatchString(c) || seen[strings.ToLower(c)] {
			return src.Errorf(1, i+1, "column %q is not a usable column name (letters, digits, '_', not repeated)", c)
		}
		seen[strings.ToLower(c)] = true
	}
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return src.Errorf(pe.Line, pe.Column, "%v", pe.Err)
			}
			return src.Errorf(0, 0, "%v", err)
		}
		rec.Row()
		rec.Accept(0)
		_ = row
	}
	read, _, _ := rec.Counts()
	if read == 0 {
		return src.Errorf(2, 0, "the table has no rows")
	}
	sum := sha256.Sum256(data)
	changed, err := h.store.PutReferenceTable(ctx, dmd.ReferenceTable{Name: name, Content: string(data), SHA256: hex.EncodeToString(sum[:]), Imported: h.now().UTC()})
	if err != nil {
		return fmt.Errorf("measure-reference: %w", err)
	}
	if changed {
		rec.Changed(1)
	}
	rec.Note("reference table %s: %d rows, columns %s", name, read, strings.Join(header, ", "))
	return nil
}
