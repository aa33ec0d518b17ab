package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"ccg/internal/access"
	"ccg/internal/errs"
	"ccg/internal/store/sqlstore"
)

func init() { Register(Suite{Name: "access", Run: accessSuite}) }

func accessSuite(t *testing.T, open Opener) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, st *sqlstore.Store)
	}{
		{"people", accessPeople},
		{"sessions", accessSessions},
		{"tokens", accessTokens},
		{"audit chain and tamper", accessAudit},
		{"service end to end", accessService},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, Migrated(t, open)) })
	}
	t.Run("audit attacks", func(t *testing.T) {
		accessAuditAttacks(t, func(t *testing.T) *sqlstore.Store { return Migrated(t, open) })
	})
}

var t0 = time.Date(2024, 4, 1, 9, 30, 0, 123456000, time.UTC)

func accessPeople(t *testing.T, sqlst *sqlstore.Store) {
	ctx := context.Background()
	var s access.Store = sqlst
	p := access.Person{Name: "Pat Partner", Email: "pat@x.nhs.uk", Professional: access.ProGPPartner,
		Roles: []access.Role{access.RolePracticeMember, access.RoleLocalityLead}, Practices: []string{"A1", "A2"},
		Localities: []string{"L1"}, Bodies: []string{"GB"}, Created: t0, PasswordHash: "h1"}
	id, err := s.CreatePerson(ctx, p)
	must(t, "create", err)
	_, err = s.CreatePerson(ctx, access.Person{Name: "Dup", Email: "pat@x.nhs.uk"})
	wantErr(t, "duplicate email", err, errs.ErrConflict)

	got, err := s.PersonByEmail(ctx, "pat@x.nhs.uk")
	must(t, "by email", err)
	if got.ID != id || got.Name != p.Name || got.Professional != p.Professional || !got.Created.Equal(t0) ||
		got.PasswordHash != "h1" || !slices.Equal(got.Practices, p.Practices) || !slices.Equal(got.Localities, p.Localities) ||
		!slices.Equal(got.Bodies, p.Bodies) || len(got.Roles) != 2 {
		t.Fatalf("got %+v", got)
	}
	got.Roles = []access.Role{access.RoleAnalyst}
	got.Practices = []string{"B9"}
	got.Disabled = true
	got.OIDCSubject = "https://idp|42"
	got.PasswordHash = "ignored"
	must(t, "update", s.UpdatePerson(ctx, got))
	again, err := s.Person(ctx, id)
	must(t, "by id", err)
	if !again.Disabled || again.PasswordHash != "h1" || !slices.Equal(again.Practices, []string{"B9"}) || again.Roles[0] != access.RoleAnalyst {
		t.Fatalf("after update %+v", again)
	}
	bySub, err := s.PersonBySubject(ctx, "https://idp|42")
	must(t, "by subject", err)
	if bySub.ID != id {
		t.Fatalf("by subject %+v", bySub)
	}
	_, err = s.PersonBySubject(ctx, "")
	wantErr(t, "empty subject", err, errs.ErrNotFound)
	must(t, "set password", s.SetPasswordHash(ctx, id, "h2"))
	wantErr(t, "set password of nobody", s.SetPasswordHash(ctx, 999, "x"), errs.ErrNotFound)
	wantErr(t, "update nobody", s.UpdatePerson(ctx, access.Person{ID: 999, Name: "x"}), errs.ErrNotFound)
	_, err = s.Person(ctx, 999)
	wantErr(t, "missing", err, errs.ErrNotFound)
	_, err = s.CreatePerson(ctx, access.Person{Name: "Abe", Email: "abe@x.nhs.uk", Created: t0})
	must(t, "create abe", err)
	all, err := s.People(ctx)
	must(t, "people", err)
	if len(all) != 2 || all[0].Name != "Abe" || all[1].PasswordHash != "h2" || all[1].Practices[0] != "B9" {
		t.Fatalf("people %+v", all)
	}
}

