package demo

import (
	"bytes"
	"encoding/csv"

	"ccg/internal/calendar"
)

// fileLocalities is the CCG's own locality file, under the world's ccg/
// directory (the files a CCG keeps itself, as opposed to national downloads).
const fileLocalities = "ccg/localities.csv"

// localitiesHeader is the header of the localities file.
var localitiesHeader = []string{"practice_code", "locality_name", "from_date", "locality_code", "ccg_code"}

// writeLocalities writes ccg/localities.csv: for each GP practice, one row
// from the day it joined a CCG (2013-04-01, or its opening if later) naming
// its locality and predecessor CCG, and, if it was still open at the merger,
// one row from 2020-04-01 naming the same locality under the merged CCG.
// Locality codes ("LOC-NORTH", ...) stay the same across the merger. Dates
// are YYYY-MM-DD; rows are by practice code, then date. Settings outside any
// locality (the walk-in centre) have no rows.
func writeLocalities(b *builder) error {
	w := b.w
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.Write(localitiesHeader); err != nil {
		return err
	}
	for _, p := range w.Practices {
		if p.Locality == "" {
			continue
		}
		loc := w.Locality(p.Locality)
		eras := []struct{ from, to calendar.Date }{{w.CCGStart, w.MergerDate}, {w.MergerDate, calendar.Date{}}}
		for _, era := range eras {
			from := era.from
			if from.Before(p.Opened) {
				from = p.Opened
			}
			if !from.Within(era.from, era.to) || !p.OpenOn(from) {
				continue
			}
			if err := cw.Write([]string{p.Code, loc.Name, from.String(), loc.Code, p.CommissionerOn(from)}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	path, err := b.writeFile(fileLocalities, buf.Bytes())
	if err != nil {
		return err
	}
	b.step(KindLocalities, path)
	return nil
}
