// Package web serves ccg's pages and its JSON API over net/http.
//
// Conventions, so that every capability's pages look and behave alike:
//
//   - ONE route table (routes.go). Each entry has a method and pattern, an
//     Action name (for the access policy), and a handler. A page handler is
//     written once as a View, func(*http.Request) (any, error), returning a
//     view model; the table registers it twice, as an HTML page rendered with
//     a template and as its JSON twin under /api/v1/.
//   - Every route passes through ONE wrapper (Server.wrap): it calls
//     Server.authorize, sets the security headers (a strict
//     Content-Security-Policy: no inline script or style anywhere), recovers
//     panics and logs the request with slog.
//   - Errors map to HTTP status in ONE place (errors.go): errs.ErrNotFound is
//     404, ErrInvalid 400, and so on; HTML gets an NHS-style error page and
//     the API {"error": {"status": ..., "message": ...}}.
//   - Templates are embedded and ALL parsed by New, which fails if one is
//     missing or broken: templates/layout.html is the page shell,
//     templates/partials/*.html are shared by every page, and each
//     templates/<domain>/<page>.html is one page, named "<domain>/<page>",
//     defining "title", "content" and optionally "breadcrumbs".
//   - Charts come from package chart (server-side SVG with a table
//     alternative); glossary terms link with {{term "CCG"}}.
//   - The NHS.UK frontend's built CSS and JS are embedded from static/
//     (refreshed by `make assets`), served under /static/ with cache headers.
package web

import (
	"ccg/internal/engagement"
	"ccg/internal/finance"
	"ccg/internal/governance"
	"ccg/internal/mail"
	"ccg/internal/variation"
	"net/netip"

	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/importing"
	"ccg/internal/oidc"
	"ccg/internal/registry"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are the services the web layer needs. Later capabilities add their
// own services here.
type Deps struct {
	// Registry answers questions about organisations. Required.
	Registry *registry.Service
	// Imports reports import runs. Required.
	Imports *importing.Service
	// Access knows who is signed in and keeps the audit log; nil serves
	// everybody as the anonymous public.
	Access *access.Service
	// Variation, Governance, Engagement and Finance are the capabilities;
	// each one's pages are served only when it is set.
	Variation  *variation.Service
	Governance *governance.Service
	Engagement *engagement.Service
	Finance    *finance.Service
	// Mail is the e-mail outbox, preferences and alert subscriptions; its
	// pages are served only when it is set. Surveys opens survey waves by
	// e-mail.
	Mail    *mail.Service
	Surveys SurveyMail
	// OIDC, when set, offers sign-in through the CCG's identity provider.
	OIDC *oidc.Client
	// Logger receives one line per request and every server error; nil
	// means slog.Default().
	Logger *slog.Logger
	// Version is shown in the footer and the API root.
	Version string
	// TrustedProxies are the proxies whose X-Forwarded-For (the caller's
	// address, for throttling and the audit log) and X-Forwarded-Proto
	// (HSTS) are believed; none by default.
	TrustedProxies []netip.Prefix
}

// Server is ccg's web server. Create it with New.
type Server struct {
	deps   Deps
	log    *slog.Logger
	pages  map[string]*pageTemplate
	static *staticFiles
	mux    *http.ServeMux
	// linkMux routes a link's address to its route's authorisation (see
	// links.go).
	linkMux *http.ServeMux
	nav     []navItem
	// today is the date that "as at" pages default to; tests replace it.
	today func() calendar.Date
	// policy, when set, replaces authorize's answer (tests set it to watch
	// what the access policy is asked).
	policy func(r *http.Request, action Action, resource Resource) error
}

// New builds the server: it parses every embedded template and checks that
// each route's template exists, so that a missing or broken template stops
// start-up with a clear error instead of failing a request later.
func New(d Deps) (*Server, error) {
	return newServer(d, templateFS, staticFS)
}

// newServer builds a server from the given template and static file systems
// (tests pass broken ones).
func newServer(d Deps, templates, static fs.FS) (*Server, error) {
	if d.Registry == nil {
		return nil, errors.New("web: Deps.Registry is required")
	}
	if d.Imports == nil {
		return nil, errors.New("web: Deps.Imports is required")
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Version == "" {
		d.Version = "dev"
	}
	s := &Server{deps: d, log: d.Logger, today: calendar.Today, nav: navigation}
	var err error
	if s.static, err = loadStatic(static); err != nil {
		return nil, err
	}
	if s.pages, err = s.parseTemplates(templates); err != nil {
		return nil, err
	}
	s.mux = http.NewServeMux()
	if err := s.register(s.routes()); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler returns the http.Handler that serves every page, the API and the
// static files.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// serveHTTP sends requests that no route matches to the error pages, so
// that a person who mistypes an address gets a page they can use.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.unmatched(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// register adds every route to the mux, each through the wrapper, and its
// JSON twin when it has one.
func (s *Server) register(routes []route) error {
	s.linkMux = http.NewServeMux()
	seen := map[string]bool{}
	for _, rt := range routes {
		if err := rt.check(s.pages); err != nil {
			return err
		}
		add := func(pattern string, api bool, h handlerFunc) error {
			key := rt.Method + " " + pattern
			if seen[key] {
				return fmt.Errorf("web: route %s is registered twice", key)
			}
			seen[key] = true
			s.mux.Handle(key, s.wrap(rt, api, h))
			if rt.Method == http.MethodGet {
				s.linkMux.Handle(key, linkProbe{s: s, rt: rt})
			}
			return nil
		}
		var err error
		switch {
		case rt.View != nil:
			if err = add(rt.Path, false, s.htmlHandler(rt)); err == nil && rt.API != "" {
				err = add(rt.API, true, s.jsonHandler(rt))
			}
		case rt.Table != nil:
			err = add(rt.Path, false, s.csvHandler(rt))
		default:
			err = add(rt.Path, isAPIPath(rt.Path), rt.Raw)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
