package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/finance"
)

// The finance role's forms: recording handover agreements and receipts on
// the transfers page, and building an allocation. Each HTML form posts to
// a raw handler that shows the page again, with what was typed and the
// plain reason, when the service refuses the input (errs.ErrInvalid); each
// has a JSON twin under /api/v1/ taking the same form fields.

// AgreementForm is what was typed into "Record an agreement".
type AgreementForm struct {
	From, To, Description, Amount, Agreed, Due, Reference string
	Error                                                 string
}

// ReceiptForm is what was typed into "Record a receipt".
type ReceiptForm struct {
	Agreement, Amount, Received, Reference string
	Error                                  string
}

// OpenAgreement is an agreement with money outstanding, for the receipt
// form's list.
type OpenAgreement struct {
	ID    int64
	Label string
}

// transferForms fills the transfers page's forms for a finance user.
func (s *Server) transferForms(r *http.Request, v *TransfersView, lists [][]finance.AgreementStatus) {
	_, v.CanEdit = canFinance(r)
	if !v.CanEdit {
		return
	}
	v.CSRF = csrfFor(r)
	v.NewAgreement.To = v.Org
	v.Saved = r.URL.Query().Get("saved")
	seen := map[int64]bool{}
	for _, list := range lists {
		for _, st := range list {
			a := st.Agreement
			if st.Outstanding <= 0 || seen[a.ID] {
				continue
			}
			seen[a.ID] = true
			v.Open = append(v.Open, OpenAgreement{ID: a.ID, Label: fmt.Sprintf("%d: %s owes %s, %s (%s outstanding)", a.ID, a.From, a.To, a.Description, st.Outstanding)})
		}
	}
}

// finReason turns a service's refusal into the sentence a form shows:
// without the operation prefixes and the sentinel, capitalised, with a
// full stop.
func finReason(err error) string {
	var pe *publicError
	if errors.As(err, &pe) {
		return pe.msg
	}
	msg := err.Error()
	for _, sentinel := range []error{errs.ErrInvalid, errs.ErrNotFound, errs.ErrConflict} {
		msg = strings.TrimSuffix(msg, ": "+sentinel.Error())
	}
	for _, prefix := range []string{"finance: record agreement: ", "finance: record receipt: ", "finance: build allocation: ",
		"finance: save allocation: ", "finance: pace of change: ", "finance: allocate: ", "agreement: "} {
		msg = strings.TrimPrefix(msg, prefix)
	}
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return "The form could not be saved."
	}
	first, size := utf8.DecodeRuneInString(msg)
	msg = string(unicode.ToUpper(first)) + msg[size:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// finFormScope copies the form's org and year into the query, so that the
// page shown again is the one the form was on.
func finFormScope(r *http.Request) {
	q := r.URL.Query()
	for _, k := range []string{"org", "year"} {
		if v := strings.TrimSpace(r.PostForm.Get(k)); v != "" {
			q.Set(k, v)
		}
	}
	r.URL.RawQuery = q.Encode()
}

func finBy(r *http.Request) string {
	if p := personFrom(r); p != nil {
		return p.Email
	}
	return "unknown"
}

// finFormPounds reads an amount of pounds from a form box.
func finFormPounds(label, raw string) (finance.Money, error) {
	if strings.TrimSpace(raw) == "" {
		return 0, invalid("Enter the %s in pounds, like 1250.00.", label)
	}
	m, err := finance.ParsePounds(raw)
	if err != nil {
		return 0, invalid("The %s: %s.", label, err.Error())
	}
	return m, nil
}

// finFormDate reads a date from a form box ("" gives the zero date when
// optional).
func finFormDate(label, raw string, optional bool) (calendar.Date, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		if optional {
			return calendar.Date{}, nil
		}
		return calendar.Date{}, invalid("Enter the %s, like 2021-03-31.", label)
	}
	d, err := calendar.ParseDate(raw)
	if err != nil {
		return calendar.Date{}, invalid("The %s %q is not a date: enter it like 2021-03-31.", label, raw)
	}
	return d, nil
}

