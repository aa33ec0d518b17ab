// Package demo builds a deterministic demonstration world for ccg: a
// fictional NHS England region with two primary care trusts, the two clinical
// commissioning groups that replaced them in April 2013, and the single CCG
// they merged into in April 2020, with about forty GP practices in five
// localities and two years of monthly list sizes.
//
// Generate writes the world as files in the REAL public formats (ODS
// epraccur/eccg/eauth/succ, NHS Digital gp-reg-pat-prac-quin-age list sizes,
// and the CCG's own localities CSV), so that the demo exercises the same
// import path as real data: the returned World.Steps are the `ccg import KIND
// FILE` commands to run, in order. The World also describes what was written,
// so that tests and later generators can use the facts without parsing files.
//
// # Determinism
//
// The same seed always gives byte-identical files. Nothing reads the clock.
// Randomness comes from math/rand/v2 PCG sources, one stream per named part
// (for example "listsize/Y90001"), keyed by the seed and a hash of the name,
// so that adding a new generator or a new practice does not change the numbers
// any other part draws. The cast (codes, names, addresses, localities, dates
// of opening, closing and merging) is fixed and does not depend on the seed;
// the seed drives the numbers (list sizes, age-sex structures, drift).
//
// # Adding a generator
//
// A later capability (prescribing, referrals, ledger, surveys, governance)
// adds one file to this package holding a func(*builder) error, adds it to
// the parts list in Generate, and keeps its facts in new World fields. A part
// draws randomness only from b.rng(name), writes files with b.writeFile and
// the row helpers, and appends its imports with b.step. Parts run in order,
// so a part may use anything an earlier part put in the World (for example
// practice list sizes by month via Practice.ListSize).
//
// # Files
//
//	ods/eauth.csv                       region and area team (ods-regions)
//	ods/epct.csv                        the two PCTs, in the eccg layout (ods-commissioners)
//	ods/eccg.csv                        the three CCGs (ods-commissioners)
//	ods/epraccur_20120331.csv           practices under the PCTs (ods-practices)
//	ods/epraccur_20190331.csv           practices under the two CCGs
//	ods/epraccur_20200401.csv           practices under the merged CCG
//	ods/succ.csv                        successions (ods-successions)
//	ccg/localities.csv                  the CCG's own locality list (localities)
//	listsize/gp-reg-pat-prac-quin-age-YYYY-MM.csv  April 2019 to March 2021 (list-sizes)
//
// ODS files have no header, quote every field and end lines with CRLF, as
// the real downloads do; the list-size files have the NHS Digital header and
// CRLF line ends; localities.csv is plain CSV with a header.
//
// # Conventions
//
// Codes are fictional and chosen not to collide with real ODS codes: region
// Y99, area team Q98, PCTs 5XA and 5XB, CCGs 99X and 99Y merging into 99Z,
// practices Y900nn, the walk-in centre Y90090, locality codes LOC-NORTH,
// LOC-RIVERSIDE, LOC-MARKET, LOC-COAST and LOC-CITY (the same before and
// after the merger), postcodes in the unused RV area, telephone numbers in
// Ofcom's drama range (01632 960nnn).
package demo

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"ccg/internal/calendar"
)

// Import kinds, as named on the `ccg import KIND FILE` command line.
const (
	KindRegions       = "ods-regions"
	KindCommissioners = "ods-commissioners"
	KindPractices     = "ods-practices"
	KindSuccessions   = "ods-successions"
	KindLocalities    = "localities"
	KindListSizes     = "list-sizes"
)

// Step is one import to run: `ccg import Kind Path`.
type Step struct {
	Kind string `json:"kind"`
	Path string `json:"path"`
}

// String gives the command line for the step.
func (s Step) String() string { return "ccg import " + s.Kind + " " + s.Path }

// Org is an organisation above the practices (region, area team, PCT, CCG) as
// the ODS files describe it.
type Org struct {
	Code     string
	Name     string
	Address  [5]string // ODS address lines 1-5 (blank lines kept)
	Postcode string
	Opened   calendar.Date
	// Closed is the ODS close date: the last day the organisation existed
	// (zero while open). A CCG closed 2020-03-31 is succeeded on 2020-04-01.
	Closed calendar.Date
}

// OpenOn reports whether o existed on d (Closed being its last day).
func (o Org) OpenOn(d calendar.Date) bool { return odsOpenOn(o.Opened, o.Closed, d) }

// Commissioner is a PCT or CCG, with the organisation that replaced it.
type Commissioner struct {
	Org
	// Successor is the code that succ.csv names as its successor ("" if none):
	// a PCT's successor is the CCG that took over its practices (reason
	// "Transfer"), a predecessor CCG's is the merged CCG (reason "Merger").
	Successor string
}

// Locality is a group of practices inside a CCG. Its code is stable across
// the 2020 merger: the same locality moves from its predecessor CCG to the
// merged CCG.
type Locality struct {
	Code string // for example "LOC-NORTH"
	Name string // for example "North"
	// CCG is the predecessor CCG the locality belonged to from 2013-04-01;
	// from the merger date it belongs to World.MergedCCG.
	CCG string
}

