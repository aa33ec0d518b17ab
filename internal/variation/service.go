package variation

import (
	"context"
	"fmt"
	"math"
	"sort"
	"sync"

	"ccg/internal/calendar"
	"ccg/internal/errs"
)

// Analytics is what the variation service needs from the analytics store
// (internal/analytics/duckdb implements it). Facts are imported into it by
// the prescribing and referral import handlers.
type Analytics interface {
	// Months returns the months for which the source has facts, oldest first.
	Months(ctx context.Context, src Source) ([]calendar.Month, error)
	// Sums returns each practice's sums for each measure in a month: the
	// code-filtered numerator and denominator (0 for population
	// denominators) and the cost components. Practices with no matching
	// rows may be left out.
	Sums(ctx context.Context, month calendar.Month, measures []Measure) ([]PracticeSums, error)
	// Issues returns the data-quality flags the imports of a month recorded,
	// by practice.
	Issues(ctx context.Context, month calendar.Month) (map[string][]string, error)
	// ReplaceResults replaces, in one transaction, the stored values and
	// deciles of the given measures in a month.
	ReplaceResults(ctx context.Context, month calendar.Month, measureIDs []string, values []MeasureValue, deciles []Deciles) error
	// Values returns stored values matching q.
	Values(ctx context.Context, q ValueQuery) ([]MeasureValue, error)
	// DecileSeries returns the stored deciles of the given measures (all
	// when measureIDs is empty) at a level over a range of months (zero
	// months mean unbounded), ordered by measure and month.
	DecileSeries(ctx context.Context, measureIDs []string, level Level, from, to calendar.Month) ([]Deciles, error)
	// ResultMonths returns the months with computed values, oldest first.
	ResultMonths(ctx context.Context) ([]calendar.Month, error)
	// PutMeasure stores (inserts or replaces) a measure definition.
	PutMeasure(ctx context.Context, m Measure) error
	// StoredMeasures returns the stored measure definitions.
	StoredMeasures(ctx context.Context) ([]Measure, error)
}

// Snapshots is implemented by an analytics store whose changes are
// prepared in a draft and published with an import run (the DuckDB store):
// import handlers compute in a Draft, so that figures are only ever
// computed from published data and the draft's own.
type Snapshots interface {
	// Stage begins a draft over the published snapshot.
	Stage(ctx context.Context) (Draft, error)
}

// Draft is an unpublished change to the analytics: it reads the published
// snapshot with its own changes over it.
type Draft interface {
	Analytics
	// Publish makes the draft visible, in the transaction ctx carries.
	Publish(ctx context.Context) error
	// Finish ends the draft; an uncommitted one is discarded.
	Finish(committed bool)
}

// ValueQuery selects stored values. Empty fields match everything.
type ValueQuery struct {
	MeasureIDs []string
	Month      calendar.Month
	// From and To bound the months (inclusive) when Month is zero.
	From, To calendar.Month
	Level    Level
	OrgCodes []string
}

// Registry is what the variation service needs to know about practices:
// which locality and CCG each belonged to in a month, and their list sizes.
// NewRegistryPort adapts *registry.Service to it.
type Registry interface {
	// Members returns every practice that belonged to a CCG in the month,
	// with its locality and CCG then.
	Members(ctx context.Context, month calendar.Month) ([]Member, error)
	// Populations returns the practices' list sizes in the month.
	Populations(ctx context.Context, month calendar.Month) (map[string]Population, error)
}

// Service computes measure values and answers the questions pages ask.
type Service struct {
	an      Analytics
	reg     Registry
	refs    ReferenceStore // nil: no reference tables
	library []Measure

	mu       sync.Mutex
	measures []Measure // cached Measures; nil when stale
	gen      int64     // the analytics generation the cache is of
}

// generation is implemented by analytics stores whose published state can
// change under a running process (another process imports).
type generation interface {
	Generation(ctx context.Context) int64
}

