// Package oidc is ccg's OpenID Connect relying party, built on the
// libraries made for it: github.com/coreos/go-oidc/v3 (discovery, ID-token
// verification) and golang.org/x/oauth2 (the authorisation-code flow with
// PKCE, S256). It accepts ID tokens signed with RS256 or ES256, caches the
// provider's key set and fetches it again, at most once a minute, when a
// token names a key it does not hold (keys rotate). It lets a CCG plug in
// its NHS identity provider.
package oidc

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"ccg/internal/errs"
)

// SigningAlgs are the ID-token signature algorithms accepted.
var SigningAlgs = []string{gooidc.RS256, gooidc.ES256}

// Config configures a Client.
type Config struct {
	Issuer       string // the provider's issuer URL (discovery is at Issuer + "/.well-known/openid-configuration")
	ClientID     string
	ClientSecret string
	RedirectURL  string   // this site's callback, e.g. https://ccg.example/auth/oidc/callback
	Scopes       []string // default: openid email profile
	// HTTPClient is used for every call to the provider (default: 10 s timeout).
	HTTPClient *http.Client
	// Now returns the time (default time.Now), for tests.
	Now func() time.Time
	// KeyRefresh is the shortest time between two fetches of the
	// provider's key set (default a minute): a token naming an unknown key
	// cannot make ccg hammer the provider.
	KeyRefresh time.Duration
}

// Client talks to one provider.
type Client struct {
	cfg      Config
	issuer   string
	oauth    oauth2.Config
	keys     *keySet
	verifier *gooidc.IDTokenVerifier
}

// Claims are what a verified ID token says about the person.
type Claims struct {
	Issuer        string `json:"iss"`
	Subject       string `json:"sub"`
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified"`
	Name          string `json:"name"`
	Nonce         string `json:"nonce"`
}

// Discover fetches the provider's configuration and returns a Client.
func Discover(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, fmt.Errorf("oidc: issuer, client ID and redirect URL are required: %w", errs.ErrInvalid)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.KeyRefresh <= 0 {
		cfg.KeyRefresh = time.Minute
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{gooidc.ScopeOpenID, "email", "profile"}
	}
	p, err := gooidc.NewProvider(gooidc.ClientContext(ctx, cfg.HTTPClient), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: discovery: %w", err)
	}
	var meta struct {
		JWKSURL string `json:"jwks_uri"`
	}
	if err := p.Claims(&meta); err != nil || meta.JWKSURL == "" || p.Endpoint().AuthURL == "" || p.Endpoint().TokenURL == "" {
		return nil, fmt.Errorf("oidc: discovery: endpoints missing: %w", errs.ErrInvalid)
	}
	c := &Client{cfg: cfg, issuer: cfg.Issuer,
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: p.Endpoint(),
			RedirectURL: cfg.RedirectURL, Scopes: cfg.Scopes},
		keys: &keySet{url: meta.JWKSURL, client: cfg.HTTPClient, every: cfg.KeyRefresh, now: cfg.Now},
	}
	c.verifier = gooidc.NewVerifier(cfg.Issuer, c.keys, &gooidc.Config{ClientID: cfg.ClientID,
		SupportedSigningAlgs: SigningAlgs, Now: cfg.Now})
	return c, nil
}

// Flow is the per-sign-in state the caller keeps (in a short-lived cookie)
// between sending the browser away and the callback.
type Flow struct {
	State    string `json:"state"`
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"`
	Next     string `json:"next"`
}

func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Start begins a sign-in: it returns the provider URL to send the browser to
// and the Flow to keep until the callback.
func (c *Client) Start(next string) (string, Flow) {
	f := Flow{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier(), Next: next}
	return c.oauth.AuthCodeURL(f.State, gooidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), f
}

