package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"ccg/internal/access"
	"ccg/internal/errs"
	"ccg/internal/importing"
)

// ImportsView is the history of import runs, newest first.
type ImportsView struct {
	Runs []importing.Run `json:"runs"`
}

// importsView serves /imports and its JSON twin.
func (s *Server) importsView(r *http.Request) (any, error) {
	runs, err := s.deps.Imports.History(r.Context(), 200)
	if err != nil {
		return nil, err
	}
	if runs == nil {
		runs = []importing.Run{}
	}
	return ImportsView{Runs: runs}, nil
}

// ImportView is one import run with its rejected rows.
type ImportView struct {
	importing.RunDetail
	// Shown is how many rejected rows are listed (the run may have more).
	Shown int `json:"shown"`
	// Hidden is true when the rows' contents are left out because the file
	// holds personal data the reader may not see.
	Hidden bool `json:"personal_data_hidden,omitempty"`
}

// personalHidden replaces the reason of a rejected row that may name a
// person, for readers who do not manage people.
const personalHidden = "Hidden: this file holds personal data, which only people administrators may see."

// maxRejections is how many rejected rows a run's page lists.
const maxRejections = 1000

// importView serves /imports/{id} and its JSON twin.
func (s *Server) importView(r *http.Request) (any, error) {
	raw := strings.TrimSpace(r.PathValue("id"))
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 1 {
		return nil, notFound("There is no import with the number %q.", raw)
	}
	d, err := s.deps.Imports.Detail(r.Context(), id, maxRejections)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, notFound("There is no import with the number %d.", id)
	}
	if err != nil {
		return nil, err
	}
	if d.Rejections == nil {
		d.Rejections = []importing.Rejection{}
	}
	hidden := false
	if s.deps.Imports.Personal(d.Run.Kind) && s.authorize(r, access.ActImportsPersonal, Resource{Kind: "import", ID: raw}) != nil {
		// The rows say what the file says about people: only where they
		// are, never what.
		for i := range d.Rejections {
			d.Rejections[i].Record = ""
			d.Rejections[i].Reason = personalHidden
		}
		hidden = true
	}
	return ImportView{RunDetail: d, Shown: len(d.Rejections), Hidden: hidden}, nil
}

// Duration says how long the run took, in words.
func (v ImportView) Duration() string { return runDuration(v.Run) }

// runDuration writes a run's duration briefly ("2.3 seconds").
func runDuration(r importing.Run) string {
	if r.Finished.IsZero() || r.Started.IsZero() {
		return ""
	}
	d := r.Finished.Sub(r.Started)
	switch {
	case d.Seconds() < 1:
		return "under a second"
	case d.Minutes() < 1:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " seconds"
	}
	return strconv.FormatFloat(d.Minutes(), 'f', 1, 64) + " minutes"
}
