// Package bench measures ccg's prescribing analytics at national scale: it
// generates a synthetic month of the English Prescribing Dataset in the
// real layout, imports it and computes every measure, and compares that
// with the same work done by PostgreSQL and with DuckDB alone (the floor).
//
// The small version runs with the normal tests so the benchmark cannot rot;
// `make bench` runs the national-size one (see bench_test.go).
package bench

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"

	"ccg/internal/calendar"
)

// EPDHeader is the column layout of the English Prescribing Dataset as
// published since 2023 (ICB columns, BNF_PRESENTATION_CODE, ADQ_USAGE and a
// trailing SNOMED_CODE).
const EPDHeader = "YEAR_MONTH,REGIONAL_OFFICE_NAME,REGIONAL_OFFICE_CODE,ICB_NAME,ICB_CODE,PCO_NAME,PCO_CODE," +
	"PRACTICE_NAME,PRACTICE_CODE,ADDRESS_1,ADDRESS_2,ADDRESS_3,ADDRESS_4,POSTCODE,BNF_CHEMICAL_SUBSTANCE," +
	"CHEMICAL_SUBSTANCE_BNF_DESCR,BNF_PRESENTATION_CODE,BNF_PRESENTATION_NAME,BNF_CHAPTER_PLUS_CODE,QUANTITY," +
	"ITEMS,TOTAL_QUANTITY,ADQ_USAGE,NIC,ACTUAL_COST,UNIDENTIFIED,SNOMED_CODE"

// Spec sizes a synthetic month.
type Spec struct {
	Month         calendar.Month
	Rows          int // data rows, pack-size rows included
	Organisations int // prescribing organisations (practices)
	Presentations int // distinct BNF presentation codes
	CCGs          int
	Seed          uint64
}

// NationalSpec is about the size of a national month: 17 million rows,
// 8,000 prescribing organisations, 20,000 presentations.
func NationalSpec(month calendar.Month) Spec {
	return Spec{Month: month, Rows: 17_000_000, Organisations: 8_000, Presentations: 20_000, CCGs: 106, Seed: 2024}
}

// SmallSpec is a small month for the test suite.
func SmallSpec(month calendar.Month) Spec {
	return Spec{Month: month, Rows: 200_000, Organisations: 400, Presentations: 3_000, CCGs: 8, Seed: 7}
}

// Org is one synthetic prescribing organisation.
type Org struct {
	Code, CCG string
}

// Orgs returns the organisations a spec generates, with their CCG codes,
// so that a registry can be built to match.
func (s Spec) Orgs() []Org {
	out := make([]Org, s.Organisations)
	for i := range out {
		out[i] = Org{Code: orgCode(i), CCG: ccgCode(i % s.CCGs)}
	}
	return out
}

func orgCode(i int) string {
	return string(rune('A'+i/90000%26)) + strconv.Itoa(10000+i%90000)
}

func ccgCode(i int) string {
	return fmt.Sprintf("%02d%c", i%100, 'A'+rune(i/100%26))
}

// seedChemicals are real chemical-substance prefixes (so that ccg's
// measures find rows); the rest of the presentations are made up.
var seedChemicals = []string{
	"0501013K0", "0501013B0", "0501021L0", "0501120L0", "0501080W0", "0501130R0", "0501030I0", "0501011P0",
	"0407020Q0", "0407020AD", "0407020A0", "0407020B0", "0407010Q0", "0407020AF", "0407010H0", "0407010F0",
	"0408010G0", "0408010AE", "0408010A0", "0103050P0", "0103050L0", "0103050E0", "0401010Z0", "0401020K0",
	"0401010T0", "0403010J0", "0403010Y0", "0403030Q0", "1001010J0", "1001010P0", "1001010C0", "1001010AH",
	"0212000B0", "0212000Y0", "0205051R0", "0206020A0", "0602010V0", "0601022B0", "0204000H0", "0906040G0",
}

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

type presentation struct {
	code, name, chem, chemName, snomed string
	price                              float64 // cost per unit, pounds
	pack                               float64 // usual pack size
}

