package governance

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/stats"
)

// Entitled is a member practice entitled to vote, with its registered list
// size (its weight when votes are weighted by list size).
type Entitled struct {
	Practice string `json:"practice"` // ODS code
	Name     string `json:"name,omitempty"`
	ListSize int64  `json:"list_size"`
}

// Proxy records that Practice appointed Holder (another practice) to cast
// its vote. Proxies are allowed only where the body's constitution says so.
type Proxy struct {
	Practice string `json:"practice"`
	Holder   string `json:"holder"`
}

// VoteOutcome is the statement published when a member vote has closed.
type VoteOutcome struct {
	Statement  string        `json:"statement"`
	Reasons    string        `json:"reasons"`
	ReviewDate calendar.Date `json:"review_date"`
	By         PersonID      `json:"by"`
	Recorded   time.Time     `json:"recorded"`
}

// MemberVote is an online vote of a body of member practices within a
// window [Opens, Closes). When it decides a decision record, option 0 is the
// motion: the decision is carried when option 0 wins.
type MemberVote struct {
	ID       int64     `json:"id"`
	Body     BodyID    `json:"body"`
	Decision int64     `json:"decision,omitempty"`
	Question string    `json:"question"`
	Options  []string  `json:"options"`
	Opens    time.Time `json:"opens"`
	Closes   time.Time `json:"closes"`
	// Rule and QuorumShare are copied from the body when the vote opens, so
	// later constitution changes do not alter a running vote.
	Rule         VotingRule `json:"rule"`
	QuorumShare  Percent    `json:"quorum_share"`
	AllowProxies bool       `json:"allow_proxies"`
	// Anonymous ballots are kept without any link to the practice or person
	// (see CastVote in the Store port).
	Anonymous   bool `json:"anonymous"`
	HideResults bool `json:"hide_results"`
	// Roster is the practices entitled to vote, fixed when the vote opens.
	Roster   []Entitled   `json:"roster"`
	Proxies  []Proxy      `json:"proxies,omitempty"`
	OpenedBy PersonID     `json:"opened_by"`
	Outcome  *VoteOutcome `json:"outcome,omitempty"`
}

// Validate checks the vote is well formed before it opens.
func (v MemberVote) Validate() error {
	if strings.TrimSpace(v.Question) == "" {
		return invalid("governance: member vote: the question is required")
	}
	if len(v.Options) < 2 {
		return invalid("governance: member vote %q: at least two options are needed", v.Question)
	}
	for _, o := range v.Options {
		if strings.TrimSpace(o) == "" {
			return invalid("governance: member vote %q: an option is blank", v.Question)
		}
	}
	if v.Opens.IsZero() || !v.Opens.Before(v.Closes) {
		return invalid("governance: member vote %q: it must close after it opens", v.Question)
	}
	if v.Rule.PracticeVote != OnePracticeOneVote && v.Rule.PracticeVote != WeightedByListSize {
		return invalid("governance: member vote %q: only a body of member practices votes online", v.Question)
	}
	if len(v.Roster) == 0 {
		return invalid("governance: member vote %q: no practice is entitled to vote", v.Question)
	}
	seen := map[string]bool{}
	for _, e := range v.Roster {
		if seen[e.Practice] {
			return invalid("governance: member vote %q: practice %s is on the roster twice", v.Question, e.Practice)
		}
		seen[e.Practice] = true
		if v.Rule.PracticeVote == WeightedByListSize && e.ListSize <= 0 {
			return invalid("governance: member vote %q: votes are weighted by list size but practice %s has no list size", v.Question, e.Practice)
		}
	}
	if len(v.Proxies) > 0 && !v.AllowProxies {
		return invalid("governance: member vote %q: the constitution does not allow proxy votes for this body", v.Question)
	}
	for _, p := range v.Proxies {
		if !seen[p.Practice] || !seen[p.Holder] || p.Practice == p.Holder {
			return invalid("governance: member vote %q: a proxy must be between two different entitled practices (%s to %s)",
				v.Question, p.Practice, p.Holder)
		}
	}
	return nil
}

// OpenAt reports whether votes may be cast at t.
func (v MemberVote) OpenAt(t time.Time) bool { return !t.Before(v.Opens) && t.Before(v.Closes) }

