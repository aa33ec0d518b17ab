package demo

import (
	"fmt"
	"sort"
	"strconv"

	"ccg/internal/calendar"
)

// The fixed codes of the demo world. They are fictional and do not collide
// with real ODS codes (real 99A and 99C are CCGs, Q99 is used for Wales, Y58
// is a real region).
const (
	RegionCode   = "Y99"
	AreaTeamCode = "Q98"
	PCTNorth     = "5XA" // succeeded by CCGNorth on 2013-04-01
	PCTSouth     = "5XB" // succeeded by CCGSouth on 2013-04-01
	CCGNorth     = "99X" // NHS RIVERSIDE NORTH CCG: North and Riverside localities
	CCGSouth     = "99Y" // NHS RIVERSIDE SOUTH CCG: Market Towns, Coast, City Centre
	CCGMerged    = "99Z" // NHS RIVERSIDE CCG, from 2020-04-01
	County       = "RIVERSHIRE"
)

var (
	pctOpen    = calendar.NewDate(2002, 4, 1)
	ccgStart   = calendar.NewDate(2013, 4, 1)
	mergerDate = calendar.NewDate(2020, 4, 1)
	mergedCCG  = CCGMerged
	firstMonth = calendar.MustMonth("2019-04")
	monthCount = 24
)

// snapshotDates are the dates of the three epraccur files: one in the PCT
// era, one in the CCG era, one on the day of the merger.
var snapshotDates = []calendar.Date{
	calendar.NewDate(2012, 3, 31),
	calendar.NewDate(2019, 3, 31),
	calendar.NewDate(2020, 4, 1),
}

// localities, in order: the first two in CCGNorth, the rest in CCGSouth.
var localities = []Locality{
	{Code: "LOC-NORTH", Name: "North", CCG: CCGNorth},
	{Code: "LOC-RIVERSIDE", Name: "Riverside", CCG: CCGNorth},
	{Code: "LOC-MARKET", Name: "Market Towns", CCG: CCGSouth},
	{Code: "LOC-COAST", Name: "Coast", CCG: CCGSouth},
	{Code: "LOC-CITY", Name: "City Centre", CCG: CCGSouth},
}

// castPractice is one practice of the fixed cast. size is the range its list
// is drawn from in April 2019 (or in its first month, if it opens later).
type castPractice struct {
	code, name, building, street, town, district string
	locality                                     int // index into localities; -1 for none
	profile                                      Profile
	size                                         [2]int
	growth                                       float64
	opened, closed                               string
	dispersal                                    []Share
	setting                                      string
	story                                        string
}