func accessSessions(t *testing.T, sqlst *sqlstore.Store) {
	ctx := context.Background()
	var s access.Store = sqlst
	id, err := s.CreatePerson(ctx, access.Person{Name: "Sam", Email: "sam@x.nhs.uk", Created: t0})
	must(t, "person", err)
	mk := func(h string, last, exp time.Time) {
		must(t, "create session "+h, s.CreateSession(ctx, access.Session{Hash: h, PersonID: id, Created: t0, LastSeen: last, Expires: exp, CSRF: "c-" + h, IP: "1.2.3.4", Method: "password"}))
	}
	mk("s1", t0, t0.Add(12*time.Hour))
	mk("s2", t0, t0.Add(12*time.Hour))
	mk("s3", t0.Add(-time.Hour), t0.Add(time.Hour))
	got, err := s.Session(ctx, "s1")
	must(t, "session", err)
	if got.PersonID != id || got.CSRF != "c-s1" || !got.Expires.Equal(t0.Add(12*time.Hour)) || got.IP != "1.2.3.4" {
		t.Fatalf("session %+v", got)
	}
	must(t, "touch", s.TouchSession(ctx, "s1", t0.Add(time.Minute)))
	got, _ = s.Session(ctx, "s1")
	if !got.LastSeen.Equal(t0.Add(time.Minute)) {
		t.Fatalf("touched %v", got.LastSeen)
	}
	n, err := s.DeleteExpiredSessions(ctx, t0, t0.Add(-30*time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("expired: %d %v", n, err)
	}
	must(t, "delete", s.DeleteSession(ctx, "s2"))
	_, err = s.Session(ctx, "s2")
	wantErr(t, "deleted", err, errs.ErrNotFound)
	mk("s4", t0, t0.Add(time.Hour))
	n, err = s.DeletePersonSessions(ctx, id)
	if err != nil || n != 2 {
		t.Fatalf("delete person sessions: %d %v", n, err)
	}
}

func accessTokens(t *testing.T, sqlst *sqlstore.Store) {
	ctx := context.Background()
	var s access.Store = sqlst
	pid, err := s.CreatePerson(ctx, access.Person{Name: "Tia", Email: "tia@x.nhs.uk", Created: t0})
	must(t, "person", err)
	id1, err := s.CreateToken(ctx, access.Token{PersonID: pid, Name: "one", Hint: "ccg_abcd", Hash: "hash1", Created: t0})
	must(t, "token 1", err)
	id2, err := s.CreateToken(ctx, access.Token{PersonID: pid, Name: "two", Hash: "hash2", Created: t0.Add(time.Second)})
	must(t, "token 2", err)
	_, err = s.CreateToken(ctx, access.Token{PersonID: pid, Name: "dup", Hash: "hash2", Created: t0})
	wantErr(t, "duplicate hash", err, errs.ErrConflict)
	got, err := s.TokenByHash(ctx, "hash1")
	must(t, "by hash", err)
	if got.ID != id1 || got.Name != "one" || got.Hint != "ccg_abcd" || !got.Active() {
		t.Fatalf("token %+v", got)
	}
	must(t, "touch", s.TouchToken(ctx, id1, t0.Add(time.Hour)))
	must(t, "revoke", s.RevokeToken(ctx, id1, t0.Add(2*time.Hour)))
	must(t, "revoke again", s.RevokeToken(ctx, id1, t0.Add(3*time.Hour)))
	got, _ = s.Token(ctx, id1)
	if got.Active() || !got.Revoked.Equal(t0.Add(2*time.Hour)) || !got.LastUsed.Equal(t0.Add(time.Hour)) {
		t.Fatalf("revoked %+v", got)
	}
	wantErr(t, "revoke missing", s.RevokeToken(ctx, 999, t0), errs.ErrNotFound)
	ts, err := s.Tokens(ctx, pid)
	must(t, "tokens", err)
	if len(ts) != 2 || ts[0].ID != id2 {
		t.Fatalf("tokens %+v", ts)
	}
}

func accessAudit(t *testing.T, sqlst *sqlstore.Store) {
	ctx := context.Background()
	svc := access.NewService(sqlst, nil)
	for i := 0; i < 12; i++ {
		must(t, "record", svc.Record(ctx, access.System, "test.event", fmt.Sprintf("thing:%d", i), "détail ünicode; with 'quotes'"))
	}
	res, err := svc.VerifyAudit(ctx, access.System, nil)
	must(t, "verify", err)
	if !res.OK() || res.Entries != 12 {
		t.Fatalf("intact chain: %+v", res)
	}
	var s access.Store = sqlst
	wantErr(t, "duplicate seq", s.AppendAudit(ctx, access.AuditEntry{Seq: 3, At: t0, Event: "x", Hash: "h"}), errs.ErrConflict)

	// Tamper with one row directly in the database.
	if _, err := sqlst.WriteDB().ExecContext(ctx, rebindFor(sqlst, `UPDATE audit_log SET detail = ? WHERE seq = ?`), "nothing to see", 7); err != nil {
		t.Fatal(err)
	}
	res, err = svc.VerifyAudit(ctx, access.System, nil)
	must(t, "verify tampered", err)
	if res.OK() || res.Break.Seq != 7 || res.Entries != 6 {
		t.Fatalf("tampered chain: %+v", res)
	}
	if _, err := sqlst.WriteDB().ExecContext(ctx, `DELETE FROM audit_log WHERE seq = 4`); err != nil {
		t.Fatal(err)
	}
	res, _ = svc.VerifyAudit(ctx, access.System, nil)
	if res.OK() || res.Break.Seq != 4 {
		t.Fatalf("deleted row: %+v", res)
	}
	_, err = svc.VerifyAudit(ctx, &access.Person{ID: 5, Roles: []access.Role{access.RoleAnalyst}}, nil)
	wantErr(t, "analyst verifies", err, errs.ErrForbidden)
}

// accessAuditAttacks replays the attacks of issue 13 item 5 on the real
// store: deleting the newest row or the newest ten, and editing a row and
// recomputing the chain from there (without the audit key), all passed
// `ccg audit verify`. Now the chain is keyed, and a checkpoint taken before
// catches the removal of the newest entries.
func accessAuditAttacks(t *testing.T, open func(t *testing.T) *sqlstore.Store) {
	ctx := context.Background()
	key := []byte("a secret kept outside the database")
	// setup writes 20 entries and returns the store, the service and a
	// checkpoint of the head (entry 20).
	setup := func(t *testing.T) (*sqlstore.Store, *access.Service, access.Checkpoint) {
		st := open(t)
		svc := access.NewService(st, nil)
		svc.SetAuditKey(key)
		for i := 1; i <= 20; i++ {
			must(t, "record", svc.Record(ctx, access.System, "test.event", fmt.Sprintf("thing:%d", i), "detail"))
		}
		cp, err := svc.AuditCheckpoint(ctx, access.System)
		must(t, "checkpoint", err)
		if cp.Seq != 20 || !strings.HasPrefix(cp.Hash, "k1:") {
			t.Fatalf("checkpoint %v", cp)
		}
		return st, svc, cp
	}
	exec := func(t *testing.T, st *sqlstore.Store, q string, args ...any) {
		t.Helper()
		if _, err := st.WriteDB().ExecContext(ctx, rebindFor(st, q), args...); err != nil {
			t.Fatal(err)
		}
	}
	entries := func(t *testing.T, st *sqlstore.Store) []access.AuditEntry {
		es, err := st.AuditEntries(ctx, 0, 1000)
		must(t, "entries", err)
		return es
	}
	// rewrite recomputes every hash from entry `from` on, as an attacker
	// without the key can: with the legacy hash, or keyed with a guess.
	rewrite := func(t *testing.T, st *sqlstore.Store, from int64, hash func(e access.AuditEntry) string) {
		es := entries(t, st)
		prev := ""
		for _, e := range es {
			if e.Seq >= from {
				e.Prev = prev
				e.Hash = hash(e)
				exec(t, st, `UPDATE audit_log SET prev = ?, hash = ? WHERE seq = ?`, e.Prev, e.Hash, e.Seq)
			}
			prev = e.Hash
		}
	}
	attacks := []struct {
		name     string
		attack   func(t *testing.T, st *sqlstore.Store)
		plainOK  bool // still passes a verify without a checkpoint (only a checkpoint catches it)
		breakSeq int64
	}{
		{"newest row deleted", func(t *testing.T, st *sqlstore.Store) { exec(t, st, `DELETE FROM audit_log WHERE seq = 20`) }, true, 20},
		{"newest ten deleted", func(t *testing.T, st *sqlstore.Store) { exec(t, st, `DELETE FROM audit_log WHERE seq > 10`) }, true, 11},
		{"row edited, chain recomputed unkeyed", func(t *testing.T, st *sqlstore.Store) {
			exec(t, st, `UPDATE audit_log SET detail = ? WHERE seq = 12`, "nothing to see")
			rewrite(t, st, 12, func(e access.AuditEntry) string { return e.ChainHash() })
		}, false, 12},
		{"row edited, chain recomputed with another key", func(t *testing.T, st *sqlstore.Store) {
			exec(t, st, `UPDATE audit_log SET detail = ? WHERE seq = 12`, "nothing to see")
			rewrite(t, st, 12, func(e access.AuditEntry) string { return e.KeyedHash([]byte("guessed")) })
		}, false, 12},
		{"whole log rewritten unkeyed", func(t *testing.T, st *sqlstore.Store) {
			rewrite(t, st, 1, func(e access.AuditEntry) string { return e.ChainHash() })
		}, false, 20},
	}
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			st, svc, cp := setup(t)
			a.attack(t, st)
			res, err := svc.VerifyAudit(ctx, access.System, nil)
			must(t, "verify", err)
			if res.OK() != a.plainOK {
				t.Fatalf("verify without checkpoint: %+v, want OK=%v", res, a.plainOK)
			}
			if !a.plainOK && res.Break.Seq != a.breakSeq {
				t.Fatalf("break at %d, want %d: %+v", res.Break.Seq, a.breakSeq, res.Break)
			}
			res, err = svc.VerifyAudit(ctx, access.System, &cp)
			must(t, "verify against", err)
			if res.OK() {
				t.Fatalf("verify against %v passed after the attack: %+v", cp, res)
			}
			if a.plainOK && a.breakSeq > 0 && res.Break.Seq != a.breakSeq {
				t.Fatalf("break at %d, want %d: %+v", res.Break.Seq, a.breakSeq, res.Break)
			}
		})
	}
	t.Run("entries after the checkpoint may be added", func(t *testing.T) {
		_, svc, cp := setup(t)
		must(t, "record", svc.Record(ctx, access.System, "test.event", "thing:21", ""))
		res, err := svc.VerifyAudit(ctx, access.System, &cp)
		if err != nil || !res.OK() || res.Entries != 21 {
			t.Fatalf("verify against %v: %+v, %v", cp, res, err)
		}
	})
	t.Run("a log written before keying is sealed and then protected", func(t *testing.T) {
		st := open(t)
		var s access.Store = st
		prev := access.AuditEntry{}
		for i := 1; i <= 5; i++ {
			e := access.AuditEntry{Seq: int64(i), At: t0.Add(time.Duration(i) * time.Second), Actor: "cli", Event: "legacy", Subject: "x", Prev: prev.Hash}
			e.Hash = e.ChainHash()
			must(t, "append legacy", s.AppendAudit(ctx, e))
			prev = e
		}
		svc := access.NewService(st, nil)
		svc.SetAuditKey(key)
		if res, _ := svc.VerifyAudit(ctx, access.System, nil); res.OK() {
			t.Fatalf("an unsealed legacy log passes as keyed: %+v", res)
		}
		must(t, "seal", svc.SealAudit(ctx))
		must(t, "seal twice", svc.SealAudit(ctx))
		res, err := svc.VerifyAudit(ctx, access.System, nil)
		if err != nil || !res.OK() || res.Entries != 6 {
			t.Fatalf("sealed legacy log: %+v, %v", res, err)
		}
		exec(t, st, `UPDATE audit_log SET detail = ? WHERE seq = 3`, "changed")
		rewrite(t, st, 3, func(e access.AuditEntry) string {
			if e.Keyed() {
				return e.KeyedHash([]byte("guessed"))
			}
			return e.ChainHash()
		})
		if res, _ := svc.VerifyAudit(ctx, access.System, nil); res.OK() {
			t.Fatalf("a changed legacy entry passes after sealing: %+v", res)
		}
	})
}

