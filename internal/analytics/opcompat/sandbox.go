package opcompat

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	duckdbdriver "github.com/duckdb/duckdb-go/v2"

	"ccg/internal/calendar"
	"ccg/internal/dmd"
	"ccg/internal/variation"
)

// FactsExporter writes one month's prescribing facts (and every
// presentation known) as Parquet files in dir, for the sandbox to read:
// the one place ccg's facts meet the compatibility tables. The facts file
// has the columns month (DATE), practice, bnf_code, bnf_name, items,
// quantity, actual_cost, net_cost; the presentations file bnf_code, name.
// A zero month writes no facts (only the presentations).
type FactsExporter interface {
	ExportOpenPrescribing(ctx context.Context, month calendar.Month, dir string) (facts, presentations string, err error)
}

// Sources are where a sandbox's tables come from. Any may be nil: its
// tables are then empty.
type Sources struct {
	DMD      dmd.Store
	Facts    FactsExporter
	Registry variation.Registry
	// Cache, when set, keeps the dm+d tables between sandboxes.
	Cache *DMDCache
}

// Sandbox is a DuckDB database of its own, in memory, holding only the
// OpenPrescribing-compatible tables of one month; once built, external
// access is disabled and its configuration locked, so that definition SQL
// run in it can read nothing else and change nothing.
type Sandbox struct {
	db  *sql.DB
	dir string
	// Notes are remarks about what the sandbox lacks (a reference table not
	// imported), for messages.
	Notes []string
}

// Build builds the sandbox for a month (zero month: no prescribing, for
// checking definitions).
func Build(ctx context.Context, src Sources, month calendar.Month) (*Sandbox, error) {
	dir, err := os.MkdirTemp("", "ccg-opcompat-*")
	if err != nil {
		return nil, fmt.Errorf("opcompat: %w", err)
	}
	connector, err := duckdbdriver.NewConnector("", nil)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("opcompat: %w", err)
	}
	sb := &Sandbox{db: sql.OpenDB(connector), dir: dir}
	if err := sb.build(ctx, src, month); err != nil {
		sb.Close()
		return nil, fmt.Errorf("opcompat: build %s: %w", month, err)
	}
	return sb, nil
}

// Close closes the sandbox and removes its files.
func (sb *Sandbox) Close() error {
	err := sb.db.Close()
	os.RemoveAll(sb.dir)
	return err
}

func (sb *Sandbox) exec(ctx context.Context, qs ...string) error {
	for _, q := range qs {
		if _, err := sb.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%w\n%s", err, abbreviate(q))
		}
	}
	return nil
}

// macros implement BigQuery functions DuckDB lacks or spells otherwise.
const macros = `
CREATE MACRO ieee_divide(a, b) AS CASE WHEN b = 0 THEN (CASE WHEN a > 0 THEN 'Infinity'::DOUBLE WHEN a < 0 THEN '-Infinity'::DOUBLE ELSE 'NaN'::DOUBLE END) ELSE a::DOUBLE / b END;
CREATE MACRO safe_divide(a, b) AS CASE WHEN b = 0 THEN NULL ELSE a::DOUBLE / b END;
CREATE MACRO bq_timestamp(x) AS CAST(x AS TIMESTAMP);
CREATE MACRO bq_substr(s, p) AS substr(s, CASE WHEN p = 0 THEN 1 ELSE p END),
	(s, p, l) AS substr(s, CASE WHEN p = 0 THEN 1 ELSE p END, l);
`

