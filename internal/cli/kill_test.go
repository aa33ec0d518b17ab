package cli_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ccg/internal/analytics/duckdb"
	"ccg/internal/calendar"
	"ccg/internal/demo"
	"ccg/internal/registry"
	"ccg/internal/store/postgres"
	"ccg/internal/store/sqlite"
	"ccg/internal/store/sqlstore"
	"ccg/internal/variation"

	_ "github.com/jackc/pgx/v5/stdlib"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// ccgBinary builds the real ccg binary once per test run.
func ccgBinary(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("kill -9 is not available here")
	}
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ccg-bin-*")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "ccg")
		out, err := exec.Command("go", "build", "-o", binPath, "ccg/cmd/ccg").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// engine is one SQL engine the binary can be pointed at.
type engine struct {
	name string
	db   string // --db ("" for SQLite in the data folder)
}

// engines returns SQLite, and PostgreSQL (a fresh schema) when
// CCG_TEST_POSTGRES names a database.
func engines(t *testing.T) []engine {
	out := []engine{{name: "sqlite"}}
	base := os.Getenv("CCG_TEST_POSTGRES")
	if base == "" {
		t.Log("CCG_TEST_POSTGRES not set: PostgreSQL leg skipped")
		return out
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var b [8]byte
	rand.Read(b[:])
	schema := "ccgkill_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return append(out, engine{name: "postgres", db: u.String()})
}

// runCCG runs the binary to the end and returns its output.
func runCCG(t *testing.T, bin, data string, eng engine, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = ccgEnv(data, eng)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ccg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func ccgEnv(data string, eng engine) []string {
	env := append(os.Environ(), "CCG_DATA="+data, "CCG_LOG=error")
	if eng.db != "" {
		env = append(env, "CCG_DB="+eng.db)
	}
	return env
}

// killWorld is a data folder with the demo registry and two months of
// prescribing imported through the binary.
type killWorld struct {
	bin, data string
	eng       engine
	files     *demo.World
	m2        calendar.Month
	epd2      string // the second month's file as published
}

func newKillWorld(t *testing.T, eng engine) *killWorld {
	t.Helper()
	w := &killWorld{bin: ccgBinary(t), data: filepath.Join(t.TempDir(), "data"), eng: eng}
	files, err := demo.Generate(filepath.Join(t.TempDir(), "files"), 3)
	if err != nil {
		t.Fatal(err)
	}
	w.files = files
	var epd []string
	for _, s := range files.Steps {
		switch s.Kind {
		case "prescribing":
			epd = append(epd, s.Path)
		case "referrals", "questionnaire", "ledger", "people":
		default:
			runCCG(t, w.bin, w.data, eng, "import", s.Kind, s.Path)
		}
	}
	// Two months: the last two of the demo.
	for _, p := range epd[len(epd)-2:] {
		runCCG(t, w.bin, w.data, eng, "import", "prescribing", p)
	}
	w.epd2 = epd[len(epd)-1]
	m, ok := duckdb.MonthFromName(filepath.Base(w.epd2))
	if !ok {
		t.Fatalf("no month in %s", w.epd2)
	}
	w.m2 = m
	return w
}

// bigger writes the second month's file again with its rows repeated n
// times (pack sizes, which the import adds up), named as published.
func (w *killWorld) bigger(t *testing.T, n int) (path string, items float64) {
	t.Helper()
	data, err := os.ReadFile(w.epd2)
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := bytes.Cut(data, []byte("\n"))
	var buf bytes.Buffer
	buf.Write(head)
	buf.WriteByte('\n')
	for i := 0; i < n; i++ {
		buf.Write(body)
	}
	dir := filepath.Join(t.TempDir(), fmt.Sprintf("x%d", n))
	os.MkdirAll(dir, 0o755)
	path = filepath.Join(dir, filepath.Base(w.epd2))
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, 0
}

// state is what a test can see of the data folder.
type state struct {
	items      float64 // the second month's facts
	runs       int     // prescribing and measures import runs
	generation int64
}

// open opens the data folder's stores in this process.
func (w *killWorld) open(t *testing.T) (*sqlstore.Store, *duckdb.Store, *variation.Service) {
	t.Helper()
	ctx := context.Background()
	var st *sqlstore.Store
	var err error
	if w.eng.db != "" {
		st, err = postgres.Open(ctx, w.eng.db)
	} else {
		st, err = sqlite.Open(ctx, filepath.Join(w.data, "ccg.db"))
	}
	if err != nil {
		t.Fatal(err)
	}
	an, err := duckdb.OpenCatalog(ctx, filepath.Join(w.data, "analytics"), st, duckdb.Options{Threads: 1})
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	svc := variation.NewService(an, variation.NewRegistryPort(registry.NewService(st)))
	return st, an, svc
}

// check reads the state and asserts that every published measure value
// is the value computed now from the published facts (so none was
// computed from facts that were never published, and no month is half
// replaced).
func (w *killWorld) check(t *testing.T) state {
	t.Helper()
	ctx := context.Background()
	st, an, svc := w.open(t)
	defer st.Close()
	defer an.Close()
	var s state
	if err := an.DB().QueryRowContext(ctx, "SELECT coalesce(sum(items), 0) FROM prescribing WHERE month = CAST(? AS DATE)", w.m2.First().String()).Scan(&s.items); err != nil {
		t.Fatal(err)
	}
	if err := st.ReadDB().QueryRowContext(ctx, "SELECT count(*) FROM import_runs WHERE kind IN ('prescribing', 'measures')").Scan(&s.runs); err != nil {
		t.Fatal(err)
	}
	s.generation = an.Generation(ctx)
	months, err := an.Months(ctx, variation.SourcePrescribing)
	if err != nil {
		t.Fatal(err)
	}
	if len(months) != 2 {
		t.Fatalf("published months %v, want 2", months)
	}
	d, err := an.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Finish(false)
	again := svc.Over(d)
	for _, m := range months {
		if err := again.ComputeMonth(ctx, m); err != nil {
			t.Fatal(err)
		}
		have, err := an.Values(ctx, variation.ValueQuery{Month: m})
		if err != nil {
			t.Fatal(err)
		}
		want, err := d.Values(ctx, variation.ValueQuery{Month: m})
		if err != nil {
			t.Fatal(err)
		}
		if len(have) != len(want) || len(have) == 0 {
			t.Fatalf("%s: %d published values, %d computed from the published facts", m, len(have), len(want))
		}
		for i := range have {
			a, b := have[i], want[i]
			if a.MeasureID != b.MeasureID || a.OrgCode != b.OrgCode || !near(a.Numerator, b.Numerator) || !near(a.Denominator, b.Denominator) {
				t.Fatalf("%s: published %s %s %s = %v/%v, the published facts give %v/%v: values and facts do not match",
					m, a.MeasureID, a.Level, a.OrgCode, a.Numerator, a.Denominator, b.Numerator, b.Denominator)
			}
		}
	}
	return s
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(a)) }

// TestKillDuringImport kills `ccg import prescribing` (the real binary,
// kill -9) at many moments of an import that replaces a month, and checks
// that the data folder is then in the old state or the new one, never a
// mix; that a later `ccg import measures` computes only from published
// facts; and that the same file imports cleanly afterwards.
func TestKillDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	for _, eng := range engines(t) {
		t.Run(eng.name, func(t *testing.T) {
			w := newKillWorld(t, eng)
			before := w.check(t)

			// How long a whole import takes, on a copy of the file's month
			// in another folder (so the kills below have something to kill).
			probe, _ := w.bigger(t, 30)
			start := time.Now()
			runCCG(t, w.bin, w.data, eng, "import", "prescribing", probe)
			full := time.Since(start)
			afterFull := w.check(t)
			if afterFull.items == before.items || afterFull.runs != before.runs+1 {
				t.Fatalf("a whole import changed nothing: %+v then %+v", before, afterFull)
			}
			t.Logf("a whole import of %s takes %v", filepath.Base(probe), full)

			const kills = 8
			published, unpublished := 0, 0
			cur := afterFull
			def, err := os.ReadFile("../variation/measures/antibiotics_per_star_pu.json")
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < kills; i++ {
				file, _ := w.bigger(t, 31+i)                           // a new file each time
				delay := full * time.Duration(i+1) * 13 / (10 * kills) // up to 1.3 × a whole import
				cmd := exec.Command(w.bin, "import", "prescribing", file)
				cmd.Env = ccgEnv(w.data, eng)
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(delay)
				_ = cmd.Process.Signal(syscall.SIGKILL)
				err := cmd.Wait()
				got := w.check(t)
				switch {
				case got.runs == cur.runs && got.items == cur.items && got.generation == cur.generation:
					unpublished++
				case got.runs == cur.runs+1 && got.items != cur.items:
					published++ // the import finished before the kill
				default:
					t.Fatalf("kill after %v (%v): a mix of states: before %+v, after %+v\n%s", delay, err, cur, got, out.String())
				}
				cur = got

				// A measure imported now computes from published facts only
				// (check asserts it for every value).
				m := bytes.Replace(def, []byte(`"name": "`), []byte(fmt.Sprintf(`"name": "Kill %d: `, i)), 1)
				mp := filepath.Join(t.TempDir(), fmt.Sprintf("kill_measure_%d.json", i))
				if err := os.WriteFile(mp, m, 0o644); err != nil {
					t.Fatal(err)
				}
				runCCG(t, w.bin, w.data, eng, "import", "measures", mp)
				cur = w.check(t)
			}
			t.Logf("%d kills left the old state, %d came after the publish", unpublished, published)
			if unpublished == 0 {
				t.Errorf("no kill landed before the publish: the test did not test")
			}
			// Nothing is left behind once GC has run (every command runs it).
			runCCG(t, w.bin, w.data, eng, "gc", "--grace", "0s")
			st, an, _ := w.open(t)
			snap, err := st.Snapshot(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			named := map[string]bool{}
			for _, f := range snap.Files {
				named[filepath.Join(an.Root(), filepath.FromSlash(f.Path))] = true
			}
			filepath.WalkDir(an.Root(), func(p string, e os.DirEntry, err error) error {
				if err == nil && strings.HasSuffix(p, ".parquet") && !named[p] {
					t.Errorf("left behind: %s", p)
				}
				return nil
			})
			an.Close()
			st.Close()
		})
	}
}
