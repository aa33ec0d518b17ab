package demo

import (
	"bytes"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"ccg/internal/calendar"
)

// listSizeHeader is the header row of NHS Digital's "Patients registered at
// a GP practice" five-year-band files.
const listSizeHeader = "PUBLICATION,EXTRACT_DATE,ORG_TYPE,ORG_CODE,ONS_CODE,POSTCODE,SEX,AGE_GROUP_5,NUMBER_OF_PATIENTS"

// listSizeFile names the list-size file for month m, under listsize/.
func listSizeFile(m calendar.Month) string {
	return "listsize/gp-reg-pat-prac-quin-age-" + m.String() + ".csv"
}

// extractDate formats the first of m as the files do: 01APR2019.
func extractDate(m calendar.Month) string {
	return strings.ToUpper(m.First().Format("02Jan2006"))
}

// englandShape is a registered-population age shape close to England's in
// 2019 (per cent of all patients, by AgeBands).
var englandShape = [NumAgeBands]float64{
	5.6, 6.0, 5.8, 5.4, 6.3, 7.0, 7.1, 6.8, 6.3, 6.7,
	7.0, 6.6, 5.7, 5.0, 5.0, 3.5, 2.6, 1.6, 0.75, 0.25,
}

// maleShare is the share of each band that is male: boys slightly outnumber
// girls, women increasingly outnumber men from the late sixties.
var maleShare = [NumAgeBands]float64{
	0.512, 0.512, 0.512, 0.513, 0.505, 0.500, 0.500, 0.500, 0.497, 0.495,
	0.494, 0.492, 0.490, 0.484, 0.475, 0.460, 0.435, 0.390, 0.320, 0.230,
}

