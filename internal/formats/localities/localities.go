// Package localities imports the list a CCG keeps of which locality each of
// its practices is in, and from when. Localities are where peer review
// happens, so they are the CCG's own groupings; ODS does not publish them.
//
// The file is a small CSV with a header:
//
//	practice_code,locality_name,from_date[,locality_code][,ccg_code]
//
// Dates are YYYY-MM-DD or DD/MM/YYYY. The locality belongs to ccg_code, or,
// when that is blank, to the CCG the practice was a member of on from_date;
// its code is locality_code, or "<CCG>-<NAME>" with the name upper-cased and
// each run of other characters turned into "-" (01X-NORTH-WEST). The
// practices must be imported first (ods-practices): a row for a practice the
// registry does not know, or that had no CCG on the date, is rejected saying
// so.
package localities

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/formats/internal/field"
	"ccg/internal/importing"
	"ccg/internal/registry"
)

// Column names, as field.Header writes them.
const (
	colPractice     = "PRACTICE_CODE"
	colName         = "LOCALITY_NAME"
	colFrom         = "FROM_DATE"
	colLocalityCode = "LOCALITY_CODE"
	colCCG          = "CCG_CODE"
)

const wantHeader = "a localities file starts with the header practice_code,locality_name,from_date " +
	"(and may add locality_code and ccg_code)"

// Handler imports localities files.
type Handler struct {
	reg *registry.Service
}

// NewHandler returns the "localities" handler.
func NewHandler(reg *registry.Service) importing.Handler { return &Handler{reg: reg} }

// Kind implements importing.Handler.
func (h *Handler) Kind() string { return "localities" }

// Describe implements importing.Handler.
func (h *Handler) Describe() string {
	return "the CCG's own list of practices by locality (practice_code,locality_name,from_date[,locality_code,ccg_code])"
}

// Code returns the code of a locality that has no code of its own: the
// CCG's code, "-", and the name upper-cased with each run of characters
// other than letters and digits turned into one "-" ("01X-NORTH-WEST").
func Code(ccg, name string) string { return ccg + "-" + field.Slug(name) }

// ParseDate reads a from_date: YYYY-MM-DD or DD/MM/YYYY (D/M/YYYY too).
func ParseDate(s string) (calendar.Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return calendar.Date{}, errors.New("the from date is missing")
	}
	for _, layout := range []string{"2006-01-02", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return calendar.DateOf(t), nil
		}
	}
	return calendar.Date{}, fmt.Errorf("the from date %q is not a date (want YYYY-MM-DD or DD/MM/YYYY)", s)
}

// columns maps the header's names to positions (-1 when absent).
type columns struct {
	practice, name, from, code, ccg int
	names                           []string
	width                           int
}

func readHeader(src *importing.Source, c *importing.CSV) (columns, []string, error) {
	header, err := c.Read()
	if err == io.EOF {
		return columns{}, nil, src.Errorf(1, 1, "the file is empty: %s", wantHeader)
	}
	if err != nil {
		return columns{}, nil, err
	}
	cols := columns{practice: -1, name: -1, from: -1, code: -1, ccg: -1, width: len(header)}
	var unused []string
	for i, h := range header {
		cols.names = append(cols.names, importing.Text(h))
		var at *int
		switch field.Header(h) {
		case colPractice:
			at = &cols.practice
		case colName:
			at = &cols.name
		case colFrom:
			at = &cols.from
		case colLocalityCode:
			at = &cols.code
		case colCCG:
			at = &cols.ccg
		default:
			if strings.TrimSpace(h) != "" {
				unused = append(unused, importing.Text(h))
			}
			continue
		}
		if *at >= 0 {
			return columns{}, nil, c.Errorf(i, "the header names %s twice (columns %d and %d)", strings.ToLower(field.Header(h)), *at+1, i+1)
		}
		*at = i
	}
	var missing []string
	for _, m := range []struct {
		at   int
		name string
	}{{cols.practice, "practice_code"}, {cols.name, "locality_name"}, {cols.from, "from_date"}} {
		if m.at < 0 {
			missing = append(missing, m.name)
		}
	}
	if len(missing) > 0 {
		what := "the header has no " + strings.Join(missing, ", ") + " column"
		if len(missing) > 1 {
			what += "s"
		}
		if _, err := field.PracticeCode(header[0]); err == nil {
			what = "the first row is not a header (it starts with the practice code " + strings.TrimSpace(header[0]) + ")"
		}
		return columns{}, nil, c.Errorf(0, "%s: %s", what, wantHeader)
	}
	return cols, unused, nil
}

// locality is what the file has said so far about one locality.
type locality struct {
	name    string
	line    int
	written registry.Organisation // the record as last stored (zero before)
}

// placement is one practice's locality from one date, to catch a file that
// puts a practice in two localities at once.
type placement struct {
	practice string
	from     string
}

