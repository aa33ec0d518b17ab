package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"ccg/internal/calendar"
	"ccg/internal/chart"
	"ccg/internal/errs"
	"ccg/internal/registry"
)

// OrganisationView is the page about one organisation. Every organisation
// has its details, the dated relationships it belongs through, and its
// merger history; Practice, Commissioner and Locality add what is
// particular to those kinds.
type OrganisationView struct {
	Organisation registry.Organisation `json:"organisation"`
	KindLabel    string                `json:"kind_label"`
	// Parent is the organisation it belongs to most recently (a practice's
	// CCG, a locality's CCG), for breadcrumbs.
	Parent *registry.Organisation `json:"parent,omitempty"`
	// CurrentSuccessor is the organisation that now stands for this one,
	// when it has been succeeded.
	CurrentSuccessor *registry.Organisation `json:"current_successor,omitempty"`
	SuccessorChain   []SuccessionRow        `json:"successor_chain"`
	Predecessors     []SuccessionRow        `json:"predecessors"`
	// Relationships are what it belonged to, and when, oldest first.
	Relationships []RelationRow        `json:"relationships"`
	Practice      *PracticeSection     `json:"practice,omitempty"`
	Commissioner  *CommissionerSection `json:"commissioner,omitempty"`
	Locality      *LocalitySection     `json:"locality,omitempty"`
}

// SuccessionRow is a succession with the names of both organisations.
type SuccessionRow struct {
	registry.Succession
	PredecessorName string `json:"predecessor_name"`
	SuccessorName   string `json:"successor_name"`
}

// RelationRow is one dated relationship from the child's side.
type RelationRow struct {
	Kind       registry.RelationKind `json:"kind"`
	Label      string                `json:"label"`
	Parent     string                `json:"parent"`
	ParentName string                `json:"parent_name"`
	ParentKind registry.Kind         `json:"parent_kind,omitempty"`
	From       calendar.Date         `json:"from,omitzero"`
	To         calendar.Date         `json:"to,omitzero"`
	Source     string                `json:"source,omitempty"`
}

// PracticeSection is what the page shows about a practice's patients.
type PracticeSection struct {
	// Months are the months with list sizes for the practice, oldest first.
	Months []calendar.Month `json:"months"`
	// Month is the month the pyramid shows.
	Month calendar.Month `json:"month,omitzero"`
	// Pyramid holds the patients by age band and sex in Month, youngest first.
	Pyramid []AgeBand `json:"pyramid"`
	// Total is the number of patients in Month.
	Total int `json:"total"`
	// Trend is the number of patients in each month.
	Trend []MonthCount `json:"trend"`
	code  string
}

// AgeBand is the number of male and female patients in one age band.
type AgeBand struct {
	Band   string `json:"band"`
	Male   int    `json:"male"`
	Female int    `json:"female"`
}

// MonthCount is a number for one month.
type MonthCount struct {
	Month    calendar.Month `json:"month"`
	Patients int            `json:"patients"`
}

// CommissionerSection lists a CCG's (or PCT's) members on a date.
type CommissionerSection struct {
	At calendar.Date `json:"at"`
	// Members include practices of the organisations it succeeded; for
	// those, Via names the predecessor they belonged to on the date.
	Members []OrgResult `json:"members"`
	// FromPredecessors counts members that belonged to a predecessor.
	FromPredecessors int `json:"from_predecessors"`
	// Localities are its localities on the date.
	Localities []registry.Organisation `json:"localities"`
	// LocalitiesVia is set when the localities are those of its
	// predecessors (the commissioner had none of its own on the date).
	LocalitiesVia bool `json:"localities_via_predecessors,omitempty"`
	// LocalityNames maps locality codes to names.
	LocalityNames map[string]string `json:"-"`
	code          string
}

// LocalitySection lists a locality's practices on a date.
type LocalitySection struct {
	At        calendar.Date           `json:"at"`
	CCG       *registry.Organisation  `json:"ccg,omitempty"`
	Practices []registry.Organisation `json:"practices"`
	code      string
}

// Code is the locality's code.
func (l *LocalitySection) Code() string { return l.code }

// Code is the practice's code.
func (p *PracticeSection) Code() string { return p.code }

// organisation fetches one organisation, turning "not found" into a
// message a person can act on.
func (s *Server) organisation(r *http.Request, code string) (registry.Organisation, error) {
	o, err := s.deps.Registry.Organisation(r.Context(), code)
	if errors.Is(err, errs.ErrNotFound) {
		return o, notFound("There is no organisation with the code %s.", code)
	}
	return o, err
}

// names looks up organisation names by code, remembering them; a code the
// registry does not hold names itself.
type names struct {
	ctx   context.Context
	reg   *registry.Service
	cache map[string]registry.Organisation
}