// recordAgreement reads the agreement form and records it.
func (s *Server) recordAgreement(r *http.Request, f AgreementForm) (finance.Agreement, error) {
	ctx := r.Context()
	amount, err := finFormPounds("amount owed", f.Amount)
	if err != nil {
		return finance.Agreement{}, err
	}
	due, err := finFormDate("due date", f.Due, false)
	if err != nil {
		return finance.Agreement{}, err
	}
	agreed, err := finFormDate("date agreed", f.Agreed, true)
	if err != nil {
		return finance.Agreement{}, err
	}
	if agreed.IsZero() {
		// An agreement recorded after its due date (a handover written up
		// later) is taken as agreed on its due date.
		agreed = s.today()
		if due.Before(agreed) {
			agreed = due
		}
	}
	if agreed.After(s.today()) {
		return finance.Agreement{}, invalid("The date agreed, %s, is after today.", agreed)
	}
	for _, c := range []struct{ label, code string }{{"organisation that owes", f.From}, {"organisation owed", f.To}} {
		if c.code == "" {
			continue // the service says both are required
		}
		if _, err := s.deps.Registry.Organisation(ctx, c.code); errors.Is(err, errs.ErrNotFound) {
			return finance.Agreement{}, invalid("There is no organisation with the code %s (the %s) in the registry.", c.code, c.label)
		} else if err != nil {
			return finance.Agreement{}, err
		}
	}
	a, err := s.deps.Finance.RecordAgreement(ctx, finBy(r), finance.Agreement{From: f.From, To: f.To, Description: f.Description,
		Amount: amount, Agreed: agreed, Due: due, Reference: f.Reference})
	if err != nil {
		if errors.Is(err, errs.ErrInvalid) {
			return finance.Agreement{}, invalid("%s", finReason(err))
		}
		return finance.Agreement{}, err
	}
	return a, nil
}

// recordReceipt reads the receipt form and records it.
func (s *Server) recordReceipt(r *http.Request, f ReceiptForm) (finance.Receipt, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(f.Agreement), 10, 64)
	if err != nil || id <= 0 {
		return finance.Receipt{}, invalid("Choose the agreement the money was received against.")
	}
	amount, err := finFormPounds("amount received", f.Amount)
	if err != nil {
		return finance.Receipt{}, err
	}
	on, err := finFormDate("date received", f.Received, false)
	if err != nil {
		return finance.Receipt{}, err
	}
	if on.After(s.today()) {
		return finance.Receipt{}, invalid("The date received, %s, is after today.", on)
	}
	rc, err := s.deps.Finance.RecordReceipt(r.Context(), finBy(r), finance.Receipt{Agreement: id, Amount: amount, Received: on, Reference: f.Reference})
	switch {
	case errors.Is(err, errs.ErrNotFound):
		return finance.Receipt{}, invalid("There is no agreement %d: choose one of the agreements listed.", id)
	case errors.Is(err, errs.ErrInvalid):
		return finance.Receipt{}, invalid("%s An overpayment is recorded as a new agreement the other way.", strings.TrimSuffix(finReason(err), ".")+" on agreement "+strconv.FormatInt(id, 10)+".")
	case err != nil:
		return finance.Receipt{}, err
	}
	return rc, nil
}

// agreementPost records an agreement from the form (api: the JSON twin).
func (s *Server) agreementPost(api bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return invalid("The form could not be read.")
		}
		pf := r.PostForm
		f := AgreementForm{From: strings.ToUpper(strings.TrimSpace(pf.Get("from"))), To: strings.ToUpper(strings.TrimSpace(pf.Get("to"))),
			Description: strings.TrimSpace(pf.Get("description")), Amount: strings.TrimSpace(pf.Get("amount")),
			Agreed: strings.TrimSpace(pf.Get("agreed")), Due: strings.TrimSpace(pf.Get("due")), Reference: strings.TrimSpace(pf.Get("reference"))}
		a, err := s.recordAgreement(r, f)
		if api {
			if err != nil {
				return err
			}
			return writeJSON(w, http.StatusCreated, map[string]any{"agreement": a})
		}
		finFormScope(r)
		if err == nil {
			http.Redirect(w, r, fmt.Sprintf("/finance/transfers?org=%s&saved=agreement-%d", strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("org"))), a.ID), http.StatusSeeOther)
			return nil
		}
		if !errors.Is(err, errs.ErrInvalid) {
			return err
		}
		v, verr := s.transfersModel(r)
		if verr != nil {
			return verr
		}
		f.Error = finReason(err)
		v.NewAgreement = f
		return s.render(w, r, http.StatusBadRequest, "finance/transfers", v, "")
	}
}

// receiptPost records a receipt from the form (api: the JSON twin).
func (s *Server) receiptPost(api bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return invalid("The form could not be read.")
		}
		pf := r.PostForm
		f := ReceiptForm{Agreement: strings.TrimSpace(pf.Get("agreement")), Amount: strings.TrimSpace(pf.Get("amount")),
			Received: strings.TrimSpace(pf.Get("received")), Reference: strings.TrimSpace(pf.Get("reference"))}
		rc, err := s.recordReceipt(r, f)
		if api {
			if err != nil {
				return err
			}
			return writeJSON(w, http.StatusCreated, map[string]any{"receipt": rc})
		}
		finFormScope(r)
		if err == nil {
			http.Redirect(w, r, fmt.Sprintf("/finance/transfers?org=%s&saved=receipt-%d", strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("org"))), rc.Agreement), http.StatusSeeOther)
			return nil
		}
		if !errors.Is(err, errs.ErrInvalid) {
			return err
		}
		v, verr := s.transfersModel(r)
		if verr != nil {
			return verr
		}
		f.Error = finReason(err)
		v.NewReceipt = f
		return s.render(w, r, http.StatusBadRequest, "finance/transfers", v, "")
	}
}

