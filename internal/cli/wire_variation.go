package cli

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"ccg/internal/analytics/duckdb"
	"ccg/internal/errs"
	"ccg/internal/formats/prescribing"
	"ccg/internal/formats/referrals"
	"ccg/internal/importing"
	"ccg/internal/variation"
)

// wireVariation opens the DuckDB analytics store (analytics.duckdb in the
// data folder, beside the SQL store whatever its engine) and builds the
// variation service over it and the registry (a.variation).
//
// DuckDB lets one process at a time open the file for writing. When another
// ccg (a running `ccg serve` or `ccg demo`) holds it, the command goes on
// without the variation capability, so that commands which do not need it
// (user, token, migrate, imports of other kinds) still work; the variation
// import kinds then fail with the reason.
func (a *app) wireVariation(ctx context.Context) error {
	an, err := duckdb.Open(ctx, a.cfg.AnalyticsPath())
	if err != nil {
		if strings.Contains(err.Error(), "Could not set lock") {
			reason := fmt.Errorf("the analytics database %s is in use by another ccg process (stop `ccg serve` or `ccg demo` first): %w",
				a.cfg.AnalyticsPath(), errs.ErrConflict)
			analyticsUnavailable.Store(a, reason)
			slog.Debug("prescribing and referral measures are unavailable to this command", "reason", reason)
			return nil
		}
		return fmt.Errorf("wire variation: %w", err)
	}
	a.closers = append(a.closers, an.Close)
	a.variation = variation.NewService(an, variation.NewRegistryPort(a.registry))
	return nil
}

// variationHandlers returns the import handlers of the variation capability:
// prescribing (EPD and PDPI), referrals and measure definitions.
func (a *app) variationHandlers() []importing.Handler {
	// Without a service (ccg help import lists the kinds without opening
	// the stores) the handlers only name and describe themselves.
	var an *duckdb.Store
	if a.variation != nil {
		an, _ = a.variation.Analytics().(*duckdb.Store)
	}
	hs := []importing.Handler{
		prescribing.NewHandler(an, a.registry, a.variation),
		referrals.NewHandler(an, a.registry, a.variation),
		variation.NewMeasuresHandler(a.variation),
	}
	if reason, ok := analyticsUnavailable.Load(a); ok {
		for i, h := range hs {
			hs[i] = unavailableHandler{Handler: h, err: reason.(error)}
		}
	} else if a.mail != nil {
		hs[0] = alertingImport{Handler: hs[0], a: a} // prescribing: alerts once a month is published
	}
	return hs
}

// analyticsUnavailable records, by app, why the analytics store could not
// be opened (the app struct is shared with the other capabilities).
var analyticsUnavailable sync.Map

// unavailableHandler is an import kind that cannot run in this process.
type unavailableHandler struct {
	importing.Handler
	err error
}

// Load implements importing.Handler: it fails with the reason.
func (h unavailableHandler) Load(context.Context, *importing.Source, *importing.Recorder) error {
	return fmt.Errorf("%s: %w", h.Kind(), h.err)
}
