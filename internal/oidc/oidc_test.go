package oidc

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"ccg/internal/errs"
	"ccg/internal/oidc/oidctest"
)

func TestFlow(t *testing.T) {
	ctx := context.Background()
	p := oidctest.NewProvider(t)
	c, err := Discover(ctx, Config{Issuer: p.URL, ClientID: "ccg", RedirectURL: "https://ccg.test/auth/oidc/callback"})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("good", func(t *testing.T) {
		u, f := c.Start("/account")
		if !strings.Contains(u, "code_challenge_method=S256") {
			t.Errorf("no PKCE in %s", u)
		}
		q := oidctest.Authorize(t, u)
		cl, err := c.Finish(ctx, f, q.Get("state"), q.Get("code"))
		if err != nil || cl.Subject != "user-1" || cl.Email != "gp@example.nhs.uk" || !cl.EmailVerified {
			t.Fatalf("claims %+v %v", cl, err)
		}
	})
	t.Run("wrong state", func(t *testing.T) {
		u, f := c.Start("/")
		q := oidctest.Authorize(t, u)
		if _, err := c.Finish(ctx, f, "other", q.Get("code")); !errors.Is(err, errs.ErrUnauthenticated) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("wrong verifier", func(t *testing.T) {
		u, f := c.Start("/")
		q := oidctest.Authorize(t, u)
		f.Verifier = "tampered"
		if _, err := c.Finish(ctx, f, q.Get("state"), q.Get("code")); !errors.Is(err, errs.ErrUnauthenticated) {
			t.Errorf("got %v", err)
		}
	})
	bad := []struct {
		name   string
		change func(m map[string]any)
	}{
		{"expired", func(m map[string]any) { m["exp"] = time.Now().Add(-time.Hour).Unix() }},
		{"other audience", func(m map[string]any) { m["aud"] = "someone-else" }},
		{"other issuer", func(m map[string]any) { m["iss"] = "https://evil.example" }},
		{"wrong nonce", func(m map[string]any) { m["nonce"] = "x" }},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			orig := p.Claims
			p.Claims = func(n string) map[string]any { m := orig(n); tc.change(m); return m }
			defer func() { p.Claims = orig }()
			u, f := c.Start("/")
			q := oidctest.Authorize(t, u)
			if _, err := c.Finish(ctx, f, q.Get("state"), q.Get("code")); !errors.Is(err, errs.ErrUnauthenticated) {
				t.Errorf("got %v", err)
			}
		})
	}
	t.Run("forged signature", func(t *testing.T) {
		other, _ := rsa.GenerateKey(rand.Reader, 2048)
		forger := &oidctest.Provider{Key: other, Kid: p.Kid}
		if _, err := c.Verify(ctx, forger.Sign(p.Claims(""))); !errors.Is(err, errs.ErrUnauthenticated) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("ES256", func(t *testing.T) {
		p.Alg = "ES256"
		defer func() { p.Alg = "" }()
		u, f := c.Start("/account")
		q := oidctest.Authorize(t, u)
		cl, err := c.Finish(ctx, f, q.Get("state"), q.Get("code"))
		if err != nil || cl.Subject != "user-1" {
			t.Fatalf("ES256 token: %+v %v", cl, err)
		}
	})
	t.Run("HS256 with the public key as secret", func(t *testing.T) {
		tok := p.Sign(p.Claims(""))
		parts := strings.Split(tok, ".")
		parts[0] = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","kid":"k1"}`))
		if _, err := c.Verify(ctx, parts[0]+"."+parts[1]+"."+parts[2]); !errors.Is(err, errs.ErrUnauthenticated) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("alg none", func(t *testing.T) {
		tok := p.Sign(p.Claims(""))
		parts := strings.Split(tok, ".")
		parts[0] = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"k1"}`))
		if _, err := c.Verify(ctx, parts[0]+"."+parts[1]+"."); !errors.Is(err, errs.ErrUnauthenticated) {
			t.Errorf("got %v", err)
		}
	})
}

// TestKeyRotation: a rotated key is fetched once when a token names it, and
// tokens signed with unknown keys cannot make the client fetch the key set
// more than once per KeyRefresh.
func TestKeyRotation(t *testing.T) {
	ctx := context.Background()
	p := oidctest.NewProvider(t)
	now := time.Now()
	c, err := Discover(ctx, Config{Issuer: p.URL, ClientID: "ccg", RedirectURL: "https://ccg.test/auth/oidc/callback",
		KeyRefresh: time.Minute, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	claims := func() map[string]any {
		m := p.Claims("n")
		m["exp"] = now.Add(time.Hour).Unix()
		m["iat"] = now.Unix()
		return m
	}
	if _, err := c.Verify(ctx, p.Sign(claims())); err != nil {
		t.Fatal(err)
	}
	if c.Fetches() != 1 {
		t.Fatalf("%d fetches for the first token, want 1", c.Fetches())
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	forger := &oidctest.Provider{Key: other, Kid: "nope"}
	for i := 0; i < 20; i++ {
		if _, err := c.Verify(ctx, forger.Sign(claims())); !errors.Is(err, errs.ErrUnauthenticated) {
			t.Fatalf("forged token: %v", err)
		}
	}
	if c.Fetches() > 2 {
		t.Fatalf("20 tokens with an unknown key made %d fetches of the key set", c.Fetches())
	}
	now = now.Add(2 * time.Minute)
	p.Rotate(t)
	if _, err := c.Verify(ctx, p.Sign(claims())); err != nil {
		t.Fatalf("token with the rotated key: %v", err)
	}
}
