package engagement

import (
	"sort"

	"ccg/internal/stats"
)

// RoleGroup is the broad kind of work a respondent does in their practice.
type RoleGroup string

// The role groups. The zero value means "not recorded" (given up to keep a
// small group anonymous).
const (
	RoleGP            RoleGroup = "gp"
	RoleNurse         RoleGroup = "nurse"
	RoleOtherClinical RoleGroup = "other-clinical"
	RoleManager       RoleGroup = "practice-manager"
	RoleOtherStaff    RoleGroup = "other-staff"
)

// RoleGroups lists the role groups in the order pages show them.
var RoleGroups = []RoleGroup{RoleGP, RoleNurse, RoleOtherClinical, RoleManager, RoleOtherStaff}

// Valid reports whether r is a role group or "not recorded".
func (r RoleGroup) Valid() bool {
	if r == "" {
		return true
	}
	for _, v := range RoleGroups {
		if v == r {
			return true
		}
	}
	return false
}

// Label gives a plain-language name.
func (r RoleGroup) Label() string {
	switch r {
	case RoleGP:
		return "GPs"
	case RoleNurse:
		return "Practice nurses"
	case RoleOtherClinical:
		return "Other clinical staff"
	case RoleManager:
		return "Practice managers"
	case RoleOtherStaff:
		return "Other practice staff"
	case "":
		return notRecorded
	}
	return string(r)
}

const notRecorded = "Not recorded (kept back to protect anonymity)"

// Leadership says whether a respondent held a leadership position in the
// CCG (a seat on the governing body, a locality lead) at the time of the
// wave.
type Leadership string

// The leadership classes. The zero value means "not recorded".
const (
	Leader       Leadership = "leader"
	OtherMember  Leadership = "member"
	leadershipNR Leadership = ""
)

// Valid reports whether l is a leadership class or "not recorded".
func (l Leadership) Valid() bool { return l == Leader || l == OtherMember || l == leadershipNR }

// Label gives a plain-language name.
func (l Leadership) Label() string {
	switch l {
	case Leader:
		return "Leaders (governing body, locality leads)"
	case OtherMember:
		return "Other members"
	}
	return notRecorded
}

// SizeBand is a band of practice list size.
type SizeBand string

// The practice size bands. The zero value means "not recorded".
const (
	SizeSmall  SizeBand = "small"  // under 5,000 registered patients
	SizeMedium SizeBand = "medium" // 5,000 to 9,999
	SizeLarge  SizeBand = "large"  // 10,000 or more
)

// SizeBands lists the bands smallest first.
var SizeBands = []SizeBand{SizeSmall, SizeMedium, SizeLarge}

// SizeBandOf returns the band of a practice with listSize registered
// patients; a list size of zero or less (unknown) gives "not recorded".
func SizeBandOf(listSize int) SizeBand {
	switch {
	case listSize <= 0:
		return ""
	case listSize < 5000:
		return SizeSmall
	case listSize < 10000:
		return SizeMedium
	}
	return SizeLarge
}

// Valid reports whether b is a band or "not recorded".
func (b SizeBand) Valid() bool { return b == "" || b == SizeSmall || b == SizeMedium || b == SizeLarge }

// Label gives a plain-language name.
func (b SizeBand) Label() string {
	switch b {
	case SizeSmall:
		return "Small practices (under 5,000 patients)"
	case SizeMedium:
		return "Medium practices (5,000 to 9,999 patients)"
	case SizeLarge:
		return "Large practices (10,000 patients or more)"
	}
	return notRecorded
}

// Class is what is known about a respondent, as at the wave: never who they
// are. A zero field means "not recorded". Stored classes are coarsened
// (see Coarsen) so that each is shared by at least five people invited.
type Class struct {
	Locality   string     `json:"locality,omitempty"`
	Role       RoleGroup  `json:"role,omitempty"`
	Leadership Leadership `json:"leadership,omitempty"`
	Size       SizeBand   `json:"size,omitempty"`
}

// key orders classes deterministically.
func (c Class) key() string {
	return string(c.Leadership) + "\x00" + string(c.Role) + "\x00" + c.Locality + "\x00" + string(c.Size)
}

// coarsenLevels is the number of generalisation levels: 0 keeps every
// attribute, then size band, locality and role group are given up in turn,
// and at the last level leadership too.
const coarsenLevels = 5

// project returns c generalised to level l.
func (c Class) project(l int) Class {
	if l >= 1 {
		c.Size = ""
	}
	if l >= 2 {
		c.Locality = ""
	}
	if l >= 3 {
		c.Role = ""
	}
	if l >= 4 {
		c.Leadership = ""
	}
	return c
}

// Coarsen returns the classes to store for people with the given classes
// (in the same order), generalised so that every distinct stored class is
// shared by at least d.MinGroup of them (d.AllowGroup decides).
//
// Level by level (all attributes; without size band; without locality too;
// without role group too; nothing), each class with enough people at that
// level is fixed there. A class short of people absorbs the smallest class
// already fixed at a finer level that generalises to it (whole classes are
// moved, so every fixed class stays large enough); failing that, its
// people go on to the next level. Only when fewer than d.MinGroup people
// are invited in all can a stored class be smaller, and then every class is
// "not recorded". The result is deterministic.
func Coarsen(d stats.Disclosure, classes []Class) []Class {
	type cell struct {
		class Class
		idx   []int
	}
	out := make([]Class, len(classes))
	var fixed []*cell
	remaining := make([]int, len(classes))
	for i := range classes {
		remaining[i] = i
	}
	for l := 0; l < coarsenLevels && len(remaining) > 0; l++ {
		groups := map[Class][]int{}
		for _, i := range remaining {
			k := classes[i].project(l)
			groups[k] = append(groups[k], i)
		}
		keys := make([]Class, 0, len(groups))
		for k := range groups {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(a, b int) bool { return keys[a].key() < keys[b].key() })
		var next []int
		for _, k := range keys {
			idx := groups[k]
			if !d.AllowGroup(len(idx)) {
				// borrow the smallest fixed cell that generalises to k
				best := -1
				for j, c := range fixed {
					if c.class.project(l) != k {
						continue
					}
					if best < 0 || len(c.idx) < len(fixed[best].idx) ||
						(len(c.idx) == len(fixed[best].idx) && c.class.key() < fixed[best].class.key()) {
						best = j
					}
				}
				if best < 0 {
					next = append(next, idx...)
					continue
				}
				idx = append(idx, fixed[best].idx...)
				fixed = append(fixed[:best], fixed[best+1:]...)
			}
			fixed = append(fixed, &cell{class: k, idx: idx})
		}
		remaining = next
	}
	for _, c := range fixed {
		for _, i := range c.idx {
			out[i] = c.class
		}
	}
	for _, i := range remaining { // fewer than MinGroup invited in all
		out[i] = Class{}
	}
	return out
}
