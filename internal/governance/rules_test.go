package governance

import (
	"errors"
	"strings"
	"testing"
	"time"

	"ccg/internal/calendar"
	"ccg/internal/errs"
)

var day = calendar.MustDate

func person(id PersonID, role Role) Member {
	return Member{Seat: Seat{Person: id}, Name: string(role) + "-" + string(rune('A'+id-1)), Role: role}
}

func seats(ids ...PersonID) map[Seat]bool {
	m := map[Seat]bool{}
	for _, id := range ids {
		m[Seat{Person: id}] = true
	}
	return m
}

// governing body: 1,2 GPs; 3,4 lay; 5 nurse; 6 officer; 7 non-voting officer.
func gbMembers() []Member {
	nv := person(7, RoleOfficer)
	nv.NonVoting = true
	return []Member{person(1, RoleGP), person(2, RoleGP), person(3, RoleLay), person(4, RoleLay),
		person(5, RoleNurse), person(6, RoleOfficer), nv}
}

func TestCheckQuorum(t *testing.T) {
	gbRule := QuorumRule{MinCount: 4, Composition: []RoleMin{{RoleLay, 1}, {RoleGP, 1}}}
	tests := []struct {
		name     string
		rule     QuorumRule
		present  map[Seat]bool
		excluded map[Seat]bool
		quorate  bool
		counted  int
		missing  []string // substrings expected in Missing
	}{
		{"everyone present", gbRule, seats(1, 2, 3, 4, 5, 6, 7), nil, true, 6, nil},
		{"exactly the count with composition", gbRule, seats(1, 3, 5, 6), nil, true, 4, nil},
		{"one short of the count", gbRule, seats(1, 3, 5), nil, false, 3, []string{"3 voting members counted, the rule needs at least 4"}},
		{"non-voting member does not count", gbRule, seats(1, 3, 5, 7), nil, false, 3, []string{"needs at least 4"}},
		{"no lay member", gbRule, seats(1, 2, 5, 6), nil, false, 4, []string{"0 lay members present"}},
		{"no GP", gbRule, seats(3, 4, 5, 6), nil, false, 4, []string{"0 GPs present"}},
		{"both GPs excluded for conflicts", gbRule, seats(1, 2, 3, 4, 5, 6), seats(1, 2), false, 4, []string{"0 GPs present and not conflicted"}},
		{"one GP excluded still quorate", gbRule, seats(1, 2, 3, 4, 5, 6), seats(1), true, 5, nil},
		{"exclusion drops below count", gbRule, seats(1, 2, 3, 5), seats(2), false, 3, []string{"needs at least 4"}},
		{"excluded but absent changes nothing", gbRule, seats(1, 3, 5, 6), seats(2), true, 4, nil},
		{"share rule met at exactly half", QuorumRule{MinShare: 50}, seats(1, 2, 3), nil, true, 3, nil},
		{"share rule just missed", QuorumRule{MinShare: 50}, seats(1, 2), nil, false, 2, []string{"2 of 6 voting members counted (33%)"}},
		{"share keeps excluded in the denominator", QuorumRule{MinShare: 50}, seats(1, 2, 3), seats(3), false, 2, []string{"2 of 6"}},
		{"two composition needs", QuorumRule{MinCount: 1, Composition: []RoleMin{{RoleLay, 2}}}, seats(3), nil, false, 1, []string{"1 lay member present", "at least 2"}},
		{"nobody present", QuorumRule{MinShare: 0}, nil, nil, false, 0, []string{"no voting member is present"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := CheckQuorum(tt.rule, gbMembers(), tt.present, tt.excluded)
			if r.Quorate != tt.quorate || r.Counted != tt.counted || r.Eligible != 6 {
				t.Fatalf("quorate=%v counted=%d eligible=%d, want %v %d 6: %s", r.Quorate, r.Counted, r.Eligible, tt.quorate, tt.counted, r.Explanation)
			}
			all := strings.Join(r.Missing, " | ")
			for _, m := range tt.missing {
				if !strings.Contains(all, m) {
					t.Errorf("missing %q not in %q", m, all)
				}
			}
			if tt.quorate != strings.HasPrefix(r.Explanation, "Quorate") {
				t.Errorf("explanation %q", r.Explanation)
			}
			if len(tt.excluded) > 0 && r.Excluded > 0 && !strings.Contains(r.Explanation, "excluded for conflicts of interest") {
				t.Errorf("explanation does not mention exclusions: %q", r.Explanation)
			}
		})
	}
}

