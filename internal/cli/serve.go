package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"ccg/internal/analytics/duckdb"
	"ccg/internal/web"
)

func runServe(ctx context.Context, e *env, args []string) error {
	var cfg Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: ccg serve [--data DIR] [--db URL] [--addr HOST:PORT] [--smtp-url URL] [--public-url URL]\n\nServes the web pages and the API (/api/v1/) until interrupted, delivers the e-mail outbox when --smtp-url names a mail server, and removes analytics files no import published every --gc-every.")
		fs.PrintDefaults()
	}
	cfg.bindStore(fs)
	cfg.bindAddr(fs)
	cfg.bindMail(fs)
	fs.DurationVar(&cfg.GCEvery, "gc-every", defaultGCEvery, "remove unpublished and long-replaced analytics files this often, as `ccg gc` does (0: never)")
	oc := bindOIDC(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.Validate(true); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, requireMigrated)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.setupOIDC(ctx, oc); err != nil {
		return err
	}
	return serveHTTP(ctx, e, a, func(url string) {
		fmt.Fprintf(e.stdout, "ccg is serving at %s (press Ctrl+C to stop)\n", url)
	})
}

// serveHTTP serves a's web pages on a.cfg.Addr until ctx is done, calling
// ready with the base URL once it is listening.
func serveHTTP(ctx context.Context, e *env, a *app, ready func(url string)) error {
	srv, err := web.New(a.webDeps(e))
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ln := a.listener
	if ln == nil {
		if ln, err = net.Listen("tcp", a.cfg.Addr); err != nil {
			return fmt.Errorf("serve: %w", err)
		}
	}
	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	a.startMailWorker(workCtx, e.log)
	a.startReminders(workCtx, e.log, 15*time.Minute)
	a.startGC(workCtx, e.log, a.cfg.GCEvery, duckdb.DefaultGrace)
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	ready("http://" + ln.Addr().String() + "/")
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	e.log.Info("stopped serving")
	return nil
}

// webDeps gives the web adapter the services it needs.
func (a *app) webDeps(e *env) web.Deps {
	proxies, _ := a.cfg.Proxies() // checked by Config.Validate
	return web.Deps{
		TrustedProxies: proxies,
		Registry:       a.registry,
		Imports:        a.imports,
		Access:         a.access,
		OIDC:           a.oidc,
		Logger:         e.log,
		Version:        Version,

		Variation:  a.variation,
		Governance: a.governance,
		Engagement: a.engagement,
		Finance:    a.finance,
		Mail:       a.mail,
		Surveys:    web.SurveyMail{Invitees: memberInvitees{a}, Mailer: surveyMailer{a}},
	}
}
