// Package ods reads the NHS Organisation Data Service (ODS) files that place
// GP practices in the NHS hierarchy, and imports them into the registry:
//
//   - epraccur.csv, GP practices and other prescribing cost centres
//     (kind "ods-practices");
//   - eccg.csv, clinical commissioning groups ("ods-commissioners");
//   - eauth.csv, NHS England regions, area teams and the government office
//     regions before them ("ods-regions");
//   - succ.csv, successions such as CCG mergers ("ods-successions").
//
// The first three share the ODS "standard layout": no header row and 27
// quoted columns (an older variant has 26; newer downloads write the status
// as ACTIVE/INACTIVE and the prescribing setting as a role id such as RO76).
// A file whose rows do not have that shape is refused as a whole, naming the
// line and column; a row whose values fail a check (a bad date, a code of the
// wrong shape) is rejected on its own and the rest imported.
package ods

import (
	"fmt"
	"io"
	"reflect"
	"strings"

	"ccg/internal/calendar"
	"ccg/internal/formats/internal/field"
	"ccg/internal/importing"
	"ccg/internal/registry"
)

// Columns of the ODS standard layout, counted from 0 (the ODS documentation
// counts from 1: column 1 is the code).
const (
	ColCode             = 0  // organisation code
	ColName             = 1  // name
	ColNationalGrouping = 2  // national grouping (NHS England region; W00 = Wales)
	ColHealthGeography  = 3  // high-level health geography (area team)
	ColAddress1         = 4  // address lines 1 to 5 are columns 4 to 8
	ColAddress5         = 8  // address line 5
	ColPostcode         = 9  // postcode
	ColOpened           = 10 // open date, YYYYMMDD
	ColClosed           = 11 // close date, YYYYMMDD
	ColStatus           = 12 // status: A, C, D, P (or ACTIVE, INACTIVE)
	ColSubType          = 13 // organisation sub-type
	ColCommissioner     = 14 // commissioner (parent organisation)
	ColJoined           = 15 // join parent date
	ColLeft             = 16 // left parent date
	ColPhone            = 17 // contact telephone number
	ColAmended          = 21 // amended record indicator
	ColPurchaser        = 23 // provider/purchaser (the commissioner again, in practice files)
	ColSetting          = 25 // prescribing setting (4 = GP practice; or a role id such as RO76)
)

// Widths a standard-layout file may have.
const (
	WidthFull  = 27
	WidthShort = 26
)

// columnNames are the ODS documentation's names, used in rejections.
var columnNames = map[int]string{
	ColCode: "Organisation Code", ColName: "Name", ColNationalGrouping: "National Grouping",
	ColHealthGeography: "High Level Health Geography", ColPostcode: "Postcode",
	ColOpened: "Open Date", ColClosed: "Close Date", ColStatus: "Status Code",
	ColSubType: "Organisation Sub-Type Code", ColCommissioner: "Commissioner",
	ColJoined: "Join Parent Date", ColLeft: "Left Parent Date", ColPhone: "Contact Telephone Number",
	ColAmended: "Amended Record Indicator", ColPurchaser: "Provider/Purchaser", ColSetting: "Prescribing Setting",
}

// ColumnName returns the ODS name of column i (counted from 0).
func ColumnName(i int) string {
	if n, ok := columnNames[i]; ok {
		return n
	}
	if i >= ColAddress1 && i <= ColAddress5 {
		return fmt.Sprintf("Address Line %d", i-ColAddress1+1)
	}
	return fmt.Sprintf("column %d", i+1)
}

// Record is one row of a standard-layout file, trimmed and with its dates
// read. Address lines are kept in order with blanks removed.
type Record struct {
	Line             int
	Code             string
	Name             string
	NationalGrouping string
	HealthGeography  string
	Address          []string
	Postcode         string
	Opened, Closed   calendar.Date
	// Status is as the file gives it, read into the registry's terms; it is
	// "" when the column is blank (eccg and eauth leave it blank).
	Status       registry.Status
	SubType      string
	Commissioner string
	Joined, Left calendar.Date
	Phone        string
	Amended      bool
	Purchaser    string
	Setting      string

	// at makes a rejection of this row at a column.
	at func(col int, reason string) importing.Rejection
}

// Reader reads a standard-layout file row by row.
type Reader struct {
	src   *importing.Source
	csv   *importing.CSV
	what  string // "an ODS practice file (epraccur.csv)"
	width int    // the width of the first row; every row must match it
	rows  int

	// The whole file, read at the first Next so that two rows for one
	// organisation can be found wherever they are.
	items  []item
	loaded bool
	cur    *Record
}

// item is one row read: a record or a rejection.
type item struct {
	rec Record
	rej *importing.Rejection
}

