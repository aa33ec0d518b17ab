package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/chart"
	"ccg/internal/engagement"
	"ccg/internal/errs"
	"ccg/internal/governance"
)

// engagementRoutes are the pages and API of the engagement capability
// ("Have your say"); none when Deps.Engagement is nil.
func (s *Server) engagementRoutes() []route {
	if s.deps.Engagement == nil {
		return nil
	}
	survey := pathResource("survey", "id")
	consultation := pathResource("consultation", "id")
	question := pathResource("question", "id")
	return []route{
		{Method: "GET", Path: "/have-your-say", API: apiPrefix + "/have-your-say", Action: access.ActPublicView, Page: "engagement/hub", View: s.engHubView},

		// Surveys: results for those the policy lets see them; answering by a one-time link
		{Method: "GET", Path: "/surveys", API: apiPrefix + "/surveys", Action: access.ActSurveyResults, Page: "engagement/surveys", View: s.engSurveysView},
		{Method: "GET", Path: "/surveys/{id}/results", API: apiPrefix + "/surveys/{id}/results", Action: access.ActSurveyResults, Resource: survey,
			Page: "engagement/results", View: s.engResultsView},
		{Method: "GET", Path: "/surveys/{id}/results/items.csv", Action: access.ActSurveyResults, Resource: survey, Table: s.engResultsCSV("items")},
		{Method: "GET", Path: "/surveys/{id}/results/gap.csv", Action: access.ActSurveyResults, Resource: survey, Table: s.engResultsCSV("gap")},
		{Method: "GET", Path: "/surveys/{id}/results/trend.csv", Action: access.ActSurveyResults, Resource: survey, Table: s.engResultsCSV("trend")},
		{Method: "GET", Path: "/surveys/{id}/results/rates.csv", Action: access.ActSurveyResults, Resource: survey, Table: s.engResultsCSV("rates")},
		// The token is the only credential: whoever holds the link may answer once.
		{Method: "GET", Path: "/survey", Action: access.ActPublicView, Page: "engagement/answer", View: s.engAnswerFormView},
		{Method: "POST", Path: "/survey", API: apiPrefix + "/survey", Action: access.ActPublicView, Page: "engagement/answered", View: s.engAnswerPostView},

		// Consultations (public) and members' responses
		{Method: "GET", Path: "/consultations", API: apiPrefix + "/consultations", Action: access.ActPublicView, Page: "engagement/consultations", View: s.engConsultationsView},
		{Method: "GET", Path: "/consultations/{id}", API: apiPrefix + "/consultations/{id}", Action: access.ActPublicView, Resource: consultation,
			Page: "engagement/consultation", View: s.engConsultationView},
		{Method: "POST", Path: "/consultations", API: apiPrefix + "/consultations", Action: access.ActGovernanceEdit, Page: "engagement/done", View: s.engOpenConsultationView},
		{Method: "POST", Path: "/consultations/{id}/you-said-we-did", API: apiPrefix + "/consultations/{id}/you-said-we-did", Action: access.ActGovernanceEdit,
			Resource: consultation, Page: "engagement/done", View: s.engYouSaidWeDidView},
		{Method: "POST", Path: "/consultations/{id}/respond", API: apiPrefix + "/consultations/{id}/respond", Action: access.ActSurveyAnswer, Resource: engSelf,
			Page: "engagement/done", View: s.engConsultationRespondView},

		// Questions and concerns
		{Method: "GET", Path: "/questions", API: apiPrefix + "/questions", Action: access.ActPublicView, Page: "engagement/questions", View: s.engQuestionsView},
		{Method: "POST", Path: "/questions", API: apiPrefix + "/questions", Action: access.ActSurveyAnswer, Resource: engSelf, Page: "engagement/done", View: s.engAskView},
		{Method: "GET", Path: "/questions/dashboard", API: apiPrefix + "/questions/dashboard", Action: access.ActSurveyManage, Page: "engagement/dashboard", View: s.engDashboardView},
		{Method: "POST", Path: "/questions/{id}/answer", API: apiPrefix + "/questions/{id}/answer", Action: access.ActSurveyManage, Resource: question,
			Page: "engagement/done", View: s.engAnswerQuestionView},
	}
}

// engSelf is the resource of acting as oneself (a response, a question):
// its owner is whoever is signed in, so the public is refused.
func engSelf(r *http.Request) Resource {
	p := personFrom(r)
	if p == nil {
		return Resource{Kind: "person"}
	}
	return Resource{Kind: "person", ID: strconv.FormatInt(p.ID, 10), Owner: p.ID}
}

