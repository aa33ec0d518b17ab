package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/importing"
	"ccg/internal/registry"
	"ccg/internal/store/sqlstore"
)

func init() { Register(Suite{Name: "foundation/txn", Run: txnSuite}) }

var errBoom = errors.New("boom")

// writeEverything makes one write through each foundation port method that
// writes, all with ctx.
func writeEverything(t *testing.T, ctx context.Context, s *sqlstore.Store, code string) {
	t.Helper()
	var rs registry.Store = s
	var is importing.Store = s
	_, err := rs.UpsertOrganisation(ctx, org(code, "In a transaction", registry.KindPractice))
	must(t, "upsert", err)
	_, err = rs.PutRelationship(ctx, rel(code, "CCG", registry.RelMemberOf, "2013-04-01", ""))
	must(t, "relationship", err)
	_, err = rs.PutSuccession(ctx, registry.Succession{Predecessor: code, Successor: "NEXT", Effective: d("2020-04-01")})
	must(t, "succession", err)
	_, err = rs.PutListSizes(ctx, []registry.ListSize{{Practice: code, Month: calendar.MustMonth("2020-01"), Sex: registry.SexAll, AgeBand: registry.AgeAll, Patients: 1}})
	must(t, "list sizes", err)
	_, err = is.RecordImport(ctx, importing.Run{Kind: "test", File: code, SHA256: "sha-" + code, Status: importing.StatusImported,
		Started: time.Now(), Finished: time.Now()}, []importing.Rejection{{Line: 1, Reason: "bad"}})
	must(t, "record import", err)
}

// wantNothing fails unless none of writeEverything's writes for code are visible.
func wantNothing(t *testing.T, ctx context.Context, s *sqlstore.Store, code string) {
	t.Helper()
	_, err := s.Organisation(ctx, code)
	wantErr(t, "organisation after rollback", err, errs.ErrNotFound)
	rels, err := s.RelationshipsOf(ctx, code)
	must(t, "relationships", err)
	succ, err := s.SuccessionsOf(ctx, code)
	must(t, "successions", err)
	sizes, err := s.ListSizes(ctx, code, calendar.Month{}, calendar.Month{})
	must(t, "list sizes", err)
	_, err = s.FindImport(ctx, "test", "sha-"+code)
	wantErr(t, "import after rollback", err, errs.ErrNotFound)
	if len(rels)+len(succ)+len(sizes) != 0 {
		t.Errorf("rolled-back writes visible: %d relationships, %d successions, %d list sizes", len(rels), len(succ), len(sizes))
	}
}

// wantAll fails unless writeEverything's writes for code are visible.
func wantAll(t *testing.T, ctx context.Context, s *sqlstore.Store, code string) {
	t.Helper()
	_, err := s.Organisation(ctx, code)
	must(t, "organisation", err)
	rels, err := s.RelationshipsOf(ctx, code)
	must(t, "relationships", err)
	succ, err := s.SuccessionsOf(ctx, code)
	must(t, "successions", err)
	sizes, err := s.ListSizes(ctx, code, calendar.Month{}, calendar.Month{})
	must(t, "list sizes", err)
	run, err := s.FindImport(ctx, "test", "sha-"+code)
	must(t, "find import", err)
	rej, err := s.Rejections(ctx, run.ID, 0)
	must(t, "rejections", err)
	if len(rels) != 1 || len(succ) != 1 || len(sizes) != 1 || len(rej) != 1 {
		t.Errorf("committed writes: %d relationships, %d successions, %d list sizes, %d rejections; want 1 of each",
			len(rels), len(succ), len(sizes), len(rej))
	}
}