// NewService returns a Service over the analytics store and the registry.
// The measures that ship with ccg (Library) are always available; measures
// imported later are added to them (an imported measure with the same id
// replaces the shipped one).
func NewService(an Analytics, reg Registry) *Service {
	lib, err := Library()
	if err != nil {
		// The library is embedded and checked by tests; a failure here is a
		// build mistake.
		panic(err)
	}
	return &Service{an: an, reg: reg, library: lib}
}

// SetReferenceStore gives the service the store of imported referral
// reference tables (rates by age band and sex), used to standardise
// referral measures.
func (s *Service) SetReferenceStore(r ReferenceStore) { s.refs = r }

// References returns the reference-table store (nil when there is none).
func (s *Service) References() ReferenceStore { return s.refs }

// Analytics returns the analytics store the service reads (the import
// handlers of prescribing and referrals write to it).
func (s *Service) Analytics() Analytics { return s.an }

// Over returns a service like s over another analytics store (a draft).
// When the service's store wraps drafts of the store it wraps (the
// OpenPrescribing SQL measures do), the draft is wrapped the same way.
func (s *Service) Over(an Analytics) *Service {
	if w, ok := s.an.(interface{ WrapDraft(Analytics) Analytics }); ok {
		an = w.WrapDraft(an)
	}
	return &Service{an: an, reg: s.reg, refs: s.refs, library: s.library}
}

// Measures returns every measure, sorted by name.
func (s *Service) Measures(ctx context.Context) ([]Measure, error) {
	var gen int64
	if g, ok := s.an.(generation); ok {
		gen = g.Generation(ctx)
	}
	s.mu.Lock()
	cached := s.measures
	if s.gen != gen {
		cached = nil
	}
	s.mu.Unlock()
	if cached != nil {
		return cached, nil
	}
	set := MeasureSet{}
	for _, m := range s.library {
		set[m.ID] = m
	}
	stored, err := s.an.StoredMeasures(ctx)
	if err != nil {
		return nil, fmt.Errorf("variation: measures: %w", err)
	}
	for _, m := range stored {
		set[m.ID] = m
	}
	out := set.Sorted()
	s.mu.Lock()
	s.measures, s.gen = out, gen
	s.mu.Unlock()
	return out, nil
}

// Measure returns one measure; it wraps errs.ErrNotFound when there is none.
func (s *Service) Measure(ctx context.Context, id string) (Measure, error) {
	ms, err := s.Measures(ctx)
	if err != nil {
		return Measure{}, err
	}
	for _, m := range ms {
		if m.ID == id {
			return m, nil
		}
	}
	return Measure{}, fmt.Errorf("variation: measure %q: %w", id, errs.ErrNotFound)
}

// AddMeasure stores a measure definition (after checking it) and computes
// its values for every month with facts.
func (s *Service) AddMeasure(ctx context.Context, m Measure) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("variation: add measure: %w", err)
	}
	if err := s.an.PutMeasure(ctx, m); err != nil {
		return fmt.Errorf("variation: add measure %q: %w", m.ID, err)
	}
	s.mu.Lock()
	s.measures = nil
	s.mu.Unlock()
	months, err := s.an.Months(ctx, m.Source)
	if err != nil {
		return fmt.Errorf("variation: add measure %q: %w", m.ID, err)
	}
	for _, month := range months {
		if err := s.compute(ctx, month, []Measure{m}); err != nil {
			return fmt.Errorf("variation: add measure %q: %w", m.ID, err)
		}
	}
	return nil
}

// ComputeMonth computes every measure for one month and replaces the
// stored values of that month.
func (s *Service) ComputeMonth(ctx context.Context, month calendar.Month) error {
	ms, err := s.Measures(ctx)
	if err != nil {
		return err
	}
	if err := s.compute(ctx, month, ms); err != nil {
		return fmt.Errorf("variation: compute %s: %w", month, err)
	}
	return nil
}

