package access

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"ccg/internal/errs"
	"ccg/internal/importing"
)

// StaffKind is the import kind of the practice staff CSV.
const StaffKind = "people"

// StaffImport is the import handler for the bulk load of practice staff: a
// CSV with a header row naming the columns name, email, professional_role,
// practices and roles (practices and roles separated by ";" or spaces; roles
// default to practice-member). A person already known by email gains the
// file's practices and roles; nobody loses any. People loaded this way have
// no password until an administrator resets it or they sign in through the
// identity provider. The person importing (access.WithActor) needs
// ActPeopleAdmin.
type StaffImport struct{ s *Service }

// NewStaffImport returns the staff import handler over s.
func NewStaffImport(s *Service) *StaffImport { return &StaffImport{s: s} }

// Kind implements importing.Handler.
func (h *StaffImport) Kind() string { return StaffKind }

// PersonalData reports that staff files hold personal data (names, e-mail
// addresses), so their rejected rows are shown only to people administrators.
func (h *StaffImport) PersonalData() bool { return true }

// Describe implements importing.Handler.
func (h *StaffImport) Describe() string {
	return "practice staff CSV: name,email,professional_role,practices,roles"
}

var staffColumns = []string{"name", "email", "professional_role", "practices", "roles"}

// Load implements importing.Handler.
func (h *StaffImport) Load(ctx context.Context, src *importing.Source, rec *importing.Recorder) error {
	actor := ActorFrom(ctx)
	if err := Authorize(actor, ActPeopleAdmin, Resource{Kind: "person"}); err != nil {
		return fmt.Errorf("people import: %w", err)
	}
	c := importing.NewCSV(src)
	head, err := c.Read()
	if err == io.EOF {
		return src.Errorf(1, 0, "the file is empty: want a header row %s", strings.Join(staffColumns, ","))
	}
	if err != nil {
		return err
	}
	col := map[string]int{}
	for i, name := range head {
		col[strings.ToLower(strings.TrimSpace(strings.ReplaceAll(name, " ", "_")))] = i
	}
	for _, need := range []string{"name", "email"} {
		if _, ok := col[need]; !ok {
			return src.Errorf(1, 0, "the header has no %q column: want %s", need, strings.Join(staffColumns, ","))
		}
	}
	field := func(row []string, name string) (string, int) {
		i, ok := col[name]
		if !ok || i >= len(row) {
			return "", -1
		}
		return strings.TrimSpace(row[i]), i
	}
	added, updated := 0, 0
	for {
		row, err := c.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		rec.Row()
		np := NewPerson{}
		np.Name, _ = field(row, "name")
		email, ei := field(row, "email")
		np.Email = email
		if pr, i := field(row, "professional_role"); pr != "" {
			p, err := ParseProfessionalRole(pr)
			if err != nil {
				rec.Reject(c.Rejection(i, "professional_role", fmt.Sprintf("unknown professional role %q", pr)))
				continue
			}
			np.Professional = p
		}
		pracs, _ := field(row, "practices")
		np.Practices = splitList(pracs)
		roles, ri := field(row, "roles")
		bad := ""
		for _, r := range splitList(roles) {
			role, err := ParseRole(r)
			if err != nil {
				bad = r
				break
			}
			np.Roles = append(np.Roles, role)
		}
		if bad != "" {
			rec.Reject(c.Rejection(ri, "roles", fmt.Sprintf("unknown role %q", bad)))
			continue
		}
		if len(np.Roles) == 0 {
			np.Roles = []Role{RolePracticeMember}
		}
		if err := np.validate(); err != nil {
			i := ei
			if np.Name == "" {
				i, _ = col["name"], 0
			}
			rec.Reject(c.Rejection(i, "", strings.TrimSuffix(strings.TrimPrefix(err.Error(), "access: "), ": "+errs.ErrInvalid.Error())))
			continue
		}
		changed, isNew, err := h.upsert(ctx, actor, np)
		if err != nil {
			return c.Errorf(ei, "%v", err)
		}
		if isNew {
			added++
		} else if changed {
			updated++
		}
		n := 0
		if changed {
			n = 1
		}
		rec.Accept(n)
	}
	if added+updated > 0 {
		if err := h.s.Record(ctx, actor, AuditStaffImport, "file:"+src.Name, fmt.Sprintf("%d people added, %d updated", added, updated)); err != nil {
			return err
		}
	}
	rec.Note("%d people added, %d updated", added, updated)
	return nil
}

func (h *StaffImport) upsert(ctx context.Context, actor *Person, np NewPerson) (changed, isNew bool, err error) {
	st := h.s.store
	p, err := st.PersonByEmail(ctx, np.Email)
	if errors.Is(err, errs.ErrNotFound) {
		p = Person{Name: np.Name, Email: np.Email, Professional: np.Professional, Roles: np.Roles,
			Practices: np.Practices, Created: h.s.now().UTC()}
		if _, err := st.CreatePerson(ctx, p); err != nil {
			return false, false, err
		}
		return true, true, nil
	}
	if err != nil {
		return false, false, err
	}
	before := fmt.Sprint(p.Name, p.Professional, p.Roles, p.Practices)
	p.Name = np.Name
	if np.Professional != "" {
		p.Professional = np.Professional
	}
	p.Roles = uniq(append(p.Roles, np.Roles...))
	p.Practices = uniq(append(p.Practices, np.Practices...))
	if fmt.Sprint(p.Name, p.Professional, p.Roles, p.Practices) == before {
		return false, false, nil
	}
	return true, false, st.UpdatePerson(ctx, p)
}

func splitList(s string) []string {
	return slices.DeleteFunc(strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ' ' || r == '|' || r == ',' }),
		func(v string) bool { return v == "" })
}
