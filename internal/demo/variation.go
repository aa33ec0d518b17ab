package demo

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"ccg/internal/calendar"
)

// VariationWorld is what the variation part of the demo wrote: a month of
// the English Prescribing Dataset for each of the demo's months (in the
// EPD's own CSV layout) and one referrals file in ccg's documented format
// (docs/formats/referrals.md).
type VariationWorld struct {
	// Months are the months with prescribing and referrals, oldest first.
	Months []calendar.Month
	// PrescribingFiles are the EPD files, one a month, in Months' order.
	PrescribingFiles []string
	// ReferralsFile is the referrals CSV.
	ReferralsFile string
	// ReferenceRatesFile is England's referral rates by age band and sex
	// (docs/formats/referral-rates.md), which referral measures are
	// standardised against.
	ReferenceRatesFile string
	// OldList is a practice with an old list that refers exactly at
	// England's rates for its patients' ages and sexes: its crude
	// ophthalmology rate looks high, its standardised ratio does not.
	OldList string
	// Outliers are the practices whose prescribing really differs, with
	// what is unusual about them; every other practice's variation is
	// chance (small lists make some of them look unusual).
	Outliers map[string]string
	// Rows counts the EPD rows written, over every month.
	Rows int
}

// epdHeader is the English Prescribing Dataset's header row as NHS BSA
// published it for these months (the older column names).
var epdHeader = []string{"YEAR_MONTH", "REGIONAL_OFFICE_NAME", "REGIONAL_OFFICE_CODE", "AREA_TEAM_NAME", "AREA_TEAM_CODE",
	"PCO_NAME", "PCO_CODE", "PRACTICE_NAME", "PRACTICE_CODE", "ADDRESS_1", "ADDRESS_2", "ADDRESS_3", "ADDRESS_4", "POSTCODE",
	"BNF_CHEMICAL_SUBSTANCE", "CHEMICAL_SUBSTANCE_BNF_DESCR", "BNF_CODE", "BNF_DESCRIPTION", "BNF_CHAPTER_PLUS_CODE",
	"QUANTITY", "ITEMS", "TOTAL_QUANTITY", "ADQUSAGE", "NIC", "ACTUAL_COST", "UNIDENTIFIED"}

// presentation is one drug in the demo formulary.
type presentation struct {
	code, name, chemical string
	group                string  // practices vary together within a group
	per1000              float64 // items a month per 1,000 patients
	pack                 float64 // quantity per item
	price                float64 // pounds per unit of quantity (NIC)
	old                  bool    // items rise with the share of patients over 65
}

