package engagement

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"ccg/internal/errs"
)

// PersonID identifies a person (kept by the people-and-roles package). It is
// an alias of int64 so that any package's person identifier converts freely.
type PersonID = int64

// DecisionID identifies a decision record (kept by governance).
type DecisionID = int64

// ItemKind is the kind of a questionnaire item.
type ItemKind string

// The kinds of item a questionnaire may hold.
const (
	ItemLikert ItemKind = "likert" // five points from strongly disagree to strongly agree
	ItemYesNo  ItemKind = "yes-no"
	ItemChoice ItemKind = "choice" // choose one of the options
	ItemText   ItemKind = "text"   // free text
)

// Label gives a plain-language name for the kind.
func (k ItemKind) Label() string {
	switch k {
	case ItemLikert:
		return "Agree or disagree (five points)"
	case ItemYesNo:
		return "Yes or no"
	case ItemChoice:
		return "Choose one"
	case ItemText:
		return "Your own words"
	}
	return string(k)
}

// LikertLabels are the five points of every Likert item, 1 to 5.
var LikertLabels = [5]string{"Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"}

// LikertNeutral is the neutral point of the Likert scale.
const LikertNeutral = 3

// The answers a yes-no item takes.
const (
	AnswerYes = "yes"
	AnswerNo  = "no"
)

// MaxTextLen is the longest free-text answer accepted, in characters.
const MaxTextLen = 2000

// Option is one answer of a choose-one item.
type Option struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Item is one question.
type Item struct {
	// ID is stable across waves (lower case, digits, hyphens); wave-on-wave
	// comparisons match items by ID.
	ID   string   `json:"id"`
	Kind ItemKind `json:"kind"`
	// Text is the statement or question, in the CCG's own words.
	Text string `json:"text"`
	Help string `json:"help,omitempty"`
	// Dimension is the ID of the dimension a Likert item measures.
	Dimension string `json:"dimension,omitempty"`
	// Reverse marks a negatively worded Likert item, reverse coded (6 − x)
	// when scored.
	Reverse bool `json:"reverse,omitempty"`
	// Options are the answers of a choose-one item.
	Options []Option `json:"options,omitempty"`
}

// Section groups items under a heading.
type Section struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Intro string `json:"intro,omitempty"`
	Items []Item `json:"items"`
}

// Dimension is what a group of Likert items measures, for example
// ownership or trust.
type Dimension struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// Questionnaire is a survey's questions, held as data so that each CCG can
// write it in its own words.
type Questionnaire struct {
	Title      string      `json:"title"`
	Intro      string      `json:"intro,omitempty"`
	Dimensions []Dimension `json:"dimensions"`
	Sections   []Section   `json:"sections"`
}

// Items returns every item in order.
func (q Questionnaire) Items() []Item {
	var out []Item
	for _, s := range q.Sections {
		out = append(out, s.Items...)
	}
	return out
}

// Item returns the item with the given ID.
func (q Questionnaire) Item(id string) (Item, bool) {
	for _, it := range q.Items() {
		if it.ID == id {
			return it, true
		}
	}
	return Item{}, false
}

