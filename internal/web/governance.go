package web

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/csvsafe"
	"ccg/internal/engagement"
	"ccg/internal/errs"
	"ccg/internal/governance"
)

// governanceRoutes are the pages and API of the governance capability; none when
// Deps.Governance is nil.
func (s *Server) governanceRoutes() []route {
	if s.deps.Governance == nil {
		return nil
	}
	published := func(*http.Request) Resource { return Resource{Kind: "governance", Published: true} }
	return []route{
		{Method: "GET", Path: "/governance", API: apiPrefix + "/governance", Action: access.ActGovernanceView, Resource: published,
			Page: "governance/home", View: s.govHomeView},
		{Method: "GET", Path: "/governance/scheme", API: apiPrefix + "/governance/scheme", Action: access.ActGovernanceView, Resource: published,
			Page: "governance/scheme", View: s.govSchemeView},
		{Method: "GET", Path: "/governance/constitution/versions", API: apiPrefix + "/governance/constitution/versions", Action: access.ActGovernanceView,
			Resource: published, Page: "governance/versions", View: s.govVersionsView},
		{Method: "GET", Path: "/governance/bodies/{id}", API: apiPrefix + "/governance/bodies/{id}", Action: access.ActGovernanceView, Resource: published,
			Page: "governance/body", View: s.govBodyView},
		{Method: "GET", Path: "/governance/meetings/{id}", API: apiPrefix + "/governance/meetings/{id}", Action: access.ActGovernanceView,
			Resource: s.govMeetingResource, Page: "governance/meeting", View: s.govMeetingView},
		{Method: "GET", Path: "/governance/decisions", API: apiPrefix + "/decisions", Action: access.ActGovernanceView, Resource: published,
			Page: "governance/decisions", View: s.govDecisionsView},
		{Method: "POST", Path: "/governance/decisions", API: apiPrefix + "/decisions", Action: access.ActGovernanceEdit,
			Page: "governance/done", View: s.govProposeView},
		{Method: "GET", Path: "/governance/decisions.atom", Action: access.ActGovernanceView, Resource: published, Raw: s.govDecisionsAtom},
		{Method: "GET", Path: "/governance/decisions/{id}", API: apiPrefix + "/decisions/{id}", Action: access.ActGovernanceView,
			Resource: s.govDecisionResource, Page: "governance/decision", View: s.govDecisionView},
		{Method: "POST", Path: "/governance/decisions/{id}/route", API: apiPrefix + "/decisions/{id}/route", Action: access.ActGovernanceEdit,
			Resource: s.govDecisionResource, Page: "governance/done", View: s.govRouteView},
		{Method: "POST", Path: "/governance/decisions/{id}/decide", API: apiPrefix + "/decisions/{id}/decide", Action: access.ActGovernanceEdit,
			Resource: s.govDecisionResource, Page: "governance/done", View: s.govDecideView},
		{Method: "POST", Path: "/governance/decisions/{id}/publish", API: apiPrefix + "/decisions/{id}/publish", Action: access.ActGovernanceEdit,
			Resource: s.govDecisionResource, Page: "governance/done", View: s.govPublishView},
		{Method: "POST", Path: "/governance/decisions/{id}/consult", API: apiPrefix + "/decisions/{id}/consult", Action: access.ActGovernanceEdit,
			Resource: s.govDecisionResource, Page: "governance/done", View: s.govConsultView},
		{Method: "POST", Path: "/governance/decisions/{id}/defer", API: apiPrefix + "/decisions/{id}/defer", Action: access.ActGovernanceEdit,
			Resource: s.govDecisionResource, Page: "governance/done", View: s.govStopView(false)},
		{Method: "POST", Path: "/governance/decisions/{id}/withdraw", API: apiPrefix + "/decisions/{id}/withdraw", Action: access.ActGovernanceEdit,
			Resource: s.govDecisionResource, Page: "governance/done", View: s.govStopView(true)},
		{Method: "POST", Path: "/governance/decisions/{id}/decide-by-vote", API: apiPrefix + "/decisions/{id}/decide-by-vote", Action: access.ActGovernanceEdit,
			Resource: s.govDecisionResource, Page: "governance/done", View: s.govDecideByVoteView},
		{Method: "POST", Path: "/governance/votes", API: apiPrefix + "/votes", Action: access.ActGovernanceEdit,
			Page: "governance/done", View: s.govOpenVoteView},
		{Method: "POST", Path: "/governance/votes/{id}/outcome", API: apiPrefix + "/votes/{id}/outcome", Action: access.ActGovernanceEdit,
			Resource: func(r *http.Request) Resource { return Resource{Kind: "vote", ID: r.PathValue("id")} }, Page: "governance/done", View: s.govOutcomeView},
		{Method: "GET", Path: "/governance/interests", API: apiPrefix + "/interests", Action: access.ActGovernanceView, Resource: published,
			Page: "governance/interests", View: s.govInterestsView},
		{Method: "POST", Path: "/governance/interests", API: apiPrefix + "/interests", Action: access.ActGovernanceEdit,
			Page: "governance/done", View: s.govDeclareInterestView},
		{Method: "POST", Path: "/governance/gifts", API: apiPrefix + "/gifts", Action: access.ActGovernanceEdit,
			Page: "governance/done", View: s.govDeclareGiftView},
		{Method: "GET", Path: "/governance/interests.csv", Action: access.ActGovernanceView, Resource: published, Raw: s.govInterestsCSV},
		{Method: "GET", Path: "/governance/votes/{id}", API: apiPrefix + "/votes/{id}", Action: access.ActGovernanceView, Resource: published,
			Page: "governance/vote", View: s.govVoteView},
		{Method: "GET", Path: "/governance/votes/{id}/results", API: apiPrefix + "/votes/{id}/results", Action: access.ActVoteResults,
			Resource: s.govVoteResultsResource, Page: "governance/results", View: s.govResultsView},
		{Method: "POST", Path: "/governance/votes/{id}/cast", API: apiPrefix + "/votes/{id}/cast", Action: access.ActVoteCast,
			Resource: govVoteCastResource, Page: "governance/done", View: s.govCastView},
		{Method: "GET", Path: "/governance/assurance", API: apiPrefix + "/governance/assurance", Action: access.ActGovernanceView,
			Resource: govAssuranceResource, Page: "governance/assurance", View: s.govAssuranceView},
		{Method: "GET", Path: "/governance/assurance.csv", Action: access.ActGovernanceView, Resource: govAssuranceResource, Raw: s.govAssuranceCSV},
		// One's own declarations (governance_self.go).
		{Method: "GET", Path: "/governance/declarations", API: apiPrefix + "/governance/declarations", Action: access.ActDeclareOwn,
			Resource: govOwnResource, Page: "governance/declarations", View: s.govOwnView},
		{Method: "GET", Path: "/governance/declarations/confirm", API: apiPrefix + "/governance/declarations/confirm", Action: access.ActDeclareOwn,
			Resource: govOwnResource, Page: "governance/confirm", View: s.govOwnView},
		{Method: "POST", Path: "/governance/declarations/confirm", API: apiPrefix + "/governance/declarations/confirm", Action: access.ActDeclareOwn,
			Resource: govOwnResource, Page: "governance/done", View: s.govOwnConfirmView},
		{Method: "POST", Path: "/governance/declarations/interests", API: apiPrefix + "/governance/declarations/interests", Action: access.ActDeclareOwn,
			Resource: govOwnResource, Page: "governance/done", View: s.govOwnInterestView},
		{Method: "POST", Path: "/governance/declarations/gifts", API: apiPrefix + "/governance/declarations/gifts", Action: access.ActDeclareOwn,
			Resource: govOwnResource, Page: "governance/done", View: s.govOwnGiftView},
		// The governance secretary's meeting forms (governance_meetings.go).
		{Method: "POST", Path: "/governance/meetings/{id}/attendance", API: apiPrefix + "/governance/meetings/{id}/attendance", Action: access.ActGovernanceEdit,
			Resource: s.govMeetingResource, Page: "governance/done", View: s.govAttendanceView},
		{Method: "POST", Path: "/governance/meetings/{id}/declarations", API: apiPrefix + "/governance/meetings/{id}/declarations", Action: access.ActGovernanceEdit,
			Resource: s.govMeetingResource, Page: "governance/done", View: s.govMeetingDeclarationView},
		{Method: "POST", Path: "/governance/meetings/{id}/minutes", API: apiPrefix + "/governance/meetings/{id}/minutes", Action: access.ActGovernanceEdit,
			Resource: s.govMeetingResource, Page: "governance/done", View: s.govMinuteView},
		{Method: "POST", Path: "/governance/meetings/{id}/actions", API: apiPrefix + "/governance/meetings/{id}/actions", Action: access.ActGovernanceEdit,
			Resource: s.govMeetingResource, Page: "governance/done", View: s.govActionView},
	}
}