func txnSuite(t *testing.T, open Opener) {
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(t *testing.T, s *sqlstore.Store)
	}{
		{"commit keeps every write", func(t *testing.T, s *sqlstore.Store) {
			err := s.InTx(ctx, func(ctx context.Context) error {
				writeEverything(t, ctx, s, "P1")
				return nil
			})
			must(t, "in tx", err)
			wantAll(t, ctx, s, "P1")
		}},
		{"an error rolls back every write and is returned", func(t *testing.T, s *sqlstore.Store) {
			err := s.InTx(ctx, func(ctx context.Context) error {
				writeEverything(t, ctx, s, "P1")
				wantAll(t, ctx, s, "P1") // visible inside
				return errBoom
			})
			wantErr(t, "in tx", err, errBoom)
			wantNothing(t, ctx, s, "P1")
		}},
		{"a panic rolls back and goes on", func(t *testing.T, s *sqlstore.Store) {
			func() {
				defer func() {
					if p := recover(); p != "boom" {
						t.Errorf("recovered %v, want the panic to go on", p)
					}
				}()
				_ = s.InTx(ctx, func(ctx context.Context) error {
					writeEverything(t, ctx, s, "P1")
					panic("boom")
				})
			}()
			wantNothing(t, ctx, s, "P1")
			// the single writer is free again
			must(t, "write after panic", s.InTx(ctx, func(ctx context.Context) error {
				writeEverything(t, ctx, s, "P2")
				return nil
			}))
			wantAll(t, ctx, s, "P2")
		}},
		{"nested InTx joins the outer transaction", func(t *testing.T, s *sqlstore.Store) {
			err := s.InTx(ctx, func(outer context.Context) error {
				writeEverything(t, outer, s, "P1")
				err := s.InTx(outer, func(inner context.Context) error {
					if !s.InTransaction(inner) {
						t.Error("inner context carries no transaction")
					}
					writeEverything(t, inner, s, "P2")
					wantAll(t, inner, s, "P1") // sees the outer writes
					return nil
				})
				must(t, "inner", err)
				wantAll(t, outer, s, "P2") // inner writes, not yet committed
				return errBoom
			})
			wantErr(t, "outer", err, errBoom)
			wantNothing(t, ctx, s, "P1")
			wantNothing(t, ctx, s, "P2") // the inner commit was the outer's
			err = s.InTx(ctx, func(outer context.Context) error {
				return s.InTx(outer, func(inner context.Context) error {
					writeEverything(t, inner, s, "P3")
					return nil
				})
			})
			must(t, "nested commit", err)
			wantAll(t, ctx, s, "P3")
		}},
		{"uncommitted writes are invisible outside the transaction", func(t *testing.T, s *sqlstore.Store) {
			err := s.InTx(ctx, func(txCtx context.Context) error {
				_, err := s.UpsertOrganisation(txCtx, org("P1", "Pending", registry.KindPractice))
				must(t, "upsert", err)
				_, err = s.Organisation(ctx, "P1") // a context without the transaction
				wantErr(t, "read outside", err, errs.ErrNotFound)
				return nil
			})
			must(t, "in tx", err)
			_, err = s.Organisation(ctx, "P1")
			must(t, "read after commit", err)
		}},
		{"a failed statement inside a transaction fails it whole", func(t *testing.T, s *sqlstore.Store) {
			run := importing.Run{Kind: "k", File: "f", SHA256: "same", Status: importing.StatusImported}
			_, err := s.RecordImport(ctx, run, nil)
			must(t, "first", err)
			err = s.InTx(ctx, func(ctx context.Context) error {
				_, err := s.UpsertOrganisation(ctx, org("P1", "Lost", registry.KindPractice))
				must(t, "upsert", err)
				_, err = s.RecordImport(ctx, run, nil)
				return err
			})
			wantErr(t, "duplicate import in a transaction", err, errs.ErrConflict)
			wantErr(t, "lost write", func() error { _, err := s.Organisation(ctx, "P1"); return err }(), errs.ErrNotFound)
		}},
		{"concurrent transactions all commit", func(t *testing.T, s *sqlstore.Store) {
			const workers, each = 6, 15
			var wg sync.WaitGroup
			errc := make(chan error, workers)
			for w := range workers {
				wg.Go(func() {
					errc <- s.InTx(ctx, func(ctx context.Context) error {
						for i := range each {
							code := fmt.Sprintf("W%dP%02d", w, i)
							if _, err := s.UpsertOrganisation(ctx, org(code, code, registry.KindPractice)); err != nil {
								return err
							}
							if _, err := s.Organisation(ctx, code); err != nil {
								return err
							}
							// a read outside the transaction meanwhile
							if _, _, err := s.SearchOrganisations(context.Background(), registry.Filter{Query: "W"}); err != nil {
								return err
							}
						}
						return nil
					})
				})
			}
			wg.Wait()
			close(errc)
			for err := range errc {
				must(t, "worker", err)
			}
			counts, err := s.CountOrganisations(ctx)
			must(t, "count", err)
			if counts[registry.KindPractice] != workers*each {
				t.Errorf("%d practices, want %d", counts[registry.KindPractice], workers*each)
			}
		}},
		{"a cancelled context rolls back", func(t *testing.T, s *sqlstore.Store) {
			cctx, cancel := context.WithCancel(ctx)
			err := s.InTx(cctx, func(ctx context.Context) error {
				_, err := s.UpsertOrganisation(ctx, org("P1", "Cancelled", registry.KindPractice))
				must(t, "upsert", err)
				cancel()
				return ctx.Err()
			})
			wantErr(t, "cancelled", err, context.Canceled)
			wantNothing(t, ctx, s, "P1")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, Migrated(t, open)) })
	}
}
