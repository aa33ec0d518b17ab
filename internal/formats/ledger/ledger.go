// Package ledger imports monthly actuals from a commissioner's general
// ledger: a CSV extract with one row per period, cost centre and programme
// (and, optionally, locality), as finance teams export from their ledger
// system. The format is described in docs/formats/ledger.md:
//
//	period,cost_centre,programme,amount[,locality][,description][,organisation]
//
// period is YYYY-MM (201304 and 2013_04 are accepted too); programme is one
// of finance.Programmes or a plain-words form of one (see
// finance.ParseProgramme); amount is pounds with pence: 1234.56, -1234.56,
// "1,234.56" (quoted, because of the comma), £1,234.56 or (1,234.56).
// Positive amounts are spending, negative ones credits. locality is a
// locality code; organisation is the ODS code of the commissioner whose
// ledger it is (blank or absent: the commissioner running ccg).
//
// Rows with the same organisation, period, cost centre, programme and
// locality are journal lines of one figure: they are added together, and
// the sum replaces the stored figure for that key. So the same file
// imported again changes nothing, and a corrected extract replaces the
// figures it contains; figures for keys the file does not mention are
// kept. A row with an unknown programme, a bad period or a bad amount is
// rejected with its reason; a file that is not a ledger extract (no such
// header, rows of the wrong width, damaged quoting) fails as a whole at
// its line and column, and nothing is imported.
package ledger

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/finance"
	"ccg/internal/formats/internal/field"
	"ccg/internal/importing"
)

// Column names, as field.Header writes them.
const (
	colPeriod      = "PERIOD"
	colCostCentre  = "COST_CENTRE"
	colProgramme   = "PROGRAMME"
	colAmount      = "AMOUNT"
	colLocality    = "LOCALITY"
	colDescription = "DESCRIPTION"
	colOrg         = "ORGANISATION"
)

const wantHeader = "a ledger file starts with the header period,cost_centre,programme,amount " +
	"(and may add locality, description and organisation)"

// Handler imports general-ledger actuals.
type Handler struct {
	store finance.LedgerStore
}

// NewHandler returns the "ledger" handler, which writes through store.
func NewHandler(store finance.LedgerStore) importing.Handler { return &Handler{store: store} }

// Kind implements importing.Handler.
func (h *Handler) Kind() string { return "ledger" }

// Describe implements importing.Handler.
func (h *Handler) Describe() string {
	return "monthly actuals from the general ledger (period,cost_centre,programme,amount[,locality,description,organisation])"
}

type columns struct {
	period, costCentre, programme, amount, locality, description, org int
	names                                                             []string
	width                                                             int
}

