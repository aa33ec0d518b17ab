package ods

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"

	"ccg/internal/formats/internal/field"
	"ccg/internal/importing"
	"ccg/internal/registry"
)

// Commissioners imports eccg.csv.
type Commissioners struct {
	reg *registry.Service
}

// NewCommissioners returns the "ods-commissioners" handler: it reads
// eccg.csv (the standard layout) and stores each row as a clinical
// commissioning group, or as a primary care trust when CommissionerKind says
// so, accountable to the area team in column 4 from its open date.
func NewCommissioners(reg *registry.Service) importing.Handler { return &Commissioners{reg: reg} }

// Kind implements importing.Handler.
func (h *Commissioners) Kind() string { return "ods-commissioners" }

// Describe implements importing.Handler.
func (h *Commissioners) Describe() string {
	return "ODS clinical commissioning groups (eccg.csv; older PCT rows are recognised)"
}

// pctCode matches primary care trust codes: 5 and two letters or digits
// (5N1, 5QJ), or T and two letters for care trusts that were also PCTs (TAK).
// CCG codes are two digits and a letter (00K, 11M) and never match.
var pctCode = regexp.MustCompile(`^(5[0-9A-Z]{2}|T[A-Z]{2})$`)

// CommissionerKind decides whether a row of a commissioner file is a CCG or
// a primary care trust. ODS gave PCTs codes starting 5 (or T for care
// trusts) and names ending "PCT" or "PRIMARY CARE TRUST"; CCGs have
// two-digit-and-letter codes and sub-type C. Anything else in a commissioner
// file is taken to be a CCG, which is what eccg.csv lists.
func CommissionerKind(code, name string) registry.Kind {
	n := strings.ToUpper(strings.TrimSpace(name))
	if pctCode.MatchString(code) || strings.HasSuffix(n, " PCT") || strings.Contains(n, "PRIMARY CARE TRUST") {
		return registry.KindPCT
	}
	return registry.KindCCG
}

// statusOf is the row's status, or, when the file leaves it blank (as eccg
// and eauth do), closed when a close date is given and active otherwise.
func statusOf(r Record) registry.Status {
	switch {
	case r.Status != "":
		return r.Status
	case !r.Closed.IsZero():
		return registry.StatusClosed
	}
	return registry.StatusActive
}

// Load implements importing.Handler.
func (h *Commissioners) Load(ctx context.Context, src *importing.Source, rec *importing.Recorder) error {
	rd := NewReader(src, "an ODS commissioner file (eccg.csv)")
	source := h.Kind() + " " + src.Name
	pcts := 0
	for {
		r, rej, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		rec.Row()
		if rej != nil {
			rec.Reject(*rej)
			continue
		}
		code, err := field.Code(r.Code, "commissioner code", 3, 5)
		if err != nil {
			rec.Reject(rd.Rejection(ColCode, err.Error()))
			continue
		}
		o := registry.Organisation{
			Code: code, Name: r.Name, Kind: CommissionerKind(code, r.Name), Address: r.Address, Postcode: r.Postcode,
			Phone: r.Phone, Opened: r.Opened, Closed: r.Closed, Status: statusOf(r), Setting: r.Setting, Source: source,
		}
		var rel registry.Relationship
		if r.HealthGeography != "" {
			parent, err := field.Code(r.HealthGeography, "area team code", 3, 5)
			if err != nil {
				rec.Reject(rd.Rejection(ColHealthGeography, err.Error()))
				continue
			}
			rel = membership(code, parent, registry.RelAccountableTo, r.Opened, r.Opened, r.Closed, r.Closed, source)
		}
		n, err := storeWithParent(ctx, h.reg, o, rel)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", src.Name, r.Line, err)
		}
		rec.Accept(n)
		if o.Kind == registry.KindPCT {
			pcts++
		}
	}
	if pcts > 0 {
		rec.Note("%d rows are primary care trusts (codes starting 5 or T, or names ending PCT) and were stored as such, not as CCGs", pcts)
	}
	return nil
}

// storeWithParent saves an organisation and, when rel names a parent, its
// relationship, and returns how many records changed.
func storeWithParent(ctx context.Context, reg *registry.Service, o registry.Organisation, rel registry.Relationship) (int, error) {
	n := 0
	c, err := reg.RecordOrganisation(ctx, o)
	if err != nil {
		return 0, err
	}
	if c {
		n++
	}
	if rel.Parent == "" {
		return n, nil
	}
	c, err = reg.RecordRelationship(ctx, rel)
	if err != nil {
		return 0, err
	}
	if c {
		n++
	}
	return n, nil
}