func engID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound("There is no such record.")
	}
	return id, nil
}

func engActorID(r *http.Request) int64 {
	if p := personFrom(r); p != nil {
		return p.ID
	}
	return 0
}

// engDone reports a completed change.
type engDone struct {
	Message string `json:"message"`
	Back    string `json:"back"`
	Detail  string `json:"detail,omitempty"`
}

// ---- hub ----

// engHubVM is the "Have your say" page.
type engHubVM struct {
	Open     []engConsultationRow  `json:"open_consultations"`
	Closed   []engConsultationRow  `json:"closed_consultations"`
	Answers  []engagement.Question `json:"published_questions"`
	Surveys  bool                  `json:"-"`
	Manage   bool                  `json:"-"`
	SignedIn bool                  `json:"-"`
}

func (s *Server) engHubView(r *http.Request) (any, error) {
	ctx := r.Context()
	svc := s.deps.Engagement
	rows, err := s.engConsultationRows(r, 20)
	if err != nil {
		return nil, err
	}
	vm := engHubVM{SignedIn: personFrom(r) != nil}
	today := s.today()
	for _, c := range rows {
		if c.Consultation.ClosedOn(today) {
			vm.Closed = append(vm.Closed, c)
		} else {
			vm.Open = append(vm.Open, c)
		}
	}
	if vm.Answers, err = svc.PublishedQuestions(ctx, 5, 0); err != nil {
		return nil, err
	}
	p := personFrom(r)
	vm.Surveys = access.Allowed(p, access.ActSurveyManage) || s.authorize(r, access.ActSurveyResults, Resource{}) == nil
	vm.Manage = access.Allowed(p, access.ActSurveyManage)
	return vm, nil
}

// ---- surveys ----

// engSurveyRow is one survey with its waves.
type engSurveyRow struct {
	Survey engagement.Survey `json:"survey"`
	Waves  []engagement.Wave `json:"waves"`
}

// engSurveysVM lists surveys.
type engSurveysVM struct {
	Surveys []engSurveyRow `json:"surveys"`
}

func (s *Server) engSurveysView(r *http.Request) (any, error) {
	ctx := r.Context()
	svs, err := s.deps.Engagement.Surveys(ctx)
	if err != nil {
		return nil, err
	}
	vm := engSurveysVM{Surveys: []engSurveyRow{}}
	for _, sv := range svs {
		ws, err := s.deps.Engagement.Waves(ctx, sv.ID)
		if err != nil {
			return nil, err
		}
		sv.Questionnaire = engagement.Questionnaire{Title: sv.Questionnaire.Title}
		vm.Surveys = append(vm.Surveys, engSurveyRow{Survey: sv, Waves: ws})
	}
	return vm, nil
}

// engResultsVM is a wave's results through the group-of-five rule.
type engResultsVM struct {
	Survey  engagement.Survey       `json:"survey"`
	Waves   []engagement.Wave       `json:"waves"`
	Results engagement.WaveResults  `json:"results"`
	Rates   engagement.RateTable    `json:"response_rates"`
	Change  []engagement.Difference `json:"change_from_previous,omitempty"`
	Prev    *engagement.Wave        `json:"previous_wave,omitempty"`
	Trend   []engTrendPoint         `json:"trend"`
	MinN    int                     `json:"min_group"`
	Leaders *engagement.Breakdown   `json:"-"`
	Charts  map[string]chart.Figure `json:"-"`
	Query   string                  `json:"-"`
}

// engTrendPoint is one wave's dimension scores (hidden ones left out).
type engTrendPoint struct {
	Wave       engagement.Wave    `json:"wave"`
	Respondent int                `json:"respondents"`
	Scores     map[string]float64 `json:"scores"`
}

