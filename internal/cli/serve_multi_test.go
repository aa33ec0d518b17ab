package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"ccg/internal/analytics/duckdb"
)

// server is a running `ccg serve` process.
type server struct {
	cmd  *exec.Cmd
	base string
	out  bytes.Buffer
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startServer(t *testing.T, w *killWorld) *server {
	t.Helper()
	addr := freeAddr(t)
	s := &server{base: "http://" + addr}
	s.cmd = exec.Command(w.bin, "serve", "--addr", addr)
	s.cmd.Env = ccgEnv(w.data, w.eng)
	s.cmd.Stdout, s.cmd.Stderr = &s.out, &s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-done
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server on %s did not start: %v\n%s", addr, err, s.out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// values returns a measure's CCG values in a month, as served.
func (s *server) values(t *testing.T, measure, month string) (string, int) {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("%s/api/v1/measures/%s/values?month=%s&level=ccg", s.base, measure, month))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", resp.Request.URL, resp.StatusCode, body)
	}
	var v struct {
		Values []json.RawMessage `json:"values"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return string(body), len(v.Values)
}

// TestServersFollowImports runs two `ccg serve` processes on one database
// and one data folder, imports while they serve, and checks that both
// serve identical figures and show the new month within seconds, without
// a restart.
func TestServersFollowImports(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	for _, eng := range engines(t) {
		t.Run(eng.name, func(t *testing.T) {
			w := newKillWorld(t, eng)
			a, b := startServer(t, w), startServer(t, w)
			const measure = "antibiotics_per_star_pu"
			m2 := w.m2.String()
			av, an := a.values(t, measure, m2)
			bv, _ := b.values(t, measure, m2)
			if an == 0 || av != bv {
				t.Fatalf("the servers differ (or show nothing):\n%s\n%s", av, bv)
			}
			// A new month, imported while both serve.
			var m3 string
			var file string
			for _, s := range w.files.Steps {
				if s.Kind == "prescribing" {
					file = s.Path // the first month of the demo: not imported yet
					break
				}
			}
			m, _ := duckdb.MonthFromName(filepath.Base(file))
			m3 = m.String()
			if _, n := a.values(t, measure, m3); n != 0 {
				t.Fatalf("%s shown before its import", m3)
			}
			runCCG(t, w.bin, w.data, eng, "import", "prescribing", file)
			seen := time.Now()
			for {
				av, an = a.values(t, measure, m3)
				bv, _ = b.values(t, measure, m3)
				if an > 0 && av == bv {
					break
				}
				if time.Since(seen) > 15*time.Second {
					t.Fatalf("15 s after the import the servers show %d values / differ:\n%s\n%s", an, av, bv)
				}
				time.Sleep(200 * time.Millisecond)
			}
			t.Logf("both servers showed %s %v after the import ended", m3, time.Since(seen))
		})
	}
}
