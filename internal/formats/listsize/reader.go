package listsize

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"ccg/internal/calendar"
	"ccg/internal/formats/internal/field"
	"ccg/internal/importing"
	"ccg/internal/registry"
)

// Layout names a list-size file layout.
type Layout string

// The layouts Reader recognises.
const (
	LayoutQuinary Layout = "quinary" // one row per practice, sex and age band
	LayoutLegacy  Layout = "legacy"  // one row per practice, a column per sex and band
)

// Column names accepted for each value of the quinary layout, after
// field.Header normalisation (upper case, spaces and hyphens as "_").
var (
	codeNames    = []string{"ORG_CODE", "CODE", "PRACTICE_CODE"}
	typeNames    = []string{"ORG_TYPE", "TYPE"}
	sexNames     = []string{"SEX"}
	ageNames     = []string{"AGE_GROUP_5", "AGE", "AGE_GROUP", "AGE_BAND"}
	countNames   = []string{"NUMBER_OF_PATIENTS", "PATIENTS"}
	extractNames = []string{"EXTRACT_DATE"}
)

// legacyBand matches the older layout's band columns: "Male 0-4", "Female 75+".
var legacyBand = regexp.MustCompile(`^(?i)(male|female)\s+(\d+)\s*(?:-\s*(\d+)|\+)$`)

// Row is what one data row of a list-size file holds.
type Row struct {
	Line int
	// Sizes are the list sizes the row gives: one in the quinary layout, the
	// bands and totals of one practice in the legacy layout.
	Sizes []registry.ListSize
	// OrgType is set, and Sizes empty, when the row is for an organisation
	// other than a GP practice (the row is read, and left out).
	OrgType string
}

// Reader reads a list-size file row by row.
type Reader struct {
	src    *importing.Source
	csv    *importing.CSV
	layout Layout
	width  int
	names  []string // the header as written

	// quinary columns (-1 when absent)
	code, typ, sex, age, count, extract int
	// legacy columns
	month  int
	bands  []legacyColumn
	last   string // the last date read, and its month, to skip re-parsing
	lastM  calendar.Month
	lastOK bool
}

type legacyColumn struct {
	col  int
	sex  registry.Sex
	band string
}

const wantHeader = "a list-size file starts with a header naming ORG_CODE (or CODE), SEX, AGE_GROUP_5 (or AGE), " +
	"NUMBER_OF_PATIENTS and EXTRACT_DATE, or, in the older layout, Month, Practice Code and Male 0-4 … Female 75+"

// NewReader reads the header of src and returns a Reader for its rows. A
// header that matches neither layout is a *importing.FileError.
func NewReader(src *importing.Source) (*Reader, error) {
	r := &Reader{src: src, csv: importing.NewCSV(src)}
	header, err := r.csv.Read()
	if err == io.EOF {
		return nil, src.Errorf(1, 1, "the file is empty: %s", wantHeader)
	}
	if err != nil {
		return nil, err
	}
	r.width = len(header)
	r.names = make([]string, len(header))
	norm := make([]string, len(header))
	for i, h := range header {
		r.names[i] = importing.Text(h)
		norm[i] = field.Header(h)
	}
	find := func(names []string) (int, error) {
		at := -1
		for i, n := range norm {
			for _, want := range names {
				if n != want {
					continue
				}
				if at >= 0 {
					return -1, r.csv.Errorf(i, "the header names %s twice (columns %d and %d)", want, at+1, i+1)
				}
				at = i
			}
		}
		return at, nil
	}
	for i, h := range r.names {
		if m := legacyBand.FindStringSubmatch(h); m != nil {
			sex := registry.SexMale
			if strings.EqualFold(m[1], "female") {
				sex = registry.SexFemale
			}
			band := m[2] + "+"
			if m[3] != "" {
				band = m[2] + "-" + m[3]
			}
			r.bands = append(r.bands, legacyColumn{col: i, sex: sex, band: band})
		}
	}
	if len(r.bands) > 0 {
		r.layout = LayoutLegacy
		if r.month, err = find([]string{"MONTH", "DATE", "EXTRACT_DATE"}); err != nil {
			return nil, err
		}
		if r.code, err = find([]string{"PRACTICE_CODE", "CODE", "ORG_CODE"}); err != nil {
			return nil, err
		}
		if r.month < 0 || r.code < 0 {
			return nil, r.csv.Errorf(0, "the header has band columns (%s) but no Month or Practice Code column: %s", r.names[r.bands[0].col], wantHeader)
		}
		return r, nil
	}
	r.layout = LayoutQuinary
	cols := []struct {
		to    *int
		names []string
	}{{&r.code, codeNames}, {&r.typ, typeNames}, {&r.sex, sexNames}, {&r.age, ageNames}, {&r.count, countNames}, {&r.extract, extractNames}}
	var missing []string
	for _, c := range cols {
		if *c.to, err = find(c.names); err != nil {
			return nil, err
		}
		if *c.to < 0 && c.to != &r.typ {
			missing = append(missing, c.names[0])
		}
	}
	if len(missing) > 0 {
		what := "the header has no " + strings.Join(missing, ", ") + " column"
		if len(missing) > 1 {
			what += "s"
		}
		if _, err := field.Code(header[0], "", 3, 10); err == nil && strings.ContainsAny(header[0], "0123456789") {
			what = "the first row is not a header (it starts with the code " + strings.TrimSpace(header[0]) + ")"
		}
		return nil, r.csv.Errorf(0, "%s: %s", what, wantHeader)
	}
	return r, nil
}

// Layout returns the layout the header showed.
func (r *Reader) Layout() Layout { return r.layout }