func (sb *Sandbox) build(ctx context.Context, src Sources, month calendar.Month) error {
	if err := sb.exec(ctx,
		"SET memory_limit = '2GB'", "SET threads = 2", "SET temp_directory = '"+strings.ReplaceAll(sb.dir, "'", "''")+"'",
		"CREATE SCHEMA hscic", "CREATE SCHEMA dmd", "CREATE SCHEMA measures", macros); err != nil {
		return err
	}
	allowed := []string{sb.dir}
	if src.Cache != nil && src.DMD != nil {
		dir, err := src.Cache.files(ctx, src.DMD)
		if err != nil {
			return fmt.Errorf("dm+d: %w", err)
		}
		if err := sb.loadCachedDMD(ctx, dir); err != nil {
			return fmt.Errorf("dm+d: %w", err)
		}
		allowed = append(allowed, dir)
	} else if err := sb.loadDMD(ctx, src.DMD); err != nil {
		return fmt.Errorf("dm+d: %w", err)
	}
	if err := sb.loadReference(ctx, src.DMD); err != nil {
		return fmt.Errorf("reference tables: %w", err)
	}
	if err := sb.loadPractices(ctx, src.Registry, month); err != nil {
		return fmt.Errorf("practices: %w", err)
	}
	if err := sb.loadFacts(ctx, src.Facts, month); err != nil {
		return fmt.Errorf("prescribing: %w", err)
	}
	if err := sb.exec(ctx, views...); err != nil {
		return fmt.Errorf("views: %w", err)
	}
	// The views read the sandbox's own files (the month's facts, the dm+d
	// cache) and nothing else: definitions cannot name files at all
	// (Translate refuses the readers), and DuckDB refuses every other path.
	quoted := make([]string, len(allowed))
	for i, d := range allowed {
		quoted[i] = "'" + quotePath(strings.TrimSuffix(d, string(filepath.Separator))+string(filepath.Separator)) + "'"
	}
	return sb.exec(ctx, "SET allowed_directories = ["+strings.Join(quoted, ", ")+"]",
		"SET enable_external_access = false", "SET lock_configuration = true")
}

// loadDMD creates every dm+d table with OpenPrescribing's columns and fills
// it from the stored release, with bnf_code from the mapping (a VMP's
// previous identifier, VPIDPREV, is followed when the mapping only knows
// that one).
func (sb *Sandbox) loadDMD(ctx context.Context, st dmd.Store) error {
	for _, t := range dmd.Tables {
		cols := make([]string, 0, len(t.Columns)+1)
		for _, c := range t.Columns {
			cols = append(cols, c.Name+" "+string(c.Type))
		}
		if t.HasBNF {
			cols = append(cols, "bnf_code VARCHAR")
		}
		if err := sb.exec(ctx, "CREATE TABLE dmd."+t.Name+" ("+strings.Join(cols, ", ")+")"); err != nil {
			return err
		}
	}
	if err := sb.exec(ctx, "CREATE TABLE dmd.bnf_snomed_mapping (snomed_code BIGINT, level VARCHAR, bnf_code VARCHAR, bnf_name VARCHAR, dmd_name VARCHAR)"); err != nil {
		return err
	}
	if st == nil {
		return nil
	}
	conn, err := sb.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		var app *duckdbdriver.Appender
		var tbl dmd.Table
		closeApp := func() error {
			if app == nil {
				return nil
			}
			err := app.Close()
			app = nil
			return err
		}
		err := st.EachDMDRecord(ctx, func(r dmd.Record) error {
			if app == nil || tbl.Name != r.Table {
				if err := closeApp(); err != nil {
					return err
				}
				t, ok := dmd.TableNamed(r.Table)
				if !ok {
					return nil
				}
				tbl = t
				a, err := duckdbdriver.NewAppenderFromConn(dc.(driver.Conn), "dmd", t.Name)
				if err != nil {
					return err
				}
				app = a
			}
			row := make([]driver.Value, 0, len(tbl.Columns)+1)
			for _, c := range tbl.Columns {
				row = append(row, typed(c.Type, r.Get(c.Tag)))
			}
			if tbl.HasBNF {
				row = append(row, nil)
			}
			return app.AppendRow(row...)
		})
		if err != nil {
			if app != nil {
				app.Close()
			}
			return err
		}
		if err := closeApp(); err != nil {
			return err
		}
		ms, err := st.BNFMapping(ctx)
		if err != nil {
			return err
		}
		a, err := duckdbdriver.NewAppenderFromConn(dc.(driver.Conn), "dmd", "bnf_snomed_mapping")
		if err != nil {
			return err
		}
		for _, m := range ms {
			id, err := strconv.ParseInt(m.SNOMED, 10, 64)
			if err != nil {
				continue
			}
			var code any
			if m.BNFCode != "" {
				code = m.BNFCode
			}
			if err := a.AppendRow(id, m.Level, code, m.BNFName, m.DMDName); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
	if err != nil {
		return err
	}
	return sb.exec(ctx,
		`UPDATE dmd.vmp SET bnf_code = coalesce(
			(SELECT m.bnf_code FROM dmd.bnf_snomed_mapping m WHERE m.snomed_code = vmp.id),
			(SELECT m.bnf_code FROM dmd.bnf_snomed_mapping m WHERE m.snomed_code = vmp.vpidprev))`,
		`UPDATE dmd.amp SET bnf_code = (SELECT m.bnf_code FROM dmd.bnf_snomed_mapping m WHERE m.snomed_code = amp.id)`,
		`UPDATE dmd.vmpp SET bnf_code = (SELECT m.bnf_code FROM dmd.bnf_snomed_mapping m WHERE m.snomed_code = vmpp.id)`,
		`UPDATE dmd.ampp SET bnf_code = (SELECT m.bnf_code FROM dmd.bnf_snomed_mapping m WHERE m.snomed_code = ampp.id)`)
}

// typed converts a record's text to the column's type (nil when empty or
// unreadable; the import has rejected unreadable records already).
func typed(t dmd.Type, v string) driver.Value {
	if v == "" {
		return nil
	}
	switch t {
	case dmd.Integer:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil
		}
		return n
	case dmd.Flag:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil
		}
		return n != 0
	case dmd.Float:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil
		}
		return f
	case dmd.Date:
		d, err := time.Parse("2006-01-02", v)
		if err != nil {
			return nil
		}
		return d
	}
	return v
}

