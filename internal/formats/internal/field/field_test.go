package field

import (
	"strings"
	"testing"
)

func TestAnyDate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2017-09-01", "2017-09-01"},
		{"20170901", "2017-09-01"},
		{"01SEP2017", "2017-09-01"},
		{"01Sep2017", "2017-09-01"},
		{"1SEP2017", "2017-09-01"},
		{"01-Sep-2017", "2017-09-01"},
		{"01-SEP-17", "2017-09-01"},
		{"01/09/2017", "2017-09-01"},
		{"1/9/2017", "2017-09-01"},
		{"01/04/11", "2011-04-01"},
		{"2017-09-01T00:00:00", "2017-09-01"},
		{"2017-09-01 00:00:00", "2017-09-01"},
		{" 01SEP2017 ", "2017-09-01"},
		{"31SEP2017", ""},
		{"09/31/2017", ""},
		{"yesterday", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := AnyDate(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Errorf("AnyDate(%q) = %s, want an error", tt.in, d)
				}
				return
			}
			if err != nil || d.String() != tt.want {
				t.Errorf("AnyDate(%q) = %s, %v; want %s", tt.in, d, err, tt.want)
			}
		})
	}
}

func TestODSDate(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"20130401", "2013-04-01", true}, {"", "", true}, {"2013-04-01", "2013-04-01", true},
		{"20131301", "", false}, {"01/04/2013", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := ODSDate(tt.in)
			if (err == nil) != tt.ok || d.String() != tt.want {
				t.Errorf("ODSDate(%q) = %s, %v; want %s", tt.in, d, err, tt.want)
			}
		})
	}
}

func TestCodes(t *testing.T) {
	tests := []struct {
		name    string
		check   func(string) (string, error)
		in      string
		want    string
		problem string
	}{
		{"practice", PracticeCode, "A81001", "A81001", ""},
		{"practice lower case", PracticeCode, " a81001 ", "A81001", ""},
		{"practice island", PracticeCode, "ALD200", "ALD200", ""},
		{"practice too short", PracticeCode, "A8100", "", "want 6 letters and digits"},
		{"practice digit first", PracticeCode, "981001", "", "want a letter and five letters or digits"},
		{"practice blank", PracticeCode, "", "", "is missing"},
		{"ccg", func(s string) (string, error) { return Code(s, "CCG code", 3, 5) }, "00K", "00K", ""},
		{"ccg with hyphen", func(s string) (string, error) { return Code(s, "CCG code", 3, 5) }, "0-K", "", "want 3 to 5 letters and digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.check(tt.in)
			if tt.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tt.problem) {
					t.Errorf("got %q, %v; want an error saying %q", got, err, tt.problem)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestCount(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		problem string
	}{
		{"6939", 6939, ""}, {" 0 ", 0, ""}, {"-1", 0, "is -1, below zero"}, {"1,000", 0, "not a whole number"}, {"", 0, "is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Count(tt.in, "the number")
			if tt.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tt.problem) {
					t.Errorf("Count(%q) = %d, %v; want an error saying %q", tt.in, got, err, tt.problem)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Count(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestSlugAndHeader(t *testing.T) {
	tests := []struct{ fn, in, want string }{
		{"slug", "North & West  Leeds", "NORTH-WEST-LEEDS"},
		{"slug", "  --St. John's (East)-- ", "ST-JOHN-S-EAST"},
		{"slug", "Area 51", "AREA-51"},
		{"slug", "&&", ""},
		{"header", "Practice Code", "PRACTICE_CODE"},
		{"header", " practice_code ", "PRACTICE_CODE"},
		{"header", "Male 0-4", "MALE_0_4"},
		{"header", "AGE_GROUP_5", "AGE_GROUP_5"},
	}
	for _, tt := range tests {
		t.Run(tt.fn+" "+tt.in, func(t *testing.T) {
			got := Slug(tt.in)
			if tt.fn == "header" {
				got = Header(tt.in)
			}
			if got != tt.want {
				t.Errorf("%s(%q) = %q, want %q", tt.fn, tt.in, got, tt.want)
			}
		})
	}
}
