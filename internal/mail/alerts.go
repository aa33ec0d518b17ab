package mail

import (
	"context"
	"errors"
	"fmt"

	"ccg/internal/calendar"
	"ccg/internal/errs"
)

// Alert is what one organisation's monthly prescribing alert says, taken
// from the month's published figures.
type Alert struct {
	// Name is the organisation's name; Page the path of its page.
	Name string
	Page string
	// Outliers are measures where it is outside the funnel limits.
	Outliers []Link
	// Savings are its largest cost-saving opportunities.
	Savings []Link
	// Quality are the data-quality flags on its figures.
	Quality []Link
}

// AlertSource gives the alert of one organisation for a published month
// (errs.ErrNotFound when it has no figures that month).
type AlertSource interface {
	Alert(ctx context.Context, scope Scope, org string, month calendar.Month) (Alert, error)
}

// LatestMonth returns the newest month with published figures (zero: none).
type LatestMonth func(ctx context.Context) (calendar.Month, error)

// SetAlerts gives the service the figures for monthly alerts, so that a
// newly confirmed subscription gets the newest month's alert straight away.
// Call it while wiring, before the service is in use.
func (s *Service) SetAlerts(src AlertSource, latest LatestMonth) { s.alerts, s.latest = src, latest }

// alertFor queues sub's alert for month, once; it reports whether it did.
func (s *Service) alertFor(ctx context.Context, sub Subscription, month calendar.Month, src AlertSource) (bool, error) {
	a, err := src.Alert(ctx, sub.Scope, sub.Org, month)
	if errors.Is(err, errs.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	c := AlertContent(a, month, s.URL)
	c.Why = fmt.Sprintf("You are getting this because you asked for the monthly alert for %s.", a.Name)
	return s.Queue(ctx, sub.Email, KindMonthlyAlert, fmt.Sprintf("%s:%d", month, sub.ID), c, Options{Subscription: sub.ID})
}

// MonthlyAlerts queues, in the transaction ctx carries, one message per
// confirmed subscription about the published month. Each subscription gets
// a month's alert once, however often this runs (its outbox key), so it may
// run after every import and again on a timer. It returns how many were
// queued.
func (s *Service) MonthlyAlerts(ctx context.Context, month calendar.Month, src AlertSource) (int, error) {
	op := fmt.Sprintf("mail: monthly alerts for %s", month)
	if month.IsZero() || src == nil {
		return 0, nil
	}
	n := 0
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		subs, err := s.store.Subscriptions(ctx, "")
		if err != nil {
			return err
		}
		for _, sub := range subs {
			ok, err := s.alertFor(ctx, sub, month, src)
			if err != nil {
				return err
			}
			if ok {
				n++
			}
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("%s: %w", op, err)
	}
	return n, nil
}

// AlertContent writes an alert as a message; url turns a path into a full
// address.
func AlertContent(a Alert, month calendar.Month, url func(string) string) Content {
	full := func(ls []Link) []Link {
		out := make([]Link, len(ls))
		for i, l := range ls {
			out[i] = l
			if l.URL != "" {
				out[i].URL = url(l.URL)
			}
		}
		return out
	}
	when := month.First().Format("January 2006")
	lead := fmt.Sprintf("Prescribing figures for %s for %s are now published.", a.Name, when)
	var summary string
	switch n := len(a.Outliers); n {
	case 0:
		summary = "No measure is outside the expected range this month."
	case 1:
		summary = "1 measure is outside the expected range this month."
	default:
		summary = fmt.Sprintf("%d measures are outside the expected range this month.", n)
	}
	return Content{
		Subject:    fmt.Sprintf("%s: prescribing in %s", a.Name, when),
		Lead:       lead,
		Paragraphs: []string{summary, "The expected range is the funnel limits: how far a figure may be from the national average by chance alone, given the number of prescriptions."},
		Action:     &Link{Text: "See all the figures for " + a.Name, URL: url(a.Page)},
		Sections: []Section{
			{Heading: "Outside the expected range", Items: full(a.Outliers)},
			{Heading: "Largest possible savings", Items: full(a.Savings)},
			{Heading: "Problems with the data", Items: full(a.Quality)},
		},
	}
}
