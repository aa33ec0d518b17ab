package sqlstore

// upsertInBatches writes rows with write, at most size at a time, and returns
// the total write reports (rows changed). A batch is also cut short before a
// row whose key it already holds, because PostgreSQL refuses to update one
// row twice in one INSERT … ON CONFLICT statement; the later row then wins,
// as it would row by row. Call it inside a transaction.
func upsertInBatches[R any, K comparable](rows []R, size int, key func(R) K, write func(batch []R) (int64, error)) (int, error) {
	batch := make([]R, 0, min(size, len(rows)))
	seen := make(map[K]bool, min(size, len(rows)))
	changed := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		n, err := write(batch)
		if err != nil {
			return err
		}
		changed += int(n)
		batch = batch[:0]
		clear(seen)
		return nil
	}
	for _, r := range rows {
		k := key(r)
		if seen[k] {
			if err := flush(); err != nil {
				return changed, err
			}
		}
		seen[k] = true
		batch = append(batch, r)
		if len(batch) == size {
			if err := flush(); err != nil {
				return changed, err
			}
		}
	}
	return changed, flush()
}