var referenceName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// loadReference creates each reference table in the measures schema, with
// a view of the same name in hscic (definitions name either), typed by
// DuckDB from its values. opioid_ing_form_ome, which vw__opioids_total_dmd
// reads, exists (empty) even when not imported.
func (sb *Sandbox) loadReference(ctx context.Context, st dmd.Store) error {
	var tables []dmd.ReferenceTable
	if st != nil {
		var err error
		if tables, err = st.ReferenceTables(ctx); err != nil {
			return err
		}
	}
	have := map[string]bool{}
	for _, t := range tables {
		if !referenceName.MatchString(t.Name) {
			continue
		}
		path := filepath.Join(sb.dir, "ref_"+t.Name+".csv")
		if err := os.WriteFile(path, []byte(t.Content), 0o600); err != nil {
			return err
		}
		if err := sb.exec(ctx,
			"CREATE TABLE measures."+t.Name+" AS SELECT * FROM read_csv('"+strings.ReplaceAll(path, "'", "''")+"', header = true, auto_detect = true)",
			"CREATE VIEW hscic."+t.Name+" AS SELECT * FROM measures."+t.Name); err != nil {
			return err
		}
		have[t.Name] = true
	}
	if !have["opioid_ing_form_ome"] {
		sb.Notes = append(sb.Notes, "the reference table opioid_ing_form_ome is not imported (ccg import measure-reference opioid_ing_form_ome.csv), so oral morphine equivalences are empty")
		if err := sb.exec(ctx, "CREATE TABLE measures.opioid_ing_form_ome (vpi BIGINT, nm VARCHAR, form VARCHAR, ome DOUBLE, ref VARCHAR, link VARCHAR, notes VARCHAR, vpi_type VARCHAR)"); err != nil {
			return err
		}
	}
	return nil
}

// opBands are OpenPrescribing's practice_statistics age bands: the lower
// bound of each, and its column suffix.
var opBands = []struct {
	from int
	name string
}{{0, "0_4"}, {5, "5_14"}, {15, "15_24"}, {25, "25_34"}, {35, "35_44"}, {45, "45_54"}, {55, "55_64"}, {65, "65_74"}, {75, "75_plus"}}

func opBand(lower int) int {
	k := 0
	for i, b := range opBands {
		if lower >= b.from {
			k = i
		}
	}
	return k
}