func TestCheckItemConflicts(t *testing.T) {
	body := Body{ID: "pccc", Name: "Primary care commissioning committee",
		Quorum:    QuorumRule{MinCount: 3, Composition: []RoleMin{{RoleGP, 1}}},
		Alternate: "panel"}
	noAlt := body
	noAlt.Alternate = ""
	members := gbMembers()
	att := func(ids ...PersonID) []Attendee {
		var out []Attendee
		for _, id := range ids {
			out = append(out, Attendee{Seat: Seat{Person: id}, Person: id, Name: members[id-1].Name})
		}
		return out
	}
	fed := Interest{ID: 10, Person: 1, Kind: InterestFinancial, Organisation: "Y01FED", Description: "partner in the federation", From: day("2019-01-01")}
	fed2 := Interest{ID: 11, Person: 2, Kind: InterestFinancial, Organisation: "y01fed ", From: day("2019-01-01")}
	ended := Interest{ID: 12, Person: 2, Kind: InterestIndirect, Organisation: "Y01FED", From: day("2015-01-01"), To: day("2020-01-01")}
	future := Interest{ID: 13, Person: 2, Kind: InterestFinancial, Organisation: "Y01FED", From: day("2022-01-01")}
	other := Interest{ID: 14, Person: 2, Kind: InterestFinancial, Organisation: "RXX", From: day("2010-01-01")}
	on := day("2021-06-01")
	tests := []struct {
		name      string
		body      Body
		attendees []Attendee
		interests []Interest
		overrides []Override
		excluded  []PersonID
		canDecide bool
		routeTo   BodyID
		wantErr   error
		explain   string
	}{
		{"no interests: decides", body, att(1, 2, 3, 4), nil, nil, nil, true, "", nil, "may decide"},
		{"one conflicted GP excluded, still quorate", body, att(1, 2, 3, 4), []Interest{fed}, nil, []PersonID{1}, true, "", nil, "may decide"},
		{"code matched without regard to case or spaces", body, att(1, 2, 3, 4), []Interest{fed, fed2}, nil, []PersonID{1, 2}, false, "panel", nil, "alternate arrangement"},
		{"ended interest is not live", body, att(1, 2, 3, 4), []Interest{fed, ended}, nil, []PersonID{1}, true, "", nil, "may decide"},
		{"future interest is not live", body, att(1, 2, 3, 4), []Interest{fed, future}, nil, []PersonID{1}, true, "", nil, "may decide"},
		{"interest in another organisation ignored", body, att(1, 2, 3, 4), []Interest{other}, nil, nil, true, "", nil, "may decide"},
		{"absent conflicted member not flagged", body, att(2, 3, 4), []Interest{fed}, nil, nil, true, "", nil, "may decide"},
		{"both GPs conflicted, no alternate", noAlt, att(1, 2, 3, 4), []Interest{fed, fed2}, nil, []PersonID{1, 2}, false, "", nil, "names no alternate"},
		{"inquorate before exclusions is not sent to the alternate", body, att(1, 3), []Interest{fed}, nil, []PersonID{1}, false, "", nil, "the meeting is inquorate"},
		{"override with reason keeps member in quorum", body, att(1, 2, 3, 4), []Interest{fed, fed2},
			[]Override{{Seat: Seat{Person: 2}, Reason: "only GP with the expertise; no financial gain from this item", By: 3}},
			[]PersonID{1}, true, "", nil, "may decide"},
		{"override without reason refused", body, att(1, 2, 3, 4), []Interest{fed}, []Override{{Seat: Seat{Person: 1}, Reason: " "}},
			nil, false, "", errs.ErrInvalid, ""},
		{"override of unflagged member refused", body, att(1, 2, 3, 4), []Interest{fed}, []Override{{Seat: Seat{Person: 3}, Reason: "x"}},
			nil, false, "", errs.ErrInvalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := CheckItem(tt.body, members, on, "Extended access contract", []string{"Y01FED"}, tt.attendees, tt.interests, tt.overrides)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []PersonID
			for s := range ExcludedSeats(c.Exclusions) {
				got = append(got, s.Person)
			}
			if len(got) != len(tt.excluded) {
				t.Errorf("excluded %v, want %v", got, tt.excluded)
			}
			for _, id := range tt.excluded {
				if !ExcludedSeats(c.Exclusions)[Seat{Person: id}] {
					t.Errorf("person %d not excluded", id)
				}
			}
			if c.CanDecide != tt.canDecide || c.RouteTo != tt.routeTo {
				t.Errorf("canDecide=%v routeTo=%q, want %v %q: %s", c.CanDecide, c.RouteTo, tt.canDecide, tt.routeTo, c.Explanation)
			}
			if !strings.Contains(c.Explanation, tt.explain) {
				t.Errorf("explanation %q lacks %q", c.Explanation, tt.explain)
			}
			if len(c.Exclusions) > 0 && !strings.Contains(c.Minute, "Extended access contract") {
				t.Errorf("minute %q", c.Minute)
			}
			for _, e := range c.Exclusions {
				if e.Overridden && !strings.Contains(c.Minute, e.OverrideReason) {
					t.Errorf("override reason not minuted: %q", c.Minute)
				}
			}
		})
	}
}

