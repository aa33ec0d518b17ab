package cli

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"ccg/internal/access"
	"ccg/internal/analytics/duckdb"
	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/finance"
	"ccg/internal/formats/ledger"
	"ccg/internal/importing"
)

// wireFinance builds the finance service over the opened stores (a.finance):
// the SQL store, the registry's populations, the prescribing costs of the
// analytics store the variation capability opened (when it did), and the
// access package's audit log.
func (a *app) wireFinance(ctx context.Context) error {
	a.finance = finance.NewService(a.sql, finance.RegistryPopulation{Reg: a.registry}, newAnalyticsCosts(a.prescribingAnalytics), financeAuditor{a.access})
	return nil
}

// prescribingAnalytics returns the DuckDB analytics store the variation
// capability wired, or nil when there is none.
func (a *app) prescribingAnalytics() *duckdb.Store {
	if a.variation == nil {
		return nil
	}
	return analyticsStore(a.variation.Analytics())
}

// financeHandlers returns the import handlers of the finance capability.
func (a *app) financeHandlers() []importing.Handler {
	return []importing.Handler{ledger.NewHandler(a.sql)}
}

// financeAuditor writes finance changes to the access package's
// hash-chained audit log, as the person the context carries.
type financeAuditor struct{ access *access.Service }

// Record implements finance.Auditor.
func (x financeAuditor) Record(ctx context.Context, action, subject, detail string) error {
	return x.access.Record(ctx, access.ActorFrom(ctx), action, subject, detail)
}

// analyticsCosts gives practices' actual prescribing costs from the
// analytics store, looked up when asked (the variation capability may wire
// it after finance is built). A month's costs for every practice are read
// in one query and kept for costTTL, so that a page of practice budgets
// (practices × months) asks DuckDB once a month rather than once a
// practice-month; figures are at most costTTL stale after an import.
type analyticsCosts struct {
	store func() *duckdb.Store
	cache *costCache
}

// costTTL is how long a month's costs are kept.
const costTTL = 5 * time.Second

type costCache struct {
	mu     sync.Mutex
	months map[calendar.Month]cachedCosts
}

type cachedCosts struct {
	at    time.Time
	costs map[string]int64
	err   error
}

func newAnalyticsCosts(store func() *duckdb.Store) analyticsCosts {
	return analyticsCosts{store: store, cache: &costCache{months: map[calendar.Month]cachedCosts{}}}
}

// ActualCost implements finance.PrescribingCosts: a month without
// prescribing data (or no analytics store) wraps errs.ErrNotFound; a
// practice with none in a month that has data costs 0.
func (x analyticsCosts) ActualCost(ctx context.Context, practice string, month calendar.Month) (finance.Money, error) {
	st := x.store()
	if st == nil {
		return 0, fmt.Errorf("prescribing cost of %s in %s: no prescribing analytics are connected: %w", practice, month, errs.ErrNotFound)
	}
	if x.cache == nil {
		p, err := st.ActualCost(ctx, practice, month)
		return finance.Money(p), err
	}
	x.cache.mu.Lock()
	c, ok := x.cache.months[month]
	x.cache.mu.Unlock()
	if !ok || time.Since(c.at) > costTTL {
		costs, err := st.ActualCosts(ctx, month)
		if err != nil && !errors.Is(err, errs.ErrNotFound) {
			return 0, err
		}
		c = cachedCosts{at: time.Now(), costs: costs, err: err}
		x.cache.mu.Lock()
		x.cache.months[month] = c
		x.cache.mu.Unlock()
	}
	if c.err != nil {
		return 0, fmt.Errorf("prescribing cost of %s: %w", practice, c.err)
	}
	return finance.Money(c.costs[practice]), nil
}
