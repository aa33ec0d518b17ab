package access

import (
	"fmt"
	"slices"
)

// Action names something a person may try to do: one per family of pages,
// API calls and commands. The web route table and the CLI name an Action for
// every route and command, and ask Can.
type Action string

// The actions. Keep this list, the table below and the routes in step: the
// authorisation matrix test in internal/web fails on any route whose action
// is missing here.
const (
	// ActPublicView: pages anybody may see (home, help, published reports,
	// the organisation registry, which holds only public ODS data).
	ActPublicView Action = "public.view"
	// ActSignIn: the sign-in and sign-out pages and the identity-provider
	// callback.
	ActSignIn Action = "auth.signin"
	// ActAccount: one's own account page, password and API tokens.
	ActAccount Action = "account.manage"
	// ActPracticeDetail: one practice's own detailed figures.
	ActPracticeDetail Action = "practice.detail"
	// ActPracticePeers: a practice's figures shown beside its locality peers.
	ActPracticePeers Action = "practice.peers"
	// ActAnalyticsView: CCG-wide analyses that are not yet published.
	ActAnalyticsView Action = "analytics.view"
	// ActAnalyticsPublish: publishing an analysis to the public.
	ActAnalyticsPublish Action = "analytics.publish"
	// ActImportsView: the import history and rejected rows, for the roles
	// that import (rejected rows may hold what a file says about people).
	ActImportsView Action = "imports.view"
	// ActImportsPersonal: the rejected rows of imports that carry personal
	// data (people, registers of interests), for people administrators.
	ActImportsPersonal Action = "imports.personal"
	// ActLocalFigures: figures below CCG level (practice and locality
	// values, their trends and deciles) from a data source that is not
	// published openly below CCG level: the CCG's own referral extracts.
	// FiguresAction decides when it applies.
	ActLocalFigures Action = "figures.local"
	// ActImportsRun: importing a file (upload or command line).
	ActImportsRun Action = "imports.run"
	// ActFinanceView: budgets and spending.
	ActFinanceView Action = "finance.view"
	// ActFinanceEdit: changing budgets.
	ActFinanceEdit Action = "finance.edit"
	// ActGovernanceView: governance records (meetings, papers, decisions).
	ActGovernanceView Action = "governance.view"
	// ActGovernanceEdit: changing governance records.
	ActGovernanceEdit Action = "governance.edit"
	// ActDeclareOwn: declaring one's own interests, gifts and
	// hospitality, seeing them, and confirming them yearly (Resource.Owner
	// is the person declaring).
	ActDeclareOwn Action = "governance.declare"
	// ActVoteCast: casting one's own vote (Resource.Owner is the voter).
	ActVoteCast Action = "vote.cast"
	// ActVoteResults: the results of a member vote.
	ActVoteResults Action = "vote.results"
	// ActSurveyAnswer: answering a survey as oneself (Resource.Owner is the
	// person entitled to answer).
	ActSurveyAnswer Action = "survey.answer"
	// ActSurveyResults: survey results (aggregated; personal answers are
	// never shown to anybody but their author).
	ActSurveyResults Action = "survey.results"
	// ActSurveyManage: creating and closing surveys.
	ActSurveyManage Action = "survey.manage"
	// ActPeopleView: the list of people and their roles.
	ActPeopleView Action = "people.view"
	// ActPeopleAdmin: adding, disabling and resetting people, bulk loads,
	// and managing other people's tokens.
	ActPeopleAdmin Action = "people.admin"
	// ActAuditView: reading and verifying the audit log.
	ActAuditView Action = "audit.view"
	// ActMailOutbox: the e-mail outbox (what was sent, what failed) and
	// retrying failed messages; secret messages' bodies are never shown.
	ActMailOutbox Action = "mail.outbox"
	// ActMailLink: the pages behind links in e-mails (unsubscribe,
	// preferences, confirming a subscription): the secret in the link is
	// what authorises them, so anybody holding it may use them, and the
	// one-click unsubscribe (RFC 8058) is posted by mail programs without
	// a session or anti-forgery token.
	ActMailLink Action = "mail.link"
	// ActMailSubscribe: asking for a monthly alert of a practice's, a
	// locality's or the CCG's public figures (confirmed by e-mail).
	ActMailSubscribe Action = "mail.subscribe"

	// Site-wide public pages named by the web route table: the home page,
	// the organisation registry (public ODS data), the glossary, health
	// checks, static files and the "no such page" answer.
	ActHome           Action = "home.view"
	ActRegistrySearch Action = "registry.search"
	ActRegistryView   Action = "registry.view"
	ActGlossaryView   Action = "glossary.view"
	ActSiteHealth     Action = "site.health"
	ActSiteStatic     Action = "site.static"
	ActSiteMissing    Action = "site.missing"
)

// Scope says on which resources a role may do an action.
type Scope uint8