func defaultConstitution(t *testing.T) Constitution {
	t.Helper()
	c, err := DefaultConstitution()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestWhoDecidesBands(t *testing.T) {
	c := defaultConstitution(t)
	tests := []struct {
		name    string
		typ     DecisionType
		value   int64
		body    BodyID
		kind    BodyKind
		ratify  bool
		wantErr bool
	}{
		{"contract zero", ApproveContract, 0, "primary-care-commissioning-committee", "", false, false},
		{"contract one penny under £250k", ApproveContract, 24_999_999, "primary-care-commissioning-committee", "", false, false},
		{"contract exactly £250k is the next band", ApproveContract, 25_000_000, "governing-body", "", false, false},
		{"contract just under £5m", ApproveContract, 499_999_999, "governing-body", "", false, false},
		{"contract exactly £5m needs ratification", ApproveContract, 500_000_000, "governing-body", "", true, false},
		{"contract huge", ApproveContract, 1 << 50, "governing-body", "", true, false},
		{"small business case goes to the locality", ApproveBusinessCase, 9_999_999, "", KindLocalityGroup, false, false},
		{"business case £100k", ApproveBusinessCase, 10_000_000, "governing-body", "", false, false},
		{"business case £1m", ApproveBusinessCase, 100_000_000, "governing-body", "", true, false},
		{"budget under £1m", VaryBudget, 99_999_999, "governing-body", "", false, false},
		{"budget £1m to members", VaryBudget, 100_000_000, "member-council", "", false, false},
		{"clinical policy", AdoptClinicalPolicy, 0, "quality-committee", "", false, false},
		{"constitution", ChangeConstitution, 0, "member-council", "", false, false},
		{"unknown type", DecisionType("buy-a-yacht"), 5, "", "", false, true},
		{"negative value", ApproveContract, -1, "", "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, exp, err := c.WhoDecides(tt.typ, tt.value)
			if tt.wantErr {
				if !errors.Is(err, errs.ErrInvalid) {
					t.Fatalf("err = %v, want ErrInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Body != tt.body || d.BodyKind != tt.kind || d.RequiresRatification != tt.ratify {
				t.Errorf("got %+v", d)
			}
			if !strings.Contains(exp, d.Why) || (tt.ratify != strings.Contains(exp, "ratify")) {
				t.Errorf("explanation %q", exp)
			}
		})
	}
}

func TestSchemeGapsAndOverlaps(t *testing.T) {
	types := []DecisionTypeInfo{{Type: "t", Name: "Do a thing"}}
	tests := []struct {
		name     string
		dels     []Delegation
		validErr bool
		value    int64
		whoErr   bool
	}{
		{"contiguous", []Delegation{{Type: "t", From: 0, To: 100, Body: "a", Why: "x"}, {Type: "t", From: 100, Body: "b", Why: "y"}}, false, 100, false},
		{"overlap", []Delegation{{Type: "t", From: 0, To: 101, Body: "a", Why: "x"}, {Type: "t", From: 100, Body: "b", Why: "y"}}, true, 0, false},
		{"open band before another", []Delegation{{Type: "t", From: 0, Body: "a", Why: "x"}, {Type: "t", From: 100, Body: "b", Why: "y"}}, true, 0, false},
		{"gap refuses values in it", []Delegation{{Type: "t", From: 0, To: 100, Body: "a", Why: "x"}, {Type: "t", From: 200, Body: "b", Why: "y"}}, false, 150, true},
		{"empty band", []Delegation{{Type: "t", From: 100, To: 100, Body: "a", Why: "x"}}, true, 0, false},
		{"no reason", []Delegation{{Type: "t", From: 0, Body: "a"}}, true, 0, false},
		{"no body", []Delegation{{Type: "t", From: 0, Why: "x"}}, true, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Scheme{Types: types, Delegations: tt.dels}
			if err := s.Validate(); (err != nil) != tt.validErr {
				t.Fatalf("Validate() = %v, want error %v", err, tt.validErr)
			}
			if tt.validErr {
				return
			}
			_, _, err := s.WhoDecides("t", tt.value)
			if (err != nil) != tt.whoErr || (err != nil && !strings.Contains(err.Error(), "no band covering")) {
				t.Errorf("WhoDecides = %v, want error %v", err, tt.whoErr)
			}
		})
	}
}

func TestCheckRoute(t *testing.T) {
	c := defaultConstitution(t)
	tests := []struct {
		name  string
		typ   DecisionType
		value int64
		body  BodyID
		ok    bool
		why   string
	}{
		{"right body", ApproveContract, 30_000_000, "governing-body", true, ""},
		{"wrong body says who decides", ApproveContract, 30_000_000, "quality-committee", false, "decision is taken by the Governing body"},
		{"any locality group for its kind", ApproveBusinessCase, 5_000_000, "locality-east", true, ""},
		{"committee not a locality group", ApproveBusinessCase, 5_000_000, "audit-committee", false, "locality group concerned"},
		{"no such body", ApproveContract, 0, "finance-committee", false, "no such body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.CheckRoute(tt.typ, tt.value, tt.body)
			if tt.ok != (err == nil) {
				t.Fatalf("err = %v", err)
			}
			if err != nil && (!errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), tt.why)) {
				t.Errorf("err = %v, want ErrInvalid mentioning %q", err, tt.why)
			}
		})
	}
}

