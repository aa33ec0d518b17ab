// Package csvsafe writes CSV that spreadsheets cannot mistake for formulas.
// Every CSV (and spreadsheet) download in ccg goes through it: a cell that
// starts with =, +, -, @, a tab or a carriage return is prefixed with a
// single quote, so that Excel, LibreOffice and Google Sheets show it as text
// instead of running it (CSV or formula injection). Plain numbers, including
// negative ones such as -12.5, are left alone so that they stay numbers.
package csvsafe

import (
	"encoding/csv"
	"io"
	"strconv"
)

// Cell returns s made safe to open in a spreadsheet.
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if s[0] == '-' || s[0] == '+' {
			if _, err := strconv.ParseFloat(s, 64); err == nil {
				return s
			}
		}
		return "'" + s
	}
	return s
}

// Row returns a copy of row with every cell made safe.
func Row(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = Cell(c)
	}
	return out
}

// Writer is a csv.Writer that makes every cell safe.
type Writer struct{ w *csv.Writer }

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one row, every cell made safe.
func (w *Writer) Write(row []string) error { return w.w.Write(Row(row)) }

// WriteAll writes rows and flushes.
func (w *Writer) WriteAll(rows [][]string) error {
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.w.Flush()
	return w.w.Error()
}

// Flush writes any buffered data; check Error afterwards.
func (w *Writer) Flush() { w.w.Flush() }

// Error reports any error from a previous Write or Flush.
func (w *Writer) Error() error { return w.w.Error() }