// RecomputeSource computes again, for every month with facts of the
// source, the measures of that source (after a reference table changed,
// say).
func (s *Service) RecomputeSource(ctx context.Context, src Source) error {
	all, err := s.Measures(ctx)
	if err != nil {
		return err
	}
	var ms []Measure
	for _, m := range all {
		if m.Source == src {
			ms = append(ms, m)
		}
	}
	months, err := s.an.Months(ctx, src)
	if err != nil {
		return fmt.Errorf("variation: recompute %s: %w", src, err)
	}
	for _, month := range months {
		if err := s.compute(ctx, month, ms); err != nil {
			return fmt.Errorf("variation: recompute %s %s: %w", src, month, err)
		}
	}
	return nil
}

// ComputeAll computes every measure for every month with facts.
func (s *Service) ComputeAll(ctx context.Context) error {
	seen := map[calendar.Month]bool{}
	var months []calendar.Month
	for _, src := range []Source{SourcePrescribing, SourceReferrals} {
		ms, err := s.an.Months(ctx, src)
		if err != nil {
			return fmt.Errorf("variation: compute all: %w", err)
		}
		for _, m := range ms {
			if !seen[m] {
				seen[m] = true
				months = append(months, m)
			}
		}
	}
	sort.Slice(months, func(i, j int) bool { return months[i].Before(months[j]) })
	for _, m := range months {
		if err := s.ComputeMonth(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) compute(ctx context.Context, month calendar.Month, measures []Measure) error {
	if len(measures) == 0 {
		return nil
	}
	members, err := s.reg.Members(ctx, month)
	if err != nil {
		return err
	}
	pops, err := s.reg.Populations(ctx, month)
	if err != nil {
		return err
	}
	issues, err := s.an.Issues(ctx, month)
	if err != nil {
		return err
	}
	sums, err := s.an.Sums(ctx, month, measures)
	if err != nil {
		return err
	}
	byMeasure := map[string]map[string]PracticeSums{}
	for _, ps := range sums {
		mm := byMeasure[ps.MeasureID]
		if mm == nil {
			mm = map[string]PracticeSums{}
			byMeasure[ps.MeasureID] = mm
		}
		mm[ps.Practice] = ps
	}
	var values []MeasureValue
	var deciles []Deciles
	var refs refCache // the month's reference table, read once
	ids := make([]string, 0, len(measures))
	for _, m := range measures {
		ids = append(ids, m.ID)
		in := MonthInput{Measure: m, Month: month, Members: members, Populations: pops, Sums: byMeasure[m.ID], Issues: issues}
		if in.Std, err = s.stdInput(ctx, in, &refs); err != nil {
			return err
		}
		v, d := Compute(in)
		values = append(values, v...)
		deciles = append(deciles, d...)
	}
	return s.an.ReplaceResults(ctx, month, ids, values, deciles)
}

// refCache holds the reference table of the month being computed.
type refCache struct {
	loaded bool
	month  calendar.Month // the table's month used
	rows   []ReferenceRate
}

// stdInput gathers what standardising a measure needs (nil for a measure
// with no standardised form).
func (s *Service) stdInput(ctx context.Context, in MonthInput, refs *refCache) (*StdInput, error) {
	m := in.Measure
	if !Standardisable(m) {
		return nil, nil
	}
	if m.Source != SourceReferrals {
		return astroPUStdInput(in.Members, in.Populations, in.Sums), nil
	}
	var bands []BandCount
	if src, ok := s.an.(bandSource); ok {
		var err error
		if bands, err = src.ReferralBands(ctx, in.Month, m); err != nil {
			return nil, fmt.Errorf("standardise %q: %w", m.ID, err)
		}
	}
	if !refs.loaded && s.refs != nil {
		months, err := s.refs.ReferenceRateMonths(ctx)
		if err != nil {
			return nil, fmt.Errorf("standardise %q: %w", m.ID, err)
		}
		if tm, ok := nearestMonth(months, in.Month); ok {
			refs.month = tm
			if refs.rows, err = s.refs.ReferenceRates(ctx, tm); err != nil {
				return nil, fmt.Errorf("standardise %q: %w", m.ID, err)
			}
		}
		refs.loaded = true
	}
	return referralStdInput(m, in.Month, in.Members, in.Populations, in.Sums, bands, refs.rows, refs.month), nil
}

// Months returns the months with computed values, oldest first.
func (s *Service) Months(ctx context.Context) ([]calendar.Month, error) {
	ms, err := s.an.ResultMonths(ctx)
	if err != nil {
		return nil, fmt.Errorf("variation: months: %w", err)
	}
	return ms, nil
}

// Values returns one measure's values in a month at a level, for one
// organisation (org) or for all of them (org "").
func (s *Service) Values(ctx context.Context, measureID string, month calendar.Month, level Level, org string) ([]MeasureValue, error) {
	if !level.Valid() {
		return nil, fmt.Errorf("variation: values: level %q is not practice, locality, ccg or england: %w", level, errs.ErrInvalid)
	}
	if month.IsZero() {
		return nil, fmt.Errorf("variation: values: a month is required: %w", errs.ErrInvalid)
	}
	if _, err := s.Measure(ctx, measureID); err != nil {
		return nil, err
	}
	q := ValueQuery{MeasureIDs: []string{measureID}, Month: month, Level: level}
	if org != "" {
		q.OrgCodes = []string{org}
	}
	vs, err := s.an.Values(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("variation: values of %q: %w", measureID, err)
	}
	return vs, nil
}

// Deciles returns a measure's deciles at a level for each month from from
// to to (zero months mean unbounded).
func (s *Service) Deciles(ctx context.Context, measureID string, level Level, from, to calendar.Month) ([]Deciles, error) {
	if level == LevelEngland || !level.Valid() {
		return nil, fmt.Errorf("variation: deciles: level %q has no deciles (use practice, locality or ccg): %w", level, errs.ErrInvalid)
	}
	if _, err := s.Measure(ctx, measureID); err != nil {
		return nil, err
	}
	ds, err := s.an.DecileSeries(ctx, []string{measureID}, level, from, to)
	if err != nil {
		return nil, fmt.Errorf("variation: deciles of %q: %w", measureID, err)
	}
	return ds, nil
}

// Trend returns one organisation's values of a measure over a range of
// months, oldest first, for drawing against the deciles.
func (s *Service) Trend(ctx context.Context, measureID string, level Level, org string, from, to calendar.Month) ([]MeasureValue, error) {
	q := ValueQuery{MeasureIDs: []string{measureID}, Level: level, From: from, To: to}
	if level != LevelEngland {
		q.OrgCodes = []string{org}
	}
	vs, err := s.an.Values(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("variation: trend of %q for %q: %w", measureID, org, err)
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].Month.Before(vs[j].Month) })
	return vs, nil
}

