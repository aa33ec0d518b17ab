package web

import (
	"fmt"
	"net/http"
	"strings"

	"ccg/internal/access"
	"ccg/internal/chart"
)

// Action names what a request does, for the access policy
// (Server.authorize): "<domain>.<verb>". Each capability adds its own, and a
// row for it in the policy table (internal/access/policy.go).
type Action = access.Action

// The actions of the pages in this file.
const (
	ActionHome           Action = "home.view"
	ActionRegistrySearch Action = "registry.search"
	ActionRegistryView   Action = "registry.view"
	ActionImportsView    Action = "imports.view"
	ActionGlossaryView   Action = "glossary.view"
	ActionHealth         Action = "site.health"
	ActionStatic         Action = "site.static"
	// ActionMissing is the action of a request that no route matches.
	ActionMissing Action = "site.missing"
)

// Resource names the thing a request acts on, for the access policy: a kind
// ("organisation", "import") and an identifier. The zero Resource means the
// request acts on no one thing (a search, a list).
//
// It is access.Resource: a route may also fill in Practice, Locality,
// Body, Owner and Published for the policy.
type Resource = access.Resource

// View is a page handler written once: it reads the request and returns the
// view model, which the route table renders both as an HTML page (with the
// route's template) and as JSON (its API twin).
type View func(r *http.Request) (any, error)

// TableFunc is a handler for a CSV download: it returns a file name and the
// table to write (usually a chart's table alternative, so that the download
// and the page agree).
type TableFunc func(r *http.Request) (filename string, t chart.Table, err error)

// handlerFunc writes a response or returns an error for the wrapper to
// turn into an error page or JSON error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// route is one entry in the route table.
type route struct {
	// Method is the HTTP method ("GET"); GET routes answer HEAD too.
	Method string
	// Path is the ServeMux pattern of the HTML page (or the CSV, or the raw
	// handler), with {wildcards}.
	Path string
	// API is the pattern of the page's JSON twin under /api/v1/, with the
	// same wildcards; "" for none.
	API string
	// Action is what the access policy is asked about.
	Action Action
	// Resource picks the resource out of the request; nil means none.
	Resource func(r *http.Request) Resource
	// Figures, when set, names the figures the request reads (data source,
	// level and organisation, from its path and query): the wrapper then
	// also asks the policy about them (access.FiguresAction), so that every
	// route and query parameter that shows the same figures gets one answer.
	Figures func(r *http.Request) (source, level, org string)
	// Page is the template of the HTML page ("registry/organisation").
	Page string
	// Exactly one of View, Table and Raw is set.
	View  View
	Table TableFunc
	Raw   handlerFunc
}

// check reports a route that is set up wrongly, or whose template is missing.
func (rt route) check(pages map[string]*pageTemplate) error {
	name := rt.Method + " " + rt.Path
	set := 0
	for _, ok := range []bool{rt.View != nil, rt.Table != nil, rt.Raw != nil} {
		if ok {
			set++
		}
	}
	switch {
	case rt.Method == "" || !strings.HasPrefix(rt.Path, "/"):
		return fmt.Errorf("web: route %q needs a method and a path", name)
	case rt.Action == "":
		return fmt.Errorf("web: route %s has no action", name)
	case set != 1:
		return fmt.Errorf("web: route %s must have exactly one of View, Table and Raw", name)
	case rt.View != nil && rt.Page == "":
		return fmt.Errorf("web: route %s has a View but no Page template", name)
	case rt.API != "" && !strings.HasPrefix(rt.API, apiPrefix+"/"):
		return fmt.Errorf("web: route %s: its JSON twin %q must be under %s/", name, rt.API, apiPrefix)
	}
	if rt.Page != "" {
		if _, ok := pages[rt.Page]; !ok {
			return fmt.Errorf("web: route %s uses template %q, which is missing (want templates/%s.html)", name, rt.Page, rt.Page)
		}
	}
	return nil
}

// apiPrefix starts every JSON address.
const apiPrefix = "/api/v1"

func isAPIPath(p string) bool { return p == apiPrefix || strings.HasPrefix(p, apiPrefix+"/") }

// pathResource returns a Resource func naming the {wildcard} of the path.
func pathResource(kind, wildcard string) func(r *http.Request) Resource {
	return func(r *http.Request) Resource { return Resource{Kind: kind, ID: r.PathValue(wildcard)} }
}

// navItem is one link in the header navigation.
type navItem struct {
	Label string
	Href  string
	// Prefixes are the paths under which the item is the current one.
	Prefixes []string
	// Action, when set, shows the item only to those the policy allows it.
	Action Action
}

// navigation is the header menu, in order. Capabilities add their item here.
var navigation = []navItem{
	{Label: "Home", Href: "/", Prefixes: []string{"/"}},
	{Label: "Organisations", Href: "/search", Prefixes: []string{"/search", "/organisations"}},
	{Label: "Prescribing", Href: "/prescribing", Prefixes: []string{"/prescribing"}},
	{Label: "Governance", Href: "/governance", Prefixes: []string{"/governance"}},
	{Label: "Have your say", Href: "/have-your-say", Prefixes: []string{"/have-your-say", "/consultations", "/questions", "/surveys", "/survey"}},
	{Label: "Imports", Href: "/imports", Prefixes: []string{"/imports"}, Action: ActionImportsView},
	{Label: "Money", Href: "/finance", Prefixes: []string{"/finance"}},
	{Label: "Glossary", Href: "/glossary", Prefixes: []string{"/glossary"}},
}

