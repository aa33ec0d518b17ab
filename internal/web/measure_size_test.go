package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"ccg/internal/analytics/duckdb"
	"ccg/internal/calendar"
	"ccg/internal/importing"
	"ccg/internal/registry"
	"ccg/internal/store/sqlite"
	"ccg/internal/variation"
)

// TestEnglandMeasurePageSize checks that a measure page for all of England
// stays under 1 MB of HTML with as many practices as England has: the
// table is paged and the funnel draws a selection, while both CSV downloads
// still hold every practice.
func TestEnglandMeasurePageSize(t *testing.T) {
	const practices, ccgs = 6600, 20
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "ccg.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	month := calendar.MustMonth("2024-01")
	const id = "ppi_high_dose"
	var vals []variation.MeasureValue
	err = st.InTx(ctx, func(ctx context.Context) error {
		for c := 0; c < ccgs; c++ {
			code := fmt.Sprintf("%02dX", c)
			if _, err := st.UpsertOrganisation(ctx, registry.Organisation{Code: code, Name: "NHS Test CCG " + code, Kind: registry.KindCCG}); err != nil {
				return err
			}
			num, den := 0.0, 0.0
			for i := c; i < practices; i += ccgs {
				p := fmt.Sprintf("P%05d", i)
				if _, err := st.UpsertOrganisation(ctx, registry.Organisation{Code: p, Name: "The Long Named Medical Practice " + p, Kind: registry.KindPractice}); err != nil {
					return err
				}
				if _, err := st.PutRelationship(ctx, registry.Relationship{Child: p, Parent: code, Kind: registry.RelMemberOf, From: calendar.NewDate(2013, 4, 1)}); err != nil {
					return err
				}
				d := float64(200 + (i*7919)%3000)
				n := d * (0.2 + float64((i*104729)%600)/1000)
				v := n / d
				vals = append(vals, variation.MeasureValue{MeasureID: id, Level: variation.LevelPractice, OrgCode: p, Month: month, Numerator: n, Denominator: d, Value: &v})
				num, den = num+n, den+d
			}
			v := num / den
			vals = append(vals, variation.MeasureValue{MeasureID: id, Level: variation.LevelCCG, OrgCode: code, Month: month, Numerator: num, Denominator: den, Value: &v})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	an, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "analytics.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { an.Close() })
	if err := an.ReplaceResults(ctx, month, []string{id}, vals, nil); err != nil {
		t.Fatal(err)
	}
	reg := registry.NewService(st)
	srv, err := New(Deps{Registry: reg, Imports: importing.NewService(st), Variation: variation.NewService(an, variation.NewRegistryPort(reg)), Logger: slog.New(slog.DiscardHandler), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	srv.today = func() calendar.Date { return testToday }
	srv.policy = func(*http.Request, Action, Resource) error { return nil }
	h := srv.Handler()

	base := "/prescribing/measures/" + id
	for _, tc := range []struct{ name, target, want string }{
		{"first page", base + "?month=2024-01&ccg=ENGLAND", "Next page"},
		{"last page", base + "?month=2024-01&ccg=ENGLAND&page=27", "Previous page"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, h, "GET", tc.target)
			body := rec.Body.String()
			if rec.Code != 200 {
				t.Fatalf("status %d: %.300s", rec.Code, body)
			}
			t.Logf("%s: %d bytes of HTML", tc.target, len(body))
			if len(body) >= 1<<20 {
				t.Errorf("the page is %d bytes of HTML, want under 1 MB", len(body))
			}
			if !strings.Contains(body, tc.want) || !strings.Contains(body, "of 6,600") {
				t.Errorf("the page does not say which practices of 6,600 it lists, or has no %q link", tc.want)
			}
			if rows := strings.Count(body, `href="/prescribing/practices/`); rows == 0 || rows > measurePageRows {
				t.Errorf("the page lists %d practices, want 1..%d", rows, measurePageRows)
			}
		})
	}
	for _, target := range []string{base + "/values.csv?month=2024-01&level=practice", base + "/funnel.csv?month=2024-01&ccg=ENGLAND"} {
		rec := do(t, h, "GET", target)
		if rec.Code != 200 {
			t.Fatalf("%s: status %d", target, rec.Code)
		}
		seen := map[string]bool{}
		for _, line := range strings.Split(strings.TrimSpace(rec.Body.String()), "\n")[1:] {
			for _, f := range strings.Split(line, ",") {
				if strings.HasPrefix(strings.Trim(f, `"`), "P0") {
					seen[strings.Trim(f, `"`)[:6]] = true
				}
			}
		}
		if len(seen) != practices {
			t.Errorf("%s has %d practices, want every one of %d", target, len(seen), practices)
		}
	}
}