// loadPractices builds the practice table (practice, pct) and
// hscic.practice_statistics from the registry's members and list sizes.
func (sb *Sandbox) loadPractices(ctx context.Context, reg variation.Registry, month calendar.Month) error {
	var cols []string
	for _, sex := range []string{"male", "female"} {
		for _, b := range opBands {
			cols = append(cols, sex+"_"+b.name+" DOUBLE")
		}
	}
	if err := sb.exec(ctx,
		"CREATE TABLE hscic.practices (code VARCHAR, ccg_id VARCHAR, locality VARCHAR)",
		"CREATE TABLE hscic.practice_statistics (month DATE, practice VARCHAR, pct VARCHAR, "+strings.Join(cols, ", ")+
			", total_list_size DOUBLE, astro_pu_cost DOUBLE, astro_pu_items DOUBLE, star_pu STRUCT(oral_antibacterials_item DOUBLE))"); err != nil {
		return err
	}
	if reg == nil || month.IsZero() {
		return nil
	}
	members, err := reg.Members(ctx, month)
	if err != nil {
		return err
	}
	pops, err := reg.Populations(ctx, month)
	if err != nil {
		return err
	}
	ccg := map[string]string{}
	conn, err := sb.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		a, err := duckdbdriver.NewAppenderFromConn(dc.(driver.Conn), "hscic", "practices")
		if err != nil {
			return err
		}
		for _, m := range members {
			ccg[m.Practice] = m.CCG
			if err := a.AppendRow(m.Practice, m.CCG, m.Locality); err != nil {
				a.Close()
				return err
			}
		}
		if err := a.Close(); err != nil {
			return err
		}
		a, err = duckdbdriver.NewAppenderFromConn(dc.(driver.Conn), "hscic", "practice_statistics")
		if err != nil {
			return err
		}
		codes := make([]string, 0, len(pops))
		for c := range pops {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		first := month.First().Time()
		for _, code := range codes {
			p := pops[code]
			var bands [2][9]float64
			for key, n := range p.Bands {
				sex, band, _ := strings.Cut(key, ":")
				s := 0
				if sex == "female" {
					s = 1
				} else if sex != "male" {
					continue
				}
				lower, err := strconv.Atoi(strings.TrimRight(strings.SplitN(band, "-", 2)[0], "+"))
				if err != nil {
					continue
				}
				bands[s][opBand(lower)] += n
			}
			row := []driver.Value{first, code, nullString(ccg[code])}
			for s := 0; s < 2; s++ {
				for b := 0; b < 9; b++ {
					row = append(row, bands[s][b])
				}
			}
			row = append(row, p.ListSize, p.ASTROPUCost, p.ASTROPUItems, map[string]any{"oral_antibacterials_item": p.STARPUAntibacterialItems})
			if err := a.AppendRow(row...); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
}

func nullString(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}

// loadFacts builds hscic.normalised_prescribing (and raw_prescribing_normalised
// over it), hscic.presentation and hscic.bnf from the exported facts.
func (sb *Sandbox) loadFacts(ctx context.Context, fx FactsExporter, month calendar.Month) error {
	if err := sb.exec(ctx,
		`CREATE TABLE hscic.presentation (bnf_code VARCHAR, name VARCHAR, is_generic BOOLEAN, dmd_name VARCHAR)`); err != nil {
		return err
	}
	q := func(p string) string { return "'" + quotePath(p) + "'" }
	// The month's facts stay in their Parquet file: the view reads it.
	facts := ""
	if fx != nil {
		var pres string
		var err error
		facts, pres, err = fx.ExportOpenPrescribing(ctx, month, sb.dir)
		if err != nil {
			return err
		}
		if pres != "" {
			if err := sb.exec(ctx, `INSERT INTO hscic.presentation
SELECT r.bnf_code, r.name, substr(r.bnf_code, 10, 2) = 'AA',
	(SELECT any_value(m.dmd_name) FROM dmd.bnf_snomed_mapping m WHERE m.bnf_code = r.bnf_code AND m.level IN ('VMP', 'AMP'))
FROM read_parquet(`+q(pres)+`) r`); err != nil {
				return err
			}
		}
	}
	rel := `(SELECT NULL::DATE AS month, NULL::VARCHAR AS practice, NULL::VARCHAR AS bnf_code, NULL::VARCHAR AS bnf_name,
	NULL::DOUBLE AS items, NULL::DOUBLE AS quantity, NULL::DOUBLE AS net_cost, NULL::DOUBLE AS actual_cost WHERE false)`
	if facts != "" {
		rel = "read_parquet(" + q(facts) + ")"
	}
	return sb.exec(ctx, `CREATE VIEW hscic.normalised_prescribing AS
SELECT f.month, f.practice, p.ccg_id AS pct, NULL::VARCHAR AS pcn, NULL::VARCHAR AS stp, NULL::VARCHAR AS regional_team,
	f.bnf_code, f.bnf_name, f.items, f.quantity, f.net_cost, f.actual_cost
FROM `+rel+` f LEFT JOIN hscic.practices p ON p.code = f.practice`)
}

// Query runs a translated query with a time limit and returns its rows.
func (sb *Sandbox) query(ctx context.Context, limit time.Duration, q string) (*sql.Rows, context.CancelFunc, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	rows, err := sb.db.QueryContext(ctx, q)
	if err != nil {
		cancel()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, nil, fmt.Errorf("it ran for more than %s and was stopped", limit)
		}
		return nil, nil, errors.New(plainDuckDB(err))
	}
	return rows, cancel, nil
}

// plainDuckDB shortens a DuckDB error to its first line.
func plainDuckDB(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// Codes runs a BNF codes query and returns the distinct codes of its first
// column.
func (sb *Sandbox) Codes(ctx context.Context, limit time.Duration, translated string) ([]string, error) {
	rows, cancel, err := sb.query(ctx, limit, "SELECT DISTINCT CAST(c AS VARCHAR) FROM ("+translated+"\n) AS q(c) WHERE c IS NOT NULL")
	if err != nil {
		return nil, err
	}
	defer cancel()
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, strings.TrimSpace(c))
	}
	if err := rows.Err(); err != nil {
		return nil, errors.New(plainDuckDB(err))
	}
	sort.Strings(out)
	return out, nil
}

