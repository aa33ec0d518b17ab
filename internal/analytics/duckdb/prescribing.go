package duckdb

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"time"

	duckdbdriver "github.com/duckdb/duckdb-go/v2"

	"ccg/internal/analytics"
	"ccg/internal/calendar"
	"ccg/internal/importing"
)

// Layout is a prescribing file layout.
type Layout string

// The prescribing layouts ImportPrescribing reads.
const (
	// LayoutEPD is NHS BSA's English Prescribing Dataset: a header row, one
	// row per practice × presentation × pack size, old column names
	// (AREA_TEAM_*, BNF_CODE, BNF_DESCRIPTION, ADQUSAGE) or new ones (ICB_*,
	// BNF_PRESENTATION_CODE, BNF_PRESENTATION_NAME, ADQ_USAGE), and in newer
	// files a trailing SNOMED_CODE.
	LayoutEPD Layout = "epd"
	// LayoutPDPI is NHS Digital's legacy "practice level prescribing" BNFT
	// file: a header with a leading space and padded names, zero-padded
	// values, a trailing comma, PERIOD as YYYYMM.
	LayoutPDPI Layout = "pdpi"
)

// PrescribingImport is what an import of a prescribing file found.
type PrescribingImport struct {
	Layout Layout
	Months []calendar.Month
	// Rows is the number of data rows in the file; Accepted the rows summed
	// into facts; Facts the practice × presentation × month rows stored
	// (pack sizes summed); Replaced the fact rows of the same months that
	// were there before and are now gone.
	Rows, Accepted, Facts, Replaced int64
	// Practices are the organisation codes in the file.
	Practices []string
	// Rejected are rows DuckDB could not read (a value that is not a
	// number), with their line and column in the file; RejectedPractices
	// counts them by practice where the practice code could be read.
	Rejected          []importing.Rejection
	RejectedPractices map[string]int
	// BadCodes counts rows left out because their BNF code or practice code
	// is not one (an example is in BadCodeExample).
	BadCodes       int64
	BadCodeExample string
	// Elapsed is the time the import took.
	Elapsed time.Duration
}

// column roles in a prescribing file
type role int

const (
	roleOther role = iota
	roleMonth
	rolePractice
	roleCode
	roleName
	roleItems
	roleQuantity
	roleCost
	roleNIC
	roleADQ
)

var epdRoles = map[string]role{
	"YEAR_MONTH": roleMonth, "PRACTICE_CODE": rolePractice,
	"BNF_CODE": roleCode, "BNF_PRESENTATION_CODE": roleCode,
	"BNF_DESCRIPTION": roleName, "BNF_PRESENTATION_NAME": roleName,
	"ITEMS": roleItems, "TOTAL_QUANTITY": roleQuantity, "ACTUAL_COST": roleCost, "NIC": roleNIC,
	"ADQUSAGE": roleADQ, "ADQ_USAGE": roleADQ,
}

var pdpiRoles = map[string]role{
	"PERIOD": roleMonth, "PRACTICE": rolePractice, "BNF CODE": roleCode, "BNF NAME": roleName,
	"ITEMS": roleItems, "QUANTITY": roleQuantity, "ACT COST": roleCost, "NIC": roleNIC,
}

var roleNames = map[role]string{
	roleMonth: "month", rolePractice: "practice code", roleCode: "BNF code", roleName: "BNF name",
	roleItems: "items", roleQuantity: "quantity", roleCost: "actual cost", roleNIC: "net ingredient cost",
}

// phase, when set (by tests and benchmarks), is told how long each step
// of an import took.
var phase func(step string, d time.Duration)

func mark(step string, t *time.Time) {
	d := time.Since(*t)
	if phase != nil {
		phase(step, d)
	}
	slog.Debug("analytics: import prescribing", "step", step, "took", d)
	*t = time.Now()
}

// maxRejects caps the unreadable rows kept in detail; beyond it the file is
// refused as not what it claims to be.
const maxRejects = 100_000