func TestStateMachine(t *testing.T) {
	all := []Status{StatusProposed, StatusConsultation, StatusOnAgenda, StatusDecided, StatusDeferred, StatusWithdrawn, StatusPublished}
	legal := map[[2]Status]bool{
		{StatusProposed, StatusConsultation}: true, {StatusProposed, StatusOnAgenda}: true, {StatusProposed, StatusWithdrawn}: true,
		{StatusConsultation, StatusOnAgenda}: true, {StatusConsultation, StatusWithdrawn}: true,
		{StatusOnAgenda, StatusDecided}: true, {StatusOnAgenda, StatusDeferred}: true, {StatusOnAgenda, StatusWithdrawn}: true,
		{StatusDeferred, StatusOnAgenda}: true, {StatusDeferred, StatusWithdrawn}: true,
		{StatusDecided, StatusPublished}: true, {StatusWithdrawn, StatusPublished}: true,
	}
	for _, from := range all {
		for _, to := range all {
			t.Run(string(from)+"->"+string(to), func(t *testing.T) {
				ok, why := CanMove(from, to)
				if ok != legal[[2]Status{from, to}] {
					t.Fatalf("CanMove = %v (%s)", ok, why)
				}
				if !ok && why == "" {
					t.Error("no explanation")
				}
				d := Decision{ID: 1, Status: from}
				if err := d.CheckMove(to); !ok && !errors.Is(err, errs.ErrInvalid) {
					t.Errorf("CheckMove = %v, want ErrInvalid", err)
				}
			})
		}
	}
}

func TestCheckMoveConditions(t *testing.T) {
	ready := Decision{ID: 1, Status: StatusOnAgenda, Outcome: OutcomeCarried, Rationale: "value for money", MemberViews: "localities supported it"}
	tests := []struct {
		name string
		d    Decision
		to   Status
		want string // "" means allowed
	}{
		{"decided complete", ready, StatusDecided, ""},
		{"decided without rationale", func() Decision { d := ready; d.Rationale = ""; return d }(), StatusDecided, "rationale"},
		{"decided without member views", func() Decision { d := ready; d.MemberViews = ""; return d }(), StatusDecided, "member views"},
		{"decided without outcome", func() Decision { d := ready; d.Outcome = ""; return d }(), StatusDecided, "outcome"},
		{"deferred needs reason", ready, StatusDeferred, "say why"},
		{"on agenda needs body and meeting", Decision{ID: 1, Status: StatusProposed, Body: "governing-body"}, StatusOnAgenda, "meeting or member vote"},
		{"on agenda by vote", Decision{ID: 1, Status: StatusProposed, Body: "member-council", MemberVote: 3}, StatusOnAgenda, ""},
		{"consultation needs dates", Decision{ID: 1, Status: StatusProposed}, StatusConsultation, "start and a later end"},
		{"publish unratified", Decision{ID: 1, Status: StatusDecided, Delegation: Delegation{RequiresRatification: true}}, StatusPublished, "ratify"},
		{"publish ratified", Decision{ID: 1, Status: StatusDecided, Delegation: Delegation{RequiresRatification: true}, Ratified: day("2021-01-01")}, StatusPublished, ""},
		{"publish withdrawn", Decision{ID: 1, Status: StatusWithdrawn}, StatusPublished, ""},
		{"published is final", Decision{ID: 1, Status: StatusPublished}, StatusWithdrawn, "cannot change"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.d.CheckMove(tt.to)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrInvalid mentioning %q", err, tt.want)
			}
		})
	}
}

func TestMeetingCarried(t *testing.T) {
	tests := []struct {
		name    string
		rule    Majority
		v       VoteCount
		carried bool
		why     string
	}{
		{"simple majority", SimpleMajority, VoteCount{4, 3, 0}, true, "carried by 4 votes to 3"},
		{"tie not carried", SimpleMajority, VoteCount{3, 3, 1}, false, "tied"},
		{"abstentions not counted", SimpleMajority, VoteCount{2, 1, 5}, true, "carried"},
		{"nothing cast", SimpleMajority, VoteCount{0, 0, 4}, false, "no votes"},
		{"two thirds exactly", TwoThirds, VoteCount{4, 2, 0}, true, "two thirds"},
		{"two thirds missed", TwoThirds, VoteCount{5, 3, 0}, false, "not carried"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, why := MeetingCarried(VotingRule{Majority: tt.rule}, tt.v)
			if ok != tt.carried || !strings.Contains(why, tt.why) {
				t.Errorf("got %v %q", ok, why)
			}
		})
	}
}