// Next reads the next data row. It returns io.EOF after the last row, a
// *importing.FileError when a row does not fit the header (the import must
// stop), and a non-nil Rejection for a row whose values fail a check.
func (r *Reader) Next() (Row, *importing.Rejection, error) {
	rec, err := r.csv.Read()
	if err != nil {
		return Row{}, nil, err
	}
	if err := r.csv.CheckWidth(r.width, "is the file damaged?"); err != nil {
		return Row{}, nil, err
	}
	row := Row{Line: r.csv.Line()}
	if r.layout == LayoutLegacy {
		return r.legacy(rec, row)
	}
	return r.quinary(rec, row)
}

func (r *Reader) reject(col int, reason string) (Row, *importing.Rejection, error) {
	rej := r.csv.Rejection(col, r.names[col], reason)
	return Row{}, &rej, nil
}

// monthOf reads the month of a date, remembering the last one (every row of
// a release carries the same extract date).
func (r *Reader) monthOf(s string) (calendar.Month, error) {
	if r.lastOK && s == r.last {
		return r.lastM, nil
	}
	d, err := field.AnyDate(s)
	if err != nil {
		return calendar.Month{}, err
	}
	r.last, r.lastM, r.lastOK = s, d.Month(), true
	return r.lastM, nil
}

func (r *Reader) quinary(rec []string, row Row) (Row, *importing.Rejection, error) {
	if r.typ >= 0 {
		if t := strings.ToUpper(strings.TrimSpace(rec[r.typ])); t != "GP" {
			if t == "" {
				return r.reject(r.typ, "the organisation type is blank (want GP)")
			}
			row.OrgType = t
			return row, nil, nil
		}
	}
	code, err := field.PracticeCode(rec[r.code])
	if err != nil {
		return r.reject(r.code, err.Error())
	}
	m, err := r.monthOf(rec[r.extract])
	if err != nil {
		return r.reject(r.extract, "the extract date "+err.Error())
	}
	sex, err := Sex(rec[r.sex])
	if err != nil {
		return r.reject(r.sex, err.Error())
	}
	band, err := Band(rec[r.age])
	if err != nil {
		return r.reject(r.age, err.Error())
	}
	n, err := field.Count(rec[r.count], "the number of patients")
	if err != nil {
		return r.reject(r.count, err.Error())
	}
	row.Sizes = []registry.ListSize{{Practice: code, Month: m, Sex: sex, AgeBand: band, Patients: n}}
	return row, nil, nil
}

func (r *Reader) legacy(rec []string, row Row) (Row, *importing.Rejection, error) {
	code, err := field.PracticeCode(rec[r.code])
	if err != nil {
		return r.reject(r.code, err.Error())
	}
	m, err := r.monthOf(rec[r.month])
	if err != nil {
		return r.reject(r.month, "the month "+err.Error())
	}
	totals := map[registry.Sex]int{}
	sizes := make([]registry.ListSize, 0, len(r.bands)+3)
	for _, b := range r.bands {
		n, err := field.Count(rec[b.col], "the number of patients")
		if err != nil {
			return r.reject(b.col, err.Error())
		}
		sizes = append(sizes, registry.ListSize{Practice: code, Month: m, Sex: b.sex, AgeBand: b.band, Patients: n})
		totals[b.sex] += n
	}
	for _, s := range []registry.Sex{registry.SexMale, registry.SexFemale} {
		sizes = append(sizes, registry.ListSize{Practice: code, Month: m, Sex: s, AgeBand: registry.AgeAll, Patients: totals[s]})
	}
	sizes = append(sizes, registry.ListSize{Practice: code, Month: m, Sex: registry.SexAll, AgeBand: registry.AgeAll,
		Patients: totals[registry.SexMale] + totals[registry.SexFemale]})
	row.Sizes = sizes
	return row, nil, nil
}

// Sex reads a sex as list-size files write it (ALL, MALE, FEMALE, or M, F, P
// for persons).
func Sex(s string) (registry.Sex, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "ALL", "PERSONS", "P":
		return registry.SexAll, nil
	case "MALE", "MALES", "M":
		return registry.SexMale, nil
	case "FEMALE", "FEMALES", "F":
		return registry.SexFemale, nil
	}
	return "", fmt.Errorf("the sex %q is not ALL, MALE or FEMALE", s)
}

var (
	bandRange = regexp.MustCompile(`^(\d+)\s*(?:_|-|TO)\s*(\d+)$`)
	bandOpen  = regexp.MustCompile(`^(\d+)\s*(?:\+|_?PLUS|_AND_OVER|_OVER|\s+AND\s+OVER)$`)
)

// Band reads an age band as list-size files write it ("0_4", "0-4", "95+",
// "95_PLUS", "ALL") and returns it in the registry's form ("0-4", "95+",
// registry.AgeAll).
func Band(s string) (string, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	if t == "ALL" {
		return registry.AgeAll, nil
	}
	if m := bandRange.FindStringSubmatch(t); m != nil {
		lo, _ := strconv.Atoi(m[1])
		hi, _ := strconv.Atoi(m[2])
		if lo > hi {
			return "", fmt.Errorf("the age band %q runs backwards", s)
		}
		return fmt.Sprintf("%d-%d", lo, hi), nil
	}
	if m := bandOpen.FindStringSubmatch(t); m != nil {
		lo, _ := strconv.Atoi(m[1])
		return fmt.Sprintf("%d+", lo), nil
	}
	if _, err := strconv.Atoi(t); err == nil {
		return "", fmt.Errorf("the age %q is a single year of age: this import reads the five-year-band file (gp-reg-pat-prac-quin-age.csv)", s)
	}
	return "", fmt.Errorf("the age band %q is not a band such as 0_4, 5_9 … 95+, or ALL", s)
}
