package demo

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"

	"ccg/internal/calendar"
)

// KindLedger is the import kind of general-ledger actuals.
const KindLedger = "ledger"

// FinanceWorld is what the finance part of the demo wrote: two years of
// general-ledger actuals (2019/20 in the two CCGs' ledgers, 2020/21 in the
// merged CCG's, to the end of January 2021 so that the rest of the year is
// forecast), the budgets the governing bodies set (seeded, not imported),
// the handover agreements (one PCT withholds part of what it owes), and
// what practices' prescribing budgets start from.
type FinanceWorld struct {
	// LedgerFiles are the ledger extracts, one per financial year.
	LedgerFiles []string
	// Budgets are the annual budgets by organisation, year and programme.
	Budgets []DemoBudget
	// Through is the last month with actuals (2021-01).
	Through calendar.Month
	// Agreements are the transfers at the 2013 handover and the 2020 merger.
	Agreements []DemoAgreement
	// NeedIndex is a need index per practice (1.0 is average need), and
	// NeedSource names it.
	NeedIndex  map[string]float64
	NeedSource string
	// PrescribingPerHead is the pound figure per patient used for a
	// practice's "current" prescribing budget when no prescribing data has
	// been imported.
	PrescribingPerHead float64
	// Overspends are the programmes whose spending runs above budget, by
	// how much (a fraction: 0.025 is 2.5%).
	Overspends map[string]float64
	// Rows counts the ledger rows written.
	Rows int
}

// DemoBudget is one annual budget line.
type DemoBudget struct {
	Org       string
	Year      calendar.FinancialYear
	Programme string
	// Pence is the annual amount.
	Pence int64
}

// DemoAgreement is money one organisation agreed to pay another, with
// what was received.
type DemoAgreement struct {
	From, To, Description, Reference string
	Pence                            int64
	Agreed, Due                      calendar.Date
	Receipts                         []DemoReceipt
}

// DemoReceipt is a payment received against a DemoAgreement.
type DemoReceipt struct {
	Received calendar.Date
	Pence    int64
}

// demoProgrammes are the programmes with their share of a CCG's money and
// ledger cost centres.
var demoProgrammes = []struct {
	code    string
	share   float64
	centres []string
}{
	{"acute", 0.47, []string{"AC100 Acute contracts", "AC200 Non-contract activity"}},
	{"community", 0.10, []string{"CM100 Community services"}},
	{"mental-health", 0.12, []string{"MH100 Mental health contracts"}},
	{"prescribing", 0.12, []string{"RX100 Primary care prescribing"}},
	{"primary-care", 0.09, []string{"PC100 Primary care"}},
	{"continuing-healthcare", 0.08, []string{"CH100 Continuing healthcare"}},
	{"running-costs", 0.02, []string{"RC100 Running costs"}},
}

// seasonal is the monthly profile of spending, April first (winter costs more).
var seasonal = [12]float64{0.97, 0.99, 0.97, 1.0, 0.96, 0.98, 1.01, 1.02, 1.03, 1.06, 1.0, 1.01}

