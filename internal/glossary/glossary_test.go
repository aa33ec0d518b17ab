package glossary

import (
	"bytes"
	"html/template"
	"regexp"
	"strings"
	"testing"
)

func TestTermsAreComplete(t *testing.T) {
	all := Terms()
	if len(all) < 30 {
		t.Errorf("only %d terms, want at least 30", len(all))
	}
	id := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	seen := map[string]bool{}
	for _, term := range all {
		t.Run(term.ID, func(t *testing.T) {
			if !id.MatchString(term.ID) {
				t.Errorf("id %q is not lower-case words joined by hyphens", term.ID)
			}
			if seen[term.ID] {
				t.Errorf("duplicate id")
			}
			seen[term.ID] = true
			if term.Name == "" || len(term.Definition) < 40 {
				t.Errorf("name %q or definition %q too short", term.Name, term.Definition)
			}
			if !strings.HasSuffix(term.Definition, ".") {
				t.Errorf("definition should be whole sentences: %q", term.Definition)
			}
			if n := strings.Count(term.Definition, ". "); n > 2 {
				t.Errorf("definition has %d sentences; keep it to a sentence or two", n+1)
			}
			for _, r := range term.Related {
				if _, ok := Lookup(r); !ok {
					t.Errorf("related term %q does not exist", r)
				}
			}
		})
	}
	for i := 1; i < len(all); i++ {
		if strings.ToLower(all[i-1].Name) > strings.ToLower(all[i].Name) {
			t.Errorf("not sorted: %q before %q", all[i-1].Name, all[i].Name)
		}
	}
}

func TestRequiredTerms(t *testing.T) {
	for _, name := range []string{"CCG", "PCT", "SHA", "ODS", "locality", "list size", "ASTRO-PU", "STAR-PU", "BNF",
		"QIPP", "EPD", "PDPI", "funnel plot", "outlier", "confidence interval", "overdispersion", "decile",
		"governing body", "member council", "scheme of delegation", "quorum", "conflict of interest", "lay member",
		"financial year", "outturn", "RAG"} {
		t.Run(name, func(t *testing.T) {
			if _, ok := Lookup(name); !ok {
				t.Errorf("no term %q", name)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		in     string
		wantID string
		ok     bool
	}{
		{"CCG", "ccg", true},
		{"ccg", "ccg", true},
		{"Clinical commissioning group", "ccg", true},
		{"  list sizes ", "list-size", true},
		{"star-pu", "star-pu", true},
		{"predecessor", "successor", true},
		{"no such thing", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := Lookup(tt.in)
			if ok != tt.ok || got.ID != tt.wantID {
				t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tt.in, got.ID, ok, tt.wantID, tt.ok)
			}
		})
	}
}

func TestTermFuncAndFirstOnly(t *testing.T) {
	tmpl := template.Must(template.New("p").Funcs(FuncMap()).Parse(
		`<p>A {{term "CCG"}} has {{term "member-practice" "member practices"}}.</p>` +
			`<p>Each {{term "CCG"}} reports <b>{{term "list-size" "list sizes & more"}}</b> for its {{term "member practices"}}.</p>`))
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, nil); err != nil {
		t.Fatal(err)
	}
	got := string(FirstOnly(buf.Bytes()))
	want := `<p>A <a class="ccg-term" href="/glossary#ccg">CCG</a> has <a class="ccg-term" href="/glossary#member-practice">member practices</a>.</p>` +
		`<p>Each CCG reports <b><a class="ccg-term" href="/glossary#list-size">list sizes &amp; more</a></b> for its member practices.</p>`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestUnknownTermFails(t *testing.T) {
	tmpl := template.Must(template.New("p").Funcs(FuncMap()).Parse(`{{term "nonsense"}}`))
	if err := tmpl.Execute(&bytes.Buffer{}, nil); err == nil || !strings.Contains(err.Error(), "nonsense") {
		t.Errorf("want an error naming the unknown term, got %v", err)
	}
}

func TestFirstOnlyLeavesOtherHTML(t *testing.T) {
	tests := []struct{ name, in string }{
		{"no links", `<p>plain <a href="/x">link</a></p>`},
		{"broken marker", `<a class="ccg-term" href="/glossary#x`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(FirstOnly([]byte(tt.in))); got != tt.in {
				t.Errorf("changed: %q", got)
			}
		})
	}
}

// TestTermsPagesUse checks that the statistical terms the pages use are
// explained (issue 15).
func TestTermsPagesUse(t *testing.T) {
	for _, name := range []string{"ISR", "Wilson interval", "Cronbach's alpha", "AAPOR response rate", "funnel plot",
		"overdispersion", "percentile", "decile"} {
		if _, ok := Lookup(name); !ok {
			t.Errorf("the glossary does not explain %q", name)
		}
	}
}