func TestStatutoryDates(t *testing.T) {
	tests := []struct {
		name        string
		in          Interest
		late        bool
		publicUntil string
		retainUntil string
		publicOn    map[string]bool
	}{
		{"declared on day 28 is on time", Interest{From: day("2021-01-01"), Declared: day("2021-01-29")}, false, "", "",
			map[string]bool{"2020-12-31": false, "2021-01-01": true, "2030-01-01": true}},
		{"declared on day 29 is late", Interest{From: day("2021-01-01"), Declared: day("2021-01-30")}, true, "", "", nil},
		{"ended interest public six months", Interest{From: day("2019-01-01"), To: day("2021-03-15"), Declared: day("2019-01-01")}, false,
			"2021-09-15", "2027-03-15", map[string]bool{"2021-03-15": true, "2021-09-14": true, "2021-09-15": false}},
		{"month end clamps", Interest{From: day("2019-01-01"), To: day("2021-08-31")}, false, "2022-02-28", "2027-08-31", nil},
		{"leap day", Interest{From: day("2019-01-01"), To: day("2020-02-29")}, false, "2020-08-29", "2026-02-28", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if DeclaredLate(tt.in) != tt.late {
				t.Errorf("late = %v", !tt.late)
			}
			if got := PublicUntil(tt.in).String(); got != tt.publicUntil {
				t.Errorf("PublicUntil = %q, want %q", got, tt.publicUntil)
			}
			if got := RetainUntil(tt.in).String(); got != tt.retainUntil {
				t.Errorf("RetainUntil = %q, want %q", got, tt.retainUntil)
			}
			for d, want := range tt.publicOn {
				if OnPublicRegister(tt.in, day(d)) != want {
					t.Errorf("public on %s = %v", d, !want)
				}
			}
		})
	}
}

func TestConfirmationDue(t *testing.T) {
	tests := []struct {
		name, last, today, due string
		overdue                bool
	}{
		{"never confirmed is due now", "", "2021-05-01", "2021-05-01", false},
		{"within the year", "2020-06-01", "2021-05-31", "2021-06-01", false},
		{"on the anniversary", "2020-06-01", "2021-06-01", "2021-06-01", false},
		{"a day after", "2020-06-01", "2021-06-02", "2021-06-01", true},
		{"leap day anniversary", "2020-02-29", "2021-03-01", "2021-02-28", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var last calendar.Date
			if tt.last != "" {
				last = day(tt.last)
			}
			due, overdue := ConfirmationDue(last, day(tt.today))
			if due.String() != tt.due || overdue != tt.overdue {
				t.Errorf("got %s %v", due, overdue)
			}
		})
	}
	got := DueConfirmation([]PersonID{1, 2, 3}, map[PersonID]calendar.Date{1: day("2020-06-01"), 2: day("2021-01-01")}, day("2021-06-01"))
	if len(got) != 2 || got[0] != 1 || got[1] != 3 {
		t.Errorf("DueConfirmation = %v, want [1 3]", got)
	}
}

func TestGiftThresholds(t *testing.T) {
	th := DefaultGiftThresholds
	tests := []struct {
		name     string
		g        Gift
		declare  bool
		approval bool
	}{
		{"supplier gift £6 exactly", Gift{Kind: KindGift, FromSupplier: true, Value: 600}, false, false},
		{"supplier gift £6.01", Gift{Kind: KindGift, FromSupplier: true, Value: 601}, true, false},
		{"other gift £50", Gift{Kind: KindGift, Value: 5000}, false, false},
		{"other gift £50.01", Gift{Kind: KindGift, Value: 5001}, true, false},
		{"hospitality £25", Gift{Kind: KindHospitality, Value: 2500}, false, false},
		{"hospitality £25.01", Gift{Kind: KindHospitality, Value: 2501}, true, false},
		{"hospitality £75", Gift{Kind: KindHospitality, Value: 7500}, true, false},
		{"hospitality £75.01", Gift{Kind: KindHospitality, Value: 7501}, true, true},
		{"declined hospitality needs no approval", Gift{Kind: KindHospitality, Value: 20000, Declined: true}, true, false},
		{"big gift never needs approval", Gift{Kind: KindGift, FromSupplier: true, Value: 20000}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, why := th.MustDeclare(tt.g)
			if d != tt.declare || th.NeedsApproval(tt.g) != tt.approval || why == "" {
				t.Errorf("declare=%v approval=%v (%s)", d, th.NeedsApproval(tt.g), why)
			}
		})
	}
	custom := GiftThresholds{SupplierGift: 0, OtherGift: 0, Hospitality: 1000, HospitalityApproval: 2000}
	if d, _ := custom.MustDeclare(Gift{Kind: KindGift, FromSupplier: true, Value: 1}); !d {
		t.Error("custom zero threshold: a 1p supplier gift must be declared")
	}
}

var (
	opens  = time.Date(2021, 3, 1, 9, 0, 0, 0, time.UTC)
	closes = time.Date(2021, 3, 8, 17, 0, 0, 0, time.UTC)
)

func roster() []Entitled {
	return []Entitled{{Practice: "A1", ListSize: 10000}, {Practice: "B2", ListSize: 6000}, {Practice: "C3", ListSize: 3000}, {Practice: "D4", ListSize: 1000}}
}

func testVote(pv PracticeVote, m Majority) MemberVote {
	return MemberVote{ID: 1, Body: "member-council", Question: "Approve the merger?", Options: []string{"For", "Against"},
		Opens: opens, Closes: closes, Rule: VotingRule{Majority: m, PracticeVote: pv}, QuorumShare: 50, Roster: roster()}
}