func (s *Server) engResults(r *http.Request) (engResultsVM, error) {
	ctx := r.Context()
	svc := s.deps.Engagement
	id, err := engID(r)
	if err != nil {
		return engResultsVM{}, err
	}
	sv, err := svc.Survey(ctx, id)
	if err != nil {
		return engResultsVM{}, err
	}
	ws, err := svc.Waves(ctx, id)
	if err != nil {
		return engResultsVM{}, err
	}
	if len(ws) == 0 {
		return engResultsVM{}, notFound("%s has no waves yet.", sv.Title)
	}
	idx := len(ws) - 1
	if q := r.URL.Query().Get("wave"); q != "" {
		found := false
		for i, w := range ws {
			if strconv.FormatInt(w.ID, 10) == q {
				idx, found = i, true
			}
		}
		if !found {
			return engResultsVM{}, notFound("%s has no wave %s.", sv.Title, q)
		}
	}
	w := ws[idx]
	vm := engResultsVM{Survey: sv, Waves: ws, MinN: svc.Options().Disclosure.MinGroup, Query: "?wave=" + strconv.FormatInt(w.ID, 10)}
	if vm.Results, err = svc.Results(ctx, w.ID); err != nil {
		return vm, err
	}
	if vm.Rates, err = svc.ResponseRates(ctx, w.ID); err != nil {
		return vm, err
	}
	// People see names: the localities and practices by name, not code.
	for _, b := range vm.Results.Breakdowns {
		if b.By != engagement.ByLocality {
			continue
		}
		for i := range b.Groups {
			if g := &b.Groups[i]; g.Key != "" && (g.Label == "" || g.Label == g.Key) {
				g.Label = s.orgName(ctx, g.Key)
			}
		}
	}
	for _, rs := range [][]engagement.Rate{vm.Rates.ByLocality, vm.Rates.ByPractice} {
		for i := range rs {
			if rs[i].Label == "" || rs[i].Label == rs[i].Key {
				rs[i].Label = s.orgName(ctx, rs[i].Key)
			}
		}
	}
	if idx > 0 {
		prev := ws[idx-1]
		vm.Prev = &prev
		if vm.Change, err = svc.Compare(ctx, prev.ID, w.ID); err != nil {
			return vm, err
		}
	}
	trend, err := svc.Trend(ctx, id)
	if err != nil {
		return vm, err
	}
	for _, t := range trend {
		p := engTrendPoint{Wave: t.Wave, Respondent: t.Respondents, Scores: map[string]float64{}}
		for _, d := range t.Dimensions {
			if d.Shown() && d.HasMean {
				p.Scores[d.ID] = d.Mean
			}
		}
		vm.Trend = append(vm.Trend, p)
	}
	for i := range vm.Results.Breakdowns {
		if vm.Results.Breakdowns[i].By == engagement.ByLeadership {
			vm.Leaders = &vm.Results.Breakdowns[i]
		}
	}
	vm.Charts = map[string]chart.Figure{
		"items": vm.itemsChart(), "gap": vm.gapChart(), "trend": vm.trendChart(), "rates": vm.ratesChart(),
	}
	return vm, nil
}

func (s *Server) engResultsView(r *http.Request) (any, error) { return s.engResults(r) }

// engResultsCSV serves one results chart's table as CSV.
func (s *Server) engResultsCSV(which string) TableFunc {
	return func(r *http.Request) (string, chart.Table, error) {
		vm, err := s.engResults(r)
		if err != nil {
			return "", chart.Table{}, err
		}
		return fmt.Sprintf("survey-%d-%s.csv", vm.Survey.ID, which), vm.Charts[which].Table, nil
	}
}

var likertLevels = []string{"Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"}

func (vm engResultsVM) csv(which string) string {
	return fmt.Sprintf("/surveys/%d/results/%s.csv%s", vm.Survey.ID, which, vm.Query)
}

// itemsChart is the diverging stacked bar chart of the Likert items shown.
func (vm engResultsVM) itemsChart() chart.Figure {
	d := chart.Diverging{Title: "How people answered each statement, " + vm.Results.Wave.Name, Levels: likertLevels,
		Category: "Statement", CSV: vm.csv("items")}
	for _, it := range vm.Results.Items {
		if it.Kind != engagement.ItemLikert || !it.Shown() || len(it.Distribution) != 5 {
			continue
		}
		row := chart.DivergingRow{Label: it.Text}
		for _, n := range it.Distribution {
			row.Counts = append(row.Counts, float64(n))
		}
		d.Rows = append(d.Rows, row)
	}
	if len(d.Rows) == 0 {
		d.Description = fmt.Sprintf("No statement can be shown: fewer than %d people have answered.", vm.MinN)
	}
	return d.Render()
}

