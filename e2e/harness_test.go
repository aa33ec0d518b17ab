// Package e2e drives the whole ccg program as a person would: it starts
// `ccg demo` in-process through cli.Run (the same entry point main uses) on a
// free port and opens its pages in a real headless Chromium via chromedp.
//
// The browser is Debian's chromium; `make test` installs it when missing and
// sets CCG_TEST_CHROMIUM. Without a browser the tests skip with a message,
// unless CCG_TEST_CHROMIUM is set, when a failure to start it fails them.
package e2e

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, to make the demo's schema

	"ccg/internal/cli"
)

// demoServer is a running `ccg demo`.
type demoServer struct {
	URL    string
	Output *syncBuffer // everything the demo printed
	Engine string      // "SQLite" or "PostgreSQL"
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var (
	demoOnce sync.Once
	demo     *demoServer
	demoErr  error
)

var readyLine = regexp.MustCompile(`ccg demo is ready at (http://\S+)`)

// startDemo starts one shared demo (on SQLite) for the whole test binary.
func startDemo(t *testing.T) *demoServer {
	t.Helper()
	demoOnce.Do(func() {
		var extra []string
		if smtp := os.Getenv("CCG_TEST_SMTP"); smtp != "" {
			// the demo's e-mail goes to the test Mailpit (see mail_test.go)
			extra = append(extra, "--smtp-url", "smtp://"+smtp+"?starttls=off&from=ccg%40demo.ccg.example&name=NHS+Demo+CCG")
		}
		demo, demoErr = runDemo("SQLite", extra...)
	})
	if demoErr != nil {
		t.Fatalf("ccg demo did not start: %v", demoErr)
	}
	return demo
}

var (
	pgDemoOnce sync.Once
	pgDemo     *demoServer
	pgDemoErr  error
)

// startPostgresDemo starts one shared demo on PostgreSQL, in a fresh schema
// of the database base names.
func startPostgresDemo(t *testing.T, base string) *demoServer {
	t.Helper()
	pgDemoOnce.Do(func() {
		u, err := url.Parse(base)
		if err != nil {
			pgDemoErr = err
			return
		}
		const schema = "e2e_demo"
		db, err := sql.Open("pgx", base)
		if err != nil {
			pgDemoErr = err
			return
		}
		defer db.Close()
		for _, q := range []string{"DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema} {
			if _, err := db.Exec(q); err != nil {
				pgDemoErr = fmt.Errorf("%s: %w", q, err)
				return
			}
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		pgDemo, pgDemoErr = runDemo("PostgreSQL", "--db", u.String())
	})
	if pgDemoErr != nil {
		t.Fatalf("ccg demo on PostgreSQL did not start: %v", pgDemoErr)
	}
	return pgDemo
}

// runDemo runs `ccg demo` in-process on a free port with a fresh data folder
// and returns once it says it is ready.
func runDemo(engine string, extra ...string) (*demoServer, error) {
	dir, err := os.MkdirTemp("", "ccg-e2e-")
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	out := &syncBuffer{}
	ctx := context.Background()
	go func() {
		err := cli.Run(ctx, append([]string{"demo", "--data", dir, "--addr", "127.0.0.1:0"}, extra...), pw)
		pw.CloseWithError(err)
	}()
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			out.Write([]byte(line + "\n"))
			if m := readyLine.FindStringSubmatch(line); m != nil && !sent {
				urlc <- m[1]
				sent = true
			}
		}
		if !sent {
			close(urlc)
		}
	}()
	select {
	case u, ok := <-urlc:
		if !ok {
			return nil, errDemo(out.String())
		}
		return &demoServer{URL: strings.TrimSuffix(u, "/"), Output: out, Engine: engine}, nil
	case <-time.After(10 * time.Minute):
		return nil, errDemo("timed out; output so far:\n" + out.String())
	}
}

type errDemo string

func (e errDemo) Error() string { return string(e) }

// browser returns a chromedp context on a fresh headless Chromium. It uses
// chromedp's generic API: chromedp.Do(ctx, steps...) for actions without a
// value, chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main"))) for one with
// a value; the helpers below wrap the common ones and fail the test on error.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserWithin(t, 3*time.Minute)
}

// browserWithin is browser with the given time limit for everything done in
// it (a crawl needs longer than one page's test).
func browserWithin(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	path := os.Getenv("CCG_TEST_CHROMIUM")
	required := path != ""
	if path == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		t.Skip("no Chromium found (run 'make test', which installs it, or set CCG_TEST_CHROMIUM): browser test skipped")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first call starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx); err != nil {
		if required {
			t.Fatalf("start Chromium %s: %v", path, err)
		}
		t.Skipf("Chromium %s would not start (%v): browser test skipped", path, err)
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, limit)
	t.Cleanup(cancelTimeout)
	return tctx
}

// do runs browser steps and fails the test on error.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// eval evaluates a JavaScript expression on the current page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it is true (for example that a
// form submission has reached its next page), failing the test after 20 s.
func waitFor(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 20 s for %s (last error: %v)", cond, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// textOf returns the visible text of the element matching the CSS selector
// on the current page.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	// The text is read in the page by JavaScript rather than through
	// chromedp's node cache, whose node IDs go stale when a form submission
	// replaces the document between finding and reading the element.
	js := `(function(){var e=document.querySelector(` + strconv.Quote(sel) + `);return e===null?null:e.innerText})()`
	deadline := time.Now().Add(20 * time.Second)
	for {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[*string](js))
		if err == nil && s != nil {
			return *s
		}
		if time.Now().After(deadline) {
			t.Fatalf("read %s: no such element after 20 s (last error: %v)", sel, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// text opens url and returns the visible text of the element matching sel.
func text(t *testing.T, ctx context.Context, url, sel string) string {
	t.Helper()
	do(t, ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(sel)))
	return textOf(t, ctx, sel)
}

// signIn signs in through the /login form (which carries its CSRF token) and
// fails the test unless the page afterwards shows the person signed in.
func signIn(t *testing.T, ctx context.Context, base, email, password string) {
	t.Helper()
	do(t, ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="email"]`)),
		chromedp.SetValue(chromedp.CSS(`input[name="email"]`), email),
		chromedp.SetValue(chromedp.CSS(`input[name="password"]`), password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
	)
	waitFor(t, ctx, `location.pathname != "/login" || document.querySelector(".nhsuk-error-summary") != null`)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`main`)))
	if body := textOf(t, ctx, "body"); strings.Contains(body, "Sign in") && !strings.Contains(body, "Sign out") {
		t.Fatalf("sign-in as %s did not succeed:\n%s", email, clip(body))
	}
}

// signOut signs out by clearing the browser's cookies.
func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, chromedp.Navigate("about:blank"), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}))
}

// mustContain fails unless every want appears in got.
func mustContain(t *testing.T, where, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s: %q not found in:\n%s", where, w, clip(got))
		}
	}
}

func clip(s string) string {
	if len(s) > 1500 {
		return s[:1500] + "…"
	}
	return s
}
