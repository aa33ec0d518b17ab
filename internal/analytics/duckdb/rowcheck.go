package duckdb

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"ccg/internal/calendar"
	"ccg/internal/importing"
)

// rejectedMonth is the month written in place of a row the feed rejected:
// the row reaches DuckDB blanked, and the import drops it.
const rejectedMonth = "!"

// rowCheck checks every row of a prescribing file on its way to DuckDB:
// the month is the declared one, items a whole number ≥ 0, quantity and
// costs finite numbers. A row that fails is kept as a rejection (with its
// line and column) and replaced, in the stream, by a blank row of the
// same number of lines, so that DuckDB's line numbers still map back.
type rowCheck struct {
	name    string
	fields  []string
	roles   []role
	month   calendar.Month
	maxIdx  int
	blank   []byte
	spelled sync.Map // month spellings already checked: string → bool
	usual   []byte   // YYYYMM, the spelling EPD and PDPI files use

	mu        sync.Mutex
	rejected  []importing.Rejection
	count     int
	practices map[string]int
}

func newRowCheck(name string, fields []string, roles []role, month calendar.Month) *rowCheck {
	c := &rowCheck{name: name, fields: fields, roles: roles, month: month, practices: map[string]int{},
		usual: []byte(fmt.Sprintf("%04d%02d", month.Year, int(month.Mon)))}
	blank := make([]string, len(fields))
	for i, r := range roles {
		if r != roleOther && i > c.maxIdx {
			c.maxIdx = i
		}
		if r == roleMonth {
			blank[i] = rejectedMonth
		}
	}
	c.blank = []byte(strings.Join(blank, ","))
	return c
}

// chunk checks the records of data (whole records; its first line is line
// fileFirst of the file) and returns data with the rejected ones blanked.
func (c *rowCheck) chunk(data []byte, fileFirst int) []byte {
	if c == nil {
		return data
	}
	var out []byte // nil until the first rejection
	copied := 0
	line := fileFirst
	pos := 0
	starts := make([]int, 0, len(c.fields)+1)
	for pos < len(data) {
		// One record: field starts, and its end (the newline outside quotes).
		starts = starts[:0]
		starts = append(starts, pos)
		inQuote := false
		end := pos
		lines := 1
		for ; end < len(data); end++ {
			b := data[end]
			if b == '"' {
				inQuote = !inQuote
			} else if b == ',' && !inQuote {
				starts = append(starts, end+1)
			} else if b == '\n' {
				if !inQuote {
					break
				}
				lines++
			}
		}
		rec := data[pos:end]
		// A row that is not text is left for DuckDB, which fails the
		// import at its line (the file is damaged, not one bad value).
		text := utf8.Valid(rec) && bytes.IndexByte(rec, 0) < 0
		if reason, idx := c.checkRecord(data, starts, end); text && reason != "" {
			if out == nil {
				out = make([]byte, 0, len(data))
			}
			out = append(out, data[copied:pos]...)
			for i := 0; i < lines; i++ {
				out = append(out, c.blank...)
				out = append(out, '\n')
			}
			copied = min(end+1, len(data))
			c.reject(line, rec, starts, pos, idx, reason)
		}
		line += lines
		pos = end + 1
	}
	if out == nil {
		return data
	}
	return append(out, data[copied:]...)
}

// field returns field i of a record (unquoted, trimmed).
func field(data []byte, starts []int, end, i int) string {
	return string(fieldBytes(data, starts, end, i))
}

// fieldBytes is field without a copy unless the field is quoted.
func fieldBytes(data []byte, starts []int, end, i int) []byte {
	if i >= len(starts) {
		return nil
	}
	stop := end
	if i+1 < len(starts) {
		stop = starts[i+1] - 1
	}
	v := data[starts[i]:stop]
	v = bytes.TrimRight(v, "\r")
	v = bytes.TrimSpace(v)
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return bytes.TrimSpace(bytes.ReplaceAll(v[1:len(v)-1], []byte(`""`), []byte(`"`)))
	}
	return v
}

