package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/importing"
	"ccg/internal/registry"
	"ccg/internal/variation"
)

// CacheDir is where the generated national month is kept between runs:
// $CCG_BENCH_CACHE, else $XDG_CACHE_HOME/ccg-bench, else .bench-cache in
// the module root (which is git-ignored).
func CacheDir() string {
	if d := os.Getenv("CCG_BENCH_CACHE"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "ccg-bench")
	}
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, ".bench-cache")
		}
		if filepath.Dir(d) == d {
			return filepath.Join(dir, ".bench-cache")
		}
	}
}

// CachedMonth returns the path of the synthetic month for spec, generating
// it first when it is not cached yet (written to a temporary name and
// renamed, so a half-written file is never used).
func CachedMonth(dir string, s Spec) (path string, generated bool, err error) {
	// EPD_YYYYMM declares the month, as NHSBSA names its files.
	name := fmt.Sprintf("EPD_%04d%02d-%d-rows-%d-orgs-%d-pres-seed%d.csv", s.Month.Year, int(s.Month.Mon), s.Rows, s.Organisations, s.Presentations, s.Seed)
	path = filepath.Join(dir, name)
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return path, false, nil
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", false, fmt.Errorf("bench: cache: %w", err)
	}
	tmp := path + ".partial"
	f, err := os.Create(tmp)
	if err != nil {
		return "", false, fmt.Errorf("bench: cache: %w", err)
	}
	if err := Generate(f, s); err != nil {
		f.Close()
		os.Remove(tmp)
		return "", false, err
	}
	if err := f.Close(); err != nil {
		return "", false, fmt.Errorf("bench: cache: %w", err)
	}
	return path, true, os.Rename(tmp, path)
}

// PeakRSS returns the process's peak resident set size (VmHWM) in bytes.
func PeakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "VmHWM:") {
			fields := strings.Fields(line)
			if len(fields) >= 2 {
				kb, _ := strconv.ParseInt(fields[1], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}

// ResetPeakRSS resets VmHWM to the current RSS (Linux: clear_refs 5), so
// that each phase's peak can be read on its own. It reports whether that
// worked.
func ResetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// memImports is an in-memory importing.Store, so the benchmark runs the
// real import pipeline (hashing, progress counting, the handler) without a
// SQL database.
type memImports struct {
	mu   sync.Mutex
	runs []importing.Run
}

// InTx implements importing.Store (no transaction: nothing to undo).
func (m *memImports) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return fn(ctx)
}

// FindImport implements importing.Store.
func (m *memImports) FindImport(_ context.Context, kind, sha string) (importing.Run, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.runs {
		if r.Kind == kind && r.SHA256 == sha {
			return r, nil
		}
	}
	return importing.Run{}, fmt.Errorf("import %s: %w", sha, errs.ErrNotFound)
}

// HasImportOfSize implements importing.Store.
func (m *memImports) HasImportOfSize(_ context.Context, kind string, bytes int64) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.runs {
		if r.Kind == kind && r.Bytes == bytes {
			return true, nil
		}
	}
	return false, nil
}

// RecordImport implements importing.Store.
func (m *memImports) RecordImport(_ context.Context, r importing.Run, _ []importing.Rejection) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r.ID = int64(len(m.runs) + 1)
	m.runs = append(m.runs, r)
	return r.ID, nil
}

// Imports implements importing.Store.
func (m *memImports) Imports(context.Context, int) ([]importing.Run, error) { return m.runs, nil }

// Import implements importing.Store.
func (m *memImports) Import(_ context.Context, id int64) (importing.Run, error) {
	if id < 1 || int(id) > len(m.runs) {
		return importing.Run{}, errs.ErrNotFound
	}
	return m.runs[id-1], nil
}

// Rejections implements importing.Store.
func (m *memImports) Rejections(context.Context, int64, int) ([]importing.Rejection, error) {
	return nil, nil
}

// Registry is a variation.Registry for the synthetic organisations: each
// practice is in its CCG and one of five localities of it, with a list
// size by sex and 5-year age band.
type Registry struct {
	members []variation.Member
	pops    map[string]variation.Population
}

// NewRegistry builds the registry port for a spec's organisations.
func NewRegistry(s Spec) *Registry {
	r := &Registry{}
	var rows []registry.ListSize
	for i, o := range s.Orgs() {
		r.members = append(r.members, variation.Member{Practice: o.Code, CCG: o.CCG, Locality: localityOf(o, i)})
		rows = append(rows, practiceSizes(o.Code, i, calendar.Month{})...)
	}
	r.pops = variation.Populations(rows)
	return r
}

// localityOf is the locality the benchmark puts the i-th organisation in.
func localityOf(o Org, i int) string { return fmt.Sprintf("%s-L%d", o.CCG, i%5) }

// practiceSizes returns the i-th organisation's list sizes in a month: by
// sex and 5-year age band (younger bands larger), and the total.
func practiceSizes(code string, i int, month calendar.Month) []registry.ListSize {
	size := 2000 + (i*7919)%14000
	total := 0
	var rows []registry.ListSize
	for b := 0; b < 20; b++ {
		band := fmt.Sprintf("%d-%d", 5*b, 5*b+4)
		if b == 19 {
			band = "95+"
		}
		n := int(float64(size) * float64(20-b) / 210 / 2)
		total += 2 * n
		rows = append(rows, registry.ListSize{Practice: code, Month: month, Sex: registry.SexMale, AgeBand: band, Patients: n},
			registry.ListSize{Practice: code, Month: month, Sex: registry.SexFemale, AgeBand: band, Patients: n})
	}
	return append(rows, registry.ListSize{Practice: code, Month: month, Sex: registry.SexAll, AgeBand: registry.AgeAll, Patients: total})
}

// Members implements variation.Registry.
func (r *Registry) Members(context.Context, calendar.Month) ([]variation.Member, error) {
	return r.members, nil
}

// Populations implements variation.Registry.
func (r *Registry) Populations(context.Context, calendar.Month) (map[string]variation.Population, error) {
	return r.pops, nil
}

// Duration formats d for the table.
func Duration(d time.Duration) string {
	switch {
	case d >= time.Minute:
		return fmt.Sprintf("%.1f min", d.Minutes())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000)
}

// Bytes formats n bytes for the table.
func Bytes(n int64) string {
	if n <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f GB", float64(n)/(1<<30))
}