// detectLayout reads the header fields and returns the layout and the role
// of each column.
func detectLayout(name string, fields []string) (Layout, []role, error) {
	norm := make([]string, len(fields))
	for i, f := range fields {
		norm[i] = strings.ToUpper(strings.TrimSpace(f))
	}
	has := func(n string) bool {
		for _, f := range norm {
			if f == n {
				return true
			}
		}
		return false
	}
	var layout Layout
	var table map[string]role
	switch {
	case has("YEAR_MONTH"):
		layout, table = LayoutEPD, epdRoles
	case has("PERIOD") && has("BNF CODE"):
		layout, table = LayoutPDPI, pdpiRoles
	default:
		return "", nil, &importing.FileError{File: name, Line: 1, Column: 1, Err: errors.New(
			"this is neither an English Prescribing Dataset file (no YEAR_MONTH column) nor a legacy PDPI BNFT file " +
				"(no PERIOD and BNF CODE columns): is it a prescribing file, with its header row?")}
	}
	roles := make([]role, len(norm))
	seen := map[role]int{}
	for i, f := range norm {
		r := table[f]
		if r != roleOther {
			if _, dup := seen[r]; dup {
				return "", nil, &importing.FileError{File: name, Line: 1, Column: columnOf(fields, i),
					Err: fmt.Errorf("the %s column appears twice (%q)", roleNames[r], strings.TrimSpace(fields[i]))}
			}
			seen[r] = i
		}
		roles[i] = r
	}
	need := []role{roleMonth, rolePractice, roleCode, roleItems, roleQuantity, roleCost, roleNIC}
	for _, r := range need {
		if _, ok := seen[r]; !ok {
			want := ""
			for k, v := range table {
				if v == r {
					if want != "" {
						want += " or "
					}
					want += k
				}
			}
			return "", nil, &importing.FileError{File: name, Line: 1,
				Err: fmt.Errorf("the header has no %s column (want %s) for %s file", roleNames[r], want, layoutLabel(layout))}
		}
	}
	return layout, roles, nil
}

func layoutLabel(l Layout) string {
	if l == LayoutPDPI {
		return "a PDPI BNFT"
	}
	return "an English Prescribing Dataset"
}

// columnOf returns the 1-based byte column where field i starts in a
// header written with commas.
func columnOf(fields []string, i int) int {
	col := 1
	for j := 0; j < i && j < len(fields); j++ {
		col += len(fields[j]) + 1
	}
	return col
}

// readHeader reads the first line (dropping a byte-order mark).
func readHeader(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadBytes('\n')
	if err != nil && err != io.EOF {
		return nil, err
	}
	line = bytes.TrimPrefix(line, []byte{0xEF, 0xBB, 0xBF})
	if len(line) > 0 && line[len(line)-1] != '\n' {
		line = append(line, '\n')
	}
	return line, nil
}

// MonthFromName returns the month a prescribing file's published name
// declares: EPD_YYYYMM.csv (NHSBSA) or TYYYYMMPDPI BNFT.CSV (NHS Digital).
func MonthFromName(name string) (calendar.Month, bool) {
	for _, re := range []*regexp.Regexp{epdName, pdpiName} {
		if m := re.FindStringSubmatch(name); m != nil {
			if month, err := calendar.ParseMonth(m[1]); err == nil {
				return month, true
			}
		}
	}
	return calendar.Month{}, false
}

var (
	epdName  = regexp.MustCompile(`(?i)EPD_([0-9]{6})`)
	pdpiName = regexp.MustCompile(`(?i)^T([0-9]{6})PDPI`)
)

// ImportPrescribing imports a prescribing file into a draft and publishes
// it at once (see Draft.ImportPrescribing); the month is the one the
// file's name declares.
func (s *Store) ImportPrescribing(ctx context.Context, src *importing.Source) (PrescribingImport, error) {
	var res PrescribingImport
	err := s.change(ctx, func(d *Draft) error {
		var err error
		res, err = d.ImportPrescribing(ctx, src, calendar.Month{})
		return err
	})
	return res, err
}