// govAssuranceResource is the assurance export: the governing body's and
// the governance secretary's, not the public's.
func govAssuranceResource(*http.Request) Resource {
	return Resource{Kind: "assurance", Body: string(governance.KindGoverningBody)}
}

// govVoteCastResource is the voter: a person may only cast a vote as
// themselves (whether they may act for the practice is the governance
// service's Entitlement check).
func govVoteCastResource(r *http.Request) Resource {
	res := Resource{Kind: "vote", ID: r.PathValue("id")}
	if p := personFrom(r); p.SignedIn() {
		res.Owner = p.ID
	}
	return res
}

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("web: %s %q: %w", name, r.PathValue(name), errs.ErrNotFound)
	}
	return id, nil
}

// govMeetingResource is a meeting: published when it was held in public.
func (s *Server) govMeetingResource(r *http.Request) Resource {
	res := Resource{Kind: "meeting", ID: r.PathValue("id")}
	if id, err := pathID(r, "id"); err == nil {
		if m, err := s.deps.Governance.Meeting(r.Context(), id); err == nil {
			res.Body, res.Published = string(m.Body), m.Public
		}
	}
	return res
}

// govDecisionResource is a decision record: published once published.
func (s *Server) govDecisionResource(r *http.Request) Resource {
	res := Resource{Kind: "decision", ID: r.PathValue("id")}
	if id, err := pathID(r, "id"); err == nil {
		if d, err := s.deps.Governance.Decision(r.Context(), id); err == nil {
			res.Body, res.Published = string(d.Body), d.Status == governance.StatusPublished
		}
	}
	return res
}

// govVoteResultsResource is a vote's results: published once the vote has
// closed (while open, only those the policy lets see everything may look,
// and the vote's own rule may still hide the totals).
func (s *Server) govVoteResultsResource(r *http.Request) Resource {
	res := Resource{Kind: "vote", ID: r.PathValue("id")}
	if id, err := pathID(r, "id"); err == nil {
		if v, err := s.deps.Governance.Vote(r.Context(), id); err == nil {
			res.Body, res.Published = string(v.Body), v.ClosedAt(time.Now())
		}
	}
	return res
}

// GovBody is a body with plain-language descriptions of its rules.
type GovBody struct {
	governance.Body
	KindLabel   string `json:"kind_label"`
	QuorumText  string `json:"quorum_text"`
	VotingText  string `json:"voting_text"`
	AltName     string `json:"alternate_name,omitempty"`
	MemberCount int    `json:"member_count"`
}

func govBody(c governance.Constitution, b governance.Body, on calendar.Date) GovBody {
	g := GovBody{Body: b, KindLabel: b.Kind.Label(), QuorumText: quorumText(b.Quorum), VotingText: b.Voting.Describe(),
		MemberCount: len(b.MembersOn(on))}
	if a, ok := c.Body(b.Alternate); ok {
		g.AltName = a.Name
	}
	return g
}

func quorumText(q governance.QuorumRule) string {
	var parts []string
	if q.MinCount > 0 {
		parts = append(parts, fmt.Sprintf("at least %d voting members present", q.MinCount))
	}
	if q.MinShare > 0 {
		parts = append(parts, fmt.Sprintf("at least %d%% of the voting members present", q.MinShare))
	}
	for _, c := range q.Composition {
		parts = append(parts, fmt.Sprintf("at least %d %s", c.Min, c.Role.Label()))
	}
	if len(parts) == 0 {
		return "no quorum rule"
	}
	return strings.Join(parts, ", ") + "; members excluded for a conflict of interest do not count"
}

// govHomeVM is the governance home page: the constitution and its bodies.
type govHomeVM struct {
	Name     string               `json:"name"`
	Version  governance.Version   `json:"version"`
	Bodies   []GovBody            `json:"bodies"`
	Votes    []govVoteRow         `json:"votes"`
	Meetings []governance.Meeting `json:"recent_meetings"`
	// SignedIn shows the link to one's own declarations; ConfirmDue
	// prompts the yearly confirmation of them.
	SignedIn   bool   `json:"-"`
	ConfirmDue bool   `json:"confirmation_due,omitempty"`
	CanEdit    bool   `json:"-"`
	CSRF       string `json:"-"`
}

