package ods

import (
	"context"
	"fmt"
	"io"

	"ccg/internal/formats/internal/field"
	"ccg/internal/importing"
	"ccg/internal/registry"
)

// Regions imports eauth.csv.
type Regions struct {
	reg *registry.Service
}

// NewRegions returns the "ods-regions" handler: it reads eauth.csv (the
// standard layout) and stores codes starting Y as NHS England regions, codes
// starting Q as area teams (accountable to the region in column 3), and
// one-letter codes as the government office regions that preceded them.
// Rows for other bodies (W00 NHS Wales Informatics Service, W01 Welsh
// Government) are rejected with that reason.
func NewRegions(reg *registry.Service) importing.Handler { return &Regions{reg: reg} }

// Kind implements importing.Handler.
func (h *Regions) Kind() string { return "ods-regions" }

// Describe implements importing.Handler.
func (h *Regions) Describe() string {
	return "ODS NHS England regions, area teams and government office regions (eauth.csv)"
}

// RegionKind returns the kind of an eauth.csv code, or false when the code
// is none of a region (Y..), an area team (Q..) or a government office
// region (one letter).
func RegionKind(code string) (registry.Kind, bool) {
	switch {
	case len(code) == 1 && code[0] >= 'A' && code[0] <= 'Z':
		return registry.KindRegion, true
	case len(code) == 3 && code[0] == 'Y':
		return registry.KindRegion, true
	case len(code) == 3 && code[0] == 'Q':
		return registry.KindAreaTeam, true
	}
	return "", false
}

// Load implements importing.Handler.
func (h *Regions) Load(ctx context.Context, src *importing.Source, rec *importing.Recorder) error {
	rd := NewReader(src, "an ODS regions file (eauth.csv)")
	source := h.Kind() + " " + src.Name
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
		code, err := field.Code(r.Code, "code", 1, 3)
		if err != nil {
			rec.Reject(rd.Rejection(ColCode, err.Error()))
			continue
		}
		kind, ok := RegionKind(code)
		if !ok {
			rec.Reject(rd.Rejection(ColCode, fmt.Sprintf("%s (%s) is not an NHS England region (Y..), area team (Q..) "+
				"or government office region (one letter), so it is not imported", code, r.Name)))
			continue
		}
		o := registry.Organisation{
			Code: code, Name: r.Name, Kind: kind, Address: r.Address, Postcode: r.Postcode, Phone: r.Phone,
			Opened: r.Opened, Closed: r.Closed, Status: statusOf(r), Source: source,
		}
		var rel registry.Relationship
		if kind == registry.KindAreaTeam && r.NationalGrouping != "" {
			parent, err := field.Code(r.NationalGrouping, "region code", 1, 3)
			if err != nil {
				rec.Reject(rd.Rejection(ColNationalGrouping, err.Error()))
				continue
			}
			rel = membership(code, parent, registry.RelAccountableTo, r.Opened, r.Opened, r.Closed, r.Closed, source)
		}
		n, err := storeWithParent(ctx, h.reg, o, rel)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", src.Name, r.Line, err)
		}
		rec.Accept(n)
	}
	return nil
}
