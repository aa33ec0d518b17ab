package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/governance"
	"ccg/internal/importing"
	"ccg/internal/registry"
)

// wireGovernance builds the governance service over the opened stores (a.governance).
func (a *app) wireGovernance(ctx context.Context) error {
	a.governance = governance.NewService(a.sql, accessAuditor{a.access}, accessEntitlement{a.sql},
		registryRoster{reg: a.registry, gov: a.sql})
	if a.mail != nil {
		a.governance.SetNotifier(mailNotifier{a})
	}
	return nil
}

// governanceHandlers returns the import handlers of the governance
// capability: a constitution (JSON, as governance.ParseConstitution reads)
// and a register of interests kept as a spreadsheet (CSV).
func (a *app) governanceHandlers() []importing.Handler {
	return []importing.Handler{constitutionImport{a}, interestsImport{a}}
}

// constitutionImport adopts a constitution file as the next version.
type constitutionImport struct{ a *app }

// Kind implements importing.Handler.
func (constitutionImport) Kind() string { return "governance-constitution" }

// Describe implements importing.Handler.
func (constitutionImport) Describe() string {
	return "the CCG's constitution as JSON (bodies, quorum and voting rules, scheme of delegation); adopted as the next version"
}

// maxConstitution bounds a constitution file.
const maxConstitution = 4 << 20

// Load implements importing.Handler.
func (h constitutionImport) Load(ctx context.Context, src *importing.Source, rec *importing.Recorder) error {
	if h.a.governance == nil {
		return errors.New("governance-constitution: no governance service")
	}
	data, err := io.ReadAll(io.LimitReader(src.Reader(), maxConstitution+1))
	if err != nil {
		return fmt.Errorf("governance-constitution: read %s: %w", src.Name, err)
	}
	if len(data) > maxConstitution {
		return src.Errorf(0, 0, "a constitution is a JSON file of at most %d bytes", maxConstitution)
	}
	rec.Row()
	c, err := governance.ParseConstitution(data)
	if err != nil {
		return &importing.FileError{File: src.Name, Err: err}
	}
	if cur, err := h.a.governance.Constitution(ctx, 0); err == nil && len(governance.Diff(cur, c)) == 0 {
		rec.Accept(0)
		rec.Note("the constitution is the same as version %d: nothing adopted", cur.Version.Number)
		return nil
	}
	c.Version.Number, c.Version.Changes = 0, nil
	var by int64
	if p := access.ActorFrom(ctx); p != nil {
		by = p.ID
	}
	got, err := h.a.governance.AdoptConstitution(ctx, by, c)
	if err != nil {
		return fmt.Errorf("governance-constitution: %w", err)
	}
	rec.Accept(1)
	rec.Note("adopted as version %d with %d changes", got.Version.Number, len(got.Version.Changes))
	return nil
}

// interestsImport reads a register of interests kept as a spreadsheet:
// email,kind,organisation,organisation_name,description,from,to,declared,managed
// (any column order; kind as governance.InterestKind; dates YYYY-MM-DD).
// A row for the same person, kind, organisation and start date replaces
// the entry already held.
type interestsImport struct{ a *app }

// Kind implements importing.Handler.
func (interestsImport) Kind() string { return "register-of-interests" }

// PersonalData reports that registers of interests name people by e-mail.
func (interestsImport) PersonalData() bool { return true }

// Describe implements importing.Handler.
func (interestsImport) Describe() string {
	return "a register of interests (CSV: email,kind,organisation,organisation_name,description,from,to,declared,managed)"
}

var interestColumns = []string{"email", "kind", "organisation", "organisation_name", "description", "from", "to", "declared", "managed"}

// Load implements importing.Handler.
func (h interestsImport) Load(ctx context.Context, src *importing.Source, rec *importing.Recorder) error {
	if h.a.governance == nil {
		return errors.New("register-of-interests: no governance service")
	}
	r := importing.NewCSV(src)
	head, err := r.Read()
	if err != nil {
		return err
	}
	col := map[string]int{}
	for i, name := range head {
		col[strings.ToLower(strings.TrimSpace(name))] = i
	}
	for _, need := range []string{"email", "kind", "organisation", "from"} {
		if _, ok := col[need]; !ok {
			return r.Errorf(0, "the header has no %q column (expected %s)", need, strings.Join(interestColumns, ","))
		}
	}
	field := func(row []string, name string) (string, int) {
		i, ok := col[name]
		if !ok || i >= len(row) {
			return "", -1
		}
		return strings.TrimSpace(row[i]), i
	}
	var by int64
	if p := access.ActorFrom(ctx); p != nil {
		by = p.ID
	}
	for {
		row, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		rec.Row()
		email, ei := field(row, "email")
		p, err := h.a.sql.PersonByEmail(ctx, strings.ToLower(email))
		if err != nil {
			rec.Reject(r.Rejection(ei, "email", fmt.Sprintf("nobody with the email %q can sign in to ccg: add them first", email)))
			continue
		}
		in := governance.Interest{Person: p.ID, Name: p.Name}
		kind, ki := field(row, "kind")
		in.Kind = governance.InterestKind(strings.ToLower(kind))
		if !in.Kind.Valid() {
			rec.Reject(r.Rejection(ki, "kind", fmt.Sprintf("%q is not a kind of interest (financial, non-financial-professional, non-financial-personal, indirect)", kind)))
			continue
		}
		in.Organisation, _ = field(row, "organisation")
		in.OrganisationName, _ = field(row, "organisation_name")
		in.Description, _ = field(row, "description")
		in.Managed, _ = field(row, "managed")
		bad := false
		for _, d := range []struct {
			name string
			dst  *calendar.Date
		}{{"from", &in.From}, {"to", &in.To}, {"declared", &in.Declared}} {
			v, i := field(row, d.name)
			if v == "" {
				continue
			}
			if *d.dst, err = calendar.ParseDate(v); err != nil {
				rec.Reject(r.Rejection(i, d.name, fmt.Sprintf("%q is not a date (YYYY-MM-DD)", v)))
				bad = true
				break
			}
		}
		if bad {
			continue
		}
		if err := in.Validate(); err != nil {
			rec.Reject(r.Rejection(0, "", err.Error()))
			continue
		}
		held, err := h.a.sql.Interests(ctx, p.ID)
		if err != nil {
			return fmt.Errorf("register-of-interests: %w", err)
		}
		same := false
		for _, o := range held {
			if o.Kind == in.Kind && strings.EqualFold(o.Organisation, in.Organisation) && o.From == in.From {
				in.ID = o.ID
				if in.Declared.IsZero() {
					in.Declared = o.Declared
				}
				same = fmt.Sprintf("%v", o) == fmt.Sprintf("%v", in)
			}
		}
		if same {
			rec.Accept(0)
			continue
		}
		if _, _, err := h.a.governance.DeclareInterest(ctx, by, in); err != nil {
			return fmt.Errorf("register-of-interests: line %d: %w", r.Line(), err)
		}
		rec.Accept(1)
	}
}