type govVoteRow struct {
	ID       int64     `json:"id"`
	Question string    `json:"question"`
	Body     string    `json:"body"`
	Closes   time.Time `json:"closes"`
	Open     bool      `json:"open"`
}

func (s *Server) govConstitution(ctx context.Context) (governance.Constitution, error) {
	c, err := s.deps.Governance.Constitution(ctx, 0)
	if err != nil {
		return governance.Constitution{}, fmt.Errorf("web: constitution: %w", err)
	}
	return c, nil
}

func (s *Server) govHomeView(r *http.Request) (any, error) {
	ctx := r.Context()
	c, err := s.govConstitution(ctx)
	if err != nil {
		return nil, err
	}
	today := calendar.DateOf(time.Now().UTC())
	vm := govHomeVM{Name: c.Name, Version: c.Version, CanEdit: access.Allowed(personFrom(r), access.ActGovernanceEdit), CSRF: csrfFor(r)}
	for _, b := range c.Bodies {
		vm.Bodies = append(vm.Bodies, govBody(c, b, today))
	}
	votes, err := s.deps.Governance.Votes(ctx, "")
	if err != nil {
		return nil, err
	}
	now := time.Now()
	for _, v := range votes {
		vm.Votes = append(vm.Votes, govVoteRow{ID: v.ID, Question: v.Question, Body: bodyName(c, v.Body), Closes: v.Closes, Open: v.OpenAt(now)})
	}
	ms, err := s.deps.Governance.Meetings(ctx, "", calendar.Date{}, calendar.Date{})
	if err != nil {
		return nil, err
	}
	p := personFrom(r)
	if p.SignedIn() {
		own, err := s.deps.Governance.OwnRegister(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		vm.SignedIn, vm.ConfirmDue = true, own.Due
	}
	for i := len(ms) - 1; i >= 0 && len(vm.Meetings) < 12; i-- {
		if access.Can(p, access.ActGovernanceView, Resource{Kind: "meeting", Body: string(ms[i].Body), Published: ms[i].Public}) {
			vm.Meetings = append(vm.Meetings, ms[i])
		}
	}
	return vm, nil
}

func bodyName(c governance.Constitution, id governance.BodyID) string {
	if b, ok := c.Body(id); ok {
		return b.Name
	}
	return string(id)
}

// govSchemeVM is the scheme of delegation, with an answer to "who decides?".
type govSchemeVM struct {
	Types []governance.DecisionTypeInfo `json:"types"`
	Rows  []govSchemeRow                `json:"delegations"`
	// Asked is set when the page was asked about a decision.
	Asked  bool                    `json:"asked"`
	Type   governance.DecisionType `json:"type,omitempty"`
	Pounds string                  `json:"value_pounds,omitempty"`
	Answer string                  `json:"answer,omitempty"`
	Error  string                  `json:"error,omitempty"`
}

type govSchemeRow struct {
	governance.Delegation
	TypeName string `json:"type_name"`
	BandText string `json:"band_text"`
	BodyName string `json:"body_name"`
}

func (s *Server) govSchemeView(r *http.Request) (any, error) {
	c, err := s.govConstitution(r.Context())
	if err != nil {
		return nil, err
	}
	vm := govSchemeVM{Types: c.Scheme.Types}
	for _, d := range c.Scheme.Delegations {
		row := govSchemeRow{Delegation: d, BandText: d.Band(), BodyName: bodyName(c, d.Body)}
		if ti, ok := c.Scheme.TypeInfo(d.Type); ok {
			row.TypeName = ti.Name
		}
		if d.Body == "" {
			row.BodyName = "any " + d.BodyKind.Label()
		}
		vm.Rows = append(vm.Rows, row)
	}
	q := r.URL.Query()
	if t := q.Get("type"); t != "" {
		vm.Asked, vm.Type, vm.Pounds = true, governance.DecisionType(t), q.Get("value")
		pence, err := parsePounds(vm.Pounds)
		if err != nil {
			vm.Error = "Enter the value in pounds, for example 250000."
		} else if _, why, err := c.WhoDecides(vm.Type, pence); err != nil {
			vm.Error = plainMessage(err, "That question could not be answered.")
		} else {
			vm.Answer = why
		}
	}
	return vm, nil
}

// parsePounds reads "250000", "£250,000" or "1250.50" as pence.
func parsePounds(s string) (int64, error) {
	s = strings.NewReplacer("£", "", ",", "", " ", "").Replace(strings.TrimSpace(s))
	if s == "" {
		return 0, nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 {
		return 0, fmt.Errorf("value %q: %w", s, errs.ErrInvalid)
	}
	var f int64
	if frac != "" {
		if len(frac) > 2 {
			return 0, fmt.Errorf("value %q: %w", s, errs.ErrInvalid)
		}
		if len(frac) == 1 {
			frac += "0"
		}
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return 0, fmt.Errorf("value %q: %w", s, errs.ErrInvalid)
		}
	}
	return w*100 + f, nil
}

// govVersionsVM lists the constitution's versions with what changed.
type govVersionsVM struct {
	Versions []governance.Version `json:"versions"`
}

func (s *Server) govVersionsView(r *http.Request) (any, error) {
	vs, err := s.deps.Governance.Versions(r.Context())
	if err != nil {
		return nil, err
	}
	slices.Reverse(vs)
	return govVersionsVM{Versions: vs}, nil
}

// govBodyVM is one body with its members and meetings.
type govBodyVM struct {
	Body     GovBody               `json:"body"`
	Members  []governance.Member   `json:"members"`
	Meetings []governance.Meeting  `json:"meetings"`
	Roster   []governance.Entitled `json:"member_practices,omitempty"`
}

func (s *Server) govBodyView(r *http.Request) (any, error) {
	ctx := r.Context()
	c, err := s.govConstitution(ctx)
	if err != nil {
		return nil, err
	}
	b, ok := c.Body(governance.BodyID(r.PathValue("id")))
	if !ok {
		return nil, fmt.Errorf("web: body %q: %w", r.PathValue("id"), errs.ErrNotFound)
	}
	today := calendar.DateOf(time.Now().UTC())
	vm := govBodyVM{Body: govBody(c, b, today), Members: b.MembersOn(today)}
	ms, err := s.deps.Governance.Meetings(ctx, b.ID, calendar.Date{}, calendar.Date{})
	if err != nil {
		return nil, err
	}
	p := personFrom(r)
	for i := len(ms) - 1; i >= 0; i-- {
		if access.Can(p, access.ActGovernanceView, Resource{Kind: "meeting", Body: string(b.ID), Published: ms[i].Public}) {
			vm.Meetings = append(vm.Meetings, ms[i])
		}
	}
	return vm, nil
}

// govMeetingVM is one meeting: agenda with papers, attendance, declarations,
// minutes and actions.
type govMeetingVM struct {
	Meeting  governance.Meeting `json:"meeting"`
	BodyName string             `json:"body_name"`
	// For the governance secretary's forms: the body's members on the day,
	// each with whether they were present.
	Members []govSeatRow `json:"-"`
	CanEdit bool         `json:"-"`
	CSRF    string       `json:"-"`
}

func (s *Server) govMeetingView(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	m, err := s.deps.Governance.Meeting(r.Context(), id)
	if err != nil {
		return nil, err
	}
	c, err := s.govConstitution(r.Context())
	if err != nil {
		return nil, err
	}
	vm := govMeetingVM{Meeting: m, BodyName: bodyName(c, m.Body), CSRF: csrfFor(r),
		CanEdit: access.Can(personFrom(r), access.ActGovernanceEdit, Resource{Kind: "meeting", Body: string(m.Body), Published: m.Public})}
	if vm.CanEdit {
		vm.Members = meetingSeats(c, m)
	}
	return vm, nil
}

// govDecisionRow is a decision in the register, as the public API gives it.
type govDecisionRow struct {
	governance.Decision
	BodyName    string `json:"body_name"`
	ValueText   string `json:"value_text"`
	StatusLabel string `json:"status_label"`
}

// govDecisionsVM is the decisions register: published decisions, and for
// the governance secretary every record and the form to propose one.
type govDecisionsVM struct {
	Decisions []govDecisionRow              `json:"decisions"`
	Working   []govDecisionRow              `json:"in_progress,omitempty"`
	CanEdit   bool                          `json:"-"`
	Types     []governance.DecisionTypeInfo `json:"-"`
	CSRF      string                        `json:"-"`
}

func decisionRow(c governance.Constitution, d governance.Decision) govDecisionRow {
	return govDecisionRow{Decision: d, BodyName: bodyName(c, d.Body), ValueText: governance.Pounds(d.Value), StatusLabel: d.Status.Label()}
}

func (s *Server) govDecisionsView(r *http.Request) (any, error) {
	ctx := r.Context()
	c, err := s.govConstitution(ctx)
	if err != nil {
		return nil, err
	}
	pub, err := s.deps.Governance.PublishedDecisions(ctx, 0, 0)
	if err != nil {
		return nil, err
	}
	p := personFrom(r)
	vm := govDecisionsVM{Decisions: []govDecisionRow{}, CanEdit: access.Allowed(p, access.ActGovernanceEdit), Types: c.Scheme.Types, CSRF: csrfFor(r)}
	for _, d := range pub {
		vm.Decisions = append(vm.Decisions, decisionRow(c, d))
	}
	all, err := s.deps.Governance.Decisions(ctx, governance.DecisionFilter{})
	if err != nil {
		return nil, err
	}
	for _, d := range all {
		if d.Status != governance.StatusPublished && access.Can(p, access.ActGovernanceView, Resource{Kind: "decision", Body: string(d.Body)}) {
			vm.Working = append(vm.Working, decisionRow(c, d))
		}
	}
	return vm, nil
}

// govDecisionVM is one decision record with its history, and for the
// governance secretary the next steps.
type govDecisionVM struct {
	Decision govDecisionRow       `json:"decision"`
	Who      string               `json:"who_decides"`
	Bodies   []governance.Body    `json:"-"`
	Meetings []governance.Meeting `json:"-"`
	Item     int                  `json:"-"` // the agenda item about it, on its meeting
	// PublishBlocked says why a decided decision cannot be published yet
	// (members were consulted and the consultation does not yet say "you
	// said, we did"), and BlockedBy the consultation to put it right on;
	// shown to those who may edit.
	PublishBlocked string `json:"publish_blocked,omitempty"`
	BlockedBy      int64  `json:"blocked_by_consultation,omitempty"`
	// Consultations are the member consultations that informed it.
	Consultations []govConsultationRef `json:"consultations,omitempty"`
	// TypeName names the decision's type.
	TypeName string `json:"type_name"`
	CanEdit  bool   `json:"-"`
	CSRF     string `json:"-"`
}

func (s *Server) govDecisionView(r *http.Request) (any, error) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	d, err := s.deps.Governance.Decision(ctx, id)
	if err != nil {
		return nil, err
	}
	c, err := s.govConstitution(ctx)
	if err != nil {
		return nil, err
	}
	vm := govDecisionVM{Decision: decisionRow(c, d), CSRF: csrfFor(r), Bodies: c.Bodies,
		CanEdit: access.Can(personFrom(r), access.ActGovernanceEdit, Resource{Kind: "decision", Body: string(d.Body)})}
	if _, why, err := c.WhoDecides(d.Type, d.Value); err == nil {
		vm.Who = why
	}
	vm.TypeName = string(d.Type)
	if ti, ok := c.Scheme.TypeInfo(d.Type); ok {
		vm.TypeName = ti.Name
	}
	if s.deps.Engagement != nil {
		cs, err := s.deps.Engagement.Consultations(ctx, engagement.ConsultationFilter{Decision: d.ID})
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			vm.Consultations = append(vm.Consultations, govConsultationRef{ID: c.ID, Title: c.Title, Opens: c.Opens, Closes: c.Closes})
		}
	}
	if vm.CanEdit {
		today := calendar.DateOf(time.Now().UTC())
		ms, err := s.deps.Governance.Meetings(ctx, "", today.AddDays(-400), calendar.Date{})
		if err != nil {
			return nil, err
		}
		vm.Meetings = ms
		if d.Meeting > 0 {
			if m, err := s.deps.Governance.Meeting(ctx, d.Meeting); err == nil {
				vm.Item = agendaItemFor(m, d.ID)
			}
		}
		if d.Status == governance.StatusDecided {
			err := s.deps.Governance.CheckPublish(ctx, d.ID)
			if msg, by, ok := publishBlocked(err); ok {
				vm.PublishBlocked, vm.BlockedBy = msg, by
			} else if errors.Is(err, errs.ErrInvalid) || errors.Is(err, errs.ErrConflict) {
				_, vm.PublishBlocked = classify(err)
			} else if err != nil {
				return nil, err
			}
		}
	}
	return vm, nil
}

