package finance

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestASTROPUMatchesShared checks our transcription of ASTRO-PU 2013 against
// the shared reference file, when it is present.
func TestASTROPUMatchesShared(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "data", "weights", "astro_pu_2013_weights.csv")
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("skipping: %s is absent (the shared data folder is not next to the project)", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cost, items := ASTROPU2013Cost(), ASTROPU2013Items()
	seen := 0
	for _, row := range rows[1:] {
		band, sex := strings.TrimSpace(row[0]), strings.TrimSpace(row[1])
		t.Run(band+" "+sex, func(t *testing.T) {
			i := -1
			for j, b := range cost.Bands {
				if b.Label == band {
					i = j
				}
			}
			if i < 0 {
				t.Fatalf("band %s is not in our copy", band)
			}
			for _, c := range []struct {
				w   Weights
				col string
			}{{cost, row[2]}, {items, row[3]}} {
				want, err := strconv.ParseFloat(strings.TrimSpace(c.col), 64)
				if err != nil {
					t.Fatal(err)
				}
				got := c.w.Male[i]
				if sex == "female" {
					got = c.w.Female[i]
				}
				if got != want {
					t.Errorf("%s %s %s: ours %v, shared %v", c.w.Name, band, sex, got, want)
				}
			}
		})
		seen++
	}
	if seen != 2*len(cost.Bands) {
		t.Errorf("shared file has %d rows, our copy %d", seen, 2*len(cost.Bands))
	}
}