// accessAuditor writes governance changes to the access package's
// hash-chained audit log, as the person the context carries.
type accessAuditor struct{ access *access.Service }

// Record implements governance.Auditor.
func (x accessAuditor) Record(ctx context.Context, action, subject, detail string) error {
	return x.access.Record(ctx, access.ActorFrom(ctx), "governance."+action, subject, detail)
}

// accessEntitlement says a person may act for a practice when they are an
// enabled practice member linked to it (its partners, salaried GPs and
// practice manager, as people and roles records them).
type accessEntitlement struct{ store access.Store }

// MayActFor implements governance.Entitlement.
func (x accessEntitlement) MayActFor(ctx context.Context, person governance.PersonID, practice string, _ time.Time) (bool, error) {
	p, err := x.store.Person(ctx, person)
	if errors.Is(err, errs.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("entitlement of person %d: %w", person, err)
	}
	return !p.Disabled && slices.Contains(p.Roles, access.RolePracticeMember) && slices.Contains(p.Practices, practice), nil
}

// registryRoster takes the practices a body of practices is made of from
// the registry: the member council is every member practice of the
// constitution's CCG, a locality group the practices of its locality. List
// sizes are the latest month's all-ages totals on or before the date.
type registryRoster struct {
	reg *registry.Service
	gov governance.ConstitutionStore
}

// Practices implements governance.Roster.
func (x registryRoster) Practices(ctx context.Context, b governance.Body, on calendar.Date) ([]governance.Entitled, error) {
	var orgs []registry.Organisation
	switch {
	case b.AllMemberPractices:
		c, err := x.gov.Constitution(ctx, 0)
		if err != nil {
			return nil, fmt.Errorf("roster of %s: %w", b.ID, err)
		}
		ms, err := x.reg.MembersAt(ctx, c.CCG, on, false)
		if err != nil {
			return nil, fmt.Errorf("roster of %s: %w", b.ID, err)
		}
		for _, m := range ms {
			orgs = append(orgs, m.Organisation)
		}
	case b.Locality != "":
		ps, err := x.reg.LocalityPractices(ctx, b.Locality, on)
		if err != nil {
			return nil, fmt.Errorf("roster of %s: %w", b.ID, err)
		}
		orgs = ps
	default:
		return nil, nil
	}
	sizes, err := x.listSizes(ctx, on)
	if err != nil {
		return nil, fmt.Errorf("roster of %s: %w", b.ID, err)
	}
	out := make([]governance.Entitled, 0, len(orgs))
	for _, o := range orgs {
		if o.Kind != registry.KindPractice {
			continue
		}
		out = append(out, governance.Entitled{Practice: o.Code, Name: o.Name, ListSize: sizes[o.Code]})
	}
	slices.SortFunc(out, func(p, q governance.Entitled) int {
		switch {
		case p.Practice < q.Practice:
			return -1
		case p.Practice > q.Practice:
			return 1
		}
		return 0
	})
	return out, nil
}

// listSizes returns each practice's registered patients (all ages, both
// sexes) in the latest month held on or before on.
func (x registryRoster) listSizes(ctx context.Context, on calendar.Date) (map[string]int64, error) {
	st := x.reg.Store()
	months, err := st.ListSizeMonths(ctx)
	if err != nil {
		return nil, err
	}
	var month calendar.Month
	for _, m := range months {
		if m.String() <= on.Month().String() {
			month = m
		}
	}
	out := map[string]int64{}
	if month.IsZero() {
		return out, nil
	}
	rows, err := st.ListSizesForMonth(ctx, month)
	if err != nil {
		return nil, err
	}
	all, parts := map[string]int64{}, map[string]int64{}
	for _, r := range rows {
		switch {
		case r.Sex == registry.SexAll && r.AgeBand == registry.AgeAll:
			all[r.Practice] += int64(r.Patients)
		case r.Sex != registry.SexAll && r.AgeBand != registry.AgeAll:
			parts[r.Practice] += int64(r.Patients)
		}
	}
	for p, n := range parts {
		out[p] = n
	}
	for p, n := range all {
		out[p] = n
	}
	return out, nil
}
