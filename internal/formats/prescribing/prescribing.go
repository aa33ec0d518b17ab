// Package prescribing imports prescribing files: NHS BSA's English
// Prescribing Dataset (EPD: old and new column names, with or without the
// trailing SNOMED_CODE) and NHS Digital's legacy PDPI BNFT "practice level
// prescribing" file. The layout is found from the header. DuckDB reads and
// sums the rows (see internal/analytics/duckdb ImportPrescribing); this
// handler reports the counts, rejections and practices the registry does
// not know, and recomputes the measures of the months imported.
package prescribing

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"ccg/internal/analytics/duckdb"
	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/importing"
	"ccg/internal/registry"
	"ccg/internal/variation"
)

// Handler is the "prescribing" import kind.
type Handler struct {
	an  *duckdb.Store
	reg *registry.Service
	svc *variation.Service
}

// NewHandler returns the prescribing handler. reg, when not nil, is asked
// about every practice in the file so that unknown ones are reported; svc,
// when not nil, recomputes every measure for the months imported.
func NewHandler(an *duckdb.Store, reg *registry.Service, svc *variation.Service) *Handler {
	return &Handler{an: an, reg: reg, svc: svc}
}

// Kind implements importing.Handler.
func (h *Handler) Kind() string { return "prescribing" }

// Describe implements importing.Handler.
func (h *Handler) Describe() string {
	return "a month of the English Prescribing Dataset (NHS BSA EPD) or a legacy PDPI BNFT file"
}

// Load implements importing.Handler: Stage, published at once.
func (h *Handler) Load(ctx context.Context, src *importing.Source, rec *importing.Recorder) error {
	return importing.LoadStaged(ctx, h, src, rec)
}

// Stage implements importing.Stager: the month's facts and the measures
// computed from them are written as a draft of the analytics, published
// with the import run once the run's checks pass.
func (h *Handler) Stage(ctx context.Context, src *importing.Source, rec *importing.Recorder) (importing.Staged, error) {
	if h.an == nil {
		return nil, errors.New("prescribing: no analytics store")
	}
	var month calendar.Month
	switch len(src.Months) {
	case 0:
	case 1:
		month = src.Months[0]
	default:
		return nil, &importing.FileError{File: src.Name, Err: errors.New("a prescribing file holds one month: give one --month")}
	}
	d, err := h.an.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("prescribing: %w", err)
	}
	if err := h.stage(ctx, d, src, rec, month); err != nil {
		d.Finish(false)
		return nil, err
	}
	return d, nil
}

func (h *Handler) stage(ctx context.Context, d *duckdb.Draft, src *importing.Source, rec *importing.Recorder, month calendar.Month) error {
	res, err := d.ImportPrescribing(ctx, src, month)
	if err != nil {
		return err
	}
	for i := int64(0); i < res.Rows; i++ {
		rec.Row()
	}
	for i := int64(0); i < res.Accepted; i++ {
		rec.Accept(0)
	}
	for _, r := range res.Rejected {
		rec.Reject(r)
	}
	rec.Changed(int(res.Facts))
	months := make([]string, len(res.Months))
	for i, m := range res.Months {
		months[i] = m.String()
	}
	label := "English Prescribing Dataset"
	if res.Layout == duckdb.LayoutPDPI {
		label = "legacy PDPI BNFT"
	}
	rec.Note("%s file for %s: %d rows summed into %d practice × presentation rows (pack sizes added together); %d rows of the month(s) replaced",
		label, strings.Join(months, ", "), res.Accepted, res.Facts, res.Replaced)
	if res.BadCodes > 0 {
		rec.Note("%d rows have no practice code or a BNF code that is not a 15-character presentation code (for example %q): left out",
			res.BadCodes, res.BadCodeExample)
	}
	if h.reg != nil {
		var unknown, other []string
		for _, code := range res.Practices {
			o, err := h.reg.Organisation(ctx, code)
			switch {
			case errors.Is(err, errs.ErrNotFound):
				unknown = append(unknown, code)
			case err != nil:
				return fmt.Errorf("prescribing: check practice %s: %w", code, err)
			case o.Kind != registry.KindPractice:
				other = append(other, code)
			}
		}
		if len(unknown) > 0 {
			rec.Note("%d of the %d organisations in the file are not in the registry (%s): their prescribing is kept, but they are in no measure until the registry knows them (import the ODS practice file)",
				len(unknown), len(res.Practices), sample(unknown))
		}
		if len(other) > 0 {
			rec.Note("%d organisations are prescribing settings other than GP practices (%s): kept, but left out of practice measures, as OpenPrescribing does",
				len(other), sample(other))
		}
	}
	if h.svc != nil {
		// Measures are computed in the draft: from this file's facts and
		// what is published, never from another import's unpublished files.
		svc := h.svc.Over(d)
		for _, m := range res.Months {
			if err := svc.ComputeMonth(ctx, m); err != nil {
				return fmt.Errorf("prescribing: %w", err)
			}
		}
		rec.Note("measures computed for %s", strings.Join(months, ", "))
		if n, err := ccgValues(ctx, svc, res.Months); err != nil {
			return fmt.Errorf("prescribing: %w", err)
		} else if n == 0 && len(res.Practices) > 0 {
			rec.Note("no practice in the file belongs to a CCG the registry knows, so no practice has a measure value yet: import the ODS commissioners file (eccg.csv) and the practices file before prescribing files (importing this same file again is skipped as already imported)")
		}
	}
	return nil
}

func sample(codes []string) string {
	sort.Strings(codes)
	if len(codes) > 10 {
		return strings.Join(codes[:10], ", ") + fmt.Sprintf(" and %d more", len(codes)-10)
	}
	return strings.Join(codes, ", ")
}

// ccgValues counts the CCG values of the first prescribing measure in the
// months: none means the registry placed no practice in a CCG.
func ccgValues(ctx context.Context, svc *variation.Service, months []calendar.Month) (int, error) {
	ms, err := svc.Measures(ctx)
	if err != nil {
		return 0, err
	}
	for _, m := range ms {
		if m.Source != variation.SourcePrescribing {
			continue
		}
		n := 0
		for _, month := range months {
			vs, err := svc.Values(ctx, m.ID, month, variation.LevelCCG, "")
			if err != nil {
				return 0, err
			}
			n += len(vs)
		}
		return n, nil
	}
	return 0, nil
}