// SavedText says what the last form saved, for the success banner.
func (v TransfersView) SavedText() string {
	kind, id, ok := strings.Cut(v.Saved, "-")
	if !ok {
		return ""
	}
	switch kind {
	case "agreement":
		return "Agreement " + id + " has been recorded."
	case "receipt":
		return "The receipt against agreement " + id + " has been recorded."
	}
	return ""
}

// AllocationForm is what was typed into the allocation builder.
type AllocationForm struct {
	Programme     string `json:"programme"`
	Total         string `json:"total"`
	ListSizeMonth string `json:"list_size_month"`
	Weights       string `json:"weights"`
	Pace          string `json:"pace"`
	Share         string `json:"share_pct"`
	Years         string `json:"years"`
	YearIndex     string `json:"year_index"`
	// Check is the fingerprint of the allocation previewed; confirming
	// saves only when the allocation built again has the same one.
	Check string `json:"check,omitempty"`
}

// AllocationBuildView is the allocation builder: the form, and the built
// allocation to check before it is saved.
type AllocationBuildView struct {
	financeScope
	CSRF       string              `json:"-"`
	Form       AllocationForm      `json:"form"`
	Months     []calendar.Month    `json:"-"`
	Programmes []finance.Programme `json:"-"`
	Preview    *finance.Allocation `json:"allocation,omitempty"`
	PaceText   string              `json:"pace_text,omitempty"`
	Saved      bool                `json:"saved"`
	Error      string              `json:"error,omitempty"`
}

// WeightChoices are the weights the builder offers (value, label).
func (AllocationBuildView) WeightChoices() [][2]string {
	return [][2]string{{"", "The default for the programme (ASTRO-PU 2013 cost weights for prescribing, the age-sex cost curve otherwise)"},
		{"astro-pu-cost", "ASTRO-PU 2013 cost weights"}, {"ccg-cost-curve", "The CCG's age-sex cost curve"}}
}

func (s *Server) allocationBuildModel(r *http.Request) (AllocationBuildView, error) {
	sc, err := s.financeScopeOf(r)
	if err != nil {
		return AllocationBuildView{}, err
	}
	ms, err := s.deps.Finance.ListSizeMonths(r.Context())
	if err != nil {
		return AllocationBuildView{}, err
	}
	v := AllocationBuildView{financeScope: sc, CSRF: csrfFor(r), Programmes: finance.Programmes,
		Form: AllocationForm{Programme: string(finance.ProgPrescribing), Pace: string(finance.PaceNone)}}
	for i := len(ms) - 1; i >= 0; i-- {
		v.Months = append(v.Months, ms[i])
	}
	return v, nil
}

func (s *Server) allocationBuildView(r *http.Request) (any, error) { return s.allocationBuildModel(r) }

// allocationRequest reads the builder's form.
func allocationRequest(sc financeScope, f AllocationForm) (finance.AllocationRequest, error) {
	req := finance.AllocationRequest{Org: sc.Org, Year: sc.Year, Programme: finance.Programme(f.Programme)}
	if !req.Programme.Valid() {
		return req, invalid("Choose the programme the allocation is for.")
	}
	total, err := finFormPounds("total to share", f.Total)
	if err != nil {
		return req, err
	}
	if total <= 0 {
		return req, invalid("The total to share must be more than zero.")
	}
	req.Total = total
	if f.ListSizeMonth != "" {
		m, err := calendar.ParseMonth(f.ListSizeMonth)
		if err != nil {
			return req, invalid("The list-size month %q is not a month: choose one from the list.", f.ListSizeMonth)
		}
		req.ListSizeMonth = m
	}
	switch f.Weights {
	case "":
	case "astro-pu-cost":
		w := finance.ASTROPU2013Cost()
		req.Weights = &w
	case "ccg-cost-curve":
		w := finance.DefaultCostCurve()
		req.Weights = &w
	default:
		return req, invalid("Choose the weights from the list.")
	}
	req.Pace.Method = finance.PaceMethod(f.Pace)
	switch req.Pace.Method {
	case "", finance.PaceNone:
		req.Pace.Method = finance.PaceNone
	case finance.PaceGapShare:
		pct, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(f.Share), "%"), 64)
		if err != nil || pct <= 0 || pct > 100 {
			return req, invalid("Enter the share of the gap closed each year as a percentage above 0 and up to 100, like 50.")
		}
		req.Pace.Share = pct / 100
	case finance.PaceYears:
		years, err1 := strconv.Atoi(strings.TrimSpace(f.Years))
		idx, err2 := strconv.Atoi(strings.TrimSpace(f.YearIndex))
		if err1 != nil || err2 != nil || years < 1 || idx < 1 || idx > years {
			return req, invalid("Enter the number of years to reach target (1 or more) and which of them this year is (from 1 to that number).")
		}
		req.Pace.Years, req.Pace.YearIndex = years, idx
	default:
		return req, invalid("Choose a pace of change from the list.")
	}
	return req, nil
}