// formulary are the demo's presentations: the ones the shipped measures
// look at, and some common ones around them. Codes are real BNF
// presentation codes (15 characters: chemical, product, strength,
// generic equivalent).
var formulary = []presentation{
	{"0103050P0AAAAAA", "Omeprazole_Cap E/C 20mg", "Omeprazole", "ppi", 42, 28, 0.03, true},
	{"0103050P0AAAEAE", "Omeprazole_Cap E/C 40mg", "Omeprazole", "ppi-high", 11, 28, 0.05, true},
	{"0103050L0AAABAB", "Lansoprazole_Cap 15mg", "Lansoprazole", "ppi", 20, 28, 0.03, true},
	{"0103050L0AAAAAA", "Lansoprazole_Cap 30mg", "Lansoprazole", "ppi-high", 14, 28, 0.04, true},
	{"0103050E0AAABAB", "Esomeprazole_Tab 40mg", "Esomeprazole", "ppi-high", 2, 28, 0.12, true},
	{"0501013B0AAABAB", "Amoxicillin_Cap 500mg", "Amoxicillin", "antibiotic", 14, 21, 0.05, false},
	{"0501013K0AAAJAJ", "Co-Amoxiclav_Tab 500mg/125mg", "Co-amoxiclav", "broad", 3.2, 21, 0.14, false},
	{"0501021L0AAAGAG", "Cefalexin_Cap 500mg", "Cefalexin", "broad", 1.6, 21, 0.09, false},
	{"0501120L0AAAEAE", "Ciprofloxacin_Tab 500mg", "Ciprofloxacin", "broad", 0.9, 10, 0.08, false},
	{"0501030I0AAABAB", "Doxycycline_Cap 100mg", "Doxycycline hyclate", "antibiotic", 5, 8, 0.12, false},
	{"0501012G0AAABAB", "Flucloxacillin Sod_Cap 500mg", "Flucloxacillin sodium", "antibiotic", 4, 28, 0.07, false},
	{"0501050B0AAAKAK", "Clarithromycin_Tab 500mg", "Clarithromycin", "antibiotic", 2.5, 14, 0.15, false},
	{"0501080W0AAAEAE", "Trimethoprim_Tab 200mg", "Trimethoprim", "uti-tmp", 4.2, 6, 0.06, true},
	{"0501130R0AAAHAH", "Nitrofurantoin_Cap 100mg M/R", "Nitrofurantoin", "uti", 5.1, 14, 0.6, true},
	{"0408010G0AAABAB", "Gabapentin_Cap 300mg", "Gabapentin", "gaba", 9, 100, 0.02, true},
	{"0408010AEAAABAB", "Pregabalin_Cap 75mg", "Pregabalin", "gaba", 7, 56, 0.05, true},
	{"0408010AEBBABAB", "Lyrica_Cap 75mg", "Pregabalin", "lyrica", 0.25, 56, 1.15, true},
	{"0408010A0AAABAB", "Levetiracetam_Tab 500mg", "Levetiracetam", "epilepsy", 2.2, 60, 0.08, false},
	{"0408010A0BBABAB", "Keppra_Tab 500mg", "Levetiracetam", "keppra", 0.15, 60, 0.5, false},
	{"0212000B0AAABAB", "Atorvastatin_Tab 20mg", "Atorvastatin", "statin", 52, 28, 0.03, true},
	{"0212000B0BBABAB", "Lipitor_Tab 20mg", "Atorvastatin", "lipitor", 0.4, 28, 0.86, true},
	{"0407020Q0AAAAAA", "Morphine Sulf_Tab 10mg M/R", "Morphine sulfate", "opioid", 1.6, 60, 0.09, true},
	{"0407020Q0AAEHEH", "Morphine Sulf_Cap 60mg M/R", "Morphine sulfate", "opioid-high", 0.2, 60, 0.35, true},
	{"0407020ADAAAAAA", "Oxycodone HCl_Cap 5mg", "Oxycodone hydrochloride", "opioid", 1.4, 56, 0.08, true},
	{"0407020ADAAAHAH", "Oxycodone HCl_Tab 40mg M/R", "Oxycodone hydrochloride", "opioid-high", 0.15, 56, 0.9, true},
	{"0407020A0AAAEAE", "Fentanyl_Transdermal Patch 25mcg/hr", "Fentanyl", "opioid", 0.7, 5, 3.5, true},
	{"0407020A0AAAFAF", "Fentanyl_Transdermal Patch 50mcg/hr", "Fentanyl", "opioid-high", 0.3, 5, 6.0, true},
	{"0407020B0AAAMAM", "Buprenorphine_Transdermal Patch 5mcg/hr", "Buprenorphine", "opioid", 1.8, 4, 4.4, true},
	{"0407020AGAAAAAA", "Tapentadol_Tab 50mg M/R", "Tapentadol", "opioid", 0.2, 56, 0.45, true},
	{"0407020AFAAAAAA", "Oxycodone HCl/Naloxone_Tab 10mg/5mg M/R", "Oxycodone hydrochloride/naloxone", "lowvalue", 0.12, 56, 0.75, true},
	{"0403010J0AAABAB", "Dosulepin HCl_Tab 75mg", "Dosulepin hydrochloride", "lowvalue", 0.35, 28, 0.12, true},
	{"0403010Y0AAAAAA", "Trimipramine_Tab 10mg", "Trimipramine maleate", "lowvalue", 0.04, 28, 9.5, true},
	{"0401010Z0AAAAAA", "Zopiclone_Tab 7.5mg", "Zopiclone", "hypnotic", 6, 28, 0.03, true},
	{"0401020K0AAAHAH", "Diazepam_Tab 5mg", "Diazepam", "hypnotic", 5, 28, 0.03, false},
	{"1001010J0AAADAD", "Ibuprofen_Tab 400mg", "Ibuprofen", "nsaid", 6, 84, 0.02, false},
	{"1001010P0AAADAD", "Naproxen_Tab 500mg", "Naproxen", "nsaid", 7, 56, 0.04, false},
	{"1001010C0AAADAD", "Diclofenac Sod_Tab E/C 50mg", "Diclofenac sodium", "nsaid-other", 2, 84, 0.03, false},
	{"1001010AHAAAAAA", "Etoricoxib_Tab 60mg", "Etoricoxib", "nsaid-other", 0.8, 28, 0.15, false},
	{"0407010H0AAAMAM", "Paracetamol_Tab 500mg", "Paracetamol", "other", 45, 100, 0.01, true},
	{"0206020A0AAAAAA", "Amlodipine_Tab 5mg", "Amlodipine", "other", 38, 28, 0.03, true},
	{"0601022B0AAABAB", "Metformin HCl_Tab 500mg", "Metformin hydrochloride", "other", 30, 56, 0.02, true},
	{"0301011R0AAAPAP", "Salbutamol_Inha 100mcg (200 D) CFF", "Salbutamol", "other", 28, 1, 1.5, false},
	{"0403030Q0AAAAAA", "Sertraline HCl_Tab 50mg", "Sertraline hydrochloride", "other", 26, 28, 0.04, false},
	{"0602010V0AAABAB", "Levothyroxine Sod_Tab 50mcg", "Levothyroxine sodium", "other", 24, 28, 0.04, true},
	{"0205051R0AAAAAA", "Ramipril_Cap 2.5mg", "Ramipril", "other", 22, 28, 0.03, true},
}

