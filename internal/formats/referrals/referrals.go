// Package referrals imports GP referral counts from a CSV file of ccg's own
// design (docs/formats/referrals.md), which a CCG can produce from its
// e-Referral Service or SUS extracts.
//
// The file has a header row; column names are matched without regard to
// case or surrounding spaces, in any order:
//
//	period                   required  the month: YYYY-MM (or YYYYMM)
//	practice_code            required  the referring GP practice's ODS code, e.g. A81001
//	treatment_function_code  required  NHS Data Dictionary treatment function code, e.g. 110 (trauma and orthopaedics)
//	referrals                required  the number of referrals, a whole number ≥ 0
//	sex                      optional  male, female (M, F) or all
//	age_band                 optional  5-year band of the patient's age: 0-4, 5-9, ..., 90-94, 95+, or all
//	priority                 optional  routine, urgent or two-week-wait (2WW)
//
// Example:
//
//	period,practice_code,treatment_function_code,sex,age_band,priority,referrals
//	2024-01,A81001,110,female,65-69,routine,4
//
// Rows with the same period, practice, function, sex, age band and priority
// are added together. Each month in the file replaces that month's
// referrals, all or nothing. With sex and age band, referral measures can be
// indirectly standardised for the practice's age-sex mix; without them,
// they are rates per 1,000 registered patients.
package referrals

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"ccg/internal/analytics/duckdb"
	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/importing"
	"ccg/internal/registry"
	"ccg/internal/variation"
)

// Handler is the "referrals" import kind.
type Handler struct {
	an  *duckdb.Store
	reg *registry.Service
	svc *variation.Service
}

// NewHandler returns the referrals handler; reg (optional) is asked about
// each practice so that unknown ones are reported, and svc (optional)
// recomputes the measures of the months imported.
func NewHandler(an *duckdb.Store, reg *registry.Service, svc *variation.Service) *Handler {
	return &Handler{an: an, reg: reg, svc: svc}
}

// Kind implements importing.Handler.
func (h *Handler) Kind() string { return "referrals" }

// Describe implements importing.Handler.
func (h *Handler) Describe() string {
	return "GP referrals by month, practice and treatment function (ccg's CSV, see docs/formats/referrals.md)"
}

var (
	practicePattern = regexp.MustCompile(`^[A-Z][0-9A-Z]{4,5}$`)
	functionPattern = regexp.MustCompile(`^[0-9A-Z]{3}$`)
	bandPattern     = regexp.MustCompile(`^([0-9]{1,3})-([0-9]{1,3})$|^([0-9]{1,3})\+$`)
)

// readHeader reads the header row: column names matched without regard to
// case or surrounding spaces, each at most once, the required ones present
// (want says what the file should have).
func readHeader(c *importing.CSV, src *importing.Source, required []string, want string) ([]string, map[string]int, error) {
	head, err := c.Read()
	if err == io.EOF {
		return nil, nil, src.Errorf(0, 0, "the file is empty")
	}
	if err != nil {
		return nil, nil, err
	}
	idx := map[string]int{}
	for i, hname := range head {
		n := strings.ToLower(strings.TrimSpace(importing.Text(hname)))
		if _, dup := idx[n]; dup && n != "" {
			return nil, nil, c.Errorf(i, "column %q appears twice", n)
		}
		idx[n] = i
	}
	for _, need := range required {
		if _, ok := idx[need]; !ok {
			return nil, nil, src.Errorf(1, 0, "the header has no %s column (%s)", need, want)
		}
	}
	return head, idx, nil
}

type key struct {
	month                                   calendar.Month
	practice, function, sex, band, priority string
}

// Load implements importing.Handler: Stage, published at once.
func (h *Handler) Load(ctx context.Context, src *importing.Source, rec *importing.Recorder) error {
	return importing.LoadStaged(ctx, h, src, rec)
}

// monthsName is the months a referrals file's name declares:
// referrals_YYYYMM.csv (one month) or referrals_YYYYMM-YYYYMM.csv (a range).
var monthsName = regexp.MustCompile(`(?i)_([0-9]{4}-?[0-9]{2})(?:(?:-|\.\.)([0-9]{4}-?[0-9]{2}))?\.csv$`)

// MonthsFromName returns the months a referrals file's name declares.
func MonthsFromName(name string) ([]calendar.Month, bool) {
	m := monthsName.FindStringSubmatch(name)
	if m == nil {
		return nil, false
	}
	from, err := calendar.ParseMonth(strings.ReplaceAll(m[1], "-", ""))
	if err != nil {
		return nil, false
	}
	to := from
	if m[2] != "" {
		if to, err = calendar.ParseMonth(strings.ReplaceAll(m[2], "-", "")); err != nil || to.Before(from) {
			return nil, false
		}
	}
	var out []calendar.Month
	for x := from; !to.Before(x) && len(out) < 1200; x = x.Add(1) {
		out = append(out, x)
	}
	return out, true
}

// Stage implements importing.Stager: the declared months' referrals and
// the measures computed from them are written as a draft of the analytics,
// published with the import run.
func (h *Handler) Stage(ctx context.Context, src *importing.Source, rec *importing.Recorder) (importing.Staged, error) {
	if h.an == nil {
		return nil, errors.New("referrals: no analytics store")
	}
	declared := src.Months
	if len(declared) == 0 {
		var ok bool
		if declared, ok = MonthsFromName(src.Name); !ok {
			return nil, &importing.FileError{File: src.Name, Err: errors.New(
				"the months the file replaces are not declared: give --months FROM..TO (YYYY-MM..YYYY-MM), or name the file referrals_YYYYMM-YYYYMM.csv")}
		}
	}
	rows, practices, err := h.parse(src, rec, declared)
	if err != nil {
		return nil, err
	}
	d, err := h.an.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("referrals: %w", err)
	}
	if err := h.stage(ctx, d, rec, declared, rows, practices); err != nil {
		d.Finish(false)
		return nil, err
	}
	return d, nil
}

