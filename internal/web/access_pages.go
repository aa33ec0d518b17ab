package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"ccg/internal/access"
	"ccg/internal/importing"
)

// maxStaffUpload bounds the bulk staff CSV upload.
const maxStaffUpload = 5 << 20

func (s *Server) accessService() (*access.Service, error) {
	if s.deps.Access == nil {
		return nil, statusError(http.StatusServiceUnavailable, "Sign-in is not set up on this server.")
	}
	return s.deps.Access, nil
}

// loginVM is the sign-in page.
type loginVM struct {
	Next    string `json:"next"`
	Email   string `json:"email"`
	Error   string `json:"error,omitempty"`
	CSRF    string `json:"-"`
	OIDC    bool   `json:"oidc"`
	Already *access.Person
}

// safeNext keeps a post-sign-in destination on this site.
func safeNext(n string) string {
	if n == "" || !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") || strings.HasPrefix(n, "/\\") || strings.ContainsAny(n, "\r\n") {
		return "/"
	}
	return n
}

func (s *Server) loginView(r *http.Request) (any, error) {
	return loginVM{Next: safeNext(r.URL.Query().Get("next")), CSRF: csrfFor(r), OIDC: s.deps.OIDC != nil, Already: personFrom(r)}, nil
}

// loginPost checks the form's email and password, starts a new session
// (ending any the browser had, so the session ID is always renewed) and
// sends the browser on.
func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) error {
	acc, err := s.accessService()
	if err != nil {
		return err
	}
	email, pw := r.PostFormValue("email"), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	p, err := acc.SignIn(r.Context(), email, pw, access.ClientIP(r.Context()))
	if err != nil {
		status, msg := http.StatusUnauthorized, "The email address or password is not right."
		switch {
		case access.IsThrottled(err):
			status, msg = http.StatusTooManyRequests, "Too many failed sign-ins. Wait 15 minutes and try again."
			w.Header().Set("Retry-After", "900")
		case !isUnauthenticated(err):
			return err
		}
		if len(email) > 254 {
			email = email[:254]
		}
		return s.render(w, r, status, "access/login", loginVM{Next: next, Email: email, Error: msg, CSRF: csrfFor(r), OIDC: s.deps.OIDC != nil}, "")
	}
	return s.startSession(w, r, p, "password", next)
}

