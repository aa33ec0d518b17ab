package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"ccg/internal/analytics"
	"ccg/internal/analytics/duckdb"
	"ccg/internal/errs"
	"ccg/internal/store/sqlstore"
)

func init() { Register(Suite{Name: "analytics", Run: analyticsSuite}) }

// analyticsSuite checks the catalog of analytics snapshots, and the DuckDB
// store over it: a publish is all-or-nothing with the transaction it runs
// in, a publish computed from a part another publish has since replaced is
// refused, and replaced files are retired for GC.
func analyticsSuite(t *testing.T, open Opener) {
	ctx := context.Background()
	file := func(ds, part, path string) analytics.File {
		return analytics.File{Key: analytics.Key{Dataset: ds, Part: part}, Path: path, Run: "r", Rows: 1, Bytes: 10}
	}
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, s *sqlstore.Store)
	}{
		{"publish, replace, retire, forget", func(t *testing.T, s *sqlstore.Store) {
			var c analytics.Catalog = s
			g0, err := c.Generation(ctx)
			must(t, "generation", err)
			k := analytics.Key{Dataset: "prescribing", Part: "2021-03"}
			g1, err := c.Publish(ctx, analytics.Change{Run: "a", Base: map[analytics.Key]string{k: ""},
				Files:    []analytics.File{file("prescribing", "2021-03", "prescribing/2021-03/a-1.parquet")},
				Measures: []analytics.StoredMeasure{{ID: "m1", Definition: `{"id":"m1"}`, Updated: time.Now()}}})
			must(t, "publish", err)
			if g1 != g0+1 {
				t.Fatalf("generation %d after %d", g1, g0)
			}
			// A change computed from the state before a is refused.
			_, err = c.Publish(ctx, analytics.Change{Run: "b", Base: map[analytics.Key]string{k: ""},
				Files: []analytics.File{file("prescribing", "2021-03", "prescribing/2021-03/b-1.parquet")}})
			wantErr(t, "stale publish", err, errs.ErrConflict)
			_, err = c.Publish(ctx, analytics.Change{Run: "c", Base: map[analytics.Key]string{k: "prescribing/2021-03/a-1.parquet"},
				Files: []analytics.File{file("prescribing", "2021-03", "prescribing/2021-03/c-1.parquet")}})
			must(t, "replace", err)
			snap, err := c.Snapshot(ctx)
			must(t, "snapshot", err)
			if len(snap.Files) != 1 || snap.Files[0].Path != "prescribing/2021-03/c-1.parquet" || len(snap.Measures) != 1 || snap.Layout != analytics.Layout {
				t.Fatalf("snapshot %+v", snap)
			}
			old, err := c.Retired(ctx, time.Now().Add(time.Minute))
			must(t, "retired", err)
			if len(old) != 1 || old[0] != "prescribing/2021-03/a-1.parquet" {
				t.Fatalf("retired %v", old)
			}
			if none, _ := c.Retired(ctx, time.Now().Add(-time.Hour)); len(none) != 0 {
				t.Fatalf("retired an hour ago: %v", none)
			}
			must(t, "forget", c.Forget(ctx, old))
			if left, _ := c.Retired(ctx, time.Now().Add(time.Minute)); len(left) != 0 {
				t.Fatalf("after forget: %v", left)
			}
		}},
		{"a publish rolled back with its transaction leaves nothing", func(t *testing.T, s *sqlstore.Store) {
			an, err := duckdb.OpenCatalog(ctx, t.TempDir(), s, duckdb.Options{Threads: 1})
			must(t, "open", err)
			defer an.Close()
			put := func(v float64) *duckdb.Draft {
				d, err := an.Begin(ctx)
				must(t, "begin", err)
				_, err = d.WritePart(ctx, "prescribing", "2021-03",
					fmt.Sprintf("SELECT DATE '2021-03-01', 'P1', '0101010A0AAAAAA', %g, 1.0, 1.0, 1.0, NULL::DOUBLE", v))
				must(t, "write", err)
				return d
			}
			d := put(5)
			must(t, "publish", s.InTx(ctx, func(ctx context.Context) error { return d.Publish(ctx) }))
			d.Finish(true)
			items := func() float64 {
				var x float64
				must(t, "items", an.DB().QueryRowContext(ctx, "SELECT sum(items) FROM prescribing").Scan(&x))
				return x
			}
			if got := items(); got != 5 {
				t.Fatalf("after publish: %v", got)
			}
			d = put(7)
			boom := errors.New("the run's checks failed")
			err = s.InTx(ctx, func(ctx context.Context) error {
				if err := d.Publish(ctx); err != nil {
					return err
				}
				return boom
			})
			d.Finish(false)
			wantErr(t, "rolled back", err, boom)
			if _, err := an.Begin(ctx); err != nil { // refreshes
				t.Fatal(err)
			}
			if got := items(); got != 5 {
				t.Fatalf("a rolled-back publish shows: %v", got)
			}
			// Two drafts from the same snapshot: the second to publish is refused.
			a, b := put(11), put(13)
			must(t, "publish a", a.Publish(ctx))
			a.Finish(true)
			wantErr(t, "publish b", b.Publish(ctx), errs.ErrConflict)
			b.Finish(false)
			rep, err := an.GC(ctx, 0)
			must(t, "gc", err)
			if rep.Retired != 1 {
				t.Errorf("gc %+v: want the replaced file removed", rep)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, Migrated(t, open)) })
	}
}