// govConsultationRef is a consultation that informed a decision.
type govConsultationRef struct {
	ID     int64         `json:"id"`
	Title  string        `json:"title"`
	Opens  calendar.Date `json:"opens"`
	Closes calendar.Date `json:"closes"`
}

// agendaItemFor returns the number of the meeting's agenda item about the
// decision, or 0.
func agendaItemFor(m governance.Meeting, decision int64) int {
	for _, it := range m.Agenda {
		if it.Decision == decision {
			return it.No
		}
	}
	return 0
}

// govDoneVM answers a form: what happened and where to go next.
type govDoneVM struct {
	Message string `json:"message"`
	Back    string `json:"back"`
	ID      int64  `json:"id,omitempty"`
}

func formID(r *http.Request, name string) int64 {
	id, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue(name)), 10, 64)
	return id
}

func (s *Server) govProposeView(r *http.Request) (any, error) {
	value, err := parsePounds(r.PostFormValue("value"))
	if err != nil {
		return nil, err
	}
	d := governance.Decision{Title: strings.TrimSpace(r.PostFormValue("title")), Summary: strings.TrimSpace(r.PostFormValue("summary")),
		Type: governance.DecisionType(r.PostFormValue("type")), Value: value}
	if orgs := strings.Fields(strings.ToUpper(strings.ReplaceAll(r.PostFormValue("organisations"), ",", " "))); len(orgs) > 0 {
		d.Organisations = orgs
	}
	d, err = s.deps.Governance.Propose(r.Context(), personFrom(r).ID, d)
	if err != nil {
		return nil, err
	}
	return govDoneVM{Message: fmt.Sprintf("Decision %d, %q, has been proposed.", d.ID, d.Title), Back: fmt.Sprintf("/governance/decisions/%d", d.ID), ID: d.ID}, nil
}