// NewReader returns a Reader over src. what names the file kind in messages,
// for example "an ODS practice file (epraccur.csv)".
func NewReader(src *importing.Source, what string) *Reader {
	return &Reader{src: src, csv: importing.NewCSV(src), what: what}
}

// Next reads the next row. It returns io.EOF after the last row; a
// *importing.FileError when the file is not in the standard layout (the
// import must stop); and, for a row whose values fail a check, a non-nil
// Rejection (leave the row out and go on).
//
// Two rows for the same organisation with different details are both
// rejected (which one is right cannot be told); an exact repeat is read
// once.
func (r *Reader) Next() (Record, *importing.Rejection, error) {
	if !r.loaded {
		if err := r.load(); err != nil {
			return Record{}, nil, err
		}
	}
	if len(r.items) == 0 {
		r.cur = nil
		return Record{}, nil, io.EOF
	}
	it := r.items[0]
	r.items = r.items[1:]
	r.cur = &it.rec
	if it.rej != nil {
		return Record{}, it.rej, nil
	}
	return it.rec, nil, nil
}

// load reads every row and rejects organisations that appear twice with
// different details.
func (r *Reader) load() error {
	r.loaded = true
	first := map[string]int{} // code → index of its first record
	for {
		rec, rej, err := r.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if rej != nil {
			r.items = append(r.items, item{rec: rec, rej: rej})
			continue
		}
		i, seen := first[rec.Code]
		if !seen {
			first[rec.Code] = len(r.items)
			r.items = append(r.items, item{rec: rec})
			continue
		}
		prev := &r.items[i]
		if sameDetails(prev.rec, rec) {
			continue // an exact repeat
		}
		if prev.rej == nil {
			x := prev.rec.at(ColCode, fmt.Sprintf("%s appears again at line %d with different details: both rows left out (which one is right cannot be told)", rec.Code, rec.Line))
			prev.rej = &x
		}
		x := rec.at(ColCode, fmt.Sprintf("%s appears already at line %d with different details: both rows left out (which one is right cannot be told)", rec.Code, prev.rec.Line))
		r.items = append(r.items, item{rec: rec, rej: &x})
	}
	return nil
}

func sameDetails(a, b Record) bool {
	a.Line, b.Line, a.at, b.at = 0, 0, nil, nil
	return reflect.DeepEqual(a, b)
}

// next reads the next row of the file.
func (r *Reader) next() (Record, *importing.Rejection, error) {
	row, err := r.csv.Read()
	if err == io.EOF {
		if r.rows == 0 {
			return Record{}, nil, r.src.Errorf(1, 1, "the file is empty: %s has one row per organisation", r.what)
		}
		return Record{}, nil, io.EOF
	}
	if err != nil {
		return Record{}, nil, err
	}
	r.rows++
	if err := r.checkWidth(row); err != nil {
		return Record{}, nil, err
	}
	rec := Record{Line: r.csv.Line()}
	rec.at = r.rejectionAt()
	get := func(i int) string {
		if i >= len(row) {
			return ""
		}
		return importing.Text(row[i])
	}
	var ferr error
	if rec.Code, ferr = field.Code(get(ColCode), "organisation code", 1, 10); ferr != nil {
		return r.reject(ColCode, ferr.Error())
	}
	rec.Name = get(ColName)
	if rec.Name == "" {
		return r.reject(ColName, fmt.Sprintf("%s has no name", rec.Code))
	}
	rec.NationalGrouping = strings.ToUpper(get(ColNationalGrouping))
	rec.HealthGeography = strings.ToUpper(get(ColHealthGeography))
	for i := ColAddress1; i <= ColAddress5; i++ {
		if a := get(i); a != "" {
			rec.Address = append(rec.Address, a)
		}
	}
	rec.Postcode = get(ColPostcode)
	dates := []struct {
		col int
		to  *calendar.Date
	}{{ColOpened, &rec.Opened}, {ColClosed, &rec.Closed}, {ColJoined, &rec.Joined}, {ColLeft, &rec.Left}}
	for _, d := range dates {
		v, err := field.ODSDate(get(d.col))
		if err != nil {
			return r.reject(d.col, fmt.Sprintf("the %s %v", strings.ToLower(ColumnName(d.col)), err))
		}
		*d.to = v
	}
	if !rec.Closed.IsZero() && !rec.Opened.IsZero() && rec.Closed.Before(rec.Opened) {
		return r.reject(ColClosed, fmt.Sprintf("%s closes on %s, before it opens on %s", rec.Code, rec.Closed, rec.Opened))
	}
	if !rec.Left.IsZero() && !rec.Joined.IsZero() && rec.Left.Before(rec.Joined) {
		return r.reject(ColLeft, fmt.Sprintf("%s leaves its commissioner on %s, before it joins on %s", rec.Code, rec.Left, rec.Joined))
	}
	status := strings.ToUpper(get(ColStatus))
	switch status {
	case "":
	case "A", "ACTIVE":
		rec.Status = registry.StatusActive
	case "C", "INACTIVE", "CLOSED":
		rec.Status = registry.StatusClosed
	case "D", "DORMANT":
		rec.Status = registry.StatusDormant
	case "P", "PROPOSED":
		rec.Status = registry.StatusProposed
	default:
		return r.reject(ColStatus, fmt.Sprintf("the status %q is not one ODS uses (want A active, C closed, D dormant, P proposed, or ACTIVE/INACTIVE)", status))
	}
	rec.SubType = strings.ToUpper(get(ColSubType))
	rec.Commissioner = strings.ToUpper(get(ColCommissioner))
	rec.Phone = get(ColPhone)
	rec.Amended = get(ColAmended) == "1"
	rec.Purchaser = strings.ToUpper(get(ColPurchaser))
	rec.Setting = strings.ToUpper(get(ColSetting))
	return rec, nil, nil
}