var cast = []castPractice{
	// North (CCGNorth): suburbs with young families and new housing.
	{code: "Y90001", name: "NORTHBRIDGE MEDICAL CENTRE", building: "NORTHBRIDGE MEDICAL CENTRE", street: "1 CHURCH STREET", town: "NORTHBRIDGE", district: "RV2", locality: 0, profile: ProfileFamily, size: [2]int{11000, 13500}, growth: 0.03, opened: "19740401"},
	{code: "Y90002", name: "THE ELMS SURGERY", building: "THE ELMS", street: "45 ELM GROVE", town: "NORTHBRIDGE", district: "RV2", locality: 0, profile: ProfileFamily, size: [2]int{7000, 9000}, growth: 0.005, opened: "19740401"},
	{code: "Y90003", name: "HIGHFIELD FAMILY PRACTICE", building: "HIGHFIELD HEALTH CENTRE", street: "MEADOW WAY", town: "HIGHFIELD", district: "RV3", locality: 0, profile: ProfileFamily, size: [2]int{8000, 10000}, growth: 0.07, opened: "19890401", story: "serves a large new housing estate: the list grows about 7% a year"},
	{code: "Y90004", name: "OAKWOOD SURGERY", building: "OAKWOOD SURGERY", street: "2 OAKWOOD DRIVE", town: "OAKWOOD", district: "RV3", locality: 0, profile: ProfileFamily, size: [2]int{5000, 6500}, growth: 0.01, opened: "19740401"},
	{code: "Y90005", name: "MILLBROOK HEALTH CENTRE", building: "MILLBROOK HEALTH CENTRE", street: "MILLBROOK ROAD", town: "NORTHBRIDGE", district: "RV2", locality: 0, profile: ProfileAverage, size: [2]int{9000, 11000}, growth: 0, opened: "19740401"},
	{code: "Y90006", name: "DR R K SHARMA'S PRACTICE", building: "THE SURGERY", street: "17 VICARAGE ROAD", town: "NORTHBRIDGE", district: "RV2", locality: 0, profile: ProfileAverage, size: [2]int{1800, 2300}, growth: -0.01, opened: "19850701", story: "a small single-handed practice"},
	{code: "Y90007", name: "ST JOHN'S ROAD SURGERY", building: "ST JOHN'S ROAD SURGERY", street: "88 ST JOHN'S ROAD", town: "NORTHBRIDGE", district: "RV2", locality: 0, profile: ProfileAverage, size: [2]int{4000, 5500}, growth: 0, opened: "19740401"},
	{code: "Y90008", name: "BRAMBLE LANE SURGERY", building: "BRAMBLE LANE SURGERY", street: "3 BRAMBLE LANE", town: "OAKWOOD", district: "RV3", locality: 0, profile: ProfileMarketTown, size: [2]int{2800, 3300}, growth: 0, opened: "19740401", closed: "20190930",
		dispersal: []Share{{"Y90002", 0.6}, {"Y90004", 0.4}}, story: "closes on 30 September 2019 when its partners retire; its patients move to THE ELMS SURGERY and OAKWOOD SURGERY"},

	// Riverside (CCGNorth): an older river town, mixed and deprived.
	{code: "Y90011", name: "RIVERSIDE MEDICAL CENTRE", building: "RIVERSIDE MEDICAL CENTRE", street: "10 QUAY STREET", town: "RIVERFORD", district: "RV4", locality: 1, profile: ProfileDeprived, size: [2]int{14000, 16500}, growth: 0.01, opened: "19740401"},
	{code: "Y90012", name: "QUAYSIDE SURGERY", building: "QUAYSIDE HOUSE", street: "2 THE QUAYSIDE", town: "RIVERFORD", district: "RV4", locality: 1, profile: ProfileYoungUrban, size: [2]int{6000, 8000}, growth: 0.02, opened: "19960401"},
	{code: "Y90013", name: "THE WATERSIDE PRACTICE", building: "WATERSIDE HEALTH CENTRE", street: "CANAL STREET", town: "RIVERFORD", district: "RV5", locality: 1, profile: ProfileDeprived, size: [2]int{9000, 11000}, growth: 0, opened: "19740401"},
	{code: "Y90014", name: "MARSH LANE SURGERY", building: "MARSH LANE SURGERY", street: "112 MARSH LANE", town: "RIVERFORD", district: "RV5", locality: 1, profile: ProfileDeprived, size: [2]int{3500, 4500}, growth: -0.005, opened: "19740401"},
	{code: "Y90015", name: "BRIDGE STREET SURGERY", building: "THE SURGERY", street: "27 BRIDGE STREET", town: "RIVERFORD", district: "RV4", locality: 1, profile: ProfileAverage, size: [2]int{5500, 7000}, growth: 0, opened: "19740401"},
	{code: "Y90016", name: "ST MARY'S HEALTH CENTRE", building: "ST MARY'S HEALTH CENTRE", street: "ST MARY'S ROAD", town: "RIVERFORD", district: "RV6", locality: 1, profile: ProfileAverage, size: [2]int{10000, 12500}, growth: 0.005, opened: "19740401"},
	{code: "Y90017", name: "WHARF ROAD MEDICAL PRACTICE", building: "WHARF ROAD MEDICAL PRACTICE", street: "5 WHARF ROAD", town: "RIVERFORD", district: "RV6", locality: 1, profile: ProfileYoungUrban, size: [2]int{4500, 6000}, growth: 0.015, opened: "19740401"},
	{code: "Y90018", name: "DOCKLANDS SURGERY", building: "DOCKLANDS SURGERY", street: "9 DOCK ROAD", town: "RIVERFORD", district: "RV5", locality: 1, profile: ProfileDeprived, size: [2]int{2500, 3000}, opened: "19740401", closed: "20160630",
		story: "closed on 30 June 2016, before the list-size months: status C in the 2019 and 2020 snapshots"},

	// Market Towns (CCGSouth): rural towns, older than average.
	{code: "Y90021", name: "ASHBY MARKET HEALTH CENTRE", building: "THE HEALTH CENTRE", street: "STATION ROAD", town: "ASHBY MARKET", district: "RV7", locality: 2, profile: ProfileMarketTown, size: [2]int{12000, 14000}, growth: 0.01, opened: "19740401"},
	{code: "Y90022", name: "KINGS WELDON SURGERY", building: "KINGS WELDON SURGERY", street: "4 HIGH STREET", town: "KINGS WELDON", district: "RV8", locality: 2, profile: ProfileMarketTown, size: [2]int{6500, 8000}, growth: 0.005, opened: "19740401"},
	{code: "Y90023", name: "STOWFORD MEDICAL PRACTICE", building: "STOWFORD MEDICAL PRACTICE", street: "LONDON ROAD", town: "STOWFORD", district: "RV9", locality: 2, profile: ProfileMarketTown, size: [2]int{8000, 9500}, growth: 0, opened: "19740401"},
	{code: "Y90024", name: "THE OLD FORGE SURGERY", building: "THE OLD FORGE", street: "1 FORGE LANE", town: "ASHBY MARKET", district: "RV7", locality: 2, profile: ProfileRetirement, size: [2]int{4000, 5000}, growth: 0, opened: "19740401"},
	{code: "Y90025", name: "CHURCH VIEW SURGERY", building: "CHURCH VIEW SURGERY", street: "6 CHURCH LANE", town: "KINGS WELDON", district: "RV8", locality: 2, profile: ProfileMarketTown, size: [2]int{5000, 6000}, growth: 0, opened: "19740401"},
	{code: "Y90026", name: "HAMBLE VALLEY PRACTICE", building: "THE SURGERY", street: "MILL ROAD", town: "LITTLE HAMBLE", district: "RV9", locality: 2, profile: ProfileMarketTown, size: [2]int{2300, 2900}, growth: -0.005, opened: "19740401", story: "a small rural practice"},
	{code: "Y90027", name: "THE LIMES SURGERY", building: "THE LIMES", street: "20 LIME AVENUE", town: "STOWFORD", district: "RV9", locality: 2, profile: ProfileFamily, size: [2]int{6000, 7500}, growth: 0.04, opened: "19740401", story: "a commuter town practice growing about 4% a year"},
	{code: "Y90028", name: "WILLOW TREE SURGERY", building: "WILLOW TREE SURGERY", street: "33 WILLOW ROAD", town: "ASHBY MARKET", district: "RV7", locality: 2, profile: ProfileMarketTown, size: [2]int{3500, 4500}, growth: 0, opened: "19740401"},

	// Coast (CCGSouth): seaside towns where people retire.
	{code: "Y90031", name: "SALTHAVEN MEDICAL CENTRE", building: "SALTHAVEN MEDICAL CENTRE", street: "1 MARINE PARADE", town: "SALTHAVEN", district: "RV10", locality: 3, profile: ProfileRetirement, size: [2]int{11000, 13000}, growth: 0.005, opened: "19740401"},
	{code: "Y90032", name: "SEAFRONT SURGERY", building: "SEAFRONT SURGERY", street: "58 THE ESPLANADE", town: "SALTHAVEN", district: "RV10", locality: 3, profile: ProfileRetirement, size: [2]int{6000, 7500}, growth: 0, opened: "19740401"},
	{code: "Y90033", name: "HARBOUR VIEW SURGERY", building: "HARBOUR VIEW", street: "HARBOUR ROAD", town: "GULLCLIFFE", district: "RV11", locality: 3, profile: ProfileRetirement, size: [2]int{4000, 5000}, growth: 0, opened: "19740401"},
	{code: "Y90034", name: "GULLCLIFFE SURGERY", building: "THE SURGERY", street: "14 CLIFF TOP ROAD", town: "GULLCLIFFE", district: "RV11", locality: 3, profile: ProfileRetirement, size: [2]int{5000, 6000}, growth: 0, opened: "19740401"},
	{code: "Y90035", name: "CLIFF ROAD PRACTICE", building: "CLIFF ROAD PRACTICE", street: "2 CLIFF ROAD", town: "SALTHAVEN", district: "RV10", locality: 3, profile: ProfileRetirement, size: [2]int{7000, 8500}, growth: 0, opened: "19740401"},
	{code: "Y90036", name: "MARSHEND SURGERY", building: "MARSHEND SURGERY", street: "40 FEN LANE", town: "MARSHEND", district: "RV12", locality: 3, profile: ProfileDeprived, size: [2]int{3000, 4000}, growth: -0.005, opened: "19740401"},
	{code: "Y90037", name: "THE LIGHTHOUSE PRACTICE", building: "THE LIGHTHOUSE", street: "7 NORTH QUAY", town: "SALTHAVEN", district: "RV10", locality: 3, profile: ProfileRetirement, size: [2]int{2500, 3100}, growth: 0, opened: "19740401", closed: "20200131",
		dispersal: []Share{{"Y90032", 0.55}, {"Y90035", 0.45}}, story: "closes on 31 January 2020 after failing to recruit; its patients move to SEAFRONT SURGERY and CLIFF ROAD PRACTICE"},
	{code: "Y90038", name: "PROMENADE HEALTH CENTRE", building: "PROMENADE HEALTH CENTRE", street: "90 THE PROMENADE", town: "SALTHAVEN", district: "RV10", locality: 3, profile: ProfileRetirement, size: [2]int{8500, 10000}, growth: 0.005, opened: "19740401"},

	// City Centre (CCGSouth): the university city.
	{code: "Y90041", name: "UNIVERSITY HEALTH CENTRE", building: "UNIVERSITY HEALTH CENTRE", street: "CAMPUS WAY", town: "RIVERCHESTER", district: "RV1", locality: 4, profile: ProfileStudent, size: [2]int{14000, 16000}, growth: 0, opened: "19740401", story: "a university practice: a large intake each October and November, leavers each summer"},
	{code: "Y90042", name: "CATHEDRAL MEDICAL PRACTICE", building: "CATHEDRAL MEDICAL PRACTICE", street: "3 CATHEDRAL CLOSE", town: "RIVERCHESTER", district: "RV1", locality: 4, profile: ProfileYoungUrban, size: [2]int{8000, 10000}, growth: 0.015, opened: "19740401"},
	{code: "Y90043", name: "CASTLE STREET SURGERY", building: "THE SURGERY", street: "61 CASTLE STREET", town: "RIVERCHESTER", district: "RV1", locality: 4, profile: ProfileYoungUrban, size: [2]int{5000, 6500}, growth: 0.01, opened: "19740401"},
	{code: "Y90044", name: "MARKET SQUARE SURGERY", building: "MARKET SQUARE SURGERY", street: "12 MARKET SQUARE", town: "RIVERCHESTER", district: "RV1", locality: 4, profile: ProfileAverage, size: [2]int{6000, 7500}, growth: 0, opened: "19740401"},
	{code: "Y90045", name: "ST PETER'S SURGERY", building: "ST PETER'S SURGERY", street: "8 ST PETER'S STREET", town: "RIVERCHESTER", district: "RV1", locality: 4, profile: ProfileDeprived, size: [2]int{9000, 11000}, growth: 0.005, opened: "19740401"},
	{code: "Y90046", name: "VICTORIA PARK MEDICAL CENTRE", building: "VICTORIA PARK MEDICAL CENTRE", street: "PARK ROAD", town: "RIVERCHESTER", district: "RV1", locality: 4, profile: ProfileFamily, size: [2]int{10000, 12000}, growth: 0.01, opened: "19740401"},
	{code: "Y90047", name: "STATION ROAD SURGERY", building: "STATION ROAD SURGERY", street: "25 STATION ROAD", town: "RIVERCHESTER", district: "RV1", locality: 4, profile: ProfileYoungUrban, size: [2]int{3500, 4500}, growth: 0.02, opened: "20040401"},
	{code: "Y90048", name: "RIVERCHESTER CENTRAL PRACTICE", building: "CITY GATE HEALTH HUB", street: "1 CITY GATE", town: "RIVERCHESTER", district: "RV1", locality: 4, profile: ProfileYoungUrban, size: [2]int{1550, 1750}, growth: 0, opened: "20191001",
		story: "opens on 1 October 2019 for new city-centre flats and grows quickly; first in the 2020 snapshot, which (as in real ODS) gives its membership only from 2020-04-01"},

	// Outside any locality: a walk-in centre (prescribing setting 1, no list).
	{code: "Y90090", name: "RIVERCHESTER WALK-IN CENTRE", building: "RIVERCHESTER HEALTH CENTRE", street: "BRIDGE ROAD", town: "RIVERCHESTER", district: "RV1", locality: -1, profile: ProfileNone, opened: "20090401", setting: SettingWalkIn,
		story: "a walk-in centre: prescribes, but has no registered list and no locality"},
}

