// Package listsize imports the number of patients registered at each GP
// practice, by month, sex and age band, as NHS Digital publishes it in
// "Patients registered at a GP practice" (gp-reg-pat-prac-quin-age.csv):
// a header row, then one row per practice, sex and five-year age band.
// Columns are matched by name, old and new (ORG_CODE or CODE, ORG_TYPE or
// TYPE, AGE_GROUP_5 or AGE); the month is the month of EXTRACT_DATE, in
// whichever form the release writes it (01SEP2017, 2017-09-01, 01/09/2017).
//
// The older quarterly layout, one row per practice with a column per sex and
// age band (Month, Practice Code, Male 0-4 … Female 75+), is recognised
// from its header and read too.
//
// The file is read as a stream and written in batches, so a national month
// (about 300,000 rows) is imported in bounded memory.
package listsize

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/importing"
	"ccg/internal/registry"
)

// BatchSize is how many list-size rows are written at a time.
const BatchSize = 5000

// Handler imports list-size files.
type Handler struct {
	reg *registry.Service
}

// NewHandler returns the "list-sizes" handler. It keeps list sizes for
// practices not (yet) in the registry, since list sizes may arrive first,
// and counts them in a note.
func NewHandler(reg *registry.Service) importing.Handler { return &Handler{reg: reg} }

// Kind implements importing.Handler.
func (h *Handler) Kind() string { return "list-sizes" }

// Describe implements importing.Handler.
func (h *Handler) Describe() string {
	return "NHS Digital patients registered at a GP practice by sex and age band (gp-reg-pat-prac-quin-age.csv, or the older one-row-per-practice layout)"
}

// Load implements importing.Handler.
func (h *Handler) Load(ctx context.Context, src *importing.Source, rec *importing.Recorder) error {
	rd, err := NewReader(src)
	if err != nil {
		return err
	}
	w := writer{ctx: ctx, reg: h.reg, rec: rec, known: map[string]bool{}, months: map[calendar.Month]bool{}}
	skipped := map[string]int{}
	// The whole file is read first, so that two rows giving different
	// counts for the same practice, month, sex and age band are both
	// rejected wherever they are (which one is right cannot be told).
	var rows []Row
	for {
		row, rej, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		rec.Row()
		if rej != nil {
			rec.Reject(*rej)
			continue
		}
		if row.OrgType != "" {
			skipped[row.OrgType]++
			rec.Accept(0)
			continue
		}
		rows = append(rows, row)
	}
	type key struct {
		practice string
		month    calendar.Month
		sex      registry.Sex
		band     string
	}
	type seen struct {
		row, patients int
	}
	first := map[key]seen{}
	bad := map[int]string{} // row index → reason
	for i, row := range rows {
		for _, sz := range row.Sizes {
			k := key{sz.Practice, sz.Month, sz.Sex, sz.AgeBand}
			prev, ok := first[k]
			if !ok {
				first[k] = seen{row: i, patients: sz.Patients}
				continue
			}
			if prev.row == i || prev.patients == sz.Patients {
				continue
			}
			what := fmt.Sprintf("%s %s %s %s", sz.Practice, sz.Month, sz.Sex, sz.AgeBand)
			if _, done := bad[prev.row]; !done {
				bad[prev.row] = fmt.Sprintf("%s: %d patients here and %d at line %d: both rows left out (which one is right cannot be told)", what, prev.patients, sz.Patients, row.Line)
			}
			if _, done := bad[i]; !done {
				bad[i] = fmt.Sprintf("%s: %d patients here and %d at line %d: both rows left out (which one is right cannot be told)", what, sz.Patients, prev.patients, rows[prev.row].Line)
			}
		}
	}
	for i, row := range rows {
		if reason, ok := bad[i]; ok {
			rec.Reject(importing.Rejection{Line: row.Line, Reason: reason})
			continue
		}
		if err := w.add(row.Sizes); err != nil {
			return fmt.Errorf("%s:%d: %w", src.Name, row.Line, err)
		}
		rec.Accept(0) // changes are counted as each batch is written
	}
	if err := w.flush(); err != nil {
		return fmt.Errorf("%s: %w", src.Name, err)
	}
	if rd.Layout() == LayoutLegacy {
		rec.Note("older one-row-per-practice layout: each practice's bands were stored by sex, with totals for each sex and for all patients")
	}
	if len(w.months) > 0 {
		ms := slices.SortedFunc(maps.Keys(w.months), func(a, b calendar.Month) int { return a.Since(b) })
		var names []string
		for _, m := range ms {
			names = append(names, m.String())
		}
		rec.Note("list sizes for %d practices, month %s", w.practices, strings.Join(names, ", "))
	}
	if len(w.unknown) > 0 {
		sort.Strings(w.unknown)
		eg := w.unknown
		if len(eg) > 5 {
			eg = eg[:5]
		}
		rec.Note("%d practices in the file are not in the registry (for example %s): their list sizes are kept and will count once the ODS practice file (ods-practices) that lists them is imported",
			w.unknownCount, strings.Join(eg, ", "))
	}
	if len(skipped) > 0 {
		var parts []string
		for _, t := range slices.Sorted(maps.Keys(skipped)) {
			parts = append(parts, fmt.Sprintf("%s %d", t, skipped[t]))
		}
		rec.Note("rows for organisations other than GP practices were left out (%s)", strings.Join(parts, ", "))
	}
	return nil
}

// writer batches list sizes and checks each practice against the registry
// once.
type writer struct {
	ctx          context.Context
	reg          *registry.Service
	rec          *importing.Recorder
	batch        []registry.ListSize
	known        map[string]bool
	unknown      []string // up to a few, for the note
	unknownCount int
	practices    int
	months       map[calendar.Month]bool
}

func (w *writer) add(sizes []registry.ListSize) error {
	for _, s := range sizes {
		if _, seen := w.known[s.Practice]; !seen {
			_, err := w.reg.Store().Organisation(w.ctx, s.Practice)
			switch {
			case err == nil:
				w.known[s.Practice] = true
			case errors.Is(err, errs.ErrNotFound):
				w.known[s.Practice] = false
				w.unknownCount++
				if len(w.unknown) < 5 {
					w.unknown = append(w.unknown, s.Practice)
				}
			default:
				return fmt.Errorf("practice %s: %w", s.Practice, err)
			}
			w.practices++
		}
		w.months[s.Month] = true
	}
	w.batch = append(w.batch, sizes...)
	if len(w.batch) >= BatchSize {
		return w.flush()
	}
	return nil
}

func (w *writer) flush() error {
	if len(w.batch) == 0 {
		return nil
	}
	n, err := w.reg.Store().PutListSizes(w.ctx, w.batch)
	if err != nil {
		return fmt.Errorf("write list sizes: %w", err)
	}
	w.rec.Changed(n)
	w.batch = w.batch[:0]
	return nil
}
