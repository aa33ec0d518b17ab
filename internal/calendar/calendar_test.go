package calendar

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"2013-04-01", "2013-04-01", false},
		{"20130401", "2013-04-01", false},
		{"", "", false},
		{"2013-02-30", "", true},
		{"01/04/2013", "", true},
		{"2013041", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := ParseDate(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseDate(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if got := d.String(); !tt.wantErr && got != tt.want {
				t.Errorf("ParseDate(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWithinHalfOpen(t *testing.T) {
	from, to := MustDate("2013-04-01"), MustDate("2020-04-01")
	tests := []struct {
		day  string
		from Date
		to   Date
		want bool
	}{
		{"2013-03-31", from, to, false},
		{"2013-04-01", from, to, true},
		{"2020-03-31", from, to, true},
		{"2020-04-01", from, to, false},
		{"1990-01-01", Date{}, to, true},
		{"2090-01-01", from, Date{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.day, func(t *testing.T) {
			if got := MustDate(tt.day).Within(tt.from, tt.to); got != tt.want {
				t.Errorf("%s within [%s, %s) = %v, want %v", tt.day, tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestMonth(t *testing.T) {
	tests := []struct {
		in   string
		want string
		fy   FinancialYear
		last string
	}{
		{"2019-04", "2019-04", 2019, "2019-04-30"},
		{"202003", "2020-03", 2019, "2020-03-31"},
		{"2017_09", "2017-09", 2017, "2017-09-30"},
		{"2020-02", "2020-02", 2019, "2020-02-29"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			m, err := ParseMonth(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if m.String() != tt.want || m.FinancialYear() != tt.fy || m.Last().String() != tt.last {
				t.Errorf("month %s: got %s fy %v last %s", tt.in, m, m.FinancialYear(), m.Last())
			}
		})
	}
	if got := MustMonth("2019-11").Add(3).String(); got != "2020-02" {
		t.Errorf("Add(3) = %s", got)
	}
	if got := MustMonth("2021-03").Since(MustMonth("2019-04")); got != 23 {
		t.Errorf("Since = %d, want 23", got)
	}
	if got := FinancialYear(2024).String(); got != "2024/25" {
		t.Errorf("FinancialYear label = %s", got)
	}
	if ms := FinancialYear(2019).Months(); len(ms) != 12 || ms[0].Mon != time.April || ms[11].String() != "2020-03" {
		t.Errorf("Months = %v", ms)
	}
}
