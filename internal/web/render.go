package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/chart"
	"ccg/internal/glossary"
	"ccg/internal/registry"
)

// pageTemplate is one page's template set: the layout and partials with the
// page's own definitions.
type pageTemplate struct {
	name string
	t    *template.Template
}

// page is what the layout template receives. Page templates reach their
// view model as .Data.
type page struct {
	// Data is the view model the route's View returned.
	Data any
	// Nav is the header navigation with the current item marked.
	Nav []navLink
	// Path and URL are the request's path and full address (for print).
	Path string
	URL  string
	// API is the address of this page's JSON twin, or "".
	API       string
	Version   string
	RequestID string
	Status    int
	// Person is who is signed in (nil: the public); CSRF is the
	// anti-forgery token every form must carry as the field csrf_token.
	Person *access.Person
	CSRF   string
	// Template names the page's template ("finance/budgets"), written on
	// the body element for styles and tests.
	Template string
	// ShowImports says whether the footer links to the import history (only
	// for those the policy lets see it, as the header's navigation).
	ShowImports bool
	// srv and req answer May (links shown only to those who may follow).
	srv *Server
	req *http.Request
}

// navLink is a navigation item as the header shows it.
type navLink struct {
	Label   string
	Href    string
	Current bool
}

// dateForm is the data of the "date-form" partial.
type dateForm struct {
	Action string
	At     calendar.Date
	Label  string
}

// crumb is one breadcrumb link.
type crumb struct {
	Label string
	Href  string
}

// parseTemplates parses the layout and partials, then each page on a clone
// of them, and checks that every page defines what the layout needs and can
// be escaped (so a reference to a missing partial fails here, not later).
func (s *Server) parseTemplates(fsys fs.FS) (map[string]*pageTemplate, error) {
	base := template.New("layout.html").Funcs(s.funcs())
	if _, err := base.ParseFS(fsys, "templates/layout.html"); err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	partials, err := fs.Glob(fsys, "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	if len(partials) > 0 {
		if _, err := base.ParseFS(fsys, partials...); err != nil {
			return nil, fmt.Errorf("web: templates: %w", err)
		}
	}
	if base.Lookup("layout") == nil {
		return nil, errors.New(`web: templates/layout.html must define "layout"`)
	}
	top, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	nested, err := fs.Glob(fsys, "templates/*/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	pages := map[string]*pageTemplate{}
	for _, file := range append(top, nested...) {
		if file == "templates/layout.html" || strings.HasPrefix(file, "templates/partials/") {
			continue
		}
		name := strings.TrimSuffix(strings.TrimPrefix(file, "templates/"), ".html")
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("web: templates: %w", err)
		}
		if _, err := t.ParseFS(fsys, file); err != nil {
			return nil, fmt.Errorf("web: template %s: %w", file, err)
		}
		for _, need := range []string{"title", "content"} {
			if t.Lookup(need) == nil {
				return nil, fmt.Errorf("web: template %s must define %q", file, need)
			}
		}
		if err := escapeCheck(t); err != nil {
			return nil, fmt.Errorf("web: template %s: %w", file, err)
		}
		pages[name] = &pageTemplate{name: name, t: t}
	}
	if _, ok := pages[errorPage]; !ok {
		return nil, fmt.Errorf("web: template templates/%s.html is missing", errorPage)
	}
	return pages, nil
}

// escapeCheck runs the layout once with no data. html/template escapes the
// whole set before executing, so contextual-escaping mistakes and calls of
// missing templates show up as *template.Error; failures from the missing
// data itself are expected and ignored.
func escapeCheck(t *template.Template) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = nil // a panic from absent data is not a template fault
		}
	}()
	execErr := t.ExecuteTemplate(io.Discard, "layout", page{})
	var te *template.Error
	if errors.As(execErr, &te) {
		return te
	}
	return nil
}

// maxEchoedURI is the most of the request's address a page repeats.
const maxEchoedURI = 500

// render executes a page into a buffer (so a failure can still become an
// error page), keeps the first link to each glossary term, and writes it.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any, api string) error {
	pt, ok := s.pages[name]
	if !ok {
		return fmt.Errorf("web: no template %q", name)
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	uri := r.URL.RequestURI()
	if len(uri) > maxEchoedURI {
		uri = uri[:maxEchoedURI] + "…" // the print footer need not repeat a huge query
	}
	p := page{
		Data: data, Nav: s.navShown(r, s.navFor(r.URL.Path)), Path: r.URL.Path,
		URL: scheme + "://" + r.Host + uri, API: api,
		Version: s.deps.Version, RequestID: r.Header.Get(requestIDKey), Status: status,
		Person: personFrom(r), CSRF: csrfFor(r), srv: s, req: r, Template: name, ShowImports: access.Allowed(personFrom(r), ActionImportsView),
	}
	var buf bytes.Buffer
	if err := pt.t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	body := glossary.FirstOnly(buf.Bytes())
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}

