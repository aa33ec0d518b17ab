// Package bnfsnomed reads the NHSBSA BNF-SNOMED mapping spreadsheet (an
// .xlsx workbook with the columns "Presentation / Pack Level", "VMP / VMPP/
// AMP / AMPP", "BNF Code", "MDR: Product Description", "SNOMED Code",
// "DM+D: Product Description", "DM+D: Product and Pack Description") and
// imports it as the "bnf-snomed-mapping" kind. The mapping gives dm+d
// products their BNF codes; it replaces the stored one whole.
package bnfsnomed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/xuri/excelize/v2"

	"ccg/internal/dmd"
	"ccg/internal/importing"
)

// Handler is the "bnf-snomed-mapping" import kind.
type Handler struct{ store dmd.Store }

// NewHandler returns the handler over store (nil: it only names itself).
func NewHandler(store dmd.Store) *Handler { return &Handler{store: store} }

// Kind implements importing.Handler.
func (h *Handler) Kind() string { return "bnf-snomed-mapping" }

// Describe implements importing.Handler.
func (h *Handler) Describe() string {
	return "the NHSBSA BNF-SNOMED mapping spreadsheet (.xlsx): BNF codes of dm+d products; replaces the stored mapping"
}

// maxWorkbook bounds the spreadsheet read into memory.
const maxWorkbook = 256 << 20

var (
	snomedPattern = regexp.MustCompile(`^[0-9]{6,18}$`)
	bnfPattern    = regexp.MustCompile(`^[0-9]{2}[0-9A-Z]{9}([0-9A-Z]{4})?$`)
	levels        = map[string]bool{"VMP": true, "VMPP": true, "AMP": true, "AMPP": true}
)

// columns the handler reads, by header text (case and spacing ignored).
var headers = map[string]string{
	"vmp/vmpp/amp/ampp": "level", "bnfcode": "bnf", "mdr:productdescription": "bnf_name",
	"snomedcode": "snomed", "dm+d:productdescription": "dmd_name",
}

func norm(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), "")) }

// clean drops the apostrophe the spreadsheet uses to keep codes as text.
func clean(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "'") }

// Load implements importing.Handler.
func (h *Handler) Load(ctx context.Context, src *importing.Source, rec *importing.Recorder) error {
	if h.store == nil {
		return errors.New("bnf-snomed-mapping: no store")
	}
	data, err := io.ReadAll(io.LimitReader(src.Reader(), maxWorkbook+1))
	if err != nil {
		return fmt.Errorf("bnf-snomed-mapping: read %s: %w", src.Name, err)
	}
	if len(data) > maxWorkbook {
		return src.Errorf(0, 0, "the spreadsheet is over %d MB", maxWorkbook>>20)
	}
	wb, err := excelize.OpenReader(strings.NewReader(string(data)))
	if err != nil {
		return src.Errorf(0, 0, "this is not an .xlsx spreadsheet: %v", err)
	}
	defer wb.Close()
	sheets := wb.GetSheetList()
	if len(sheets) == 0 {
		return src.Errorf(0, 0, "the workbook has no sheets")
	}
	rows, err := wb.Rows(sheets[0])
	if err != nil {
		return src.Errorf(0, 0, "sheet %q cannot be read: %v", sheets[0], err)
	}
	defer rows.Close()
	col := map[string]int{}
	line := 0
	var out []dmd.Mapping
	seen := map[string]int{}
	for rows.Next() {
		line++
		cells, err := rows.Columns()
		if err != nil {
			return src.Errorf(line, 0, "row cannot be read: %v", err)
		}
		if line == 1 {
			for i, c := range cells {
				if k, ok := headers[norm(c)]; ok {
					col[k] = i
				}
			}
			for _, need := range []string{"level", "bnf", "snomed"} {
				if _, ok := col[need]; !ok {
					return src.Errorf(1, 0, "the header row has no %q column: is this the NHSBSA BNF-SNOMED mapping?", map[string]string{
						"level": "VMP / VMPP / AMP / AMPP", "bnf": "BNF Code", "snomed": "SNOMED Code"}[need])
				}
			}
			continue
		}
		get := func(k string) string {
			i, ok := col[k]
			if !ok || i >= len(cells) {
				return ""
			}
			return clean(cells[i])
		}
		if strings.TrimSpace(strings.Join(cells, "")) == "" {
			continue
		}
		rec.Row()
		record := strings.Join(cells, ",")
		reject := func(field, k, reason string) {
			rec.Reject(importing.Rejection{Line: line, Column: col[k] + 1, Field: field, Reason: reason, Record: record})
		}
		m := dmd.Mapping{SNOMED: get("snomed"), Level: strings.ToUpper(get("level")), BNFCode: strings.ToUpper(get("bnf")),
			BNFName: get("bnf_name"), DMDName: get("dmd_name")}
		switch {
		case !snomedPattern.MatchString(m.SNOMED):
			reject("SNOMED Code", "snomed", fmt.Sprintf("%q is not a SNOMED code (6 to 18 digits)", m.SNOMED))
			continue
		case !levels[m.Level]:
			reject("VMP / VMPP / AMP / AMPP", "level", fmt.Sprintf("%q is not VMP, VMPP, AMP or AMPP", m.Level))
			continue
		case m.BNFCode != "" && !bnfPattern.MatchString(m.BNFCode):
			reject("BNF Code", "bnf", fmt.Sprintf("%q is not a BNF presentation code (15 characters, or 11 for an appliance)", m.BNFCode))
			continue
		}
		if prev, dup := seen[m.SNOMED]; dup {
			reject("SNOMED Code", "snomed", fmt.Sprintf("SNOMED code %s is already on line %d", m.SNOMED, prev))
			continue
		}
		seen[m.SNOMED] = line
		rec.Accept(0)
		out = append(out, m)
	}
	if err := rows.Error(); err != nil {
		return src.Errorf(line, 0, "the sheet cannot be read: %v", err)
	}
	if line == 0 {
		return src.Errorf(0, 0, "the sheet is empty")
	}
	changed, err := h.store.ReplaceBNFMapping(ctx, out)
	if err != nil {
		return fmt.Errorf("bnf-snomed-mapping: %w", err)
	}
	rec.Changed(changed)
	withCode := 0
	for _, m := range out {
		if m.BNFCode != "" {
			withCode++
		}
	}
	rec.Note("%d dm+d products mapped, %d of them with a BNF code", len(out), withCode)
	return nil
}
