package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"ccg/internal/errs"
	"ccg/internal/importing"
)

// publicError carries a message written for the person using the service,
// alongside the sentinel (or status) that decides the HTTP status.
type publicError struct {
	status int // 0: decided by err
	msg    string
	err    error
}

// Error returns the message for people.
func (e *publicError) Error() string { return e.msg }

// Unwrap returns the sentinel that decides the status.
func (e *publicError) Unwrap() error { return e.err }

// notFound returns an errs.ErrNotFound whose message a person may read:
// say what was not found ("There is no organisation with the code X1.").
func notFound(format string, args ...any) error {
	return &publicError{msg: fmt.Sprintf(format, args...), err: errs.ErrNotFound}
}

// invalid returns an errs.ErrInvalid whose message says what to change
// ("Enter a date like 2019-04-01.").
func invalid(format string, args ...any) error {
	return &publicError{msg: fmt.Sprintf(format, args...), err: errs.ErrInvalid}
}

// statusError returns an error with an explicit status and message.
func statusError(status int, msg string) error {
	return &publicError{status: status, msg: msg, err: errors.New(http.StatusText(status))}
}

// errorView is what the error page and the JSON error show.
type errorView struct {
	Status    int    `json:"status"`
	Title     string `json:"-"`
	Message   string `json:"message"`
	RequestID string `json:"request_id,omitempty"`
	// Search offers the organisation search (on "not found" pages).
	Search bool `json:"-"`
}

// classify maps an error to a status and a message that is safe to show:
// the ONE place errors become HTTP statuses.
func classify(err error) (status int, msg string) {
	var pe *publicError
	var fileErr *importing.FileError
	hasPublic := errors.As(err, &pe)
	switch {
	case hasPublic && pe.status != 0:
		return pe.status, pe.msg
	case errors.As(err, &fileErr):
		// A file someone gave us is not what it claims to be; the message
		// names the file, line and column for people to find the spot.
		return http.StatusBadRequest, fileErr.Error()
	case errors.Is(err, errs.ErrNotFound):
		status, msg = http.StatusNotFound, "We could not find what you asked for."
	case errors.Is(err, errs.ErrInvalid):
		// Domain messages for invalid input say which rule was broken.
		status, msg = http.StatusBadRequest, plainMessage(err, "Something in what you sent is not right. Check it and try again.")
	case errors.Is(err, errs.ErrConflict):
		status, msg = http.StatusConflict, plainMessage(err, "That could not be done: it clashes with what is already recorded (for example, it exists already).")
	case errors.Is(err, errs.ErrForbidden):
		status, msg = http.StatusForbidden, "You do not have permission to do this."
	case errors.Is(err, errs.ErrUnauthenticated):
		status, msg = http.StatusUnauthorized, "You need to sign in to do this."
	default:
		// Never show internals: the log has the error, the page a reference.
		return http.StatusInternalServerError, "Sorry, there is a problem with the service. Try again later."
	}
	if hasPublic {
		msg = pe.msg
	}
	return status, msg
}

// packages are the operation prefixes ccg's packages put on errors.
var packages = map[string]bool{"access": true, "calendar": true, "engagement": true, "finance": true, "governance": true,
	"importing": true, "import": true, "registry": true, "variation": true, "web": true, "oidc": true, "csvsafe": true, "stats": true}

// technical marks text meant for developers (drivers, the store, Go
// itself): an error holding any of it is never shown to people.
var technical = []string{"sqlstore", "sql:", "SQLSTATE", "constraint", "UNIQUE", "FOREIGN KEY", "violates", "pq:", "pgx",
	"duckdb", "driver", "SQLITE", "syntax error", "database", "panic", "runtime error", "goroutine", ".go:", "0x", "context "}

// plainMessage turns a domain error into a sentence for people: the words
// after the last package prefix, without the sentinel, capitalised, with a
// full stop ("governance: cast vote 3: governance: vote 3: the practice has
// already voted: conflict" reads "Vote 3: the practice has already voted.").
// An error carrying anything technical gets fallback instead; the log has
// the whole error with the request ID.
func plainMessage(err error, fallback string) string {
	var pe *publicError
	if errors.As(err, &pe) {
		return pe.msg
	}
	msg := err.Error()
	for _, t := range technical {
		if strings.Contains(msg, t) {
			return fallback
		}
	}
	for trimmed := true; trimmed; {
		trimmed = false
		for _, s := range []error{errs.ErrInvalid, errs.ErrConflict, errs.ErrNotFound, errs.ErrForbidden, errs.ErrUnauthenticated} {
			if t, ok := strings.CutSuffix(msg, ": "+s.Error()); ok {
				msg, trimmed = t, true
			}
		}
	}
	segs := strings.Split(msg, ": ")
	for i := len(segs) - 1; i >= 0; i-- {
		if packages[segs[i]] {
			segs = segs[i+1:]
			break
		}
	}
	msg = strings.TrimSpace(strings.Join(segs, ": "))
	if msg == "" || packages[msg] {
		return fallback
	}
	msg = strings.ToUpper(msg[:1]) + msg[1:]
	if !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "?") && !strings.HasSuffix(msg, "!") {
		msg += "."
	}
	return msg
}

// errorTitles are the page headings for each status.
var errorTitles = map[int]string{
	http.StatusBadRequest:          "There is a problem with your request",
	http.StatusUnauthorized:        "You need to sign in",
	http.StatusForbidden:           "You do not have permission to see this page",
	http.StatusNotFound:            "Page not found",
	http.StatusMethodNotAllowed:    "This address cannot be used in that way",
	http.StatusConflict:            "That change could not be made",
	http.StatusInternalServerError: "Sorry, there is a problem with the service",
}

// fail sends the response for a handler's error: JSON for the API, an
// error page for HTML, or a redirect to sign in when that is what is needed.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, api bool, err error) {
	status, msg := classify(err)
	id := r.Header.Get(requestIDKey)
	if status >= 500 {
		s.log.Error("server error", "request_id", id, "method", r.Method, "path", r.URL.Path, "error", err.Error())
	}
	view := errorView{Status: status, Title: errorTitles[status], Message: msg, Search: status == http.StatusNotFound}
	if view.Title == "" {
		view.Title = http.StatusText(status)
	}
	// Every error names its request, so that a person can quote it and the
	// log (which has the whole error) can be searched for it.
	view.RequestID = id
	if api {
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ccg"`)
		}
		if werr := writeJSON(w, status, map[string]errorView{"error": view}); werr != nil {
			s.log.Error("write JSON error", "request_id", id, "error", werr.Error())
		}
		return
	}
	if status == http.StatusUnauthorized && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if rerr := s.render(w, r, status, errorPage, view, ""); rerr != nil {
		s.log.Error("render error page", "request_id", id, "error", rerr.Error())
		http.Error(w, view.Title+": "+view.Message, status)
	}
}

// errorPage is the template of every HTML error.
const errorPage = "error"