// navFor marks the navigation item for the path: the one with the longest
// matching prefix.
func (s *Server) navFor(p string) []navLink {
	best, bestLen := -1, 0
	for i, it := range s.nav {
		for _, pre := range it.Prefixes {
			match := p == pre || (pre != "/" && strings.HasPrefix(p, pre+"/")) || (pre != "/" && p == pre)
			if match && len(pre) > bestLen {
				best, bestLen = i, len(pre)
			}
		}
	}
	out := make([]navLink, len(s.nav))
	for i, it := range s.nav {
		out[i] = navLink{Label: it.Label, Href: it.Href, Current: i == best}
	}
	return out
}

// navShown leaves out the navigation items the reader may not use.
func (s *Server) navShown(r *http.Request, links []navLink) []navLink {
	out := links[:0:0]
	for i, l := range links {
		if a := s.nav[i].Action; a != "" && !access.Allowed(personFrom(r), a) {
			continue
		}
		out = append(out, l)
	}
	return out
}

// funcs are the template functions every page can use.
func (s *Server) funcs() template.FuncMap {
	f := template.FuncMap{
		// date writes "1 April 2013"; the zero date writes "".
		"date": func(d calendar.Date) string { return d.Format("2 January 2006") },
		// isoDate writes "2013-04-01" (for inputs and machine-readable text).
		"isoDate": func(d calendar.Date) string { return d.String() },
		// month writes "April 2019".
		"month": func(m calendar.Month) string {
			if m.IsZero() {
				return ""
			}
			return m.First().Format("January 2006")
		},
		// number writes an int or float with thousands separators.
		"number": formatNumber,
		// fixed writes a number with the given decimals, halves rounded up
		// ("72.5" to 0 places is "73"); signed adds "+" before a positive one.
		"fixed":  chart.Number,
		"signed": signedNumber,
		// plural writes "1 practice" or "3 practices".
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return "1 " + one
			}
			return chart.Int(n) + " " + many
		},
		// crumbs makes breadcrumbs from label, href pairs.
		"crumbs": func(pairs ...string) []crumb {
			var out []crumb
			for i := 0; i+1 < len(pairs); i += 2 {
				out = append(out, crumb{Label: pairs[i], Href: pairs[i+1]})
			}
			return out
		},
		// lastCrumb is the last breadcrumb (the back link on phones).
		"lastCrumb": func(cs []crumb) *crumb {
			if len(cs) == 0 {
				return nil
			}
			return &cs[len(cs)-1]
		},
		// dateForm makes the data of the "date-form" partial.
		"dateForm": func(action string, at calendar.Date, label string) dateForm {
			return dateForm{Action: action, At: at, Label: label}
		},
		// when writes a time as "2 January 2006 at 15:04 UTC".
		"when": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2 January 2006 at 15:04 UTC")
		},
		// figure renders a chart with its table alternative.
		"figure": func(f chart.Figure) template.HTML { return f.HTML() },
		// static gives the cache-busting address of an embedded static file.
		"static": s.staticURL,
		// relation names a relationship kind from the child's side.
		"relation":  relationLabel,
		"kindLabel": func(k registry.Kind) string { return k.Label() },
		"join":      strings.Join,
		// orgName names an organisation by its code (the code when unknown);
		// addressee names the body a member's question was put to.
		"orgName":   func(code string) string { return s.orgName(context.Background(), code) },
		"addressee": func(to string) string { return s.addressee(context.Background(), to) },
	}
	for k, v := range glossary.FuncMap() {
		f[k] = v
	}
	return f
}

// orgName names an organisation by its code, or gives the code back when the
// registry does not know it (or none is wired).
func (s *Server) orgName(ctx context.Context, code string) string {
	if code == "" || s.deps.Registry == nil {
		return code
	}
	if o, err := s.deps.Registry.Organisation(ctx, code); err == nil && o.Name != "" {
		return o.Name
	}
	return code
}

// formatNumber writes numbers with thousands separators.
func formatNumber(v any) string {
	switch n := v.(type) {
	case int:
		return chart.Int(n)
	case int64:
		return chart.Number(float64(n), 0)
	case float64:
		if n == float64(int64(n)) {
			return chart.Number(n, 0)
		}
		return chart.Number(n, 1)
	}
	return fmt.Sprint(v)
}

// signedNumber writes v with the given decimals and a sign ("+2.7", "-0.1",
// "0.0"), halves rounded up.
func signedNumber(v float64, decimals int) string {
	s := chart.Number(v, decimals)
	if v > 0 && strings.Trim(s, "0.,") != "" {
		return "+" + s
	}
	return s
}

// relationLabel describes a relationship from the child's side.
func relationLabel(k registry.RelationKind) string {
	switch k {
	case registry.RelMemberOf:
		return "Member of"
	case registry.RelInLocality:
		return "In locality"
	case registry.RelLocalityOf:
		return "Locality of"
	case registry.RelAccountableTo:
		return "Accountable to"
	}
	return string(k)
}