// profileShape multiplies englandShape band by band to give each profile's
// shape.
var profileShape = map[Profile][NumAgeBands]float64{
	ProfileAverage:    {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
	ProfileFamily:     {1.3, 1.35, 1.3, 1.1, 0.75, 0.8, 1.05, 1.2, 1.2, 1.15, 1.05, 0.95, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.6, 0.6},
	ProfileRetirement: {0.65, 0.7, 0.75, 0.75, 0.55, 0.55, 0.6, 0.65, 0.75, 0.85, 1.0, 1.2, 1.45, 1.75, 1.9, 1.95, 2.0, 2.1, 2.2, 2.3},
	ProfileStudent:    {0.2, 0.15, 0.15, 2.6, 6.5, 2.2, 0.9, 0.5, 0.35, 0.3, 0.25, 0.2, 0.18, 0.15, 0.12, 0.1, 0.1, 0.1, 0.1, 0.1},
	ProfileYoungUrban: {1.25, 0.8, 0.65, 0.7, 1.5, 2.0, 1.9, 1.5, 1.1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4, 0.4, 0.4, 0.4, 0.4},
	ProfileDeprived:   {1.3, 1.25, 1.2, 1.15, 1.15, 1.15, 1.1, 1.0, 0.95, 0.95, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5},
	ProfileMarketTown: {0.9, 0.95, 1.0, 1.0, 0.75, 0.75, 0.8, 0.85, 0.95, 1.05, 1.15, 1.2, 1.25, 1.3, 1.35, 1.3, 1.25, 1.25, 1.2, 1.2},
}

// studentBands are the bands a university intake and its leavers move.
var studentBands = []int{3, 4, 5}

// studentSeason is the university practice's change in list size by
// calendar month, as a share of the list, over and above its trend: freshers
// register in October and November, graduates leave over the summer.
var studentSeason = map[time.Month]float64{
	time.April: -0.004, time.May: -0.005, time.June: -0.008, time.July: -0.015,
	time.August: -0.02, time.September: -0.01, time.October: 0.045, time.November: 0.04,
	time.December: -0.003, time.January: -0.003, time.February: -0.004, time.March: -0.004,
}

// Drift limits: a steady practice's monthly change (before per-band noise
// and rounding) stays within ±maxSteadyDrift.
const (
	monthlyNoise   = 0.0025 // standard deviation of the monthly change in list size
	bandNoise      = 0.003  // standard deviation of each band's own monthly change
	shapeNoise     = 0.08   // standard deviation of a practice's band weights around its profile
	maxSteadyDrift = 0.007
	closingDrift   = -0.02 // monthly change in the last three months before a closure
	closingMonths  = 3
)

// listState is a practice's list as it evolves, in fractional patients.
type listState struct {
	female, male [NumAgeBands]float64
}

func (s *listState) total() float64 {
	t := 0.0
	for i := range s.female {
		t += s.female[i] + s.male[i]
	}
	return t
}

// writeListSizes models every GP practice's list month by month, stores the
// results in Practice.Lists, and writes one file per month.
func writeListSizes(b *builder) error {
	w := b.w
	modelListSizes(w)
	for _, m := range w.Months {
		var buf bytes.Buffer
		buf.WriteString(listSizeHeader + "\r\n")
		ed := extractDate(m)
		for _, p := range w.Practices {
			l, ok := p.ListSize(m)
			if !ok {
				continue
			}
			prefix := "GP_PRAC_PAT_LIST," + ed + ",GP," + p.Code + ",," + p.Postcode + ","
			line := func(sex, band string, n int) {
				buf.WriteString(prefix + sex + "," + band + "," + strconv.Itoa(n) + "\r\n")
			}
			line("ALL", "ALL", l.Total())
			for _, s := range []struct {
				sex    string
				counts [NumAgeBands]int
			}{{"FEMALE", l.Female}, {"MALE", l.Male}} {
				for i, n := range s.counts {
					line(s.sex, AgeBands[i], n)
				}
				line(s.sex, "ALL", sum(s.counts[:]))
			}
		}
		path, err := b.writeFile(listSizeFile(m), buf.Bytes())
		if err != nil {
			return err
		}
		b.step(KindListSizes, path)
	}
	return nil
}

// modelListSizes fills Practice.Lists for every GP practice open in any of
// the world's months. Each practice draws from its own stream
// ("listsize/CODE"). A closing practice's patients move to the practices in
// its Dispersal in the month after its last.
func modelListSizes(w *World) {
	type model struct {
		p      *Practice
		rng    *rand.Rand
		state  *listState
		months int // months present so far
		last   calendar.Month
	}
	var models []*model
	for _, p := range w.Practices {
		if p.GP() {
			models = append(models, &model{p: p, rng: newRand(w.Seed, "listsize/"+p.Code)})
		}
	}
	for _, m := range w.Months {
		on := m.First()
		for _, md := range models {
			if !md.p.OpenOn(on) {
				continue
			}
			if md.state == nil {
				md.state = initialList(md.p, md.rng)
			} else {
				evolve(md.p, md.state, md.rng, m, md.months)
			}
			md.months++
			md.last = m
		}
		// Patients of practices that closed at the end of last month move.
		for _, md := range models {
			if md.state == nil || md.last != m.Add(-1) || md.p.OpenOn(on) {
				continue
			}
			for _, sh := range md.p.Dispersal {
				for _, to := range models {
					if to.p.Code == sh.Practice && to.state != nil && to.last == m {
						for i := range to.state.female {
							to.state.female[i] += sh.Share * md.state.female[i]
							to.state.male[i] += sh.Share * md.state.male[i]
						}
					}
				}
			}
		}
		for _, md := range models {
			if md.last == m {
				md.p.Lists = append(md.p.Lists, round(md.state, m))
			}
		}
	}
}

// initialList draws a practice's list in its first month: a size in the
// practice's range and an age-sex shape around its profile.
func initialList(p *Practice, rng *rand.Rand) *listState {
	c := castOf(p.Code)
	size := float64(c.size[0] + rng.IntN(c.size[1]-c.size[0]+1))
	mult := profileShape[p.Profile]
	var weights [NumAgeBands]float64
	total := 0.0
	for i := range weights {
		weights[i] = englandShape[i] * mult[i] * math.Exp(shapeNoise*rng.NormFloat64())
		total += weights[i]
	}
	s := &listState{}
	for i := range weights {
		ms := maleShare[i] + 0.01*rng.NormFloat64()
		if p.Profile == ProfileStudent && i >= 3 && i <= 5 {
			ms -= 0.03 // more women than men among students
		}
		ms = math.Min(0.6, math.Max(0.15, ms))
		n := size * weights[i] / total
		s.male[i] = n * ms
		s.female[i] = n - s.male[i]
	}
	return s
}

// evolve moves a practice's list on by one month to m; present is the number
// of months it has appeared so far.
func evolve(p *Practice, s *listState, rng *rand.Rand, m calendar.Month, present int) {
	noise := monthlyNoise * rng.NormFloat64()
	var r float64
	switch {
	case !p.Closed.IsZero() && !p.Closed.Before(m.First()) && p.Closed.Before(m.Add(closingMonths).First()):
		// the last months before a closure: patients leave early
		r = closingDrift + noise/2
	case p.Opened.After(firstMonth.First()):
		// a new practice fills quickly, then settles
		switch {
		case present <= 6:
			r = 0.08
		case present <= 12:
			r = 0.04
		default:
			r = 0.015
		}
		r += noise / 2
	default:
		r = math.Pow(1+p.Growth, 1.0/12) - 1 + noise
		r = math.Min(maxSteadyDrift, math.Max(-maxSteadyDrift, r))
	}
	// Each band moves a little on its own; the list as a whole moves by r.
	total := s.total()
	for i := range s.female {
		s.female[i] *= math.Exp(bandNoise * rng.NormFloat64())
		s.male[i] *= math.Exp(bandNoise * rng.NormFloat64())
	}
	scale := total * (1 + r) / s.total()
	for i := range s.female {
		s.female[i] *= scale
		s.male[i] *= scale
	}
	if p.Profile == ProfileStudent {
		students := 0.0
		for _, i := range studentBands {
			students += s.female[i] + s.male[i]
		}
		f := 1 + studentSeason[m.Mon]*total/students
		for _, i := range studentBands {
			s.female[i] *= f
			s.male[i] *= f
		}
	}
}

// round turns a list state into whole patients for month m, by largest
// remainder, so that the list total is the model's total rounded (band
// rounding errors do not add up to month-to-month jumps).
func round(s *listState, m calendar.Month) ListSize {
	type cell struct {
		v    *int
		frac float64
	}
	l := ListSize{Month: m}
	cells := make([]cell, 0, 2*NumAgeBands)
	floors := 0
	for i := range s.female {
		for k, x := range []float64{s.female[i], s.male[i]} {
			x = math.Max(0, x)
			v := &l.Female[i]
			if k == 1 {
				v = &l.Male[i]
			}
			*v = int(math.Floor(x))
			floors += *v
			cells = append(cells, cell{v, x - math.Floor(x)})
		}
	}
	sort.SliceStable(cells, func(a, b int) bool { return cells[a].frac > cells[b].frac })
	for k := 0; k < int(math.Round(s.total()))-floors && k < len(cells); k++ {
		*cells[k].v++
	}
	return l
}

// castOf returns the cast entry for a practice code.
func castOf(code string) castPractice {
	for _, c := range cast {
		if c.code == code {
			return c
		}
	}
	panic("demo: no cast entry for " + code)
}