// tally casts the given choices (practice -> choice) and returns the result after close.
func tally(t *testing.T, v MemberVote, choices map[string]Choice) Result {
	t.Helper()
	tot := NewTotals(len(v.Options))
	var parts []Participation
	voted := map[string]bool{}
	for _, e := range v.Roster {
		c, ok := choices[e.Practice]
		if !ok {
			continue
		}
		p, be, _, _, err := PrepareCast(v, CastRequest{Vote: v.ID, Practice: e.Practice, Person: 1, Choice: c}, voted, opens.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		voted[e.Practice] = true
		parts = append(parts, p)
		tot.Add(be)
	}
	return Tally(v, tot, TurnoutOf(v, parts), closes)
}

func TestTallyWeights(t *testing.T) {
	const F, A = Choice(0), Choice(1)
	tests := []struct {
		name    string
		pv      PracticeVote
		m       Majority
		choices map[string]Choice
		winner  int
		tie     bool
		quorate bool
		why     string
	}{
		{"one practice one vote: 3 to 1", OnePracticeOneVote, SimpleMajority, map[string]Choice{"A1": A, "B2": F, "C3": F, "D4": F}, 0, false, true, "3 of 4 votes"},
		{"weighted: the big practice outweighs three", WeightedByListSize, SimpleMajority, map[string]Choice{"A1": A, "B2": F, "C3": F, "D4": F}, -1, true, true, "tied with 10000"},
		{"weighted: big practice wins", WeightedByListSize, SimpleMajority, map[string]Choice{"A1": A, "B2": F, "C3": F}, 1, false, true, "10000 of 19000"},
		{"one practice one vote tie", OnePracticeOneVote, SimpleMajority, map[string]Choice{"A1": A, "B2": F}, -1, true, true, "tied"},
		{"abstentions not counted but count for turnout", OnePracticeOneVote, SimpleMajority, map[string]Choice{"A1": Abstain, "B2": Abstain, "C3": F}, 0, false, true, "2 practices abstained"},
		{"inquorate: one of four", OnePracticeOneVote, SimpleMajority, map[string]Choice{"A1": F}, -1, false, false, "inquorate"},
		{"weighted quorum by weight: one big practice is 50%", WeightedByListSize, SimpleMajority, map[string]Choice{"A1": F}, 0, false, true, "10000 of 10000"},
		{"two thirds met: 3 of 4", OnePracticeOneVote, TwoThirds, map[string]Choice{"A1": A, "B2": F, "C3": F, "D4": F}, 0, false, true, "at least two thirds"},
		{"two thirds missed weighted", WeightedByListSize, TwoThirds, map[string]Choice{"A1": F, "B2": A}, -1, false, true, "the rule needs at least two thirds"},
		{"two thirds exactly 2 of 3", OnePracticeOneVote, TwoThirds, map[string]Choice{"A1": F, "B2": F, "C3": A}, 0, false, true, "2 of 3"},
		{"nobody voted", OnePracticeOneVote, SimpleMajority, map[string]Choice{}, -1, false, false, "no votes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tally(t, testVote(tt.pv, tt.m), tt.choices)
			if r.Winner != tt.winner || r.Tie != tt.tie || r.Quorate != tt.quorate || !r.Visible || !r.Final {
				t.Fatalf("winner=%d tie=%v quorate=%v: %s", r.Winner, r.Tie, r.Quorate, r.Explanation)
			}
			if !strings.Contains(r.Explanation, tt.why) {
				t.Errorf("explanation %q lacks %q", r.Explanation, tt.why)
			}
		})
	}
}

func TestThreeOptionMajority(t *testing.T) {
	v := testVote(OnePracticeOneVote, SimpleMajority)
	v.Options = []string{"Option A", "Option B", "Option C"}
	r := tally(t, v, map[string]Choice{"A1": 0, "B2": 0, "C3": 1, "D4": 2})
	if r.Winner != -1 || !strings.Contains(r.Explanation, "has the most") {
		t.Errorf("2 of 4 is not more than half: %+v", r)
	}
}

func TestHiddenResults(t *testing.T) {
	v := testVote(OnePracticeOneVote, SimpleMajority)
	v.HideResults = true
	tot := NewTotals(2)
	tot.Add(BoxEntry{Choice: 0, Weight: 1})
	parts := []Participation{{Practice: "A1"}}
	before := Tally(v, tot, TurnoutOf(v, parts), closes.Add(-time.Second))
	if before.Visible || before.Totals.Count != nil || !strings.Contains(before.Explanation, "hidden") || !strings.Contains(before.Explanation, "1 of 4") {
		t.Errorf("before close: %+v", before)
	}
	after := Tally(v, tot, TurnoutOf(v, parts), closes)
	if !after.Visible || !after.Final {
		t.Errorf("after close: %+v", after)
	}
	v.HideResults = false
	live := Tally(v, tot, TurnoutOf(v, parts), opens.Add(time.Minute))
	if !live.Visible || live.Final || !strings.HasPrefix(live.Explanation, "So far") {
		t.Errorf("live: %+v", live)
	}
}