// ImportPrescribing reads a prescribing file (English Prescribing Dataset,
// old or new column names, or a legacy PDPI BNFT file; the layout is found
// from the header) of one declared month (month, or when zero the month
// its name declares) and writes the month's facts as the draft's files.
//
// DuckDB reads the file itself: the header is checked here, then the rest
// is streamed through named pipes (one per CPU, whole records per chunk) to
// read_csv with explicit column types, summed per month × practice ×
// presentation as it is read (pack-size rows summed) into a staging table.
// On the way, every row is checked (its month is the declared one; items a
// whole number ≥ 0; quantity and costs finite numbers): a row that fails is
// rejected with its line and column and left out. Rows DuckDB cannot read
// come back as rejections too; a structural fault (a row with too many or
// too few columns, a broken quote, bytes that are not UTF-8 text) fails the
// import with a *importing.FileError at its line. Nothing is visible to
// anyone until the draft is published.
//
// Progress: the bytes are read from src, so the import pipeline's
// counting reader sees them as DuckDB consumes them.
func (d *Draft) ImportPrescribing(ctx context.Context, src *importing.Source, month calendar.Month) (PrescribingImport, error) {
	start := time.Now()
	var res PrescribingImport
	if d.done {
		return res, errClosed
	}
	if named, ok := MonthFromName(src.Name); ok {
		if !month.IsZero() && named != month {
			return res, &importing.FileError{File: src.Name, Err: fmt.Errorf(
				"the file's name says %s but the month given is %s: nothing imported", named, month)}
		}
		month = named
	}
	if month.IsZero() {
		return res, &importing.FileError{File: src.Name, Err: errors.New(
			"the file's name does not say which month it holds (EPD_YYYYMM.csv, or TYYYYMMPDPI BNFT.CSV): keep the name it was published with, or give the month with --month YYYY-MM")}
	}
	br := bufio.NewReaderSize(src.Reader(), 1<<20)
	header, err := readHeader(br)
	if err != nil {
		return res, fmt.Errorf("analytics: import prescribing %s: %w", src.Name, err)
	}
	if len(bytes.TrimSpace(header)) == 0 {
		return res, &importing.FileError{File: src.Name, Err: errors.New("the file is empty")}
	}
	if i := bytes.IndexFunc(header, func(r rune) bool { return r == 0 || (r < 0x20 && r != '\r' && r != '\n' && r != '\t') }); i >= 0 {
		return res, &importing.FileError{File: src.Name, Line: 1, Column: i + 1, Err: errors.New("this is not a CSV text file (it holds binary bytes)")}
	}
	hr := csv.NewReader(bytes.NewReader(header))
	hr.FieldsPerRecord = -1
	fields, err := hr.Read()
	if err != nil {
		return res, &importing.FileError{File: src.Name, Line: 1, Err: fmt.Errorf("the header row is not CSV: %v", err)}
	}
	layout, roles, err := detectLayout(src.Name, fields)
	if err != nil {
		return res, err
	}
	res.Layout = layout
	conn := d.conn

	col := map[role]string{}
	var cols []string
	for i, r := range roles {
		typ := "VARCHAR"
		switch r {
		case roleItems, roleQuantity, roleCost, roleNIC, roleADQ:
			typ = "DOUBLE"
		}
		name := fmt.Sprintf("c%d", i)
		if r != roleOther {
			col[r] = name
		}
		cols = append(cols, fmt.Sprintf("'%s': '%s'", name, typ))
	}
	adq := "NULL::DOUBLE"
	if c, ok := col[roleADQ]; ok {
		adq = "sum(" + c + ")"
	}

	nPipes := runtime.NumCPU()
	if nPipes > 8 {
		nPipes = 8
	}
	f, err := startFeed(d.s.tmp, br, header, nPipes, newRowCheck(src.Name, fields, roles, month))
	if err != nil {
		return res, fmt.Errorf("analytics: import prescribing %s: %w", src.Name, err)
	}
	stopWatch := f.watch(ctx)
	defer stopWatch()
	quoted := make([]string, len(f.Paths))
	for i, p := range f.Paths {
		quoted[i] = "'" + sqlString(p) + "'"
	}
	for _, q := range []string{"DROP TABLE IF EXISTS rx_stage", "DROP TABLE IF EXISTS rx_rejects", "DROP TABLE IF EXISTS rx_reject_scans"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			f.Close()
			return res, fmt.Errorf("analytics: import prescribing: %w", err)
		}
	}
	// The facts are summed per month × practice × presentation; the names
	// of the presentations come from a second, small grouping set in the
	// same scan (keeping a name in every fact group costs far more).
	groupBy := "GROUP BY GROUPING SETS ((month_raw, practice, bnf_code), (bnf_code, name))"
	nameCol, factFlag := "name", "grouping(name) AS fact"
	if c, ok := col[roleName]; ok {
		nameCol = c + " AS name"
	} else {
		nameCol, factFlag, groupBy = "'' AS name", "1 AS fact", "GROUP BY month_raw, practice, bnf_code, name"
	}
	stage := fmt.Sprintf(`CREATE TEMP TABLE rx_stage AS
SELECT %[1]s AS month_raw, %[2]s AS practice, %[3]s AS bnf_code, %[9]s,
	sum(%[4]s) AS items, sum(%[5]s) AS quantity, sum(%[6]s) AS actual_cost, sum(%[7]s) AS nic, %[8]s AS adq,
	count(*) AS row_count, %[13]s
FROM read_csv([%[10]s], header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
	columns = {%[11]s}, store_rejects = true, rejects_table = 'rx_rejects', rejects_scan = 'rx_reject_scans',
	rejects_limit = %[12]d, max_line_size = 1048576)
%[14]s`,
		col[roleMonth], col[rolePractice], col[roleCode], col[roleItems], col[roleQuantity], col[roleCost], col[roleNIC],
		adq, nameCol, strings.Join(quoted, ", "), strings.Join(cols, ", "), maxRejects, factFlag, groupBy)
	t0 := time.Now()
	_, qerr := conn.ExecContext(ctx, stage)
	ferr := f.Close()
	mark("read and sum", &t0)
	if qerr != nil {
		return res, fmt.Errorf("analytics: import prescribing %s: read: %w", src.Name, qerr)
	}
	if ferr != nil {
		return res, fmt.Errorf("analytics: import prescribing %s: read: %w", src.Name, ferr)
	}
	defer func() {
		for _, q := range []string{"DROP TABLE IF EXISTS rx_stage", "DROP TABLE IF EXISTS rx_rejects", "DROP TABLE IF EXISTS rx_reject_scans", "DROP TABLE IF EXISTS rx_months"} {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), q)
		}
	}()
	lastLine := 1
	for _, cs := range f.chunks {
		for _, c := range cs {
			if end := c.fileFirst + c.lines - 1; end > lastLine {
				lastLine = end
			}
		}
	}
	res.Rows = int64(lastLine - 1)

	// Rows DuckDB could not read.
	if err := collectRejects(ctx, conn, src.Name, f, fields, roles, &res); err != nil {
		return res, err
	}
	// Rows the feed rejected (another month, a bad count) were passed to
	// DuckDB blanked, with the month "!": they are dropped here.
	for _, q := range []string{"DELETE FROM rx_stage WHERE fact = 1 AND month_raw = '" + rejectedMonth + "'",
		"DELETE FROM rx_stage WHERE fact = 0 AND bnf_code IS NULL"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return res, fmt.Errorf("analytics: import prescribing: %w", err)
		}
	}
	if err := f.mergeRejects(&res); err != nil {
		return res, err
	}

	mark("rejects", &t0)
	// The month: the feed let through only rows of the declared month.
	var nFacts int64
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM rx_stage WHERE fact = 1").Scan(&nFacts); err != nil {
		return res, fmt.Errorf("analytics: import prescribing: %w", err)
	}
	if nFacts == 0 && res.Rows == 0 {
		return res, &importing.FileError{File: src.Name, Err: errors.New("the file has no data rows")}
	}
	res.Months = []calendar.Month{month}

	// Codes and practices are checked (and normalised: upper case, no
	// padding) once each, in Go, rather than once per row in SQL; the rows
	// are only rewritten when some key needs it.
	codeNames := map[string]string{}
	var badCodes, oddKeys []string
	crows, err := conn.QueryContext(ctx, "SELECT bnf_code, max(name) FROM rx_stage GROUP BY bnf_code")
	if err != nil {
		return res, fmt.Errorf("analytics: import prescribing: %w", err)
	}
	for crows.Next() {
		var code, cname sql.NullString
		if err := crows.Scan(&code, &cname); err != nil {
			crows.Close()
			return res, fmt.Errorf("analytics: import prescribing: %w", err)
		}
		norm := strings.ToUpper(strings.TrimSpace(code.String))
		if !code.Valid || !bnfCodePattern.MatchString(norm) {
			badCodes = append(badCodes, code.String)
			continue
		}
		if norm != code.String {
			oddKeys = append(oddKeys, code.String)
		}
		if _, ok := codeNames[norm]; !ok {
			codeNames[norm] = strings.TrimSpace(cname.String)
		}
	}
	crows.Close()
	if err := crows.Err(); err != nil {
		return res, fmt.Errorf("analytics: import prescribing: %w", err)
	}
	var badPractices []string
	practiceSet := map[string]bool{}
	prows, err := conn.QueryContext(ctx, "SELECT DISTINCT practice FROM rx_stage WHERE fact = 1")
	if err != nil {
		return res, fmt.Errorf("analytics: import prescribing: %w", err)
	}
	for prows.Next() {
		var p sql.NullString
		if err := prows.Scan(&p); err != nil {
			prows.Close()
			return res, fmt.Errorf("analytics: import prescribing: %w", err)
		}
		norm := strings.ToUpper(strings.TrimSpace(p.String))
		if !p.Valid || norm == "" {
			badPractices = append(badPractices, p.String)
			continue
		}
		if norm != p.String {
			oddKeys = append(oddKeys, p.String)
		}
		practiceSet[norm] = true
	}
	prows.Close()
	if err := prows.Err(); err != nil {
		return res, fmt.Errorf("analytics: import prescribing: %w", err)
	}
	for p := range practiceSet {
		res.Practices = append(res.Practices, p)
	}
	sort.Strings(res.Practices)

	// The filter that drops rows with a bad code or no practice.
	valid := "fact = 1"
	if len(badCodes) > 0 || len(badPractices) > 0 {
		var parts []string
		if len(badCodes) > 0 {
			parts = append(parts, "bnf_code IS NOT NULL AND bnf_code NOT IN ("+quoteList(badCodes)+")")
		}
		if len(badPractices) > 0 {
			parts = append(parts, "practice IS NOT NULL AND practice NOT IN ("+quoteList(badPractices)+")")
		}
		valid = "fact = 1 AND " + strings.Join(parts, " AND ")
		var bad sql.NullInt64
		var badExample sql.NullString
		if err := conn.QueryRowContext(ctx, `SELECT sum(row_count), min(coalesce(practice, '') || ' ' || coalesce(bnf_code, '')) FROM rx_stage WHERE fact = 1 AND NOT (`+valid+`)`).Scan(&bad, &badExample); err != nil {
			return res, fmt.Errorf("analytics: import prescribing: %w", err)
		}
		res.BadCodes, res.BadCodeExample = bad.Int64, badExample.String
		// Practices whose every row was left out are not in the file's list.
		res.Practices = res.Practices[:0]
		vrows, err := conn.QueryContext(ctx, "SELECT DISTINCT upper(trim(practice)) FROM rx_stage WHERE "+valid+" ORDER BY 1")
		if err != nil {
			return res, fmt.Errorf("analytics: import prescribing: %w", err)
		}
		for vrows.Next() {
			var p string
			if err := vrows.Scan(&p); err != nil {
				vrows.Close()
				return res, fmt.Errorf("analytics: import prescribing: %w", err)
			}
			res.Practices = append(res.Practices, p)
		}
		vrows.Close()
		if err := vrows.Err(); err != nil {
			return res, fmt.Errorf("analytics: import prescribing: %w", err)
		}
	}
	var total sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT sum(row_count) FROM rx_stage WHERE fact = 1`).Scan(&total); err != nil {
		return res, fmt.Errorf("analytics: import prescribing: %w", err)
	}
	res.Accepted = total.Int64 - res.BadCodes
	if res.Accepted <= 0 {
		first := "no row"
		if len(res.Rejected) > 0 {
			r := res.Rejected[0]
			first = fmt.Sprintf("line %d: %s", r.Line, r.Reason)
		}
		return res, &importing.FileError{File: src.Name, Err: fmt.Errorf("no row of the file could be imported (%s): nothing imported", first)}
	}

	mark("checks", &t0)
	part := month.String()
	res.Replaced = d.base[analytics.Key{Dataset: "prescribing", Part: part}].Rows
	factsQuery := `SELECT ` + dateLit(month) + ` AS month, practice, bnf_code, items, quantity, actual_cost, nic, adq
