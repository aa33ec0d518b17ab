package demo

// FinanceWorld is what the finance part of the demo wrote.
type FinanceWorld struct{}

// writeFinance writes the finance part of the demo world.
func writeFinance(b *builder) error {
	return nil
}
