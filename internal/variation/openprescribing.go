package variation

import (
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"sort"
	"strings"

	"ccg/internal/errs"
)

// ErrUnsupportedDefinition is wrapped by the error ParseOpenPrescribing
// returns for a definition ccg cannot compute, with the reason.
var ErrUnsupportedDefinition = fmt.Errorf("measure definition not supported: %w", errs.ErrInvalid)

// ParseOpenPrescribing reads an OpenPrescribing measure definition (the JSON
// files of openprescribing/measures/definitions). As there, the measure's
// id is the file name without its extension.
//
// It takes every kind OpenPrescribing's library uses:
//   - "BNF codes filter": numerator_type bnf_items, bnf_quantity or
//     bnf_cost with numerator_bnf_codes_filter, and denominator_type
//     bnf_items, bnf_quantity, bnf_cost (with denominator_bnf_codes_filter),
//     list_size or star_pu_antibiotics. Filters are BNF codes, prefixes or
//     %-patterns, each negated by a leading ~, with # comments — exactly
//     OpenPrescribing's rules;
//   - "BNF codes query": a *_bnf_codes_query (SQL over dm+d) chooses the
//     codes, which the filter, when given, narrows (Part.Query);
//   - "custom": numerator_columns/from/where (and the denominator's) are SQL
//     over OpenPrescribing's tables (Part.SQL).
//
// The SQL is only kept here; whether it runs is decided where it is run
// (internal/analytics/opcompat checks and translates it, and refuses what
// it cannot run with the reason). Other types (bnf_price_per_unit, STAR-PU
// groups other than oral antibacterial items) are refused with
// ErrUnsupportedDefinition.
func ParseOpenPrescribing(name string, data []byte) (Measure, error) {
	id := IDFromFileName(name)
	var d opDefinition
	if err := json.Unmarshal(data, &d); err != nil {
		return Measure{}, fmt.Errorf("openprescribing measure %q: %v: %w", id, err, errs.ErrInvalid)
	}
	unsupported := func(format string, args ...any) error {
		return fmt.Errorf("openprescribing measure %q: %s: %w", id, fmt.Sprintf(format, args...), ErrUnsupportedDefinition)
	}
	m := Measure{
		ID:           id,
		Name:         strings.TrimSpace(d.Name.String()),
		Title:        strings.TrimSpace(d.Title.String()),
		Description:  strings.TrimSpace(d.Description.String()),
		WhyItMatters: plainText(d.WhyItMatters.String()),
		Tags:         d.Tags,
		Source:       SourcePrescribing,
		IsPercentage: d.IsPercentage,
		CostBased:    d.IsCostBased,
		LowIsGood:    d.LowIsGood,
		YLabel:       strings.TrimSpace(d.YLabel.String()),
		Origin:       "openprescribing",
	}
	if m.Title == "" {
		m.Title = m.Name
	}
	var err error
	num := opSQL{d.NumeratorColumns, d.NumeratorFrom, d.NumeratorWhere}
	den := opSQL{d.DenominatorColumns, d.DenominatorFrom, d.DenominatorWhere}
	if m.Numerator, err = d.part("numerator", d.NumeratorType, d.NumeratorFilter, d.NumeratorQuery, d.NumeratorShort, num, false); err != nil {
		return Measure{}, unsupported("%v", err)
	}
	if m.Denominator, err = d.part("denominator", d.DenominatorType, d.DenominatorFilter, d.DenominatorQuery, d.DenominatorShort, den, true); err != nil {
		return Measure{}, unsupported("%v", err)
	}
	if err := m.Validate(); err != nil {
		return Measure{}, fmt.Errorf("openprescribing measure %q: %w", id, err)
	}
	return m, nil
}

type opText string

// UnmarshalJSON accepts a string or an array of strings (joined with
// spaces, as OpenPrescribing's arrays_to_strings does).
func (t *opText) UnmarshalJSON(b []byte) error {
	s, err := stringOrLines(b, " ")
	*t = opText(s)
	return err
}

// stringOrLines reads a JSON string, or a list of strings joined with sep.
func stringOrLines(b []byte, sep string) (string, error) {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		return s, nil
	}
	var parts []string
	if err := json.Unmarshal(b, &parts); err != nil {
		return "", fmt.Errorf("want a string or a list of strings: %w", err)
	}
	return strings.Join(parts, sep), nil
}

// String returns the text.
func (t opText) String() string { return string(t) }

