package demo

// VariationWorld is what the variation part of the demo wrote.
type VariationWorld struct{}

// writeVariation writes the variation part of the demo world.
func writeVariation(b *builder) error {
	return nil
}
