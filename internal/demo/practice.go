package demo

import (
	"strings"

	"ccg/internal/calendar"
	"ccg/internal/registry"
)

// ODS prescribing settings used in the demo (epraccur column 26).
const (
	SettingGP     = "4" // GP practice
	SettingWalkIn = "1" // walk-in centre
)

// NumAgeBands is the number of five-year age bands in the list-size files.
const NumAgeBands = 20

// registryAllRows is the number of rows per practice per month in the
// list-size files (all/all, then 20 bands and all for each sex).
const registryAllRows = 43

// Profile names the age-sex shape of a practice's list.
type Profile string

// The list profiles. Each practice has one; the seed varies the details.
const (
	ProfileAverage    Profile = "average"     // close to the England shape
	ProfileFamily     Profile = "family"      // suburbs: children and parents
	ProfileRetirement Profile = "retirement"  // the coast: many over 65
	ProfileStudent    Profile = "student"     // a university practice: 18-24s, an October intake
	ProfileYoungUrban Profile = "young-urban" // city flats: 20-39s
	ProfileDeprived   Profile = "deprived"    // inner town: young families, fewer old people
	ProfileMarketTown Profile = "market-town" // rural towns: older than average
	ProfileNone       Profile = ""            // no registered list (walk-in centre)
)

// AgeBands are the 20 five-year bands of the list-size files, as the files
// write them ("0_4" ... "90_94", "95+").
var AgeBands = [NumAgeBands]string{
	"0_4", "5_9", "10_14", "15_19", "20_24", "25_29", "30_34", "35_39", "40_44", "45_49",
	"50_54", "55_59", "60_64", "65_69", "70_74", "75_79", "80_84", "85_89", "90_94", "95+",
}

// RegistryBand converts a list-size file band ("0_4", "95+", "ALL") to the
// registry's form ("0-4", "95+", registry.AgeAll).
func RegistryBand(band string) string {
	if band == "ALL" {
		return registry.AgeAll
	}
	return strings.ReplaceAll(band, "_", "-")
}

// Share is a part of a closing practice's list that moves to another
// practice.
type Share struct {
	Practice string
	Share    float64 // fraction of the list, the shares summing to 1
}

// Practice is a GP practice or other prescribing setting in the demo world.
type Practice struct {
	Code     string
	Name     string
	Address  [5]string // ODS address lines 1-5 (building, street, town, county, blank)
	Postcode string
	Phone    string
	Setting  string // ODS prescribing setting: SettingGP or SettingWalkIn
	Opened   calendar.Date
	// Closed is the ODS close date, the last day the practice was open
	// (zero while open). Closures fall on month ends, so a practice closed on
	// 2019-09-30 is in the September 2019 list sizes and not in October's.
	Closed calendar.Date
	// Locality is the locality code ("" for settings outside any locality,
	// such as the walk-in centre).
	Locality string
	PCT      string // commissioner before 2013-04-01
	CCG      string // commissioner from 2013-04-01 until the merger
	Profile  Profile
	// Growth is the mean annual change in list size (0.03 = 3% a year).
	Growth float64
	// Dispersal says where a closing practice's patients go.
	Dispersal []Share
	// Story is a plain-language note of what happens to the practice.
	Story string
	// Lists holds the practice's list sizes, one per month it appears in the
	// list-size files, oldest first.
	Lists []ListSize
}

// GP reports whether the setting is a GP practice (with a registered list).
func (p *Practice) GP() bool { return p.Setting == SettingGP }

// OpenOn reports whether the practice was open on d.
func (p *Practice) OpenOn(d calendar.Date) bool { return odsOpenOn(p.Opened, p.Closed, d) }

// CommissionerOn returns the commissioner the practice belonged to on d (its
// PCT before 2013-04-01, its CCG until 2020-03-31, the merged CCG after), or
// "" when the practice was not open.
func (p *Practice) CommissionerOn(d calendar.Date) string {
	if !p.OpenOn(d) {
		return ""
	}
	switch {
	case d.Before(ccgStart):
		return p.PCT
	case d.Before(mergerDate):
		return p.CCG
	}
	return mergedCCG
}

// LocalityOn returns the practice's locality code on d, or "" (before the
// CCGs, or when closed or outside any locality).
func (p *Practice) LocalityOn(d calendar.Date) string {
	if !p.OpenOn(d) || d.Before(ccgStart) {
		return ""
	}
	return p.Locality
}

// ListSize returns the practice's list size for month m, and whether it
// appears in that month's file.
func (p *Practice) ListSize(m calendar.Month) (ListSize, bool) {
	for _, l := range p.Lists {
		if l.Month == m {
			return l, true
		}
	}
	return ListSize{}, false
}

// ListSize is one practice's registered patients in one month, by sex and
// five-year age band (indexes as AgeBands).
type ListSize struct {
	Month  calendar.Month
	Female [NumAgeBands]int
	Male   [NumAgeBands]int
}

// Females returns the number of female patients.
func (l ListSize) Females() int { return sum(l.Female[:]) }

// Males returns the number of male patients.
func (l ListSize) Males() int { return sum(l.Male[:]) }

// Total returns the number of patients.
func (l ListSize) Total() int { return l.Females() + l.Males() }

// Band returns the number of patients of both sexes in age band i.
func (l ListSize) Band(i int) int { return l.Female[i] + l.Male[i] }

// Records returns the 43 registry records the list-size file gives for the
// practice and month, in file order: all/all, then female by band and all,
// then male by band and all. Age bands are in the registry's form ("0-4").
func (l ListSize) Records(practice string) []registry.ListSize {
	out := make([]registry.ListSize, 0, registryAllRows)
	rec := func(sex registry.Sex, band string, n int) {
		out = append(out, registry.ListSize{Practice: practice, Month: l.Month, Sex: sex, AgeBand: band, Patients: n})
	}
	rec(registry.SexAll, registry.AgeAll, l.Total())
	for _, s := range []struct {
		sex    registry.Sex
		counts [NumAgeBands]int
	}{{registry.SexFemale, l.Female}, {registry.SexMale, l.Male}} {
		for i, n := range s.counts {
			rec(s.sex, RegistryBand(AgeBands[i]), n)
		}
		rec(s.sex, registry.AgeAll, sum(s.counts[:]))
	}
	return out
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}