// ClosedAt reports whether the vote has closed at t.
func (v MemberVote) ClosedAt(t time.Time) bool { return !t.Before(v.Closes) }

// Weight returns the weight of practice's vote under the rule, and whether
// the practice is entitled at all.
func (v MemberVote) Weight(practice string) (int64, bool) {
	for _, e := range v.Roster {
		if e.Practice == practice {
			if v.Rule.PracticeVote == WeightedByListSize {
				return e.ListSize, true
			}
			return 1, true
		}
	}
	return 0, false
}

// Choice is the option a ballot chooses (an index into Options) or Abstain.
type Choice int

// Abstain is the choice of a practice that votes but supports no option.
const Abstain Choice = -1

// CastRequest is a person casting a practice's vote, directly or as the
// practice's proxy (ProxyHolder set to the holder practice).
type CastRequest struct {
	Vote        int64    `json:"vote"`
	Practice    string   `json:"practice"`
	Person      PersonID `json:"person"`
	ProxyHolder string   `json:"proxy_holder,omitempty"`
	Choice      Choice   `json:"choice"`
}

// Participation records that a practice has voted, and who cast it; it is
// the "has voted" set and never holds the choice.
type Participation struct {
	Vote        int64    `json:"vote"`
	Practice    string   `json:"practice"`
	CastBy      PersonID `json:"cast_by"`
	ProxyHolder string   `json:"proxy_holder,omitempty"`
}

// BoxEntry is what goes into the ballot box: a choice and its weight, with
// nothing that identifies the voter, the time or the order of casting.
type BoxEntry struct {
	Vote   int64  `json:"vote"`
	Choice Choice `json:"choice"`
	Weight int64  `json:"weight"`
}

// Ballot is a named ballot, kept only for votes that are not anonymous.
type Ballot struct {
	Vote        int64     `json:"vote"`
	Practice    string    `json:"practice"`
	CastBy      PersonID  `json:"cast_by"`
	ProxyHolder string    `json:"proxy_holder,omitempty"`
	Choice      Choice    `json:"choice"`
	Weight      int64     `json:"weight"`
	At          time.Time `json:"at"`
}

// Totals are the running totals of a ballot box: per option, the number of
// practices and the summed weight; and the same for abstentions.
type Totals struct {
	Count         []int64 `json:"count"`
	Weight        []int64 `json:"weight"`
	AbstainCount  int64   `json:"abstain_count"`
	AbstainWeight int64   `json:"abstain_weight"`
}

// NewTotals returns empty totals for n options.
func NewTotals(n int) Totals { return Totals{Count: make([]int64, n), Weight: make([]int64, n)} }

// Add adds one box entry to the totals.
func (t *Totals) Add(e BoxEntry) {
	if e.Choice == Abstain {
		t.AbstainCount++
		t.AbstainWeight += e.Weight
		return
	}
	t.Count[e.Choice]++
	t.Weight[e.Choice] += e.Weight
}

