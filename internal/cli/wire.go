package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"

	"ccg/internal/access"
	"ccg/internal/engagement"
	"ccg/internal/finance"
	"ccg/internal/formats/listsize"
	"ccg/internal/formats/localities"
	"ccg/internal/formats/ods"
	"ccg/internal/governance"
	"ccg/internal/importing"
	"ccg/internal/mail"
	"ccg/internal/oidc"
	"ccg/internal/registry"
	"ccg/internal/smtp"
	"ccg/internal/store/postgres"
	"ccg/internal/store/sqlite"
	"ccg/internal/store/sqlstore"
	"ccg/internal/variation"
)

// app is ccg wired together: the concrete stores and the services over them.
// It is built here and nowhere else.
type app struct {
	cfg      Config
	sql      *sqlstore.Store
	registry *registry.Service
	imports  *importing.Service
	access   *access.Service
	oidc     *oidc.Client
	// The capabilities over the registry, each wired in its own
	// wire_<domain>.go; nil until wired.
	variation  *variation.Service
	governance *governance.Service
	engagement *engagement.Service
	finance    *finance.Service
	// mail queues e-mail in the outbox; mailSender delivers it (nil
	// without --smtp-url).
	mail       *mail.Service
	mailSender *smtp.Sender
	// listener, when set, is where serveHTTP serves (the demo opens it
	// early so that its e-mails link to the real port).
	listener net.Listener
	closers  []func() error
}

// openMode says what to do about pending migrations when opening.
type openMode int

const (
	// requireMigrated refuses to start when migrations are pending.
	requireMigrated openMode = iota
	// applyMigrations applies pending migrations first.
	applyMigrations
)

// openApp opens the stores the configuration names and wires the services.
func openApp(ctx context.Context, cfg Config, mode openMode) (*app, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("open: data folder: %w", err)
	}
	var (
		st  *sqlstore.Store
		err error
	)
	switch cfg.Engine() {
	case "postgres":
		st, err = postgres.Open(ctx, cfg.DB)
	default:
		st, err = sqlite.Open(ctx, cfg.SQLitePath())
	}
	if err != nil {
		return nil, fmt.Errorf("open %s store: %w", cfg.Engine(), err)
	}
	a := &app{cfg: cfg, sql: st}
	a.closers = append(a.closers, st.Close)
	switch mode {
	case applyMigrations:
		if _, err := st.Migrate(ctx); err != nil {
			a.Close()
			return nil, fmt.Errorf("open: migrate: %w", err)
		}
	default:
		if err := st.CheckMigrated(ctx); err != nil {
			a.Close()
			return nil, fmt.Errorf("open: %w", err)
		}
	}
	a.registry = registry.NewService(st)
	a.access = access.NewService(st, registryLocalities{a.registry})
	key, err := cfg.auditKey()
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("open: %w", err)
	}
	a.access.SetAuditKey(key)
	if err := a.access.SealAudit(ctx); err != nil {
		a.Close()
		return nil, fmt.Errorf("open: %w", err)
	}
	// Order matters: engagement links to governance decisions, finance reads
	// prescribing costs from the analytics store.
	for _, wire := range []func(context.Context) error{a.wireMail, a.wireVariation, a.wireGovernance, a.wireEngagement, a.wireFinance} {
		if err := wire(ctx); err != nil {
			a.Close()
			return nil, fmt.Errorf("open: %w", err)
		}
	}
	a.imports = importing.NewService(st, a.importHandlers()...)
	a.imports.SetAuditor(importAuditor{a.access})
	return a, nil
}

// importAuditor writes each import run to the access package's audit log,
// as the person the context carries.
type importAuditor struct{ access *access.Service }

// Record implements importing.Auditor.
func (x importAuditor) Record(ctx context.Context, action, subject, detail string) error {
	return x.access.Record(ctx, access.ActorFrom(ctx), action, subject, detail)
}

// importHandlers returns a handler for every kind of file ccg imports.
func (a *app) importHandlers() []importing.Handler {
	hs := []importing.Handler{
		ods.NewPractices(a.registry),
		ods.NewCommissioners(a.registry),
		ods.NewRegions(a.registry),
		ods.NewSuccessions(a.registry),
		listsize.NewHandler(a.registry),
		localities.NewHandler(a.registry),
		access.NewStaffImport(a.access),
	}
	hs = append(hs, a.variationHandlers()...)
	hs = append(hs, a.opcompatHandlers()...)
	hs = append(hs, a.governanceHandlers()...)
	hs = append(hs, a.engagementHandlers()...)
	hs = append(hs, a.financeHandlers()...)
	return hs
}

// Close closes every store the app opened, newest first.
func (a *app) Close() error {
	var errList []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errList = append(errList, a.closers[i]())
	}
	return errors.Join(errList...)
}
