package web

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"ccg/internal/calendar"
	"ccg/internal/importing"
	"ccg/internal/registry"
)

// HomeView is the home page: what the registry holds, the latest import,
// and the organisation search.
type HomeView struct {
	Version string `json:"version"`
	// Organisations counts organisations by kind, in the order pages show kinds.
	Organisations []KindCount `json:"organisations"`
	Total         int         `json:"total"`
	// LatestListSizes is the newest month with list sizes.
	LatestListSizes calendar.Month `json:"latest_list_sizes,omitzero"`
	// LatestImport is the most recent import run, if any.
	LatestImport *importing.Run `json:"latest_import,omitempty"`
	// Links are the API's main addresses.
	Links map[string]string `json:"links"`
	// Form is the search form.
	Form SearchForm `json:"-"`
}

// KindCount is how many organisations of a kind the registry holds.
type KindCount struct {
	Kind  registry.Kind `json:"kind"`
	Label string        `json:"label"`
	Count int           `json:"count"`
}

// SearchForm is what the search form partial shows.
type SearchForm struct {
	Query string
	Kind  registry.Kind
	Kinds []KindOption
}

// KindOption is one choice in the kind filter.
type KindOption struct {
	Value    registry.Kind
	Label    string
	Selected bool
}

func newSearchForm(q string, kind registry.Kind) SearchForm {
	f := SearchForm{Query: q, Kind: kind}
	f.Kinds = append(f.Kinds, KindOption{Value: "", Label: "Any kind", Selected: kind == ""})
	for _, k := range registry.Kinds {
		f.Kinds = append(f.Kinds, KindOption{Value: k, Label: k.Label(), Selected: k == kind})
	}
	return f
}

// homeView serves / and /api/v1/.
func (s *Server) homeView(r *http.Request) (any, error) {
	ctx := r.Context()
	store := s.deps.Registry.Store()
	counts, err := store.CountOrganisations(ctx)
	if err != nil {
		return nil, fmt.Errorf("home: %w", err)
	}
	v := HomeView{Version: s.deps.Version, Form: newSearchForm("", ""), Links: map[string]string{
		"organisations": apiPrefix + "/organisations{?q,kind,member_of,at,page}",
		"organisation":  apiPrefix + "/organisations/{code}{?at,month}",
		"imports":       apiPrefix + "/imports",
		"import":        apiPrefix + "/imports/{id}",
		"glossary":      apiPrefix + "/glossary",
		"health":        apiPrefix + "/healthz",
	}}
	for _, k := range registry.Kinds {
		if n := counts[k]; n > 0 {
			v.Organisations = append(v.Organisations, KindCount{Kind: k, Label: k.Label(), Count: n})
			v.Total += n
		}
	}
	months, err := store.ListSizeMonths(ctx)
	if err != nil {
		return nil, fmt.Errorf("home: %w", err)
	}
	if len(months) > 0 {
		v.LatestListSizes = months[len(months)-1]
	}
	runs, err := s.deps.Imports.History(ctx, 1)
	if err != nil {
		return nil, fmt.Errorf("home: %w", err)
	}
	if len(runs) > 0 && s.authorize(r, ActionImportsView, Resource{Kind: "import"}) == nil {
		// Import runs (who imported what) are for the roles that import.
		v.LatestImport = &runs[0]
	}
	return v, nil
}

// SearchView is the organisation search: by name, code or postcode, by
// kind, and optionally among the members of a commissioner on a date.
type SearchView struct {
	Query    string        `json:"query"`
	Kind     registry.Kind `json:"kind,omitempty"`
	MemberOf string        `json:"member_of,omitempty"`
	At       calendar.Date `json:"at,omitzero"`
	// Commissioner is the organisation named by member_of.
	Commissioner *registry.Organisation `json:"commissioner,omitempty"`
	Total        int                    `json:"total"`
	Page         int                    `json:"page"`
	PerPage      int                    `json:"per_page"`
	Results      []OrgResult            `json:"organisations"`
	// Searched is false when nothing was asked (the page shows only the form).
	Searched bool       `json:"-"`
	Form     SearchForm `json:"-"`
	// Prev and Next are the addresses of the neighbouring pages, or "".
	Prev string `json:"prev,omitempty"`
	Next string `json:"next,omitempty"`
}

