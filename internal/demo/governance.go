package demo

// GovernanceWorld is what the governance part of the demo wrote.
type GovernanceWorld struct{}

// writeGovernance writes the governance part of the demo world.
func writeGovernance(b *builder) error {
	return nil
}
