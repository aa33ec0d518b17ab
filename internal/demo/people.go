package demo

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"strings"
)

// KindPeople is the import kind of the demo's practice staff file (the
// access package's bulk staff CSV).
const KindPeople = "people"

// Account is a demo sign-in for one role, printed when the demo starts.
type Account struct {
	Role      string   // an access role code, e.g. "administrator"
	Name      string   // the person's name
	Email     string   // their sign-in email (…@demo.ccg.example)
	Password  string   // a password that passes the password policy
	Practices []string // ODS codes they work at
	// Localities are given directly (a locality lead's).
	Localities   []string
	Professional string // a professional role label
}

// demoWords make the demo passwords (deterministic per seed, and passing
// the password policy: long, not common, not the email).
var demoWords = strings.Fields(`amber beacon bramble cedar clover copper ember falcon fern harbour hazel heron
kestrel lantern linen maple meadow orchard otter pebble quartz raven saffron slate sparrow thistle willow wren`)

func demoPassword(r *rand.Rand) string {
	w := make([]string, 4)
	for i := range w {
		w[i] = demoWords[r.IntN(len(demoWords))]
	}
	return fmt.Sprintf("%s-%d", strings.Join(w, "-"), 10+r.IntN(90))
}

// writePeople writes the practice staff CSV (a few staff at each open GP
// practice) and chooses one sign-in account per role.
func writePeople(b *builder) error {
	// The staff and accounts are the same for every seed (like the ODS
	// files): only the numbers vary with the seed.
	r := newRand(0, "people")
	last := b.w.Snapshots[len(b.w.Snapshots)-1]
	var gps []*Practice
	for _, p := range b.w.Practices {
		if p.GP() && p.OpenOn(last) && p.LocalityOn(last) != "" {
			gps = append(gps, p)
		}
	}
	if len(gps) == 0 {
		return fmt.Errorf("no open practice in a locality")
	}
	first := gps[0]
	loc := first.LocalityOn(last)
	accounts := []Account{
		{Role: "administrator", Name: "Alex Admin", Email: "admin@demo.ccg.example", Professional: "CCG officer"},
		{Role: "analyst", Name: "Ana Analyst", Email: "analyst@demo.ccg.example", Professional: "CCG officer"},
		{Role: "finance", Name: "Fin Finance", Email: "finance@demo.ccg.example", Professional: "CCG officer"},
		{Role: "governance-secretary", Name: "Gita Secretary", Email: "secretary@demo.ccg.example", Professional: "CCG officer"},
		{Role: "governing-body-member", Name: "Dr Gerry Governor", Email: "governor@demo.ccg.example", Professional: "GP partner", Practices: []string{gps[len(gps)/2].Code}},
		{Role: "locality-lead", Name: "Dr Lou Lead", Email: "lead@demo.ccg.example", Professional: "GP partner", Practices: []string{first.Code}, Localities: []string{loc}},
		{Role: "practice-member", Name: "Dr Mo Member", Email: "member@demo.ccg.example", Professional: "GP partner", Practices: []string{first.Code}},
	}
	for i := range accounts {
		accounts[i].Password = demoPassword(r)
	}
	b.w.Accounts = accounts

	first3 := []string{"Sam", "Priya", "Tom", "Aisha", "Ben", "Chloe", "Dev", "Ellen", "Femi", "Grace", "Hamid", "Isla"}
	lastN := []string{"Patel", "Jones", "Smith", "Khan", "Taylor", "Brown", "Williams", "Ahmed", "Evans", "Walker"}
	pros := []string{"GP partner", "Salaried GP", "Practice manager", "Practice nurse", "Pharmacist"}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"name", "email", "professional_role", "practices", "roles"})
	for _, p := range gps {
		for j, pro := range pros[:2+r.IntN(3)] {
			fn, ln := first3[r.IntN(len(first3))], lastN[r.IntN(len(lastN))]
			email := fmt.Sprintf("%s.%s.%d@%s.demo.ccg.example", strings.ToLower(fn), strings.ToLower(ln), j+1, strings.ToLower(p.Code))
			_ = w.Write([]string{fn + " " + ln, email, pro, p.Code, "practice-member"})
		}
	}
	// Two rows as a real staff list has them, which the import rejects and
	// keeps with their reasons (the data-quality gate, shown on /imports):
	// an email address mistyped, and a role misspelt.
	_ = w.Write([]string{"Jo Bloggs", "jo.bloggs.at." + strings.ToLower(first.Code) + ".demo.ccg.example", "Practice nurse", first.Code, "practice-member"})
	_ = w.Write([]string{"Kim Lee", "kim.lee@" + strings.ToLower(first.Code) + ".demo.ccg.example", "GP partner", first.Code, "practise-member"})
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	path, err := b.writeFile("people/practice-staff.csv", buf.Bytes())
	if err != nil {
		return err
	}
	b.step(KindPeople, path)
	return nil
}
