package variation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"ccg/internal/importing"
)

// MeasuresHandler is the "measures" import kind: one measure definition
// per file, in ccg's own format or as an OpenPrescribing measure definition
// (the "BNF codes filter" kind; see ParseOpenPrescribing for what it
// cannot take and why). The measure's id is the file name without its
// extension. Importing a measure stores it and computes its values for
// every month with facts.
type MeasuresHandler struct {
	svc *Service
}

// NewMeasuresHandler returns the measures handler.
func NewMeasuresHandler(svc *Service) *MeasuresHandler { return &MeasuresHandler{svc: svc} }

// Kind implements importing.Handler.
func (h *MeasuresHandler) Kind() string { return "measures" }

// Describe implements importing.Handler.
func (h *MeasuresHandler) Describe() string {
	return "a measure definition (JSON), or a FOLDER of them: ccg's own format or an OpenPrescribing definition (filter, dm+d query or custom SQL); the id is the file name"
}

// maxMeasureFile bounds a definition file.
const maxMeasureFile = 1 << 20

// Stage implements importing.Stager when the analytics store keeps
// snapshots: the definition and its values are prepared in a draft and
// published with the import run.
func (h *MeasuresHandler) Stage(ctx context.Context, src *importing.Source, rec *importing.Recorder) (importing.Staged, error) {
	if h.svc == nil {
		return nil, errors.New("measures: no variation service")
	}
	sn, ok := h.svc.an.(Snapshots)
	if !ok {
		return nil, h.Load(ctx, src, rec)
	}
	d, err := sn.Stage(ctx)
	if err != nil {
		return nil, fmt.Errorf("measures: %w", err)
	}
	if err := h.load(ctx, h.svc.Over(d), src, rec); err != nil {
		d.Finish(false)
		return nil, err
	}
	return d, nil
}

// Load implements importing.Handler.
func (h *MeasuresHandler) Load(ctx context.Context, src *importing.Source, rec *importing.Recorder) error {
	if h.svc == nil {
		return errors.New("measures: no variation service")
	}
	return h.load(ctx, h.svc, src, rec)
}

func (h *MeasuresHandler) load(ctx context.Context, svc *Service, src *importing.Source, rec *importing.Recorder) error {
	data, err := io.ReadAll(io.LimitReader(src.Reader(), maxMeasureFile+1))
	if err != nil {
		return fmt.Errorf("measures: read %s: %w", src.Name, err)
	}
	if len(data) > maxMeasureFile {
		return src.Errorf(0, 0, "a measure definition is a small JSON file; this one is over %d bytes", maxMeasureFile)
	}
	rec.Row()
	var syn *json.SyntaxError
	if err := json.Unmarshal(data, new(any)); errors.As(err, &syn) {
		line, col := position(data, syn.Offset)
		return src.Errorf(line, col, "not valid JSON: %v", syn)
	}
	m, err := ParseMeasure(src.Name, data)
	if err != nil {
		return &importing.FileError{File: src.Name, Err: err}
	}
	if err := svc.AddMeasure(ctx, m); err != nil {
		return fmt.Errorf("measures: %w", err)
	}
	rec.Accept(1)
	rec.Note("measure %q (%s, from %s) stored and computed for every month with %s data", m.ID, m.Name, m.Origin, m.Source)
	return nil
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(offset) - bytes.LastIndexByte(before, '\n')
	return line, col
}
