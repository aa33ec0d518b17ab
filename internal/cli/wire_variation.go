package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"

	"ccg/internal/analytics/duckdb"
	"ccg/internal/errs"
	"ccg/internal/formats/prescribing"
	"ccg/internal/formats/referrals"
	"ccg/internal/importing"
	"ccg/internal/variation"
)

// wireVariation opens the analytics store (Parquet files in the analytics
// folder of the data folder, published through the catalog in the SQL
// store, whatever its engine) and builds the variation service over it and
// the registry (a.variation). Any number of processes may open it at once:
// imports write new files and publish them with their run; readers follow
// the catalog.
//
// A data folder still holding analytics.duckdb (the layout of an older
// ccg, which this one does not read) leaves the command without the
// variation capability, with the reason: commands that do not need it
// (user, token, migrate, imports of other kinds) still work.
func (a *app) wireVariation(ctx context.Context) error {
	if _, err := os.Stat(a.cfg.LegacyAnalyticsPath()); err == nil {
		reason := fmt.Errorf("the data folder holds %s, the analytics database of an older ccg (analytics layout 0), which this ccg does not read: "+
			"it now keeps analytics as Parquet files in %s, published with each import. Move analytics.duckdb out of the data folder and import the prescribing, referral and measure files again "+
			"(the registry, people and everything else are kept): %w",
			a.cfg.LegacyAnalyticsPath(), a.cfg.AnalyticsDir(), errs.ErrConflict)
		analyticsUnavailable.Store(a, reason)
		slog.Warn("prescribing and referral measures are unavailable", "reason", reason)
		return nil
	}
	an, err := duckdb.OpenCatalog(ctx, a.cfg.AnalyticsDir(), a.sql, duckdb.Options{})
	if err != nil {
		return fmt.Errorf("wire variation: %w", err)
	}
	a.closers = append(a.closers, an.Close)
	// Membership is cached until an import is recorded (pages would
	// otherwise read the whole registry membership on every view).
	reg := variation.NewCachedRegistry(variation.NewRegistryPort(a.registry), a.sql.ImportsStamp)
	a.variation = variation.NewService(a.withOpenPrescribingSQL(an, reg), reg)
	a.variation.SetReferenceStore(a.sql)
	return nil
}

// variationHandlers returns the import handlers of the variation capability:
// prescribing (EPD and PDPI), referrals and measure definitions.
func (a *app) variationHandlers() []importing.Handler {
	// Without a service (ccg help import lists the kinds without opening
	// the stores) the handlers only name and describe themselves.
	var an *duckdb.Store
	if a.variation != nil {
		an = analyticsStore(a.variation.Analytics())
	}
	hs := []importing.Handler{
		prescribing.NewHandler(an, a.registry, a.variation),
		referrals.NewHandler(an, a.registry, a.variation),
		referrals.NewRatesHandler(a.referenceStore(), a.variation),
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

// referenceStore is the store of referral reference tables (the SQL store;
// nil while the app has none, as when help lists the kinds).
func (a *app) referenceStore() variation.ReferenceStore {
	if a.sql == nil {
		return nil
	}
	return a.sql
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
