// Package smtp delivers ccg's mail through an SMTP server, using
// github.com/wneessen/go-mail. It implements mail.Sender.
//
// The server is named by one URL (--smtp-url, CCG_SMTP_URL):
//
//	smtp://USER:PASSWORD@HOST:PORT?from=ADDRESS   STARTTLS (required unless starttls=opportunistic or starttls=off)
//	smtps://USER:PASSWORD@HOST:PORT?from=ADDRESS  TLS from the start (port 465 by default)
//
// USER:PASSWORD is optional (percent-encode special characters); from is
// the sender's address and is required; name=WORDS sets the sender's
// display name. smtp:// defaults to port 587.
package smtp

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"ccg/internal/errs"
	"ccg/internal/mail"
)

// TLS says how the connection is protected.
type TLS string

// The TLS modes.
const (
	// StartTLSRequired: plain connection upgraded with STARTTLS; refuse to send if the server cannot.
	StartTLSRequired TLS = "required"
	// StartTLSOpportunistic: STARTTLS when the server offers it.
	StartTLSOpportunistic TLS = "opportunistic"
	// NoTLS: never (a relay on the same machine, a test server).
	NoTLS TLS = "off"
	// ImplicitTLS: TLS from the first byte (smtps://).
	ImplicitTLS TLS = "implicit"
)

// Config is where and how to send.
type Config struct {
	Host     string
	Port     int
	TLS      TLS
	Username string
	Password string
	From     string
	FromName string
	// Timeout bounds connecting and each command (default 30 seconds).
	Timeout time.Duration
}

// String describes the configuration without its password.
func (c Config) String() string {
	user := ""
	if c.Username != "" {
		user = c.Username + "@"
	}
	return fmt.Sprintf("%s%s (TLS %s, from %s)", user, net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), c.TLS, c.From)
}

// ParseURL reads an smtp:// or smtps:// URL (see the package documentation).
func ParseURL(raw string) (Config, error) {
	bad := func(why string) (Config, error) {
		return Config{}, fmt.Errorf("smtp: --smtp-url: %s (want smtp://[USER:PASSWORD@]HOST[:PORT]?from=ADDRESS or smtps://…): %w", why, errs.ErrInvalid)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("not a URL")
	}
	var c Config
	switch u.Scheme {
	case "smtp":
		c.TLS, c.Port = StartTLSRequired, 587
	case "smtps":
		c.TLS, c.Port = ImplicitTLS, 465
	default:
		return bad(fmt.Sprintf("scheme %q", u.Scheme))
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return bad("no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return bad(fmt.Sprintf("port %q", p))
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	q := u.Query()
	if c.From, err = mail.ParseAddress(q.Get("from")); err != nil {
		return bad("from= must be the sender's e-mail address")
	}
	c.FromName = q.Get("name")
	switch v := q.Get("starttls"); v {
	case "":
	case string(StartTLSOpportunistic), string(NoTLS), string(StartTLSRequired):
		if c.TLS == ImplicitTLS {
			return bad("starttls= does not apply to smtps://")
		}
		c.TLS = TLS(v)
	default:
		return bad(fmt.Sprintf("starttls=%q: want required, opportunistic or off", v))
	}
	if c.Username != "" && c.TLS == NoTLS && !isLoopback(c.Host) {
		return bad("a password is never sent without TLS to another machine")
	}
	return c, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Sender sends messages through one SMTP server, one connection per message.
type Sender struct {
	cfg Config
}

// New returns a Sender for cfg.
func New(cfg Config) *Sender {
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Sender{cfg: cfg}
}

// Config returns the sender's configuration.
func (s *Sender) Config() Config { return s.cfg }

func (s *Sender) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.cfg.Timeout)}
	switch s.cfg.TLS {
	case ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case StartTLSRequired:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case StartTLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case NoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	return gomail.NewClient(s.cfg.Host, opts...)
}

// Message builds the e-mail for m: plain text with an HTML alternative,
// a Message-ID made from its outbox number (so that a repeat after a crash
// is recognisable), and RFC 8058 one-click unsubscribe headers when m has
// an unsubscribe address.
func (s *Sender) Message(m mail.Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	var err error
	if s.cfg.FromName != "" {
		err = msg.FromFormat(s.cfg.FromName, s.cfg.From)
	} else {
		err = msg.From(s.cfg.From)
	}
	if err != nil {
		return nil, fmt.Errorf("smtp: from %q: %w", s.cfg.From, err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("smtp: to %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	domain := s.cfg.From[strings.LastIndexByte(s.cfg.From, '@')+1:]
	msg.SetMessageIDWithValue(fmt.Sprintf("ccg-outbox-%d@%s", m.ID, domain))
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	if m.Unsubscribe != "" {
		msg.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribe, "<"+m.Unsubscribe+">")
		msg.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// Send implements mail.Sender.
func (s *Sender) Send(ctx context.Context, m mail.Message) error {
	msg, err := s.Message(m)
	if err != nil {
		return err
	}
	c, err := s.client()
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp: send to %s via %s:%d: %w", m.To, s.cfg.Host, s.cfg.Port, err)
	}
	return nil
}