// newWorld returns the fixed cast for seed, before any part has run.
func newWorld(seed int64) *World {
	addr := func(lines ...string) [5]string {
		var a [5]string
		copy(a[:], lines)
		return a
	}
	w := &World{
		Seed: seed,
		Region: Org{Code: RegionCode, Name: "RIVERSHIRE AND COAST COMMISSIONING REGION",
			Address: addr("QUAYSIDE HOUSE", "1 QUAYSIDE", "", "RIVERCHESTER", County), Postcode: "RV1 1AA",
			Opened: calendar.NewDate(2012, 10, 1)},
		AreaTeam: Org{Code: AreaTeamCode, Name: "NHS ENGLAND RIVERSHIRE (RIVERSIDE AND COAST)",
			Address: addr("QUAYSIDE HOUSE", "1 QUAYSIDE", "", "RIVERCHESTER", County), Postcode: "RV1 1AA",
			Opened: calendar.NewDate(2012, 10, 1)},
		PCTs: []Commissioner{
			{Org: Org{Code: PCTNorth, Name: "NHS RIVERSIDE PRIMARY CARE TRUST",
				Address: addr("RIVERFORD HOUSE", "24 QUAY STREET", "", "RIVERFORD", County), Postcode: "RV4 2HT",
				Opened: pctOpen, Closed: ccgStart.AddDays(-1)}, Successor: CCGNorth},
			{Org: Org{Code: PCTSouth, Name: "NHS SOUTH RIVERSHIRE PRIMARY CARE TRUST",
				Address: addr("ST ANNE'S HOUSE", "CATHEDRAL ROAD", "", "RIVERCHESTER", County), Postcode: "RV1 3PQ",
				Opened: pctOpen, Closed: ccgStart.AddDays(-1)}, Successor: CCGSouth},
		},
		CCGs: []Commissioner{
			{Org: Org{Code: CCGNorth, Name: "NHS RIVERSIDE NORTH CCG",
				Address: addr("NORTHBRIDGE HOUSE", "2 STATION APPROACH", "", "NORTHBRIDGE", County), Postcode: "RV2 4QA",
				Opened: ccgStart, Closed: mergerDate.AddDays(-1)}, Successor: CCGMerged},
			{Org: Org{Code: CCGSouth, Name: "NHS RIVERSIDE SOUTH CCG",
				Address: addr("CATHEDRAL COURT", "17 CATHEDRAL ROAD", "", "RIVERCHESTER", County), Postcode: "RV1 3PS",
				Opened: ccgStart, Closed: mergerDate.AddDays(-1)}, Successor: CCGMerged},
			{Org: Org{Code: CCGMerged, Name: "NHS RIVERSIDE CCG",
				Address: addr("RIVERSIDE HOUSE", "1 QUAYSIDE", "", "RIVERFORD", County), Postcode: "RV4 1AB",
				Opened: mergerDate}},
		},
		PredecessorCCGs: []string{CCGNorth, CCGSouth},
		MergedCCG:       CCGMerged,
		CCGStart:        ccgStart,
		MergerDate:      mergerDate,
		Localities:      append([]Locality(nil), localities...),
		Snapshots:       append([]calendar.Date(nil), snapshotDates...),
	}
	for i := 0; i < monthCount; i++ {
		w.Months = append(w.Months, firstMonth.Add(i))
	}
	pctOf := map[string]string{CCGNorth: PCTNorth, CCGSouth: PCTSouth}
	for _, c := range cast {
		p := &Practice{
			Code:      c.code,
			Name:      c.name,
			Address:   addr(c.building, c.street, c.town, County),
			Postcode:  c.district + " " + inwardCode(c.code),
			Phone:     "01632 960" + c.code[len(c.code)-3:],
			Setting:   c.setting,
			Opened:    calendar.MustDate(c.opened),
			Closed:    calendar.MustDate(c.closed),
			Profile:   c.profile,
			Growth:    c.growth,
			Dispersal: c.dispersal,
			Story:     c.story,
		}
		if p.Setting == "" {
			p.Setting = SettingGP
		}
		ccg := CCGSouth // the walk-in centre is in the city
		if c.locality >= 0 {
			p.Locality = localities[c.locality].Code
			ccg = localities[c.locality].CCG
		}
		p.CCG, p.PCT = ccg, pctOf[ccg]
		w.Practices = append(w.Practices, p)
	}
	sort.Slice(w.Practices, func(i, j int) bool { return w.Practices[i].Code < w.Practices[j].Code })
	return w
}

// inwardCode derives a valid-shaped postcode inward code (digit, two letters
// from the set postcodes use) from a practice code.
func inwardCode(code string) string {
	const letters = "ABDEFGHJLNPQRSTUWXYZ"
	n, err := strconv.Atoi(code[1:])
	if err != nil {
		panic(fmt.Sprintf("demo: practice code %q", code))
	}
	return fmt.Sprintf("%d%c%c", 1+n%9, letters[(n*7)%len(letters)], letters[(n*13+5)%len(letters)])
}