// Finish completes a sign-in from the callback's state and code: it checks
// the state, exchanges the code (with the PKCE verifier) and verifies the
// ID token and its nonce. Every failure wraps errs.ErrUnauthenticated.
func (c *Client) Finish(ctx context.Context, f Flow, state, code string) (Claims, error) {
	if f.State == "" || subtle.ConstantTimeCompare([]byte(state), []byte(f.State)) != 1 {
		return Claims{}, fmt.Errorf("oidc: state does not match: %w", errs.ErrUnauthenticated)
	}
	tok, err := c.oauth.Exchange(gooidc.ClientContext(ctx, c.cfg.HTTPClient), code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return Claims{}, fmt.Errorf("oidc: token exchange failed: %v: %w", err, errs.ErrUnauthenticated)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Claims{}, fmt.Errorf("oidc: the token response has no ID token: %w", errs.ErrUnauthenticated)
	}
	cl, err := c.Verify(ctx, raw)
	if err != nil {
		return Claims{}, err
	}
	if subtle.ConstantTimeCompare([]byte(cl.Nonce), []byte(f.Nonce)) != 1 {
		return Claims{}, fmt.Errorf("oidc: nonce does not match: %w", errs.ErrUnauthenticated)
	}
	return cl, nil
}

// Verify checks an ID token: its signature (RS256 or ES256) against the
// provider's keys, and its issuer, audience, authorised party, expiry and
// issue time.
func (c *Client) Verify(ctx context.Context, token string) (Claims, error) {
	fail := func(why string, err error) (Claims, error) {
		if err != nil {
			why += ": " + err.Error()
		}
		return Claims{}, fmt.Errorf("oidc: ID token %s: %w", why, errs.ErrUnauthenticated)
	}
	idt, err := c.verifier.Verify(ctx, token)
	if err != nil {
		return fail("is not valid", err)
	}
	var raw struct {
		Claims
		Azp string `json:"azp"`
	}
	if err := idt.Claims(&raw); err != nil {
		return fail("claims are unreadable", err)
	}
	now := c.cfg.Now()
	switch {
	case len(idt.Audience) > 1 && raw.Azp != c.cfg.ClientID:
		return fail("has the wrong authorised party", nil)
	case !slices.Contains(idt.Audience, c.cfg.ClientID):
		return fail("is not for this client", nil)
	case idt.IssuedAt.After(now.Add(5 * time.Minute)):
		return fail("was issued in the future", nil)
	case idt.Subject == "":
		return fail("has no subject", nil)
	}
	raw.Claims.Issuer, raw.Claims.Subject = idt.Issuer, idt.Subject
	return raw.Claims, nil
}

// Issuer returns the provider's issuer URL.
func (c *Client) Issuer() string { return c.issuer }

// keySet is the provider's signing keys (a go-oidc KeySet): cached, and
// fetched again when no cached key verifies a token, but not more often
// than every.
type keySet struct {
	url    string
	client *http.Client
	every  time.Duration
	now    func() time.Time

	mu      sync.Mutex
	keys    *gooidc.StaticKeySet
	fetched time.Time
	fetches int
}

// errNoKey says that no key of the provider's set verifies the token.
var errNoKey = errors.New("no key of the provider's key set verifies it")

// VerifySignature implements gooidc.KeySet.
func (k *keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys != nil {
		if payload, err := k.keys.VerifySignature(ctx, jwt); err == nil {
			return payload, nil
		}
		if k.now().Sub(k.fetched) < k.every {
			return nil, errNoKey // fetched moments ago: a rotation would already show
		}
	}
	if err := k.fetch(ctx); err != nil {
		return nil, err
	}
	payload, err := k.keys.VerifySignature(ctx, jwt)
	if err != nil {
		return nil, errNoKey
	}
	return payload, nil
}

// fetch reads the provider's key set, keeping its signing keys.
func (k *keySet) fetch(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return fmt.Errorf("key set: %w", err)
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return fmt.Errorf("key set: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("key set: GET %s: %s", k.url, resp.Status)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return fmt.Errorf("key set: %w", err)
	}
	ks := &gooidc.StaticKeySet{}
	for _, j := range set.Keys {
		if (j.Use != "" && j.Use != "sig") || !j.Valid() || !j.IsPublic() {
			continue
		}
		ks.PublicKeys = append(ks.PublicKeys, j.Key)
	}
	k.keys, k.fetched = ks, k.now()
	k.fetches++
	if len(ks.PublicKeys) == 0 {
		return fmt.Errorf("key set: %s holds no signing key", strings.TrimSpace(k.url))
	}
	return nil
}

// Fetches returns how many times the key set was fetched, for tests.
func (c *Client) Fetches() int {
	c.keys.mu.Lock()
	defer c.keys.mu.Unlock()
	return c.keys.fetches
}
