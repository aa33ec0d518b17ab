package access

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"ccg/internal/errs"
	"ccg/internal/importing"
)

func TestCan(t *testing.T) {
	member := &Person{ID: 7, Email: "m@x.nhs.uk", Roles: []Role{RolePracticeMember}, Practices: []string{"A1"}, Localities: []string{"L1"}}
	lead := &Person{ID: 8, Email: "l@x.nhs.uk", Roles: []Role{RoleLocalityLead}, Localities: []string{"L1"}}
	analyst := &Person{ID: 9, Email: "a@x.nhs.uk", Roles: []Role{RoleAnalyst}}
	admin := &Person{ID: 10, Email: "ad@x.nhs.uk", Roles: []Role{RoleAdmin}}
	disabled := &Person{ID: 11, Roles: []Role{RoleAdmin}, Disabled: true}
	own := Resource{Kind: "practice", Practice: "A1", Locality: "L1"}
	peer := Resource{Kind: "practice", Practice: "A2", Locality: "L1"}
	other := Resource{Kind: "practice", Practice: "B1", Locality: "L2"}
	tests := []struct {
		name string
		p    *Person
		a    Action
		r    Resource
		want bool
	}{
		{"public sees published", nil, ActPracticeDetail, Resource{Published: true}, true},
		{"public not unpublished", nil, ActPracticeDetail, own, false},
		{"member own practice detail", member, ActPracticeDetail, own, true},
		{"member not peer detail", member, ActPracticeDetail, peer, false},
		{"member peer comparison", member, ActPracticePeers, peer, true},
		{"member not other locality", member, ActPracticePeers, other, false},
		{"lead locality detail", lead, ActPracticeDetail, peer, true},
		{"lead not other locality", lead, ActPracticeDetail, other, false},
		{"analyst sees all", analyst, ActPracticeDetail, other, true},
		{"admin cannot vote for another", admin, ActVoteCast, Resource{Owner: 7}, false},
		{"member casts own vote", member, ActVoteCast, Resource{Owner: 7}, true},
		{"member cannot cast another's", member, ActVoteCast, Resource{Owner: 8}, false},
		{"public cannot vote", nil, ActVoteCast, Resource{Owner: 0}, false},
		{"disabled is public", disabled, ActPeopleAdmin, Resource{}, false},
		{"admin people", admin, ActPeopleAdmin, Resource{}, true},
		{"analyst no people", analyst, ActPeopleAdmin, Resource{}, false},
		{"unknown action denied", admin, Action("nope"), Resource{}, false},
		{"public signs in", nil, ActSignIn, Resource{}, true},
		{"public no account", nil, ActAccount, Resource{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Can(tc.p, tc.a, tc.r); got != tc.want {
				t.Errorf("Can = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAuthorizeErrors(t *testing.T) {
	if err := Authorize(nil, ActPeopleAdmin, Resource{}); !errors.Is(err, errs.ErrUnauthenticated) {
		t.Errorf("anonymous: %v", err)
	}
	if err := Authorize(&Person{ID: 1, Roles: []Role{RoleAnalyst}}, ActPeopleAdmin, Resource{}); !errors.Is(err, errs.ErrForbidden) {
		t.Errorf("analyst: %v", err)
	}
}

func TestPolicyEveryActionHasARow(t *testing.T) {
	for _, a := range Actions() {
		if len(Policy()) == 0 || !Known(a) {
			t.Fatalf("action %s missing", a)
		}
	}
	// Self-scoped actions must never be granted more widely.
	for _, a := range []Action{ActVoteCast, ActSurveyAnswer} {
		for _, r := range TableRoles() {
			if s := ScopeOf(a, r); s != No && s != Self {
				t.Errorf("%s for %s is %s: only Self is allowed", a, r, s)
			}
		}
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		pw string
		ok bool
	}{
		{"short", false},
		{"password1234", false},
		{"Password1234!", false},
		{"qwertyuiop123", false},
		{"aaaaaaaaaaaaaaa", false},
		{"123456789012345", false},
		{"P@ssw0rd2024!!", false},
		{"passwordpassword", false},
		{"jo.bloggs-secret-99", false}, // contains the email local part
		{"correct horse battery", true},
		{"Kestrel-lantern-7-orchard", true},
		{strings.Repeat("ab", 200), false},
	}
	for _, tc := range tests {
		t.Run(tc.pw, func(t *testing.T) {
			err := CheckPassword(tc.pw, "jo.bloggs@x.nhs.uk", "Jo Bloggs")
			if (err == nil) != tc.ok {
				t.Errorf("CheckPassword = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrWeakPassword) {
				t.Errorf("error %v does not wrap ErrWeakPassword", err)
			}
		})
	}
	if n := CommonPasswordCount(); n < 1000 {
		t.Errorf("only %d common passwords", n)
	}
	for i := 0; i < 20; i++ {
		pp, err := NewPassphrase()
		if err != nil || CheckPassword(pp) != nil {
			t.Fatalf("passphrase %q: %v %v", pp, err, CheckPassword(pp))
		}
	}
}

func TestHashAndVerify(t *testing.T) {
	h, err := HashPassword("a long enough passphrase")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, hash, pw string
		want           bool
	}{
		{"right", h, "a long enough passphrase", true},
		{"wrong", h, "a long enough passphrasE", false},
		{"empty hash", "", "a long enough passphrase", false},
		{"garbage", "$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA", "x", false},
		{"other algorithm", "$2a$10$abc", "x", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := VerifyPassword(tc.hash, tc.pw); got != tc.want {
				t.Errorf("VerifyPassword = %v, want %v", got, tc.want)
			}
		})
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || NeedsRehash(h) {
		t.Errorf("hash %q", h)
	}
	h2, _ := HashPassword("a long enough passphrase")
	if h == h2 {
		t.Error("two hashes of one password are equal: salt not random")
	}
}

// TestThrottle replays the lock-out attacks of issue 13 item 6: anyone who
// knew an e-mail address could lock its owner out for 15 minutes, and 30
// failures from one address refused every account from it.
func TestThrottle(t *testing.T) {
	now := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	th := &Throttle{PairLimit: 3, AccountLimit: 6, AddressLimit: 5, Window: 10 * time.Minute, Remember: 24 * time.Hour,
		Now: func() time.Time { return now }}
	th.Succeed("a@x", "2.2.2.2") // the owner has signed in from 2.2.2.2 before
	for i := 0; i < 3; i++ {
		if !th.Allow("a@x", "1.1.1.1") {
			t.Fatalf("attempt %d refused", i)
		}
		th.Fail("a@x", "1.1.1.1")
	}
	t.Run("the guesser is stopped", func(t *testing.T) {
		if th.Allow("A@x ", "1.1.1.1") {
			t.Error("account not throttled for the guessing address")
		}
	})
	t.Run("the owner is not locked out", func(t *testing.T) {
		if !th.Allow("a@x", "2.2.2.2") || !th.Allow("a@x", "3.3.3.3") {
			t.Error("the account is refused from other addresses")
		}
	})
	t.Run("guessing from many addresses stops new sources, not known ones", func(t *testing.T) {
		for i := 0; i < 6; i++ {
			th.Fail("a@x", "4.4.4."+strconv.Itoa(i))
		}
		if th.Allow("a@x", "3.3.3.3") {
			t.Error("account-wide limit not applied to a new source")
		}
		if !th.Allow("a@x", "2.2.2.2") {
			t.Error("the owner's known source is locked out")
		}
	})
	t.Run("one address guessing many accounts", func(t *testing.T) {
		th.Succeed("colleague@x", "9.9.9.9") // works behind the same shared address
		for _, acct := range []string{"b@x", "c@x", "d@x", "e@x", "f@x"} {
			th.Fail(acct, "9.9.9.9")
		}
		if th.Allow("g@x", "9.9.9.9") {
			t.Error("address not throttled after 5 failures")
		}
		if !th.Allow("colleague@x", "9.9.9.9") {
			t.Error("a person known at the shared address is refused")
		}
	})
	t.Run("refusals are counted per episode", func(t *testing.T) {
		if first, _ := th.Refused("a@x"); !first {
			t.Error("first refusal not first")
		}
		for i := 0; i < 5; i++ {
			if first, _ := th.Refused("a@x"); first {
				t.Error("a later refusal counted as first")
			}
		}
		now = now.Add(11 * time.Minute)
		if first, before := th.Refused("a@x"); !first || before != 6 {
			t.Errorf("new episode: first %v, before %d", first, before)
		}
	})
	t.Run("window passes", func(t *testing.T) {
		now = now.Add(11 * time.Minute)
		if !th.Allow("a@x", "1.1.1.1") || !th.Allow("g@x", "9.9.9.9") {
			t.Error("still throttled after the window")
		}
	})
}

var testKey = []byte("the audit key of the tests")

func TestAuditChain(t *testing.T) {
	var es []AuditEntry
	prev := AuditEntry{}
	for i := 0; i < 5; i++ {
		e := AuditEntry{At: time.Unix(int64(1700000000+i), 0), Actor: "a", Event: "x", Subject: "s", Detail: strings.Repeat("d", i)}.Chain(prev, testKey)
		es = append(es, e)
		prev = e
	}
	verify := func(es []AuditEntry) *ChainBreak {
		v := AuditVerifier{Key: testKey}
		for _, e := range es {
			if b := v.Next(e); b != nil {
				return b
			}
		}
		return v.Finish()
	}
	tests := []struct {
		name   string
		change func([]AuditEntry) []AuditEntry
		want   int64 // 0 = intact
	}{
		{"intact", func(e []AuditEntry) []AuditEntry { return e }, 0},
		{"detail changed", func(e []AuditEntry) []AuditEntry { e[2].Detail = "z"; return e }, 3},
		{"actor changed and rehashed without the key", func(e []AuditEntry) []AuditEntry { e[1].Actor = "b"; e[1].Hash = e[1].ChainHash(); return e }, 2},
		{"actor changed and rehashed with another key", func(e []AuditEntry) []AuditEntry {
			e[1].Actor = "b"
			e[1].Hash = e[1].KeyedHash([]byte("guess"))
			return e
		}, 2},
		{"actor changed and rehashed with the key", func(e []AuditEntry) []AuditEntry { e[1].Actor = "b"; e[1].Hash = e[1].KeyedHash(testKey); return e }, 3},
		{"entry removed", func(e []AuditEntry) []AuditEntry { return append(e[:3:3], e[4:]...) }, 4},
		{"field boundary moved", func(e []AuditEntry) []AuditEntry { e[0].Actor, e[0].Event = "ax", ""; return e }, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cp := append([]AuditEntry(nil), es...)
			b := verify(tc.change(cp))
			switch {
			case tc.want == 0 && b != nil:
				t.Errorf("unexpected break %v", b)
			case tc.want != 0 && (b == nil || b.Seq != tc.want):
				t.Errorf("break = %v, want at %d", b, tc.want)
			}
		})
	}
}

func newTestService(t *testing.T) (*Service, *memStore, *time.Time) {
	t.Helper()
	st := newMemStore()
	s := NewService(st, nil)
	now := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	if _, err := s.AddPerson(context.Background(), System, NewPerson{Name: "Ada Admin", Email: "admin@x.nhs.uk", Roles: []Role{RoleAdmin}, Password: "orchard-lantern-basket"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddPerson(context.Background(), System, NewPerson{Name: "Mo Member", Email: "mo@x.nhs.uk", Roles: []Role{RolePracticeMember}, Practices: []string{"a1"}, Password: "granite-willow-pepper"}); err != nil {
		t.Fatal(err)
	}
	return s, st, &now
}

func TestServiceSignInAndSessions(t *testing.T) {
	ctx := context.Background()
	s, st, now := newTestService(t)
	t.Run("no enumeration", func(t *testing.T) {
		_, err1 := s.SignIn(ctx, "mo@x.nhs.uk", "wrong password here", "9.9.9.9")
		_, err2 := s.SignIn(ctx, "nobody@x.nhs.uk", "wrong password here", "9.9.9.9")
		if err1 == nil || err2 == nil || err1.Error() != err2.Error() || !errors.Is(err1, ErrBadCredentials) {
			t.Errorf("errors differ or wrong: %v / %v", err1, err2)
		}
	})
	p, err := s.SignIn(ctx, " MO@x.nhs.uk", "granite-willow-pepper", "9.9.9.9")
	if err != nil {
		t.Fatal(err)
	}
	if p.Practices[0] != "A1" {
		t.Errorf("practices %v", p.Practices)
	}
	id, sess, err := s.StartSession(ctx, p, SessionMeta{Method: "password"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.sessions[id]; ok || sess.Hash != HashSecret(id) {
		t.Error("session id stored in clear")
	}
	t.Run("idle timeout", func(t *testing.T) {
		*now = now.Add(20 * time.Minute)
		if _, _, err := s.SessionPerson(ctx, id); err != nil {
			t.Fatalf("after 20 min: %v", err)
		}
		*now = now.Add(31 * time.Minute)
		if _, _, err := s.SessionPerson(ctx, id); !errors.Is(err, ErrSessionExpired) {
			t.Fatalf("after idle: %v", err)
		}
	})
	t.Run("absolute timeout", func(t *testing.T) {
		id, _, _ := s.StartSession(ctx, p, SessionMeta{})
		for i := 0; i < 25; i++ {
			*now = now.Add(29 * time.Minute)
			_, _, err = s.SessionPerson(ctx, id)
		}
		if !errors.Is(err, ErrSessionExpired) {
			t.Errorf("after 12h+: %v", err)
		}
	})
	t.Run("disable revokes sessions", func(t *testing.T) {
		id, _, _ := s.StartSession(ctx, p, SessionMeta{})
		if _, err := s.SetDisabled(ctx, System, "mo@x.nhs.uk", true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionPerson(ctx, id); !errors.Is(err, errs.ErrUnauthenticated) {
			t.Errorf("session of disabled person: %v", err)
		}
		if _, err := s.SignIn(ctx, "mo@x.nhs.uk", "granite-willow-pepper", "8.8.8.8"); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("disabled sign-in: %v", err)
		}
	})
	t.Run("throttled, without locking the owner out", func(t *testing.T) {
		before, _ := s.VerifyAudit(ctx, System, nil)
		for i := 0; i < 11; i++ {
			_, err = s.SignIn(ctx, "admin@x.nhs.uk", "not the password at all", "7.7.7.7")
		}
		if !errors.Is(err, ErrThrottled) {
			t.Errorf("11th failure: %v", err)
		}
		if _, err := s.SignIn(ctx, "admin@x.nhs.uk", "orchard-lantern-basket", "7.7.7.7"); !errors.Is(err, ErrThrottled) {
			t.Errorf("right password from the guesser's address: %v", err)
		}
		// issue 13 item 5: an anonymous caller must not grow the log
		// without limit; refused attempts are counted, not logged
		for i := 0; i < 500; i++ {
			_, _ = s.SignIn(ctx, "admin@x.nhs.uk", "still guessing", "7.7.7.7")
		}
		after, _ := s.VerifyAudit(ctx, System, nil)
		if grew := after.Entries - before.Entries; grew > 12 {
			t.Errorf("511 failed and refused sign-ins wrote %d audit entries, want at most 12", grew)
		}
		// issue 13 item 6: the owner, elsewhere, still signs in
		if _, err := s.SignIn(ctx, "admin@x.nhs.uk", "orchard-lantern-basket", "5.5.5.5"); err != nil {
			t.Errorf("right password from another address while a guesser is throttled: %v", err)
		}
	})
	res, err := s.VerifyAudit(ctx, System, nil)
	if err != nil || !res.OK() || res.Entries < 5 {
		t.Errorf("audit: %+v %v", res, err)
	}
}

func TestTokens(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newTestService(t)
	mo, _ := s.Lookup(ctx, System, "mo@x.nhs.uk")
	admin, _ := s.Lookup(ctx, System, "admin@x.nhs.uk")
	secret, tok, err := s.CreateToken(ctx, mo, "mo@x.nhs.uk", "script")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, TokenPrefix) || tok.Hash == secret {
		t.Errorf("token %q / %q", secret, tok.Hash)
	}
	p, err := s.TokenPerson(ctx, secret)
	if err != nil || p.ID != mo.ID || Can(p, ActPeopleAdmin, Resource{}) {
		t.Fatalf("token person %+v %v", p, err)
	}
	t.Run("member cannot make a token for another", func(t *testing.T) {
		if _, _, err := s.CreateToken(ctx, mo, "admin@x.nhs.uk", ""); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("member cannot probe unknown emails", func(t *testing.T) {
		if _, _, err := s.CreateToken(ctx, mo, "ghost@x.nhs.uk", ""); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("admin revokes", func(t *testing.T) {
		if err := s.RevokeToken(ctx, admin, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenPerson(ctx, secret); !errors.Is(err, errs.ErrUnauthenticated) {
			t.Errorf("revoked token: %v", err)
		}
	})
	t.Run("garbage token", func(t *testing.T) {
		if _, err := s.TokenPerson(ctx, "ccg_nope"); !errors.Is(err, errs.ErrUnauthenticated) {
			t.Errorf("got %v", err)
		}
	})
}

func TestStaffImport(t *testing.T) {
	ctx := context.Background()
	s, st, _ := newTestService(t)
	csv := "name,email,professional_role,practices,roles\n" +
		"Pat Partner,pat@x.nhs.uk,GP partner,A1;A2,\n" +
		"Nia Nurse,nia@x.nhs.uk,practice nurse,A1,practice member\n" +
		"Bad Role,bad@x.nhs.uk,gp,A1,wizard\n" +
		",noname@x.nhs.uk,,A1,\n" +
		"Mo Member,mo@x.nhs.uk,salaried gp,A3,\n"
	h := NewStaffImport(s)
	rec := &importing.Recorder{}
	t.Run("needs an administrator", func(t *testing.T) {
		err := h.Load(WithActor(ctx, &Person{ID: 2, Roles: []Role{RoleAnalyst}}), importing.NewSource("staff.csv", strings.NewReader(csv)), rec)
		if !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("got %v", err)
		}
	})
	if err := h.Load(WithActor(ctx, System), importing.NewSource("staff.csv", strings.NewReader(csv)), rec); err != nil {
		t.Fatal(err)
	}
	read, acc, rej := rec.Counts()
	if read != 5 || acc != 3 || rej != 2 {
		t.Errorf("counts %d %d %d", read, acc, rej)
	}
	mo, _ := st.PersonByEmail(ctx, "mo@x.nhs.uk")
	if strings.Join(mo.Practices, " ") != "A1 A3" || mo.Professional != ProSalariedGP {
		t.Errorf("mo %+v", mo)
	}
	pat, _ := st.PersonByEmail(ctx, "pat@x.nhs.uk")
	if pat.PasswordHash != "" || len(pat.Roles) != 1 || pat.Roles[0] != RolePracticeMember {
		t.Errorf("pat %+v", pat)
	}
}
