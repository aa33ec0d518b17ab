package cli

import (
	"ccg/internal/analytics/duckdb"
	"ccg/internal/analytics/opcompat"
	"ccg/internal/dmd"
	"ccg/internal/formats/bnfsnomed"
	dmdformat "ccg/internal/formats/dmd"
	"ccg/internal/formats/measureref"
	"ccg/internal/importing"
	"ccg/internal/variation"
)

// dmdStore returns the SQL store as the dm+d port, or nil when the app has
// no store (ccg help import).
func (a *app) dmdStore() dmd.Store {
	if a.sql == nil {
		return nil
	}
	return a.sql
}

// withOpenPrescribingSQL wraps the analytics store so that OpenPrescribing's
// query and custom measure definitions run (in the opcompat sandbox, over
// the dm+d, reference tables, list sizes and prescribing facts).
func (a *app) withOpenPrescribingSQL(an *duckdb.Store, reg variation.Registry) variation.Analytics {
	op := opcompat.New(an, opcompat.Sources{DMD: a.dmdStore(), Facts: an, Registry: reg})
	a.closers = append(a.closers, op.Close)
	return op
}

// analyticsStore returns the DuckDB store under the variation service's
// analytics port (nil when there is none).
func analyticsStore(an variation.Analytics) *duckdb.Store {
	for an != nil {
		if s, ok := an.(*duckdb.Store); ok {
			return s
		}
		u, ok := an.(interface{ Unwrap() variation.Analytics })
		if !ok {
			return nil
		}
		an = u.Unwrap()
	}
	return nil
}

// opcompatHandlers are the import kinds the OpenPrescribing measures need:
// the dm+d release, the BNF-SNOMED mapping and reference tables.
func (a *app) opcompatHandlers() []importing.Handler {
	st := a.dmdStore()
	return []importing.Handler{dmdformat.NewHandler(st), bnfsnomed.NewHandler(st), measureref.NewHandler(st)}
}
