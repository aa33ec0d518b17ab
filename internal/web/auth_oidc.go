package web

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"

	"ccg/internal/access"
	"ccg/internal/errs"
	"ccg/internal/oidc"
)

// oidcCookie keeps the state, nonce and PKCE verifier of a sign-in through
// the identity provider, for ten minutes.
const oidcCookie = "ccg_oidc"

func (s *Server) oidcLogin(w http.ResponseWriter, r *http.Request) error {
	if s.deps.OIDC == nil || s.deps.Access == nil {
		return notFound("Sign-in through an identity provider is not set up on this server.")
	}
	u, flow := s.deps.OIDC.Start(safeNext(r.URL.Query().Get("next")))
	b, _ := json.Marshal(flow)
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: "/auth/oidc/",
		MaxAge: 600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secureRequest(r)})
	http.Redirect(w, r, u, http.StatusFound)
	return nil
}

func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) error {
	if s.deps.OIDC == nil || s.deps.Access == nil {
		return notFound("Sign-in through an identity provider is not set up on this server.")
	}
	var flow oidc.Flow
	c, err := r.Cookie(oidcCookie)
	if err == nil {
		var b []byte
		if b, err = base64.RawURLEncoding.DecodeString(c.Value); err == nil {
			err = json.Unmarshal(b, &flow)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: "/auth/oidc/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secureRequest(r)})
	if err != nil {
		return invalid("The sign-in took too long or was started elsewhere. Try again from the sign-in page.")
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return invalid("The identity provider did not sign you in (%s).", e)
	}
	cl, err := s.deps.OIDC.Finish(r.Context(), flow, q.Get("state"), q.Get("code"))
	if err != nil {
		return err
	}
	p, err := s.deps.Access.SignInExternal(r.Context(), access.ExternalIdentity{Issuer: cl.Issuer, Subject: cl.Subject,
		Email: cl.Email, EmailVerified: cl.EmailVerified, Name: cl.Name}, access.ClientIP(r.Context()))
	if errors.Is(err, errs.ErrForbidden) {
		return statusError(http.StatusForbidden, "Your identity provider signed you in, but you are not allowed to sign in here. "+
			"Ask an administrator of this site to add you, using the email address your identity provider gives.")
	}
	if err != nil {
		return err
	}
	return s.startSession(w, r, p, "oidc", safeNext(flow.Next))
}
