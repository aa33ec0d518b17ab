package referrals

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"ccg/internal/calendar"
	"ccg/internal/importing"
	"ccg/internal/variation"
)

// RatesHandler is the "referral-rates" import kind: a table of referrals
// by month, treatment function, sex and age band with the registered
// patients of each band, for England or for a CCG
// (docs/formats/referral-rates.md). Referral measures are standardised
// against it for each practice's age-sex mix.
//
// The file has a header row; column names are matched without regard to
// case, in any order:
//
//	period                   required  the month: YYYY-MM (or YYYYMM)
//	area                     required  england, or the CCG's ODS code (e.g. 00X)
//	treatment_function_code  required  e.g. 110
//	sex                      required  male or female (M, F)
//	age_band                 required  0-4, 5-9, ..., 90-94, 95+
//	referrals                required  referrals in the month, a whole number ≥ 0
//	patients                 required  registered patients of that sex and band, a whole number > 0
//
// Each (period, area) in the file replaces what was stored for it, all or
// nothing; importing the same file again changes nothing. The referral
// measures are computed again once the import is committed (AfterCommit).
type RatesHandler struct {
	refs variation.ReferenceStore
	svc  *variation.Service
}

// NewRatesHandler returns the referral-rates handler; svc (optional)
// recomputes the referral measures afterwards.
func NewRatesHandler(refs variation.ReferenceStore, svc *variation.Service) *RatesHandler {
	return &RatesHandler{refs: refs, svc: svc}
}

// Kind implements importing.Handler.
func (h *RatesHandler) Kind() string { return "referral-rates" }

// Describe implements importing.Handler.
func (h *RatesHandler) Describe() string {
	return "referrals by age band and sex for England or a CCG, to standardise referral measures (see docs/formats/referral-rates.md)"
}

var areaPattern = regexp.MustCompile(`^[0-9A-Z]{3,5}$`)

type rateKey struct {
	month                     calendar.Month
	area, function, sex, band string
}

type bandOf struct {
	month           calendar.Month
	area, sex, band string
}

// Load implements importing.Handler.
func (h *RatesHandler) Load(ctx context.Context, src *importing.Source, rec *importing.Recorder) error {
	if h.refs == nil {
		return errors.New("referral-rates: no store for reference tables")
	}
	c := importing.NewCSV(src)
	cols := []string{"period", "area", "treatment_function_code", "sex", "age_band", "referrals", "patients"}
	head, idx, err := readHeader(c, src, cols, "want "+strings.Join(cols, ", "))
	if err != nil {
		return err
	}
	get := func(row []string, name string) (string, int) {
		i := idx[name]
		if i >= len(row) {
			return "", i
		}
		return strings.TrimSpace(importing.Text(row[i])), i
	}
	var rows []variation.ReferenceRate
	lineOf := map[rateKey]int{}
	patientsOf := map[bandOf][2]int64{} // patients, line
	for {
		row, err := c.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		rec.Row()
		if len(row) < len(head) {
			rec.Reject(c.Rejection(len(row)-1, "", fmt.Sprintf("the row has %d columns; the header has %d", len(row), len(head))))
			continue
		}
		var r variation.ReferenceRate
		v, i := get(row, "period")
		if r.Month, err = calendar.ParseMonth(v); err != nil {
			rec.Reject(c.Rejection(i, "period", fmt.Sprintf("%q is not a month (want YYYY-MM)", v)))
			continue
		}
		v, i = get(row, "area")
		switch {
		case strings.EqualFold(v, "england"):
			r.Area = variation.ReferenceEngland
		case areaPattern.MatchString(strings.ToUpper(v)):
			r.Area = strings.ToUpper(v)
		default:
			rec.Reject(c.Rejection(i, "area", fmt.Sprintf("%q is not england or a CCG code such as 00X", v)))
			continue
		}
		v, i = get(row, "treatment_function_code")
		r.FunctionCode = strings.ToUpper(v)
		if !functionPattern.MatchString(r.FunctionCode) {
			rec.Reject(c.Rejection(i, "treatment_function_code", fmt.Sprintf("%q is not a three-character treatment function code", v)))
			continue
		}
		v, i = get(row, "sex")
		switch strings.ToLower(v) {
		case "m", "male":
			r.Sex = "male"
		case "f", "female":
			r.Sex = "female"
		default:
			rec.Reject(c.Rejection(i, "sex", fmt.Sprintf("%q is not male or female (a reference table needs rates for each sex)", v)))
			continue
		}
		v, i = get(row, "age_band")
		r.AgeBand = strings.ReplaceAll(v, "_", "-")
		if !bandPattern.MatchString(r.AgeBand) {
			rec.Reject(c.Rejection(i, "age_band", fmt.Sprintf("%q is not an age band such as 0-4 or 95+", v)))
			continue
		}
		v, i = get(row, "referrals")
		if r.Referrals, err = strconv.ParseInt(v, 10, 64); err != nil || r.Referrals < 0 {
			rec.Reject(c.Rejection(i, "referrals", fmt.Sprintf("%q is not a whole number of referrals", v)))
			continue
		}
		v, i = get(row, "patients")
		if r.Patients, err = strconv.ParseInt(v, 10, 64); err != nil || r.Patients <= 0 {
			rec.Reject(c.Rejection(i, "patients", fmt.Sprintf("%q is not a whole number of patients above 0", v)))
			continue
		}
		k := rateKey{r.Month, r.Area, r.FunctionCode, r.Sex, r.AgeBand}
		if line, dup := lineOf[k]; dup {
			rec.Reject(c.Rejection(idx["age_band"], "age_band", fmt.Sprintf("the same period, area, function, sex and age band is on line %d", line)))
			continue
		}
		b := bandOf{r.Month, r.Area, r.Sex, r.AgeBand}
		if p, ok := patientsOf[b]; ok && p[0] != r.Patients {
			rec.Reject(c.Rejection(i, "patients", fmt.Sprintf("%d patients, but line %d gives %d for the same period, area, sex and age band", r.Patients, p[1], p[0])))
			continue
		}
		lineOf[k] = c.Line()
		patientsOf[b] = [2]int64{r.Patients, int64(c.Line())}
		rows = append(rows, r)
		rec.Accept(0)
	}
	if len(rows) == 0 {
		return nil
	}
	changed, err := h.refs.ReplaceReferenceRates(ctx, rows)
	if err != nil {
		return fmt.Errorf("referral-rates: %w", err)
	}
	rec.Changed(changed)
	rec.Note("%d reference rows stored; %d differ from what was stored", len(rows), changed)
	return nil
}

// AfterCommit implements importing.Committer: once the table is committed,
// the referral measures of every month are computed again against it (in
// the analytics store, outside the import's transaction, so that an import
// undone by --strict never leaves figures made from rows it did not keep).
// It runs after every import, also one that changed nothing, so that
// importing the table again repairs figures a crash left half computed.
func (h *RatesHandler) AfterCommit(ctx context.Context) error {
	if h.svc == nil {
		return nil
	}
	if err := h.svc.RecomputeSource(ctx, variation.SourceReferrals); err != nil {
		return fmt.Errorf("referral-rates: %w", err)
	}
	return nil
}
