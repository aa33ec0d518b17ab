package importing

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// CSV reads a CSV file row by row and reports every problem as a *FileError
// naming the line and column. It accepts what NHS publications contain:
// a UTF-8 byte-order mark, quoted and unquoted fields, CRLF line ends, and
// rows of varying length (the handler checks the count it expects).
type CSV struct {
	src    *Source
	r      *csv.Reader
	line   int
	record []string
}

// NewCSV returns a CSV reader over src.
func NewCSV(src *Source) *CSV {
	r := csv.NewReader(&textGuard{r: skipBOM(src.Reader()), name: src.Name})
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	return &CSV{src: src, r: r}
}

// Read returns the next row, or io.EOF at the end. The slice is reused by the
// next call. A malformed row (a stray quote, a row cut short inside quotes, a
// byte that is not text) is returned as a *FileError.
func (c *CSV) Read() ([]string, error) {
	rec, err := c.r.Read()
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, &FileError{File: c.src.Name, Line: pe.Line, Column: pe.Column, Err: describeCSVError(pe.Err)}
		}
		var te *textError
		if errors.As(err, &te) {
			return nil, &FileError{File: c.src.Name, Line: te.line, Column: te.column, Err: errors.New(te.msg)}
		}
		return nil, &FileError{File: c.src.Name, Err: err}
	}
	c.line, _ = c.r.FieldPos(0)
	c.record = rec
	return rec, nil
}

// Line returns the line on which the last row read starts.
func (c *CSV) Line() int { return c.line }

// Pos returns the line and column of field i of the last row read.
func (c *CSV) Pos(i int) (line, column int) {
	if i < 0 || i >= len(c.record) {
		return c.line, 0
	}
	return c.r.FieldPos(i)
}

// Raw returns the last row joined with commas, for keeping with a rejection.
func (c *CSV) Raw() string { return strings.Join(c.record, ",") }

// Errorf returns a *FileError at field i of the last row read.
func (c *CSV) Errorf(i int, format string, args ...any) error {
	line, col := c.Pos(i)
	return &FileError{File: c.src.Name, Line: line, Column: col, Err: fmt.Errorf(format, args...)}
}

// CheckWidth returns nil when the last row read has width fields, and
// otherwise a *FileError saying so at the first missing or extra field:
// a row of the wrong width means the file is cut short or damaged, so the
// whole import stops. tooMany is the hint for a row with too many fields
// (what usually causes one in this kind of file).
func (c *CSV) CheckWidth(width int, tooMany string) error {
	n := len(c.record)
	if n == width {
		return nil
	}
	col, hint := n-1, "is the file cut short?"
	if n > width {
		col, hint = width, tooMany
	}
	return c.Errorf(col, "row has %d columns, the header has %d (%s)", n, width, hint)
}

// Rejection returns a Rejection at field i of the last row read.
func (c *CSV) Rejection(i int, field, reason string) Rejection {
	line, col := c.Pos(i)
	return Rejection{Line: line, Column: col, Field: field, Reason: reason, Record: c.Raw()}
}

func describeCSVError(err error) error {
	switch {
	case errors.Is(err, csv.ErrQuote):
		return errors.New("a quote is not closed or is misplaced (is the file cut short or damaged?)")
	case errors.Is(err, csv.ErrBareQuote):
		return errors.New("a quote appears inside an unquoted field (is the file damaged?)")
	}
	return err
}

func skipBOM(r io.Reader) io.Reader {
	br := &bomReader{r: r}
	return br
}

type bomReader struct {
	r    io.Reader
	done bool
}

func (b *bomReader) Read(p []byte) (int, error) {
	if b.done {
		return b.r.Read(p)
	}
	b.done = true
	buf := make([]byte, 3)
	n, err := io.ReadFull(b.r, buf)
	buf = buf[:n]
	if bytes.Equal(buf, []byte{0xEF, 0xBB, 0xBF}) {
		buf = nil
	}
	rest := io.MultiReader(bytes.NewReader(buf), b.r)
	b.r = rest
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return 0, err
	}
	return b.r.Read(p)
}

// textGuard fails on bytes no NHS text file contains (NUL and other control
// characters), so that a binary or damaged file is named as such instead of
// being half-read as CSV. It tracks line and column for the message.
type textGuard struct {
	r    io.Reader
	name string
	line int
	col  int
}

type textError struct {
	line, column int
	msg          string
}

func (e *textError) Error() string { return e.msg }

func (g *textGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if g.line == 0 {
		g.line = 1
	}
	for i := 0; i < n; i++ {
		c := p[i]
		switch {
		case c == '\n':
			g.line++
			g.col = 0
		case c < 0x20 && c != '\r' && c != '\t':
			return 0, &textError{line: g.line, column: g.col + 1,
				msg: fmt.Sprintf("byte 0x%02x is not text: this is not a CSV file, or it is damaged", c)}
		default:
			g.col++
		}
	}
	return n, err
}

// Text returns s with surrounding spaces removed; invalid UTF-8 (older NHS
// files are Latin-1) is converted from Latin-1 so that names keep their letters.
func Text(s string) string {
	s = strings.TrimSpace(s)
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}
