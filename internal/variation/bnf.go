package variation

import (
	"fmt"
	"strings"

	"ccg/internal/errs"
)

// BNFCode is the British National Formulary hierarchy derived from a
// presentation code. A drug code has 15 characters:
//
//	04 01 02 0K0 AA AH AH
//	│  │  │  │   │  │  └ equivalent generic presentation (13-15)
//	│  │  │  │   │  └ strength and formulation (11-13)
//	│  │  │  │   └ product (10-11; "AA" is the generic product)
//	│  │  │  └ chemical substance (7-9)
//	│  │  └ paragraph (5-6) and sub-paragraph (7)
//	│  └ section (3-4)
//	└ chapter (1-2)
//
// Chapters 20 to 23 are appliances and dressings, whose codes have 11
// characters (chapter, section, paragraph, then a 5-character product).
type BNFCode struct {
	Code              string `json:"code"`
	Chapter           string `json:"chapter"`            // "04"
	Section           string `json:"section"`            // "0401"
	Paragraph         string `json:"paragraph"`          // "040102"
	SubParagraph      string `json:"subparagraph"`       // "0401020"
	ChemicalSubstance string `json:"chemical_substance"` // "0401020K0"
	Product           string `json:"product"`            // "0401020K0AA"
	Presentation      string `json:"presentation"`       // the whole code
	// Generic reports whether the product is the generic one ("AA").
	Generic bool `json:"generic"`
	// GenericEquivalent is the presentation code of the generic equivalent
	// (the same code for a generic), or "" when there is none (appliances).
	GenericEquivalent string `json:"generic_equivalent,omitempty"`
	// Appliance reports chapters 20-23.
	Appliance bool `json:"appliance"`
}

// ParseBNFCode derives the hierarchy from a presentation code. Surrounding
// spaces (found in pre-2017 files) are dropped.
func ParseBNFCode(code string) (BNFCode, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if len(c) < 2 {
		return BNFCode{}, fmt.Errorf("bnf: %q is not a BNF code: %w", code, errs.ErrInvalid)
	}
	for i := 0; i < len(c); i++ {
		ch := c[i]
		if !(ch >= '0' && ch <= '9' || ch >= 'A' && ch <= 'Z') {
			return BNFCode{}, fmt.Errorf("bnf: %q is not a BNF code (character %q): %w", code, ch, errs.ErrInvalid)
		}
	}
	if c[0] < '0' || c[0] > '9' || c[1] < '0' || c[1] > '9' {
		return BNFCode{}, fmt.Errorf("bnf: %q does not start with a two-digit chapter: %w", code, errs.ErrInvalid)
	}
	b := BNFCode{Code: c, Chapter: c[:2], Appliance: c[:2] >= "20"}
	want := 15
	if b.Appliance {
		want = 11
	}
	if len(c) != want {
		return BNFCode{}, fmt.Errorf("bnf: %q has %d characters; a presentation code in chapter %s has %d: %w", code, len(c), b.Chapter, want, errs.ErrInvalid)
	}
	b.Section, b.Paragraph, b.SubParagraph = c[:4], c[:6], c[:7]
	b.Presentation = c
	if b.Appliance {
		b.ChemicalSubstance = c[:6]
		b.Product = c
		return b, nil
	}
	b.ChemicalSubstance = c[:9]
	b.Product = c[:11]
	b.Generic = c[9:11] == "AA"
	b.GenericEquivalent = c[:9] + "AA" + c[13:15] + c[13:15]
	return b, nil
}

// Levels returns the codes from chapter down to presentation.
func (b BNFCode) Levels() []string {
	return []string{b.Chapter, b.Section, b.Paragraph, b.SubParagraph, b.ChemicalSubstance, b.Product, b.Presentation}
}
