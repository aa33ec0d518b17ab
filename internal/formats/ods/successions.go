package ods

import (
	"context"
	"fmt"
	"io"
	"strings"

	"ccg/internal/formats/internal/field"
	"ccg/internal/importing"
	"ccg/internal/registry"
)

// Columns of succ.csv, counted from 0. The file has no header.
const (
	SuccColPredecessor = 0 // the organisation that closed
	SuccColSuccessor   = 1 // the organisation that took over
	SuccColReason      = 2 // the succession reason code
	SuccColEffective   = 3 // effective date, YYYYMMDD
	SuccColIndicator   = 4 // succession indicator
	SuccWidth          = 5
)

var succNames = []string{"Predecessor Code", "Successor Code", "Reason", "Effective Date", "Succession Indicator"}

// Successions imports succ.csv.
type Successions struct {
	reg *registry.Service
}

// NewSuccessions returns the "ods-successions" handler: it reads succ.csv
// (no header; five quoted columns: predecessor code, successor code, reason,
// effective date YYYYMMDD, succession indicator) and stores each row as a
// succession, such as CCGs merging into one.
func NewSuccessions(reg *registry.Service) importing.Handler { return &Successions{reg: reg} }

// Kind implements importing.Handler.
func (h *Successions) Kind() string { return "ods-successions" }

// Describe implements importing.Handler.
func (h *Successions) Describe() string {
	return "ODS successions: which organisation took over from which, and when (succ.csv)"
}

// Load implements importing.Handler.
func (h *Successions) Load(ctx context.Context, src *importing.Source, rec *importing.Recorder) error {
	c := importing.NewCSV(src)
	source := h.Kind() + " " + src.Name
	rows := 0
	for {
		row, err := c.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		rows++
		if rows == 1 && len(row) == SuccWidth && namesColumns(row[SuccColPredecessor], row[SuccColEffective]) {
			return c.Errorf(0, "an ODS succession file (succ.csv) has no header row, but this file starts with one (%s): is it the right kind of file?", preview(row))
		}
		if len(row) != SuccWidth {
			msg := fmt.Sprintf("row has %d columns, an ODS succession file (succ.csv) has %d", len(row), SuccWidth)
			switch {
			case rows == 1 && looksLikeHeader(row):
				msg += " and no header row; this file starts with a header: is it the right kind of file?"
			case rows == 1:
				msg += " (is it the right kind of file?)"
			case len(row) < SuccWidth:
				msg += " (is the file cut short?)"
			}
			col := len(row) - 1
			if len(row) > SuccWidth {
				col = SuccWidth
			}
			return c.Errorf(col, "%s", msg)
		}
		rec.Row()
		s, col, reason := checkSuccession(row)
		if reason != "" {
			rec.Reject(c.Rejection(col, succNames[col], reason))
			continue
		}
		s.Source = source
		changed, err := h.reg.RecordSuccession(ctx, s)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", src.Name, c.Line(), err)
		}
		if changed {
			rec.Accept(1)
		} else {
			rec.Accept(0)
		}
	}
	if rows == 0 {
		return src.Errorf(1, 1, "the file is empty: an ODS succession file (succ.csv) has one row per succession")
	}
	return nil
}

// checkSuccession reads one row, or returns the column and reason to reject it.
func checkSuccession(row []string) (registry.Succession, int, string) {
	var s registry.Succession
	var err error
	if s.Predecessor, err = field.Code(importing.Text(row[SuccColPredecessor]), "predecessor code", 3, 10); err != nil {
		return s, SuccColPredecessor, err.Error()
	}
	if s.Successor, err = field.Code(importing.Text(row[SuccColSuccessor]), "successor code", 3, 10); err != nil {
		return s, SuccColSuccessor, err.Error()
	}
	if s.Predecessor == s.Successor {
		return s, SuccColSuccessor, fmt.Sprintf("%s cannot succeed itself", s.Predecessor)
	}
	eff := importing.Text(row[SuccColEffective])
	if eff == "" {
		return s, SuccColEffective, "the effective date is missing"
	}
	if s.Effective, err = field.ODSDate(eff); err != nil {
		return s, SuccColEffective, "the effective date " + err.Error()
	}
	s.Reason = importing.Text(row[SuccColReason])
	s.Indicator = strings.ToUpper(importing.Text(row[SuccColIndicator]))
	return s, 0, ""
}
