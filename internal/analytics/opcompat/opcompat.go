// Package opcompat runs OpenPrescribing's SQL measure definitions on
// DuckDB: the "BNF codes query" kind (a *_bnf_codes_query over dm+d chooses
// the codes) and the "custom" kind (numerator and denominator are SQL over
// OpenPrescribing's tables).
//
// Definition SQL is untrusted input. It is checked and translated from
// BigQuery's dialect (Translate), and run only in a Sandbox: a DuckDB
// database of its own, in memory, holding nothing but the
// OpenPrescribing-compatible tables of one month (hscic.normalised_prescribing,
// raw_prescribing_normalised, practice_statistics, presentation, bnf; the
// dm+d tables; the reference tables; the helper views), with external
// access disabled, configuration locked and a time limit on every query.
//
// Analytics wraps the analytics store (variation.Analytics): a query
// part's codes are resolved in the sandbox and handed to the store as an
// ordinary code list, and a custom part's figures come from the sandbox,
// so that every measure's values, percentiles, deciles and cost savings
// come out of the same code (variation.Compute) whatever its kind.
package opcompat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/variation"
)

// Limits on definition SQL.
const (
	// CheckLimit bounds each statement run when a definition is imported.
	CheckLimit = 20 * time.Second
	// RunLimit bounds each statement run when values are computed.
	RunLimit = 2 * time.Minute
)

// Analytics is the analytics store with OpenPrescribing's SQL measures.
type Analytics struct {
	variation.Analytics
	src Sources
}

// New wraps inner. src gives the sandbox its tables; the dm+d is cached
// between sandboxes (src.Cache) unless src gives a cache of its own.
func New(inner variation.Analytics, src Sources) *Analytics {
	if src.Cache == nil {
		src.Cache = &DMDCache{}
	}
	return &Analytics{Analytics: inner, src: src}
}

// Close removes the cached dm+d files (the wrapped store is closed by its
// owner).
func (a *Analytics) Close() error { return a.src.Cache.Close() }

// Unwrap returns the wrapped store.
func (a *Analytics) Unwrap() variation.Analytics { return a.Analytics }

// clauses names a part's clauses as the definition file does.
func clauses(which string) (query, columns, from, where string) {
	return which + "_bnf_codes_query", which + "_columns", which + "_from", which + "_where"
}

// prepared is a measure's SQL, translated.
type prepared struct {
	query [2]string         // translated codes query per part ("" none)
	stmt  [2]string         // custom statement per part ("" none)
	parts [2]variation.Part // the parts
	names [2]string         // "numerator", "denominator"
	m     variation.Measure
}

// prepare checks and translates a measure's SQL. Errors are *RefusedError.
func prepare(m variation.Measure) (prepared, error) {
	p := prepared{m: m, parts: [2]variation.Part{m.Numerator, m.Denominator}, names: [2]string{"numerator", "denominator"}}
	for i, part := range p.parts {
		qc, cc, fc, wc := clauses(p.names[i])
		if part.Query != "" {
			q, err := Translate(qc, "query", part.Query)
			if err != nil {
				return p, err
			}
			p.query[i] = q
		}
		if part.SQL != nil {
			cols, err := Translate(cc, "columns", part.SQL.Columns)
			if err != nil {
				return p, err
			}
			from, err := Translate(fc, "from", part.SQL.From)
			if err != nil {
				return p, err
			}
			where := ""
			if strings.TrimSpace(part.SQL.Where) != "" {
				if where, err = Translate(wc, "where", part.SQL.Where); err != nil {
					return p, err
				}
			}
			p.stmt[i] = CustomSQL(cols, from, where)
		}
	}
	return p, nil
}

var missingTable = regexp.MustCompile(`Table with name ([A-Za-z0-9_]+) does not exist`)

// explain turns a sandbox error into a reason people can act on.
func explain(err error) string {
	s := err.Error()
	if m := missingTable.FindStringSubmatch(s); m != nil {
		return fmt.Sprintf("it reads %s, which ccg does not provide (if it is a reference table, import it first: ccg import measure-reference %s.csv)", m[1], m[1])
	}
	return s
}

// Check checks that a measure's SQL runs: it is translated, then run once
// against a sandbox with the dm+d, the reference tables and no
// prescribing. A definition that cannot run is refused with its name, the
// clause and the reason (wrapping errs.ErrInvalid).
func (a *Analytics) Check(ctx context.Context, m variation.Measure) error {
	if m.Kind() == variation.KindFilter {
		return nil
	}
	refuse := func(clause, reason string) error {
		return fmt.Errorf("measure %q: %s: %s: %w", m.ID, clause, reason, errs.ErrInvalid)
	}
	p, err := prepare(m)
	if err != nil {
		var re *RefusedError
		if errors.As(err, &re) {
			return refuse(re.Clause, re.Reason)
		}
		return err
	}
	sb, err := Build(ctx, a.src, calendar.Month{})
	if err != nil {
		return fmt.Errorf("measure %q: %w", m.ID, err)
	}
	defer sb.Close()
	if readsLowPriority(m) {
		if err := sb.lowPriorityTables(ctx); err != nil {
			return fmt.Errorf("measure %q: %w", m.ID, err)
		}
	}
	for i := range p.parts {
		qc, cc, _, _ := clauses(p.names[i])
		if p.query[i] != "" {
			if _, err := sb.Codes(ctx, CheckLimit, p.query[i]); err != nil {
				return refuse(qc, explain(err))
			}
		}
		if p.stmt[i] != "" {
			if _, err := sb.Figures(ctx, CheckLimit, p.stmt[i], p.names[i]); err != nil {
				return refuse(cc+"/from/where", explain(err))
			}
		}
	}
	return nil
}