func (s *Server) govRouteView(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	ctx, by := r.Context(), personFrom(r).ID
	d, err := s.deps.Governance.Route(ctx, by, id, governance.BodyID(r.PostFormValue("body")), formID(r, "meeting"), formID(r, "vote"))
	if err != nil {
		return nil, err
	}
	if d.Meeting > 0 {
		// Put the decision on the meeting's agenda, unless it is there already.
		m, err := s.deps.Governance.Meeting(ctx, d.Meeting)
		if err != nil {
			return nil, err
		}
		if agendaItemFor(m, d.ID) == 0 {
			no := 1
			for _, it := range m.Agenda {
				no = max(no, it.No+1)
			}
			m.Agenda = append(m.Agenda, governance.AgendaItem{No: no, Title: d.Title, Decision: d.ID, Organisations: d.Organisations})
			if _, err := s.deps.Governance.UpdateMeeting(ctx, by, m); err != nil {
				return nil, err
			}
		}
	}
	return govDoneVM{Message: fmt.Sprintf("Decision %d is on the agenda of the %s.", d.ID, d.Body), Back: fmt.Sprintf("/governance/decisions/%d", d.ID), ID: d.ID}, nil
}

func (s *Server) govDecideView(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	mv := governance.MeetingVote{Item: int(formID(r, "item")), Vote: governance.VoteCount{For: formID(r, "for"), Against: formID(r, "against"),
		Abstain: formID(r, "abstain")}, Rationale: strings.TrimSpace(r.PostFormValue("rationale")), MemberViews: strings.TrimSpace(r.PostFormValue("member_views"))}
	d, chk, err := s.deps.Governance.DecideAtMeeting(r.Context(), personFrom(r).ID, id, mv)
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("Decision %d: %s. %s", d.ID, d.Status.Label(), chk.Explanation)
	return govDoneVM{Message: msg, Back: fmt.Sprintf("/governance/decisions/%d", d.ID), ID: d.ID}, nil
}

// publishBlocked reads engagement's "you said, we did" refusal: the plain
// message for the secretary and the consultation that holds the decision
// back. ok is false for any other error.
func publishBlocked(err error) (msg string, consultation int64, ok bool) {
	var pb *engagement.PublishBlocked
	if !errors.As(err, &pb) {
		return "", 0, false
	}
	return "This decision cannot be published yet: " + pb.Reason, pb.Consultation, true
}

func (s *Server) govPublishView(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	d, err := s.deps.Governance.Publish(r.Context(), personFrom(r).ID, id)
	if msg, _, ok := publishBlocked(err); ok {
		return nil, invalid("%s", msg)
	}
	if err != nil {
		return nil, err
	}
	return govDoneVM{Message: fmt.Sprintf("Decision %d has been published on the decisions register.", d.ID), Back: fmt.Sprintf("/governance/decisions/%d", d.ID), ID: d.ID}, nil
}

// govInterestsVM is the public register of interests, and of gifts and
// hospitality, procurement decisions and breaches.
type govInterestsVM struct {
	Interests    []govInterestRow          `json:"interests"`
	Gifts        []govGiftRow              `json:"gifts"`
	Procurements []govProcurementRow       `json:"procurement_decisions"`
	Breaches     []governance.Breach       `json:"breaches"`
	CanEdit      bool                      `json:"-"`
	Kinds        []governance.InterestKind `json:"-"`
	CSRF         string                    `json:"-"`
}

// govGiftRow is a gifts and hospitality entry with its value in pounds.
type govGiftRow struct {
	governance.Gift
	ValueText string `json:"value_text"`
}

// govProcurementRow is a procurement decision with its value in pounds.
type govProcurementRow struct {
	governance.ProcurementDecision
	ValueText string `json:"value_text"`
}

type govInterestRow struct {
	governance.Interest
	KindLabel string `json:"kind_label"`
}

func (s *Server) publicInterests(ctx context.Context) ([]govInterestRow, error) {
	is, err := s.deps.Governance.PublicInterests(ctx)
	if err != nil {
		return nil, err
	}
	out := []govInterestRow{}
	for _, i := range is {
		out = append(out, govInterestRow{Interest: i, KindLabel: i.Kind.Label()})
	}
	return out, nil
}