// Generate writes the synthetic month as CSV in the EPD layout.
// Each organisation gets about Rows/Organisations rows; popular
// presentations are more likely, and about one row in five is a second
// pack size of a presentation the practice already has (which the import
// must sum).
func Generate(w io.Writer, s Spec) error {
	rng := rand.New(rand.NewPCG(s.Seed, s.Seed^0x9e3779b97f4a7c15))
	bw := bufio.NewWriterSize(w, 1<<20)
	pres := make([]presentation, s.Presentations)
	for i := range pres {
		var chem string
		if i < len(seedChemicals)*12 {
			chem = seedChemicals[i%len(seedChemicals)]
		} else {
			chem = fmt.Sprintf("%02d%02d%02d%d%c%c", 1+rng.IntN(15), 1+rng.IntN(9), 1+rng.IntN(9), rng.IntN(9),
				alnum[rng.IntN(36)], alnum[rng.IntN(36)])
		}
		product := "AA"
		if rng.IntN(4) == 0 {
			product = "B" + string(alnum[10+rng.IntN(26)])
		}
		strength := string(alnum[10+rng.IntN(26)]) + string(alnum[10+rng.IntN(26)])
		code := chem + product + strength + strength
		if i < len(seedChemicals)*12 {
			code = chem + product + fmt.Sprintf("A%c", 'A'+rune(i/len(seedChemicals))) + fmt.Sprintf("A%c", 'A'+rune(i/len(seedChemicals)))
		}
		pres[i] = presentation{
			code: code, chem: chem,
			name:     "Synthetic presentation " + strconv.Itoa(i) + "_Tab " + strconv.Itoa(5*(1+rng.IntN(40))) + "mg",
			chemName: "Substance " + chem,
			snomed:   strconv.FormatInt(int64(3e14)+int64(rng.Uint32()), 10),
			price:    math.Round((0.01+rng.ExpFloat64()*0.4)*1000) / 1000,
			pack:     float64([]int{7, 14, 28, 28, 30, 56, 60, 84, 100, 112}[rng.IntN(10)]),
		}
	}
	// Zipf-like popularity: index = floor(n * u^2.2).
	pick := func() int { return int(float64(len(pres)) * math.Pow(rng.Float64(), 2.2)) }

	fmt.Fprintln(bw, EPDHeader)
	ym := fmt.Sprintf("%04d%02d", s.Month.Year, int(s.Month.Mon))
	orgs := s.Orgs()
	perOrg := s.Rows / len(orgs)
	extra := s.Rows - perOrg*len(orgs)
	buf := make([]byte, 0, 512)
	for oi, o := range orgs {
		n := perOrg
		if oi < extra {
			n++
		}
		prefix := fmt.Sprintf("%s,NORTH EAST AND YORKSHIRE,Y63,NHS SYNTHETIC %s INTEGRATED CARE BOARD,Q%s,NHS SYNTHETIC %s ICB - %s,%s00,"+
			"SYNTHETIC MEDICAL PRACTICE %s,%s,THE SURGERY,%d HIGH STREET,SYNTHTOWN,SYNTHSHIRE,ST%d %dAB,",
			ym, o.CCG, o.CCG, o.CCG, o.CCG, o.CCG, o.Code, o.Code, 1+oi%200, 1+oi%99, oi%10)
		size := 0.5 + rng.Float64() // practice size factor
		var last int
		for r := 0; r < n; r++ {
			pi := pick()
			if r > 0 && rng.IntN(5) == 0 {
				pi = last // another pack size of the same presentation
			}
			last = pi
			p := &pres[pi]
			items := 1 + int(rng.ExpFloat64()*6*size)
			qty := p.pack
			if rng.IntN(3) == 0 {
				qty = p.pack * float64(1+rng.IntN(3))
			}
			total := qty * float64(items)
			nic := math.Round(total*p.price*100) / 100
			cost := math.Round(nic*0.93*100000) / 100000
			buf = buf[:0]
			buf = append(buf, prefix...)
			buf = append(buf, p.chem...)
			buf = append(buf, ',')
			buf = append(buf, p.chemName...)
			buf = append(buf, ',')
			buf = append(buf, p.code...)
			buf = append(buf, ',')
			buf = append(buf, p.name...)
			buf = append(buf, ',')
			buf = append(buf, p.code[:2]...)
			buf = append(buf, ": Synthetic chapter,"...)
			buf = strconv.AppendFloat(buf, qty, 'f', 1, 64)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(items), 10)
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, total, 'f', 1, 64)
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, total/2, 'f', 1, 64)
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, nic, 'f', 2, 64)
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, cost, 'f', 5, 64)
			buf = append(buf, ",N,"...)
			buf = append(buf, p.snomed...)
			buf = append(buf, '\n')
			if _, err := bw.Write(buf); err != nil {
				return fmt.Errorf("bench: generate: %w", err)
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("bench: generate: %w", err)
	}
	return nil
}
