package opcompat

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"

	duckdbdriver "github.com/duckdb/duckdb-go/v2"

	"ccg/internal/calendar"
	"ccg/internal/variation"
)

// LowPriority are the 24 measures of NHS England's "items which should not
// routinely be prescribed in primary care" whose per-practice figures
// OpenPrescribing's practice_data_all_low_priority view unions (lpzomnibus
// sums them; its denominator divides the summed list sizes by 24).
var LowPriority = []string{
	"lpcoprox", "lpdosulepin", "lpdoxazosin", "lpfentanylir", "lpglucosamine", "lpherbal", "lphomeopathy", "lplidocaine",
	"lpliothyronine", "lplutein", "lpomega3", "lpoxycodone", "lpperindopril", "lprubefacients", "lptramadolpara", "lptravelvacs",
	"lptrimipramine", "lpaliskiren", "lpamiodarone", "lpbathshoweremollients", "lpdronedarone", "lpminocycline", "lpneedles",
	"lpsilkgarments",
}

// readsLowPriority reports whether a measure's SQL reads the union of the
// low-priority measures.
func readsLowPriority(m variation.Measure) bool {
	for _, p := range []variation.Part{m.Numerator, m.Denominator} {
		if p.SQL != nil && strings.Contains(strings.ToLower(p.SQL.From), "practice_data_all_low_priority") {
			return true
		}
	}
	return false
}

// addLowPriority fills measures.practice_data_all_low_priority (and its
// vw__ twin) with each low-priority measure's numerator and denominator
// per practice in the month, computed as ccg computes them. A measure not
// imported counts 0 in the numerator and the practice's list size (per
// 1,000) in the denominator, as every low-priority measure is per 1,000
// patients; notes names them.
func (a *Analytics) addLowPriority(ctx context.Context, sb *Sandbox, month calendar.Month) (missing []string, err error) {
	stored, err := a.Analytics.StoredMeasures(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]variation.Measure{}
	for _, m := range stored {
		byID[m.ID] = m
	}
	var ms []variation.Measure
	for _, id := range LowPriority {
		m, ok := byID[id]
		if !ok || readsLowPriority(m) {
			missing = append(missing, id)
			continue
		}
		ms = append(ms, m)
	}
	sums, err := a.Sums(ctx, month, ms)
	if err != nil {
		return nil, err
	}
	num := map[string]map[string]float64{}
	for _, s := range sums {
		if num[s.MeasureID] == nil {
			num[s.MeasureID] = map[string]float64{}
		}
		num[s.MeasureID][s.Practice] += s.Numerator
	}
	var pops map[string]variation.Population
	if a.src.Registry != nil {
		if pops, err = a.src.Registry.Populations(ctx, month); err != nil {
			return nil, err
		}
	}
	if err := sb.lowPriorityTables(ctx); err != nil {
		return nil, err
	}
	conn, err := sb.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	first := month.First().Time()
	err = conn.Raw(func(dc any) error {
		app, err := duckdbdriver.NewAppenderFromConn(dc.(driver.Conn), "measures", "practice_data_all_low_priority")
		if err != nil {
			return err
		}
		for _, id := range LowPriority {
			for practice, pop := range pops {
				if err := app.AppendRow(first, practice, id, num[id][practice], pop.Of(variation.QuantityListSize)); err != nil {
					app.Close()
					return err
				}
			}
		}
		return app.Close()
	})
	if err != nil {
		return nil, fmt.Errorf("low-priority measures: %w", err)
	}
	return missing, nil
}

// lowPriorityTables creates the (empty) union of the low-priority measures.
func (sb *Sandbox) lowPriorityTables(ctx context.Context) error {
	return sb.exec(ctx, "CREATE TABLE measures.practice_data_all_low_priority (month TIMESTAMP, practice VARCHAR, measure_id VARCHAR, numerator DOUBLE, denominator DOUBLE)",
		"CREATE VIEW measures.vw__practice_data_all_low_priority AS SELECT * FROM measures.practice_data_all_low_priority")
}
