package variation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"ccg/internal/errs"
)

// Quantity is what a numerator or denominator sums.
type Quantity string

// The quantities a measure can sum. Items, quantity and cost are summed over
// the prescribing rows its BNF filter selects; referrals over the referral
// rows its treatment-function filter selects; the list-size kinds are
// denominators drawn from the registered population.
const (
	QuantityItems     Quantity = "items"     // prescription items dispensed
	QuantityQuantity  Quantity = "quantity"  // total quantity (tablets, ml, ...)
	QuantityCost      Quantity = "cost"      // actual cost, pounds
	QuantityReferrals Quantity = "referrals" // referrals (referral measures only)
	// QuantityListSize is the registered list size in thousands, so that a
	// value is "per 1,000 patients" (OpenPrescribing's list_size).
	QuantityListSize Quantity = "list_size"
	// QuantityASTROPUCost and QuantityASTROPUItems are the list weighted by
	// the 2013 ASTRO-PU age-sex weights, in thousands.
	QuantityASTROPUCost  Quantity = "astro_pu_cost"
	QuantityASTROPUItems Quantity = "astro_pu_items"
	// QuantitySTARPUAntibacterialItems is the list weighted by the 2013
	// STAR-PU weights for oral antibacterial items, in thousands
	// (OpenPrescribing's star_pu_antibiotics). STAR-PUs were last reviewed
	// in 2013: offered, not imposed.
	QuantitySTARPUAntibacterialItems Quantity = "star_pu_oral_antibacterials_item"
	// QuantityCustom is an OpenPrescribing "custom" numerator or
	// denominator: SQL (Part.SQL) run over the OpenPrescribing-compatible
	// tables, one figure per practice.
	QuantityCustom Quantity = "custom"
)

// FromPrescribing reports whether q is summed over prescribing rows.
func (q Quantity) FromPrescribing() bool {
	return q == QuantityItems || q == QuantityQuantity || q == QuantityCost
}

// FromPopulation reports whether q is a population denominator.
func (q Quantity) FromPopulation() bool {
	switch q {
	case QuantityListSize, QuantityASTROPUCost, QuantityASTROPUItems, QuantitySTARPUAntibacterialItems:
		return true
	}
	return false
}

func (q Quantity) valid() bool {
	return q.FromPrescribing() || q.FromPopulation() || q == QuantityReferrals || q == QuantityCustom
}

// Source is the data a measure is computed from.
type Source string

// Measure sources.
const (
	SourcePrescribing Source = "prescribing"
	SourceReferrals   Source = "referrals"
)

// Part is a numerator or a denominator: a quantity summed over the rows a
// code filter selects, or a population.
type Part struct {
	// Quantity is what is summed.
	Quantity Quantity `json:"quantity"`
	// Include selects rows whose code matches any of these patterns; Exclude
	// then removes rows matching any of its patterns. For prescribing a
	// pattern is a BNF code prefix ("0501013K0"), a whole code, or a
	// pattern with % wildcards ("0401020K0%AD"), as OpenPrescribing writes
	// them. For referrals a pattern is a treatment function code ("110").
	// Text after a # is a comment.
	Include []string `json:"include,omitempty"`
	Exclude []string `json:"exclude,omitempty"`
	// Label is a short plain name ("Co-amoxiclav items").
	Label string `json:"label,omitempty"`
	// Query, when set, is an OpenPrescribing *_bnf_codes_query: SQL over
	// dm+d that chooses the BNF codes, which Include and Exclude then
	// narrow (OpenPrescribing's rule). It is run in the measure sandbox
	// (internal/analytics/opcompat); until then the part matches nothing.
	Query string `json:"query,omitempty"`
	// SQL is the numerator or denominator of a custom part.
	SQL *CustomSQL `json:"sql,omitempty"`
}

// CustomSQL is an OpenPrescribing custom numerator or denominator:
// SELECT <Columns> FROM <From> WHERE <Where>, grouped by practice, over the
// OpenPrescribing-compatible tables of one month.
type CustomSQL struct {
	Columns string `json:"columns"`
	From    string `json:"from"`
	Where   string `json:"where,omitempty"`
}

// Reads reports whether the SQL names name (a table or column, in any
// case): the measure page uses it to say where ccg's figures can differ.
func (c *CustomSQL) Reads(name string) bool {
	if c == nil {
		return false
	}
	name = strings.ToLower(name)
	for _, s := range []string{c.Columns, c.From, c.Where} {
		if strings.Contains(strings.ToLower(s), name) {
			return true
		}
	}
	return false
}

// Measure kinds, as Kind returns them.
const (
	KindFilter = "filter" // BNF code (or treatment function) filters only
	KindQuery  = "query"  // BNF codes chosen by an SQL query over dm+d
	KindCustom = "custom" // numerator or denominator written in SQL
)