// rebindFor turns ? placeholders into $n on PostgreSQL (for raw SQL in tests).
func rebindFor(s *sqlstore.Store, q string) string {
	if s.Dialect() != sqlstore.Postgres {
		return q
	}
	out, n := []byte{}, 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			out = append(out, fmt.Sprintf("$%d", n)...)
			continue
		}
		out = append(out, q[i])
	}
	return string(out)
}

func accessService(t *testing.T, sqlst *sqlstore.Store) {
	ctx := context.Background()
	svc := access.NewService(sqlst, nil)
	_, err := svc.AddPerson(ctx, access.System, access.NewPerson{Name: "Ada", Email: "Ada@X.nhs.uk", Roles: []access.Role{access.RoleAdmin}, Password: "orchard-lantern-basket"})
	must(t, "add", err)
	p, err := svc.SignIn(ctx, "ada@x.nhs.uk", "orchard-lantern-basket", "10.0.0.1")
	must(t, "sign in", err)
	id, _, err := svc.StartSession(ctx, p, access.SessionMeta{Method: "password"})
	must(t, "session", err)
	q, _, err := svc.SessionPerson(ctx, id)
	must(t, "session person", err)
	if q.Email != "ada@x.nhs.uk" || !q.Has(access.RoleAdmin) {
		t.Fatalf("session person %+v", q)
	}
	secret, _, err := svc.CreateToken(ctx, q, q.Email, "script")
	must(t, "token", err)
	if _, err := svc.TokenPerson(ctx, secret); err != nil {
		t.Fatal(err)
	}
	must(t, "end", svc.EndSession(ctx, id))
	_, _, err = svc.SessionPerson(ctx, id)
	wantErr(t, "ended", err, errs.ErrUnauthenticated)
	res, err := svc.VerifyAudit(ctx, access.System, nil)
	must(t, "verify", err)
	if !res.OK() || res.Entries < 4 {
		t.Fatalf("audit %+v", res)
	}
}