// The scopes, from narrowest to widest.
const (
	// No: never (the zero value: anything not in the table is denied).
	No Scope = iota
	// Pub: only what is published (Resource.Published).
	Pub
	// Self: only as themselves (Resource.Owner is the person's ID).
	Self
	// Prac: resources of a practice the person works at.
	Prac
	// Loc: resources of a practice in (or of) a locality the person
	// belongs to; this includes the person's own practices.
	Loc
	// Body: resources of a body the person sits on, or published ones.
	Body
	// User: anything, for any signed-in person holding the role.
	User
	// All: anything.
	All
)

// String names the scope as the policy table does.
func (s Scope) String() string {
	return [...]string{"No", "Pub", "Self", "Prac", "Loc", "Body", "User", "All"}[s]
}

// Resource is what an action is done to. Fill in what is known: the zero
// Resource is "nothing in particular" (a list page, a form).
type Resource struct {
	// Kind is what sort of thing it is ("practice", "vote", "person", ...),
	// for messages and the audit log.
	Kind string
	// ID identifies it within its kind (an ODS code, a number).
	ID string
	// Practice is the ODS code of the practice the resource belongs to.
	Practice string
	// Locality is the code of the locality the resource (or its practice)
	// belongs to.
	Locality string
	// Body is the code of the body (governing body, committee) it belongs to.
	Body string
	// Owner is the ID of the person it belongs to, or who alone may act on it
	// (the voter, the respondent, the token's owner).
	Owner int64
	// Published is true once the thing has been published to everybody.
	Published bool
}

// roleCols are the roles in the order of the policy table's columns.
var roleCols = [8]Role{RolePublic, RoleAdmin, RoleAnalyst, RoleFinance, RoleGovSecretary, RoleGoverningBody, RoleLocalityLead, RolePracticeMember}

// policy is THE authorisation policy: one row per action, one column per
// role (RolePublic applies to everybody, signed in or not). A person may do
// an action on a resource when any role they hold allows it.
//
//	No   never                       Self  only as themselves (votes, answers)
//	Pub  only what is published      Prac  their own practice
//	User any signed-in holder        Loc   their locality (own practice and peers)
//	All  anything                    Body  bodies they sit on, or published
var policy = map[Action][8]Scope{
	//                      public  admin  analyst finance govsec govbody lead   member
	ActPublicView:       {All, All, All, All, All, All, All, All},
	ActHome:             {All, All, All, All, All, All, All, All},
	ActRegistrySearch:   {All, All, All, All, All, All, All, All},
	ActRegistryView:     {All, All, All, All, All, All, All, All},
	ActGlossaryView:     {All, All, All, All, All, All, All, All},
	ActSiteHealth:       {All, All, All, All, All, All, All, All},
	ActSiteStatic:       {All, All, All, All, All, All, All, All},
	ActSiteMissing:      {All, All, All, All, All, All, All, All},
	ActSignIn:           {All, All, All, All, All, All, All, All},
	ActAccount:          {No, User, User, User, User, User, User, User},
	ActPracticeDetail:   {Pub, All, All, All, No, All, Loc, Prac},
	ActPracticePeers:    {Pub, All, All, All, No, All, Loc, Loc},
	ActAnalyticsView:    {Pub, All, All, All, Pub, All, All, Pub},
	ActAnalyticsPublish: {No, No, All, No, No, No, No, No},
	ActImportsView:      {No, All, All, No, No, No, No, No},
	ActImportsPersonal:  {No, All, No, No, No, No, No, No},
	ActLocalFigures:     {No, All, All, All, No, All, Loc, Loc},
	ActImportsRun:       {No, All, All, No, No, No, No, No},
	ActFinanceView:      {Pub, All, All, All, No, All, Loc, Prac},
	ActFinanceEdit:      {No, No, No, All, No, No, No, No},
	ActGovernanceView:   {Pub, All, Pub, Pub, All, All, Body, Body},
	ActGovernanceEdit:   {No, No, No, No, All, No, No, No},
	ActDeclareOwn:       {No, Self, Self, Self, Self, Self, Self, Self},
	ActVoteCast:         {No, Self, Self, Self, Self, Self, Self, Self},
	ActVoteResults:      {Pub, All, Pub, Pub, All, All, Pub, Pub},
	ActSurveyAnswer:     {No, Self, Self, Self, Self, Self, Self, Self},
	ActSurveyResults:    {Pub, All, All, Pub, All, All, Loc, Pub},
	ActSurveyManage:     {No, No, All, No, All, No, No, No},
	ActPeopleView:       {No, All, No, No, All, No, No, No},
	ActPeopleAdmin:      {No, All, No, No, No, No, No, No},
	ActAuditView:        {No, All, No, No, No, No, No, No},
	ActMailOutbox:       {No, All, No, No, No, No, No, No},
	ActMailLink:         {All, All, All, All, All, All, All, All},
	ActMailSubscribe:    {All, All, All, All, All, All, All, All},
}

