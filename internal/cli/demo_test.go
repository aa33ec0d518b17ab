package cli

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// TestDemoHelpSaysItKeepsOffRealData checks that 'ccg help demo' says the
// demo does not use CCG_DATA (the README says every other command does).
func TestDemoHelpSaysItKeepsOffRealData(t *testing.T) {
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, log: slog.New(slog.NewTextHandler(&out, nil))}
	if err := helpFor(context.Background(), e, "demo"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "never reads CCG_DATA") {
		t.Errorf("ccg help demo does not say that the demo ignores CCG_DATA:\n%s", out.String())
	}
}