// PracticeMeasure is one measure's value for a practice, with the
// practice-level deciles to place it.
type PracticeMeasure struct {
	Measure Measure      `json:"measure"`
	Value   MeasureValue `json:"value"`
	Deciles Deciles      `json:"deciles"`
}

// Practice returns every measure for one practice in a month, outliers
// first (99.8% before 95%, then by percentile in the worse direction), as
// the practice page shows them.
func (s *Service) Practice(ctx context.Context, practice string, month calendar.Month) ([]PracticeMeasure, error) {
	if practice == "" || month.IsZero() {
		return nil, fmt.Errorf("variation: practice: a practice code and a month are required: %w", errs.ErrInvalid)
	}
	ms, err := s.Measures(ctx)
	if err != nil {
		return nil, err
	}
	vs, err := s.an.Values(ctx, ValueQuery{Month: month, Level: LevelPractice, OrgCodes: []string{practice}})
	if err != nil {
		return nil, fmt.Errorf("variation: practice %q: %w", practice, err)
	}
	byID := map[string]MeasureValue{}
	for _, v := range vs {
		byID[v.MeasureID] = v
	}
	ds, err := s.an.DecileSeries(ctx, nil, LevelPractice, month, month)
	if err != nil {
		return nil, fmt.Errorf("variation: practice %q: %w", practice, err)
	}
	decByID := map[string]Deciles{}
	for _, d := range ds {
		decByID[d.MeasureID] = d
	}
	var out []PracticeMeasure
	for _, m := range ms {
		v, ok := byID[m.ID]
		if !ok {
			continue
		}
		out = append(out, PracticeMeasure{Measure: m, Value: v, Deciles: decByID[m.ID]})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("variation: practice %q has no values for %s: %w", practice, month, errs.ErrNotFound)
	}
	SortByConcern(out)
	return out, nil
}