// checkWidth refuses a row that is not as wide as the layout, or not as wide
// as the file's first row.
func (r *Reader) checkWidth(row []string) error {
	n := len(row)
	if r.rows == 1 && (n == WidthFull || n == WidthShort) && namesColumns(row[ColCode], row[ColOpened]) {
		return r.csv.Errorf(0, "%s has no header row, but this file starts with one (%s): is it the right kind of file?", r.what, preview(row))
	}
	if n != WidthFull && n != WidthShort {
		col := n - 1 // point at the last column read (the row was cut short here)
		if n > WidthFull {
			col = WidthFull // point at the first column too many
		}
		msg := fmt.Sprintf("row has %d columns, %s has %d or %d", n, r.what, WidthShort, WidthFull)
		switch {
		case r.rows == 1 && looksLikeHeader(row):
			msg += fmt.Sprintf(" and no header row; this file starts with a header (%s): is it the right kind of file?", preview(row))
		case r.rows == 1:
			msg += " (is it the right kind of file?)"
		case n < WidthShort:
			msg += " (is the file cut short?)"
		default:
			msg += " (is the file damaged?)"
		}
		return r.csv.Errorf(col, "%s", msg)
	}
	if r.width == 0 {
		r.width = n
		return nil
	}
	if n != r.width {
		col := min(n, r.width) - 1
		return r.csv.Errorf(col, "row has %d columns, the rows before it have %d (is the file cut short or damaged?)", n, r.width)
	}
	return nil
}

// reject returns a rejection at column col of the row being read.
func (r *Reader) reject(col int, reason string) (Record, *importing.Rejection, error) {
	rej := r.csv.Rejection(col, ColumnName(col), reason)
	return Record{}, &rej, nil
}

// rejectionAt captures the row being read, for rejections made later.
func (r *Reader) rejectionAt() func(col int, reason string) importing.Rejection {
	line := r.csv.Line()
	raw := r.csv.Raw()
	cols := make([]int, max(r.width, ColSetting+1))
	for i := range cols {
		_, cols[i] = r.csv.Pos(i)
	}
	return func(col int, reason string) importing.Rejection {
		c := 0
		if col >= 0 && col < len(cols) {
			c = cols[col]
		}
		return importing.Rejection{Line: line, Column: c, Field: ColumnName(col), Reason: reason, Record: raw}
	}
}

// Rejection returns a rejection, at column col, of the row Next returned
// last.
func (r *Reader) Rejection(col int, reason string) importing.Rejection {
	if r.cur != nil && r.cur.at != nil {
		return r.cur.at(col, reason)
	}
	return r.csv.Rejection(col, ColumnName(col), reason)
}

// looksLikeHeader reports whether a first row reads like column names
// rather than an organisation: its first field holds no digit (every ODS
// code does) and some field holds a lower-case letter, a space or an
// underscore.
func looksLikeHeader(row []string) bool {
	if len(row) == 0 || strings.ContainsAny(row[0], "0123456789") {
		return false
	}
	for _, f := range row {
		if strings.ContainsAny(strings.TrimSpace(f), "_ abcdefghijklmnopqrstuvwxyz") {
			return true
		}
	}
	return false
}

// namesColumns reports whether a row of the right width is a header: its
// code is not a code (it has lower-case letters, spaces or underscores) or
// its date column holds something other than digits.
func namesColumns(code, date string) bool {
	code, date = strings.TrimSpace(code), strings.TrimSpace(date)
	if strings.ContainsAny(code, "_ abcdefghijklmnopqrstuvwxyz") {
		return true
	}
	return strings.IndexFunc(date, func(c rune) bool { return (c < '0' || c > '9') && c != '-' }) >= 0
}

func preview(row []string) string {
	const max = 4
	parts := row
	if len(parts) > max {
		parts = parts[:max]
	}
	s := strings.Join(parts, ",")
	if len(row) > max {
		s += ",…"
	}
	return s
}
