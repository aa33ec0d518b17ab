package variation

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

// measureFiles holds the measures written for ccg, one JSON file each.
//
//go:embed measures/*.json
var measureFiles embed.FS

// Library returns the measures that ship with ccg, sorted by name.
func Library() ([]Measure, error) {
	names, err := fs.Glob(measureFiles, "measures/*.json")
	if err != nil {
		return nil, fmt.Errorf("variation: library: %w", err)
	}
	sort.Strings(names)
	out := make([]Measure, 0, len(names))
	for _, n := range names {
		data, err := measureFiles.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("variation: library: %w", err)
		}
		m, err := ParseMeasure(path.Base(n), data)
		if err != nil {
			return nil, fmt.Errorf("variation: library: %w", err)
		}
		m.Origin = "ccg"
		out = append(out, m)
	}
	SortMeasures(out)
	return out, nil
}
