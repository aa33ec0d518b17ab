package duckdb

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"ccg/internal/analytics"
	"ccg/internal/errs"
)

// MemoryCatalog is an analytics.Catalog kept in memory, for a stand-alone
// store (tests and benchmarks): nothing survives the process.
type MemoryCatalog struct {
	mu       sync.Mutex
	gen      int64
	files    map[analytics.Key]analytics.File
	measures map[string]analytics.StoredMeasure
	retired  map[string]time.Time
}

var _ analytics.Catalog = (*MemoryCatalog)(nil)

// NewMemoryCatalog returns an empty catalog.
func NewMemoryCatalog() *MemoryCatalog {
	return &MemoryCatalog{files: map[analytics.Key]analytics.File{}, measures: map[string]analytics.StoredMeasure{}, retired: map[string]time.Time{}}
}

// Generation implements analytics.Catalog.
func (c *MemoryCatalog) Generation(context.Context) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen, nil
}

// Snapshot implements analytics.Catalog.
func (c *MemoryCatalog) Snapshot(context.Context) (analytics.Snapshot, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := analytics.Snapshot{Generation: c.gen, Layout: analytics.Layout}
	for _, f := range c.files {
		s.Files = append(s.Files, f)
	}
	sort.Slice(s.Files, func(i, j int) bool {
		a, b := s.Files[i], s.Files[j]
		if a.Dataset != b.Dataset {
			return a.Dataset < b.Dataset
		}
		return a.Part < b.Part
	})
	for _, m := range c.measures {
		s.Measures = append(s.Measures, m)
	}
	sort.Slice(s.Measures, func(i, j int) bool { return s.Measures[i].ID < s.Measures[j].ID })
	return s, nil
}

// Publish implements analytics.Catalog.
func (c *MemoryCatalog) Publish(_ context.Context, ch analytics.Change) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, p := range ch.Base {
		if c.files[k].Path != p {
			return 0, fmt.Errorf("analytics publish: another import published %s %s while this one ran (run it again): %w", k.Dataset, k.Part, errs.ErrConflict)
		}
	}
	c.gen++
	now := time.Now()
	for _, f := range ch.Files {
		if old, ok := c.files[f.Key]; ok && old.Path != f.Path {
			c.retired[old.Path] = now
		}
		c.files[f.Key] = f
	}
	for _, m := range ch.Measures {
		c.measures[m.ID] = m
	}
	return c.gen, nil
}

// Retired implements analytics.Catalog.
func (c *MemoryCatalog) Retired(_ context.Context, before time.Time) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for p, t := range c.retired {
		if t.Before(before) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Forget implements analytics.Catalog.
func (c *MemoryCatalog) Forget(_ context.Context, paths []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range paths {
		delete(c.retired, p)
	}
	return nil
}