type opDefinition struct {
	Name              opText    `json:"name"`
	Title             opText    `json:"title"`
	Description       opText    `json:"description"`
	WhyItMatters      opText    `json:"why_it_matters"`
	NumeratorShort    opText    `json:"numerator_short"`
	DenominatorShort  opText    `json:"denominator_short"`
	YLabel            opText    `json:"y_label"`
	Tags              []string  `json:"tags"`
	IsPercentage      bool      `json:"is_percentage"`
	IsCostBased       bool      `json:"is_cost_based"`
	LowIsGood         *bool     `json:"low_is_good"`
	NumeratorType     string    `json:"numerator_type"`
	NumeratorFilter   []string  `json:"numerator_bnf_codes_filter"`
	NumeratorQuery    opSQLText `json:"numerator_bnf_codes_query"`
	DenominatorType   string    `json:"denominator_type"`
	DenominatorFilter []string  `json:"denominator_bnf_codes_filter"`
	DenominatorQuery  opSQLText `json:"denominator_bnf_codes_query"`

	NumeratorColumns   opSQLText `json:"numerator_columns"`
	NumeratorFrom      opSQLText `json:"numerator_from"`
	NumeratorWhere     opSQLText `json:"numerator_where"`
	DenominatorColumns opSQLText `json:"denominator_columns"`
	DenominatorFrom    opSQLText `json:"denominator_from"`
	DenominatorWhere   opSQLText `json:"denominator_where"`
}

// opSQLText is SQL given as a string or a list of lines; lines are joined
// with newlines, so that a "--" comment at the end of one line never
// swallows the next.
type opSQLText string

// UnmarshalJSON accepts a string or an array of strings.
func (t *opSQLText) UnmarshalJSON(b []byte) error {
	s, err := stringOrLines(b, "\n")
	*t = opSQLText(s)
	return err
}

// String returns the SQL.
func (t opSQLText) String() string { return string(t) }

type opSQL struct{ columns, from, where opSQLText }

func (d opDefinition) part(which, typ string, filter []string, query opSQLText, short opText, sql opSQL, denominator bool) (Part, error) {
	p := Part{Label: strings.TrimSpace(short.String())}
	switch typ {
	case "bnf_items":
		p.Quantity = QuantityItems
	case "bnf_quantity":
		p.Quantity = QuantityQuantity
	case "bnf_cost":
		p.Quantity = QuantityCost
	case "list_size":
		if !denominator {
			return p, fmt.Errorf("list_size can only be a denominator")
		}
		p.Quantity = QuantityListSize
		return p, nil
	case "star_pu_antibiotics":
		if !denominator {
			return p, fmt.Errorf("star_pu_antibiotics can only be a denominator")
		}
		p.Quantity = QuantitySTARPUAntibacterialItems
		return p, nil
	case "custom":
		p.Quantity = QuantityCustom
		p.SQL = &CustomSQL{Columns: strings.TrimSpace(sql.columns.String()), From: strings.TrimSpace(sql.from.String()),
			Where: strings.TrimSpace(sql.where.String())}
		if p.SQL.Columns == "" || p.SQL.From == "" {
			return p, fmt.Errorf("%s_type is \"custom\" but %s_columns or %s_from is missing", which, which, which)
		}
		return p, nil
	case "":
		return p, fmt.Errorf("%s_type is missing", which)
	default:
		return p, fmt.Errorf("%s_type %q is not one ccg can compute (it takes bnf_items, bnf_quantity, bnf_cost, and for denominators list_size and star_pu_antibiotics)", which, typ)
	}
	p.Query = strings.TrimSpace(query.String())
	if len(filter) == 0 && p.Query != "" {
		return p, nil
	}
	if len(filter) == 0 {
		return p, fmt.Errorf("%s_bnf_codes_filter is missing", which)
	}
	for _, f := range filter {
		f = strings.TrimSpace(f)
		if i := strings.Index(f, "#"); i >= 0 {
			f = strings.TrimSpace(f[:i])
		}
		if f == "" {
			continue
		}
		if strings.HasPrefix(f, "~") {
			p.Exclude = append(p.Exclude, strings.TrimSpace(f[1:]))
		} else {
			p.Include = append(p.Include, f)
		}
	}
	if len(p.Include) == 0 {
		// OpenPrescribing filters all presentations when only exclusions are given.
		if len(p.Exclude) == 0 {
			return p, fmt.Errorf("%s_bnf_codes_filter has no codes", which)
		}
	}
	return p, nil
}

var tagPattern = regexp.MustCompile(`<[^>]*>`)

// plainText turns OpenPrescribing's HTML why-it-matters into plain text.
func plainText(s string) string {
	s = strings.NewReplacer("</p>", "\n\n", "<li>", "\n• ", "<br>", "\n", "<br/>", "\n").Replace(s)
	s = tagPattern.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	out := strings.Join(lines, "\n")
	for strings.Contains(out, "\n\n\n") {
		out = strings.ReplaceAll(out, "\n\n\n", "\n\n")
	}
	return strings.TrimSpace(out)
}

// MeasureSet is a set of measures by id.
type MeasureSet map[string]Measure

// Sorted returns the measures sorted by name.
func (s MeasureSet) Sorted() []Measure {
	out := make([]Measure, 0, len(s))
	for _, m := range s {
		out = append(out, m)
	}
	SortMeasures(out)
	return out
}

// IDs returns the ids, sorted.
func (s MeasureSet) IDs() []string {
	out := make([]string, 0, len(s))
	for id := range s {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}