// demoOutliers are the practices whose prescribing really differs (by
// position among the demo's GP practices, so that the choice follows the
// cast), with a factor for each affected group and what to say about it.
var demoOutliers = []struct {
	nth     int
	factors map[string]float64
	story   string
}{
	{2, map[string]float64{"broad": 2.6, "antibiotic": 1.3}, "prescribes broad-spectrum antibiotics (co-amoxiclav, cephalosporins, quinolones) at well over twice the usual share"},
	{5, map[string]float64{"ppi-high": 2.4, "gaba": 1.9, "lyrica": 4}, "high-dose PPIs, gabapentinoids and branded pregabalin far above its peers"},
	{9, map[string]float64{"lowvalue": 6, "opioid-high": 3, "lipitor": 8}, "still prescribes low-value items (dosulepin, oxycodone with naloxone), high-strength opioids and branded atorvastatin"},
}

// referralOutlier is the position, among the practices open in every
// month, of the practice that really refers more to orthopaedics.
const referralOutlier = 11

// referralFunctions are the treatment functions the demo refers to, with
// referrals a month per 1,000 patients at ages 0-4 .. 95+ (roughly rising
// with age for the specialties of older people).
var referralFunctions = []struct {
	code  string
	base  float64 // per 1,000 patients a month, all ages
	aging float64 // how steeply the rate rises with age (0: flat)
	// exp makes the rate rise exponentially with age (e^aging from the
	// youngest band to the oldest) rather than in a straight line.
	exp bool
}{
	{"110", 2.4, 1.2, false}, // trauma and orthopaedics
	{"120", 1.3, 0.2, false}, // ENT
	{"130", 3.0, 4.5, true},  // ophthalmology (cataracts: steeply with age)
	{"301", 1.1, 0.8, false}, // gastroenterology
	{"330", 1.5, 0.3, false}, // dermatology
}

