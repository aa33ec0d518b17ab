// Package calendar holds the civil date, month and NHS financial-year types
// that every ccg domain uses. Dates have no time of day and no zone: an NHS
// "effective date" of 1 April 2013 is the same day everywhere.
package calendar

import (
	"fmt"
	"time"
)

// Date is a civil date. The zero Date means "no date" (for example an
// organisation that has not closed).
type Date struct {
	t time.Time // always midnight UTC, or the zero time
}

// NewDate returns the date y-m-d.
func NewDate(y int, m time.Month, d int) Date {
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// DateOf returns the civil date of t in its own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return NewDate(y, m, d)
}

// Today returns today's date in UTC.
func Today() Date { return DateOf(time.Now().UTC()) }

// ParseDate reads a date in ISO form (2006-01-02) or in the compact form NHS
// files use (20060102). An empty string gives the zero Date and no error.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	for _, layout := range []string{"2006-01-02", "20060102"} {
		if len(s) != len(layout) {
			continue
		}
		if t, err := time.Parse(layout, s); err == nil {
			return Date{t}, nil
		}
	}
	return Date{}, fmt.Errorf("calendar: %q is not a date (want YYYY-MM-DD or YYYYMMDD)", s)
}

// MustDate is ParseDate for literals in code and tests; it panics on a bad date.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d is the zero ("no date") value.
func (d Date) IsZero() bool { return d.t.IsZero() }

// String gives the ISO form, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format("2006-01-02")
}

// Time returns the date as midnight UTC.
func (d Date) Time() time.Time { return d.t }

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// After reports whether d is strictly after e.
func (d Date) After(e Date) bool { return d.t.After(e.t) }

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// Month returns the month d falls in.
func (d Date) Month() Month { return Month{d.t.Year(), d.t.Month()} }

// Format formats d with a time layout; the zero Date formats as "".
func (d Date) Format(layout string) string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(layout)
}

// MarshalText implements encoding.TextMarshaler (ISO form).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Within reports whether d lies in the half-open interval [from, to), where a
// zero from means "since always" and a zero to means "still open".
func (d Date) Within(from, to Date) bool {
	if !from.IsZero() && d.Before(from) {
		return false
	}
	if !to.IsZero() && !d.Before(to) {
		return false
	}
	return true
}

// Month is a calendar month, the unit of NHS monthly publications.
type Month struct {
	Year int
	Mon  time.Month
}

// ParseMonth reads a month as YYYY-MM, YYYYMM or YYYY_MM (the forms NHS files use).
func ParseMonth(s string) (Month, error) {
	for _, layout := range []string{"2006-01", "200601", "2006_01"} {
		if len(s) != len(layout) {
			continue
		}
		if t, err := time.Parse(layout, s); err == nil {
			return Month{t.Year(), t.Month()}, nil
		}
	}
	return Month{}, fmt.Errorf("calendar: %q is not a month (want YYYY-MM)", s)
}

// MustMonth is ParseMonth for literals; it panics on a bad month.
func MustMonth(s string) Month {
	m, err := ParseMonth(s)
	if err != nil {
		panic(err)
	}
	return m
}

// IsZero reports whether m is the zero month.
func (m Month) IsZero() bool { return m.Year == 0 }

// String gives YYYY-MM.
func (m Month) String() string {
	if m.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d", m.Year, int(m.Mon))
}

// First returns the first day of the month.
func (m Month) First() Date { return NewDate(m.Year, m.Mon, 1) }

// Last returns the last day of the month.
func (m Month) Last() Date { return m.Add(1).First().AddDays(-1) }

// Add returns the month n months after m (n may be negative).
func (m Month) Add(n int) Month {
	t := time.Date(m.Year, m.Mon+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	return Month{t.Year(), t.Month()}
}

// Before reports whether m is strictly before o.
func (m Month) Before(o Month) bool {
	return m.Year < o.Year || (m.Year == o.Year && m.Mon < o.Mon)
}

// Since returns the number of months from o to m (m - o).
func (m Month) Since(o Month) int {
	return (m.Year-o.Year)*12 + int(m.Mon) - int(o.Mon)
}

// FinancialYear returns the NHS financial year (April to March) m falls in.
func (m Month) FinancialYear() FinancialYear {
	if m.Mon >= time.April {
		return FinancialYear(m.Year)
	}
	return FinancialYear(m.Year - 1)
}

// MarshalText implements encoding.TextMarshaler (YYYY-MM).
func (m Month) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *Month) UnmarshalText(b []byte) error {
	v, err := ParseMonth(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// FinancialYear is an NHS financial year, named by the calendar year in which
// it starts: FinancialYear(2024) runs from 1 April 2024 to 31 March 2025.
type FinancialYear int

// Start returns the first month (April).
func (y FinancialYear) Start() Month { return Month{int(y), time.April} }

// Months returns the twelve months April..March.
func (y FinancialYear) Months() []Month {
	out := make([]Month, 12)
	for i := range out {
		out[i] = y.Start().Add(i)
	}
	return out
}

// String gives the conventional label, for example "2024/25".
func (y FinancialYear) String() string { return fmt.Sprintf("%d/%02d", int(y), (int(y)+1)%100) }
