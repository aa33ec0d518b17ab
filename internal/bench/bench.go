package bench

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the floor opens DuckDB directly
	"github.com/jackc/pgx/v5"

	"ccg/internal/analytics/duckdb"
	"ccg/internal/calendar"
	"ccg/internal/formats/prescribing"
	"ccg/internal/importing"
	"ccg/internal/registry"
	"ccg/internal/store/sqlite"
	"ccg/internal/store/sqlstore"
	"ccg/internal/variation"
)

// Options configure a benchmark run.
type Options struct {
	// CacheDir keeps the generated month between runs.
	CacheDir string
	// WorkDir holds the analytics database (the caller removes it).
	WorkDir string
	// PostgresURL, when set, also runs the PostgreSQL path there, in a
	// schema of its own that is dropped at the end.
	PostgresURL string
	// PageMonths is how many months of data are loaded when the practice
	// page is timed (the imported month's facts and values copied to the
	// months before it); PageSamples is how many pages are timed.
	PageMonths, PageSamples int
	// Logf reports progress (may be nil).
	Logf func(format string, args ...any)
}

// Result is one benchmark run.
type Result struct {
	Spec      Spec
	File      string
	FileBytes int64
	Generated bool
	GenTime   time.Duration

	// ccg: `ccg import prescribing FILE`: hash, registry checks, DuckDB
	// read and sum, every measure, publish. Measures is 0 (included).
	Import, Measures time.Duration
	// StorageBytes is the size of the month's published files.
	StorageBytes int64
	Hash         time.Duration // SHA-256 of the file on its own, for reference (the import computes it as it reads)
	Peak         int64
	Facts        int64
	Values       int
	MeasureCount int

	// The floor: DuckDB alone reading the CSV and aggregating it.
	Floor     time.Duration
	FloorPeak int64

	// PostgreSQL: COPY, aggregate, the same measure sums in SQL.
	PG                              bool
	PGSkip                          string
	PGCopy, PGAggregate, PGMeasures time.Duration
	PGFacts                         int64

	// The practice page over PageMonths months.
	PageMonths, PageSamples int
	PageP50, PageP99        time.Duration
	// One CCG's measure page over the same months.
	MeasurePageP50, MeasurePageP99 time.Duration
	Replicate                      time.Duration

	PeakResettable bool
}

// OursTotal is import plus all measures.
func (r Result) OursTotal() time.Duration { return r.Import + r.Measures }

// PGTotal is the whole PostgreSQL path.
func (r Result) PGTotal() time.Duration { return r.PGCopy + r.PGAggregate + r.PGMeasures }

func (o Options) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

// Run generates (or reuses) the month and measures every path.
func Run(ctx context.Context, spec Spec, opts Options) (Result, error) {
	res := Result{Spec: spec}
	start := time.Now()
	path, generated, err := CachedMonth(opts.CacheDir, spec)
	if err != nil {
		return res, err
	}
	res.File, res.Generated, res.GenTime = path, generated, time.Since(start)
	if st, err := os.Stat(path); err == nil {
		res.FileBytes = st.Size()
	}
	opts.logf("month file %s (%.2f GB, generated %v)", path, float64(res.FileBytes)/(1<<30), generated)

	// The SHA-256 pass on its own, for reference (it also warms the page
	// cache, so every path below reads the file from memory alike).
	start = time.Now()
	if err := hashFile(path); err != nil {
		return res, err
	}
	res.Hash = time.Since(start)

	if err := runOurs(ctx, spec, opts, &res); err != nil {
		return res, fmt.Errorf("bench: ccg path: %w", err)
	}
	if err := runFloor(ctx, path, &res); err != nil {
		return res, fmt.Errorf("bench: floor: %w", err)
	}
	if opts.PostgresURL == "" {
		res.PGSkip = "no PostgreSQL (set CCG_TEST_POSTGRES or CCG_BENCH_POSTGRES)"
	} else if err := runPostgres(ctx, spec, path, opts, &res); err != nil {
		return res, fmt.Errorf("bench: postgresql: %w", err)
	}
	return res, nil
}

func hashFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(sha256.New(), f)
	return err
}