// writeFinance writes the ledger extracts and describes the budgets and
// agreements the CLI seeds.
func writeFinance(b *builder) error {
	w := b.w
	fw := FinanceWorld{Through: calendar.MustMonth("2021-01"), NeedIndex: map[string]float64{},
		NeedSource: "demo deprivation index by practice, 2019", PrescribingPerHead: 160,
		Overspends: map[string]float64{"acute": 0.025, "continuing-healthcare": 0.06}}
	r := b.rng("finance/need")
	for _, p := range w.Practices {
		if p.GP() {
			fw.NeedIndex[p.Code] = math.Round((0.85+0.35*r.Float64())*1000) / 1000
		}
	}
	// Budgets: about £1,250 a head of the population registered in April of
	// the year, shared by programme, to the pound.
	type orgYear struct {
		org  string
		year calendar.FinancialYear
	}
	var orgYears []orgYear
	for _, c := range w.PredecessorCCGs {
		orgYears = append(orgYears, orgYear{c, 2019})
	}
	orgYears = append(orgYears, orgYear{w.MergedCCG, 2020})
	for _, oy := range orgYears {
		heads := w.RegisteredIn(oy.org, oy.year.Start())
		if heads == 0 {
			return fmt.Errorf("finance: %s has no registered patients in %s", oy.org, oy.year.Start())
		}
		for _, p := range demoProgrammes {
			pounds := math.Round(float64(heads) * 1250 * p.share)
			fw.Budgets = append(fw.Budgets, DemoBudget{Org: oy.org, Year: oy.year, Programme: p.code, Pence: int64(pounds) * 100})
		}
	}

	// Ledger actuals: each month's share of the budget by the seasonal
	// profile, with noise, and the overspending programmes running above it.
	for _, oy := range orgYears {
		var buf bytes.Buffer
		cw := csv.NewWriter(&buf)
		cw.UseCRLF = true
		if err := cw.Write([]string{"period", "cost_centre", "programme", "amount", "locality", "description", "organisation"}); err != nil {
			return err
		}
		rr := b.rng(fmt.Sprintf("finance/ledger/%s/%d", oy.org, int(oy.year)))
		localities := []string{}
		for _, l := range w.Localities {
			if oy.year >= 2020 || l.CCG == oy.org {
				localities = append(localities, l.Code)
			}
		}
		for i, m := range oy.year.Months() {
			if fw.Through.Before(m) {
				break
			}
			for _, p := range demoProgrammes {
				annual := 0.0
				for _, bd := range fw.Budgets {
					if bd.Org == oy.org && bd.Year == oy.year && bd.Programme == p.code {
						annual = float64(bd.Pence) / 100
					}
				}
				month := annual / 12 * seasonal[i] * (1 + fw.Overspends[p.code]) * (1 + 0.02*(rr.Float64()-0.5))
				// Community spending is recorded by locality; the rest
				// commissioner-wide, split between the cost centres.
				var parts []struct{ centre, loc string }
				if p.code == "community" {
					for _, l := range localities {
						parts = append(parts, struct{ centre, loc string }{p.centres[0], l})
					}
				} else {
					for _, c := range p.centres {
						parts = append(parts, struct{ centre, loc string }{c, ""})
					}
				}
				for k, part := range parts {
					share := month / float64(len(parts))
					if len(parts) == 2 {
						share = month * []float64{0.85, 0.15}[k]
					}
					code, desc := splitCentre(part.centre)
					rec := []string{m.String(), code, p.code, ledgerAmount(share), part.loc, desc, oy.org}
					if err := cw.Write(rec); err != nil {
						return err
					}
					fw.Rows++
				}
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		path, err := b.writeFile(fmt.Sprintf("finance/ledger-%s-%d.csv", oy.org, int(oy.year)), buf.Bytes())
		if err != nil {
			return err
		}
		fw.LedgerFiles = append(fw.LedgerFiles, path)
		b.step(KindLedger, path)
	}

	// The handover: each PCT agreed to pass its closing balance to its CCG
	// by the end of September 2013. 5XA paid in full; 5XB paid two thirds
	// and withheld the rest, disputing it. At the merger 99X's and 99Y's
	// year-end balances passed to 99Z and were paid.
	d := calendar.MustDate
	fw.Agreements = []DemoAgreement{
		{From: "5XA", To: "99X", Description: "Closing balance of the PCT at handover", Reference: "HO-2013-5XA", Pence: 120000000,
			Agreed: d("2013-04-01"), Due: d("2013-09-30"), Receipts: []DemoReceipt{{d("2013-07-15"), 60000000}, {d("2013-09-20"), 60000000}}},
		{From: "5XB", To: "99Y", Description: "Closing balance of the PCT at handover", Reference: "HO-2013-5XB", Pence: 90000000,
			Agreed: d("2013-04-01"), Due: d("2013-09-30"), Receipts: []DemoReceipt{{d("2013-08-30"), 60000000}}},
		{From: "99X", To: "99Z", Description: "Year-end balance passed on at the merger", Reference: "MG-2020-99X", Pence: 25000000,
			Agreed: d("2020-04-01"), Due: d("2020-06-30"), Receipts: []DemoReceipt{{d("2020-06-15"), 25000000}}},
		{From: "99Y", To: "99Z", Description: "Year-end balance passed on at the merger", Reference: "MG-2020-99Y", Pence: 18000000,
			Agreed: d("2020-04-01"), Due: d("2020-06-30"), Receipts: []DemoReceipt{{d("2020-06-29"), 18000000}}},
	}
	w.Finance = fw
	return nil
}

// splitCentre splits "AC100 Acute contracts" into code and description.
func splitCentre(s string) (string, string) {
	for i := range s {
		if s[i] == ' ' {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// ledgerAmount writes pounds with pence as ledgers export them: thousands
// separators (so the field is quoted), two decimal places.
func ledgerAmount(v float64) string {
	pence := int64(math.Round(v * 100))
	neg := pence < 0
	if neg {
		pence = -pence
	}
	whole := strconv.FormatInt(pence/100, 10)
	var out []byte
	for i := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, whole[i])
	}
	s := fmt.Sprintf("%s.%02d", out, pence%100)
	if neg {
		s = "-" + s
	}
	return s
}