// SortByConcern orders a practice's measures: 99.8% outliers in the worse
// direction first, then 95% outliers, then the rest by how far into the
// worse tail the percentile is.
func SortByConcern(pms []PracticeMeasure) {
	rank := func(pm PracticeMeasure) (int, float64) {
		f := pm.Value.Flags
		worse998, worse95 := f.High998 || f.Low998, f.High95 || f.Low95
		if low := pm.Measure.LowIsGood; low != nil && *low {
			worse998, worse95 = f.High998, f.High95
		} else if low != nil {
			worse998, worse95 = f.Low998, f.Low95
		}
		tier := 4
		switch {
		case worse998:
			tier = 0
		case worse95:
			tier = 1
		case f.Outlier():
			tier = 2
		case pm.Value.Percentile == nil:
			tier = 5
		}
		score := 0.0
		if p := pm.Value.Percentile; p != nil {
			switch low := pm.Measure.LowIsGood; {
			case low == nil:
				score = math.Abs(*p-50) * 2
			case *low:
				score = *p
			default:
				score = 100 - *p
			}
		}
		return tier, -score
	}
	sort.SliceStable(pms, func(i, j int) bool {
		ti, si := rank(pms[i])
		tj, sj := rank(pms[j])
		if ti != tj {
			return ti < tj
		}
		if si != sj {
			return si < sj
		}
		return pms[i].Measure.Name < pms[j].Measure.Name
	})
}

// LocalityView is the practices of one locality side by side on chosen
// measures, for peer review.
type LocalityView struct {
	Locality  string         `json:"locality"`
	Month     calendar.Month `json:"month"`
	Practices []string       `json:"practices"` // codes, in the order of the columns
	Measures  []Measure      `json:"measures"`
	// Cells[i][j] is measure i for practice j (nil where there is no value).
	Cells [][]*MeasureValue `json:"cells"`
	// Locality and England values of each measure, for the last columns.
	LocalityValues []*MeasureValue `json:"locality_values"`
	EnglandValues  []*MeasureValue `json:"england_values"`
	Deciles        []Deciles       `json:"deciles"`
}