FROM rx_stage WHERE ` + valid
	if len(oddKeys) > 0 {
		// Padded or lower-case keys: normalise, and add up rows that
		// become the same.
		factsQuery = `SELECT ` + dateLit(month) + ` AS month, upper(trim(practice)) AS practice, upper(trim(bnf_code)) AS bnf_code,
	sum(items) AS items, sum(quantity) AS quantity, sum(actual_cost) AS actual_cost, sum(nic) AS nic, sum(adq) AS adq
FROM rx_stage WHERE ` + valid + ` GROUP BY ALL`
	}
	facts, err := d.writeOrdered(ctx, "prescribing", part, factsQuery, "practice, bnf_code")
	if err != nil {
		return res, fmt.Errorf("analytics: import prescribing %s: store: %w", src.Name, err)
	}
	res.Facts = facts.Rows
	if err := d.writePresentations(ctx, month, codeNames); err != nil {
		return res, fmt.Errorf("analytics: import prescribing %s: store: %w", src.Name, err)
	}
	issues := "SELECT * FROM empty_prescribing_issues"
	if len(res.RejectedPractices) > 0 {
		var vals []string
		for p, n := range res.RejectedPractices {
			vals = append(vals, fmt.Sprintf("(%s, 'prescribing', '%s', 'rejected-rows', %d)", dateLit(month), sqlString(p), n))
		}
		sort.Strings(vals)
		issues = "SELECT * FROM (VALUES " + strings.Join(vals, ", ") + ") t(month, source, practice, issue, row_count)"
	}
	if _, err := d.write(ctx, "prescribing_issues", part, issues); err != nil {
		return res, fmt.Errorf("analytics: import prescribing %s: store: %w", src.Name, err)
	}
	mark("store", &t0)
	res.Elapsed = time.Since(start)
	return res, nil
}

// bnfCodePattern is a drug (15 characters) or appliance (11) presentation code.
var bnfCodePattern = regexp.MustCompile(`^[0-9]{2}[0-9A-Z]{9}([0-9A-Z]{4})?$`)

func quoteList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = "'" + sqlString(v) + "'"
	}
	return strings.Join(q, ", ")
}

// writePresentations writes the month's presentation codes and names.
func (d *Draft) writePresentations(ctx context.Context, month calendar.Month, names map[string]string) error {
	if _, err := d.conn.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE rx_names (bnf_code VARCHAR, name VARCHAR)"); err != nil {
		return err
	}
	defer d.conn.ExecContext(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS rx_names")
	err := d.conn.Raw(func(dc any) error {
		app, err := duckdbdriver.NewAppenderFromConn(dc.(driver.Conn), "", "rx_names")
		if err != nil {
			return err
		}
		for c, n := range names {
			if err := app.AppendRow(c, n); err != nil {
				app.Close()
				return err
			}
		}
		return app.Close()
	})
	if err != nil {
		return err
	}
	_, err = d.write(ctx, "presentations", month.String(), "SELECT "+dateLit(month)+" AS month, bnf_code, name FROM rx_names")
	return err
}

func indexOf(roles []role, r role) int {
	for i, x := range roles {
		if x == r {
			return i
		}
	}
	return 0
}

// collectRejects turns DuckDB's rejects into rejections (unreadable values)
// or a FileError (a structural fault).
func collectRejects(ctx context.Context, conn *sql.Conn, name string, f *feed, fields []string, roles []role, res *PrescribingImport) error {
	rows, err := conn.QueryContext(ctx, `SELECT s.file_path, e.line, e.column_idx, coalesce(e.column_name, ''), e.error_type::VARCHAR,
	coalesce(e.csv_line, ''), coalesce(e.error_message, '')