// allocationBuildPost builds an allocation from the form and shows it;
// with confirm=yes it builds it again from the same inputs and saves it.
func (s *Server) allocationBuildPost(api bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return invalid("The form could not be read.")
		}
		finFormScope(r)
		v, err := s.allocationBuildModel(r)
		if err != nil {
			return err
		}
		pf := r.PostForm
		v.Form = AllocationForm{Programme: strings.TrimSpace(pf.Get("programme")), Total: strings.TrimSpace(pf.Get("total")),
			ListSizeMonth: strings.TrimSpace(pf.Get("list_size_month")), Weights: strings.TrimSpace(pf.Get("weights")),
			Pace: strings.TrimSpace(pf.Get("pace")), Share: strings.TrimSpace(pf.Get("share")), Years: strings.TrimSpace(pf.Get("years")),
			YearIndex: strings.TrimSpace(pf.Get("year_index")), Check: strings.TrimSpace(pf.Get("check"))}
		a, err := func() (finance.Allocation, error) {
			req, err := allocationRequest(v.financeScope, v.Form)
			if err != nil {
				return finance.Allocation{}, err
			}
			a, err := s.deps.Finance.BuildAllocation(r.Context(), req)
			if err != nil {
				if errors.Is(err, errs.ErrInvalid) || errors.Is(err, errs.ErrNotFound) {
					return finance.Allocation{}, invalid("%s", finReason(err))
				}
				return finance.Allocation{}, err
			}
			if pf.Get("confirm") == "yes" {
				if v.Form.Check != "" && v.Form.Check != allocationCheck(a) {
					v.Preview, v.PaceText, v.Form.Check = &a, a.Pace.Describe(), allocationCheck(a)
					return finance.Allocation{}, &publicError{msg: "The data behind the allocation changed after you looked at it, so it was not saved: check the allocation below again.", err: errs.ErrConflict}
				}
				a, err = s.deps.Finance.SaveAllocation(r.Context(), finBy(r), a)
				if err != nil {
					if errors.Is(err, errs.ErrInvalid) {
						return finance.Allocation{}, invalid("%s", finReason(err))
					}
					return finance.Allocation{}, err
				}
			}
			return a, nil
		}()
		if err != nil {
			status := http.StatusBadRequest
			if errors.Is(err, errs.ErrConflict) {
				status = http.StatusConflict
			}
			if api || !(errors.Is(err, errs.ErrInvalid) || errors.Is(err, errs.ErrConflict)) {
				return err
			}
			v.Error = finReason(err)
			return s.render(w, r, status, "finance/build", v, "")
		}
		v.Preview, v.PaceText, v.Saved, v.Form.Check = &a, a.Pace.Describe(), a.ID != 0, allocationCheck(a)
		if api {
			status := http.StatusOK
			if v.Saved {
				status = http.StatusCreated
			}
			return writeJSON(w, status, v)
		}
		if v.Saved {
			http.Redirect(w, r, fmt.Sprintf("/finance/allocations?%s&id=%d", scopeQuery(v.financeScope, ""), a.ID), http.StatusSeeOther)
			return nil
		}
		return s.render(w, r, http.StatusOK, "finance/build", v, "")
	}
}

// allocationCheck fingerprints what an allocation would save: its inputs
// and every practice's target and budget.
func allocationCheck(a finance.Allocation) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%d|%s|%s|%s/%s|%s|%d|%v\n", a.Org, int(a.Year), a.Programme, a.Inputs.ListSizeMonth, a.Inputs.Weights,
		a.Inputs.WeightsVersion, a.Inputs.CurrentSource, int64(a.Total), a.Inputs.QualityWarnings)
	for _, l := range a.Lines {
		fmt.Fprintf(h, "%s|%d|%d|%d\n", l.Practice, int64(l.Target), int64(l.Current), int64(l.Budget))
	}
	return hex.EncodeToString(h.Sum(nil))[:20]
}
