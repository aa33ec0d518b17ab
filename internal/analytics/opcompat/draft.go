package opcompat

import (
	"context"
	"errors"

	"ccg/internal/variation"
)

// Stage begins a draft of the wrapped store (variation.Snapshots) and
// wraps it, so that measures computed in the draft run their SQL over the
// draft's facts.
func (a *Analytics) Stage(ctx context.Context) (variation.Draft, error) {
	sn, ok := a.Analytics.(variation.Snapshots)
	if !ok {
		return nil, errNoSnapshots
	}
	d, err := sn.Stage(ctx)
	if err != nil {
		return nil, err
	}
	return a.wrapDraft(d), nil
}

// WrapDraft wraps a draft of the wrapped store (variation.Service.Over
// asks it of the service's store), so that OpenPrescribing's SQL measures
// computed in the draft read the draft's facts.
func (a *Analytics) WrapDraft(an variation.Analytics) variation.Analytics {
	d, ok := an.(variation.Draft)
	if !ok {
		return an
	}
	if _, done := an.(*draft); done {
		return an
	}
	return a.wrapDraft(d)
}

func (a *Analytics) wrapDraft(d variation.Draft) *draft {
	src := a.src
	if fx, ok := d.(FactsExporter); ok {
		src.Facts = fx
	}
	return &draft{Analytics: &Analytics{Analytics: d, src: src}, d: d}
}

// draft is a wrapped variation.Draft.
type draft struct {
	*Analytics
	d variation.Draft
}

// Publish implements variation.Draft.
func (x *draft) Publish(ctx context.Context) error { return x.d.Publish(ctx) }

// Finish implements variation.Draft.
func (x *draft) Finish(committed bool) { x.d.Finish(committed) }

var _ variation.Draft = (*draft)(nil)

var errNoSnapshots = errors.New("opcompat: the analytics store keeps no snapshots")
