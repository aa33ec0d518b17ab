package sqlstore

import (
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"ccg/internal/calendar"
)

// timeLayout is how timestamps are stored: RFC 3339 in UTC with a fixed
// nine-digit fraction, so that text order is time order on both engines.
// time.RFC3339Nano parses it.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// dateArg encodes a date as 'YYYY-MM-DD', or an empty string for the zero date.
func dateArg(d calendar.Date) string { return d.String() }

// monthArg encodes a month as 'YYYY-MM', or an empty string for the zero month.
func monthArg(m calendar.Month) string { return m.String() }

// timeArg encodes a timestamp as UTC text (see timeLayout), or an empty string for the
// zero time.
func timeArg(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

// linesArg encodes a list of lines as one text joined with "\n".
func linesArg(lines []string) string { return strings.Join(lines, "\n") }

// textOf returns the text in a scanned value (string, []byte or NULL).
func textOf(src any) (string, error) {
	switch v := src.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	case time.Time:
		// a DATE/TIMESTAMP column slipped through: take it as UTC
		return v.UTC().Format(timeLayout), nil
	}
	return "", fmt.Errorf("sqlstore: cannot scan %T as text", src)
}

type dateScanner struct{ d *calendar.Date }

// Scan implements sql.Scanner.
func (s dateScanner) Scan(src any) error {
	if t, ok := src.(time.Time); ok {
		*s.d = calendar.DateOf(t.UTC())
		return nil
	}
	v, err := textOf(src)
	if err != nil {
		return err
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		return fmt.Errorf("sqlstore: stored date: %w", err)
	}
	*s.d = d
	return nil
}

// scanDate returns a destination for rows.Scan that reads a stored date
// (empty or NULL give the zero date).
func scanDate(d *calendar.Date) sql.Scanner { return dateScanner{d} }

type monthScanner struct{ m *calendar.Month }

// Scan implements sql.Scanner.
func (s monthScanner) Scan(src any) error {
	v, err := textOf(src)
	if err != nil {
		return err
	}
	if v == "" {
		*s.m = calendar.Month{}
		return nil
	}
	m, err := calendar.ParseMonth(v)
	if err != nil {
		return fmt.Errorf("sqlstore: stored month: %w", err)
	}
	*s.m = m
	return nil
}

// scanMonth returns a destination for rows.Scan that reads a stored month
// (empty or NULL give the zero month).
func scanMonth(m *calendar.Month) sql.Scanner { return monthScanner{m} }

type timeScanner struct{ t *time.Time }

// Scan implements sql.Scanner.
func (s timeScanner) Scan(src any) error {
	if t, ok := src.(time.Time); ok {
		*s.t = t.UTC()
		return nil
	}
	v, err := textOf(src)
	if err != nil {
		return err
	}
	if v == "" {
		*s.t = time.Time{}
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fmt.Errorf("sqlstore: stored timestamp: %w", err)
	}
	*s.t = t.UTC()
	return nil
}

// scanTime returns a destination for rows.Scan that reads a stored
// timestamp as UTC (empty or NULL give the zero time).
func scanTime(t *time.Time) sql.Scanner { return timeScanner{t} }

type linesScanner struct{ l *[]string }

// Scan implements sql.Scanner.
func (s linesScanner) Scan(src any) error {
	v, err := textOf(src)
	if err != nil {
		return err
	}
	if v == "" {
		*s.l = nil
		return nil
	}
	*s.l = strings.Split(v, "\n")
	return nil
}

// scanLines returns a destination for rows.Scan that reads lines stored
// joined with "\n" (empty or NULL give a nil slice).
func scanLines(l *[]string) sql.Scanner { return linesScanner{l} }

// likePattern returns a LIKE pattern matching q anywhere, lower-cased, with
// the LIKE wildcards in q escaped by backslash (use with ESCAPE '\').
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(q)) + "%"
}

// cleanText makes text from an outside file storable on both engines:
// PostgreSQL refuses NUL bytes and invalid UTF-8 in TEXT, which a rejected
// row of a bad file may well hold. NULs and invalid bytes become U+FFFD.
func cleanText(s string) string {
	if utf8.ValidString(s) && !strings.ContainsRune(s, 0) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