// CustomSQL is the statement a custom part runs: OpenPrescribing's shape,
// one row per practice.
func CustomSQL(columns, from, where string) string {
	if strings.TrimSpace(where) == "" {
		where = "1 = 1"
	}
	return "SELECT practice AS practice_id, " + columns + "\nFROM " + from + "\nWHERE (\n" + where + "\n)\nGROUP BY practice_id"
}

// Figures runs a custom part's statement and returns each practice's
// figure: the column named want ("numerator" or "denominator"), or the only
// column besides practice_id.
func (sb *Sandbox) Figures(ctx context.Context, limit time.Duration, stmt, want string) (map[string]float64, error) {
	rows, cancel, err := sb.query(ctx, limit, stmt)
	if err != nil {
		return nil, err
	}
	defer cancel()
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	idx := -1
	for i, n := range names {
		if strings.EqualFold(n, want) {
			idx = i
		}
	}
	if idx < 0 && len(names) == 2 {
		idx = 1
	}
	if idx < 0 {
		return nil, fmt.Errorf("its columns give no %q column (it gives %s)", want, strings.Join(names[1:], ", "))
	}
	out := map[string]float64{}
	vals := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		p, _ := vals[0].(string)
		if p == "" {
			continue
		}
		f, err := number(vals[idx])
		if err != nil {
			return nil, fmt.Errorf("its %s for practice %s is %v: %v", want, p, vals[idx], err)
		}
		out[p] += f
	}
	if err := rows.Err(); err != nil {
		return nil, errors.New(plainDuckDB(err))
	}
	return out, nil
}

// number turns a DuckDB value into a float64 (NULL is 0).
func number(v any) (float64, error) {
	switch x := v.(type) {
	case nil:
		return 0, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, nil
		}
		return x, nil
	case float32:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case int:
		return float64(x), nil
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f, nil
	case duckdbdriver.Decimal:
		return x.Float64(), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("not a number (%T)", v)
}