// gapChart sets leaders' mean dimension scores beside other members'.
func (vm engResultsVM) gapChart() chart.Figure {
	b := chart.Bar{Title: "Leaders and other members, mean score by dimension (0 to 100)", Category: "Dimension", Horizontal: true,
		Value: chart.Axis{Title: "Mean score (0-100)", Domain: [2]float64{0, 100}}, CSV: vm.csv("gap")}
	for _, d := range vm.Results.Dimensions {
		b.Categories = append(b.Categories, d.Name)
	}
	if vm.Leaders != nil {
		for _, g := range vm.Leaders.Groups {
			if g.Key == "" {
				continue
			}
			s := chart.BarSeries{Name: g.Label}
			for j := range vm.Results.Dimensions {
				v := math.NaN()
				if g.Hidden == nil && j < len(g.Dimensions) && g.Dimensions[j].Shown() && g.Dimensions[j].HasMean {
					v = g.Dimensions[j].Mean
				}
				s.Values = append(s.Values, v)
			}
			b.Series = append(b.Series, s)
		}
	}
	if len(b.Series) == 0 {
		b.Series = []chart.BarSeries{{Name: "No group large enough", Values: nanValues(len(b.Categories))}}
	}
	return b.Render()
}

func nanValues(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	return out
}

// trendChart draws each dimension's mean score across the waves.
func (vm engResultsVM) trendChart() chart.Figure {
	l := chart.Line{Title: "Mean score by dimension, wave by wave (0 to 100)", CSV: vm.csv("trend"),
		X: chart.Axis{Title: "Wave opened", Months: true}, Y: chart.Axis{Title: "Mean score (0-100)", Domain: [2]float64{0, 100}}}
	for _, d := range vm.Results.Dimensions {
		s := chart.Series{Name: d.Name, Markers: true}
		for _, p := range vm.Trend {
			if v, ok := p.Scores[d.ID]; ok {
				s.Points = append(s.Points, chart.Point{X: chart.MonthX(p.Wave.Opens.Month()), Y: v})
			}
		}
		l.Series = append(l.Series, s)
	}
	return l.Render()
}

// ratesChart is response rates (AAPOR RR1) by locality.
func (vm engResultsVM) ratesChart() chart.Figure {
	b := chart.Bar{Title: "Response rate (AAPOR RR1) by locality, " + vm.Results.Wave.Name, Category: "Locality", Horizontal: true,
		Value: chart.Axis{Title: "Response rate", Domain: [2]float64{0, 1}, Format: func(v float64) string { return chart.Percent(v, 0) }},
		CSV:   vm.csv("rates")}
	s := chart.BarSeries{Name: "RR1"}
	for _, rt := range append([]engagement.Rate{vm.Rates.Overall}, vm.Rates.ByLocality...) {
		label := rt.Label
		if label == "" {
			label = rt.Key
		}
		b.Categories = append(b.Categories, label)
		s.Values = append(s.Values, rt.RR1)
	}
	b.Series = []chart.BarSeries{s}
	return b.Render()
}

// ---- answering ----

// engAnswerVM is the questionnaire for a token.
type engAnswerVM struct {
	Token  string            `json:"-"`
	Survey engagement.Survey `json:"survey"`
	Wave   engagement.Wave   `json:"wave"`
	Levels []engLevel        `json:"-"`
}

func (s *Server) engAnswerFormView(r *http.Request) (any, error) {
	token := strings.TrimSpace(r.URL.Query().Get("token"))
	if token == "" {
		return nil, notFound("This page needs the survey link you were sent.")
	}
	sv, w, err := s.deps.Engagement.Begin(r.Context(), token)
	if err != nil {
		return nil, err
	}
	vm := engAnswerVM{Token: token, Survey: sv, Wave: w}
	for i, l := range likertLevels {
		vm.Levels = append(vm.Levels, engLevel{Value: strconv.Itoa(i + 1), Label: l})
	}
	return vm, nil
}

// engLevel is one point of the Likert scale in the form.
type engLevel struct{ Value, Label string }

// engAnsweredVM thanks the respondent.
type engAnsweredVM struct {
	Disposition engagement.Disposition `json:"disposition"`
	Message     string                 `json:"message"`
}

func (s *Server) engAnswerPostView(r *http.Request) (any, error) {
	token := strings.TrimSpace(r.PostFormValue("token"))
	if token == "" {
		return nil, invalid("The survey link is missing.")
	}
	svc := s.deps.Engagement
	sv, _, err := svc.Begin(r.Context(), token)
	if err != nil {
		return nil, err
	}
	a := engagement.Answers{}
	for _, it := range sv.Questionnaire.Items() {
		if v := strings.TrimSpace(r.PostFormValue("q-" + it.ID)); v != "" {
			a[it.ID] = v
		}
	}
	d, err := svc.Respond(r.Context(), token, a)
	if err != nil {
		return nil, err
	}
	// The same words whether or not the link had been used before: the
	// answer must not tell whoever holds a link what happened to it.
	return engAnsweredVM{Disposition: d, Message: "Thank you. Each survey link counts once: the first answers sent with it are kept, anonymously, and this link cannot be used again."}, nil
}

