package web

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
)

// contentSecurityPolicy allows nothing from other hosts, no inline script
// and no inline style (charts use SVG presentation attributes and classes),
// and no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
}

// authorize decides whether the request may perform action on resource. It
// returns nil to allow, or an error wrapping errs.ErrUnauthenticated (sign
// in first) or errs.ErrForbidden. It asks the ONE access policy, access.Can
// (see authorizeAccess in auth.go, which also checks the anti-forgery token).
func (s *Server) authorize(r *http.Request, action Action, resource Resource) error {
	if s.policy != nil {
		return s.policy(r, action, resource)
	}
	return s.authorizeAccess(r, action, resource)
}

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

// WriteHeader records the first status written.
func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write counts the bytes written (and implies a 200 status).
func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requestIDKey is the header that carries a request's id (also shown on
// error pages so a person can quote it).
const requestIDKey = "X-Request-Id"

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// wrap is the ONE wrapper every route passes through: it sets the security
// headers, recovers panics, asks authorize, runs the handler, maps its error
// to a response, and logs the request.
func (s *Server) wrap(rt route, api bool, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		rec := &recorder{ResponseWriter: w}
		securityHeaders(rec.Header())
		if s.overTLS(r) {
			rec.Header().Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		rec.Header().Set(requestIDKey, id)
		r.Header.Set(requestIDKey, id)
		r = s.identify(rec, r)
		if personFrom(r).SignedIn() || r.URL.Query().Has("token") || !safeMethod(r.Method) {
			// Personal pages (and a survey link's) are never kept by
			// browsers or proxies; handlers of public files may say otherwise.
			rec.Header().Set("Cache-Control", "no-store")
		}

		var handlerErr error
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic", "request_id", id, "method", r.Method, "path", r.URL.Path,
					"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				handlerErr = fmt.Errorf("panic: %v", p)
				if rec.status == 0 {
					s.fail(rec, r, api, handlerErr)
				}
			}
			s.logRequest(r, rt, rec, start, id, handlerErr)
		}()

		if err := s.authorizeRoute(r, rt); err != nil {
			handlerErr = err
			s.fail(rec, r, api, err)
			return
		}
		if err := h(rec, r); err != nil {
			handlerErr = err
			if rec.status != 0 {
				return // too late to send an error page; the log says what happened
			}
			s.fail(rec, r, api, err)
		}
	})
}

// logRequest writes one line per request: server errors at Error, static
// files and health checks at Debug, the rest at Info.
func (s *Server) logRequest(r *http.Request, rt route, rec *recorder, start time.Time, id string, err error) {
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	level := slog.LevelInfo
	switch {
	case status >= 500:
		level = slog.LevelError
	case rt.Action == ActionStatic || rt.Action == ActionHealth:
		level = slog.LevelDebug
	}
	attrs := []any{
		"method", r.Method, "path", r.URL.Path, "status", status, "bytes", rec.bytes,
		"duration_ms", float64(time.Since(start).Microseconds()) / 1000, "action", string(rt.Action), "request_id", id,
	}
	if err != nil {
		attrs = append(attrs, "error", err.Error())
	}
	s.log.Log(r.Context(), level, "request", attrs...)
}

// htmlHandler renders a View's model with the route's template.
func (s *Server) htmlHandler(rt route) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		vm, err := rt.View(r)
		if err != nil {
			return err
		}
		if red, ok := vm.(Redirect); ok {
			http.Redirect(w, r, red.To, http.StatusSeeOther)
			return nil
		}
		return s.render(w, r, http.StatusOK, rt.Page, vm, apiTwin(rt, r))
	}
}

// Redirect is a view model that sends the browser on (after a form post);
// its JSON twin returns it as {"location": ...}.
type Redirect struct {
	To string `json:"location"`
}

// apiTwin returns the address of the page's JSON twin for this request.
func apiTwin(rt route, r *http.Request) string {
	if rt.API == "" {
		return ""
	}
	p := strings.TrimSuffix(rt.API, "{$}")
	for {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(p[i:], '}')
		if j < 0 {
			break
		}
		name := strings.TrimSuffix(p[i+1:i+j], "...")
		p = p[:i] + escapePathValue(r.PathValue(name)) + p[i+j+1:]
	}
	if r.URL.RawQuery != "" {
		p += "?" + r.URL.RawQuery
	}
	return p
}

