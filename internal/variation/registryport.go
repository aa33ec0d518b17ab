package variation

import (
	"context"
	"fmt"

	"ccg/internal/calendar"
	"ccg/internal/registry"
)

// RegistryPort adapts *registry.Service to the Registry port: membership is
// the registry's as at the first day of the month (relationships change on
// the first of a month, usually 1 April), and populations come from the
// list sizes held for the month.
type RegistryPort struct {
	reg *registry.Service
}

// NewRegistryPort returns the Registry port over reg.
func NewRegistryPort(reg *registry.Service) *RegistryPort { return &RegistryPort{reg: reg} }

// Members implements Registry: every GP practice that was a member of a
// CCG on the first day of month, with its locality then. Other prescribing
// settings (walk-in centres, out-of-hours services) are left out, as
// OpenPrescribing leaves out every setting but GP practices.
//
// It asks the registry CCG by CCG (MembersAt), which costs a few queries per
// practice; a bulk "membership on a date" store query would make this
// cheaper at national scale.
func (p *RegistryPort) Members(ctx context.Context, month calendar.Month) ([]Member, error) {
	at := month.First()
	var out []Member
	seen := map[string]bool{}
	for offset := 0; ; {
		ccgs, total, err := p.reg.Search(ctx, registry.Filter{Kind: registry.KindCCG, Limit: 500, Offset: offset})
		if err != nil {
			return nil, fmt.Errorf("variation: members %s: %w", month, err)
		}
		for _, c := range ccgs {
			ms, err := p.reg.MembersAt(ctx, c.Code, at, false)
			if err != nil {
				return nil, fmt.Errorf("variation: members %s: %w", month, err)
			}
			for _, m := range ms {
				if m.Kind != registry.KindPractice || seen[m.Code] {
					continue
				}
				seen[m.Code] = true
				out = append(out, Member{Practice: m.Code, Locality: m.Locality, CCG: c.Code})
			}
		}
		offset += len(ccgs)
		if len(ccgs) == 0 || offset >= total {
			break
		}
	}
	return out, nil
}

// Populations implements Registry.
func (p *RegistryPort) Populations(ctx context.Context, month calendar.Month) (map[string]Population, error) {
	rows, err := p.reg.Store().ListSizesForMonth(ctx, month)
	if err != nil {
		return nil, fmt.Errorf("variation: list sizes %s: %w", month, err)
	}
	return Populations(rows), nil
}