// PrepareCast checks a cast request against the vote's rules and returns
// what to record: the participation, the box entry, the named ballot (nil
// for an anonymous vote) and the practice the person must be entitled to act
// for (the practice itself, or its proxy holder). voted is the set of
// practices that have already voted.
func PrepareCast(v MemberVote, req CastRequest, voted map[string]bool, now time.Time) (Participation, BoxEntry, *Ballot, string, error) {
	op := fmt.Sprintf("governance: vote %d: practice %s", v.ID, req.Practice)
	var zero Participation
	if !v.OpenAt(now) {
		if now.Before(v.Opens) {
			return zero, BoxEntry{}, nil, "", fmt.Errorf("%s: voting opens %s: %w", op, v.Opens.Format(time.RFC3339), errs.ErrConflict)
		}
		return zero, BoxEntry{}, nil, "", fmt.Errorf("%s: voting closed %s: %w", op, v.Closes.Format(time.RFC3339), errs.ErrConflict)
	}
	w, ok := v.Weight(req.Practice)
	if !ok {
		return zero, BoxEntry{}, nil, "", fmt.Errorf("%s: the practice is not entitled to vote: %w", op, errs.ErrForbidden)
	}
	if req.Choice != Abstain && (req.Choice < 0 || int(req.Choice) >= len(v.Options)) {
		return zero, BoxEntry{}, nil, "", invalid("%s: choice %d is not one of the %d options", op, req.Choice, len(v.Options))
	}
	if voted[req.Practice] {
		return zero, BoxEntry{}, nil, "", fmt.Errorf("%s: the practice has already voted: %w", op, errs.ErrConflict)
	}
	actFor := req.Practice
	if req.ProxyHolder != "" {
		if !v.AllowProxies {
			return zero, BoxEntry{}, nil, "", invalid("%s: the constitution does not allow proxy votes for this body", op)
		}
		appointed := false
		for _, p := range v.Proxies {
			if p.Practice == req.Practice && p.Holder == req.ProxyHolder {
				appointed = true
			}
		}
		if !appointed {
			return zero, BoxEntry{}, nil, "", fmt.Errorf("%s: %s has not been appointed its proxy: %w", op, req.ProxyHolder, errs.ErrForbidden)
		}
		actFor = req.ProxyHolder
	}
	p := Participation{Vote: v.ID, Practice: req.Practice, CastBy: req.Person, ProxyHolder: req.ProxyHolder}
	e := BoxEntry{Vote: v.ID, Choice: req.Choice, Weight: w}
	if v.Anonymous {
		return p, e, nil, actFor, nil
	}
	b := &Ballot{Vote: v.ID, Practice: req.Practice, CastBy: req.Person, ProxyHolder: req.ProxyHolder,
		Choice: req.Choice, Weight: w, At: now}
	return p, e, b, actFor, nil
}

// Turnout is the live share of the entitled practices that have voted
// (abstentions count as voting), against the vote's quorum.
type Turnout struct {
	Entitled       int   `json:"entitled"`
	Voted          int   `json:"voted"`
	EntitledWeight int64 `json:"entitled_weight"`
	VotedWeight    int64 `json:"voted_weight"`
	// Quorate compares voted weight with entitled weight (for one practice
	// one vote the weights are the counts).
	Quorate     bool   `json:"quorate"`
	Explanation string `json:"explanation"`
}

// TurnoutOf computes the turnout from the "has voted" set.
func TurnoutOf(v MemberVote, voted []Participation) Turnout {
	var t Turnout
	has := map[string]bool{}
	for _, p := range voted {
		has[p.Practice] = true
	}
	for _, e := range v.Roster {
		w, _ := v.Weight(e.Practice)
		t.Entitled++
		t.EntitledWeight += w
		if has[e.Practice] {
			t.Voted++
			t.VotedWeight += w
		}
	}
	t.Quorate = t.VotedWeight*100 >= int64(v.QuorumShare)*t.EntitledWeight && t.Voted > 0
	share := stats.PercentOf
	if v.Rule.PracticeVote == WeightedByListSize {
		t.Explanation = fmt.Sprintf("%d of %d entitled practices have voted, covering %s of registered patients; the quorum is %d%%",
			t.Voted, t.Entitled, share(t.VotedWeight, t.EntitledWeight), v.QuorumShare)
	} else {
		t.Explanation = fmt.Sprintf("%d of %d entitled practices have voted (%s); the quorum is %d%%",
			t.Voted, t.Entitled, share(t.VotedWeight, t.EntitledWeight), v.QuorumShare)
	}
	return t
}

// Result is the outcome of a member vote by its rule.
type Result struct {
	// Visible is false while results are hidden until the vote closes; the
	// other fields are then empty apart from Explanation.
	Visible bool   `json:"visible"`
	Final   bool   `json:"final"` // the vote has closed
	Totals  Totals `json:"totals"`
	// Winner is the option that met the rule's majority, or -1.
	Winner      int    `json:"winner"`
	Tie         bool   `json:"tie"`
	Quorate     bool   `json:"quorate"`
	Explanation string `json:"explanation"`
}

