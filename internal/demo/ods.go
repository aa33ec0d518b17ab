package demo

import (
	"ccg/internal/calendar"
)

// ODS file names, under the ods/ directory of the world.
//
// Real ODS downloads have no PCT file of this shape any more; the demo writes
// its PCTs in the eccg layout as epct.csv (names contain "PRIMARY CARE
// TRUST", sub-type column 14 left empty) so that the ods-commissioners import
// reads both.
const (
	fileEauth = "ods/eauth.csv"
	fileEpct  = "ods/epct.csv"
	fileEccg  = "ods/eccg.csv"
	fileSucc  = "ods/succ.csv"
)

// Succession reasons and indicator written to succ.csv.
//
// The PCT handover of 1 April 2013 is written with the reason "Transfer":
// that is this project's convention (the PCTs' practices were transferred to
// the new CCGs), not an ODS code. The CCG merger uses "Merger".
//
// The fifth column follows ODS's forward-succession indicator: "F" when the
// successor has itself been succeeded (5XA -> 99X, later -> 99Z), empty when
// the successor is the end of the chain (99X -> 99Z).
const (
	ReasonTransfer   = "Transfer"
	ReasonMerger     = "Merger"
	IndicatorFurther = "F"
)

// odsColumns is the width of every ODS organisation file (epraccur, eccg,
// eauth, etr).
const odsColumns = 27

// writeODS writes eauth, epct, eccg, the epraccur snapshots and succ, in the
// order they are to be imported.
func writeODS(b *builder) error {
	w := b.w
	// eauth: the area team (column 3 = its region, column 14 "C"), then the
	// region (columns 3 and 4 empty), sorted by code as ODS sorts them.
	at := orgRow(w.AreaTeam, w.Region.Code, "", "C")
	rg := orgRow(w.Region, "", "", "")
	if err := b.writeODSRows(KindRegions, fileEauth, [][]string{at, rg}); err != nil {
		return err
	}
	var pcts, ccgs [][]string
	for _, c := range w.PCTs {
		pcts = append(pcts, orgRow(c.Org, w.Region.Code, w.AreaTeam.Code, ""))
	}
	for _, c := range w.CCGs {
		ccgs = append(ccgs, orgRow(c.Org, w.Region.Code, w.AreaTeam.Code, "C"))
	}
	if err := b.writeODSRows(KindCommissioners, fileEpct, pcts); err != nil {
		return err
	}
	if err := b.writeODSRows(KindCommissioners, fileEccg, ccgs); err != nil {
		return err
	}
	for _, d := range w.Snapshots {
		var rows [][]string
		for _, p := range w.Practices {
			if d.Before(p.Opened) {
				continue
			}
			rows = append(rows, epraccurRow(w, p, d))
		}
		if err := b.writeODSRows(KindPractices, snapshotFile(d), rows); err != nil {
			return err
		}
	}
	return b.writeODSRows(KindSuccessions, fileSucc, successionRows(w))
}

// snapshotFile names the epraccur file for snapshot date d.
func snapshotFile(d calendar.Date) string { return "ods/epraccur_" + odsDate(d) + ".csv" }

// orgRow is an eauth/eccg row: code, name, region, area team, five address
// lines, postcode, open, close, status (empty), sub-type, then empty columns
// with the amended-record indicator "0" in column 22.
func orgRow(o Org, region, area, subType string) []string {
	row := make([]string, odsColumns)
	row[0], row[1], row[2], row[3] = o.Code, o.Name, region, area
	copy(row[4:9], o.Address[:])
	row[9] = o.Postcode
	row[10], row[11] = odsDate(o.Opened), odsDate(o.Closed)
	row[13] = subType
	row[21] = "0"
	return row
}

// epraccurRow is a practice's row in the snapshot taken on d. An open
// practice belongs to the commissioner of the day, joined when that
// commissioner's era began (or when the practice opened, if later). A
// closed practice keeps the commissioner it had on its last day, with the
// close date as the date it left.
func epraccurRow(w *World, p *Practice, d calendar.Date) []string {
	status, on := "A", d
	if !p.Closed.IsZero() && !d.Before(p.Closed) {
		status, on = "C", p.Closed
	}
	comm := p.CommissionerOn(on)
	joined := eraStart(on)
	if joined.Before(p.Opened) {
		joined = p.Opened
	}
	left := calendar.Date{}
	if status == "C" {
		left = p.Closed
	}
	row := make([]string, odsColumns)
	row[0], row[1], row[2], row[3] = p.Code, p.Name, w.Region.Code, w.AreaTeam.Code
	copy(row[4:9], p.Address[:])
	row[9] = p.Postcode
	row[10], row[11] = odsDate(p.Opened), odsDate(p.Closed)
	if status == "A" {
		row[11] = "" // a snapshot does not know of a closure still to come
	}
	row[12], row[13] = status, "B"
	row[14], row[15], row[16] = comm, odsDate(joined), odsDate(left)
	row[17] = p.Phone
	row[21] = "0"
	row[23] = comm
	row[25] = p.Setting
	return row
}

// eraStart returns the start of the commissioning era d falls in: the PCTs'
// (from 2002-04-01), the first CCGs' (2013-04-01) or the merged CCG's
// (2020-04-01).
func eraStart(d calendar.Date) calendar.Date {
	switch {
	case d.Before(ccgStart):
		return pctOpen
	case d.Before(mergerDate):
		return ccgStart
	}
	return mergerDate
}

// successionRows are the succ.csv rows, oldest first: predecessor,
// successor, reason, effective date, forward-succession indicator.
func successionRows(w *World) [][]string {
	var rows [][]string
	for _, group := range []struct {
		from   []Commissioner
		reason string
	}{{w.PCTs, ReasonTransfer}, {w.CCGs, ReasonMerger}} {
		for _, c := range group.from {
			if c.Successor == "" {
				continue
			}
			ind := ""
			if s := w.Commissioner(c.Successor); s != nil && s.Successor != "" {
				ind = IndicatorFurther
			}
			rows = append(rows, []string{c.Code, c.Successor, group.reason, odsDate(c.Closed.AddDays(1)), ind})
		}
	}
	return rows
}
