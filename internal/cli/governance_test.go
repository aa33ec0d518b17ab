package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGovernanceImports imports a constitution and a register of interests
// through 'ccg import' into a SQLite data folder: bad rows are rejected
// with their line and column, a second import changes nothing, a changed
// constitution becomes the next version, and the audit chain holds it all.
func TestGovernanceImports(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := Run(ctx, append(args, "--data", dir), &out)
		return out.String(), err
	}
	constitution, err := os.ReadFile(filepath.Join("..", "governance", "defaults", "constitution.json"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	v1 := write("constitution.json", string(constitution))
	v2 := write("constitution-v2.json", strings.Replace(string(constitution), `"min_count": 5`, `"min_count": 6`, 1))
	broken := write("broken.json", `{"bodies": [`)
	register := write("interests.csv", "email,kind,organisation,organisation_name,description,from,to,declared,managed\n"+
		"mo@x.nhs.uk,financial,Y01FED,GP Federation,Shareholder,2024-01-01,,2024-01-05,Excluded from federation contracts\n"+
		"nobody@x.nhs.uk,financial,Y01FED,,x,2024-01-01,,,\n"+
		"mo@x.nhs.uk,wizardry,RXX,,x,2024-01-01,,,\n"+
		"mo@x.nhs.uk,indirect,RXX,,x,1 May 2024,,,\n")
	for _, st := range []struct {
		name    string
		args    []string
		want    string
		wantErr bool
	}{
		{"add a member", []string{"user", "add", "--email", "mo@x.nhs.uk", "--name", "Mo Member", "--role", "practice member", "--practice", "A81001"}, "practice-member", false},
		{"constitution", []string{"import", "governance-constitution", v1}, "1 accepted", false},
		{"same constitution again", []string{"import", "governance-constitution", v1}, "nothing changed", false},
		{"changed constitution", []string{"import", "governance-constitution", v2}, "adopted as version 2 with 1 changes", false},
		{"broken constitution", []string{"import", "governance-constitution", broken}, "", true},
		{"register of interests", []string{"import", "register-of-interests", register}, "1 accepted, 3 rejected", false},
		{"register again", []string{"import", "register-of-interests", register}, "0 records changed", false},
		{"audit", []string{"audit", "list"}, "governance.interest.declare", false},
		{"audit intact", []string{"audit", "verify"}, "audit log intact", false},
	} {
		t.Run(st.name, func(t *testing.T) {
			out, err := run(st.args...)
			if (err != nil) != st.wantErr {
				t.Fatalf("err = %v, want error %v\n%s", err, st.wantErr, out)
			}
			if !strings.Contains(out, st.want) {
				t.Errorf("output lacks %q:\n%s", st.want, out)
			}
			if st.name == "register of interests" {
				for _, want := range []string{"interests.csv:3:1", "interests.csv:4:", "wizardry", "1 May 2024"} {
					if !strings.Contains(out, want) {
						t.Errorf("rejections lack %q:\n%s", want, out)
					}
				}
			}
		})
	}
}
