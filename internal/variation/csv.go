package variation

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"ccg/internal/csvsafe"
)

// ValuesCSVHeader is the header row WriteValuesCSV writes.
var ValuesCSVHeader = []string{
	"measure_id", "month", "level", "org_code", "numerator", "denominator", "value", "percentile",
	"cost_saving_10", "cost_saving_20", "cost_saving_30", "cost_saving_40", "cost_saving_50",
	"cost_saving_60", "cost_saving_70", "cost_saving_80", "cost_saving_90",
	"lower_95", "upper_95", "lower_998", "upper_998", "limits_adjusted", "z",
	"outlier_high_95", "outlier_low_95", "outlier_high_998", "outlier_low_998", "quality",
	"expected", "ratio", "ratio_lower_95", "ratio_upper_95", "ratio_lower_998", "ratio_upper_998", "ratio_method",
	"ratio_basis", "ratio_reference", "ratio_note",
}

// WriteValuesCSV writes values as CSV with a header row (ValuesCSVHeader).
// Percentiles are 0-100; a cell is empty where the figure is undefined
// (no value, no percentile, not a cost-based measure, no funnel limits).
// The last columns are the standardised ratio (observed / expected, with
// its 95% and 99.8% limits, Exact or Byars, the basis and the reference);
// they are empty for measures without one, and ratio_note then says why
// when the measure could have had one.
// Every text cell is neutralised against spreadsheet formula injection: a
// cell that starts with = + - @, a tab or a carriage return gets a leading
// apostrophe, unless it is a plain number.
func WriteValuesCSV(w io.Writer, values []MeasureValue) error {
	cw := csv.NewWriter(w)
	safe := csvsafe.Row
	if err := cw.Write(ValuesCSVHeader); err != nil {
		return fmt.Errorf("variation: write csv: %w", err)
	}
	row := make([]string, len(ValuesCSVHeader))
	for _, v := range values {
		row = row[:0]
		row = append(row, v.MeasureID, v.Month.String(), string(v.Level), v.OrgCode, num(v.Numerator), num(v.Denominator), optNum(v.Value), optNum(v.Percentile))
		for _, k := range DecileKeys {
			if s, ok := v.CostSavings[k]; ok {
				row = append(row, num(s))
			} else {
				row = append(row, "")
			}
		}
		if l := v.Limits; l != nil {
			row = append(row, num(l.Lower95), num(l.Upper95), num(l.Lower998), num(l.Upper998), strconv.FormatBool(l.Adjusted), num(l.Z))
		} else {
			row = append(row, "", "", "", "", "", "")
		}
		row = append(row, strconv.FormatBool(v.Flags.High95), strconv.FormatBool(v.Flags.Low95),
			strconv.FormatBool(v.Flags.High998), strconv.FormatBool(v.Flags.Low998), strings.Join(v.Flags.Quality, ";"))
		if s := v.Std; s != nil {
			row = append(row, num(s.Expected), num(s.Ratio), num(s.Lower), num(s.Upper), num(s.Lower998), num(s.Upper998), s.Method,
				s.Basis, s.Reference, s.ReferenceNote)
		} else {
			row = append(row, "", "", "", "", "", "", "", "", "", v.StdWhy)
		}
		if err := cw.Write(safe(row)); err != nil {
			return fmt.Errorf("variation: write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("variation: write csv: %w", err)
	}
	return nil
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func optNum(f *float64) string {
	if f == nil {
		return ""
	}
	return num(*f)
}
