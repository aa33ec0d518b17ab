package demo

// EngagementWorld is what the engagement part of the demo wrote.
type EngagementWorld struct{}

// writeEngagement writes the engagement part of the demo world.
func writeEngagement(b *builder) error {
	return nil
}