func (n *names) org(code string) (registry.Organisation, error) {
	if o, ok := n.cache[code]; ok {
		return o, nil
	}
	o, err := n.reg.Organisation(n.ctx, code)
	if errors.Is(err, errs.ErrNotFound) {
		o, err = registry.Organisation{Code: code, Name: code}, nil
	}
	if err != nil {
		return o, err
	}
	n.cache[code] = o
	return o, nil
}

func (n *names) successions(in []registry.Succession) ([]SuccessionRow, error) {
	out := make([]SuccessionRow, 0, len(in))
	for _, sc := range in {
		p, err := n.org(sc.Predecessor)
		if err != nil {
			return nil, err
		}
		su, err := n.org(sc.Successor)
		if err != nil {
			return nil, err
		}
		out = append(out, SuccessionRow{Succession: sc, PredecessorName: p.Name, SuccessorName: su.Name})
	}
	return out, nil
}

// organisationView serves /organisations/{code} and its JSON twin.
func (s *Server) organisationView(r *http.Request) (any, error) {
	ctx := r.Context()
	code := codeParam(r)
	if _, err := s.organisation(r, code); err != nil {
		return nil, err
	}
	h, err := s.deps.Registry.History(ctx, code)
	if err != nil {
		return nil, err
	}
	nm := &names{ctx: ctx, reg: s.deps.Registry, cache: map[string]registry.Organisation{code: h.Organisation}}
	v := OrganisationView{Organisation: h.Organisation, KindLabel: h.Organisation.Kind.Label(), Relationships: []RelationRow{}}
	if v.SuccessorChain, err = nm.successions(h.SuccessorChain); err != nil {
		return nil, err
	}
	if v.Predecessors, err = nm.successions(h.Predecessors); err != nil {
		return nil, err
	}
	if len(h.SuccessorChain) > 0 {
		cur, _, err := s.deps.Registry.CurrentSuccessor(ctx, code)
		if err != nil {
			return nil, err
		}
		v.CurrentSuccessor = &cur
	}
	for _, rel := range h.Relationships {
		if rel.Child != code {
			continue
		}
		p, err := nm.org(rel.Parent)
		if err != nil {
			return nil, err
		}
		v.Relationships = append(v.Relationships, RelationRow{Kind: rel.Kind, Label: relationLabel(rel.Kind), Parent: rel.Parent,
			ParentName: p.Name, ParentKind: p.Kind, From: rel.From, To: rel.To, Source: rel.Source})
	}
	sort.SliceStable(v.Relationships, func(i, j int) bool { return v.Relationships[i].From.Before(v.Relationships[j].From) })

	switch h.Organisation.Kind {
	case registry.KindPractice, registry.KindPrescriber:
		v.Parent = latestParent(v.Relationships, registry.RelMemberOf, nm)
		month, err := monthParam(r, "month")
		if err != nil {
			return nil, err
		}
		if v.Practice, err = s.practiceSection(ctx, code, month); err != nil {
			return nil, err
		}
	case registry.KindCCG, registry.KindPCT:
		at, err := dateParam(r, "at", s.today())
		if err != nil {
			return nil, err
		}
		if v.Commissioner, err = s.commissionerSection(ctx, code, at, nm); err != nil {
			return nil, err
		}
	case registry.KindLocality:
		v.Parent = latestParent(v.Relationships, registry.RelLocalityOf, nm)
		at, err := dateParam(r, "at", s.today())
		if err != nil {
			return nil, err
		}
		if v.Locality, err = s.localitySection(ctx, code, at); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// latestParent returns the parent of the most recent relationship of kind k.
func latestParent(rels []RelationRow, k registry.RelationKind, nm *names) *registry.Organisation {
	for i := len(rels) - 1; i >= 0; i-- {
		if rels[i].Kind == k {
			if o, err := nm.org(rels[i].Parent); err == nil {
				return &o
			}
		}
	}
	return nil
}

// practiceSection gathers a practice's list sizes: the pyramid for month
// (zero: the latest) and the total for every month.
func (s *Server) practiceSection(ctx context.Context, code string, month calendar.Month) (*PracticeSection, error) {
	rows, err := s.deps.Registry.Store().ListSizes(ctx, code, calendar.Month{}, calendar.Month{})
	if err != nil {
		return nil, fmt.Errorf("list sizes of %s: %w", code, err)
	}
	totals := map[calendar.Month]*monthTotal{}
	var months []calendar.Month
	for _, row := range rows {
		t, ok := totals[row.Month]
		if !ok {
			t = &monthTotal{}
			totals[row.Month] = t
			months = append(months, row.Month)
		}
		switch {
		case row.Sex == registry.SexAll && row.AgeBand == registry.AgeAll:
			t.all, t.hasAll = row.Patients, true
		case row.Sex != registry.SexAll && row.AgeBand == registry.AgeAll:
			t.sexAll += row.Patients
			t.hasSex = true
		case row.Sex != registry.SexAll:
			t.bands += row.Patients
		}
	}
	sort.Slice(months, func(i, j int) bool { return months[i].Before(months[j]) })
	p := &PracticeSection{Months: months, Pyramid: []AgeBand{}, Trend: []MonthCount{}, code: code}
	for _, m := range months {
		t := totals[m]
		n := t.bands
		switch {
		case t.hasAll:
			n = t.all
		case t.hasSex:
			n = t.sexAll
		}
		p.Trend = append(p.Trend, MonthCount{Month: m, Patients: n})
	}
	p.Month = month
	if p.Month.IsZero() && len(months) > 0 {
		p.Month = months[len(months)-1]
	}
	bands := map[string]*AgeBand{}
	for _, row := range rows {
		if row.Month != p.Month || row.Sex == registry.SexAll || row.AgeBand == registry.AgeAll {
			continue
		}
		label := strings.ReplaceAll(row.AgeBand, "_", "-")
		b, ok := bands[label]
		if !ok {
			b = &AgeBand{Band: label}
			bands[label] = b
		}
		if row.Sex == registry.SexMale {
			b.Male += row.Patients
		} else if row.Sex == registry.SexFemale {
			b.Female += row.Patients
		}
	}
	for _, b := range bands {
		p.Pyramid = append(p.Pyramid, *b)
	}
	sort.Slice(p.Pyramid, func(i, j int) bool { return bandStart(p.Pyramid[i].Band) < bandStart(p.Pyramid[j].Band) })
	for _, mc := range p.Trend {
		if mc.Month == p.Month {
			p.Total = mc.Patients
		}
	}
	return p, nil
}

// monthTotal adds up a month's list sizes three ways, since layouts differ
// in which totals they include.
type monthTotal struct {
	all, sexAll, bands int
	hasAll, hasSex     bool
}

// bandStart is the first age in a band ("5-9" is 5, "95+" is 95).
func bandStart(b string) int {
	end := 0
	for end < len(b) && b[end] >= '0' && b[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(b[:end])
	if err != nil {
		return 1 << 30
	}
	return n
}

// HasMonth reports whether the practice has list sizes for its chosen month.
func (p *PracticeSection) HasMonth() bool {
	for _, m := range p.Months {
		if m == p.Month {
			return true
		}
	}
	return false
}

// MonthsNewestFirst lists the months for the month picker.
func (p *PracticeSection) MonthsNewestFirst() []calendar.Month {
	out := make([]calendar.Month, len(p.Months))
	for i, m := range p.Months {
		out[len(out)-1-i] = m
	}
	return out
}

// PyramidChart draws the population pyramid for the chosen month.
func (p *PracticeSection) PyramidChart() chart.Figure {
	py := chart.Pyramid{
		Title: "Registered patients by age and sex, " + p.Month.First().Format("January 2006"),
		CSV:   "/organisations/" + url.PathEscape(p.code) + "/list-size-pyramid.csv?month=" + p.Month.String(),
	}
	for _, b := range p.Pyramid {
		py.Bands = append(py.Bands, b.Band)
		py.Male = append(py.Male, float64(b.Male))
		py.Female = append(py.Female, float64(b.Female))
	}
	return py.Render()
}

// TrendChart draws the number of registered patients month by month.
func (p *PracticeSection) TrendChart() chart.Figure {
	pts := make([]chart.Point, len(p.Trend))
	for i, mc := range p.Trend {
		pts[i] = chart.Point{X: chart.MonthX(mc.Month), Y: float64(mc.Patients)}
	}
	return chart.Line{
		Title:  "Registered patients by month",
		X:      chart.Axis{Title: "Month", Months: true},
		Y:      chart.Axis{Title: "Patients"},
		Series: []chart.Series{{Name: "Registered patients", Points: pts, Colour: chart.Blue}},
		CSV:    "/organisations/" + url.PathEscape(p.code) + "/list-size-trend.csv",
	}.Render()
}

// commissionerSection lists a commissioner's members and localities on at.
func (s *Server) commissionerSection(ctx context.Context, code string, at calendar.Date, nm *names) (*CommissionerSection, error) {
	members, err := s.deps.Registry.MembersAt(ctx, code, at, true)
	if err != nil {
		return nil, err
	}
	locs, err := s.deps.Registry.Localities(ctx, code, at)
	if err != nil {
		return nil, err
	}
	c := &CommissionerSection{At: at, Members: []OrgResult{}, Localities: locs, LocalityNames: map[string]string{}, code: code}
	if c.Localities == nil {
		c.Localities = []registry.Organisation{}
	}
	for _, l := range locs {
		c.LocalityNames[l.Code] = l.Name
	}
	for _, m := range members {
		c.Members = append(c.Members, OrgResult{Organisation: m.Organisation, Via: m.Via, Since: m.Since, Locality: m.Locality})
		if m.Via != code {
			c.FromPredecessors++
		}
		if m.Locality != "" && c.LocalityNames[m.Locality] == "" {
			if l, err := nm.org(m.Locality); err == nil {
				c.LocalityNames[m.Locality] = l.Name
				if len(locs) == 0 {
					// Before a merger the localities belonged to the
					// predecessors: list those its members were in.
					c.Localities = append(c.Localities, l)
					c.LocalitiesVia = true
				}
			}
		}
	}
	if c.LocalitiesVia {
		sort.Slice(c.Localities, func(i, j int) bool { return c.Localities[i].Name < c.Localities[j].Name })
	}
	return c, nil
}

// Code is the commissioner's code (templates compare members' Via with it).
func (c *CommissionerSection) Code() string { return c.code }

// MembersTable is the members list as a table, for the CSV download.
func (c *CommissionerSection) MembersTable() chart.Table {
	t := chart.Table{Caption: "Members of " + c.code + " on " + c.At.String(),
		Header: []string{"Code", "Name", "Kind", "Postcode", "Locality", "Member through", "Member since", "Status"}}
	for _, m := range c.Members {
		t.Rows = append(t.Rows, []chart.Cell{chart.Text(m.Code), chart.Text(m.Name), chart.Text(string(m.Kind)),
			chart.Text(m.Postcode), chart.Text(m.Locality), chart.Text(m.Via), chart.Text(m.Since.String()), chart.Text(string(m.Status))})
	}
	return t
}

// localitySection lists a locality's practices on at.
func (s *Server) localitySection(ctx context.Context, code string, at calendar.Date) (*LocalitySection, error) {
	prs, err := s.deps.Registry.LocalityPractices(ctx, code, at)
	if err != nil {
		return nil, err
	}
	l := &LocalitySection{At: at, Practices: prs, code: code}
	if l.Practices == nil {
		l.Practices = []registry.Organisation{}
	}
	ccg, err := s.deps.Registry.ParentOn(ctx, code, registry.RelLocalityOf, at)
	switch {
	case err == nil:
		l.CCG = &ccg
	case !errors.Is(err, errs.ErrNotFound):
		return nil, err
	}
	return l, nil
}

// practiceFor fetches a practice for a CSV download, refusing other kinds.
func (s *Server) practiceFor(r *http.Request) (*PracticeSection, error) {
	code := codeParam(r)
	o, err := s.organisation(r, code)
	if err != nil {
		return nil, err
	}
	if o.Kind != registry.KindPractice && o.Kind != registry.KindPrescriber {
		return nil, notFound("%s is not a practice, so it has no list sizes.", code)
	}
	month, err := monthParam(r, "month")
	if err != nil {
		return nil, err
	}
	return s.practiceSection(r.Context(), code, month)
}

// pyramidCSV serves the pyramid's table as CSV.
func (s *Server) pyramidCSV(r *http.Request) (string, chart.Table, error) {
	p, err := s.practiceFor(r)
	if err != nil {
		return "", chart.Table{}, err
	}
	return fmt.Sprintf("%s-list-size-%s.csv", p.code, p.Month), p.PyramidChart().Table, nil
}

// trendCSV serves the trend's table as CSV.
func (s *Server) trendCSV(r *http.Request) (string, chart.Table, error) {
	p, err := s.practiceFor(r)
	if err != nil {
		return "", chart.Table{}, err
	}
	return p.code + "-list-size-trend.csv", p.TrendChart().Table, nil
}

// membersCSV serves a commissioner's members on a date as CSV.
func (s *Server) membersCSV(r *http.Request) (string, chart.Table, error) {
	code := codeParam(r)
	o, err := s.organisation(r, code)
	if err != nil {
		return "", chart.Table{}, err
	}
	if o.Kind != registry.KindCCG && o.Kind != registry.KindPCT {
		return "", chart.Table{}, notFound("%s is not a commissioner, so it has no members.", code)
	}
	at, err := dateParam(r, "at", s.today())
	if err != nil {
		return "", chart.Table{}, err
	}
	nm := &names{ctx: r.Context(), reg: s.deps.Registry, cache: map[string]registry.Organisation{}}
	c, err := s.commissionerSection(r.Context(), code, at, nm)
	if err != nil {
		return "", chart.Table{}, err
	}
	return fmt.Sprintf("%s-members-%s.csv", code, at), c.MembersTable(), nil
}