// Kind says how the measure is calculated: KindCustom when a part is SQL,
// KindQuery when a part's codes come from a dm+d query, else KindFilter.
func (m Measure) Kind() string {
	if m.Numerator.SQL != nil || m.Denominator.SQL != nil {
		return KindCustom
	}
	if m.Numerator.Query != "" || m.Denominator.Query != "" {
		return KindQuery
	}
	return KindFilter
}

// Measure is one indicator: a numerator over a denominator, computed for
// every practice, locality, CCG and England each month.
type Measure struct {
	// ID is the measure's file name without its extension.
	ID          string `json:"id"`
	Name        string `json:"name"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	// WhyItMatters says in plain language why the measure is worth looking at.
	WhyItMatters string   `json:"why_it_matters"`
	Tags         []string `json:"tags,omitempty"`
	Source       Source   `json:"source"`
	Numerator    Part     `json:"numerator"`
	Denominator  Part     `json:"denominator"`
	// IsPercentage marks a numerator that is part of its denominator; the
	// value is then a fraction from 0 to 1 (pages show it × 100).
	IsPercentage bool `json:"is_percentage"`
	// LowIsGood says which way is better: true when lower is better, false
	// when higher is better, nil when neither is (a referral rate, say).
	LowIsGood *bool `json:"low_is_good"`
	// CostBased measures report cost savings at each decile.
	CostBased bool   `json:"is_cost_based"`
	YLabel    string `json:"y_label,omitempty"`
	// Origin says where the definition came from: "ccg" for the library
	// that ships with ccg, or "openprescribing" for an imported definition.
	Origin string `json:"origin,omitempty"`
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$`)

// IDFromFileName returns a measure's id from its file name: the base name
// without its extension, as OpenPrescribing names measures.
func IDFromFileName(name string) string {
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	if i := strings.Index(base, "."); i > 0 {
		base = base[:i]
	}
	return base
}

// Validate checks that the measure can be computed.
func (m Measure) Validate() error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("measure %q: %s: %w", m.ID, fmt.Sprintf(format, args...), errs.ErrInvalid)
	}
	if !idPattern.MatchString(m.ID) {
		return fail("the id must be letters, digits, '_', '-' or '.' (it is the file name)")
	}
	if strings.TrimSpace(m.Name) == "" {
		return fail("a name is required")
	}
	switch m.Source {
	case SourcePrescribing, SourceReferrals:
	default:
		return fail("source %q is not prescribing or referrals", m.Source)
	}
	for _, p := range []struct {
		name string
		part Part
	}{{"numerator", m.Numerator}, {"denominator", m.Denominator}} {
		q := p.part.Quantity
		if !q.valid() {
			return fail("%s quantity %q is not one of items, quantity, cost, referrals, list_size, astro_pu_cost, astro_pu_items, star_pu_oral_antibacterials_item", p.name, q)
		}
		if m.Source == SourcePrescribing && q == QuantityReferrals {
			return fail("%s: a prescribing measure cannot sum referrals", p.name)
		}
		if m.Source == SourceReferrals && q.FromPrescribing() {
			return fail("%s: a referral measure cannot sum %s", p.name, q)
		}
		if q == QuantityCustom {
			if m.Source != SourcePrescribing {
				return fail("%s: only prescribing measures can be custom", p.name)
			}
			if p.part.SQL == nil || strings.TrimSpace(p.part.SQL.Columns) == "" || strings.TrimSpace(p.part.SQL.From) == "" {
				return fail("%s: a custom part needs its SQL columns and from", p.name)
			}
			continue
		}
		if p.part.SQL != nil {
			return fail("%s: SQL is only for custom parts", p.name)
		}
		if p.part.Query != "" && !q.FromPrescribing() {
			return fail("%s: a BNF codes query is only for prescribing quantities", p.name)
		}
		if q.FromPopulation() {
			if len(p.part.Include)+len(p.part.Exclude) > 0 {
				return fail("%s: a %s denominator takes no code filter", p.name, q)
			}
			continue
		}
		if len(p.part.Include) == 0 && len(p.part.Exclude) == 0 && p.part.Query == "" {
			return fail("%s: a code filter (include and/or exclude) is required", p.name)
		}
		for _, pat := range append(append([]string(nil), p.part.Include...), p.part.Exclude...) {
			if err := checkPattern(m.Source, pat); err != nil {
				return fail("%s: %v", p.name, err)
			}
		}
	}
	if m.Numerator.Quantity.FromPopulation() {
		return fail("the numerator must be a prescribing or referral quantity, not %s", m.Numerator.Quantity)
	}
	if m.IsPercentage && m.Denominator.Quantity.FromPopulation() {
		return fail("a percentage measure needs a code-filtered denominator, not %s", m.Denominator.Quantity)
	}
	if m.CostBased && m.Numerator.Quantity != QuantityCost && m.Numerator.Quantity != QuantityCustom && !m.IsPercentage {
		return fail("a cost-based rate measure must sum cost in its numerator")
	}
	if m.CostBased && m.Source != SourcePrescribing {
		return fail("only prescribing measures can be cost-based")
	}
	return nil
}