// World is everything Generate wrote, described for tests and later
// generators.
type World struct {
	Seed  int64  // the seed the numbers were drawn with
	Dir   string // the directory the files were written to
	Steps []Step // the imports to run, in order

	Region   Org            // the NHS England region (eauth.csv)
	AreaTeam Org            // the area team under it (eauth.csv)
	PCTs     []Commissioner // 5XA, 5XB (closed 2013-03-31; epct.csv)
	// CCGs holds the two predecessor CCGs and then the merged one.
	CCGs            []Commissioner
	PredecessorCCGs []string      // 99X, 99Y
	MergedCCG       string        // 99Z
	CCGStart        calendar.Date // 2013-04-01: the PCTs hand over to the CCGs
	MergerDate      calendar.Date // 2020-04-01: the CCGs merge

	Localities []Locality
	// Practices holds every prescribing setting (GP practices and the
	// walk-in centre), sorted by code.
	Practices []*Practice
	// Snapshots are the dates of the epraccur files, oldest first.
	Snapshots []calendar.Date
	// Months are the list-size months, oldest first.
	Months []calendar.Month
	// Accounts are the demo sign-ins, one per role (people.go).
	Accounts []Account

	// What each capability's part wrote (variation.go, engagement.go,
	// finance.go). Governance writes no files: its records are made through
	// the governance service after the imports (internal/cli/demo_governance.go).
	Variation  VariationWorld
	Engagement EngagementWorld
	Finance    FinanceWorld
}

// Practice returns the practice (or other prescribing setting) with the
// code, or nil.
func (w *World) Practice(code string) *Practice {
	i := sort.Search(len(w.Practices), func(i int) bool { return w.Practices[i].Code >= code })
	if i < len(w.Practices) && w.Practices[i].Code == code {
		return w.Practices[i]
	}
	return nil
}

// Commissioner returns the PCT or CCG with the code, or nil.
func (w *World) Commissioner(code string) *Commissioner {
	for _, list := range [][]Commissioner{w.PCTs, w.CCGs} {
		for i := range list {
			if list[i].Code == code {
				return &list[i]
			}
		}
	}
	return nil
}

// Locality returns the locality with the code, or nil.
func (w *World) Locality(code string) *Locality {
	for i := range w.Localities {
		if w.Localities[i].Code == code {
			return &w.Localities[i]
		}
	}
	return nil
}

// MembersOn returns the settings (GP practices and others) that belonged to
// the commissioner on d, by code.
func (w *World) MembersOn(commissioner string, d calendar.Date) []*Practice {
	var out []*Practice
	for _, p := range w.Practices {
		if p.CommissionerOn(d) == commissioner {
			out = append(out, p)
		}
	}
	return out
}

// RegisteredIn returns the number of patients registered in month m at the
// practices that belonged to the commissioner on the first of the month.
func (w *World) RegisteredIn(commissioner string, m calendar.Month) int {
	n := 0
	for _, p := range w.MembersOn(commissioner, m.First()) {
		if l, ok := p.ListSize(m); ok {
			n += l.Total()
		}
	}
	return n
}

// Generate writes the demo world for seed into dir (created if need be) and
// returns its description. The same seed gives byte-identical files.
func Generate(dir string, seed int64) (*World, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("demo: generate: %w", err)
	}
	b := &builder{w: newWorld(seed), dir: dir}
	b.w.Dir = dir
	parts := []struct {
		name string
		run  func(*builder) error
	}{
		{"ods", writeODS},
		{"localities", writeLocalities},
		{"listsize", writeListSizes},
		{"people", writePeople},
		// Each capability's part, in its own file, after what it depends on.
		{"variation", writeVariation},
		{"engagement", writeEngagement},
		{"finance", writeFinance},
	}
	for _, p := range parts {
		if err := p.run(b); err != nil {
			return nil, fmt.Errorf("demo: generate %s: %w", p.name, err)
		}
	}
	return b.w, nil
}

// builder carries the world being written and the helpers each part uses.
type builder struct {
	w   *World
	dir string
}

// rng returns the random stream for a named part. Each name has its own
// stream, so parts do not disturb one another's numbers.
func (b *builder) rng(name string) *rand.Rand { return newRand(b.w.Seed, name) }

// newRand returns the PCG stream for seed and name.
func newRand(seed int64, name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
}

// writeFile writes data to rel (a slash-separated path under the world's
// directory) and returns the full path.
func (b *builder) writeFile(rel string, data []byte) (string, error) {
	path := filepath.Join(b.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return "", err
	}
	return path, nil
}

// step records an import of the file at path.
func (b *builder) step(kind, path string) {
	b.w.Steps = append(b.w.Steps, Step{Kind: kind, Path: path})
}

// writeODSRows writes rows in the ODS CSV layout (no header, every field
// quoted, CRLF line ends) and records the import.
func (b *builder) writeODSRows(kind, rel string, rows [][]string) error {
	var buf bytes.Buffer
	for _, row := range rows {
		for i, f := range row {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteByte('"')
			buf.WriteString(strings.ReplaceAll(f, `"`, `""`))
			buf.WriteByte('"')
		}
		buf.WriteString("\r\n")
	}
	path, err := b.writeFile(rel, buf.Bytes())
	if err != nil {
		return err
	}
	b.step(kind, path)
	return nil
}

// odsOpenOn reports whether something opened on opened and closed on closed
// (its last day; zero while open) existed on d.
func odsOpenOn(opened, closed, d calendar.Date) bool {
	if !opened.IsZero() && d.Before(opened) {
		return false
	}
	return closed.IsZero() || !d.After(closed)
}

// odsDate formats d as ODS does (YYYYMMDD; "" for the zero date).
func odsDate(d calendar.Date) string { return d.Format("20060102") }