// OrgResult is one organisation in a list; listing the members of a
// commissioner adds the commissioner it belonged to then (Via, which
// differs for practices of merged predecessors), since when, and its
// locality.
type OrgResult struct {
	registry.Organisation
	Via      string        `json:"via,omitempty"`
	Since    calendar.Date `json:"since,omitzero"`
	Locality string        `json:"locality,omitempty"`
}

// perPage is the size of a page of search results.
const perPage = 50

// searchView serves /search and /api/v1/organisations.
// maxSearchLen is the longest search the organisation search takes, and
// maxCodeLen the longest organisation code.
const (
	maxSearchLen = 100
	maxCodeLen   = 20
)

// clip40 shortens what a person typed for echoing it in a message.
func clip40(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

func (s *Server) searchView(r *http.Request) (any, error) {
	ctx := r.Context()
	q := r.URL.Query()
	v := SearchView{
		Query:    strings.TrimSpace(q.Get("q")),
		Kind:     registry.Kind(strings.TrimSpace(q.Get("kind"))),
		MemberOf: strings.ToUpper(strings.TrimSpace(q.Get("member_of"))),
		PerPage:  perPage,
	}
	if n := utf8.RuneCountInString(v.Query); n > maxSearchLen {
		return nil, invalid("Search for at most %d characters (you gave %d): a name, an ODS code or a postcode.", maxSearchLen, n)
	}
	if len(v.MemberOf) > maxCodeLen {
		return nil, invalid("member_of must be an organisation code of at most %d characters.", maxCodeLen)
	}
	if v.Kind != "" && !v.Kind.Valid() {
		return nil, invalid("%q is not a kind of organisation. Choose one of: %s.", clip40(string(v.Kind)), kindList())
	}
	var err error
	if v.Page, err = pageParam(r); err != nil {
		return nil, err
	}
	v.Form = newSearchForm(v.Query, v.Kind)
	v.Searched = v.Query != "" || v.Kind != "" || v.MemberOf != ""

	if v.MemberOf == "" {
		orgs, total, err := s.deps.Registry.Search(ctx, registry.Filter{Kind: v.Kind, Query: v.Query, Limit: perPage, Offset: (v.Page - 1) * perPage})
		if err != nil {
			return nil, err
		}
		v.Total = total
		for _, o := range orgs {
			v.Results = append(v.Results, OrgResult{Organisation: o})
		}
	} else {
		if v.At, err = dateParam(r, "at", s.today()); err != nil {
			return nil, err
		}
		comm, err := s.organisation(r, v.MemberOf)
		if err != nil {
			return nil, err
		}
		v.Commissioner = &comm
		members, err := s.deps.Registry.MembersAt(ctx, v.MemberOf, v.At, true)
		if err != nil {
			return nil, err
		}
		var all []OrgResult
		for _, m := range members {
			if v.Kind != "" && m.Kind != v.Kind {
				continue
			}
			if v.Query != "" && !matches(m.Organisation, v.Query) {
				continue
			}
			all = append(all, OrgResult{Organisation: m.Organisation, Via: m.Via, Since: m.Since, Locality: m.Locality})
		}
		v.Total = len(all)
		from := min((v.Page-1)*perPage, len(all))
		v.Results = all[from:min(from+perPage, len(all))]
	}
	if v.Results == nil {
		v.Results = []OrgResult{}
	}
	if v.Page > 1 {
		v.Prev = pageURL(r, v.Page-1)
	}
	if v.Page*perPage < v.Total {
		v.Next = pageURL(r, v.Page+1)
	}
	return v, nil
}

// matches reports whether the query appears in the organisation's code,
// name or postcode, ignoring case.
func matches(o registry.Organisation, q string) bool {
	q = strings.ToLower(q)
	for _, f := range []string{o.Code, o.Name, o.Postcode} {
		if strings.Contains(strings.ToLower(f), q) {
			return true
		}
	}
	return false
}

// pageURL returns the request's address with another page number.
func pageURL(r *http.Request, n int) string {
	q := r.URL.Query()
	q.Set("page", fmt.Sprint(n))
	return r.URL.Path + "?" + q.Encode()
}

func kindList() string {
	var out []string
	for _, k := range registry.Kinds {
		out = append(out, string(k))
	}
	return strings.Join(out, ", ")
}