// Locality returns the locality peer-review table. With no measure ids it
// shows every measure.
func (s *Service) Locality(ctx context.Context, locality string, month calendar.Month, measureIDs []string) (LocalityView, error) {
	if locality == "" || month.IsZero() {
		return LocalityView{}, fmt.Errorf("variation: locality: a locality code and a month are required: %w", errs.ErrInvalid)
	}
	all, err := s.Measures(ctx)
	if err != nil {
		return LocalityView{}, err
	}
	var ms []Measure
	if len(measureIDs) == 0 {
		ms = all
	} else {
		byID := map[string]Measure{}
		for _, m := range all {
			byID[m.ID] = m
		}
		for _, id := range measureIDs {
			m, ok := byID[id]
			if !ok {
				return LocalityView{}, fmt.Errorf("variation: locality: measure %q: %w", id, errs.ErrNotFound)
			}
			ms = append(ms, m)
		}
	}
	members, err := s.reg.Members(ctx, month)
	if err != nil {
		return LocalityView{}, fmt.Errorf("variation: locality %q: %w", locality, err)
	}
	var codes []string
	for _, mem := range members {
		if mem.Locality == locality {
			codes = append(codes, mem.Practice)
		}
	}
	if len(codes) == 0 {
		return LocalityView{}, fmt.Errorf("variation: locality %q has no practices in %s: %w", locality, month, errs.ErrNotFound)
	}
	sort.Strings(codes)
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	view := LocalityView{Locality: locality, Month: month, Practices: codes, Measures: ms}
	pv, err := s.an.Values(ctx, ValueQuery{MeasureIDs: ids, Month: month, Level: LevelPractice, OrgCodes: codes})
	if err != nil {
		return LocalityView{}, fmt.Errorf("variation: locality %q: %w", locality, err)
	}
	lv, err := s.an.Values(ctx, ValueQuery{MeasureIDs: ids, Month: month, Level: LevelLocality, OrgCodes: []string{locality}})
	if err != nil {
		return LocalityView{}, fmt.Errorf("variation: locality %q: %w", locality, err)
	}
	ev, err := s.an.Values(ctx, ValueQuery{MeasureIDs: ids, Month: month, Level: LevelEngland})
	if err != nil {
		return LocalityView{}, fmt.Errorf("variation: locality %q: %w", locality, err)
	}
	type key struct{ m, org string }
	idx := map[key]*MeasureValue{}
	for i := range pv {
		idx[key{pv[i].MeasureID, pv[i].OrgCode}] = &pv[i]
	}
	find := func(list []MeasureValue, id string) *MeasureValue {
		for i := range list {
			if list[i].MeasureID == id {
				return &list[i]
			}
		}
		return nil
	}
	ds, err := s.an.DecileSeries(ctx, ids, LevelPractice, month, month)
	if err != nil {
		return LocalityView{}, fmt.Errorf("variation: locality %q: %w", locality, err)
	}
	decByID := map[string]Deciles{}
	for _, d := range ds {
		decByID[d.MeasureID] = d
	}
	for _, m := range ms {
		row := make([]*MeasureValue, len(codes))
		for j, c := range codes {
			row[j] = idx[key{m.ID, c}]
		}
		view.Cells = append(view.Cells, row)
		view.LocalityValues = append(view.LocalityValues, find(lv, m.ID))
		view.EnglandValues = append(view.EnglandValues, find(ev, m.ID))
		d, ok := decByID[m.ID]
		if !ok {
			d = Deciles{MeasureID: m.ID, Level: LevelPractice, Month: month}
		}
		view.Deciles = append(view.Deciles, d)
	}
	return view, nil
}

// PracticeHistory returns, for one practice, every measure's values over a
// range of months (oldest first) and the practice-level deciles of the same
// months, each keyed by measure id: two queries, for the practice page's
// small multiples.
func (s *Service) PracticeHistory(ctx context.Context, practice string, from, to calendar.Month) (map[string][]MeasureValue, map[string][]Deciles, error) {
	vs, err := s.an.Values(ctx, ValueQuery{Level: LevelPractice, OrgCodes: []string{practice}, From: from, To: to})
	if err != nil {
		return nil, nil, fmt.Errorf("variation: history of %q: %w", practice, err)
	}
	ds, err := s.an.DecileSeries(ctx, nil, LevelPractice, from, to)
	if err != nil {
		return nil, nil, fmt.Errorf("variation: history of %q: %w", practice, err)
	}
	values := map[string][]MeasureValue{}
	for _, v := range vs {
		values[v.MeasureID] = append(values[v.MeasureID], v)
	}
	for _, list := range values {
		sort.Slice(list, func(i, j int) bool { return list[i].Month.Before(list[j].Month) })
	}
	deciles := map[string][]Deciles{}
	for _, d := range ds {
		deciles[d.MeasureID] = append(deciles[d.MeasureID], d)
	}
	return values, deciles, nil
}