// loadRegistry writes the spec's CCGs, localities, practices and list
// sizes (by sex and age band) into the SQL store, as the ODS and list-size
// imports would.
func loadRegistry(ctx context.Context, st *sqlstore.Store, spec Spec) error {
	from := calendar.NewDate(2013, 4, 1)
	return st.InTx(ctx, func(ctx context.Context) error {
		seen := map[string]bool{}
		var sizes []registry.ListSize
		for i, o := range spec.Orgs() {
			loc := localityOf(o, i)
			if !seen[o.CCG] {
				seen[o.CCG] = true
				if _, err := st.UpsertOrganisation(ctx, registry.Organisation{Code: o.CCG, Name: "CCG " + o.CCG, Kind: registry.KindCCG}); err != nil {
					return err
				}
			}
			if !seen[loc] {
				seen[loc] = true
				if _, err := st.UpsertOrganisation(ctx, registry.Organisation{Code: loc, Name: "Locality " + loc, Kind: registry.KindLocality}); err != nil {
					return err
				}
				if _, err := st.PutRelationship(ctx, registry.Relationship{Child: loc, Parent: o.CCG, Kind: registry.RelLocalityOf, From: from}); err != nil {
					return err
				}
			}
			if _, err := st.UpsertOrganisation(ctx, registry.Organisation{Code: o.Code, Name: "Practice " + o.Code, Kind: registry.KindPractice}); err != nil {
				return err
			}
			for _, r := range []registry.Relationship{
				{Child: o.Code, Parent: o.CCG, Kind: registry.RelMemberOf, From: from},
				{Child: o.Code, Parent: loc, Kind: registry.RelInLocality, From: from},
			} {
				if _, err := st.PutRelationship(ctx, r); err != nil {
					return err
				}
			}
			sizes = append(sizes, practiceSizes(o.Code, i, spec.Month)...)
		}
		for len(sizes) > 0 {
			k := min(len(sizes), 5000)
			if _, err := st.PutListSizes(ctx, sizes[:k]); err != nil {
				return err
			}
			sizes = sizes[k:]
		}
		return nil
	})
}

