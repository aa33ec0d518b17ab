package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/finance"
	"ccg/internal/registry"
)

// TestFinancePages serves the finance pages over the real store (both
// engines) with one signed-in person per role: the published summary is
// public, budgets need finance rights, edits need the finance role, the
// anti-forgery token and a balanced change.
func TestFinancePages(t *testing.T) {
	for engine, open := range storeEngines(t) {
		t.Run(engine, func(t *testing.T) {
			w := newAccessWorld(t, open(t))
			ctx := context.Background()
			if _, err := w.store.UpsertOrganisation(ctx, registry.Organisation{Code: "99Z", Name: "NHS Demo CCG", Kind: registry.KindCCG}); err != nil {
				t.Fatal(err)
			}
			fin := w.fin
			for _, b := range []struct {
				p      finance.Programme
				annual finance.Money
			}{{finance.ProgAcute, 1200000}, {finance.ProgPrescribing, 600000}} {
				if _, err := fin.SetAnnualBudget(ctx, "test", "99Z", "", b.p, 2020, b.annual, nil, "governing body"); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := fin.SetAnnualBudget(ctx, "test", "99Z", "L1", finance.ProgCommunity, 2020, 300000, nil, "governing body"); err != nil {
				t.Fatal(err)
			}
			if _, err := w.store.PutActuals(ctx, []finance.Actual{{Org: "99Z", Period: calendar.MustMonth("2020-04"), CostCentre: "CC1",
				Programme: finance.ProgAcute, Amount: 110000, Source: "ledger test.csv"}}); err != nil {
				t.Fatal(err)
			}
			srv := w.srv
			srv.today = func() calendar.Date { return calendar.MustDate("2020-10-01") }
			h := srv.Handler()
			send := func(method, path string, role access.Role, form url.Values, csrf bool) *httptest.ResponseRecorder {
				var body *strings.Reader
				if form != nil {
					if csrf && role != access.RolePublic {
						form.Set("csrf_token", w.csrf[role])
					}
					body = strings.NewReader(form.Encode())
				} else {
					body = strings.NewReader("")
				}
				req := httptest.NewRequest(method, path, body)
				if form != nil {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				if role != access.RolePublic {
					if isAPIPath(path) {
						req.Header.Set("Authorization", "Bearer "+w.token[role])
					} else {
						req.AddCookie(&http.Cookie{Name: sessionCookie, Value: w.session[role]})
					}
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec
			}
			tests := []struct {
				name   string
				method string
				path   string
				role   access.Role
				form   url.Values
				csrf   bool
				status int
				want   []string
			}{
				{"public summary", "GET", "/finance", access.RolePublic, nil, false, 200, []string{"Money: NHS Demo CCG 2020/21", "Acute", "£12,000.00", "Forecast outturn"}},
				{"public summary as JSON", "GET", "/api/v1/finance?org=99Z&year=2020", access.RolePublic, nil, false, 200, []string{`"budget_pence": 2100000`}},
				{"public summary has no detail links", "GET", "/finance", access.RolePublic, nil, false, 200, nil},
				{"budgets need sign-in (API)", "GET", "/api/v1/budgets?year=2020", access.RolePublic, nil, false, 401, nil},
				{"budgets as finance (API) with inputs", "GET", "/api/v1/budgets?year=2020&org=99Z", access.RoleFinance, nil, false, 200,
					[]string{`"report"`, `"ledger: ledger test.csv"`, `"method": "run-rate"`}},
				{"budgets page with chart and table", "GET", "/finance/budgets?year=2020", access.RoleFinance, nil, false, 200,
					[]string{"Budget, actual and forecast", "<svg", "Show as a table", "budgets.csv", "Move budget between programmes"}},
				{"budgets not for a practice member", "GET", "/finance/budgets", access.RolePracticeMember, nil, false, 403, nil},
				{"budgets for the governing body", "GET", "/api/v1/budgets?year=2020", access.RoleGoverningBody, nil, false, 200, nil},
				{"allocations (API)", "GET", "/api/v1/allocations?year=2020", access.RoleFinance, nil, false, 200, []string{`"allocations": []`}},
				{"budgets CSV", "GET", "/finance/budgets.csv?year=2020", access.RoleFinance, nil, false, 200,
					[]string{"org,locality,year,programme,month,budget_pounds"}},
				{"edit form only for finance", "GET", "/finance/budgets/edit", access.RoleAnalyst, nil, false, 403, nil},
				{"edit form", "GET", "/finance/budgets/edit?year=2020", access.RoleFinance, nil, false, 200, []string{`name="csrf_token"`, "£21,000.00", `name="amount-community--L1"`}},
				{"edit without the anti-forgery token", "POST", "/finance/budgets/edit", access.RoleFinance,
					url.Values{"year": {"2020"}, "amount-acute": {"12100.00"}, "amount-prescribing": {"5900.00"}, "reason": {"x"}}, false, 403, nil},
				{"edit by an analyst", "POST", "/finance/budgets/edit", access.RoleAnalyst,
					url.Values{"year": {"2020"}, "amount-acute": {"12100.00"}, "amount-prescribing": {"5900.00"}, "reason": {"x"}}, true, 403, nil},
				{"unbalanced edit refused", "POST", "/finance/budgets/edit", access.RoleFinance,
					url.Values{"year": {"2020"}, "amount-acute": {"12100.00"}, "reason": {"winter"}}, true, 400,
					[]string{"There is a problem", "The changes do not balance: they add £100.00 to the year&#39;s budget", "Net change"}},
				{"an amount that is not pounds", "POST", "/finance/budgets/edit", access.RoleFinance,
					url.Values{"year": {"2020"}, "amount-acute": {"12,10.00"}, "reason": {"winter"}}, true, 400, []string{"thousands separators"}},
				{"balanced edit saved", "POST", "/finance/budgets/edit", access.RoleFinance,
					url.Values{"year": {"2020"}, "amount-acute": {"12100.00"}, "amount-prescribing": {"5900.00"}, "reason": {"winter"}}, true, 303, nil},
				{"after the edit", "GET", "/finance/budgets?year=2020&saved=1", access.RoleFinance, nil, false, 200,
					[]string{"£12,100.00", "£5,900.00", "£21,000.00", "virement by finance@test.nhs.uk: winter"}},
				{"from a locality's line to acute", "POST", "/finance/budgets/edit", access.RoleFinance,
					url.Values{"year": {"2020"}, "amount-acute": {"13100.00"}, "amount-community--L1": {"2000.00"}, "reason": {"locality"}}, true, 303, nil},
				{"locality lead sees their locality", "GET", "/api/v1/budgets?year=2020&org=99Z&locality=L1", access.RoleLocalityLead, nil, false, 200,
					[]string{`"budget_pence": 200000`}},
				{"locality lead not another locality", "GET", "/api/v1/budgets?year=2020&org=99Z&locality=L2", access.RoleLocalityLead, nil, false, 403, nil},
				{"locality lead not the whole CCG", "GET", "/api/v1/budgets?year=2020&org=99Z", access.RoleLocalityLead, nil, false, 403, nil},
				{"transfers", "GET", "/api/v1/transfers?year=2020", access.RoleFinance, nil, false, 200, []string{`"report"`}},
				{"prescribing budgets without an allocation", "GET", "/finance/prescribing?year=2020", access.RoleFinance, nil, false, 200,
					[]string{"No prescribing allocation has been made"}},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					rec := send(tc.method, tc.path, tc.role, tc.form, tc.csrf)
					body := rec.Body.String()
					if rec.Code != tc.status {
						t.Fatalf("status %d, want %d:\n%s", rec.Code, tc.status, clipBody(body))
					}
					for _, want := range tc.want {
						if !strings.Contains(body, want) {
							t.Errorf("%q not in:\n%s", want, clipBody(body))
						}
					}
					if strings.HasSuffix(tc.path, ".csv?year=2020") {
						if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename="budgets-99Z-2020.csv"` {
							t.Errorf("Content-Disposition %q", cd)
						}
					}
					if tc.name == "public summary has no detail links" && strings.Contains(body, "/finance/budgets") {
						t.Errorf("the public summary links to the budgets")
					}
					if strings.HasPrefix(tc.path, "/api/") && rec.Code == 200 && !json.Valid(rec.Body.Bytes()) {
						t.Errorf("not JSON")
					}
				})
			}
			entries, err := w.acc.AuditLog(ctx, w.people[access.RoleAdmin], 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range entries {
				if e.Event == finance.AuditVirement && e.Actor != "" && strings.Contains(e.Detail, "winter") {
					found = true
				}
			}
			if !found {
				t.Errorf("the virement is not in the audit log: %+v", entries)
			}
		})
	}
}

func clipBody(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}
