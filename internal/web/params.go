package web

import (
	"net/http"
	"strconv"
	"strings"

	"ccg/internal/calendar"
)

// dateParam reads a YYYY-MM-DD query parameter, or returns def when it is
// absent or blank.
func dateParam(r *http.Request, name string, def calendar.Date) (calendar.Date, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return def, nil
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		return calendar.Date{}, invalid("%q is not a date. Enter a date like 2019-04-01.", v)
	}
	return d, nil
}

// monthParam reads a YYYY-MM query parameter; zero when absent.
func monthParam(r *http.Request, name string) (calendar.Month, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return calendar.Month{}, nil
	}
	m, err := calendar.ParseMonth(v)
	if err != nil {
		return calendar.Month{}, invalid("%q is not a month. Enter a month like 2019-04.", v)
	}
	return m, nil
}

// pageParam reads the 1-based page number of a paged list.
func pageParam(r *http.Request) (int, error) {
	v := strings.TrimSpace(r.URL.Query().Get("page"))
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100000 {
		return 0, invalid("%q is not a page number.", v)
	}
	return n, nil
}

// codeParam reads an organisation code from the path, in upper case as ODS
// writes codes.
func codeParam(r *http.Request) string {
	return strings.ToUpper(strings.TrimSpace(r.PathValue("code")))
}