func readHeader(src *importing.Source, c *importing.CSV) (columns, []string, error) {
	header, err := c.Read()
	if err == io.EOF {
		return columns{}, nil, src.Errorf(1, 1, "the file is empty: %s", wantHeader)
	}
	if err != nil {
		return columns{}, nil, err
	}
	cols := columns{period: -1, costCentre: -1, programme: -1, amount: -1, locality: -1, description: -1, org: -1, width: len(header)}
	var unused []string
	for i, h := range header {
		cols.names = append(cols.names, strings.ToLower(importing.Text(h)))
		var at *int
		switch field.Header(h) {
		case colPeriod, "MONTH":
			at = &cols.period
		case colCostCentre, "COST_CENTER", "COSTCENTRE":
			at = &cols.costCentre
		case colProgramme, "PROGRAM":
			at = &cols.programme
		case colAmount:
			at = &cols.amount
		case colLocality, "LOCALITY_CODE":
			at = &cols.locality
		case colDescription:
			at = &cols.description
		case colOrg, "ORGANISATION_CODE", "ORG", "CCG_CODE":
			at = &cols.org
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
	}{{cols.period, "period"}, {cols.costCentre, "cost_centre"}, {cols.programme, "programme"}, {cols.amount, "amount"}} {
		if m.at < 0 {
			missing = append(missing, m.name)
		}
	}
	if len(missing) > 0 {
		what := "the header has no " + strings.Join(missing, ", ") + " column"
		if len(missing) > 1 {
			what += "s"
		}
		if _, err := calendar.ParseMonth(strings.TrimSpace(header[0])); err == nil {
			what = "the first row is not a header (it starts with the period " + strings.TrimSpace(header[0]) + ")"
		}
		return columns{}, nil, c.Errorf(0, "%s: %s", what, wantHeader)
	}
	return cols, unused, nil
}

// Load implements importing.Handler.
func (h *Handler) Load(ctx context.Context, src *importing.Source, rec *importing.Recorder) error {
	c := importing.NewCSV(src)
	cols, unused, err := readHeader(src, c)
	if err != nil {
		return err
	}
	source := h.Kind() + " " + src.Name
	sums := map[finance.ActualKey]*finance.Actual{}
	var order []finance.ActualKey
	rows, accepted := 0, 0
	for {
		row, err := c.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := c.CheckWidth(cols.width, "is an amount with a thousands comma missing its quotes?"); err != nil {
			return err
		}
		rows++
		rec.Row()
		reject := func(col int, reason string) { rec.Reject(c.Rejection(col, cols.names[col], reason)) }
		get := func(col int) string {
			if col < 0 {
				return ""
			}
			return importing.Text(row[col])
		}

		p := get(cols.period)
		period, err := calendar.ParseMonth(p)
		if p == "" {
			reject(cols.period, "the period is missing")
			continue
		} else if err != nil {
			reject(cols.period, fmt.Sprintf("the period %q is not a month (want YYYY-MM, such as 2013-04)", p))
			continue
		}
		cc := get(cols.costCentre)
		if cc == "" {
			reject(cols.costCentre, "the cost centre is missing")
			continue
		}
		if len(cc) > 40 {
			reject(cols.costCentre, fmt.Sprintf("the cost centre %q is longer than 40 characters", cc))
			continue
		}
		prog, err := finance.ParseProgramme(get(cols.programme))
		if err != nil {
			reason := "the programme is missing"
			if get(cols.programme) != "" {
				reason = strings.TrimSuffix(err.Error(), ": "+errs.ErrInvalid.Error())
			}
			reject(cols.programme, reason)
			continue
		}
		amt, err := finance.ParsePounds(get(cols.amount))
		if err != nil {
			reject(cols.amount, err.Error())
			continue
		}
		org := ""
		if o := get(cols.org); o != "" {
			if org, err = field.Code(o, "organisation code", 3, 5); err != nil {
				reject(cols.org, err.Error())
				continue
			}
		}
		loc := strings.ToUpper(get(cols.locality))
		if len(loc) > 30 {
			reject(cols.locality, fmt.Sprintf("the locality %q is longer than 30 characters", loc))
			continue
		}
		a := finance.Actual{Org: org, Period: period, CostCentre: cc, Programme: prog, Locality: loc, Amount: amt,
			Description: get(cols.description), Source: source}
		k := a.Key()
		if s, ok := sums[k]; ok {
			s.Amount += amt
			if s.Description == "" {
				s.Description = a.Description
			}
		} else {
			sums[k] = &a
			order = append(order, k)
		}
		accepted++
		rec.Accept(0)
	}
	if rows == 0 {
		return src.Errorf(2, 1, "the file has a header but no rows: %s, then one row per period, cost centre and programme", wantHeader)
	}
	out := make([]finance.Actual, 0, len(order))
	for _, k := range order {
		out = append(out, *sums[k])
	}
	if len(out) > 0 {
		changed, err := h.store.PutActuals(ctx, out)
		if err != nil {
			return fmt.Errorf("%s: store actuals: %w", src.Name, err)
		}
		rec.Changed(changed)
	}
	if accepted > len(out) {
		rec.Note("%d rows were journal lines of the same period, cost centre and programme and were added together into %d figures", accepted, len(out))
	}
	if len(unused) > 0 {
		slices.Sort(unused)
		rec.Note("columns not used: %s", strings.Join(unused, ", "))
	}
	return nil
}
