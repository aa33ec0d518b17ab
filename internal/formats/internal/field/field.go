// Package field reads the values that publishers' files share: ODS codes,
// dates in the many forms NHS files write them, and counts. Every function
// returns an error whose message is a plain sentence fit for a rejected row.
package field

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"ccg/internal/calendar"
)

// Code returns s upper-cased and trimmed, and checks that it is an ODS-style
// code: letters and digits only, between min and max characters long. what
// names the code in the message ("practice code", "commissioner code").
func Code(s, what string, min, max int) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(s))
	if c == "" {
		return "", fmt.Errorf("the %s is missing", what)
	}
	if len(c) < min || len(c) > max || !alnum(c) {
		want := fmt.Sprintf("%d to %d letters and digits", min, max)
		if min == max {
			want = fmt.Sprintf("%d letters and digits", min)
		}
		return "", fmt.Errorf("the %s %q is not an ODS code (want %s)", what, s, want)
	}
	return c, nil
}

// PracticeCode checks the code of a GP practice or other prescribing cost
// centre: six letters and digits starting with a letter (A81001, Y04620,
// W00001, ALD200).
func PracticeCode(s string) (string, error) {
	c, err := Code(s, "practice code", 6, 6)
	if err != nil {
		return "", err
	}
	if c[0] < 'A' || c[0] > 'Z' {
		return "", fmt.Errorf("the practice code %q is not an ODS practice code (want a letter and five letters or digits, such as A81001)", s)
	}
	return c, nil
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// ODSDate reads a date as ODS files write it (YYYYMMDD; ISO YYYY-MM-DD is
// accepted too). An empty string is the zero Date.
func ODSDate(s string) (calendar.Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return calendar.Date{}, nil
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		return calendar.Date{}, fmt.Errorf("%q is not a date (want YYYYMMDD, such as 20130401)", s)
	}
	return d, nil
}

// dateLayouts are the forms of date seen in NHS Digital and locally kept
// files, most specific first. Day-first forms only: NHS files never write
// month-first dates.
var dateLayouts = []string{
	"2006-01-02",
	"20060102",
	"02Jan2006", // 01SEP2017 (month names match in any case)
	"2Jan2006",
	"02-Jan-2006",
	"02-Jan-06",
	"02 Jan 2006",
	"2 January 2006",
	"2/1/2006", // 01/09/2017 and 1/9/2017
	"2/1/06",   // 01/04/11
	"2-1-2006",
	"2.1.2006",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2/1/2006 15:04:05",
	"2/1/2006 15:04",
}

// AnyDate reads a date written in any of the forms NHS files use:
// 2017-09-01, 20170901, 01SEP2017, 01-Sep-2017, 01/09/2017, 1/9/2017,
// 01/09/17, and ISO date-times. Day comes before month. An empty string is
// an error: callers decide whether a date is optional.
func AnyDate(s string) (calendar.Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return calendar.Date{}, fmt.Errorf("the date is missing")
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return calendar.DateOf(t), nil
		}
	}
	return calendar.Date{}, fmt.Errorf("%q is not a date (want a form such as 2017-09-01, 01/09/2017 or 01SEP2017)", s)
}

// Count reads a number of patients or items: a whole number, zero or more.
// what names the number in the message ("the number of patients").
func Count(s, what string) (int, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("%s is missing", what)
	}
	n, err := strconv.Atoi(t)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a whole number", what, s)
	}
	if n < 0 {
		return 0, fmt.Errorf("%s is %d, below zero", what, n)
	}
	return n, nil
}

// Slug turns a name into a code fragment: upper-cased, each run of
// characters other than letters and digits replaced by one "-", and no "-"
// at either end ("North & West  Leeds" becomes "NORTH-WEST-LEEDS").
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToUpper(name) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// Header normalises a column name for matching: trimmed, upper-cased, and
// runs of spaces, hyphens and underscores turned into one "_"
// ("Practice Code" and "practice_code" both become "PRACTICE_CODE").
func Header(name string) string {
	var b strings.Builder
	sep := false
	for _, r := range strings.ToUpper(strings.TrimSpace(name)) {
		if r == ' ' || r == '-' || r == '_' || r == '\t' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('_')
		}
		sep = false
		b.WriteRune(r)
	}
	return b.String()
}