func TestPrepareCast(t *testing.T) {
	base := testVote(WeightedByListSize, SimpleMajority)
	withProxy := base
	withProxy.AllowProxies = true
	withProxy.Proxies = []Proxy{{Practice: "D4", Holder: "A1"}}
	anon := base
	anon.Anonymous = true
	during := opens.Add(time.Hour)
	tests := []struct {
		name    string
		v       MemberVote
		req     CastRequest
		voted   map[string]bool
		at      time.Time
		wantErr error
		actFor  string
		weight  int64
	}{
		{"direct vote weighted", base, CastRequest{Practice: "B2", Person: 7, Choice: 0}, nil, during, nil, "B2", 6000},
		{"abstain", base, CastRequest{Practice: "B2", Person: 7, Choice: Abstain}, nil, during, nil, "B2", 6000},
		{"before opening", base, CastRequest{Practice: "B2", Choice: 0}, nil, opens.Add(-time.Second), errs.ErrConflict, "", 0},
		{"at closing", base, CastRequest{Practice: "B2", Choice: 0}, nil, closes, errs.ErrConflict, "", 0},
		{"not entitled", base, CastRequest{Practice: "Z9", Choice: 0}, nil, during, errs.ErrForbidden, "", 0},
		{"bad option", base, CastRequest{Practice: "B2", Choice: 2}, nil, during, errs.ErrInvalid, "", 0},
		{"twice", base, CastRequest{Practice: "B2", Choice: 0}, map[string]bool{"B2": true}, during, errs.ErrConflict, "", 0},
		{"proxy not allowed", base, CastRequest{Practice: "D4", ProxyHolder: "A1", Choice: 0}, nil, during, errs.ErrInvalid, "", 0},
		{"proxy allowed and appointed", withProxy, CastRequest{Practice: "D4", ProxyHolder: "A1", Choice: 0}, nil, during, nil, "A1", 1000},
		{"proxy not appointed", withProxy, CastRequest{Practice: "C3", ProxyHolder: "A1", Choice: 0}, nil, during, errs.ErrForbidden, "", 0},
		{"anonymous keeps no named ballot", anon, CastRequest{Practice: "C3", Person: 9, Choice: 1}, nil, during, nil, "C3", 3000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, e, b, actFor, err := PrepareCast(tt.v, tt.req, tt.voted, tt.at)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if actFor != tt.actFor || e.Weight != tt.weight || p.Practice != tt.req.Practice || p.ProxyHolder != tt.req.ProxyHolder {
				t.Errorf("actFor=%s weight=%d p=%+v", actFor, e.Weight, p)
			}
			if tt.v.Anonymous != (b == nil) {
				t.Errorf("named ballot = %+v for anonymous=%v", b, tt.v.Anonymous)
			}
		})
	}
}