func (s *Server) govInterestsView(r *http.Request) (any, error) {
	ctx := r.Context()
	is, err := s.publicInterests(ctx)
	if err != nil {
		return nil, err
	}
	vm := govInterestsVM{Interests: is, CanEdit: access.Allowed(personFrom(r), access.ActGovernanceEdit), CSRF: csrfFor(r),
		Kinds: []governance.InterestKind{governance.InterestFinancial, governance.InterestProfessional, governance.InterestPersonal, governance.InterestIndirect}}
	today := calendar.DateOf(time.Now().UTC())
	gs, err := s.deps.Governance.Gifts(ctx, today.AddDays(-6*366), calendar.Date{})
	if err != nil {
		return nil, err
	}
	for _, g := range gs {
		vm.Gifts = append(vm.Gifts, govGiftRow{Gift: g, ValueText: governance.Pounds(g.Value)})
	}
	ps, err := s.deps.Governance.Procurements(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		vm.Procurements = append(vm.Procurements, govProcurementRow{ProcurementDecision: p, ValueText: governance.Pounds(p.Value)})
	}
	bs, err := s.deps.Governance.Breaches(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range bs {
		if !b.Published.IsZero() {
			vm.Breaches = append(vm.Breaches, b)
		}
	}
	return vm, nil
}

func (s *Server) govInterestsCSV(w http.ResponseWriter, r *http.Request) error {
	is, err := s.publicInterests(r.Context())
	if err != nil {
		return err
	}
	rows := [][]string{{"name", "kind", "organisation", "organisation_name", "description", "from", "to", "declared", "managed"}}
	for _, i := range is {
		rows = append(rows, []string{i.Name, i.KindLabel, i.Organisation, i.OrganisationName, i.Description, i.From.String(), i.To.String(), i.Declared.String(), i.Managed})
	}
	return writeSafeCSV(w, "register-of-interests.csv", rows)
}

// govVoteVM is a member vote: the question, who can vote, live turnout and
// quorum, and for a person entitled for a practice the ballot form.
type govVoteVM struct {
	Vote     governance.MemberVote `json:"vote"`
	BodyName string                `json:"body_name"`
	Turnout  governance.Turnout    `json:"turnout"`
	Open     bool                  `json:"open"`
	Closed   bool                  `json:"closed"`
	// Mine are the practices the signed-in person may vote for, with
	// whether each has voted.
	Mine []govMyPractice `json:"my_practices,omitempty"`
	// Reminders are the practices yet to vote in the last three days
	// before the close (for the governance secretary).
	Reminders  []governance.Entitled `json:"reminders,omitempty"`
	CanResults bool                  `json:"-"`
	CanEdit    bool                  `json:"-"`
	CSRF       string                `json:"-"`
}

type govMyPractice struct {
	Practice string `json:"practice"`
	Name     string `json:"name"`
	Voted    bool   `json:"voted"`
	// ProxyHolder is set when the person casts this practice's vote as its
	// appointed proxy (one of the person's own practices).
	ProxyHolder string `json:"proxy_holder,omitempty"`
}

func (s *Server) govVoteView(r *http.Request) (any, error) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	v, t, _, err := s.deps.Governance.VoteStatus(ctx, id)
	if err != nil {
		return nil, err
	}
	c, err := s.govConstitution(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	p := personFrom(r)
	vm := govVoteVM{Vote: v, BodyName: bodyName(c, v.Body), Turnout: t, Open: v.OpenAt(now), Closed: v.ClosedAt(now), CSRF: csrfFor(r),
		CanResults: access.Can(p, access.ActVoteResults, Resource{Kind: "vote", Body: string(v.Body), Published: v.ClosedAt(now)})}
	if !access.Can(p, access.ActGovernanceView, Resource{Kind: "vote", Body: string(v.Body)}) {
		vm.Vote.Roster = nil // the roster is shown to members and officers, not to the public
		vm.Vote.Proxies = nil
	}
	if p.SignedIn() {
		var codes []string
		names := map[string]string{}
		for _, e := range v.Roster {
			names[e.Practice] = e.Name
			if p.WorksAt(e.Practice) {
				vm.Mine = append(vm.Mine, govMyPractice{Practice: e.Practice, Name: e.Name})
				codes = append(codes, e.Practice)
			}
		}
		if v.AllowProxies {
			for _, px := range v.Proxies {
				if p.WorksAt(px.Holder) {
					vm.Mine = append(vm.Mine, govMyPractice{Practice: px.Practice, Name: names[px.Practice], ProxyHolder: px.Holder})
					codes = append(codes, px.Practice)
				}
			}
		}
		voted, err := s.deps.Governance.HasVoted(ctx, id, codes)
		if err != nil {
			return nil, err
		}
		for i := range vm.Mine {
			vm.Mine[i].Voted = voted[vm.Mine[i].Practice]
		}
	}
	if access.Can(p, access.ActGovernanceEdit, Resource{Kind: "vote", Body: string(v.Body)}) {
		vm.CanEdit = true
		if vm.Reminders, err = s.deps.Governance.Reminders(ctx, id, 72*time.Hour); err != nil {
			return nil, err
		}
	}
	return vm, nil
}

// govResultsVM is a vote's result under its body's rule.
type govResultsVM struct {
	Vote     governance.MemberVote `json:"vote"`
	BodyName string                `json:"body_name"`
	Turnout  governance.Turnout    `json:"turnout"`
	Result   governance.Result     `json:"result"`
	Rows     []govResultRow        `json:"rows"`
}

type govResultRow struct {
	Option string `json:"option"`
	Count  int64  `json:"count"`
	Weight int64  `json:"weight"`
	Winner bool   `json:"winner"`
}

func (s *Server) govResultsView(r *http.Request) (any, error) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	v, t, res, err := s.deps.Governance.VoteStatus(ctx, id)
	if err != nil {
		return nil, err
	}
	c, err := s.govConstitution(ctx)
	if err != nil {
		return nil, err
	}
	vm := govResultsVM{Vote: v, BodyName: bodyName(c, v.Body), Turnout: t, Result: res}
	vm.Vote.Roster, vm.Vote.Proxies = nil, nil
	if res.Visible {
		for i, o := range v.Options {
			row := govResultRow{Option: o, Winner: res.Winner == i}
			if i < len(res.Totals.Count) {
				row.Count, row.Weight = res.Totals.Count[i], res.Totals.Weight[i]
			}
			vm.Rows = append(vm.Rows, row)
		}
		vm.Rows = append(vm.Rows, govResultRow{Option: "Abstain", Count: res.Totals.AbstainCount, Weight: res.Totals.AbstainWeight})
	}
	return vm, nil
}