// Tally applies the vote's rule to the ballot box totals. An option wins if
// its weight is more than half (simple majority) or at least two thirds of
// the weight cast for options; abstentions are not counted. An inquorate
// vote has no winner, nor has a tie for the most weight.
func Tally(v MemberVote, totals Totals, turnout Turnout, now time.Time) Result {
	r := Result{Winner: -1, Final: v.ClosedAt(now), Quorate: turnout.Quorate}
	// An anonymous vote never shows totals before it closes, to anybody:
	// watching them move as practices vote (turnout and the audit log say
	// who voted, and when) would tell who chose what.
	if (v.HideResults || v.Anonymous) && !r.Final {
		r.Explanation = fmt.Sprintf("Results are hidden until the vote closes at %s. %s.",
			v.Closes.Format("15:04 on 2 January 2006"), turnout.Explanation)
		return r
	}
	r.Visible, r.Totals = true, totals
	var cast int64
	order := make([]int, len(v.Options))
	for i := range order {
		order[i] = i
		if i < len(totals.Weight) {
			cast += totals.Weight[i]
		}
	}
	w := func(i int) int64 {
		if i < len(totals.Weight) {
			return totals.Weight[i]
		}
		return 0
	}
	sort.SliceStable(order, func(a, b int) bool { return w(order[a]) > w(order[b]) })
	unit := "votes"
	if v.Rule.PracticeVote == WeightedByListSize {
		unit = "weighted votes (registered patients)"
	}
	prefix := "So far: "
	if r.Final {
		prefix = ""
	}
	switch {
	case cast == 0:
		r.Explanation = prefix + "no votes have been cast for any option"
	case !turnout.Quorate:
		r.Explanation = prefix + "the vote is inquorate: " + turnout.Explanation
	case len(order) > 1 && w(order[0]) == w(order[1]):
		r.Tie = true
		r.Explanation = fmt.Sprintf("%s%q and %q tied with %d %s each out of %d cast, so no option has a majority and the question is not carried",
			prefix, v.Options[order[0]], v.Options[order[1]], w(order[0]), unit, cast)
	default:
		top := order[0]
		need := "more than half"
		ok := w(top)*2 > cast
		if v.Rule.Majority == TwoThirds {
			need = "at least two thirds"
			ok = w(top)*3 >= cast*2
		}
		if ok {
			r.Winner = top
			r.Explanation = fmt.Sprintf("%s%q has %d of %d %s cast (%s), which is %s",
				prefix, v.Options[top], w(top), cast, unit, share64(w(top), cast), need)
		} else {
			r.Explanation = fmt.Sprintf("%s%q has the most, %d of %d %s cast (%s), but the rule needs %s, so no option is carried",
				prefix, v.Options[top], w(top), cast, unit, share64(w(top), cast), need)
		}
	}
	if totals.AbstainCount > 0 {
		r.Explanation += fmt.Sprintf("; %s abstained and are not counted", plural(int(totals.AbstainCount), "practice"))
	}
	r.Explanation += "."
	return r
}

func share64(n, d int64) string {
	if d == 0 {
		return "0%"
	}
	return strconv.FormatFloat(stats.RoundHalfUp(float64(n)*100/float64(d), 1), 'f', 1, 64) + "%"
}

// RemindersDue returns the entitled practices that have not voted, when now
// is within before of the close (and the vote is still open); otherwise nil.
func RemindersDue(v MemberVote, voted []Participation, now time.Time, before time.Duration) []Entitled {
	if !v.OpenAt(now) || now.Before(v.Closes.Add(-before)) {
		return nil
	}
	has := map[string]bool{}
	for _, p := range voted {
		has[p.Practice] = true
	}
	var out []Entitled
	for _, e := range v.Roster {
		if !has[e.Practice] {
			out = append(out, e)
		}
	}
	return out
}

// CheckOutcome checks an outcome statement may be recorded at now.
func CheckOutcome(v MemberVote, o VoteOutcome, now time.Time) error {
	if !v.ClosedAt(now) {
		return fmt.Errorf("governance: vote %d: the outcome can be recorded only after the vote closes: %w", v.ID, errs.ErrConflict)
	}
	if strings.TrimSpace(o.Statement) == "" || strings.TrimSpace(o.Reasons) == "" {
		return invalid("governance: vote %d: the outcome needs a statement and its reasons", v.ID)
	}
	if o.ReviewDate.IsZero() || !calendar.DateOf(v.Closes).Before(o.ReviewDate) {
		return invalid("governance: vote %d: the outcome needs a review date after the vote closed", v.ID)
	}
	return nil
}