// Load implements importing.Handler.
func (h *Handler) Load(ctx context.Context, src *importing.Source, rec *importing.Recorder) error {
	c := importing.NewCSV(src)
	cols, unused, err := readHeader(src, c)
	if err != nil {
		return err
	}
	source := h.Kind() + " " + src.Name
	seen := map[string]*locality{}
	type place struct {
		code string
		line int
	}
	placed := map[placement]place{} // a practice and date: the locality the file gave, and where
	rows := 0
	for {
		row, err := c.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := c.CheckWidth(cols.width, "is a comma missing its quotes?"); err != nil {
			return err
		}
		rows++
		rec.Row()
		reject := func(col int, reason string) {
			rec.Reject(c.Rejection(col, cols.names[col], reason))
		}
		get := func(col int) string {
			if col < 0 {
				return ""
			}
			return importing.Text(row[col])
		}

		practice, err := field.PracticeCode(get(cols.practice))
		if err != nil {
			reject(cols.practice, err.Error())
			continue
		}
		name := strings.Join(strings.Fields(get(cols.name)), " ")
		if name == "" {
			reject(cols.name, "the locality name is missing")
			continue
		}
		if field.Slug(name) == "" {
			reject(cols.name, fmt.Sprintf("the locality name %q has no letters or digits", name))
			continue
		}
		from, err := ParseDate(get(cols.from))
		if err != nil {
			reject(cols.from, err.Error())
			continue
		}
		if _, err := h.reg.Store().Organisation(ctx, practice); errors.Is(err, errs.ErrNotFound) {
			reject(cols.practice, fmt.Sprintf("practice %s is not in the registry: import the ODS practice file that lists it (ods-practices, epraccur.csv) first, then this file again", practice))
			continue
		} else if err != nil {
			return fmt.Errorf("%s:%d: practice %s: %w", src.Name, c.Line(), practice, err)
		}

		ccg := strings.ToUpper(get(cols.ccg))
		if ccg != "" {
			if ccg, err = field.Code(ccg, "CCG code", 3, 5); err != nil {
				reject(cols.ccg, err.Error())
				continue
			}
			if _, err := h.reg.Store().Organisation(ctx, ccg); errors.Is(err, errs.ErrNotFound) {
				reject(cols.ccg, fmt.Sprintf("CCG %s is not in the registry: import the ODS commissioner file that lists it (ods-commissioners, eccg.csv) first, then this file again", ccg))
				continue
			} else if err != nil {
				return fmt.Errorf("%s:%d: CCG %s: %w", src.Name, c.Line(), ccg, err)
			}
		} else {
			parent, err := h.reg.ParentOn(ctx, practice, registry.RelMemberOf, from)
			if errors.Is(err, errs.ErrNotFound) {
				reject(cols.from, fmt.Sprintf("practice %s was not a member of any CCG on %s as far as the registry knows: import the ODS practice file (ods-practices, epraccur.csv) that covers that date first, or give the CCG in a ccg_code column", practice, from))
				continue
			} else if err != nil {
				return fmt.Errorf("%s:%d: CCG of %s: %w", src.Name, c.Line(), practice, err)
			}
			ccg = parent.Code
		}

		code := strings.ToUpper(get(cols.code))
		codeCol := cols.code
		if code == "" {
			code, codeCol = Code(ccg, name), cols.name
		} else if !validLocalityCode(code) {
			reject(cols.code, fmt.Sprintf("the locality code %q is not a code (want up to 30 letters, digits and hyphens)", get(cols.code)))
			continue
		}

		loc := seen[code]
		if loc != nil && !strings.EqualFold(loc.name, name) {
			reject(codeCol, fmt.Sprintf("locality %s is called %q on line %d; this row calls it %q", code, loc.name, loc.line, name))
			continue
		}
		key := placement{practice, from.String()}
		if other, ok := placed[key]; ok && other.code != code {
			reject(cols.practice, fmt.Sprintf("practice %s is already placed in locality %s from %s (line %d)", practice, other.code, from, other.line))
			continue
		}

		changed := 0
		if loc == nil {
			loc = &locality{name: name, line: c.Line()}
			stored, err := h.reg.Store().Organisation(ctx, code)
			switch {
			case err == nil && stored.Kind != registry.KindLocality:
				reject(codeCol, fmt.Sprintf("the code %s already belongs to %s, a %s, not a locality", code, stored.Name, stored.Kind.Label()))
				continue
			case err == nil:
				loc.written = stored
			case !errors.Is(err, errs.ErrNotFound):
				return fmt.Errorf("%s:%d: locality %s: %w", src.Name, c.Line(), code, err)
			}
			seen[code] = loc
		}
		o := registry.Organisation{Code: code, Name: name, Kind: registry.KindLocality, Status: registry.StatusActive,
			Opened: from, Source: source}
		if w := loc.written; w.Code != "" {
			// The earliest date any file gave; the name this file gives.
			if !w.Opened.IsZero() && w.Opened.Before(from) {
				o.Opened = w.Opened
			}
			o.Address, o.Postcode, o.Phone, o.Closed, o.Setting = w.Address, w.Postcode, w.Phone, w.Closed, w.Setting
			if !w.Closed.IsZero() {
				o.Status = w.Status
			}
		}
		ch, err := h.reg.RecordOrganisation(ctx, o)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", src.Name, c.Line(), err)
		}
		if ch {
			changed++
		}
		loc.written = o
		for _, r := range []registry.Relationship{
			{Child: code, Parent: ccg, Kind: registry.RelLocalityOf, From: from, Source: source},
			{Child: practice, Parent: code, Kind: registry.RelInLocality, From: from, Source: source},
		} {
			ch, err := h.reg.RecordRelationship(ctx, r)
			if err != nil {
				return fmt.Errorf("%s:%d: %w", src.Name, c.Line(), err)
			}
			if ch {
				changed++
			}
		}
		placed[key] = place{code, c.Line()}
		rec.Accept(changed)
	}
	if rows == 0 {
		return src.Errorf(2, 1, "the file has a header but no rows: %s, then one row per practice", wantHeader)
	}
	if len(unused) > 0 {
		slices.Sort(unused)
		rec.Note("columns not used: %s", strings.Join(unused, ", "))
	}
	return nil
}

// validLocalityCode reports whether a code given in the file can be a
// registry code: letters, digits and hyphens, at most 30.
func validLocalityCode(s string) bool {
	if s == "" || len(s) > 30 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
