// Package glossary holds plain-language definitions of the NHS terms ccg
// uses, for the /glossary page and for linking terms where pages use them.
//
// Templates write {{term "CCG"}} (or {{term "list-size" "list sizes"}} to
// show other words) and get a link to the term's entry on /glossary. Every
// use links, and FirstOnly, run over the finished page, keeps only the first
// link to each term so that a page is not a sea of links.
package glossary

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"sort"
	"strings"
)

// Term is one glossary entry.
type Term struct {
	// ID is the term's anchor on /glossary (lower case, hyphens).
	ID string `json:"id"`
	// Name is the term as pages write it ("CCG", "List size").
	Name string `json:"term"`
	// Expansion spells out an abbreviation ("Clinical commissioning group").
	Expansion string `json:"expansion,omitempty"`
	// Definition explains the term in a sentence or two.
	Definition string `json:"definition"`
	// Aliases are other words for the term that Lookup accepts.
	Aliases []string `json:"aliases,omitempty"`
	// Related lists the IDs of terms worth reading next.
	Related []string `json:"related,omitempty"`
}

// Path is where the glossary page is served.
const Path = "/glossary"

// URL returns the address of the term's entry.
func (t Term) URL() string { return Path + "#" + t.ID }

// Title returns the name with its expansion, for headings: "CCG
// (clinical commissioning group)".
func (t Term) Title() string {
	if t.Expansion == "" {
		return t.Name
	}
	return t.Name + " (" + t.Expansion + ")"
}

var (
	sorted []Term
	index  = map[string]int{}
)

func init() {
	sorted = append([]Term(nil), terms...)
	sort.Slice(sorted, func(i, j int) bool { return strings.ToLower(sorted[i].Name) < strings.ToLower(sorted[j].Name) })
	for i, t := range sorted {
		for _, k := range append([]string{t.ID, t.Name, t.Expansion}, t.Aliases...) {
			if k == "" {
				continue
			}
			k = strings.ToLower(k)
			if _, dup := index[k]; !dup {
				index[k] = i
			}
		}
	}
}

// Terms returns every term in alphabetical order. The slice is a copy.
func Terms() []Term { return append([]Term(nil), sorted...) }

// Lookup finds a term by its ID, name, expansion or an alias, ignoring case.
func Lookup(s string) (Term, bool) {
	i, ok := index[strings.ToLower(strings.TrimSpace(s))]
	if !ok {
		return Term{}, false
	}
	return sorted[i], true
}

// RelatedTerms returns the terms t refers to.
func (t Term) RelatedTerms() []Term {
	var out []Term
	for _, id := range t.Related {
		if r, ok := Lookup(id); ok {
			out = append(out, r)
		}
	}
	return out
}

// linkOpen starts every term link; FirstOnly looks for it.
const linkOpen = `<a class="ccg-term" href="`

// Link returns a link to the term's glossary entry showing text; without
// text it shows name as written, or the term's name when name is its ID. It fails for an unknown term so that a
// template that names a missing term fails its tests.
func Link(name string, text ...string) (template.HTML, error) {
	t, ok := Lookup(name)
	if !ok {
		return "", fmt.Errorf("glossary: no term %q", name)
	}
	shown := strings.TrimSpace(name)
	if shown == t.ID && !strings.EqualFold(t.ID, t.Name) {
		shown = t.Name
	}
	if len(text) > 0 && text[0] != "" {
		shown = text[0]
	}
	return template.HTML(linkOpen + t.URL() + `">` + html.EscapeString(shown) + `</a>`), nil
}

// FuncMap returns the template functions the glossary provides:
//
//	{{term "CCG"}}                   links "CCG" to its entry
//	{{term "list-size" "list sizes"}} links other words to an entry
func FuncMap() template.FuncMap {
	return template.FuncMap{"term": Link}
}

// FirstOnly keeps the first link to each term in a rendered page and turns
// later ones back into plain text.
func FirstOnly(page []byte) []byte {
	if !bytes.Contains(page, []byte(linkOpen)) {
		return page
	}
	var out bytes.Buffer
	out.Grow(len(page))
	seen := map[string]bool{}
	rest := page
	for {
		i := bytes.Index(rest, []byte(linkOpen))
		if i < 0 {
			out.Write(rest)
			return out.Bytes()
		}
		out.Write(rest[:i])
		link := rest[i:]
		hrefEnd := bytes.Index(link[len(linkOpen):], []byte(`">`))
		end := bytes.Index(link, []byte("</a>"))
		if hrefEnd < 0 || end < 0 || end < len(linkOpen)+hrefEnd {
			out.Write(link)
			return out.Bytes()
		}
		href := string(link[len(linkOpen) : len(linkOpen)+hrefEnd])
		text := link[len(linkOpen)+hrefEnd+2 : end]
		if seen[href] {
			out.Write(text)
		} else {
			seen[href] = true
			out.Write(link[:end+4])
		}
		rest = link[end+4:]
	}
}