// ---- consultations ----

// engConsultationRow is a consultation with its summary.
type engConsultationRow struct {
	Consultation engagement.Consultation `json:"consultation"`
	Summary      engagement.Summary      `json:"summary"`
	Open         bool                    `json:"open"`
	LastDay      calendar.Date           `json:"last_day"`
	Decision     *engagement.DecisionRef `json:"decision,omitempty"`
}

func (s *Server) engConsultationRows(r *http.Request, limit int) ([]engConsultationRow, error) {
	ctx := r.Context()
	f := engagement.ConsultationFilter{Limit: limit}
	if v := r.URL.Query().Get("decision"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, invalid("decision must be a decision number.")
		}
		f.Decision = id
	}
	cs, err := s.deps.Engagement.Consultations(ctx, f)
	if err != nil {
		return nil, err
	}
	out := []engConsultationRow{}
	for _, c := range cs {
		row, err := s.engConsultationRow(r, c.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, nil
}

func (s *Server) engConsultationRow(r *http.Request, id int64) (engConsultationRow, error) {
	c, sum, err := s.deps.Engagement.Consultation(r.Context(), id)
	if err != nil {
		return engConsultationRow{}, err
	}
	today := s.today()
	row := engConsultationRow{Consultation: c, Summary: sum, Open: c.OpenOn(today), LastDay: c.Closes.AddDays(-1)}
	if s.deps.Governance != nil && c.Decision != 0 {
		if d, err := s.deps.Governance.Decision(r.Context(), c.Decision); err == nil {
			row.Decision = &engagement.DecisionRef{ID: d.ID, Title: d.Title, Status: string(d.Status)}
		}
	}
	return row, nil
}

// engConsultationsVM lists consultations (public); ?decision=N gives the
// consultations on one decision record, for its page.
type engConsultationsVM struct {
	Consultations []engConsultationRow `json:"consultations"`
	CanOpen       bool                 `json:"-"`
	Tomorrow      calendar.Date        `json:"-"`
}

func (s *Server) engConsultationsView(r *http.Request) (any, error) {
	rows, err := s.engConsultationRows(r, 0)
	if err != nil {
		return nil, err
	}
	return engConsultationsVM{Consultations: rows, CanOpen: access.Allowed(personFrom(r), access.ActGovernanceEdit), Tomorrow: s.today().AddDays(1)}, nil
}

// engConsultationVM is one consultation, with the signed-in member's own
// response and (for those who manage) everyone's.
type engConsultationVM struct {
	engConsultationRow
	Mine       *engagement.ConsultationResponse  `json:"mine,omitempty"`
	Responses  []engagement.ConsultationResponse `json:"responses,omitempty"`
	Notice     string                            `json:"notice"`
	CanRespond bool                              `json:"-"`
	CanRecord  bool                              `json:"-"`
	Positions  []engagement.Position             `json:"-"`
}

func (s *Server) engConsultationView(r *http.Request) (any, error) {
	id, err := engID(r)
	if err != nil {
		return nil, err
	}
	row, err := s.engConsultationRow(r, id)
	if err != nil {
		return nil, err
	}
	vm := engConsultationVM{engConsultationRow: row, Notice: engagement.NotAnonymousNotice,
		Positions: []engagement.Position{engagement.Support, engagement.Oppose, engagement.Neutral}}
	p := personFrom(r)
	if p != nil {
		vm.CanRespond = row.Open && access.Allowed(p, access.ActSurveyAnswer)
		rs, err := s.deps.Engagement.ConsultationResponses(r.Context(), id)
		if err != nil {
			return nil, err
		}
		for i := range rs {
			if rs[i].Person == p.ID {
				vm.Mine = &rs[i]
			}
		}
		if access.Allowed(p, access.ActSurveyManage) || access.Allowed(p, access.ActGovernanceEdit) {
			vm.Responses = rs
		}
		vm.CanRecord = !row.Open && access.Allowed(p, access.ActGovernanceEdit)
	}
	return vm, nil
}

func (s *Server) engConsultationRespondView(r *http.Request) (any, error) {
	id, err := engID(r)
	if err != nil {
		return nil, err
	}
	p := personFrom(r)
	practice := ""
	if len(p.Practices) > 0 {
		practice = p.Practices[0]
	}
	resp, err := s.deps.Engagement.RespondToConsultation(r.Context(), engagement.ConsultationResponse{Consultation: id, Person: p.ID,
		Practice: practice, Position: engagement.Position(r.PostFormValue("position")), Option: r.PostFormValue("option"),
		Comment: r.PostFormValue("comment")})
	if err != nil {
		return nil, err
	}
	return engDone{Message: "Your response (" + resp.Position.Label() + ") has been recorded. You can change it until the consultation closes.",
		Back: fmt.Sprintf("/consultations/%d", id)}, nil
}

// ---- questions ----

// engQuestionsVM is the published questions and the form to ask one.
type engQuestionsVM struct {
	Published []engagement.Question `json:"published"`
	Mine      []engagement.Question `json:"mine,omitempty"`
	CanAsk    bool                  `json:"-"`
	Bodies    []engAddressee        `json:"-"`
}

// engAddressee is a body a question can be put to: its ID and its name.
type engAddressee struct{ ID, Name string }

// addressee names the body a question is put to: "governing-body" is the
// constitution's governing body, "locality:CODE" a locality by its name.
func (s *Server) addressee(ctx context.Context, to string) string {
	if code, ok := strings.CutPrefix(to, "locality:"); ok {
		return "the " + s.orgName(ctx, code) + " locality"
	}
	if s.deps.Governance != nil {
		if c, err := s.govConstitution(ctx); err == nil {
			if b, ok := c.Body(governance.BodyID(to)); ok {
				return "the " + b.Name
			}
		}
	}
	return strings.ReplaceAll(to, "-", " ")
}

func (s *Server) engQuestionsView(r *http.Request) (any, error) {
	ctx := r.Context()
	pub, err := s.deps.Engagement.PublishedQuestions(ctx, 50, 0)
	if err != nil {
		return nil, err
	}
	vm := engQuestionsVM{Published: pub, Bodies: []engAddressee{{ID: "governing-body", Name: s.addressee(ctx, "governing-body")}}}
	if p := personFrom(r); p != nil {
		vm.CanAsk = access.Allowed(p, access.ActSurveyAnswer)
		if vm.Mine, err = s.deps.Engagement.Questions(ctx, engagement.QuestionFilter{Asker: p.ID}); err != nil {
			return nil, err
		}
		for _, l := range p.Localities {
			vm.Bodies = append(vm.Bodies, engAddressee{ID: "locality:" + l, Name: s.addressee(ctx, "locality:"+l)})
		}
	}
	return vm, nil
}

func (s *Server) engAskView(r *http.Request) (any, error) {
	p := personFrom(r)
	practice := ""
	if len(p.Practices) > 0 {
		practice = p.Practices[0]
	}
	to := r.PostFormValue("to")
	if to == "" {
		to = "governing-body"
	}
	q, err := s.deps.Engagement.Ask(r.Context(), engagement.Question{Kind: engagement.QuestionKind(r.PostFormValue("kind")), Asker: p.ID,
		Practice: practice, To: to, Subject: r.PostFormValue("subject"), Text: r.PostFormValue("text"), Private: r.PostFormValue("private") != ""})
	if err != nil {
		return nil, err
	}
	return engDone{Message: fmt.Sprintf("Your %s has been sent (reference %d). You will see the answer here once it is given.", q.Kind, q.ID),
		Back: "/questions"}, nil
}

// engDashboardVM is open questions and answer times, for those who answer.
type engDashboardVM struct {
	Dashboard engagement.Dashboard     `json:"dashboard"`
	Open      []engagement.Question    `json:"open"`
	Rows      []engagement.AnswerTimes `json:"-"`
}

func (s *Server) engDashboardView(r *http.Request) (any, error) {
	ctx := r.Context()
	d, err := s.deps.Engagement.Dashboard(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.deps.Engagement.Questions(ctx, engagement.QuestionFilter{})
	if err != nil {
		return nil, err
	}
	vm := engDashboardVM{Dashboard: d, Open: []engagement.Question{}, Rows: append([]engagement.AnswerTimes{d.Overall}, d.Bodies...)}
	for _, q := range all {
		if q.Open() {
			vm.Open = append(vm.Open, q)
		}
	}
	return vm, nil
}

// engAnswerQuestionView acknowledges (if need be), takes on, answers and
// (unless private) publishes a question in one step.
func (s *Server) engAnswerQuestionView(r *http.Request) (any, error) {
	ctx := r.Context()
	id, err := engID(r)
	if err != nil {
		return nil, err
	}
	svc, by := s.deps.Engagement, engActorID(r)
	q, err := svc.Question(ctx, id)
	if err != nil {
		return nil, err
	}
	if q.Status == engagement.QSubmitted {
		if q, err = svc.Acknowledge(ctx, by, id); err != nil {
			return nil, err
		}
	}
	if q.Status == engagement.QAcknowledged {
		if q, err = svc.Assign(ctx, by, id, by); err != nil {
			return nil, err
		}
	}
	if q, err = svc.AnswerQuestion(ctx, by, id, r.PostFormValue("answer")); err != nil {
		return nil, err
	}
	msg := "The answer has been sent to the member."
	if !q.Private {
		if _, err = svc.PublishQuestion(ctx, by, id); err != nil && !errors.Is(err, errs.ErrConflict) {
			return nil, err
		}
		msg = "The answer has been sent and published."
	}
	return engDone{Message: msg, Back: "/questions/dashboard"}, nil
}

// ---- tables beside the charts ----

func engPct(v float64) string { return chart.Percent(v, 0) }

func engCI(lo, hi float64, pct bool) string {
	if pct {
		return engPct(lo) + " to " + engPct(hi)
	}
	return chart.Number(lo, 1) + " to " + chart.Number(hi, 1)
}

// engMeasureCells renders a measure (or why it is not shown).
func engMeasureCells(m engagement.Measure) []chart.Cell {
	if !m.Shown() {
		return []chart.Cell{chart.Text(m.Hidden.Text), chart.Text(""), chart.Text(""), chart.Text("")}
	}
	mean := chart.Text("")
	if m.HasMean {
		mean = chart.Num(m.Mean, chart.Number(m.Mean, 1))
	}
	if m.N == 0 {
		return []chart.Cell{chart.Num(0, "0"), chart.Text(""), chart.Text(""), mean}
	}
	return []chart.Cell{chart.Num(float64(m.N), chart.Int(m.N)), chart.Num(m.Proportion, engPct(m.Proportion)),
		chart.Text(engCI(m.Lower, m.Upper, true)), mean}
}

// Tables returns the results as tables: agreement by item and dimension,
// each breakdown, the leader-member gap, the change from the previous wave
// and response rates.
func (vm engResultsVM) Tables() []chart.Table {
	head := []string{"", "People", "Agreeing (or positive)", "95% interval (Wilson)", "Mean score"}
	dims := chart.Table{Caption: "Dimensions: share positive (score 75 or more) and mean score 0-100", Header: append([]string{"Dimension"}, head[1:]...)}
	dims.Header = append(dims.Header, "Cronbach's alpha")
	for _, d := range vm.Results.Dimensions {
		alpha := chart.Text("")
		if d.Alpha != nil {
			alpha = chart.Num(*d.Alpha, chart.Number(*d.Alpha, 2))
		}
		dims.Rows = append(dims.Rows, append(append([]chart.Cell{chart.Text(d.Name)}, engMeasureCells(d.Measure)...), alpha))
	}
	items := chart.Table{Caption: "Statements: share agreeing and mean score 1-5 (negative statements reversed)", Header: append([]string{"Statement"}, head[1:]...)}
	for _, it := range vm.Results.Items {
		if it.Kind == engagement.ItemChoice {
			continue
		}
		items.Rows = append(items.Rows, append([]chart.Cell{chart.Text(it.Text)}, engMeasureCells(it.Measure)...))
	}
	out := []chart.Table{dims, items}
	for _, b := range vm.Results.Breakdowns {
		t := chart.Table{Caption: b.Title + ": mean dimension scores (0-100)", Header: []string{"Group", "People"}}
		for _, d := range vm.Results.Dimensions {
			t.Header = append(t.Header, d.Name)
		}
		for _, g := range b.Groups {
			row := []chart.Cell{chart.Text(g.Label)}
			if g.Hidden != nil {
				row = append(row, chart.Text(g.Hidden.Text))
				for range vm.Results.Dimensions {
					row = append(row, chart.Text(""))
				}
			} else {
				row = append(row, chart.Num(float64(g.Respondents), chart.Int(g.Respondents)))
				for j := range vm.Results.Dimensions {
					c := chart.Text("not shown")
					if j < len(g.Dimensions) && g.Dimensions[j].Shown() && g.Dimensions[j].HasMean {
						c = chart.Num(g.Dimensions[j].Mean, chart.Number(g.Dimensions[j].Mean, 1))
					}
					row = append(row, c)
				}
			}
			t.Rows = append(t.Rows, row)
		}
		out = append(out, t)
	}
	out = append(out, engDiffTable("Leaders minus other members: the gap, with Newcombe's interval for proportions and Welch's for means", vm.Results.Gap))
	if vm.Prev != nil {
		out = append(out, engDiffTable("Change since "+vm.Prev.Name+" (this wave minus that one)", vm.Change))
	}
	rates := chart.Table{Caption: "Response rates by practice (AAPOR RR1: complete returns over people invited)",
		Header: []string{"Practice", "Invited", "Complete", "Partial", "RR1", "RR2"}}
	for _, rt := range append([]engagement.Rate{vm.Rates.Overall}, vm.Rates.ByPractice...) {
		label := rt.Label
		if label == "" {
			label = rt.Key
		}
		rates.Rows = append(rates.Rows, []chart.Cell{chart.Text(label), chart.Num(float64(rt.Invited), chart.Int(rt.Invited)),
			chart.Num(float64(rt.Complete), chart.Int(rt.Complete)), chart.Num(float64(rt.Partial), chart.Int(rt.Partial)),
			chart.Num(rt.RR1, engPct(rt.RR1)), chart.Num(rt.RR2, engPct(rt.RR2))})
	}
	return append(out, rates)
}

func engDiffTable(caption string, ds []engagement.Difference) chart.Table {
	t := chart.Table{Caption: caption, Header: []string{"", "Difference in share", "95% interval", "Difference in mean", "95% interval"}}
	for _, d := range ds {
		if !d.Dimension {
			continue
		}
		if !d.Shown() {
			t.Rows = append(t.Rows, []chart.Cell{chart.Text(d.Label), chart.Text(d.Hidden.Text), chart.Text(""), chart.Text(""), chart.Text("")})
			continue
		}
		row := []chart.Cell{chart.Text(d.Label), chart.Num(d.Proportion, engSigned(d.Proportion*100, 0)+" points"),
			chart.Text(engCI(d.ProportionLower*100, d.ProportionUpper*100, false))}
		if d.HasMean {
			row = append(row, chart.Num(d.Mean, engSigned(d.Mean, 1)), chart.Text(engCI(d.MeanLower, d.MeanUpper, false)))
		} else {
			row = append(row, chart.Text(""), chart.Text(""))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func engSigned(v float64, decimals int) string {
	if v > 0 {
		return "+" + chart.Number(v, decimals)
	}
	return chart.Number(v, decimals)
}

// RR1 is the wave's overall response rate as a percentage.
func (vm engResultsVM) RR1() string { return engPct(vm.Rates.Overall.RR1) }

// engOpenConsultationView opens a consultation on a proposed decision.
func (s *Server) engOpenConsultationView(r *http.Request) (any, error) {
	decision, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("decision")), 10, 64)
	if err != nil || decision <= 0 {
		return nil, invalid("Give the number of the proposed decision to consult on.")
	}
	last, err := calendar.ParseDate(strings.TrimSpace(r.PostFormValue("last_day")))
	if err != nil {
		return nil, invalid("Give the last day to respond as YYYY-MM-DD.")
	}
	c, err := s.deps.Engagement.OpenConsultation(r.Context(), engActorID(r), engagement.Consultation{Decision: decision,
		Question: strings.TrimSpace(r.PostFormValue("question")), Proposal: strings.TrimSpace(r.PostFormValue("proposal")),
		Opens: s.today(), Closes: last.AddDays(1)})
	if err != nil {
		return nil, err
	}
	return engDone{Message: fmt.Sprintf("The consultation on %q is open until %s.", c.Title, last.Format("2 January 2006")),
		Back: fmt.Sprintf("/consultations/%d", c.ID)}, nil
}

// engYouSaidWeDidView records what members said and what the CCG did.
func (s *Server) engYouSaidWeDidView(r *http.Request) (any, error) {
	id, err := engID(r)
	if err != nil {
		return nil, err
	}
	if _, err := s.deps.Engagement.RecordYouSaidWeDid(r.Context(), engActorID(r), id, r.PostFormValue("statement")); err != nil {
		return nil, err
	}
	return engDone{Message: "The \"you said, we did\" statement is recorded and published with the consultation.", Back: fmt.Sprintf("/consultations/%d", id)}, nil
}