FROM rx_rejects e JOIN rx_reject_scans s ON e.scan_id = s.scan_id AND e.file_id = s.file_id
ORDER BY s.file_path, e.line`)
	if err != nil {
		return fmt.Errorf("analytics: import prescribing: rejects: %w", err)
	}
	defer rows.Close()
	type rej struct {
		line, col                  int
		typ, csvLine, msg, colName string
		colIdx                     int
	}
	var list []rej
	for rows.Next() {
		var path, colName, typ, csvLine, msg string
		var line, colIdx sql.NullInt64
		if err := rows.Scan(&path, &line, &colIdx, &colName, &typ, &csvLine, &msg); err != nil {
			return fmt.Errorf("analytics: import prescribing: rejects: %w", err)
		}
		fileLine := f.FileLine(f.PathIndex(path), int(line.Int64))
		idx := int(colIdx.Int64) - 1 // DuckDB counts columns from 1
		list = append(list, rej{line: fileLine, typ: typ, csvLine: csvLine, msg: msg, colName: colName, colIdx: idx,
			col: fieldColumn(csvLine, idx)})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("analytics: import prescribing: rejects: %w", err)
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].line < list[j].line })
	if len(list) >= maxRejects {
		return &importing.FileError{File: name, Line: list[0].line, Column: list[0].col,
			Err: fmt.Errorf("%s; more than %d rows could not be read, so this does not look like a prescribing file: nothing imported", plainReject(list[0].typ, list[0].msg, headerName(fields, list[0].colIdx)), maxRejects)}
	}
	practiceIdx := indexOf(roles, rolePractice)
	for _, r := range list {
		if r.typ != "CAST" {
			return &importing.FileError{File: name, Line: r.line, Column: r.col,
				Err: fmt.Errorf("%s: nothing imported", plainReject(r.typ, r.msg, headerName(fields, r.colIdx)))}
		}
		field := headerName(fields, r.colIdx)
		res.Rejected = append(res.Rejected, importing.Rejection{Line: r.line, Column: r.col, Field: field,
			Reason: plainReject(r.typ, r.msg, field), Record: r.csvLine})
		if p := fieldValue(r.csvLine, practiceIdx); p != "" {
			if res.RejectedPractices == nil {
				res.RejectedPractices = map[string]int{}
			}
			res.RejectedPractices[strings.ToUpper(p)]++
		}
	}
	return nil
}

func headerName(fields []string, i int) string {
	if i < 0 || i >= len(fields) {
		return ""
	}
	return strings.TrimSpace(fields[i])
}

// plainReject words a DuckDB reject for people.
func plainReject(typ, msg, field string) string {
	switch typ {
	case "CAST":
		if field != "" {
			return fmt.Sprintf("the %s value is not a number", field)
		}
		return "a value is not a number"
	case "MISSING COLUMNS":
		return "the row has fewer columns than the header (is the file cut short?)"
	case "TOO MANY COLUMNS":
		return "the row has more columns than the header"
	case "UNQUOTED VALUE":
		return "a quote is misplaced (is the file damaged?)"
	case "INVALID UNICODE", "INVALID ENCODING":
		return "the row holds bytes that are not UTF-8 text (is this a CSV file?)"
	case "LINE SIZE OVER MAXIMUM":
		return "the line is far too long for a CSV row (is this a CSV file?)"
	}
	if msg != "" {
		return strings.TrimSpace(strings.SplitN(msg, "\n", 2)[0])
	}
	return strings.ToLower(typ)
}

// fieldColumn returns the 1-based byte column where field i starts in a
// CSV line (0 when the line has fewer fields).
func fieldColumn(line string, i int) int {
	if i <= 0 {
		return 1
	}
	inQuote := false
	field := 0
	for k := 0; k < len(line); k++ {
		switch line[k] {
		case '"':
			inQuote = !inQuote
		case ',':
			if !inQuote {
				field++
				if field == i {
					return k + 2
				}
			}
		}
	}
	return 0
}

// fieldValue returns field i of a CSV line ("" when it cannot be read).
func fieldValue(line string, i int) string {
	r := csv.NewReader(strings.NewReader(line))
	r.FieldsPerRecord = -1
	rec, err := r.Read()
	if err != nil || i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}