var (
	bnfPattern      = regexp.MustCompile(`^[0-9A-Z%_]{1,15}$`)
	functionPattern = regexp.MustCompile(`^[0-9A-Z]{1,5}$`)
)

func checkPattern(src Source, pat string) error {
	p := cleanPattern(pat)
	if p == "" {
		return fmt.Errorf("an empty code pattern")
	}
	if src == SourceReferrals {
		if !functionPattern.MatchString(p) {
			return fmt.Errorf("%q is not a treatment function code", p)
		}
		return nil
	}
	if !bnfPattern.MatchString(p) {
		return fmt.Errorf("%q is not a BNF code, prefix or %%-pattern", p)
	}
	return nil
}

// cleanPattern drops a # comment and surrounding space.
func cleanPattern(p string) string {
	if i := strings.Index(p, "#"); i >= 0 {
		p = p[:i]
	}
	return strings.ToUpper(strings.TrimSpace(p))
}

// Filter is a compiled include/exclude code filter.
type Filter struct {
	include, exclude []matcher
}

type matcher struct {
	prefix string         // plain prefix (or whole code)
	exact  bool           // whole 15-character (or 11-character appliance) code
	re     *regexp.Regexp // a %/_ wildcard pattern
}

// CompileFilter compiles a Part's patterns. A part whose codes come from a
// query not yet run (Query set), or that is SQL, matches nothing: its
// figures are never widened to what the patterns alone would select.
func CompileFilter(p Part) Filter {
	var f Filter
	if p.Query != "" || p.SQL != nil || p.Quantity == QuantityCustom {
		return f
	}
	for _, s := range p.Include {
		f.include = append(f.include, compileMatcher(s))
	}
	for _, s := range p.Exclude {
		f.exclude = append(f.exclude, compileMatcher(s))
	}
	return f
}

func compileMatcher(s string) matcher {
	s = cleanPattern(s)
	if strings.ContainsAny(s, "%_") {
		var b strings.Builder
		b.WriteString("^")
		for _, r := range s {
			switch r {
			case '%':
				b.WriteString(".*")
			case '_':
				b.WriteString(".")
			default:
				b.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		b.WriteString("$")
		return matcher{re: regexp.MustCompile(b.String())}
	}
	full := 15
	if len(s) >= 2 && s[:2] > "19" {
		full = 11 // appliances (chapters 20-23) have 11-character codes
	}
	return matcher{prefix: s, exact: len(s) == full}
}

func (m matcher) match(code string) bool {
	switch {
	case m.re != nil:
		return m.re.MatchString(code)
	case m.exact:
		return code == m.prefix
	}
	return strings.HasPrefix(code, m.prefix)
}

// Match reports whether code passes the filter: it matches an include
// pattern (or there are none) and no exclude pattern. A filter with neither
// matches nothing.
func (f Filter) Match(code string) bool {
	code = strings.TrimSpace(code)
	if len(f.include) == 0 && len(f.exclude) == 0 {
		return false
	}
	if len(f.include) > 0 {
		ok := false
		for _, m := range f.include {
			if m.match(code) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, m := range f.exclude {
		if m.match(code) {
			return false
		}
	}
	return true
}

// ParseMeasure reads one measure definition from a file named name, in
// ccg's own format or as an OpenPrescribing measure definition; which one is
// decided by the fields present (OpenPrescribing's have numerator_type).
// The id is always the file name without its extension.
func ParseMeasure(name string, data []byte) (Measure, error) {
	id := IDFromFileName(name)
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return Measure{}, fmt.Errorf("measure %q: not a JSON object: %v: %w", id, err, errs.ErrInvalid)
	}
	if _, ok := probe["numerator_type"]; ok {
		return ParseOpenPrescribing(name, data)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Measure
	if err := dec.Decode(&m); err != nil {
		return Measure{}, fmt.Errorf("measure %q: %v: %w", id, err, errs.ErrInvalid)
	}
	if m.ID != "" && m.ID != id {
		return Measure{}, fmt.Errorf("measure %q: the file says id %q, but a measure's id is its file name: %w", id, m.ID, errs.ErrInvalid)
	}
	m.ID = id
	if m.Source == "" {
		m.Source = SourcePrescribing
	}
	if m.Origin == "" {
		m.Origin = "ccg"
	}
	if m.Title == "" {
		m.Title = m.Name
	}
	if err := m.Validate(); err != nil {
		return Measure{}, err
	}
	return m, nil
}

// SortMeasures orders measures by name, then id.
func SortMeasures(ms []Measure) {
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].Name != ms[j].Name {
			return ms[i].Name < ms[j].Name
		}
		return ms[i].ID < ms[j].ID
	})
}