// checkRecord returns why a record is rejected ("" when it is not) and the
// field at fault.
func (c *rowCheck) checkRecord(data []byte, starts []int, end int) (string, int) {
	if len(starts) <= c.maxIdx {
		return "", 0 // too few columns: DuckDB reports the row
	}
	for i, r := range c.roles {
		switch r {
		case roleMonth:
			b := fieldBytes(data, starts, end, i)
			if c.usual != nil && bytes.Equal(b, c.usual) {
				continue
			}
			v := string(b)
			if ok, seen := c.spelled.Load(v); seen {
				if !ok.(bool) {
					return c.monthReason(v), i
				}
				continue
			}
			m, err := calendar.ParseMonth(strings.ReplaceAll(v, "-", ""))
			if err != nil {
				m, err = calendar.ParseMonth(v)
			}
			ok := err == nil && m == c.month
			c.spelled.Store(v, ok)
			if !ok {
				return c.monthReason(v), i
			}
		case roleItems:
			if v := fieldBytes(data, starts, end, i); !wholeNumber(v) {
				return fmt.Sprintf("the %s value %q is not a whole number of items (0 or more)", strings.TrimSpace(c.fields[i]), v), i
			}
		case roleQuantity, roleCost, roleNIC, roleADQ:
			v := fieldBytes(data, starts, end, i)
			if len(v) == 0 && r == roleADQ {
				continue
			}
			if !finiteNumber(v) {
				return fmt.Sprintf("the %s value %q is not a finite number", strings.TrimSpace(c.fields[i]), v), i
			}
		}
	}
	return "", 0
}

func (c *rowCheck) monthReason(v string) string {
	m, err := calendar.ParseMonth(strings.ReplaceAll(v, "-", ""))
	if err != nil {
		return fmt.Sprintf("%q is not a month (want YYYYMM)", v)
	}
	return fmt.Sprintf("the row is for %s, but the file holds %s (as its name or --month says): left out", m, c.month)
}

// wholeNumber reports whether v is a whole number ≥ 0 ("12", "12.0").
func wholeNumber(v []byte) bool {
	if len(v) == 0 {
		return false
	}
	digits := 0
	dot := false
	for i := 0; i < len(v); i++ {
		switch b := v[i]; {
		case b >= '0' && b <= '9':
			if dot && b != '0' {
				return false
			}
			if !dot {
				digits++
			}
		case b == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0 && digits <= 15
}

// finiteNumber reports whether v is a finite decimal number.
func finiteNumber(v []byte) bool {
	if len(v) == 0 {
		return false
	}
	plain := true
	for i := 0; i < len(v); i++ {
		b := v[i]
		switch {
		case b >= '0' && b <= '9', b == '.', b == '-' && i == 0, b == '+' && i == 0:
		case b == 'e' || b == 'E' || b == '-' || b == '+':
			plain = false
		default:
			return false
		}
	}
	if plain && len(v) < 300 {
		return bytes.ContainsAny(v, "0123456789")
	}
	f, err := strconv.ParseFloat(string(v), 64)
	return err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
}

// reject keeps a rejected record.
func (c *rowCheck) reject(line int, rec []byte, starts []int, pos, idx int, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.count++
	if p := strings.ToUpper(field(rec, shift(starts, pos), len(rec), indexOf(c.roles, rolePractice))); p != "" {
		c.practices[p]++
	}
	if len(c.rejected) >= maxRejects {
		return
	}
	col := 1
	if idx < len(starts) {
		col = starts[idx] - pos + 1
	}
	record := string(bytes.TrimRight(rec, "\r"))
	if len(record) > 1000 {
		record = record[:1000]
	}
	c.rejected = append(c.rejected, importing.Rejection{Line: line, Column: col, Field: strings.TrimSpace(c.fields[idx]), Reason: reason, Record: record})
}

func shift(starts []int, pos int) []int {
	out := make([]int, len(starts))
	for i, s := range starts {
		out[i] = s - pos
	}
	return out
}

// mergeRejects adds the feed's rejections to an import's.
func (f *feed) mergeRejects(res *PrescribingImport) error {
	c := f.check
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.count >= maxRejects {
		sort.Slice(c.rejected, func(i, j int) bool { return c.rejected[i].Line < c.rejected[j].Line })
		first := c.rejected[0]
		return &importing.FileError{File: c.name, Line: first.Line, Column: first.Column,
			Err: fmt.Errorf("%s; %d rows rejected, so this does not look like a prescribing file of %s: nothing imported", first.Reason, c.count, c.month)}
	}
	res.Rejected = append(res.Rejected, c.rejected...)
	sort.SliceStable(res.Rejected, func(i, j int) bool { return res.Rejected[i].Line < res.Rejected[j].Line })
	for p, n := range c.practices {
		if res.RejectedPractices == nil {
			res.RejectedPractices = map[string]int{}
		}
		res.RejectedPractices[p] += n
	}
	return nil
}
