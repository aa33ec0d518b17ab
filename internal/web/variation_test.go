package web

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// TestVariationPagesWithoutData checks that the pages answer sensibly
// before any prescribing is imported, and that bad parameters are 400s.
func TestVariationPagesWithoutData(t *testing.T) {
	h := newAccessWorld(t, openSQLite(t)).srv.Handler()
	tests := []struct {
		name, path string
		status     int
		want       string
	}{
		{"measure list", "/prescribing", 200, "No prescribing or referral figures have been imported yet"},
		{"measures API", "/api/v1/measures", 200, `"id": "ppi_high_dose"`},
		{"measure page", "/prescribing/measures/ppi_high_dose", 200, "No figures have been computed"},
		{"measure page says how it is calculated", "/prescribing/measures/ppi_high_dose", 200, "This is a code filter measure. Its definition ships with ccg"},
		{"unknown measure", "/prescribing/measures/nope", 404, "There is no measure called nope"},
		{"values without a month", "/api/v1/measures/ppi_high_dose/values?level=practice", 400, "Give a month"},
		{"values at an unknown level", "/api/v1/measures/ppi_high_dose/values?month=2020-01&level=galaxy", 400, "not a level"},
		{"values of an empty month", "/api/v1/measures/ppi_high_dose/values?month=2020-01&level=ccg", 200, `"values": []`},
		{"deciles for England", "/api/v1/measures/ppi_high_dose/deciles?level=england", 400, "has no deciles"},
		{"values CSV header", "/prescribing/measures/ppi_high_dose/values.csv?month=2020-01", 200,
			"org_code,numerator,denominator,value,percentile,cost_saving_10"},
		{"print style sheet", "/prescribing/print.css", 200, "@media print"},
		{"funnel CSV of an empty month", "/prescribing/measures/ppi_high_dose/funnel.csv?month=2020-01", 200, ""},
		{"trend CSV of an empty month", "/prescribing/measures/ppi_high_dose/trend.csv?month=2020-01", 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) {
				t.Errorf("GET %s: %d, want %d with %q; body:\n%.600s", tc.path, rec.Code, tc.status, tc.want, rec.Body.String())
			}
		})
	}
}
