package ods

import (
	"context"
	"fmt"
	"io"
	"strings"

	"ccg/internal/calendar"
	"ccg/internal/formats/internal/field"
	"ccg/internal/importing"
	"ccg/internal/registry"
)

// SettingGPPractice is the prescribing setting of a GP practice, and
// RoleGPPractice the ODS role id that newer downloads write instead.
const (
	SettingGPPractice = "4"
	RoleGPPractice    = "RO76"
)

// GroupingWales is the national grouping of Welsh organisations.
const GroupingWales = "W00"

// Practices imports epraccur.csv.
type Practices struct {
	reg *registry.Service
}

// NewPractices returns the "ods-practices" handler: it reads epraccur.csv
// (GP practices and other prescribing cost centres in England and Wales),
// stores each as a practice (prescribing setting 4, or role RO76) or another
// prescribing setting, and records its membership of its commissioner
// (column 15, or column 24 when 15 is blank) from the join date (or the open
// date) to the left date (or the close date).
func NewPractices(reg *registry.Service) importing.Handler { return &Practices{reg: reg} }

// Kind implements importing.Handler.
func (h *Practices) Kind() string { return "ods-practices" }

// Describe implements importing.Handler.
func (h *Practices) Describe() string {
	return "ODS GP practices and other prescribing settings, England and Wales (epraccur.csv)"
}

// IsGPPractice reports whether a prescribing setting marks a GP practice.
func IsGPPractice(setting string) bool {
	s := strings.ToUpper(strings.TrimSpace(setting))
	return s == SettingGPPractice || s == RoleGPPractice
}

// Load implements importing.Handler.
func (h *Practices) Load(ctx context.Context, src *importing.Source, rec *importing.Recorder) error {
	rd := NewReader(src, "an ODS practice file (epraccur.csv)")
	source := h.Kind() + " " + src.Name
	var welsh, welshGP, viaPurchaser int
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
		o, rel, fallback, rej := h.check(rd, r, source)
		if rej != nil {
			rec.Reject(*rej)
			continue
		}
		changed, err := storeWithParent(ctx, h.reg, o, rel)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", src.Name, r.Line, err)
		}
		rec.Accept(changed)
		if fallback {
			viaPurchaser++
		}
		if r.NationalGrouping == GroupingWales {
			welsh++
			if o.Kind == registry.KindPractice {
				welshGP++
			}
		}
	}
	if welsh > 0 {
		rec.Note("%d Welsh organisations (national grouping W00) imported: %d as GP practices and %d as other prescribing settings "+
			"(Welsh rows leave the prescribing setting at 0, so Welsh GP practices cannot be told from other settings)", welsh, welshGP, welsh-welshGP)
	}
	if viaPurchaser > 0 {
		rec.Note("%d organisations have no commissioner in column 15; the provider/purchaser in column 24 was used as their parent "+
			"(these are mostly in the Channel Islands and the Isle of Man)", viaPurchaser)
	}
	return nil
}

// check turns a row into the organisation and membership to store, or a
// rejection. fallback reports that the parent came from column 24.
func (h *Practices) check(rd *Reader, r Record, source string) (o registry.Organisation, rel registry.Relationship, fallback bool, rej *importing.Rejection) {
	fail := func(col int, reason string) (registry.Organisation, registry.Relationship, bool, *importing.Rejection) {
		x := rd.Rejection(col, reason)
		return registry.Organisation{}, registry.Relationship{}, false, &x
	}
	code, err := field.PracticeCode(r.Code)
	if err != nil {
		return fail(ColCode, err.Error())
	}
	if r.Status == "" {
		return fail(ColStatus, fmt.Sprintf("%s has no status; a practice file gives A (active), C (closed), D (dormant) or P (proposed)", code))
	}
	kind := registry.KindPrescriber
	if IsGPPractice(r.Setting) {
		kind = registry.KindPractice
	}
	o = registry.Organisation{
		Code: code, Name: r.Name, Kind: kind, Address: r.Address, Postcode: r.Postcode, Phone: r.Phone,
		Opened: r.Opened, Closed: r.Closed, Status: r.Status, Setting: r.Setting, Source: source,
	}
	parent, col := r.Commissioner, ColCommissioner
	if parent == "" && r.Purchaser != "" {
		parent, col, fallback = r.Purchaser, ColPurchaser, true
	}
	if parent == "" {
		return o, registry.Relationship{}, false, nil
	}
	if parent, err = field.Code(parent, "commissioner code", 3, 5); err != nil {
		return fail(col, err.Error())
	}
	rel = membership(code, parent, registry.RelMemberOf, r.Joined, r.Opened, r.Left, r.Closed, source)
	if !rel.To.IsZero() && !rel.From.IsZero() && rel.To.Before(rel.From) {
		endCol := ColLeft
		if r.Left.IsZero() {
			endCol = ColClosed
		}
		return fail(endCol, fmt.Sprintf("%s would leave %s on %s, before it joins on %s", code, parent, rel.To, rel.From))
	}
	return o, rel, fallback, nil
}

// membership builds a relationship that starts on joined (or, when the file
// gives no join date, opened) and ends on left (or, when the file gives no
// left date but the child has closed, on its close date).
func membership(child, parent string, kind registry.RelationKind, joined, opened, left, closed calendar.Date, source string) registry.Relationship {
	from, to := joined, left
	if from.IsZero() {
		from = opened
	}
	if to.IsZero() {
		to = closed
	}
	return registry.Relationship{Child: child, Parent: parent, Kind: kind, From: from, To: to, Source: source}
}