// runOurs times exactly what `ccg import prescribing FILE` does: the
// import service over the SQL store (SQLite), the prescribing handler
// checking every practice against the registry, DuckDB reading and summing
// the file into a draft, every measure computed in the draft, and the
// publish with the import run.
func runOurs(ctx context.Context, spec Spec, opts Options, res *Result) error {
	st, err := sqlite.Open(ctx, filepath.Join(opts.WorkDir, "ccg.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	start := time.Now()
	if err := loadRegistry(ctx, st, spec); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	opts.logf("registry of %d practices loaded in %v (not timed)", spec.Organisations, time.Since(start))
	res.PeakResettable = ResetPeakRSS()
	store, err := duckdb.OpenCatalog(ctx, filepath.Join(opts.WorkDir, "analytics"), st, duckdb.Options{})
	if err != nil {
		return err
	}
	defer store.Close()
	reg := registry.NewService(st)
	svc := variation.NewService(store, variation.NewCachedRegistry(variation.NewRegistryPort(reg), st.ImportsStamp)) // as the CLI wires it
	imports := importing.NewService(st, prescribing.NewHandler(store, reg, svc))

	start = time.Now()
	sum, err := imports.ImportFile(ctx, "prescribing", res.File, importing.Options{Actor: "bench"})
	if err != nil {
		return err
	}
	res.Import = time.Since(start)
	res.Peak = PeakRSS()
	res.Facts = int64(sum.Changed)
	opts.logf("ccg import prescribing: %v, %d rows, %d facts", res.Import, sum.Read, sum.Changed)
	ms, _ := svc.Measures(ctx)
	res.MeasureCount = len(ms)
	if err := store.DB().QueryRowContext(ctx, "SELECT count(*) FROM measure_values").Scan(&res.Values); err != nil {
		return err
	}
	if res.Values == 0 {
		return fmt.Errorf("the import computed no measure values")
	}
	snap, err := st.Snapshot(ctx)
	if err != nil {
		return err
	}
	for _, f := range snap.Files {
		if f.Part == spec.Month.String() {
			res.StorageBytes += f.Bytes
		}
	}

	// The practice page with PageMonths months loaded.
	if opts.PageMonths > 1 {
		start = time.Now()
		if err := replicate(ctx, store, spec, opts.PageMonths); err != nil {
			return err
		}
		res.Replicate = time.Since(start)
		opts.logf("replicated to %d months in %v", opts.PageMonths, res.Replicate)
	}
	res.PageMonths = max(1, opts.PageMonths)
	orgs := spec.Orgs()
	rng := rand.New(rand.NewPCG(1, 2))
	var times []time.Duration
	for i := 0; i < opts.PageSamples+20; i++ {
		code := orgs[rng.IntN(len(orgs))].Code
		month := spec.Month.Add(-rng.IntN(res.PageMonths))
		t0 := time.Now()
		pms, err := svc.Practice(ctx, code, month)
		d := time.Since(t0)
		if err != nil {
			return fmt.Errorf("practice page %s %s: %w", code, month, err)
		}
		if len(pms) == 0 {
			return fmt.Errorf("practice page %s %s is empty", code, month)
		}
		if i >= 20 { // the first pages warm the caches
			times = append(times, d)
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	if n := len(times); n > 0 {
		res.PageSamples = n
		res.PageP50 = times[n/2]
		res.PageP99 = times[min(n-1, (n*99+99)/100-1)]
	}
	// One CCG's measure page: the CCGs' values and the funnel of the CCG's
	// practices, for a measure and month drawn at random.
	var pm []variation.Measure
	for _, m := range ms {
		if m.Source == variation.SourcePrescribing {
			pm = append(pm, m)
		}
	}
	times = times[:0]
	for i := 0; i < opts.PageSamples+20 && len(pm) > 0; i++ {
		m := pm[rng.IntN(len(pm))]
		ccg := orgs[rng.IntN(len(orgs))].CCG
		month := spec.Month.Add(-rng.IntN(res.PageMonths))
		t0 := time.Now()
		if _, err := svc.Values(ctx, m.ID, month, variation.LevelCCG, ""); err != nil {
			return fmt.Errorf("measure page %s %s: %w", m.ID, month, err)
		}
		if _, err := svc.Funnel(ctx, m.ID, month, ccg); err != nil {
			return fmt.Errorf("measure page %s %s %s: %w", m.ID, month, ccg, err)
		}
		if d := time.Since(t0); i >= 20 {
			times = append(times, d)
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	if n := len(times); n > 0 {
		res.MeasurePageP50 = times[n/2]
		res.MeasurePageP99 = times[min(n-1, (n*99+99)/100-1)]
	}
	return nil
}

// replicate writes, for the months before the imported one, distinct
// generated months in the snapshot format (each fact and value scaled by a
// factor drawn per row and month), so that the store holds `months`
// different national months.
func replicate(ctx context.Context, store *duckdb.Store, spec Spec, months int) error {
	base := "DATE '" + spec.Month.First().String() + "'"
	for k := 1; k < months; k++ {
		m := spec.Month.Add(-k)
		date := "DATE '" + m.First().String() + "'"
		f := func(key string) string {
			return fmt.Sprintf("(0.8 + (hash(%s, %d) %% 401) / 1000.0)", key, k)
		}
		for _, p := range []struct{ ds, q string }{
			{"prescribing", "SELECT " + date + ", practice, bnf_code, round(items * " + f("practice || bnf_code") + "), quantity * " + f("practice || bnf_code") +
				", actual_cost * " + f("practice || bnf_code") + ", nic * " + f("practice || bnf_code") + ", adq FROM prescribing WHERE month = " + base},
			{"measure_values", "SELECT measure_id, " + date + ", level, org_code, numerator * " + f("measure_id || org_code") + ", denominator, " +
				"value * " + f("measure_id || org_code") + ", * EXCLUDE (measure_id, month, level, org_code, numerator, denominator, value) FROM measure_values WHERE month = " + base},
			{"measure_deciles", "SELECT measure_id, " + date + ", * EXCLUDE (measure_id, month) FROM measure_deciles WHERE month = " + base},
		} {
			if err := store.PutPart(ctx, p.ds, m.String(), p.q); err != nil {
				return err
			}
		}
	}
	return nil
}

// epdColumns is the read_csv column list for the synthetic layout.
func epdColumns() string {
	var cols []string
	for _, h := range strings.Split(EPDHeader, ",") {
		typ := "VARCHAR"
		switch h {
		case "QUANTITY", "ITEMS", "TOTAL_QUANTITY", "ADQ_USAGE", "NIC", "ACTUAL_COST":
			typ = "DOUBLE"
		}
		cols = append(cols, fmt.Sprintf("'%s': '%s'", h, typ))
	}
	return "{" + strings.Join(cols, ", ") + "}"
}

// runFloor is DuckDB alone: read the CSV (from the file, in parallel) and
// sum it per month × practice × presentation into a table, nothing else.
func runFloor(ctx context.Context, path string, res *Result) error {
	ResetPeakRSS()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	for _, q := range []string{"SET memory_limit = '3GB'", fmt.Sprintf("SET threads = %d", runtime.NumCPU()), "SET preserve_insertion_order = false"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	start := time.Now()
	_, err = db.ExecContext(ctx, `CREATE TABLE agg AS
SELECT YEAR_MONTH, PRACTICE_CODE, BNF_PRESENTATION_CODE, sum(ITEMS) AS items, sum(TOTAL_QUANTITY) AS quantity,
	sum(ACTUAL_COST) AS actual_cost, sum(NIC) AS nic, sum(ADQ_USAGE) AS adq
FROM read_csv('`+strings.ReplaceAll(path, "'", "''")+`', header = true, auto_detect = false, delim = ',', quote = '"', columns = `+epdColumns()+`)
GROUP BY ALL`)
	if err != nil {
		return err
	}
	res.Floor = time.Since(start)
	res.FloorPeak = PeakRSS()
	return nil
}

// runPostgres loads the month with COPY, aggregates it in SQL and computes
// the same measure sums in SQL, then applies the same rules (percentiles,
// deciles, savings, funnels) in Go as the ccg path does.
func runPostgres(ctx context.Context, spec Spec, path string, opts Options, res *Result) error {
	conn, err := pgx.Connect(ctx, opts.PostgresURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	schema := fmt.Sprintf("ccg_bench_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), "DROP SCHEMA "+schema+" CASCADE")
	if _, err := conn.Exec(ctx, "SET search_path TO "+schema); err != nil {
		return err
	}
	var cols []string
	for _, h := range strings.Split(EPDHeader, ",") {
		typ := "text"
		switch h {
		case "QUANTITY", "ITEMS", "TOTAL_QUANTITY", "ADQ_USAGE", "NIC", "ACTUAL_COST":
			typ = "double precision"
		}
		cols = append(cols, strings.ToLower(h)+" "+typ)
	}
	if _, err := conn.Exec(ctx, "CREATE UNLOGGED TABLE raw ("+strings.Join(cols, ", ")+")"); err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	if _, err := conn.PgConn().CopyFrom(ctx, f, "COPY raw FROM STDIN WITH (FORMAT csv, HEADER true)"); err != nil {
		return err
	}
	res.PGCopy = time.Since(start)
	opts.logf("postgresql COPY: %v", res.PGCopy)

	start = time.Now()
	tag, err := conn.Exec(ctx, `CREATE UNLOGGED TABLE facts AS
SELECT to_date(year_month, 'YYYYMM') AS month, practice_code AS practice, bnf_presentation_code AS bnf_code,
	sum(items) AS items, sum(total_quantity) AS quantity, sum(actual_cost) AS actual_cost, sum(nic) AS nic, sum(adq_usage) AS adq
FROM raw GROUP BY 1, 2, 3`)
	if err != nil {
		return err
	}
	res.PGFacts = tag.RowsAffected()
	if _, err := conn.Exec(ctx, "DROP TABLE raw"); err != nil {
		return err
	}
	res.PGAggregate = time.Since(start)
	opts.logf("postgresql aggregate: %v (%d facts)", res.PGAggregate, res.PGFacts)

	start = time.Now()
	lib, err := variation.Library()
	if err != nil {
		return err
	}
	var ms []variation.Measure
	for _, m := range lib {
		if m.Source == variation.SourcePrescribing {
			ms = append(ms, m)
		}
	}
	rows, err := conn.Query(ctx, "SELECT DISTINCT bnf_code FROM facts")
	if err != nil {
		return err
	}
	var codes []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return err
		}
		codes = append(codes, c)
	}
	rows.Close()
	var mapping [][]any
	for _, m := range ms {
		num, den := variation.CompileFilter(m.Numerator), variation.CompileFilter(m.Denominator)
		popDen := m.Denominator.Quantity.FromPopulation()
		for _, c := range codes {
			inNum, inDen := num.Match(c), !popDen && den.Match(c)
			if !inNum && !inDen {
				continue
			}
			nq, dq := 0, 0
			if inNum {
				nq = pgQuantity(m.Numerator.Quantity)
			}
			if inDen {
				dq = pgQuantity(m.Denominator.Quantity)
			}
			mapping = append(mapping, []any{m.ID, c, nq, dq})
		}
	}
	if _, err := conn.Exec(ctx, "CREATE TEMP TABLE measure_codes (measure_id text, code text, num_q int, den_q int)"); err != nil {
		return err
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"measure_codes"}, []string{"measure_id", "code", "num_q", "den_q"}, pgx.CopyFromRows(mapping)); err != nil {
		return err
	}
	pick := func(col string) string {
		return "CASE c." + col + " WHEN 1 THEN f.items WHEN 2 THEN f.quantity WHEN 3 THEN f.actual_cost ELSE 0 END"
	}
	rows, err = conn.Query(ctx, `SELECT c.measure_id, f.practice, sum(`+pick("num_q")+`), sum(`+pick("den_q")+`),
	sum(CASE WHEN c.num_q > 0 THEN f.actual_cost ELSE 0 END), sum(CASE WHEN c.num_q > 0 THEN f.quantity ELSE 0 END),
	sum(CASE WHEN c.den_q > 0 THEN f.actual_cost ELSE 0 END), sum(CASE WHEN c.den_q > 0 THEN f.quantity ELSE 0 END)
FROM facts f JOIN measure_codes c ON f.bnf_code = c.code
WHERE f.month = $1
GROUP BY 1, 2`, spec.Month.First().Time())
	if err != nil {
		return err
	}
	byMeasure := map[string]map[string]variation.PracticeSums{}
	for rows.Next() {
		var p variation.PracticeSums
		if err := rows.Scan(&p.MeasureID, &p.Practice, &p.Numerator, &p.Denominator, &p.NumCost, &p.NumQuantity, &p.DenCost, &p.DenQuantity); err != nil {
			return err
		}
		if byMeasure[p.MeasureID] == nil {
			byMeasure[p.MeasureID] = map[string]variation.PracticeSums{}
		}
		byMeasure[p.MeasureID][p.Practice] = p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	reg := NewRegistry(spec)
	members, _ := reg.Members(ctx, spec.Month)
	pops, _ := reg.Populations(ctx, spec.Month)
	n := 0
	var stored [][]any
	for _, m := range ms {
		v, d := variation.Compute(variation.MonthInput{Measure: m, Month: spec.Month, Members: members, Populations: pops, Sums: byMeasure[m.ID]})
		n += len(v)
		for _, x := range v {
			stored = append(stored, []any{x.MeasureID, spec.Month.First().Time(), string(x.Level), x.OrgCode, x.Numerator, x.Denominator, pgFloat(x.Value), pgFloat(x.Percentile)})
		}
		_ = d
	}
	// Stored, as ccg stores them (the values; deciles are a few rows).
	if _, err := conn.Exec(ctx, `CREATE TABLE measure_values (measure_id text, month date, level text, org_code text,
	numerator double precision, denominator double precision, value double precision, percentile double precision)`); err != nil {
		return err
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"measure_values"}, []string{"measure_id", "month", "level", "org_code", "numerator", "denominator", "value", "percentile"}, pgx.CopyFromRows(stored)); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "CREATE INDEX ON measure_values (measure_id, month, level, org_code)"); err != nil {
		return err
	}
	res.PGMeasures = time.Since(start)
	res.PG = true
	opts.logf("postgresql measures: %v (%d values)", res.PGMeasures, n)
	return nil
}

func pgFloat(f *float64) any {
	if f == nil || math.IsNaN(*f) || math.IsInf(*f, 0) {
		return nil
	}
	return *f
}

func pgQuantity(q variation.Quantity) int {
	switch q {
	case variation.QuantityItems:
		return 1
	case variation.QuantityQuantity:
		return 2
	case variation.QuantityCost:
		return 3
	}
	return 0
}

// WriteTable prints the result as a table with the ratios and targets.
func (r Result) WriteTable(w io.Writer) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "synthetic EPD month %s: %d rows, %d organisations, %d presentations, %.2f GB (%s)\n",
		r.Spec.Month, r.Spec.Rows, r.Spec.Organisations, r.Spec.Presentations, float64(r.FileBytes)/(1<<30), map[bool]string{true: "generated " + Duration(r.GenTime), false: "cached"}[r.Generated])
	fmt.Fprintf(tw, "machine: %d CPUs, GOMAXPROCS %d\n\n", runtime.NumCPU(), runtime.GOMAXPROCS(0))
	fmt.Fprintln(tw, "path\ttime\tpeak RSS (this process)\t")
	fmt.Fprintf(tw, "ccg import prescribing FILE, as the CLI runs it (registry checks, read+sum, all %d measures, publish)\t%s\t%s\t\n", r.MeasureCount, Duration(r.OursTotal()), Bytes(r.Peak))
	fmt.Fprintf(tw, "  SHA-256 of the file on its own (CPU the import shares)\t%s\t\t\n", Duration(r.Hash))
	fmt.Fprintf(tw, "  measure values published: %d (practices, localities, CCGs, England)\t\t\t\n", r.Values)
	fmt.Fprintf(tw, "  storage of the month (Parquet: facts, presentations, values, deciles)\t%.1f MB\t\t\n", float64(r.StorageBytes)/1e6)
	fmt.Fprintf(tw, "DuckDB floor (read_csv from the file + GROUP BY, no application logic)\t%s\t%s\t\n", Duration(r.Floor), Bytes(r.FloorPeak))
	if r.PG {
		fmt.Fprintf(tw, "PostgreSQL COPY + SQL aggregate + SQL measure sums (+ the same Go rules)\t%s\t(server not counted)\t\n", Duration(r.PGTotal()))
		fmt.Fprintf(tw, "  COPY\t%s\t\t\n  aggregate\t%s\t\t\n  measures\t%s\t\t\n", Duration(r.PGCopy), Duration(r.PGAggregate), Duration(r.PGMeasures))
	} else {
		fmt.Fprintf(tw, "PostgreSQL\tskipped: %s\t\t\n", r.PGSkip)
	}
	fmt.Fprintf(tw, "practice page (all measures for one practice), %d distinct months loaded, %d pages\tp50 %s, p99 %s\t\t\n",
		r.PageMonths, r.PageSamples, Duration(r.PageP50), Duration(r.PageP99))
	fmt.Fprintf(tw, "one CCG's measure page (CCG values + its practices' funnel), %d months, %d pages\tp50 %s, p99 %s\t\t\n\n",
		r.PageMonths, r.PageSamples, Duration(r.MeasurePageP50), Duration(r.MeasurePageP99))
	tw.Flush()
	ratio := func(a, b time.Duration) float64 {
		if b <= 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	rf := ratio(r.OursTotal(), r.Floor)
	fmt.Fprintf(w, "ratio ccg / DuckDB floor     = %.2f   (target ≤ 1.5: %s)\n", rf, verdict(rf <= 1.5))
	if r.PG {
		rp := ratio(r.PGTotal(), r.OursTotal())
		fmt.Fprintf(w, "ratio PostgreSQL / ccg       = %.2f   (target ≥ 5: %s)\n", rp, verdict(rp >= 5))
	}
	fmt.Fprintf(w, "ccg peak memory              = %s (target < 4 GB: %s)\n", Bytes(r.Peak), verdict(r.Peak > 0 && r.Peak < 4<<30))
	fmt.Fprintf(w, "practice page p99            = %s (target < 50 ms: %s)\n", Duration(r.PageP99), verdict(r.PageP99 < 50*time.Millisecond))
	fmt.Fprintf(w, "CCG measure page p99         = %s (target < 100 ms: %s)\n", Duration(r.MeasurePageP99), verdict(r.MeasurePageP99 < 100*time.Millisecond))
	fmt.Fprintf(w, "storage per national month   = %.1f MB\n", float64(r.StorageBytes)/1e6)
	fmt.Fprintln(w, "pages over 1 MB of HTML      = not measured by this benchmark (see the report)")
	if !r.PeakResettable {
		fmt.Fprintln(w, "note: the peak RSS could not be reset between paths, so later peaks include earlier ones")
	}
}
