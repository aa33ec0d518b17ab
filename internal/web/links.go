package web

import (
	"context"
	"net/http"
	"net/url"
)

// Links are shown only to those who may follow them: a page asks May (the
// template's {{if $.May "/path"}}) before showing a link, and May asks the
// one access policy the same question the link's route will ask, through
// the same route table. So a link and its page can never disagree.

// linkProbe is what linkMux routes to: it answers, for the request it is
// given, whether the route's authorisation lets it through.
type linkProbe struct {
	s  *Server
	rt route
}

// probeResult carries a probe's answer back to mayFollow.
type probeResult struct{ allowed bool }

func (p linkProbe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	res, _ := r.Context().Value(probeKey{}).(*probeResult)
	if res == nil {
		return
	}
	res.allowed = p.s.authorizeRoute(r, p.rt) == nil
}

type probeKey struct{}

// mayFollow reports whether the person making r may follow a link to href
// (a same-site path with an optional query). An address no route serves
// answers false; one on another site answers true.
func (s *Server) mayFollow(r *http.Request, href string) bool {
	u, err := url.Parse(href)
	if err != nil {
		return false
	}
	if u.IsAbs() || u.Host != "" {
		return true
	}
	if s == nil || s.linkMux == nil || r == nil {
		return false
	}
	res := &probeResult{}
	ctx := context.WithValue(r.Context(), probeKey{}, res)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.RequestURI(), nil)
	if err != nil {
		return false
	}
	req.RemoteAddr = r.RemoteAddr
	if _, pattern := s.linkMux.Handler(req); pattern == "" {
		return false
	}
	s.linkMux.ServeHTTP(discard{}, req)
	return res.allowed
}

// discard is a ResponseWriter that keeps nothing (probes write nothing).
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// May reports whether the person viewing the page may follow a link to
// href; templates ask it before showing a link: {{if $.May "/path"}}.
func (p page) May(href string) bool { return p.srv.mayFollow(p.req, href) }