func (s *Server) govCastView(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	choice, err := strconv.Atoi(r.PostFormValue("choice"))
	if err != nil {
		return nil, fmt.Errorf("web: choose an option: %w", errs.ErrInvalid)
	}
	req := governance.CastRequest{Vote: id, Practice: strings.TrimSpace(r.PostFormValue("practice")), Person: personFrom(r).ID,
		ProxyHolder: strings.TrimSpace(r.PostFormValue("proxy_holder")), Choice: governance.Choice(choice)}
	if err := s.deps.Governance.CastVote(r.Context(), req); err != nil {
		return nil, err
	}
	return govDoneVM{Message: fmt.Sprintf("The vote of practice %s has been recorded.", req.Practice), Back: fmt.Sprintf("/governance/votes/%d", id), ID: id}, nil
}

// govAssuranceVM is the assurance report for NHS England over a financial year.
type govAssuranceVM struct {
	Report governance.AssuranceReport `json:"report"`
	Year   int                        `json:"year"`
	// YearLabel is "2026/27"; Years are the years to choose from, newest first.
	YearLabel string    `json:"year_label"`
	Years     []govYear `json:"-"`
	// Bodies and Types name the codes of the report.
	Bodies map[governance.BodyID]string       `json:"-"`
	Types  map[governance.DecisionType]string `json:"-"`
}

// govYear is a financial year to link to.
type govYear struct {
	Year    int
	Label   string
	Current bool
}

// assuranceYear reads ?year= (the year a financial year starts in April);
// without it, the financial year that today is in (the report so far).
func (s *Server) assuranceYear(r *http.Request) (int, calendar.Date, calendar.Date) {
	y, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil || y < 2000 || y > 2100 {
		y = int(s.today().Month().FinancialYear())
	}
	from := calendar.DateOf(time.Date(y, time.April, 1, 0, 0, 0, 0, time.UTC))
	return y, from, calendar.DateOf(time.Date(y+1, time.April, 1, 0, 0, 0, 0, time.UTC))
}

func (s *Server) govAssuranceView(r *http.Request) (any, error) {
	y, from, to := s.assuranceYear(r)
	rep, err := s.deps.Governance.Assurance(r.Context(), from, to)
	if err != nil {
		return nil, err
	}
	c, err := s.govConstitution(r.Context())
	if err != nil {
		return nil, err
	}
	vm := govAssuranceVM{Report: rep, Year: y, YearLabel: calendar.FinancialYear(y).String(),
		Bodies: map[governance.BodyID]string{}, Types: map[governance.DecisionType]string{}}
	for _, d := range rep.Decisions {
		vm.Bodies[d.Body] = bodyName(c, d.Body)
		vm.Types[d.Type] = string(d.Type)
		if ti, ok := c.Scheme.TypeInfo(d.Type); ok {
			vm.Types[d.Type] = ti.Name
		}
	}
	for _, l := range rep.Inquorate {
		vm.Bodies[l.Body] = bodyName(c, l.Body)
	}
	this := int(s.today().Month().FinancialYear())
	for fy := max(this, y); fy >= min(this, y)-3; fy-- {
		vm.Years = append(vm.Years, govYear{Year: fy, Label: calendar.FinancialYear(fy).String(), Current: fy == y})
	}
	return vm, nil
}

func (s *Server) govAssuranceCSV(w http.ResponseWriter, r *http.Request) error {
	y, from, to := s.assuranceYear(r)
	rep, err := s.deps.Governance.Assurance(r.Context(), from, to)
	if err != nil {
		return err
	}
	setDownload(w.Header(), fmt.Sprintf("governance-assurance-%d.csv", y))
	return rep.WriteCSV(w)
}

