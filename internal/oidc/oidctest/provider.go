// Package oidctest is a small OpenID Connect provider for tests: discovery,
// JWKS, an authorisation endpoint that approves at once and a token endpoint
// that checks PKCE. It lets the oidc client and the web sign-in be tested
// against a real HTTP provider instead of a mock.
package oidctest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// Provider is a small in-test OpenID provider: discovery, JWKS (an RSA
// and a P-256 key), an authorisation endpoint that approves at once, and a
// token endpoint that checks PKCE. Tests change Claims to mint bad tokens,
// and Alg to sign with ES256 instead of RS256.
type Provider struct {
	*httptest.Server
	Key    *rsa.PrivateKey
	Kid    string
	EC     *ecdsa.PrivateKey
	ECKid  string
	Alg    string // "RS256" (the default) or "ES256"
	Claims func(nonce string) map[string]any
	mu     sync.Mutex
	codes  map[string][2]string // code -> challenge, nonce
	// JWKSFetches counts the requests for the key set.
	JWKSFetches int
}

// NewProvider starts a provider for the test; it stops when the test ends.
func NewProvider(t testing.TB) *Provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{Key: key, Kid: "k1", EC: ec, ECKid: "e1", codes: map[string][2]string{}}
	mux := http.NewServeMux()
	p.Server = httptest.NewServer(mux)
	p.Claims = func(nonce string) map[string]any {
		return map[string]any{"iss": p.URL, "sub": "user-1", "aud": "ccg", "exp": time.Now().Add(time.Hour).Unix(),
			"iat": time.Now().Unix(), "nonce": nonce, "email": "gp@example.nhs.uk", "email_verified": true, "name": "Dr GP"}
	}
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": p.URL, "authorization_endpoint": p.URL + "/authorize",
			"token_endpoint": p.URL + "/token", "jwks_uri": p.URL + "/jwks", "id_token_signing_alg_values_supported": []string{"RS256", "ES256"}})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.JWKSFetches++
		rk, rkid, ek, ekid := p.Key, p.Kid, p.EC, p.ECKid
		p.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{
			{"kty": "RSA", "kid": rkid, "use": "sig", "alg": "RS256",
				"n": base64.RawURLEncoding.EncodeToString(rk.N.Bytes()),
				"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(rk.E)).Bytes())},
			{"kty": "EC", "kid": ekid, "use": "sig", "alg": "ES256", "crv": "P-256",
				"x": base64.RawURLEncoding.EncodeToString(ek.PublicKey.X.FillBytes(make([]byte, 32))),
				"y": base64.RawURLEncoding.EncodeToString(ek.PublicKey.Y.FillBytes(make([]byte, 32)))},
		}})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("code_challenge_method") != "S256" || q.Get("response_type") != "code" {
			http.Error(w, "bad request", 400)
			return
		}
		code := "code-" + q.Get("state")[:8]
		p.mu.Lock()
		p.codes[code] = [2]string{q.Get("code_challenge"), q.Get("nonce")}
		p.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?code="+code+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		r.ParseForm()
		p.mu.Lock()
		c, ok := p.codes[r.PostForm.Get("code")]
		delete(p.codes, r.PostForm.Get("code"))
		p.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != c[0] {
			w.WriteHeader(400)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant"})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"id_token": p.Sign(p.Claims(c[1])), "access_token": "at-" + r.PostForm.Get("code"), "token_type": "Bearer", "expires_in": 3600})
	})
	t.Cleanup(p.Close)
	return p
}

// Sign makes a JWT of claims with the provider's key for Alg (RS256 unless
// Alg is "ES256").
func (p *Provider) Sign(claims map[string]any) string {
	alg, kid := "RS256", p.Kid
	if p.Alg == "ES256" {
		alg, kid = "ES256", p.ECKid
	}
	h, _ := json.Marshal(map[string]string{"alg": alg, "kid": kid, "typ": "JWT"})
	c, _ := json.Marshal(claims)
	in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	sum := sha256.Sum256([]byte(in))
	var sig []byte
	if alg == "ES256" {
		r, s, _ := ecdsa.Sign(rand.Reader, p.EC, sum[:])
		sig = append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	} else {
		sig, _ = rsa.SignPKCS1v15(rand.Reader, p.Key, crypto.SHA256, sum[:])
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// Rotate replaces the provider's RSA key (keeping its key ID new), as a
// provider rotating its keys does.
func (p *Provider) Rotate(t testing.TB) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.Key, p.Kid = key, p.Kid+"r"
	p.mu.Unlock()
}

// Authorize follows the provider's redirect for authURL (what
// oidc.Client.Start returned) and returns the query the provider sends back
// to the callback: code and state.
func Authorize(t testing.TB, authURL string) url.Values {
	t.Helper()
	cl := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := cl.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %v %v", resp.Status, err)
	}
	return u.Query()
}