// PutMeasure checks a measure's SQL (Check) before storing it.
func (a *Analytics) PutMeasure(ctx context.Context, m variation.Measure) error {
	if err := a.Check(ctx, m); err != nil {
		return err
	}
	return a.Analytics.PutMeasure(ctx, m)
}

// ResolveCodes returns the codes a query part selects: the query's codes
// that are presentation codes, narrowed by the part's filter when it has
// one (OpenPrescribing's rule).
func ResolveCodes(part variation.Part, queryCodes []string) []string {
	narrow := part
	narrow.Query, narrow.SQL = "", nil
	filter := variation.CompileFilter(narrow)
	hasFilter := len(part.Include)+len(part.Exclude) > 0
	var out []string
	for _, c := range queryCodes {
		c = strings.ToUpper(strings.TrimSpace(c))
		if !presentationCode.MatchString(c) {
			continue
		}
		if hasFilter && !filter.Match(c) {
			continue
		}
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

var presentationCode = regexp.MustCompile(`^[0-9]{2}[0-9A-Z]{9}([0-9A-Z]{4})?$`)

// Sums implements variation.Analytics: filter measures go to the store as
// they are; query parts are resolved to code lists in a sandbox of the
// month and then summed by the store like any filter; custom parts are
// run in the sandbox.
func (a *Analytics) Sums(ctx context.Context, month calendar.Month, measures []variation.Measure) ([]variation.PracticeSums, error) {
	var special []prepared
	plain := make([]variation.Measure, 0, len(measures))
	for _, m := range measures {
		if m.Kind() == variation.KindFilter {
			plain = append(plain, m)
			continue
		}
		p, err := prepare(m)
		if err != nil {
			// Imported definitions were checked; one stored before a rule
			// changed is left out rather than computed wrongly.
			slog.Warn("measure left out: its SQL is refused", "measure", m.ID, "reason", err)
			continue
		}
		special = append(special, p)
	}
	if len(special) == 0 {
		return a.Analytics.Sums(ctx, month, measures)
	}
	sb, err := Build(ctx, a.src, month)
	if err != nil {
		return nil, err
	}
	defer sb.Close()
	for _, p := range special {
		if readsLowPriority(p.m) {
			missing, err := a.addLowPriority(ctx, sb, month)
			if err != nil {
				return nil, fmt.Errorf("opcompat: measure %q: %w", p.m.ID, err)
			}
			if len(missing) > 0 {
				slog.Warn("low-priority measures not imported count nothing in their union", "measure", p.m.ID, "missing", strings.Join(missing, ", "))
			}
			break
		}
	}
	custom := map[string][2]map[string]float64{}
	for _, p := range special {
		m := p.m
		var figures [2]map[string]float64
		for i := range p.parts {
			switch {
			case p.query[i] != "":
				codes, err := sb.Codes(ctx, RunLimit, p.query[i])
				if err != nil {
					return nil, fmt.Errorf("opcompat: measure %q: %s_bnf_codes_query: %s", m.ID, p.names[i], explain(err))
				}
				resolved := p.parts[i]
				resolved.Include, resolved.Exclude, resolved.Query = ResolveCodes(p.parts[i], codes), nil, ""
				if i == 0 {
					m.Numerator = resolved
				} else {
					m.Denominator = resolved
				}
			case p.stmt[i] != "":
				f, err := sb.Figures(ctx, RunLimit, p.stmt[i], p.names[i])
				if err != nil {
					return nil, fmt.Errorf("opcompat: measure %q: %s: %s", m.ID, p.names[i], explain(err))
				}
				figures[i] = f
			}
		}
		if figures[0] != nil || figures[1] != nil {
			custom[m.ID] = figures
		}
		plain = append(plain, m)
	}
	sums, err := a.Analytics.Sums(ctx, month, plain)
	if err != nil {
		return nil, err
	}
	if len(custom) == 0 {
		return sums, nil
	}
	type key struct{ m, p string }
	at := map[key]int{}
	for i, s := range sums {
		at[key{s.MeasureID, s.Practice}] = i
	}
	for id, figs := range custom {
		for part, f := range figs {
			for practice, v := range f {
				i, ok := at[key{id, practice}]
				if !ok {
					sums = append(sums, variation.PracticeSums{MeasureID: id, Practice: practice})
					i = len(sums) - 1
					at[key{id, practice}] = i
				}
				if part == 0 {
					sums[i].Numerator = v
				} else {
					sums[i].Denominator = v
				}
			}
		}
	}
	return sums, nil
}