func (h *Handler) parse(src *importing.Source, rec *importing.Recorder, declared []calendar.Month) ([]variation.Referral, map[string]bool, error) {
	inMonths := map[calendar.Month]bool{}
	for _, m := range declared {
		inMonths[m] = true
	}
	c := importing.NewCSV(src)
	head, idx, err := readHeader(c, src, []string{"period", "practice_code", "treatment_function_code", "referrals"},
		"want period, practice_code, treatment_function_code, referrals; optional sex, age_band, priority")
	if err != nil {
		return nil, nil, err
	}
	get := func(rec []string, name string) (string, int) {
		i, ok := idx[name]
		if !ok || i >= len(rec) {
			return "", -1
		}
		return strings.TrimSpace(importing.Text(rec[i])), i
	}
	sums := map[key]int64{}
	var order []key
	practices := map[string]bool{}
	for {
		row, err := c.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		rec.Row()
		if len(row) < len(head) {
			rec.Reject(c.Rejection(len(row)-1, "", fmt.Sprintf("the row has %d columns; the header has %d", len(row), len(head))))
			continue
		}
		var k key
		v, i := get(row, "period")
		m, perr := calendar.ParseMonth(v)
		if perr != nil {
			rec.Reject(c.Rejection(i, "period", fmt.Sprintf("%q is not a month (want YYYY-MM)", v)))
			continue
		}
		if !inMonths[m] {
			rec.Reject(c.Rejection(i, "period", fmt.Sprintf("the row is for %s, outside the months the file declares (%s..%s): left out", m, declared[0], declared[len(declared)-1])))
			continue
		}
		k.month = m
		v, i = get(row, "practice_code")
		v = strings.ToUpper(v)
		if !practicePattern.MatchString(v) {
			rec.Reject(c.Rejection(i, "practice_code", fmt.Sprintf("%q is not an ODS practice code", v)))
			continue
		}
		k.practice = v
		v, i = get(row, "treatment_function_code")
		v = strings.ToUpper(v)
		if !functionPattern.MatchString(v) {
			rec.Reject(c.Rejection(i, "treatment_function_code", fmt.Sprintf("%q is not a three-character treatment function code", v)))
			continue
		}
		k.function = v
		k.sex = "all"
		if v, i = get(row, "sex"); i >= 0 && v != "" {
			switch strings.ToLower(v) {
			case "m", "male":
				k.sex = "male"
			case "f", "female":
				k.sex = "female"
			case "all", "persons":
				k.sex = "all"
			default:
				rec.Reject(c.Rejection(i, "sex", fmt.Sprintf("%q is not male, female or all", v)))
				continue
			}
		}
		k.band = "all"
		if v, i = get(row, "age_band"); i >= 0 && v != "" && !strings.EqualFold(v, "all") {
			b := strings.ReplaceAll(v, "_", "-")
			if !bandPattern.MatchString(b) {
				rec.Reject(c.Rejection(i, "age_band", fmt.Sprintf("%q is not an age band such as 0-4 or 95+", v)))
				continue
			}
			k.band = b
		}
		if v, i = get(row, "priority"); i >= 0 && v != "" {
			switch strings.ToLower(strings.ReplaceAll(v, " ", "-")) {
			case "routine":
				k.priority = "routine"
			case "urgent":
				k.priority = "urgent"
			case "2ww", "two-week-wait", "2-week-wait":
				k.priority = "two-week-wait"
			default:
				rec.Reject(c.Rejection(i, "priority", fmt.Sprintf("%q is not routine, urgent or two-week-wait", v)))
				continue
			}
		}
		v, i = get(row, "referrals")
		n, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil || n < 0 {
			rec.Reject(c.Rejection(i, "referrals", fmt.Sprintf("%q is not a whole number of referrals", v)))
			continue
		}
		if _, ok := sums[k]; !ok {
			order = append(order, k)
		}
		sums[k] += n
		practices[k.practice] = true
		rec.Accept(0)
	}
	rows := make([]variation.Referral, 0, len(order))
	for _, k := range order {
		rows = append(rows, variation.Referral{Month: k.month, Practice: k.practice, FunctionCode: k.function,
			Sex: k.sex, AgeBand: k.band, Priority: k.priority, Referrals: sums[k]})
	}
	return rows, practices, nil
}

func (h *Handler) stage(ctx context.Context, d *duckdb.Draft, rec *importing.Recorder, months []calendar.Month, rows []variation.Referral, practices map[string]bool) error {
	replaced, err := d.ReplaceReferrals(ctx, months, rows)
	if err != nil {
		return fmt.Errorf("referrals: %w", err)
	}
	rec.Changed(len(rows))
	rec.Note("%d referral rows stored for %d month(s); %d rows of those months replaced", len(rows), len(months), replaced)
	if h.reg != nil {
		var unknown []string
		for p := range practices {
			if _, err := h.reg.Organisation(ctx, p); errors.Is(err, errs.ErrNotFound) {
				unknown = append(unknown, p)
			} else if err != nil {
				return fmt.Errorf("referrals: check practice %s: %w", p, err)
			}
		}
		if len(unknown) > 0 {
			rec.Note("%d practices in the file are not in the registry (for example %s): kept, but in no measure until the registry knows them", len(unknown), unknown[0])
		}
	}
	if h.svc != nil {
		svc := h.svc.Over(d)
		for _, m := range months {
			if err := svc.ComputeMonth(ctx, m); err != nil {
				return fmt.Errorf("referrals: %w", err)
			}
		}
	}
	return nil
}
