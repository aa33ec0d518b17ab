package web

import (
	"net/http"
	"strings"

	"ccg/internal/glossary"
)

// GlossaryView is the glossary page: every term, grouped by first letter.
type GlossaryView struct {
	Terms []glossary.Term `json:"terms"`
	// Letters groups the terms for the A to Z list.
	Letters []LetterGroup `json:"-"`
}

// LetterGroup is the terms that start with one letter.
type LetterGroup struct {
	Letter string
	Terms  []glossary.Term
}

// glossaryView serves /glossary and its JSON twin.
func (s *Server) glossaryView(r *http.Request) (any, error) {
	v := GlossaryView{Terms: glossary.Terms()}
	for _, t := range v.Terms {
		l := strings.ToUpper(t.Name[:1])
		if n := len(v.Letters); n == 0 || v.Letters[n-1].Letter != l {
			v.Letters = append(v.Letters, LetterGroup{Letter: l})
		}
		g := &v.Letters[len(v.Letters)-1]
		g.Terms = append(g.Terms, t)
	}
	return v, nil
}
