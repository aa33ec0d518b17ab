// Package oidc is a small OpenID Connect relying party: discovery, the
// authorisation-code flow with PKCE (S256), and ID-token verification
// (RS256 against the provider's JWKS), using only the standard library. It
// lets a CCG plug in its NHS identity provider.
package oidc

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"ccg/internal/errs"
)

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
}

// Client talks to one provider.
type Client struct {
	cfg  Config
	meta struct {
		Issuer   string `json:"issuer"`
		AuthURL  string `json:"authorization_endpoint"`
		TokenURL string `json:"token_endpoint"`
		JWKSURL  string `json:"jwks_uri"`
	}
	mu   sync.Mutex
	keys map[string]*rsa.PublicKey
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
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{"openid", "email", "profile"}
	}
	c := &Client{cfg: cfg}
	if err := c.getJSON(ctx, strings.TrimSuffix(cfg.Issuer, "/")+"/.well-known/openid-configuration", &c.meta); err != nil {
		return nil, fmt.Errorf("oidc: discovery: %w", err)
	}
	if c.meta.Issuer != cfg.Issuer {
		return nil, fmt.Errorf("oidc: discovery: issuer %q does not match the configured %q: %w", c.meta.Issuer, cfg.Issuer, errs.ErrInvalid)
	}
	if c.meta.AuthURL == "" || c.meta.TokenURL == "" || c.meta.JWKSURL == "" {
		return nil, fmt.Errorf("oidc: discovery: endpoints missing: %w", errs.ErrInvalid)
	}
	return c, nil
}

func (c *Client) getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v)
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
	f := Flow{State: random(), Nonce: random(), Verifier: random(), Next: next}
	sum := sha256.Sum256([]byte(f.Verifier))
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {c.cfg.ClientID},
		"redirect_uri":          {c.cfg.RedirectURL},
		"scope":                 {strings.Join(c.cfg.Scopes, " ")},
		"state":                 {f.State},
		"nonce":                 {f.Nonce},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}
	sep := "?"
	if strings.Contains(c.meta.AuthURL, "?") {
		sep = "&"
	}
	return c.meta.AuthURL + sep + q.Encode(), f
}

// Finish completes a sign-in from the callback's state and code: it checks
// the state, exchanges the code (with the PKCE verifier) and verifies the
// ID token. Every failure wraps errs.ErrUnauthenticated.
func (c *Client) Finish(ctx context.Context, f Flow, state, code string) (Claims, error) {
	if f.State == "" || subtle.ConstantTimeCompare([]byte(state), []byte(f.State)) != 1 {
		return Claims{}, fmt.Errorf("oidc: state does not match: %w", errs.ErrUnauthenticated)
	}
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {c.cfg.RedirectURL},
		"client_id":     {c.cfg.ClientID},
		"code_verifier": {f.Verifier},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.meta.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return Claims{}, fmt.Errorf("oidc: token: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if c.cfg.ClientSecret != "" {
		req.SetBasicAuth(url.QueryEscape(c.cfg.ClientID), url.QueryEscape(c.cfg.ClientSecret))
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return Claims{}, fmt.Errorf("oidc: token: %w", err)
	}
	defer resp.Body.Close()
	var tr struct {
		IDToken string `json:"id_token"`
		Error   string `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&tr); err != nil || resp.StatusCode != http.StatusOK || tr.IDToken == "" {
		return Claims{}, fmt.Errorf("oidc: token exchange failed (%s %s): %w", resp.Status, tr.Error, errs.ErrUnauthenticated)
	}
	cl, err := c.Verify(ctx, tr.IDToken)
	if err != nil {
		return Claims{}, err
	}
	if subtle.ConstantTimeCompare([]byte(cl.Nonce), []byte(f.Nonce)) != 1 {
		return Claims{}, fmt.Errorf("oidc: nonce does not match: %w", errs.ErrUnauthenticated)
	}
	return cl, nil
}

// Verify checks an ID token's RS256 signature against the provider's keys,
// and its issuer, audience, expiry and issue time.
func (c *Client) Verify(ctx context.Context, token string) (Claims, error) {
	fail := func(why string) (Claims, error) {
		return Claims{}, fmt.Errorf("oidc: ID token %s: %w", why, errs.ErrUnauthenticated)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return fail("is not a JWT")
	}
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := decodeSegment(parts[0], &hdr); err != nil {
		return fail("header is unreadable")
	}
	if hdr.Alg != "RS256" {
		return fail("uses algorithm " + hdr.Alg + ", not RS256")
	}
	key, err := c.key(ctx, hdr.Kid)
	if err != nil {
		return fail("key: " + err.Error())
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return fail("signature is unreadable")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig); err != nil {
		return fail("signature is not valid")
	}
	var raw struct {
		Claims
		Aud json.RawMessage `json:"aud"`
		Azp string          `json:"azp"`
		Exp json.Number     `json:"exp"`
		Iat json.Number     `json:"iat"`
	}
	if err := decodeSegment(parts[1], &raw); err != nil {
		return fail("claims are unreadable")
	}
	var auds []string
	var one string
	if json.Unmarshal(raw.Aud, &one) == nil {
		auds = []string{one}
	} else if json.Unmarshal(raw.Aud, &auds) != nil {
		return fail("audience is unreadable")
	}
	now := c.cfg.Now()
	exp, err1 := raw.Exp.Int64()
	iat, err2 := raw.Iat.Int64()
	switch {
	case raw.Issuer != c.meta.Issuer:
		return fail("was issued by " + raw.Issuer)
	case !slices.Contains(auds, c.cfg.ClientID):
		return fail("is not for this client")
	case len(auds) > 1 && raw.Azp != c.cfg.ClientID:
		return fail("has the wrong authorised party")
	case err1 != nil || now.After(time.Unix(exp, 0).Add(time.Minute)):
		return fail("has expired")
	case err2 != nil || time.Unix(iat, 0).After(now.Add(5*time.Minute)):
		return fail("was issued in the future")
	case raw.Subject == "":
		return fail("has no subject")
	}
	return raw.Claims, nil
}

func decodeSegment(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return err
	}
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	return d.Decode(v)
}

// key returns the provider's key with this ID, fetching the JWKS again when
// the key is not known (keys rotate).
func (c *Client) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	c.mu.Lock()
	k, ok := c.keys[kid]
	c.mu.Unlock()
	if ok {
		return k, nil
	}
	var set struct {
		Keys []struct {
			Kty string `json:"kty"`
			Kid string `json:"kid"`
			Use string `json:"use"`
			N   string `json:"n"`
			E   string `json:"e"`
		} `json:"keys"`
	}
	if err := c.getJSON(ctx, c.meta.JWKSURL, &set); err != nil {
		return nil, err
	}
	keys := map[string]*rsa.PublicKey{}
	for _, j := range set.Keys {
		if j.Kty != "RSA" || (j.Use != "" && j.Use != "sig") {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(j.N)
		e, err2 := base64.RawURLEncoding.DecodeString(j.E)
		if err1 != nil || err2 != nil || len(e) > 4 || len(n) < 256 {
			continue
		}
		keys[j.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	c.mu.Lock()
	c.keys = keys
	c.mu.Unlock()
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	return nil, errors.New("no key " + kid + " in the provider's key set")
}

// Issuer returns the provider's issuer URL.
func (c *Client) Issuer() string { return c.meta.Issuer }