func escapePathValue(v string) string {
	return strings.NewReplacer("/", "%2F", "?", "%3F", "#", "%23", "%", "%25").Replace(v)
}

// jsonHandler writes a View's model as JSON.
func (s *Server) jsonHandler(rt route) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		vm, err := rt.View(r)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, vm)
	}
}

// writeJSON encodes v into a buffer first, so that an encoding failure can
// still become a clean error response.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("web: encode JSON: %w", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// csvHandler writes a TableFunc's table as a CSV download.
func (s *Server) csvHandler(rt route) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name, t, err := rt.Table(r)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := t.WriteCSV(&buf); err != nil {
			return fmt.Errorf("web: write CSV: %w", err)
		}
		setDownload(w.Header(), name)
		_, err = w.Write(buf.Bytes())
		return err
	}
}

// maxFileName is the longest download name sent (parts of it come from the
// request, such as an organisation code).
const maxFileName = 80

// setDownload sets the headers of a CSV download: its type, a file name of
// safe characters only and at most maxFileName long (keeping ".csv"), and
// Cache-Control: no-store (downloads may hold what only the reader may see).
func setDownload(h http.Header, name string) {
	name = strings.Map(safeFileRune, name)
	if len(name) > maxFileName {
		ext := ""
		if i := strings.LastIndexByte(name, '.'); i >= 0 && len(name)-i <= 5 {
			ext = name[i:]
		}
		name = name[:maxFileName-len(ext)] + ext
	}
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	h.Set("Cache-Control", "no-store")
}

// safeFileRune keeps letters, digits and a few marks in download names.
func safeFileRune(r rune) rune {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		return r
	}
	return '-'
}

// unmatched answers a request that no route matches: 404, or 405 when the
// path exists for other methods, through the same wrapper as every route.
func (s *Server) unmatched(w http.ResponseWriter, r *http.Request) {
	h, _ := s.mux.Handler(r)
	probe := &headerProbe{header: http.Header{}}
	h.ServeHTTP(probe, r)
	status := probe.status
	if status == 0 {
		status = http.StatusNotFound
	}
	rt := route{Method: r.Method, Path: r.URL.Path, Action: ActionMissing}
	s.wrap(rt, isAPIPath(r.URL.Path), func(w http.ResponseWriter, r *http.Request) error {
		if status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", probe.header.Get("Allow"))
			return statusError(status, "This address does not accept "+r.Method+" requests.")
		}
		return notFound("There is no page at %s.", r.URL.Path)
	}).ServeHTTP(w, r)
}

// headerProbe captures what the mux's own not-found handler would send.
type headerProbe struct {
	header http.Header
	status int
}

// Header returns the captured headers.
func (p *headerProbe) Header() http.Header { return p.header }

// Write discards the body.
func (p *headerProbe) Write(b []byte) (int, error) { return len(b), nil }

// WriteHeader captures the status.
func (p *headerProbe) WriteHeader(code int) { p.status = code }

// health answers load balancers: 200 "ok" (JSON when asked for it).
func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		return s.healthJSON(w, r)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write([]byte("ok\n"))
	return err
}

// healthJSON is the JSON health check.
func (s *Server) healthJSON(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// authorizeRoute asks the policy everything a route asks before its handler
// runs: its action on its resource, then, for routes that read figures, the
// figures the request names (source, level, organisation). Links ask the
// same through mayFollow, so a link and its page never disagree.
func (s *Server) authorizeRoute(r *http.Request, rt route) error {
	var res Resource
	if rt.Resource != nil {
		res = rt.Resource(r)
	}
	if err := s.authorize(r, rt.Action, res); err != nil {
		return err
	}
	if rt.Figures != nil {
		source, level, org := rt.Figures(r)
		return s.authorizeFigures(r, source, level, org)
	}
	return nil
}