// atomFeed is an Atom 1.0 feed of published decisions.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Link    atomLink    `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type atomEntry struct {
	Title   string   `xml:"title"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Summary string   `xml:"summary"`
}

func (s *Server) govDecisionsAtom(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := s.govConstitution(ctx)
	if err != nil {
		return err
	}
	ds, err := s.deps.Governance.PublishedDecisions(ctx, 50, 0)
	if err != nil {
		return err
	}
	base := "http://" + r.Host
	f := atomFeed{Title: c.Name + ": decisions", ID: base + "/governance/decisions", Link: atomLink{Href: base + "/governance/decisions.atom", Rel: "self"},
		Updated: "2000-01-01T00:00:00Z"}
	for i, d := range ds {
		upd := d.Published.String() + "T00:00:00Z"
		if i == 0 {
			f.Updated = upd
		}
		f.Entries = append(f.Entries, atomEntry{Title: d.Title, ID: fmt.Sprintf("%s/governance/decisions/%d", base, d.ID), Updated: upd,
			Link:    atomLink{Href: fmt.Sprintf("%s/governance/decisions/%d", base, d.ID)},
			Summary: fmt.Sprintf("%s, %s, decided by the %s on %s: %s.", d.Type, governance.Pounds(d.Value), bodyName(c, d.Body), d.Decided, d.Outcome)})
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	if _, err := w.Write([]byte(xml.Header)); err != nil {
		return err
	}
	return xml.NewEncoder(w).Encode(f)
}

// writeSafeCSV writes rows as a CSV download through csvsafe, so that no
// cell can start a spreadsheet formula.
func writeSafeCSV(w http.ResponseWriter, name string, rows [][]string) error {
	setDownload(w.Header(), name)
	cw := csvsafe.NewWriter(w)
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("web: write CSV: %w", err)
	}
	return nil
}

// formDate reads a YYYY-MM-DD form field (empty: the zero date).
func formDate(r *http.Request, name string) (calendar.Date, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return calendar.Date{}, nil
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		return calendar.Date{}, invalid("%s: %q is not a date (YYYY-MM-DD)", name, v)
	}
	return d, nil
}

func (s *Server) govConsultView(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	from, err := formDate(r, "from")
	if err != nil {
		return nil, err
	}
	to, err := formDate(r, "to")
	if err != nil {
		return nil, err
	}
	d, err := s.deps.Governance.StartConsultation(r.Context(), personFrom(r).ID, id, from, to)
	if err != nil {
		return nil, err
	}
	return govDoneVM{Message: fmt.Sprintf("Decision %d is out for consultation from %s to %s.", d.ID, from, to), Back: fmt.Sprintf("/governance/decisions/%d", d.ID), ID: d.ID}, nil
}

// govStopView defers (or withdraws) a decision, with a reason.
func (s *Server) govStopView(withdraw bool) View {
	return func(r *http.Request) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		var d governance.Decision
		if withdraw {
			d, err = s.deps.Governance.Withdraw(r.Context(), personFrom(r).ID, id, reason)
		} else {
			d, err = s.deps.Governance.Defer(r.Context(), personFrom(r).ID, id, reason)
		}
		if err != nil {
			return nil, err
		}
		return govDoneVM{Message: fmt.Sprintf("Decision %d is now %s.", d.ID, d.Status.Label()), Back: fmt.Sprintf("/governance/decisions/%d", d.ID), ID: d.ID}, nil
	}
}

func (s *Server) govDecideByVoteView(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	d, err := s.deps.Governance.DecideByMemberVote(r.Context(), personFrom(r).ID, id,
		strings.TrimSpace(r.PostFormValue("rationale")), strings.TrimSpace(r.PostFormValue("member_views")))
	if err != nil {
		return nil, err
	}
	return govDoneVM{Message: fmt.Sprintf("Decision %d: %s by the member vote (%s).", d.ID, d.Status.Label(), d.Outcome), Back: fmt.Sprintf("/governance/decisions/%d", d.ID), ID: d.ID}, nil
}

// govOpenVoteView opens an online vote of a body of member practices; it
// closes at the end of the day given.
func (s *Server) govOpenVoteView(r *http.Request) (any, error) {
	closes, err := formDate(r, "closes")
	if err != nil {
		return nil, err
	}
	if closes.IsZero() {
		return nil, invalid("give the date the vote closes")
	}
	var options []string
	for _, o := range strings.Split(r.PostFormValue("options"), "\n") {
		if o = strings.TrimSpace(o); o != "" {
			options = append(options, o)
		}
	}
	v := governance.MemberVote{Body: governance.BodyID(r.PostFormValue("body")), Decision: formID(r, "decision"),
		Question: strings.TrimSpace(r.PostFormValue("question")), Options: options, Opens: time.Now().UTC(),
		Closes: closes.Time().AddDate(0, 0, 1), Anonymous: r.PostFormValue("anonymous") != "", HideResults: r.PostFormValue("hide_results") != ""}
	v, err = s.deps.Governance.OpenVote(r.Context(), personFrom(r).ID, v)
	if err != nil {
		return nil, err
	}
	return govDoneVM{Message: fmt.Sprintf("Vote %d is open until %s: %d practices may vote.", v.ID, v.Closes.Format("2 January 2006 15:04 UTC"), len(v.Roster)),
		Back: fmt.Sprintf("/governance/votes/%d", v.ID), ID: v.ID}, nil
}

func (s *Server) govOutcomeView(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	review, err := formDate(r, "review")
	if err != nil {
		return nil, err
	}
	v, err := s.deps.Governance.RecordOutcome(r.Context(), personFrom(r).ID, id, governance.VoteOutcome{
		Statement: strings.TrimSpace(r.PostFormValue("statement")), Reasons: strings.TrimSpace(r.PostFormValue("reasons")), ReviewDate: review})
	if err != nil {
		return nil, err
	}
	return govDoneVM{Message: fmt.Sprintf("The outcome of vote %d has been recorded.", v.ID), Back: fmt.Sprintf("/governance/votes/%d", v.ID), ID: v.ID}, nil
}

// govPerson finds the person a register entry is for, by email.
func (s *Server) govPerson(r *http.Request) (*access.Person, error) {
	acc, err := s.accessService()
	if err != nil {
		return nil, err
	}
	p, err := acc.Lookup(r.Context(), personFrom(r), r.PostFormValue("email"))
	if err != nil {
		return nil, invalid("nobody with the email %q can sign in to ccg", r.PostFormValue("email"))
	}
	return p, nil
}

func (s *Server) govDeclareInterestView(r *http.Request) (any, error) {
	who, err := s.govPerson(r)
	if err != nil {
		return nil, err
	}
	i := governance.Interest{Person: who.ID, Name: who.Name, Kind: governance.InterestKind(r.PostFormValue("kind")),
		Organisation: strings.TrimSpace(r.PostFormValue("organisation")), OrganisationName: strings.TrimSpace(r.PostFormValue("organisation_name")),
		Description: strings.TrimSpace(r.PostFormValue("description")), Managed: strings.TrimSpace(r.PostFormValue("managed"))}
	if i.From, err = formDate(r, "from"); err != nil {
		return nil, err
	}
	if i.To, err = formDate(r, "to"); err != nil {
		return nil, err
	}
	i, late, err := s.deps.Governance.DeclareInterest(r.Context(), personFrom(r).ID, i)
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("The interest of %s in %s has been added to the register.", i.Name, i.Organisation)
	if late {
		msg += fmt.Sprintf(" It was declared late: interests must be declared within %d days of arising (by %s).", governance.DeclareWithinDays, governance.DeclareBy(i.From))
	}
	return govDoneVM{Message: msg, Back: "/governance/interests", ID: i.ID}, nil
}

func (s *Server) govDeclareGiftView(r *http.Request) (any, error) {
	who, err := s.govPerson(r)
	if err != nil {
		return nil, err
	}
	value, err := parsePounds(r.PostFormValue("value"))
	if err != nil {
		return nil, err
	}
	g := governance.Gift{Person: who.ID, Name: who.Name, Kind: governance.GiftKind(r.PostFormValue("kind")), From: strings.TrimSpace(r.PostFormValue("from")),
		FromSupplier: r.PostFormValue("supplier") != "", Description: strings.TrimSpace(r.PostFormValue("description")), Value: value,
		Declined: r.PostFormValue("declined") != ""}
	if g.Offered, err = formDate(r, "offered"); err != nil {
		return nil, err
	}
	g, chk, err := s.deps.Governance.DeclareGift(r.Context(), personFrom(r).ID, g)
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("Recorded: %s %s from %s (%s). %s", g.Name, g.Kind, g.From, governance.Pounds(g.Value), chk.Why)
	if chk.NeedsApproval {
		msg += " It needs a senior manager's approval."
	}
	return govDoneVM{Message: msg, Back: "/governance/interests", ID: g.ID}, nil
}
