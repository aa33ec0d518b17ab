package variation

import (
	"strconv"
	"strings"

	"ccg/internal/registry"
)

// Population is a practice's registered patients in a month, plain and
// weighted, in patients (not thousands).
type Population struct {
	ListSize     float64 `json:"list_size"`
	ASTROPUCost  float64 `json:"astro_pu_cost"`
	ASTROPUItems float64 `json:"astro_pu_items"`
	// STARPUAntibacterialItems is the list weighted for oral antibacterial items.
	STARPUAntibacterialItems float64 `json:"star_pu_oral_antibacterials_item"`
	// Banded reports whether the weighted figures come from age-sex bands;
	// without bands they are zero.
	Banded bool `json:"banded"`
	// Bands holds the patients by sex and age band as the list sizes give
	// them, keyed BandKey(sex, band) ("female:65-69"), for indirect
	// standardisation.
	Bands map[string]float64 `json:"-"`
}

// BandKey is the key of a sex and age band in Population.Bands.
func BandKey(sex, band string) string {
	return strings.ToLower(sex) + ":" + strings.ReplaceAll(strings.TrimSpace(band), "_", "-")
}

// Of returns the denominator a population quantity gives, in thousands (as
// OpenPrescribing's "per 1,000 patients").
func (p Population) Of(q Quantity) float64 {
	switch q {
	case QuantityListSize:
		return p.ListSize / 1000
	case QuantityASTROPUCost:
		return p.ASTROPUCost / 1000
	case QuantityASTROPUItems:
		return p.ASTROPUItems / 1000
	case QuantitySTARPUAntibacterialItems:
		return p.STARPUAntibacterialItems / 1000
	}
	return 0
}

// prescribingWeight is one age band's male and female weights.
type prescribingWeight struct{ male, female float64 }

// The 2013 ASTRO-PU weights by age band (cost: relative to males aged 0-4;
// items: items per patient-year), at the full precision of the HSCIC
// spreadsheet as OpenPrescribing uses them
// (openprescribing/frontend/model_prescribing_units.py). Bands: 0-4, 5-14,
// 15-24, 25-34, 35-44, 45-54, 55-64, 65-74, 75+.
var (
	astroPUCost = [9]prescribingWeight{
		{1.0, 0.874764602225095},
		{0.871655388261018, 0.736837170135133},
		{1.22586428186498, 1.44903466533634},
		{1.25432789273113, 1.84193852699796},
		{1.81674766893969, 2.57229387381937},
		{3.08974457158975, 3.72488353721683},
		{5.28280419664147, 5.44244517326563},
		{8.74186911115141, 7.64083013196212},
		{11.3430752706509, 9.88935302232237},
	}
	astroPUItems = [9]prescribingWeight{
		{5.20981299276732, 4.57209109157611},
		{2.78274827419795, 2.49791988847988},
		{2.54173833276, 4.55423953314265},
		{2.94877111448744, 6.02048572645931},
		{4.88518914434322, 8.27380247373141},
		{8.71276955913741, 12.3262908574135},
		{16.6039274295768, 19.1280714382989},
		{29.9412096036049, 30.4100929796907},
		{44.9462923989395, 48.4846679987704},
	}
	// starPUOralAntibacterialItems is the 2013 STAR-PU for oral
	// antibacterial items (NHS BSA "STAR-PUs" sheet, as OpenPrescribing's
	// star_pu_weights.json).
	starPUOralAntibacterialItems = [9]prescribingWeight{
		{0.8377155655095184, 0.7652339111849917},
		{0.3138732420636401, 0.3965845878554479},
		{0.33969141052120033, 0.6256560773480663},
		{0.2409056506545999, 0.5803189179127629},
		{0.2668526596045998, 0.5851314623781853},
		{0.31587104773713576, 0.618586515495957},
		{0.44801597638273855, 0.7388612532655764},
		{0.6931228760507959, 0.9727081572044829},
		{0.9860710593612275, 1.2658322296629296},
	}
)

// WeightBands names the nine age bands of the prescribing-unit weights.
var WeightBands = [9]string{"0-4", "5-14", "15-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"}

// weightBand returns the index of the ASTRO-PU band that a list-size age
// band falls in ("0-4", "5-9", ..., "95+", or the same wide bands), or -1
// when the band does not fit inside one (for example "all").
func weightBand(band string) int {
	b := strings.ReplaceAll(strings.TrimSpace(band), "_", "-")
	var lo, hi int
	if strings.HasSuffix(b, "+") {
		v, err := strconv.Atoi(strings.TrimSuffix(b, "+"))
		if err != nil {
			return -1
		}
		lo, hi = v, 200
	} else {
		parts := strings.Split(b, "-")
		if len(parts) != 2 {
			return -1
		}
		var err1, err2 error
		lo, err1 = strconv.Atoi(parts[0])
		hi, err2 = strconv.Atoi(parts[1])
		if err1 != nil || err2 != nil || hi < lo {
			return -1
		}
	}
	starts := [9]int{0, 5, 15, 25, 35, 45, 55, 65, 75}
	for i := 8; i >= 0; i-- {
		if lo >= starts[i] {
			end := 200
			if i < 8 {
				end = starts[i+1] - 1
			}
			if hi <= end {
				return i
			}
			return -1
		}
	}
	return -1
}

// Populations builds each practice's plain and weighted population from
// its list sizes for one month. The list size is the "all/all" row (or the
// sum of the bands when that row is missing); weighted figures need male
// and female bands that nest inside the weight bands.
func Populations(rows []registry.ListSize) map[string]Population {
	type acc struct {
		all, bandSum, cost, items, star float64
		hasAll, banded                  bool
		bands                           map[string]float64
	}
	by := map[string]*acc{}
	for _, r := range rows {
		a := by[r.Practice]
		if a == nil {
			a = &acc{}
			by[r.Practice] = a
		}
		n := float64(r.Patients)
		if r.Sex == registry.SexAll && r.AgeBand == registry.AgeAll {
			a.all, a.hasAll = n, true
			continue
		}
		if r.Sex != registry.SexMale && r.Sex != registry.SexFemale {
			continue
		}
		if r.AgeBand != registry.AgeAll {
			if a.bands == nil {
				a.bands = map[string]float64{}
			}
			a.bands[BandKey(string(r.Sex), r.AgeBand)] += n
		}
		i := weightBand(r.AgeBand)
		if i < 0 {
			continue
		}
		male := r.Sex == registry.SexMale
		pick := func(w prescribingWeight) float64 {
			if male {
				return w.male
			}
			return w.female
		}
		a.banded = true
		a.bandSum += n
		a.cost += n * pick(astroPUCost[i])
		a.items += n * pick(astroPUItems[i])
		a.star += n * pick(starPUOralAntibacterialItems[i])
	}
	out := make(map[string]Population, len(by))
	for code, a := range by {
		p := Population{ListSize: a.all, Banded: a.banded, Bands: a.bands}
		if !a.hasAll {
			p.ListSize = a.bandSum
		}
		if a.banded {
			p.ASTROPUCost, p.ASTROPUItems, p.STARPUAntibacterialItems = a.cost, a.items, a.star
		}
		out[code] = p
	}
	return out
}