// DimensionItems returns the Likert items measuring dimension id, in order.
func (q Questionnaire) DimensionItems(id string) []Item {
	var out []Item
	for _, it := range q.Items() {
		if it.Kind == ItemLikert && it.Dimension == id {
			out = append(out, it)
		}
	}
	return out
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// Validate checks that the questionnaire can be answered and scored, and
// lists every problem in plain language (wrapping errs.ErrInvalid).
func (q Questionnaire) Validate() error {
	var probs []string
	add := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	if strings.TrimSpace(q.Title) == "" {
		add("it needs a title")
	}
	declared := map[string]bool{}
	perDim := map[string]int{}
	for _, d := range q.Dimensions {
		switch {
		case !idPattern.MatchString(d.ID):
			add("dimension %q: an ID is lower-case letters, digits and hyphens", d.ID)
		case declared[d.ID]:
			add("dimension %q is listed twice", d.ID)
		}
		declared[d.ID] = true
		if strings.TrimSpace(d.Name) == "" {
			add("dimension %q needs a name", d.ID)
		}
	}
	if len(q.Sections) == 0 {
		add("it needs at least one section")
	}
	secs := map[string]bool{}
	items := map[string]bool{}
	for _, s := range q.Sections {
		if !idPattern.MatchString(s.ID) {
			add("section %q: an ID is lower-case letters, digits and hyphens", s.ID)
		} else if secs[s.ID] {
			add("section %q is listed twice", s.ID)
		}
		secs[s.ID] = true
		if strings.TrimSpace(s.Title) == "" {
			add("section %q needs a title", s.ID)
		}
		if len(s.Items) == 0 {
			add("section %q has no questions", s.ID)
		}
		for _, it := range s.Items {
			if !idPattern.MatchString(it.ID) {
				add("question %q: an ID is lower-case letters, digits and hyphens", it.ID)
			} else if items[it.ID] {
				add("question %q is listed twice", it.ID)
			}
			items[it.ID] = true
			if strings.TrimSpace(it.Text) == "" {
				add("question %q needs its wording", it.ID)
			}
			switch it.Kind {
			case ItemLikert:
				if !declared[it.Dimension] {
					add("question %q: a scale question must name one of the dimensions (%q is not one)", it.ID, it.Dimension)
				} else {
					perDim[it.Dimension]++
				}
				if len(it.Options) > 0 {
					add("question %q: a scale question has no options of its own", it.ID)
				}
			case ItemYesNo, ItemChoice, ItemText:
				if it.Dimension != "" || it.Reverse {
					add("question %q: only scale questions have a dimension or reverse scoring", it.ID)
				}
				if it.Kind == ItemChoice {
					if len(it.Options) < 2 {
						add("question %q: a choose-one question needs at least two options", it.ID)
					}
					seen := map[string]bool{}
					for _, o := range it.Options {
						if !idPattern.MatchString(o.ID) || seen[o.ID] {
							add("question %q: option %q needs a unique lower-case ID", it.ID, o.ID)
						}
						seen[o.ID] = true
						if strings.TrimSpace(o.Label) == "" {
							add("question %q: option %q needs a label", it.ID, o.ID)
						}
					}
				} else if len(it.Options) > 0 {
					add("question %q: only choose-one questions have options", it.ID)
				}
			default:
				add("question %q: %q is not a kind of question (likert, yes-no, choice, text)", it.ID, it.Kind)
			}
		}
	}
	for _, d := range q.Dimensions {
		if declared[d.ID] && perDim[d.ID] < 2 {
			add("dimension %q needs at least two scale questions for its reliability (Cronbach's alpha) to be measured", d.ID)
		}
	}
	if len(probs) > 0 {
		return fmt.Errorf("engagement: questionnaire: %s: %w", strings.Join(probs, "; "), errs.ErrInvalid)
	}
	return nil
}

// ParseQuestionnaire reads a questionnaire from JSON (unknown fields are an
// error, so a misspelt "reverse" is not silently ignored) and validates it.
func ParseQuestionnaire(b []byte) (Questionnaire, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var q Questionnaire
	if err := dec.Decode(&q); err != nil {
		return Questionnaire{}, fmt.Errorf("engagement: questionnaire: %v: %w", err, errs.ErrInvalid)
	}
	if err := q.Validate(); err != nil {
		return Questionnaire{}, err
	}
	return q, nil
}

//go:embed default_questionnaire.json
var defaultQuestionnaireJSON []byte

// DefaultQuestionnaireJSON returns the JSON of the questionnaire ccg ships,
// for a CCG to copy and reword.
func DefaultQuestionnaireJSON() []byte { return append([]byte(nil), defaultQuestionnaireJSON...) }

// DefaultQuestionnaire returns the questionnaire ccg ships: twenty
// statements across ownership, influence, communication, trust and
// understanding of the constitution (some negatively worded), a yes-no, a
// choose-one and a free-text question. Each call returns a fresh copy.
func DefaultQuestionnaire() Questionnaire {
	q, err := ParseQuestionnaire(defaultQuestionnaireJSON)
	if err != nil {
		panic("engagement: the embedded default questionnaire is invalid: " + err.Error())
	}
	return q
}

// Answers are one respondent's answers keyed by item ID: "1" to "5" for a
// Likert item, "yes" or "no", an option ID, or free text. An item left out
// (or given "") was not answered.
type Answers map[string]string

// CheckAnswers validates a against q and returns them normalised (free text
// trimmed, unanswered items dropped). Every problem is listed (wrapping
// errs.ErrInvalid).
func (q Questionnaire) CheckAnswers(a Answers) (Answers, error) {
	out := Answers{}
	var probs []string
	for id, v := range a {
		it, ok := q.Item(id)
		if !ok {
			probs = append(probs, fmt.Sprintf("%q is not a question in this survey", id))
			continue
		}
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		switch it.Kind {
		case ItemLikert:
			if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 5 {
				probs = append(probs, fmt.Sprintf("%q: choose a point from 1 to 5", id))
				continue
			}
		case ItemYesNo:
			if v != AnswerYes && v != AnswerNo {
				probs = append(probs, fmt.Sprintf("%q: answer yes or no", id))
				continue
			}
		case ItemChoice:
			if optionIndex(it, v) < 0 {
				probs = append(probs, fmt.Sprintf("%q: %q is not one of the options", id, v))
				continue
			}
		case ItemText:
			if !utf8.ValidString(v) {
				probs = append(probs, fmt.Sprintf("%q: the text is not valid UTF-8", id))
				continue
			}
			if utf8.RuneCountInString(v) > MaxTextLen {
				probs = append(probs, fmt.Sprintf("%q: please keep to %d characters", id, MaxTextLen))
				continue
			}
		}
		out[id] = v
	}
	if len(probs) > 0 {
		sort.Strings(probs)
		return nil, fmt.Errorf("engagement: answers: %s: %w", strings.Join(probs, "; "), errs.ErrInvalid)
	}
	return out, nil
}

// optionIndex returns the index of option id in it, or -1.
func optionIndex(it Item, id string) int {
	for i, o := range it.Options {
		if o.ID == id {
			return i
		}
	}
	return -1
}

// Disposition is the AAPOR final disposition of a returned questionnaire.
type Disposition string

// The dispositions of a returned questionnaire, by the share of its
// questions (every kind except free text) that were answered.
const (
	Complete Disposition = "complete"  // 80% or more answered (AAPOR I)
	Partial  Disposition = "partial"   // 50% to under 80% (AAPOR P)
	BreakOff Disposition = "break-off" // under 50%: a refusal (AAPOR R), left out of results
)

// Classify gives the disposition of answers a (already checked) to q.
// Free-text questions do not count, being optional by nature.
func Classify(q Questionnaire, a Answers) Disposition {
	var counted, answered int
	for _, it := range q.Items() {
		if it.Kind == ItemText {
			continue
		}
		counted++
		if a[it.ID] != "" {
			answered++
		}
	}
	switch {
	case counted > 0 && answered*5 >= counted*4:
		return Complete
	case counted > 0 && answered*2 >= counted:
		return Partial
	}
	return BreakOff
}
