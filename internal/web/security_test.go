package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"ccg/internal/access"
	"ccg/internal/importing"
)

// asRole sends a GET as role (public: nobody signed in), through the
// world's real handler.
func (w *accessWorld) asRole(t *testing.T, role access.Role, target string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	if role != access.RolePublic {
		if isAPIPath(target) {
			req.Header.Set("Authorization", "Bearer "+w.token[role])
		} else {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: w.session[role]})
		}
	}
	rec := httptest.NewRecorder()
	w.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// TestImportsPagesKeepPersonalData replays the attack of issue 13 item 4:
// the public read the rejected rows of a people import, with names and
// e-mail addresses, at /imports/{id}. Import runs are now for the roles
// that import, and the rows of files holding personal data only for people
// administrators.
func TestImportsPagesKeepPersonalData(t *testing.T) {
	for engine, open := range storeEngines(t) {
		t.Run(engine, func(t *testing.T) {
			w := newAccessWorld(t, open(t))
			admin := w.people[access.RoleAdmin]
			ctx := access.WithActor(context.Background(), admin)
			file := "name,email,professional_role,practices,roles\nLeaky Person,leaky.person@example.nhs.uk,,A1,wizard\n"
			sum, err := w.srv.deps.Imports.Import(ctx, access.StaffKind, "staff.csv", strings.NewReader(file), int64(len(file)), importing.Options{Actor: admin.Email})
			if err != nil {
				t.Fatal(err)
			}
			id := sum.ID
			for _, target := range []string{fmt.Sprintf("/imports/%d", id), fmt.Sprintf("/api/v1/imports/%d", id), "/imports", "/api/v1/imports"} {
				for _, role := range []access.Role{access.RolePublic, access.RolePracticeMember, access.RoleGovSecretary, access.RoleFinance} {
					rec := w.asRole(t, role, target)
					if rec.Code == http.StatusOK || strings.Contains(rec.Body.String(), "leaky.person") {
						t.Errorf("%s as %s: status %d, want refused", target, role, rec.Code)
					}
				}
			}
			for _, tc := range []struct {
				role access.Role
				sees bool
			}{{access.RoleAnalyst, false}, {access.RoleAdmin, true}} {
				for _, target := range []string{fmt.Sprintf("/imports/%d", id), fmt.Sprintf("/api/v1/imports/%d", id)} {
					rec := w.asRole(t, tc.role, target)
					if rec.Code != http.StatusOK {
						t.Fatalf("%s as %s: status %d", target, tc.role, rec.Code)
					}
					body := rec.Body.String()
					if got := strings.Contains(body, "leaky.person") || strings.Contains(body, "Leaky Person"); got != tc.sees {
						t.Errorf("%s as %s: shows the person = %v, want %v", target, tc.role, got, tc.sees)
					}
					if !strings.Contains(body, "staff.csv") {
						t.Errorf("%s as %s: the run itself is missing", target, tc.role)
					}
				}
			}
		})
	}
}