func (s *Server) startSession(w http.ResponseWriter, r *http.Request, p *access.Person, method, next string) error {
	acc := s.deps.Access
	if c, err := r.Cookie(sessionCookie); err == nil {
		_ = acc.EndSession(r.Context(), c.Value)
	}
	id, sess, err := acc.StartSession(r.Context(), p, access.SessionMeta{IP: access.ClientIP(r.Context()), UserAgent: r.UserAgent(), Method: method})
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: secureRequest(r), Expires: sess.Expires})
	clearCookie(w, r, csrfCookie)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) logoutPost(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil && s.deps.Access != nil {
		if err := s.deps.Access.EndSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	clearCookie(w, r, sessionCookie)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// accountVM is the account page.
type accountVM struct {
	Person *access.Person `json:"person"`
	Tokens []access.Token `json:"tokens"`
	Roles  []string       `json:"roles"`
	CSRF   string         `json:"-"`
	Admin  bool           `json:"-"`
}

func (s *Server) accountView(r *http.Request) (any, error) {
	acc, err := s.accessService()
	if err != nil {
		return nil, err
	}
	p := personFrom(r)
	ts, err := acc.Tokens(r.Context(), p, p.Email)
	if err != nil {
		return nil, err
	}
	vm := accountVM{Person: p, Tokens: ts, CSRF: csrfFor(r), Admin: access.Allowed(p, access.ActPeopleView)}
	for _, role := range p.Roles {
		vm.Roles = append(vm.Roles, role.Label())
	}
	return vm, nil
}

// doneVM reports a completed change with a link onwards.
type doneVM struct {
	Message string `json:"message"`
	Back    string `json:"back"`
}

func (s *Server) passwordView(r *http.Request) (any, error) {
	acc, err := s.accessService()
	if err != nil {
		return nil, err
	}
	if err := acc.ChangePassword(r.Context(), personFrom(r), r.PostFormValue("current"), r.PostFormValue("new")); err != nil {
		return nil, err
	}
	return doneVM{Message: "Your password has been changed. Sign in again with the new one.", Back: "/login"}, nil
}

// secretVM shows a secret once (a new token or password).
type secretVM struct {
	Title   string `json:"-"`
	Message string `json:"message"`
	Secret  string `json:"secret"`
	Back    string `json:"back"`
}

func (s *Server) tokenCreateView(r *http.Request) (any, error) {
	acc, err := s.accessService()
	if err != nil {
		return nil, err
	}
	p := personFrom(r)
	secret, t, err := acc.CreateToken(r.Context(), p, p.Email, r.PostFormValue("name"))
	if err != nil {
		return nil, err
	}
	return secretVM{Title: "Your new API token", Message: fmt.Sprintf("Token %q (number %d). Copy it now: it will not be shown again. Send it as \"Authorization: Bearer TOKEN\".", t.Name, t.ID),
		Secret: secret, Back: "/account"}, nil
}

func (s *Server) tokenRevokeView(r *http.Request) (any, error) {
	acc, err := s.accessService()
	if err != nil {
		return nil, err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, notFound("There is no token %q.", r.PathValue("id"))
	}
	if err := acc.RevokeToken(r.Context(), personFrom(r), id); err != nil {
		return nil, err
	}
	return doneVM{Message: fmt.Sprintf("Token %d has been revoked.", id), Back: "/account"}, nil
}

// peopleVM is the administrators' list of people.
type peopleVM struct {
	People        []access.Person           `json:"people"`
	Roles         []access.Role             `json:"-"`
	Professionals []access.ProfessionalRole `json:"-"`
	CSRF          string                    `json:"-"`
	CanAdmin      bool                      `json:"-"`
	Self          int64                     `json:"-"`
}

func (s *Server) peopleView(r *http.Request) (any, error) {
	acc, err := s.accessService()
	if err != nil {
		return nil, err
	}
	p := personFrom(r)
	ps, err := acc.People(r.Context(), p)
	if err != nil {
		return nil, err
	}
	return peopleVM{People: ps, Roles: access.Roles, Professionals: access.ProfessionalRoles, CSRF: csrfFor(r),
		CanAdmin: access.Allowed(p, access.ActPeopleAdmin), Self: p.ID}, nil
}

func formList(r *http.Request, name string) []string {
	var out []string
	for _, v := range r.PostForm[name] {
		out = append(out, strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == ';' || c == ' ' })...)
	}
	return out
}

func (s *Server) personAddView(r *http.Request) (any, error) {
	acc, err := s.accessService()
	if err != nil {
		return nil, err
	}
	if err := r.ParseForm(); err != nil {
		return nil, invalid("The form could not be read.")
	}
	np := access.NewPerson{Name: r.PostFormValue("name"), Email: r.PostFormValue("email"),
		Practices: formList(r, "practices"), Localities: formList(r, "localities")}
	for _, v := range r.PostForm["roles"] {
		role, err := access.ParseRole(v)
		if err != nil {
			return nil, err
		}
		np.Roles = append(np.Roles, role)
	}
	if v := r.PostFormValue("professional"); v != "" {
		if np.Professional, err = access.ParseProfessionalRole(v); err != nil {
			return nil, err
		}
	}
	if np.Password, err = access.NewPassphrase(); err != nil {
		return nil, err
	}
	p, err := acc.AddPerson(r.Context(), personFrom(r), np)
	if err != nil {
		return nil, err
	}
	return secretVM{Title: "Person added", Message: fmt.Sprintf("%s <%s> can now sign in with this password (shown once: pass it on safely).", p.Name, p.Email),
		Secret: np.Password, Back: "/admin/people"}, nil
}

func (s *Server) disableView(disabled bool) View {
	return func(r *http.Request) (any, error) {
		acc, err := s.accessService()
		if err != nil {
			return nil, err
		}
		p, err := acc.SetDisabled(r.Context(), personFrom(r), r.PathValue("email"), disabled)
		if err != nil {
			return nil, err
		}
		msg := p.Email + " can sign in again."
		if disabled {
			msg = p.Email + " is disabled and has been signed out everywhere."
		}
		return doneVM{Message: msg, Back: "/admin/people"}, nil
	}
}

