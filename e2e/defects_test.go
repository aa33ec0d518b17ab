package e2e

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestPageDefects checks, on the demo world, the defects a walk through the
// demo found (issue 15), each where it was seen. It reads the demo as it was
// built, so this file sorts before the tests that change it (engagement,
// finance, governance): Go runs a package's tests in file-name order.
func TestPageDefects(t *testing.T) {
	d := startDemo(t)
	public := newClient(t, d, "")
	admin := newClient(t, d, "administrator")
	fin := newClient(t, d, "finance")

	t.Run("1 measure page prints percentiles as numbers", func(t *testing.T) {
		code, body := public.get(t, "/prescribing/measures/broad_spectrum_antibiotics")
		if code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
		if strings.Contains(body, "%!") || strings.Contains(body, "0xc") {
			t.Errorf("the measure page prints a Go formatting artefact: %s", clip(artefactAround(body, "%!")))
		}
		cells := regexp.MustCompile(`(?s)<tbody class="nhsuk-table__body">\s*<tr class="nhsuk-table__row">(.*?)</tr>`).FindStringSubmatch(body[strings.Index(body, `id="values"`):])
		if cells == nil {
			t.Fatal("no values table")
		}
		tds := regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`).FindAllStringSubmatch(cells[1], -1)
		if len(tds) < 5 || !regexp.MustCompile(`^\d{1,3}$`).MatchString(tds[4][1]) {
			t.Errorf("the first row's percentile cell is not a whole number 0-100: %q", cells[1])
		}
	})

	t.Run("2 RAG ratings have their own colours", func(t *testing.T) {
		_, css := public.get(t, "/static/ccg.css")
		colours := map[string]bool{}
		for _, rag := range []string{"green", "amber", "red"} {
			m := regexp.MustCompile(`\.ccg-rag--` + rag + ` \{[^}]*background-color: (#[0-9a-f]{6})`).FindStringSubmatch(css)
			if m == nil {
				t.Errorf("ccg.css has no background colour for .ccg-rag--%s", rag)
				continue
			}
			colours[m[1]] = true
		}
		if len(colours) != 3 {
			t.Errorf("the three ratings share colours: %v", colours)
		}
		mustContain(t, "finance summary", fin.page(t, "/finance"), "Green: on track")
	})

	t.Run("3 a merged CCG's year before adds its predecessors' budgets up", func(t *testing.T) {
		body := fin.page(t, "/finance/budgets?org=99Z&year=2019")
		mustContain(t, "99Z 2019/20", body, "held no budget of its own", "NHS RIVERSIDE NORTH CCG", "£342,216,251.00")
		if strings.Contains(body, "Total £0.00") {
			t.Errorf("the page still shows a total of £0.00:\n%s", clip(body))
		}
		if code, body := fin.get(t, "/finance/budgets?org=NOPE&year=2019"); code != http.StatusNotFound || !strings.Contains(body, "There is no organisation with the code NOPE") {
			t.Errorf("unknown org: status %d, want 404 naming it", code)
		}
	})

	t.Run("4 transfers headline counts what predecessors are owed", func(t *testing.T) {
		body := fin.page(t, "/finance/transfers")
		mustContain(t, "transfers", body, "Owed to NHS RIVERSIDE CCG and its predecessors, outstanding £300,000.00", "Of which overdue £300,000.00")
		if strings.Contains(body, "£1 ") && strings.Contains(body, "-£0") {
			t.Errorf("the ageing chart has an empty axis (£1, -£0):\n%s", clip(body))
		}
	})

	t.Run("5 a closed vote shows its results and a rounded turnout once", func(t *testing.T) {
		body := admin.page(t, "/governance/votes/1")
		mustContain(t, "vote 1", body, "(closed)", "27 of 37 entitled practices have voted (73%)", "See the results")
		for _, bad := range []string{"hidden until the vote closes", "(72%)"} {
			if strings.Contains(body, bad) {
				t.Errorf("vote 1 says %q:\n%s", bad, clip(body))
			}
		}
		if n := strings.Count(body, "have voted"); n != 1 {
			t.Errorf("the turnout is said %d times, want once:\n%s", n, clip(body))
		}
	})

	t.Run("7 assurance: this year by default, other years linked, names not codes", func(t *testing.T) {
		code, raw := admin.get(t, "/governance/assurance")
		if code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
		body := htmlText(raw)
		mustContain(t, "assurance", body, "2026/27", "Member council")
		for _, bad := range []string{"member-council", "vary-budget", "governing-body"} {
			if strings.Contains(body, bad) {
				t.Errorf("the assurance report shows the code %q", bad)
			}
		}
		if !strings.Contains(raw, `href="/governance/assurance?year=2025"`) {
			t.Error("the assurance report does not link to 2025/26")
		}
		q := admin.page(t, "/questions")
		for _, bad := range []string{"to governing-body", "locality:"} {
			if strings.Contains(q, bad) {
				t.Errorf("/questions shows the code %q", bad)
			}
		}
		for _, path := range []string{"/surveys/1/results", "/finance/allocations", "/finance/budgets?org=99Z&year=2020"} {
			_, raw := admin.get(t, path)
			if regexp.MustCompile(`>\s*LOC-[A-Z]+\s*<`).MatchString(raw) {
				t.Errorf("%s shows a locality by its code", path)
			}
		}
	})

	t.Run("9 consultation and decision link to each other", func(t *testing.T) {
		_, raw := admin.get(t, "/consultations/1")
		m := regexp.MustCompile(`href="/governance/decisions/(\d+)" id="decision-link"`).FindStringSubmatch(raw)
		if m == nil {
			t.Fatalf("consultation 1 does not link to its decision:\n%s", clip(htmlText(raw)))
		}
		_, dec := admin.get(t, "/governance/decisions/"+m[1])
		if !strings.Contains(dec, `href="/consultations/1"`) {
			t.Errorf("decision %s does not link back to consultation 1:\n%s", m[1], clip(htmlText(dec)))
		}
	})

	t.Run("10 a merged CCG's localities before the merger", func(t *testing.T) {
		body := public.page(t, "/organisations/99Z?at=2019-06-01")
		if strings.Contains(body, "No localities are recorded for this date") {
			t.Errorf("99Z in 2019 says it has no localities above a table listing them:\n%s", clip(body))
		}
		mustContain(t, "99Z in 2019", body, "localities of its predecessors")
	})

	t.Run("12 links depend on the policy", func(t *testing.T) {
		_, raw := public.get(t, "/prescribing/measures/broad_spectrum_antibiotics")
		if strings.Contains(raw, `href="/prescribing/practices/`) {
			t.Error("the public is shown links to practice pages, which ask it to sign in")
		}
		if _, raw := public.get(t, "/governance"); strings.Contains(raw, `href="/governance/assurance"`) {
			t.Error("the public is shown the assurance report link, which asks it to sign in")
		}
		lead := newClient(t, d, "locality-lead")
		if _, raw := lead.get(t, "/finance"); !regexp.MustCompile(`href="/finance/budgets\?[^"]*locality=LOC-`).MatchString(raw) {
			t.Error("the locality lead has no link to their locality's budget on /finance")
		}
	})

	t.Run("16 members of a commissioner named only by practice rows", func(t *testing.T) {
		// The demo imports eccg.csv, so its CCGs are all named; the
		// registry test (internal/web TestMembersOfACommissionerNamedOnlyByPractices)
		// covers one named only by practices. Here: the list answers.
		code, body := public.get(t, "/api/v1/organisations?kind=practice&member_of=99Z&at=2021-01-01")
		if code != http.StatusOK || !strings.Contains(body, `"code": "Y90001"`) {
			t.Errorf("members of 99Z: %d:\n%s", code, clip(body))
		}
	})
}

