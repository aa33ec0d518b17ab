package cli

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestServeGCLoop checks that the gc a server runs on a timer removes the
// files of an import that never published, keeps those of an import still
// running (its lock is held), and stops with the server.
func TestServeGCLoop(t *testing.T) {
	ctx := context.Background()
	a, err := openApp(ctx, Config{DataDir: t.TempDir()}, applyMigrations)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	an := a.prescribingAnalytics()
	if an == nil {
		t.Fatal("no analytics store")
	}
	running, err := an.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer running.Finish(false)
	file := func(run string) string {
		p := filepath.Join(an.Root(), "prescribing", "2024-01", run+"-0.parquet")
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("PAR1"), 0o640); err != nil {
			t.Fatal(err)
		}
		return p
	}
	orphan := file("20240101T000000Z-0123456789ab") // an import killed before it published
	kept := file(running.Run())

	loop, stop := context.WithCancel(ctx)
	a.startGC(loop, slog.New(slog.DiscardHandler), 20*time.Millisecond, time.Hour)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(orphan); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server's gc did not remove the file of an import that never published")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := os.Stat(kept); err != nil {
		t.Errorf("the server's gc removed the file of an import still running: %v", err)
	}
	stop()
	time.Sleep(100 * time.Millisecond) // let a tick in flight finish
	again := file("20240101T000000Z-ba9876543210")
	time.Sleep(200 * time.Millisecond)
	if _, err := os.Stat(again); err != nil {
		t.Errorf("the gc kept running after the server stopped: %v", err)
	}
}
