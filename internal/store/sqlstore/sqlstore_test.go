package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/errs"
)

func TestRebindDollar(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"a = ? AND b = ?", "a = $1 AND b = $2"},
		{"x LIKE ? ESCAPE '\\' OR y = '?' OR z = ?", "x LIKE $1 ESCAPE '\\' OR y = '?' OR z = $2"},
		{`"odd?name" = ? AND 'it''s?' = ?`, `"odd?name" = $1 AND 'it''s?' = $2`},
		{"-- what?\nWHERE a = ? /* b? */ AND c = ?", "-- what?\nWHERE a = $1 /* b? */ AND c = $2"},
		{"VALUES (?,?),(?,?)", "VALUES ($1,$2),($3,$4)"},
		{"'unterminated ?", "'unterminated ?"},
	}
	for _, tc := range tests {
		if got := rebindDollar(tc.in); got != tc.want {
			t.Errorf("rebindDollar(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPlaceholders(t *testing.T) {
	if got := placeholders(2, 3); got != "(?,?,?),(?,?,?)" {
		t.Errorf("placeholders(2, 3) = %q", got)
	}
	if got := placeholders(1, 1); got != "(?)" {
		t.Errorf("placeholders(1, 1) = %q", got)
	}
}

func TestBandLow(t *testing.T) {
	for band, want := range map[string]int{"all": -1, "0-4": 0, "5-9": 5, "10-14": 10, "95+": 95, "75+": 75, "5-14": 5, "": -1, "x-y": -1} {
		if got := bandLow(band); got != want {
			t.Errorf("bandLow(%q) = %d, want %d", band, got, want)
		}
	}
}

func TestCodec(t *testing.T) {
	var d calendar.Date
	for _, src := range []any{"2018-04-01", []byte("2018-04-01"), time.Date(2018, 4, 1, 0, 0, 0, 0, time.UTC)} {
		if err := scanDate(&d).Scan(src); err != nil || d.String() != "2018-04-01" {
			t.Errorf("scan date %#v = %v, %v", src, d, err)
		}
	}
	for _, src := range []any{nil, ""} {
		d = calendar.MustDate("2018-04-01")
		if err := scanDate(&d).Scan(src); err != nil || !d.IsZero() {
			t.Errorf("scan date %#v = %v, %v; want zero", src, d, err)
		}
	}
	if err := scanDate(&d).Scan("01/04/2018"); err == nil {
		t.Error("scan date accepted 01/04/2018")
	}
	var m calendar.Month
	if err := scanMonth(&m).Scan("2017-10"); err != nil || m != calendar.MustMonth("2017-10") {
		t.Errorf("scan month = %v, %v", m, err)
	}
	if monthArg(calendar.Month{}) != "" || dateArg(calendar.Date{}) != "" || timeArg(time.Time{}) != "" {
		t.Error("zero values do not encode as empty text")
	}

	// timestamps keep nanoseconds, come back in UTC, and sort as text
	t1 := time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("BST", 3600))
	t2 := t1.Add(500 * time.Millisecond)
	if a, b := timeArg(t1), timeArg(t2); !(a < b) || a != "2024-05-06T06:08:09.000000000Z" {
		t.Errorf("timeArg: %q then %q", a, b)
	}
	var got time.Time
	if err := scanTime(&got).Scan(timeArg(t2)); err != nil || !got.Equal(t2) || got.Location() != time.UTC {
		t.Errorf("scan time = %v, %v", got, err)
	}

	var lines []string
	if err := scanLines(&lines).Scan(linesArg([]string{"a", "b c"})); err != nil || !reflect.DeepEqual(lines, []string{"a", "b c"}) {
		t.Errorf("lines = %q, %v", lines, err)
	}
	if err := scanLines(&lines).Scan(""); err != nil || lines != nil {
		t.Errorf("empty lines = %#v, %v", lines, err)
	}

	if got := likePattern(`50%_a\B`); got != `%50\%\_a\\b%` {
		t.Errorf("likePattern = %q", got)
	}
	if got := cleanText("ok é"); got != "ok é" {
		t.Errorf("cleanText changed valid text: %q", got)
	}
	if got := cleanText("a\x00b\xffc"); got != "a\uFFFDb\uFFFDc" {
		t.Errorf("cleanText = %q", got)
	}
}

type pgErr string

func (e pgErr) Error() string    { return "pg " + string(e) }
func (e pgErr) SQLState() string { return string(e) }

type liteErr int

func (e liteErr) Error() string { return fmt.Sprintf("sqlite %d", int(e)) }
func (e liteErr) Code() int     { return int(e) }

func TestMapErr(t *testing.T) {
	tests := []struct {
		in   error
		want error
	}{
		{sql.ErrNoRows, errs.ErrNotFound},
		{fmt.Errorf("wrapped: %w", sql.ErrNoRows), errs.ErrNotFound},
		{pgErr("23505"), errs.ErrConflict},
		{pgErr("23503"), errs.ErrConflict},
		{pgErr("23514"), errs.ErrInvalid},
		{liteErr(2067), errs.ErrConflict},
		{liteErr(1555), errs.ErrConflict},
		{liteErr(787), errs.ErrConflict},
		{liteErr(275), errs.ErrInvalid},
		{fmt.Errorf("exec: %w", liteErr(2067)), errs.ErrConflict},
	}
	for _, tc := range tests {
		got := mapErr(tc.in)
		if !errors.Is(got, tc.want) {
			t.Errorf("mapErr(%v) = %v, want it to wrap %v", tc.in, got, tc.want)
		}
	}
	for _, in := range []error{pgErr("42601"), liteErr(1), errors.New("other")} {
		if got := mapErr(in); got != in {
			t.Errorf("mapErr(%v) = %v, want it unchanged", in, got)
		}
	}
	if mapErr(nil) != nil || wrapErr("op", nil) != nil {
		t.Error("nil error mapped to non-nil")
	}
	if !isUniqueViolation(pgErr("23505")) || !isUniqueViolation(liteErr(2067)) || isUniqueViolation(pgErr("23503")) {
		t.Error("isUniqueViolation misclassifies")
	}
	if got := wrapErr("organisation \"X\"", sql.ErrNoRows).Error(); got != `sqlstore: organisation "X": not found` {
		t.Errorf("wrapErr message = %q", got)
	}
}

func TestMigrationsRender(t *testing.T) {
	all, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var imports Migration
	for _, m := range all {
		if m.Name == "imports" {
			imports = m
		}
	}
	for d, want := range map[Dialect]string{SQLite: "id INTEGER PRIMARY KEY AUTOINCREMENT,", Postgres: "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"} {
		body, err := imports.SQL(d)
		if err != nil {
			t.Fatalf("%s for %s: %v", imports, d, err)
		}
		if !strings.Contains(body, want) {
			t.Errorf("%s for %s lacks %q:\n%s", imports, d, want, body)
		}
	}
	if _, err := New("oracle", nil, nil); err == nil {
		t.Error("New accepted an unknown dialect")
	}
}
