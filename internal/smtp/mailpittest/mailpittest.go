// Package mailpittest lets tests read what a real SMTP server received:
// the Mailpit that scripts/test-env.sh starts (CCG_TEST_SMTP, its SMTP
// address, and CCG_TEST_MAILPIT_API, its HTTP API). Several test packages
// share one Mailpit, so every test sends to addresses of its own (Address)
// and reads only those.
package mailpittest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// Mailpit is a running Mailpit.
type Mailpit struct {
	SMTP string // host:port
	API  string // http://host:port
}

// FromEnv returns the Mailpit the test environment started, or skips the
// test when there is none.
func FromEnv(tb testing.TB) *Mailpit {
	tb.Helper()
	smtp, api := os.Getenv("CCG_TEST_SMTP"), os.Getenv("CCG_TEST_MAILPIT_API")
	if smtp == "" || api == "" {
		tb.Skip("CCG_TEST_SMTP / CCG_TEST_MAILPIT_API not set (run through make test): mail delivery test skipped")
	}
	return &Mailpit{SMTP: smtp, API: strings.TrimRight(api, "/")}
}

// SMTPURL returns the --smtp-url that sends through this Mailpit (no TLS:
// it listens on the loopback only).
func (m *Mailpit) SMTPURL(from string) string {
	return "smtp://" + m.SMTP + "?starttls=off&from=" + url.QueryEscape(from)
}

// Address returns a fresh address for one test: name+RANDOM@domain.
func Address(name, domain string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return name + "+" + hex.EncodeToString(b) + "@" + domain
}

// Summary is one message in a list.
type Summary struct {
	ID      string `json:"ID"`
	Subject string `json:"Subject"`
	To      []struct {
		Address string `json:"Address"`
	} `json:"To"`
}

// Message is one message in full.
type Message struct {
	ID        string `json:"ID"`
	MessageID string `json:"MessageID"`
	Subject   string `json:"Subject"`
	Text      string `json:"Text"`
	HTML      string `json:"HTML"`
	From      struct {
		Address string `json:"Address"`
		Name    string `json:"Name"`
	} `json:"From"`
	// Headers are the message's headers (filled in by Received).
	Headers map[string][]string `json:"-"`
}

func (m *Mailpit) get(ctx context.Context, path string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.API+path, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("mailpit GET %s: %s", path, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(into)
}

// Search returns the messages sent to address, newest first.
func (m *Mailpit) Search(ctx context.Context, address string) ([]Summary, error) {
	var out struct {
		Messages []Summary `json:"messages"`
	}
	err := m.get(ctx, "/api/v1/search?limit=200&query="+url.QueryEscape(`to:"`+address+`"`), &out)
	return out.Messages, err
}

// Read returns one message with its headers.
func (m *Mailpit) Read(ctx context.Context, id string) (Message, error) {
	var msg Message
	if err := m.get(ctx, "/api/v1/message/"+url.PathEscape(id), &msg); err != nil {
		return Message{}, err
	}
	if err := m.get(ctx, "/api/v1/message/"+url.PathEscape(id)+"/headers", &msg.Headers); err != nil {
		return Message{}, err
	}
	return msg, nil
}

// Received waits up to timeout until address has received at least n
// messages, and returns them (newest first) in full; it fails the test
// when they do not come.
func (m *Mailpit) Received(tb testing.TB, address string, n int, timeout time.Duration) []Message {
	tb.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(timeout)
	for {
		list, err := m.Search(ctx, address)
		if err != nil {
			tb.Fatalf("mailpit: %v", err)
		}
		if len(list) >= n {
			out := make([]Message, len(list))
			for i, s := range list {
				if out[i], err = m.Read(ctx, s.ID); err != nil {
					tb.Fatalf("mailpit: %v", err)
				}
			}
			return out
		}
		if time.Now().After(deadline) {
			tb.Fatalf("mailpit: %s received %d messages, want %d within %s", address, len(list), n, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Count returns how many messages address has received so far.
func (m *Mailpit) Count(tb testing.TB, address string) int {
	tb.Helper()
	list, err := m.Search(context.Background(), address)
	if err != nil {
		tb.Fatalf("mailpit: %v", err)
	}
	return len(list)
}
