package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccg/internal/store/sqlite"
)

// TestUserTokenAudit drives 'ccg user', 'ccg token' and 'ccg audit' against
// a SQLite data folder, then tampers with one audit row in the database and
// checks that 'ccg audit verify' names it.
func TestUserTokenAudit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := Run(ctx, append(args, "--data", dir), &out)
		return out.String(), err
	}
	steps := []struct {
		name    string
		args    []string
		want    string
		wantErr bool
	}{
		{"add admin", []string{"user", "add", "--email", "Ada@X.nhs.uk", "--name", "Ada Admin", "--role", "administrator"}, "password: ", false},
		{"add member", []string{"user", "add", "--email", "mo@x.nhs.uk", "--name", "Mo Member", "--role", "practice member", "--practice", "A81001", "--professional", "GP partner"}, "practice-member", false},
		{"duplicate", []string{"user", "add", "--email", "mo@x.nhs.uk", "--name", "Mo Again"}, "", true},
		{"unknown role", []string{"user", "add", "--email", "x@x.nhs.uk", "--name", "X", "--role", "wizard"}, "", true},
		{"list", []string{"user", "list"}, "mo@x.nhs.uk", false},
		{"reset", []string{"user", "reset-password", "mo@x.nhs.uk"}, "password: ", false},
		{"disable", []string{"user", "disable", "mo@x.nhs.uk"}, "disabled", false},
		{"token for admin", []string{"token", "create", "--user", "ada@x.nhs.uk", "--name", "script"}, "ccg_", false},
		{"token list", []string{"token", "list", "--user", "ada@x.nhs.uk"}, "script", false},
		{"token revoke", []string{"token", "revoke", "1"}, "revoked", false},
		{"verify intact", []string{"audit", "verify"}, "audit log intact", false},
		{"audit list", []string{"audit", "list"}, "people.add", false},
		{"import a file", []string{"import", "people", filepath.Join(dir, "staff.csv")}, "", false},
		{"the import is audited", []string{"audit", "list", "--limit", "1000"}, "import.run", false},
	}
	if err := os.WriteFile(filepath.Join(dir, "staff.csv"), []byte("name,email,professional_role,practices,roles\nKim Key,kim@x.nhs.uk,,A81001,practice member\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			out, err := run(st.args...)
			if (err != nil) != st.wantErr {
				t.Fatalf("err = %v, want error %v\n%s", err, st.wantErr, out)
			}
			if !strings.Contains(out, st.want) {
				t.Errorf("output lacks %q:\n%s", st.want, out)
			}
		})
	}

	t.Run("the audit key file is private", func(t *testing.T) {
		fi, err := os.Stat(filepath.Join(dir, "audit.key"))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("audit.key: %v, %v", fi, err)
		}
	})
	t.Run("removing the newest entries shows against a checkpoint", func(t *testing.T) {
		cp, err := run("audit", "checkpoint")
		cp = strings.TrimSpace(cp)
		if err != nil || !strings.Contains(cp, ":k1:") {
			t.Fatalf("checkpoint %q, %v", cp, err)
		}
		if out, err := run("audit", "verify", "--against", cp); err != nil || !strings.Contains(out, "found unchanged") {
			t.Fatalf("verify against a fresh checkpoint: %v\n%s", err, out)
		}
		s, err := sqlite.Open(ctx, filepath.Join(dir, "ccg.db"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.WriteDB().ExecContext(ctx, `DELETE FROM audit_log WHERE seq >= (SELECT MAX(seq) - 1 FROM audit_log)`); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if out, err := run("audit", "verify"); err != nil {
			t.Fatalf("without a checkpoint the trimmed log still verifies (as documented): %v\n%s", err, out)
		}
		out, err := run("audit", "verify", "--against", cp)
		if err == nil || !strings.Contains(out, "BROKEN") || !strings.Contains(out, "entries were removed") {
			t.Fatalf("verify against a checkpoint after trimming: %v\n%s", err, out)
		}
	})
	t.Run("a wrong key is refused", func(t *testing.T) {
		out, err := run("audit", "verify", "--audit-key", "a guessed key, long enough")
		if err == nil || !strings.Contains(out, "keyed hash") {
			t.Fatalf("verify with a wrong key: %v\n%s", err, out)
		}
	})
	t.Run("tampered row is named", func(t *testing.T) {
		s, err := sqlite.Open(ctx, filepath.Join(dir, "ccg.db"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.WriteDB().ExecContext(ctx, `UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3`); err != nil {
			t.Fatal(err)
		}
		s.Close()
		out, err := run("audit", "verify")
		if err == nil || !strings.Contains(out, "BROKEN at entry 3") || !strings.Contains(err.Error(), "audit entry 3") {
			t.Fatalf("err = %v\n%s", err, out)
		}
	})
}
