package opcompat

import (
	"context"
	"fmt"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/variation"
)

// The wrapper passes on what the variation service asks of the store
// beyond the Analytics port.

type bandSource interface {
	ReferralBands(ctx context.Context, month calendar.Month, m variation.Measure) ([]variation.BandCount, error)
}

// ReferralBands passes referrals by sex and age band on from the wrapped
// store (for standardised referral rates).
func (a *Analytics) ReferralBands(ctx context.Context, month calendar.Month, m variation.Measure) ([]variation.BandCount, error) {
	src, ok := a.Analytics.(bandSource)
	if !ok {
		return nil, fmt.Errorf("opcompat: the analytics store cannot give referrals by band: %w", errs.ErrInvalid)
	}
	return src.ReferralBands(ctx, month, m)
}

// Generation passes on the wrapped store's published generation (0 when
// it has none).
func (a *Analytics) Generation(ctx context.Context) int64 {
	if g, ok := a.Analytics.(interface{ Generation(context.Context) int64 }); ok {
		return g.Generation(ctx)
	}
	return 0
}
