package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/importing"
	"ccg/internal/mail"
	"ccg/internal/variation"
)

// variationAlerts builds monthly alerts from variation's published measure
// values (the open data the measure pages and /api/v1/measures show).
type variationAlerts struct{ a *app }

var _ mail.AlertSource = variationAlerts{}

// Alert implements mail.AlertSource.
func (x variationAlerts) Alert(ctx context.Context, scope mail.Scope, org string, month calendar.Month) (mail.Alert, error) {
	if x.a.variation == nil {
		return mail.Alert{}, fmt.Errorf("alert: no prescribing figures: %w", errs.ErrNotFound)
	}
	o, err := x.a.registry.Organisation(ctx, org)
	if err != nil {
		return mail.Alert{}, fmt.Errorf("alert for %s: %w", org, err)
	}
	a := mail.Alert{Name: o.Name}
	var level variation.Level
	switch scope {
	case mail.ScopePractice:
		level, a.Page = variation.LevelPractice, "/prescribing/practices/"+org
	case mail.ScopeLocality:
		level, a.Page = variation.LevelLocality, "/prescribing/localities/"+org
	default:
		level, a.Page = variation.LevelCCG, "/organisations/"+org
	}
	ms, err := x.a.variation.Measures(ctx)
	if err != nil {
		return mail.Alert{}, fmt.Errorf("alert for %s: %w", org, err)
	}
	type saving struct {
		link   mail.Link
		pounds float64
	}
	var savings []saving
	found := false
	for _, m := range ms {
		vs, err := x.a.variation.Values(ctx, m.ID, month, level, org)
		if err != nil {
			return mail.Alert{}, fmt.Errorf("alert for %s: %w", org, err)
		}
		if len(vs) == 0 {
			continue
		}
		found = true
		v, page := vs[0], "/prescribing/measures/"+m.ID
		if v.Flags.Outlier() && v.Value != nil {
			way := "above"
			if v.Flags.Low95 || v.Flags.Low998 {
				way = "below"
			}
			if v.Flags.High998 || v.Flags.Low998 {
				way = "far " + way
			}
			a.Outliers = append(a.Outliers, mail.Link{Text: fmt.Sprintf("%s: %s, %s the expected range", m.Name, valueText(m, *v.Value), way), URL: page})
		}
		if sv := v.CostSavings[10]; m.CostBased && sv >= 1 {
			savings = append(savings, saving{mail.Link{Text: fmt.Sprintf("%s: about £%s a month if it prescribed like the best 10%% of %ss", m.Name, pounds(sv), level), URL: page}, sv})
		}
		for _, q := range v.Flags.Quality {
			a.Quality = append(a.Quality, mail.Link{Text: m.Name + ": " + strings.ReplaceAll(q, "_", " "), URL: page})
		}
	}
	if !found {
		return mail.Alert{}, fmt.Errorf("alert for %s: no figures for %s: %w", org, month, errs.ErrNotFound)
	}
	sort.SliceStable(savings, func(i, j int) bool { return savings[i].pounds > savings[j].pounds })
	for i, s := range savings {
		if i == 3 {
			break
		}
		a.Savings = append(a.Savings, s.link)
	}
	return a, nil
}

func valueText(m variation.Measure, v float64) string {
	if m.IsPercentage {
		return fmt.Sprintf("%.1f%%", v*100)
	}
	return fmt.Sprintf("%.2f", v)
}

// pounds writes a whole number of pounds with thousands separators.
func pounds(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// latestMonth is the newest month with published prescribing figures (zero
// when there is none).
func (a *app) latestMonth(ctx context.Context) (calendar.Month, error) {
	if a.variation == nil {
		return calendar.Month{}, nil
	}
	ms, err := a.variation.Months(ctx)
	if err != nil || len(ms) == 0 {
		return calendar.Month{}, err
	}
	return ms[len(ms)-1], nil
}

// monthlyAlerts queues the alerts of the newest published month (each
// subscription gets a month's alert once).
func (a *app) monthlyAlerts(ctx context.Context) (int, error) {
	if a.mail == nil {
		return 0, nil
	}
	m, err := a.latestMonth(ctx)
	if err != nil {
		return 0, fmt.Errorf("monthly alerts: %w", err)
	}
	return a.mail.MonthlyAlerts(ctx, m, variationAlerts{a})
}

// alertingImport is the prescribing import that, once a file's month is
// published, queues the monthly alerts in the same SQL transaction as the
// import's record: "a prescribing month was published" is the import
// succeeding.
type alertingImport struct {
	importing.Handler
	a *app
}

// Load implements importing.Handler.
func (h alertingImport) Load(ctx context.Context, src *importing.Source, rec *importing.Recorder) error {
	if err := h.Handler.Load(ctx, src, rec); err != nil {
		return err
	}
	n, err := h.a.monthlyAlerts(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", h.Kind(), err)
	}
	if n > 0 {
		rec.Note("monthly alerts queued for %d subscribers", n)
	}
	return nil
}