// Levels of figures, as the variation capability names them.
const (
	LevelPractice = "practice"
	LevelLocality = "locality"
	LevelCCG      = "ccg"
	LevelEngland  = "england"
)

// openSources are the data sources published openly by their owners for
// every practice: prescribing (the English Prescribing Dataset, published
// by the NHS Business Services Authority). Every other source (referrals
// from the CCG's own e-RS and SUS extracts) is public only at CCG and
// England level.
var openSources = map[string]bool{"prescribing": true}

// FiguresAction returns the action that guards figures of a data source
// ("prescribing", "referrals") at a level ("practice", "locality", "ccg",
// "england"): ActAnalyticsView (published to everybody) for open data and
// for CCG and England figures, otherwise ActLocalFigures, asked about the
// practice or locality concerned (FiguresResource). An unknown source or
// level is treated as not open.
func FiguresAction(source, level string) Action {
	if openSources[source] || level == LevelCCG || level == LevelEngland {
		return ActAnalyticsView
	}
	return ActLocalFigures
}

// FiguresResource returns the resource that FiguresAction's answer is asked
// about: figures of org at level (org "" means every organisation of the
// level, which only the widest scopes allow).
func FiguresResource(source, level, org string) Resource {
	r := Resource{Kind: "figures", ID: source + ":" + level + ":" + org}
	if FiguresAction(source, level) == ActAnalyticsView {
		r.Published = true
		return r
	}
	switch level {
	case LevelPractice:
		r.Practice = org
	case LevelLocality:
		r.Locality = org
	}
	return r
}

// Actions returns every action in the policy, sorted.
func Actions() []Action {
	out := make([]Action, 0, len(policy))
	for a := range policy {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Known reports whether a is in the policy table.
func Known(a Action) bool { _, ok := policy[a]; return ok }

// ScopeOf returns the scope the policy table gives role on action.
func ScopeOf(a Action, role Role) Scope {
	row, ok := policy[a]
	if !ok {
		return No
	}
	for i, r := range roleCols {
		if r == role {
			return row[i]
		}
	}
	return No
}

// Can reports whether p may do a to r. A nil or disabled person is the
// anonymous public. Unknown actions are denied. This is the only place where
// rights are decided.
func Can(p *Person, a Action, r Resource) bool {
	row, ok := policy[a]
	if !ok {
		return false
	}
	for i, role := range roleCols {
		if row[i] == No || !p.Has(role) {
			continue
		}
		if row[i].allows(p, r) {
			return true
		}
	}
	return false
}

// Allowed reports whether p may do a to at least some resource; pages use it
// to decide which links to show. It does not replace Can.
func Allowed(p *Person, a Action) bool {
	row, ok := policy[a]
	if !ok {
		return false
	}
	for i, role := range roleCols {
		if row[i] != No && p.Has(role) && (row[i] < Self || row[i] > Body || p.SignedIn()) {
			return true
		}
	}
	return false
}

func (s Scope) allows(p *Person, r Resource) bool {
	switch s {
	case All:
		return true
	case User:
		return p.SignedIn()
	case Pub:
		return r.Published
	case Self:
		return p.SignedIn() && r.Owner == p.ID
	case Prac:
		return p.SignedIn() && (p.WorksAt(r.Practice) || r.Published)
	case Loc:
		return p.SignedIn() && (p.WorksAt(r.Practice) || p.InLocality(r.Locality) || r.Published)
	case Body:
		return p.SignedIn() && (r.Published || (r.Body != "" && slices.Contains(p.Bodies, r.Body)))
	}
	return false
}

// Authorize returns nil when p may do a to r, and otherwise an error
// wrapping errs.ErrUnauthenticated (nobody is signed in) or errs.ErrForbidden.
func Authorize(p *Person, a Action, r Resource) error {
	if Can(p, a, r) {
		return nil
	}
	if !p.SignedIn() {
		return fmt.Errorf("%s: %w", a, errUnauth)
	}
	return fmt.Errorf("%s: %w", a, errForbidden)
}

// PolicyRow is one row of the policy table, for documentation pages.
type PolicyRow struct {
	Action Action          `json:"action"`
	Scopes map[Role]string `json:"scopes"`
}

// Policy returns the policy table, sorted by action.
func Policy() []PolicyRow {
	var out []PolicyRow
	for _, a := range Actions() {
		row := PolicyRow{Action: a, Scopes: map[Role]string{}}
		for i, r := range roleCols {
			row.Scopes[r] = policy[a][i].String()
		}
		out = append(out, row)
	}
	return out
}

// TableRoles returns the roles in the policy table's column order,
// RolePublic first.
func TableRoles() []Role { return roleCols[:] }
