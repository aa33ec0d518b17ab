package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"ccg/internal/oidc"
)

// oidcFlags configure sign-in through the CCG's identity provider.
type oidcFlags struct {
	issuer, clientID, clientSecret, redirectURL string
}

// bindOIDC adds --oidc-issuer, --oidc-client-id, --oidc-client-secret and
// --oidc-redirect-url (env CCG_OIDC_*) to fs.
func bindOIDC(fs *flag.FlagSet) *oidcFlags {
	o := &oidcFlags{}
	fs.StringVar(&o.issuer, "oidc-issuer", envOr("CCG_OIDC_ISSUER", ""), "OpenID Connect issuer URL; empty turns identity-provider sign-in off (env CCG_OIDC_ISSUER)")
	fs.StringVar(&o.clientID, "oidc-client-id", envOr("CCG_OIDC_CLIENT_ID", ""), "OpenID Connect client ID (env CCG_OIDC_CLIENT_ID)")
	fs.StringVar(&o.clientSecret, "oidc-client-secret", envOr("CCG_OIDC_CLIENT_SECRET", ""), "OpenID Connect client secret (env CCG_OIDC_CLIENT_SECRET)")
	fs.StringVar(&o.redirectURL, "oidc-redirect-url", envOr("CCG_OIDC_REDIRECT_URL", ""), "this site's callback, https://HOST/auth/oidc/callback (env CCG_OIDC_REDIRECT_URL)")
	return o
}

// setupOIDC discovers the identity provider when one is configured.
func (a *app) setupOIDC(ctx context.Context, o *oidcFlags) error {
	if o == nil || o.issuer == "" {
		return nil
	}
	if o.clientID == "" || o.redirectURL == "" || !strings.HasSuffix(o.redirectURL, "/auth/oidc/callback") {
		return fmt.Errorf("serve: --oidc-issuer needs --oidc-client-id and --oidc-redirect-url ending /auth/oidc/callback")
	}
	c, err := oidc.Discover(ctx, oidc.Config{Issuer: o.issuer, ClientID: o.clientID, ClientSecret: o.clientSecret, RedirectURL: o.redirectURL})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	a.oidc = c
	return nil
}
