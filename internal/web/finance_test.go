package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
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

// TestFinanceForms records a handover agreement and receipts on the
// transfers page and builds an allocation from the allocations page, over
// the real store (both engines): only the finance role may, with the
// anti-forgery token; a refused form comes back with what was typed and
// the plain reason; an allocation is saved only when confirmed; every
// change is audited.
func TestFinanceForms(t *testing.T) {
	for engine, open := range storeEngines(t) {
		t.Run(engine, func(t *testing.T) {
			w := newAccessWorld(t, open(t))
			ctx := context.Background()
			for _, o := range []registry.Organisation{{Code: "99Z", Name: "NHS Demo CCG", Kind: registry.KindCCG},
				{Code: "5QA", Name: "Old PCT", Kind: registry.KindPCT}} {
				if _, err := w.store.UpsertOrganisation(ctx, o); err != nil {
					t.Fatal(err)
				}
			}
			for _, p := range []string{"A1", "A2", "B1"} {
				if _, err := w.store.PutRelationship(ctx, registry.Relationship{Child: p, Parent: "99Z", Kind: registry.RelMemberOf, From: mustDate("2013-04-01")}); err != nil {
					t.Fatal(err)
				}
			}
			var sizes []registry.ListSize
			for _, p := range []string{"A1", "A2"} { // B1 has none: the allocation warns
				for _, band := range []string{"0-4", "85+"} {
					n := 400
					if p == "A2" && band == "85+" {
						n = 50
					}
					sizes = append(sizes, registry.ListSize{Practice: p, Month: calendar.MustMonth("2020-01"), Sex: registry.SexMale, AgeBand: band, Patients: n},
						registry.ListSize{Practice: p, Month: calendar.MustMonth("2020-01"), Sex: registry.SexFemale, AgeBand: band, Patients: n})
				}
			}
			if _, err := w.store.PutListSizes(ctx, sizes); err != nil {
				t.Fatal(err)
			}
			w.srv.today = func() calendar.Date { return calendar.MustDate("2020-10-01") }
			h := w.srv.Handler()
			send := func(method, path string, role access.Role, form url.Values, csrf bool) *httptest.ResponseRecorder {
				body := ""
				if form != nil {
					if csrf && role != access.RolePublic && !isAPIPath(path) {
						form.Set("csrf_token", w.csrf[role])
					}
					body = form.Encode()
				}
				req := httptest.NewRequest(method, path, strings.NewReader(body))
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
			agreementID := func() string {
				as, err := w.fin.Store().Agreements(ctx, "99Z")
				if err != nil || len(as) == 0 {
					return "0"
				}
				return strconv.FormatInt(as[0].ID, 10)
			}
			allocations := func() int {
				as, err := w.fin.Allocations(ctx, "99Z", 2020)
				if err != nil {
					t.Fatal(err)
				}
				return len(as)
			}
			agreement := func(from, amount string) url.Values {
				return url.Values{"org": {"99Z"}, "from": {from}, "to": {"99Z"}, "description": {"Handover balance"}, "amount": {amount}, "due": {"2020-06-30"}}
			}
			receipt := func(id, amount string) func() url.Values {
				return func() url.Values {
					if id == "" {
						id = agreementID()
					}
					return url.Values{"org": {"99Z"}, "agreement": {id}, "amount": {amount}, "received": {"2020-07-15"}, "reference": {"BACS 1"}}
				}
			}
			build := func(confirm bool, pace, share string) url.Values {
				f := url.Values{"org": {"99Z"}, "year": {"2020"}, "programme": {"prescribing"}, "total": {"10000.00"}, "list_size_month": {"2020-01"},
					"weights": {""}, "pace": {pace}, "share": {share}, "years": {"3"}, "year_index": {"1"}}
				if confirm {
					f.Set("confirm", "yes")
				}
				return f
			}
			fixed := func(v url.Values) func() url.Values { return func() url.Values { return v } }
			lastCheck := "" // the fingerprint of the last allocation previewed
			checkRE := regexp.MustCompile(`name="check" value="([0-9a-f]+)"`)
			tests := []struct {
				name        string
				method      string
				path        string
				role        access.Role
				form        func() url.Values
				csrf        bool
				status      int
				want        []string
				notWant     []string
				allocations int // how many allocations are saved afterwards (-1: not checked)
			}{
				{"transfers page has the forms for finance", "GET", "/finance/transfers?org=99Z", access.RoleFinance, nil, false, 200,
					[]string{"Record an agreement", "Record a receipt", `name="csrf_token"`, `value="99Z"`}, nil, -1},
				{"no forms for an analyst", "GET", "/finance/transfers?org=99Z", access.RoleAnalyst, nil, false, 200, nil, []string{"Record an agreement"}, -1},
				{"an analyst may not record an agreement", "POST", "/finance/transfers/agreements", access.RoleAnalyst, fixed(agreement("5QA", "1000.00")), true, 403, nil, nil, -1},
				{"nor through the API", "POST", "/api/v1/transfers/agreements", access.RoleAnalyst, fixed(agreement("5QA", "1000.00")), true, 403, nil, nil, -1},
				{"no anti-forgery token", "POST", "/finance/transfers/agreements", access.RoleFinance, fixed(agreement("5QA", "1000.00")), false, 403, nil, nil, -1},
				{"unknown organisation refused, typing kept", "POST", "/finance/transfers/agreements", access.RoleFinance, fixed(agreement("XXX", "1000.00")), true, 400,
					[]string{"There is a problem", "There is no organisation with the code XXX", `value="Handover balance"`, `value="1000.00"`}, nil, -1},
				{"an amount that is not pounds", "POST", "/finance/transfers/agreements", access.RoleFinance, fixed(agreement("5QA", "lots")), true, 400,
					[]string{"The amount owed", `value="lots"`}, nil, -1},
				{"an organisation cannot owe itself", "POST", "/finance/transfers/agreements", access.RoleFinance, fixed(agreement("99Z", "1000.00")), true, 400,
					[]string{"An organisation cannot owe itself."}, nil, -1},
				{"agreement recorded", "POST", "/finance/transfers/agreements", access.RoleFinance, fixed(agreement("5QA", "1000.00")), true, 303, nil, nil, -1},
				{"the agreement is listed", "GET", "/finance/transfers?org=99Z&saved=agreement-1", access.RoleFinance, nil, false, 200,
					[]string{"Agreement 1 has been recorded", "Handover balance", "£1,000.00", "5QA owes 99Z"}, nil, -1},
				{"an analyst may not record a receipt", "POST", "/finance/transfers/receipts", access.RoleAnalyst, receipt("", "400.00"), true, 403, nil, nil, -1},
				{"overpayment refused, typing kept", "POST", "/finance/transfers/receipts", access.RoleFinance, receipt("", "1500.00"), true, 400,
					[]string{"£1,500.00 is more than the £1,000.00 outstanding on agreement", "new agreement the other way", `value="1500.00"`, `value="BACS 1"`}, nil, -1},
				{"unknown agreement refused", "POST", "/finance/transfers/receipts", access.RoleFinance, receipt("99999", "400.00"), true, 400,
					[]string{"There is no agreement 99999"}, nil, -1},
				{"receipt recorded", "POST", "/finance/transfers/receipts", access.RoleFinance, receipt("", "400.00"), true, 303, nil, nil, -1},
				{"the receipt is counted", "GET", "/api/v1/transfers?org=99Z", access.RoleFinance, nil, false, 200,
					[]string{`"received_pence": 40000`, `"outstanding_pence": 60000`}, nil, -1},
				{"receipt through the API", "POST", "/api/v1/transfers/receipts", access.RoleFinance, receipt("", "100.00"), false, 201, []string{`"receipt"`, `"amount_pence": 10000`}, nil, -1},
				{"overpayment through the API", "POST", "/api/v1/transfers/receipts", access.RoleFinance, receipt("", "600.00"), false, 400,
					[]string{"is more than the £500.00 outstanding"}, nil, -1},
				{"agreement through the API", "POST", "/api/v1/transfers/agreements", access.RoleFinance, fixed(agreement("5QA", "250.00")), false, 201,
					[]string{`"agreement"`, `"amount_pence": 25000`}, nil, -1},

				{"allocation builder for finance", "GET", "/finance/allocations/new?org=99Z&year=2020", access.RoleFinance, nil, false, 200,
					[]string{"Build an allocation", `name="csrf_token"`, `<option value="2020-01"`, "ASTRO-PU 2013 cost weights"}, nil, 0},
				{"the allocations page links to it", "GET", "/finance/allocations?org=99Z&year=2020", access.RoleFinance, nil, false, 200,
					[]string{"/finance/allocations/new?org=99Z"}, nil, 0},
				{"not for the governing body", "GET", "/finance/allocations/new?org=99Z&year=2020", access.RoleGoverningBody, nil, false, 403, nil, nil, 0},
				{"nor may it build one", "POST", "/finance/allocations/new", access.RoleGoverningBody, fixed(build(true, "years", "")), true, 403, nil, nil, 0},
				{"preview shows inputs and warnings, saves nothing", "POST", "/finance/allocations/new", access.RoleFinance, fixed(build(false, "years", "")), true, 200,
					[]string{"Check the allocation", "January 2020", "astro-pu-cost", "B1 2020-01: member practice has no list size", "year 1 of 3",
						"A1", "A2", `name="confirm" value="yes"`, `name="check" value="`, "Save this allocation"}, nil, 0},
				{"a pace the service refuses, typing kept", "POST", "/finance/allocations/new", access.RoleFinance, fixed(build(false, "gap-share", "150")), true, 400,
					[]string{"There is a problem", "percentage above 0 and up to 100", `value="10000.00"`, `value="150"`}, []string{"Check the allocation"}, 0},
				{"no list sizes for the month", "POST", "/finance/allocations/new", access.RoleFinance,
					func() url.Values { f := build(false, "none", ""); f.Set("list_size_month", "2019-01"); return f }, true, 400,
					[]string{"There is a problem", "No member practice of 99Z has list sizes for 2019-01."}, nil, 0},
				{"preview through the API", "POST", "/api/v1/allocations", access.RoleFinance, fixed(build(false, "gap-share", "50")), false, 200,
					[]string{`"saved": false`, `"quality_warnings"`}, nil, 0},
				{"a stale preview is not saved", "POST", "/finance/allocations/new", access.RoleFinance,
					func() url.Values { f := build(true, "years", ""); f.Set("check", "stale"); return f }, true, 409,
					[]string{"changed after you looked at it", "Check the allocation", `name="check" value="`}, nil, 0},
				{"confirmed allocation saved", "POST", "/finance/allocations/new", access.RoleFinance,
					func() url.Values { f := build(true, "years", ""); f.Set("check", lastCheck); return f }, true, 303, nil, nil, 1},
				{"the saved allocation", "GET", "/api/v1/allocations?org=99Z&year=2020", access.RoleFinance, nil, false, 200,
					[]string{`"created_by": "finance@test.nhs.uk"`, `"list_size_month": "2020-01"`}, nil, 1},
				{"saved through the API", "POST", "/api/v1/allocations", access.RoleFinance, fixed(build(true, "none", "")), false, 201, []string{`"saved": true`}, nil, 2},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					var form url.Values
					if tc.form != nil {
						form = tc.form()
					}
					rec := send(tc.method, tc.path, tc.role, form, tc.csrf)
					body := rec.Body.String()
					if m := checkRE.FindStringSubmatch(body); m != nil {
						lastCheck = m[1]
					}
					if rec.Code != tc.status {
						t.Fatalf("status %d, want %d:\n%s", rec.Code, tc.status, clipMain(body))
					}
					for _, want := range tc.want {
						if !strings.Contains(body, want) {
							t.Errorf("%q not in:\n%s", want, clipMain(body))
						}
					}
					for _, no := range tc.notWant {
						if strings.Contains(body, no) {
							t.Errorf("%q should not be in the page", no)
						}
					}
					if tc.allocations >= 0 {
						if n := allocations(); n != tc.allocations {
							t.Errorf("%d allocations saved, want %d", n, tc.allocations)
						}
					}
				})
			}
			entries, err := w.acc.AuditLog(ctx, w.people[access.RoleAdmin], 0, 200)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			for _, e := range entries {
				seen[e.Event]++
			}
			for ev, n := range map[string]int{finance.AuditAgreementPut: 2, finance.AuditReceiptAdd: 2, finance.AuditAllocationSave: 2} {
				if seen[ev] != n {
					t.Errorf("%d %s entries in the audit log, want %d", seen[ev], ev, n)
				}
			}
		})
	}
}

// clipMain clips a page to its main content, for failure messages.
func clipMain(s string) string {
	if i := strings.Index(s, "There is a problem"); i >= 0 {
		s = s[i:]
	} else if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	return clipBody(s)
}