func (s *Server) resetView(r *http.Request) (any, error) {
	acc, err := s.accessService()
	if err != nil {
		return nil, err
	}
	pw, err := acc.ResetPassword(r.Context(), personFrom(r), r.PathValue("email"), "")
	if err != nil {
		return nil, err
	}
	return secretVM{Title: "Password reset", Message: "The new password of " + strings.ToLower(r.PathValue("email")) + " (shown once: pass it on safely). Their sessions have ended.",
		Secret: pw, Back: "/admin/people"}, nil
}

// importVM is the result of a bulk staff upload.
type importVM struct {
	Summary importing.Summary `json:"summary"`
}

// staffImportView reads an uploaded staff CSV (form field "file") with the
// same import code as 'ccg user import'.
func (s *Server) staffImportView(r *http.Request) (any, error) {
	summary, err := s.importUpload(r, access.StaffKind, maxStaffUpload)
	if err != nil {
		return nil, err
	}
	return importVM{Summary: summary}, nil
}

// importUpload imports the uploaded file in form field "file" as kind,
// refusing uploads over max bytes. The import runs as the signed-in person.
func (s *Server) importUpload(r *http.Request, kind string, max int64) (importing.Summary, error) {
	if r.ContentLength > max {
		return importing.Summary{}, statusError(http.StatusRequestEntityTooLarge, fmt.Sprintf("The file is too large: the limit is %d MB.", max>>20))
	}
	if r.MultipartForm == nil {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return importing.Summary{}, statusError(http.StatusRequestEntityTooLarge, "The file is too large.")
			}
			return importing.Summary{}, invalid("Choose a CSV file to upload.")
		}
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return importing.Summary{}, invalid("Choose a CSV file to upload.")
	}
	defer f.Close()
	if hdr.Size > max {
		return importing.Summary{}, statusError(http.StatusRequestEntityTooLarge, fmt.Sprintf("The file is too large: the limit is %d MB.", max>>20))
	}
	name := strings.Map(safeFileRune, hdr.Filename)
	if name == "" {
		name = "upload.csv"
	}
	sum, err := s.deps.Imports.Import(r.Context(), kind, name, f, hdr.Size, importing.Options{Actor: personFrom(r).Email})
	var fe *importing.FileError
	if errors.As(err, &fe) {
		// The file is not what it should be: say where, as the CLI does.
		return importing.Summary{}, invalid("%s", fe.Error())
	}
	return sum, err
}

// auditVM is the audit log page.
type auditVM struct {
	Verify  access.VerifyResult `json:"verify"`
	Entries []access.AuditEntry `json:"entries"`
	After   int64               `json:"after"`
	Next    string              `json:"next,omitempty"`
	Earlier string              `json:"earlier,omitempty"`
}

// auditPage is how many entries the audit page lists.
const auditPage = 200

func (s *Server) auditView(r *http.Request) (any, error) {
	acc, err := s.accessService()
	if err != nil {
		return nil, err
	}
	p := personFrom(r)
	res, err := acc.VerifyAudit(r.Context(), p, nil)
	if err != nil {
		return nil, err
	}
	// Without ?after= the page shows the newest entries of an intact log.
	after := max(0, res.HeadSeq-auditPage)
	if q := r.URL.Query().Get("after"); q != "" || !res.OK() {
		after, _ = strconv.ParseInt(q, 10, 64)
	}
	es, err := acc.AuditLog(r.Context(), p, after, auditPage)
	if err != nil {
		return nil, err
	}
	vm := auditVM{Verify: res, Entries: es, After: after}
	if len(es) == auditPage {
		vm.Next = "/admin/audit?after=" + url.QueryEscape(strconv.FormatInt(es[len(es)-1].Seq, 10))
	}
	if after > 0 {
		vm.Earlier = "/admin/audit?after=" + strconv.FormatInt(max(0, after-auditPage), 10)
	}
	return vm, nil
}

// policyVM is the authorisation policy, published for everyone to read.
type policyVM struct {
	Roles []access.Role      `json:"roles"`
	Rows  []access.PolicyRow `json:"rows"`
}

func (s *Server) policyView(*http.Request) (any, error) {
	return policyVM{Roles: access.TableRoles(), Rows: access.Policy()}, nil
}
