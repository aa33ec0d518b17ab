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
// OpenPrescribing leaves out every setting but GP practices; an
// organisation the registry does not hold counts as a practice.
//
// It reads the whole membership in one query (registry MembershipsOn), so
// that a page costs the same whatever the number of practices; there is
// nothing to cache or invalidate when another process imports the registry.
// A practice in two CCGs at once (bad data) counts in the first by CCG name.
func (p *RegistryPort) Members(ctx context.Context, month calendar.Month) ([]Member, error) {
	ms, err := p.reg.MembershipsOn(ctx, month.First())
	if err != nil {
		return nil, fmt.Errorf("variation: members %s: %w", month, err)
	}
	var out []Member
	seen := map[string]bool{}
	for _, m := range ms {
		if m.ParentKind != registry.KindCCG || (m.ChildKind != registry.KindPractice && m.ChildKind != "") || seen[m.Child] {
			continue
		}
		seen[m.Child] = true
		out = append(out, Member{Practice: m.Child, Locality: m.Locality, CCG: m.Parent})
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
