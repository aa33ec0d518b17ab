// Package dmd reads the NHSBSA dm+d weekly release (the XML files
// f_vtm2, f_vmp2, f_vmpp2, f_amp2, f_ampp2, f_ingredient2, f_lookup2 and
// f_gtin2, exactly as published with their XSDs) and imports it as the
// "dmd" kind: `ccg import dmd FOLDER`.
//
// The files are read as a stream with encoding/xml (a full release is
// about 500 MB), element by element; each element of interest becomes a
// dmd.Record under its OpenPrescribing table name (see dmd.Tables). An
// element that is not what the XSD says (a missing identifier, a number
// or date that is not one) is rejected with its file, line and reason; a
// file that is not XML fails the import at its line. The release replaces
// the stored one whole, inside the import's transaction.
package dmd

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"ccg/internal/dmd"
	"ccg/internal/importing"
)

// Element is one record read from a release file, with where it starts.
type Element struct {
	dmd.Record
	Line, Column int
}

// Problem is an element left out, with its reason.
type Problem struct {
	Line, Column int
	Tag          string
	Reason       string
}

// ReadFile reads one release file of the given kind (vmp, amp, lookup, ...)
// and calls emit with each record and problem with each element left out.
// It returns a *importing.FileError when the file is not well-formed XML
// or not a dm+d file of that kind.
func ReadFile(name, kind string, r io.Reader, emit func(Element) error, problem func(Problem)) error {
	dec := xml.NewDecoder(r)
	fail := func(err error) error {
		line, col := dec.InputPos()
		return &importing.FileError{File: name, Line: line, Column: col, Err: err}
	}
	type open struct {
		tbl      dmd.Table
		rec      dmd.Record
		line     int
		col      int
		parent   []dmd.Field // the parent's fields, for nested records
		problems []string
	}
	var (
		stack   []string // element names from the root
		text    strings.Builder
		cur     *open
		nested  *open
		seq     = map[string]int64{}
		rootSet bool
	)
	for {
		line, col := dec.InputPos()
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return &importing.FileError{File: name, Line: se.Line, Err: fmt.Errorf("not well-formed XML: %s", se.Msg)}
			}
			return fail(fmt.Errorf("not well-formed XML: %v", err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			el := t.Name.Local
			if !rootSet {
				rootSet = true
				if want := rootElements[kind]; want != "" && el != want {
					return fail(fmt.Errorf("this is not a dm+d %s file: its root element is <%s>, want <%s>", kind, el, want))
				}
			}
			stack = append(stack, el)
			text.Reset()
			depth := len(stack) - 1 // root is 0
			switch {
			case cur == nil:
				section, element := "", ""
				if depth == 1 {
					element = el
				} else if depth == 2 {
					section, element = stack[1], el
				}
				if element == "" {
					continue
				}
				if tbl, ok := dmd.TableFor(kind, section, element); ok {
					cur = &open{tbl: tbl, rec: dmd.Record{Table: tbl.Name}, line: line, col: col}
				}
			case cur.tbl.Nested != "" && el == cur.tbl.Nested && nested == nil:
				nested = &open{tbl: cur.tbl, rec: dmd.Record{Table: cur.tbl.Name}, line: line, col: col,
					parent: append([]dmd.Field(nil), cur.rec.Fields...)}
			}
		case xml.CharData:
			if !rootSet && len(strings.TrimSpace(string(t))) > 0 {
				return &importing.FileError{File: name, Line: line, Column: col, Err: errors.New("not well-formed XML: text before the first element (is this an XML file?)")}
			}
			text.Write(t)
		case xml.EndElement:
			el := t.Name.Local
			if len(stack) == 0 {
				return fail(errors.New("an end tag without its start"))
			}
			stack = stack[:len(stack)-1]
			target := cur
			if nested != nil {
				target = nested
			}
			switch {
			case nested != nil && el == cur.tbl.Nested && len(stack) == depthOf(cur.tbl)+1:
				n := nested
				nested = nil
				n.rec.Fields = append(n.parent, n.rec.Fields...)
				if err := finish(n.tbl, &n.rec, n.line, n.col, seq, emit, problem); err != nil {
					return err
				}
			case cur != nil && el == cur.tbl.Element && len(stack) == depthOf(cur.tbl):
				c := cur
				cur = nil
				if c.tbl.Nested != "" {
					// The parent element only carries fields for its nested records.
					continue
				}
				if err := finish(c.tbl, &c.rec, c.line, c.col, seq, emit, problem); err != nil {
					return err
				}
			case target != nil:
				target.rec.Fields = append(target.rec.Fields, dmd.Field{Tag: el, Value: strings.TrimSpace(text.String())})
			}
			text.Reset()
		}
	}
	if !rootSet {
		return &importing.FileError{File: name, Err: errors.New("the file is empty: no XML elements")}
	}
	return nil
}

// rootElements are the root elements of the release files.
var rootElements = map[string]string{
	"vtm": "VIRTUAL_THERAPEUTIC_MOIETIES", "ingredient": "INGREDIENT_SUBSTANCES", "vmp": "VIRTUAL_MED_PRODUCTS",
	"vmpp": "VIRTUAL_MED_PRODUCT_PACK", "amp": "ACTUAL_MEDICINAL_PRODUCTS", "ampp": "ACTUAL_MEDICINAL_PROD_PACKS",
	"lookup": "LOOKUP", "gtin": "GTIN_DETAILS",
}

// depthOf is the depth of a table's record elements below the root.
func depthOf(t dmd.Table) int {
	if t.Section == "" {
		return 1
	}
	return 2
}

var (
	integerText = regexp.MustCompile(`^-?[0-9]+$`)
	dateText    = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// finish checks a record against its table and emits it or its problem.
func finish(tbl dmd.Table, rec *dmd.Record, line, col int, seq map[string]int64, emit func(Element) error, problem func(Problem)) error {
	reject := func(tag, format string, args ...any) {
		problem(Problem{Line: line, Column: col, Tag: tag, Reason: fmt.Sprintf("<%s> %s", tbl.Element, fmt.Sprintf(format, args...))})
	}
	key := tbl.Columns[0].Tag // the identifier, or the first reference
	if rec.Get(key) == "" {
		reject(key, "has no %s, so it cannot be identified", key)
		return nil
	}
	for _, f := range rec.Fields {
		c, ok := tbl.Column(f.Tag)
		if !ok || f.Value == "" {
			continue
		}
		switch c.Type {
		case dmd.Integer, dmd.Flag:
			if !integerText.MatchString(f.Value) {
				reject(f.Tag, "%s is %q, which is not a whole number", f.Tag, f.Value)
				return nil
			}
			if _, err := strconv.ParseInt(f.Value, 10, 64); err != nil {
				reject(f.Tag, "%s is %q, which is too large a number", f.Tag, f.Value)
				return nil
			}
		case dmd.Float:
			if _, err := strconv.ParseFloat(f.Value, 64); err != nil {
				reject(f.Tag, "%s is %q, which is not a number", f.Tag, f.Value)
				return nil
			}
		case dmd.Date:
			if !dateText.MatchString(f.Value) {
				reject(f.Tag, "%s is %q, which is not a date (YYYY-MM-DD)", f.Tag, f.Value)
				return nil
			}
		}
	}
	seq[tbl.Name]++
	rec.Seq = seq[tbl.Name]
	return emit(Element{Record: *rec, Line: line, Column: col})
}