// writeVariation writes the variation part of the demo world: an EPD file
// for each month and a referrals file, queued for import after the list
// sizes they are measured against.
func writeVariation(b *builder) error {
	w := b.w
	vw := &w.Variation
	vw.Months = append([]calendar.Month(nil), w.Months...)
	vw.Outliers = map[string]string{}
	var gps []*Practice
	for _, p := range w.Practices {
		if p.GP() {
			gps = append(gps, p)
		}
	}
	sort.Slice(gps, func(i, j int) bool { return gps[i].Code < gps[j].Code })
	// Each practice's own habits: a modest spread around the usual rates,
	// the same for every month (so that chance alone makes most of the
	// apparent outliers), plus the real outliers' factors.
	habits := map[string]map[string]float64{}
	hr := b.rng("variation-habits")
	groups := map[string]bool{}
	for _, pr := range formulary {
		groups[pr.group] = true
	}
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	for _, p := range gps {
		h := map[string]float64{}
		for _, g := range names {
			h[g] = math.Exp(hr.NormFloat64() * 0.12)
		}
		habits[p.Code] = h
	}
	// The real outliers are chosen among the practices open in every month,
	// so that each shows throughout.
	var steady []*Practice
	for _, p := range gps {
		all := true
		for _, m := range vw.Months {
			if l, ok := p.ListSize(m); !ok || l.Total() == 0 || !p.OpenOn(m.First()) {
				all = false
				break
			}
		}
		if all {
			steady = append(steady, p)
		}
	}
	for _, o := range demoOutliers {
		if o.nth >= len(steady) {
			continue
		}
		p := steady[o.nth]
		for g, f := range o.factors {
			habits[p.Code][g] *= f
		}
		vw.Outliers[p.Code] = o.story
	}

	rx := b.rng("variation-prescribing")
	for _, m := range vw.Months {
		var buf bytes.Buffer
		cw := csv.NewWriter(&buf)
		if err := cw.Write(epdHeader); err != nil {
			return err
		}
		for _, p := range gps {
			l, ok := p.ListSize(m)
			if !ok || l.Total() == 0 || !p.OpenOn(m.First()) {
				continue
			}
			n, err := writeEPDPractice(cw, rx, w, p, l, m, habits[p.Code])
			if err != nil {
				return err
			}
			vw.Rows += n
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		path, err := b.writeFile(fmt.Sprintf("prescribing/epd_%d%02d.csv", m.Year, int(m.Mon)), buf.Bytes())
		if err != nil {
			return err
		}
		vw.PrescribingFiles = append(vw.PrescribingFiles, path)
	}

	referrer := ""
	if len(steady) > referralOutlier {
		referrer = steady[referralOutlier].Code
		vw.Outliers[referrer] = "refers to trauma and orthopaedics at over twice the rate its patients' ages explain"
	}
	// The old list: the largest retirement practice open throughout (the
	// largest, so that chance moves its figures least).
	size := 0
	for _, p := range steady {
		if p.Profile != ProfileRetirement || p.Code == referrer {
			continue
		}
		if l, _ := p.ListSize(vw.Months[len(vw.Months)-1]); l.Total() > size {
			size, vw.OldList = l.Total(), p.Code
		}
	}
	rates, err := writeReferenceRates(b)
	if err != nil {
		return err
	}
	vw.ReferenceRatesFile = rates
	path, err := writeReferrals(b, gps, referrer, vw.OldList)
	if err != nil {
		return err
	}
	vw.ReferralsFile = path
	// England's rates first (nothing to compute yet), then the referrals
	// (each month computed against them); each prescribing month's import
	// then computes every measure of its month once more.
	b.step("referral-rates", rates)
	b.step("referrals", path)
	for _, f := range vw.PrescribingFiles {
		b.step("prescribing", f)
	}
	return nil
}

// over65 is the share of a list aged 65 or over.
func over65(l ListSize) float64 {
	old := 0
	for i := 13; i < NumAgeBands; i++ {
		old += l.Band(i)
	}
	return float64(old) / float64(l.Total())
}

// season is a gentle winter rise in prescribing (antibiotics most).
func season(m calendar.Month, group string) float64 {
	amp := 0.03
	if group == "antibiotic" || group == "broad" {
		amp = 0.18
	}
	return 1 + amp*math.Cos(2*math.Pi*float64(int(m.Mon)-1)/12)
}

// writeEPDPractice writes one practice's rows for a month and returns how
// many it wrote.
func writeEPDPractice(cw *csv.Writer, r *rand.Rand, w *World, p *Practice, l ListSize, m calendar.Month, habit map[string]float64) (int, error) {
	ccg := p.CommissionerOn(m.First())
	ccgName := ccg
	if c := w.Commissioner(ccg); c != nil {
		ccgName = c.Name
	}
	old := over65(l) / 0.18 // relative to an average list
	rows := 0
	for _, pr := range formulary {
		rate := pr.per1000 * float64(l.Total()) / 1000 * habit[pr.group] * season(m, pr.group)
		if pr.old {
			rate *= 0.5 + 0.5*old
		}
		items := poisson(r, rate)
		if items == 0 {
			continue
		}
		// Most presentations come in two pack sizes: the EPD has a row for
		// each, which the import adds together.
		parts := [][2]float64{{float64(items), pr.pack}}
		if items > 3 && pr.pack >= 28 {
			big := items / 4
			parts = [][2]float64{{float64(items - big), pr.pack}, {float64(big), pr.pack * 2}}
		}
		for _, part := range parts {
			n, qty := part[0], part[1]
			if n == 0 {
				continue
			}
			total := n * qty
			nic := total * pr.price
			actual := nic * (0.92 + 0.02*r.Float64())
			row := []string{
				fmt.Sprintf("%d%02d", m.Year, int(m.Mon)), w.Region.Name, w.Region.Code, w.AreaTeam.Name, w.AreaTeam.Code,
				ccgName, ccg + "00", p.Name, p.Code, p.Address[0], p.Address[1], p.Address[2], p.Address[3], p.Postcode,
				pr.code[:9], pr.chemical, pr.code, pr.name, "",
				ff(qty), strconv.Itoa(int(n)), ff(total), ff(total / 2), ff2(nic), ff2(actual), "N",
			}
			if err := cw.Write(row); err != nil {
				return rows, err
			}
			rows++
		}
	}
	return rows, nil
}

func ff(f float64) string  { return strconv.FormatFloat(f, 'f', 1, 64) }
func ff2(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// poisson draws a Poisson count with mean lambda (normal approximation for
// large means).
func poisson(r *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 40 {
		n := int(math.Round(lambda + math.Sqrt(lambda)*r.NormFloat64()))
		if n < 0 {
			return 0
		}
		return n
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// referralAgeFactor is the referral rate of an age band relative to the
// specialty's base rate: base × (age factor normalised so that an
// England-shaped list averages about base).
func referralAgeFactor(aging float64, exp bool, band int) float64 {
	age := float64(band) / float64(NumAgeBands-1)
	if exp {
		norm := 0.0
		for b, share := range englandShape {
			norm += share / 100 * math.Exp(aging*float64(b)/float64(NumAgeBands-1))
		}
		return math.Exp(aging*age) / norm
	}
	return (1 + aging*age*2) / (1 + aging)
}

// englandPatients is the registered population of England the demo's
// reference table describes.
const englandPatients = 60_000_000

// writeReferenceRates writes England's referrals by month, treatment
// function, sex and age band (docs/formats/referral-rates.md): the demo's
// own rates, at which a practice with the usual habits refers.
func writeReferenceRates(b *builder) (string, error) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.Write([]string{"period", "area", "treatment_function_code", "sex", "age_band", "referrals", "patients"}); err != nil {
		return "", err
	}
	for _, m := range b.w.Variation.Months {
		for _, f := range referralFunctions {
			for band := 0; band < NumAgeBands; band++ {
				all := englandPatients * englandShape[band] / 100
				for _, sex := range []string{"female", "male"} {
					pop := all * maleShare[band]
					if sex == "female" {
						pop = all - pop
					}
					n := math.Round(f.base * referralAgeFactor(f.aging, f.exp, band) * pop / 1000)
					if err := cw.Write([]string{m.String(), "england", f.code, sex, RegistryBand(AgeBands[band]),
						strconv.FormatFloat(n, 'f', 0, 64), strconv.FormatFloat(math.Round(pop), 'f', 0, 64)}); err != nil {
						return "", err
					}
				}
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return "", err
	}
	return b.writeFile("referrals/england-referral-rates.csv", buf.Bytes())
}

// writeReferrals writes every month's referrals by practice, treatment
// function, sex and age band (ccg's referrals format), so that referral
// measures can be standardised for each list's age and sex.
func writeReferrals(b *builder, gps []*Practice, referrer, oldList string) (string, error) {
	w := b.w
	r := b.rng("variation-referrals")
	habit := map[string]float64{}
	for _, p := range gps {
		habit[p.Code] = math.Exp(r.NormFloat64() * 0.08)
	}
	if oldList != "" {
		habit[oldList] = 1 // refers exactly at England's rates for its patients
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.Write([]string{"period", "practice_code", "treatment_function_code", "sex", "age_band", "priority", "referrals"}); err != nil {
		return "", err
	}
	for _, m := range w.Variation.Months {
		for _, p := range gps {
			l, ok := p.ListSize(m)
			if !ok || l.Total() == 0 || !p.OpenOn(m.First()) {
				continue
			}
			for _, f := range referralFunctions {
				h := habit[p.Code]
				if p.Code == referrer && f.code == "110" {
					h *= 2.6
				}
				for band := 0; band < NumAgeBands; band++ {
					ageF := referralAgeFactor(f.aging, f.exp, band)
					for _, sex := range []string{"female", "male"} {
						pop := l.Female[band]
						if sex == "male" {
							pop = l.Male[band]
						}
						if pop == 0 {
							continue
						}
						n := poisson(r, f.base*ageF*h*float64(pop)/1000)
						if n == 0 {
							continue
						}
						priority := "routine"
						if r.Float64() < 0.15 {
							priority = "urgent"
						}
						if err := cw.Write([]string{m.String(), p.Code, f.code, sex, RegistryBand(AgeBands[band]), priority, strconv.Itoa(n)}); err != nil {
							return "", err
						}
					}
				}
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return "", err
	}
	// The name declares the months the file replaces (docs/formats/referrals.md).
	ms := w.Variation.Months
	name := fmt.Sprintf("referrals/referrals_%s-%s.csv", strings.ReplaceAll(ms[0].String(), "-", ""), strings.ReplaceAll(ms[len(ms)-1].String(), "-", ""))
	return b.writeFile(name, buf.Bytes())
}