// artefactAround returns the text around the first s in body.
func artefactAround(body, s string) string {
	i := strings.Index(body, s)
	if i < 0 {
		return ""
	}
	return body[max(0, i-200):min(len(body), i+200)]
}

// TestDemoOutput checks what `ccg demo` prints (issue 15, defect 13): one
// line per kind of import, the counts matching the registers, full survey
// addresses, and the sign-ins last; and that one demo import shows the
// data-quality gate, with rejected rows on /imports.
func TestDemoOutput(t *testing.T) {
	d := startDemo(t)
	out := d.Output.String()
	signIns := strings.Index(out, "Demo sign-ins")
	if signIns < 0 || strings.LastIndex(out, "  imported ") > signIns || strings.LastIndex(out, "survey-link") > signIns {
		t.Errorf("the sign-ins are not printed last:\n%s", clip(out))
	}
	if n := strings.Count(out[:max(signIns, 0)], "\n"); n > 40 {
		t.Errorf("%d lines come before the sign-ins, want one line per kind of import (at most 40):\n%s", n, clip(out))
	}
	for _, m := range regexp.MustCompile(`(?m)^\s+survey-link\s+\S+\s+(\S+)`).FindAllStringSubmatch(out, -1) {
		if !strings.HasPrefix(m[1], d.URL+"/survey?token=") {
			t.Errorf("survey link %q is not a full address on %s", m[1], d.URL)
		}
	}
	admin := newClient(t, d, "administrator")
	m := regexp.MustCompile(`Governance: .*?(\d+) decisions`).FindStringSubmatch(out)
	var decisions struct {
		Decisions []json.RawMessage `json:"decisions"`
		Working   []json.RawMessage `json:"in_progress"`
	}
	_, body := admin.get(t, "/api/v1/decisions")
	if err := json.Unmarshal([]byte(body), &decisions); err != nil {
		t.Fatalf("decisions API: %v", err)
	}
	if total := len(decisions.Decisions) + len(decisions.Working); m == nil || m[1] != strconv.Itoa(total) {
		t.Errorf("the demo says %v decisions; the register holds %d", m, total)
	}
	_, imports := admin.get(t, "/imports")
	run := regexp.MustCompile(`href="(/imports/\d+)">practice-staff\.csv`).FindStringSubmatch(imports)
	if run == nil {
		t.Fatalf("/imports does not list the demo's staff list:\n%s", clip(htmlText(imports)))
	}
	mustContain(t, run[1], admin.page(t, run[1]), "is not an address like", `unknown role "practise-member"`)
}