// routes is THE route table. To add a page: write a View in
// internal/web/<domain>.go, a template templates/<domain>/<page>.html, an
// Action constant, and one line here with both Path and API.
func (s *Server) routes() []route {
	rs := s.coreRoutes()
	// Each capability keeps its routes in its own file.
	rs = append(rs, s.variationRoutes()...)
	rs = append(rs, s.governanceRoutes()...)
	rs = append(rs, s.engagementRoutes()...)
	rs = append(rs, s.financeRoutes()...)
	rs = append(rs, s.mailRoutes()...)
	return rs
}

// coreRoutes are the registry, imports, glossary, people and site routes.
func (s *Server) coreRoutes() []route {
	org := pathResource("organisation", "code")
	person := pathResource("person", "email")
	return []route{
		// Home and search
		{Method: "GET", Path: "/{$}", API: apiPrefix + "/{$}", Action: ActionHome, Page: "home/home", View: s.homeView},
		{Method: "GET", Path: "/search", API: apiPrefix + "/organisations", Action: ActionRegistrySearch, Page: "registry/search", View: s.searchView},

		// Organisations
		{Method: "GET", Path: "/organisations/{code}", API: apiPrefix + "/organisations/{code}", Action: ActionRegistryView, Resource: org,
			Page: "registry/organisation", View: s.organisationView},
		{Method: "GET", Path: "/organisations/{code}/list-size-pyramid.csv", Action: ActionRegistryView, Resource: org, Table: s.pyramidCSV},
		{Method: "GET", Path: "/organisations/{code}/list-size-trend.csv", Action: ActionRegistryView, Resource: org, Table: s.trendCSV},
		{Method: "GET", Path: "/organisations/{code}/members.csv", Action: ActionRegistryView, Resource: org, Table: s.membersCSV},

		// Imports
		{Method: "GET", Path: "/imports", API: apiPrefix + "/imports", Action: ActionImportsView, Page: "imports/list", View: s.importsView},
		{Method: "GET", Path: "/imports/{id}", API: apiPrefix + "/imports/{id}", Action: ActionImportsView, Resource: pathResource("import", "id"),
			Page: "imports/run", View: s.importView},

		// Glossary
		{Method: "GET", Path: "/glossary", API: apiPrefix + "/glossary", Action: ActionGlossaryView, Page: "glossary/glossary", View: s.glossaryView},

		// People, sign-in and security (handlers in access_pages.go and auth_oidc.go)
		{Method: "GET", Path: "/login", Action: access.ActSignIn, Page: "access/login", View: s.loginView},
		{Method: "POST", Path: "/login", Action: access.ActSignIn, Raw: s.loginPost},
		{Method: "POST", Path: "/logout", Action: access.ActSignIn, Raw: s.logoutPost},
		{Method: "GET", Path: "/account", API: apiPrefix + "/account", Action: access.ActAccount, Page: "access/account", View: s.accountView},
		{Method: "POST", Path: "/account/password", Action: access.ActAccount, Page: "access/done", View: s.passwordView},
		{Method: "POST", Path: "/account/tokens", API: apiPrefix + "/account/tokens", Action: access.ActAccount, Page: "access/secret", View: s.tokenCreateView},
		{Method: "POST", Path: "/account/tokens/{id}/revoke", API: apiPrefix + "/account/tokens/{id}/revoke", Action: access.ActAccount, Page: "access/done", View: s.tokenRevokeView},
		{Method: "GET", Path: "/admin/people", API: apiPrefix + "/people", Action: access.ActPeopleView, Page: "access/people", View: s.peopleView},
		{Method: "POST", Path: "/admin/people", API: apiPrefix + "/people", Action: access.ActPeopleAdmin, Page: "access/secret", View: s.personAddView},
		{Method: "POST", Path: "/admin/people/import", API: apiPrefix + "/people/import", Action: access.ActPeopleAdmin, Page: "access/import", View: s.staffImportView},
		{Method: "POST", Path: "/admin/people/{email}/disable", API: apiPrefix + "/people/{email}/disable", Action: access.ActPeopleAdmin, Resource: person, Page: "access/done", View: s.disableView(true)},
		{Method: "POST", Path: "/admin/people/{email}/enable", API: apiPrefix + "/people/{email}/enable", Action: access.ActPeopleAdmin, Resource: person, Page: "access/done", View: s.disableView(false)},
		{Method: "POST", Path: "/admin/people/{email}/reset-password", API: apiPrefix + "/people/{email}/reset-password", Action: access.ActPeopleAdmin, Resource: person, Page: "access/secret", View: s.resetView},
		{Method: "GET", Path: "/admin/audit", API: apiPrefix + "/audit", Action: access.ActAuditView, Page: "access/audit", View: s.auditView},
		{Method: "GET", Path: "/policy", API: apiPrefix + "/policy", Action: access.ActPublicView, Page: "access/policy", View: s.policyView},
		{Method: "GET", Path: "/auth/oidc/login", Action: access.ActSignIn, Raw: s.oidcLogin},
		{Method: "GET", Path: "/auth/oidc/callback", Action: access.ActSignIn, Raw: s.oidcCallback},
		// Site
		{Method: "GET", Path: "/healthz", Action: ActionHealth, Raw: s.health},
		{Method: "GET", Path: apiPrefix + "/healthz", Action: ActionHealth, Raw: s.healthJSON},
		{Method: "GET", Path: "/static/{path...}", Action: ActionStatic, Raw: s.serveStatic},
		{Method: "GET", Path: "/favicon.ico", Action: ActionStatic, Raw: s.serveFavicon},
	}
}