func TestVoteValidate(t *testing.T) {
	ok := testVote(WeightedByListSize, SimpleMajority)
	tests := []struct {
		name   string
		change func(v *MemberVote)
		want   string
	}{
		{"valid", func(v *MemberVote) {}, ""},
		{"one option", func(v *MemberVote) { v.Options = v.Options[:1] }, "two options"},
		{"closes before opens", func(v *MemberVote) { v.Closes = v.Opens }, "close after"},
		{"weighted without list size", func(v *MemberVote) { v.Roster[0].ListSize = 0 }, "no list size"},
		{"duplicate practice", func(v *MemberVote) { v.Roster = append(v.Roster, v.Roster[0]) }, "twice"},
		{"proxies when not allowed", func(v *MemberVote) { v.Proxies = []Proxy{{"A1", "B2"}} }, "does not allow proxy"},
		{"proxy to self", func(v *MemberVote) { v.AllowProxies = true; v.Proxies = []Proxy{{"A1", "A1"}} }, "two different"},
		{"not a practice body", func(v *MemberVote) { v.Rule.PracticeVote = "" }, "member practices"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := ok
			v.Roster = roster()
			tt.change(&v)
			err := v.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestRemindersDue(t *testing.T) {
	v := testVote(OnePracticeOneVote, SimpleMajority)
	voted := []Participation{{Practice: "A1"}, {Practice: "C3"}}
	tests := []struct {
		name string
		at   time.Time
		want []string
	}{
		{"too early", closes.Add(-49 * time.Hour), nil},
		{"at the reminder point", closes.Add(-48 * time.Hour), []string{"B2", "D4"}},
		{"last minute", closes.Add(-time.Minute), []string{"B2", "D4"}},
		{"closed", closes, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RemindersDue(v, voted, tt.at, 48*time.Hour)
			var codes []string
			for _, e := range got {
				codes = append(codes, e.Practice)
			}
			if strings.Join(codes, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %v, want %v", codes, tt.want)
			}
		})
	}
}

func TestCheckOutcome(t *testing.T) {
	v := testVote(OnePracticeOneVote, SimpleMajority)
	good := VoteOutcome{Statement: "Carried", Reasons: "most practices agreed", ReviewDate: day("2022-03-01")}
	tests := []struct {
		name string
		o    VoteOutcome
		at   time.Time
		want error
	}{
		{"ok", good, closes, nil},
		{"before close", good, closes.Add(-time.Second), errs.ErrConflict},
		{"no reasons", VoteOutcome{Statement: "x", ReviewDate: day("2022-03-01")}, closes, errs.ErrInvalid},
		{"review date on the close date", VoteOutcome{Statement: "x", Reasons: "y", ReviewDate: day("2021-03-08")}, closes, errs.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckOutcome(v, tt.o, tt.at); !errors.Is(err, tt.want) && !(err == nil && tt.want == nil) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestDefaultConstitutionAndDiff(t *testing.T) {
	c := defaultConstitution(t)
	kinds := map[BodyKind]int{}
	for _, b := range c.Bodies {
		kinds[b.Kind]++
	}
	if kinds[KindMemberCouncil] != 1 || kinds[KindGoverningBody] != 1 || kinds[KindLocalityGroup] != 5 || kinds[KindCommittee] != 4 || kinds[KindPanel] != 1 {
		t.Errorf("bodies by kind: %v", kinds)
	}
	if b, _ := c.Body("primary-care-commissioning-committee"); b.Alternate != "primary-care-commissioning-panel" {
		t.Errorf("PCCC alternate = %q", b.Alternate)
	}
	next := defaultConstitution(t)
	next.Bodies[1].Quorum.MinCount = 6
	next.Bodies = append(next.Bodies, Body{ID: "finance-committee", Name: "Finance committee", Kind: KindCommittee,
		Quorum: QuorumRule{MinCount: 3}, Voting: VotingRule{Majority: SimpleMajority}})
	next.Scheme.Delegations = next.Scheme.Delegations[:len(next.Scheme.Delegations)-1]
	next.Scheme.Delegations = append(next.Scheme.Delegations, Delegation{Type: ChangeConstitution, From: 0, Body: "member-council",
		RequiresRatification: false, Why: "Two thirds of members must agree."})
	next.Gifts.Hospitality = 3000
	tests := []struct {
		kind    ChangeKind
		subject string
	}{
		{Changed, "body governing-body: quorum"},
		{Added, "body finance-committee"},
		{Changed, "gifts and hospitality thresholds: hospitality"},
	}
	changes := Diff(c, next)
	for _, tt := range tests {
		t.Run(tt.subject, func(t *testing.T) {
			for _, ch := range changes {
				if ch.Kind == tt.kind && ch.Subject == tt.subject {
					return
				}
			}
			t.Errorf("no %s %q in %+v", tt.kind, tt.subject, changes)
		})
	}
	if len(Diff(c, c)) != 0 {
		t.Error("a constitution differs from itself")
	}
	if err := next.Validate(); err != nil {
		t.Error(err)
	}
	bad := defaultConstitution(t)
	bad.Bodies[1].Alternate = "nowhere"
	if err := bad.Validate(); !errors.Is(err, errs.ErrInvalid) {
		t.Errorf("alternate to nowhere: %v", err)
	}
}

func TestPounds(t *testing.T) {
	for in, want := range map[int64]string{0: "£0", 600: "£6", 2550: "£25.50", 125_000_000: "£1,250,000", -100: "-£1", 99: "£0.99"} {
		if got := Pounds(in); got != want {
			t.Errorf("Pounds(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestAssuranceCSV(t *testing.T) {
	ds := []Decision{
		{ID: 1, Title: "Contract", Body: "governing-body", Type: ApproveContract, Value: 100, Decided: day("2021-05-01"),
			Exclusions: []Exclusion{{Person: 1, Name: "Dr A", Interest: "a financial interest", Organisation: "Y01FED"}}},
		{ID: 2, Body: "governing-body", Type: ApproveContract, Value: 50, Decided: day("2021-06-01")},
		{ID: 3, Body: "quality-committee", Type: AdoptClinicalPolicy, Decided: day("2022-06-01")}, // outside
	}
	ms := []Meeting{{ID: 9, Body: "audit-committee", Date: day("2021-07-01"), Agenda: []AgendaItem{{No: 1, Title: "Accounts",
		Check: &ItemCheck{Quorum: QuorumResult{Quorate: false}, Explanation: "no lay member"}}}}}
	r := BuildAssurance(day("2021-04-01"), day("2022-04-01"), ds, ms)
	if len(r.Decisions) != 1 || r.Decisions[0].Count != 2 || r.Decisions[0].Value != 150 || len(r.Conflicts) != 1 || len(r.Inquorate) != 1 {
		t.Fatalf("%+v", r)
	}
	var b strings.Builder
	if err := r.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"section,body,type", "decisions,governing-body,approve-contract,,2,150", "conflict,governing-body", "inquorate,audit-committee"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("csv lacks %q:\n%s", want, b.String())
		}
	}
}
