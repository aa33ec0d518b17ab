package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"ccg/internal/access"
	"ccg/internal/errs"
	"ccg/internal/registry"
)

// Cookie names. The session cookie holds the session's secret ID (the store
// keeps only its hash); the pre-session cookie carries the anti-forgery
// token of a browser that is not signed in (for the sign-in form).
const (
	sessionCookie = "ccg_session"
	csrfCookie    = "ccg_csrf"
	// csrfField is the form field (and csrfHeader the header) that must
	// carry the anti-forgery token on every state-changing request.
	csrfField  = "csrf_token"
	csrfHeader = "X-CSRF-Token"
	// maxFormBytes bounds every request body; upload handlers set their own,
	// smaller or larger, limit first.
	maxFormBytes = 12 << 20
)

// who is what the wrapper learnt about the caller, carried in the context.
type who struct {
	person  *access.Person
	session access.Session
	bearer  bool   // authenticated by an API token: no CSRF, no cookies
	csrf    string // the token forms must carry
	badAuth error  // a Bearer token that did not work
}

type whoKey struct{}

func whoFrom(r *http.Request) *who {
	if w, ok := r.Context().Value(whoKey{}).(*who); ok {
		return w
	}
	return &who{}
}

// personFrom returns the signed-in person, or nil for the public.
func personFrom(r *http.Request) *access.Person { return whoFrom(r).person }

// csrfFor returns the anti-forgery token to put in forms on this page.
func csrfFor(r *http.Request) string { return whoFrom(r).csrf }

// clientIP is the address of the caller: the request's remote address, or,
// when that is a trusted proxy (Deps.TrustedProxies), the nearest address
// in X-Forwarded-For that is not a trusted proxy. Forwarded addresses from
// anybody else are ignored (anyone can write the header).
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	remote, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(remote) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed hop: trust nothing beyond it
		}
		if !s.trusted(a) {
			return a.Unmap().String()
		}
	}
	return host
}

// trusted reports whether a is one of Deps.TrustedProxies.
func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.deps.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// overTLS reports whether the request reached us over TLS: directly, or
// through a trusted proxy that says so (X-Forwarded-Proto: https).
func (s *Server) overTLS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err == nil && s.trusted(a) && strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}

// secureRequest reports whether cookies should be marked Secure: the
// request came over TLS, or through a proxy that says it did.
func secureRequest(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// identify works out who is calling, from an "Authorization: Bearer" API
// token or the session cookie, and returns the request carrying it. For a
// browser that is not signed in it sets the pre-session anti-forgery cookie.
func (s *Server) identify(w http.ResponseWriter, r *http.Request) *http.Request {
	wh := &who{}
	ctx := access.WithClientIP(r.Context(), s.clientIP(r))
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	}
	acc := s.deps.Access
	if auth := r.Header.Get("Authorization"); auth != "" && acc != nil {
		tok, ok := strings.CutPrefix(auth, "Bearer ")
		wh.bearer = true
		if !ok {
			wh.badAuth = fmt.Errorf("web: the Authorization header must be \"Bearer TOKEN\": %w", errs.ErrUnauthenticated)
		} else if p, err := acc.TokenPerson(ctx, strings.TrimSpace(tok)); err != nil {
			wh.badAuth = err
		} else {
			wh.person = p
		}
	} else if c, err := r.Cookie(sessionCookie); err == nil && acc != nil {
		if p, sess, err := acc.SessionPerson(ctx, c.Value); err == nil {
			wh.person, wh.session, wh.csrf = p, sess, sess.CSRF
		} else {
			clearCookie(w, r, sessionCookie)
		}
	}
	if wh.person == nil && !wh.bearer {
		if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 && len(c.Value) <= 64 {
			wh.csrf = c.Value
		} else {
			wh.csrf = randomToken()
			http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: wh.csrf, Path: "/", HttpOnly: true,
				SameSite: http.SameSiteLaxMode, Secure: secureRequest(r)})
		}
	}
	if wh.person != nil {
		ctx = access.WithActor(ctx, wh.person)
	}
	ctx = context.WithValue(ctx, whoKey{}, wh)
	return r.WithContext(ctx)
}

func clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: secureRequest(r)})
}

// safeMethod reports whether a request cannot change anything.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// errCSRF is a failed anti-forgery check.
var errCSRF = &publicError{status: http.StatusForbidden,
	msg: "This form has expired or did not come from this site. Go back, reload the page and try again.", err: errs.ErrForbidden}

// checkCSRF refuses a state-changing browser request that does not carry
// the page's anti-forgery token, or that another site sent.
func checkCSRF(r *http.Request) error {
	wh := whoFrom(r)
	if safeMethod(r.Method) || wh.bearer {
		return nil
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" {
		return errCSRF
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		if u, err := url.Parse(o); err != nil || u.Host != r.Host {
			return errCSRF
		}
	}
	got := r.Header.Get(csrfHeader)
	if got == "" {
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			if err := r.ParseMultipartForm(1 << 20); err != nil {
				return invalid("The upload could not be read (is it larger than %d MB?).", maxFormBytes>>20)
			}
		}
		got = r.PostFormValue(csrfField)
	}
	if wh.csrf == "" || subtle.ConstantTimeCompare([]byte(got), []byte(wh.csrf)) != 1 {
		return errCSRF
	}
	return nil
}

// authorizeAccess is the body of Server.authorize: a Bearer token that did
// not work is refused, the anti-forgery token is checked on every
// state-changing request, and then the ONE policy, access.Can, decides.
func (s *Server) authorizeAccess(r *http.Request, action Action, res Resource) error {
	wh := whoFrom(r)
	if wh.badAuth != nil {
		return wh.badAuth
	}
	// A request that no route matches changes nothing: let it reach its
	// 404 or 405 answer.
	// The one-click unsubscribe (RFC 8058) is posted by mail programs,
	// which hold no session: the secret in its address authorises it.
	if action != ActionMissing && action != access.ActMailLink {
		if err := checkCSRF(r); err != nil {
			return err
		}
	}
	if err := access.Authorize(wh.person, action, s.resolveResource(r, res)); err != nil {
		return fmt.Errorf("web: %s %s: %w", r.Method, r.URL.Path, err)
	}
	return nil
}

// resolveResource fills in what the policy needs to know about a practice
// resource (its locality) when the route only named it.
func (s *Server) resolveResource(r *http.Request, res Resource) Resource {
	if res.Kind == "practice" && res.Practice == "" {
		res.Practice = res.ID
	}
	if res.Practice != "" && res.Locality == "" && s.deps.Registry != nil {
		if o, err := s.deps.Registry.ParentOn(r.Context(), res.Practice, registry.RelInLocality, s.today()); err == nil {
			res.Locality = o.Code
		}
	}
	return res
}

// isUnauthenticated reports whether err asks the caller to sign in.
func isUnauthenticated(err error) bool { return errors.Is(err, errs.ErrUnauthenticated) }
