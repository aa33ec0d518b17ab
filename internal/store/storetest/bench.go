package storetest

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/registry"
	"ccg/internal/store/sqlstore"
)

// Bench runs the store benchmarks against stores made by open (a fresh,
// empty, unmigrated store on each call): a national month of list sizes
// (about 300,000 rows) written new and then again unchanged, and the
// national ODS practice file (13,956 rows: an organisation upsert and a
// recorded membership each) imported new and then again unchanged. The ODS
// benchmark reads ../shared/data/ods/epraccur_20180831.csv from the project
// root and is skipped when it is absent.
func Bench(b *testing.B, open func(tb testing.TB) *sqlstore.Store) {
	ctx := context.Background()
	migrated := func(b *testing.B) *sqlstore.Store {
		s := open(b)
		if _, err := s.Migrate(ctx); err != nil {
			b.Fatalf("migrate: %v", err)
		}
		return s
	}

	b.Run("PutListSizes/national-month", func(b *testing.B) {
		rows := nationalListSizes(7000)
		for b.Loop() {
			b.StopTimer()
			s := migrated(b)
			b.StartTimer()
			start := time.Now()
			n, err := s.PutListSizes(ctx, rows)
			if err != nil || n != len(rows) {
				b.Fatalf("put: %d changed, %v", n, err)
			}
			b.ReportMetric(float64(len(rows))/time.Since(start).Seconds(), "rows/s")
		}
	})
	b.Run("PutListSizes/national-month-unchanged", func(b *testing.B) {
		rows := nationalListSizes(7000)
		s := migrated(b)
		if _, err := s.PutListSizes(ctx, rows); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			start := time.Now()
			n, err := s.PutListSizes(ctx, rows)
			if err != nil || n != 0 {
				b.Fatalf("put again: %d changed, %v", n, err)
			}
			b.ReportMetric(float64(len(rows))/time.Since(start).Seconds(), "rows/s")
		}
	})

	b.Run("ODSPractices", func(b *testing.B) {
		orgs, rels := odsPractices(b)
		for b.Loop() {
			b.StopTimer()
			s := migrated(b)
			b.StartTimer()
			if n := loadODS(b, s, orgs, rels); n == 0 {
				b.Fatal("first load changed nothing")
			}
		}
	})
	b.Run("ODSPractices/unchanged", func(b *testing.B) {
		orgs, rels := odsPractices(b)
		s := migrated(b)
		loadODS(b, s, orgs, rels)
		for b.Loop() {
			if n := loadODS(b, s, orgs, rels); n != 0 {
				b.Fatalf("second load changed %d, want 0", n)
			}
		}
	})
}

// nationalListSizes makes a month of list sizes for n practices in the
// NHS Digital layout: 43 rows each (all/all, then male and female by 20
// five-year bands and all ages).
func nationalListSizes(n int) []registry.ListSize {
	m := calendar.MustMonth("2017-10")
	rows := make([]registry.ListSize, 0, n*43)
	for p := range n {
		code := fmt.Sprintf("X%05d", p)
		rows = append(rows, registry.ListSize{Practice: code, Month: m, Sex: registry.SexAll, AgeBand: registry.AgeAll, Patients: 7000 + p})
		for _, sex := range []registry.Sex{registry.SexMale, registry.SexFemale} {
			rows = append(rows, registry.ListSize{Practice: code, Month: m, Sex: sex, AgeBand: registry.AgeAll, Patients: 3500})
			for band := range 20 {
				label := fmt.Sprintf("%d-%d", 5*band, 5*band+4)
				if band == 19 {
					label = "95+"
				}
				rows = append(rows, registry.ListSize{Practice: code, Month: m, Sex: sex, AgeBand: label, Patients: 100 + band})
			}
		}
	}
	return rows
}

// odsPractices reads the national ODS practice file from shared/data.
func odsPractices(b *testing.B) ([]registry.Organisation, []registry.Relationship) {
	path := sharedData(b, "ods/epraccur_20180831.csv")
	f, err := os.Open(path)
	if err != nil {
		b.Skipf("ODS practice file not available (%v): ODS benchmark skipped", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	var orgs []registry.Organisation
	var rels []registry.Relationship
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		if len(rec) < 26 {
			continue
		}
		var addr []string
		for _, a := range rec[4:9] {
			if a != "" {
				addr = append(addr, a)
			}
		}
		opened, _ := calendar.ParseDate(rec[10])
		closed, _ := calendar.ParseDate(rec[11])
		orgs = append(orgs, registry.Organisation{Code: rec[0], Name: rec[1], Kind: registry.KindPractice, Address: addr,
			Postcode: rec[9], Phone: rec[17], Opened: opened, Closed: closed, Status: registry.StatusActive,
			Setting: rec[25], Source: "epraccur_20180831.csv"})
		if rec[14] != "" {
			from, _ := calendar.ParseDate(rec[15])
			to, _ := calendar.ParseDate(rec[16])
			rels = append(rels, registry.Relationship{Child: rec[0], Parent: rec[14], Kind: registry.RelMemberOf,
				From: from, To: to, Source: "epraccur_20180831.csv"})
		}
	}
	return orgs, rels
}

// loadODS writes the practices and their memberships in one transaction,
// as an import does, and returns how many records changed.
func loadODS(b *testing.B, s *sqlstore.Store, orgs []registry.Organisation, rels []registry.Relationship) int {
	ctx := context.Background()
	svc := registry.NewService(s)
	changed := 0
	err := s.InTx(ctx, func(ctx context.Context) error {
		for _, o := range orgs {
			c, err := s.UpsertOrganisation(ctx, o)
			if err != nil {
				return err
			}
			if c {
				changed++
			}
		}
		for _, r := range rels {
			c, err := svc.RecordRelationship(ctx, r)
			if err != nil {
				return err
			}
			if c {
				changed++
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return changed
}

// sharedData returns the path of a file under the project's ../shared/data.
func sharedData(tb testing.TB, name string) string {
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "data", filepath.FromSlash(name))
		}
		parent := filepath.Dir(dir)
		if parent == dir || strings.TrimSpace(parent) == "" {
			return filepath.Join("..", "shared", "data", filepath.FromSlash(name))
		}
		dir = parent
	}
}
