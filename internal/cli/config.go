package cli

import (
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config is ccg's typed configuration, read once from flags (each with an
// environment variable as its default) and validated before use.
type Config struct {
	// DataDir holds the SQLite database, the analytics database and the
	// demo's generated files. Flag --data, env CCG_DATA, default ./ccg-data.
	DataDir string
	// DB is the SQL store: empty means a SQLite file inside DataDir; a
	// postgres:// or postgresql:// URL selects PostgreSQL; a sqlite: or
	// file: URL, or a path ending .db, names a SQLite file. Flag --db, env CCG_DB.
	DB string
	// Addr is the address the web server listens on. Flag --addr, env
	// CCG_ADDR, default 127.0.0.1:8080.
	Addr string
	// SMTPURL is the mail server (smtp:// or smtps://, see internal/smtp);
	// empty keeps messages in the outbox. Flag --smtp-url, env CCG_SMTP_URL.
	SMTPURL string
	// PublicURL is the site's full public address, for links in messages.
	// Flag --public-url, env CCG_PUBLIC_URL, default http://ADDR.
	PublicURL string
	// AuditKey keys the audit log's hash chain. Flag --audit-key, env
	// CCG_AUDIT_KEY; empty means the key file audit.key in DataDir.
	AuditKey string
	// TrustedProxies are the networks whose X-Forwarded-For and
	// X-Forwarded-Proto headers are believed. Flag --trusted-proxies
	// CIDR,..., env CCG_TRUSTED_PROXIES; empty trusts nobody.
	TrustedProxies string
	// GCEvery is how often a server removes the analytics files no import
	// published (`ccg gc`); 0 never. Flag --gc-every of serve, default 1h.
	GCEvery time.Duration
}

// envOr returns the environment variable's value, or def when it is unset.
func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

// bindStore adds --data and --db to fs.
func (c *Config) bindStore(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data", envOr("CCG_DATA", "./ccg-data"), "data folder (env CCG_DATA)")
	fs.StringVar(&c.DB, "db", envOr("CCG_DB", ""), "database URL: empty for SQLite in the data folder, or postgres://… (env CCG_DB)")
	fs.StringVar(&c.AuditKey, "audit-key", envOr("CCG_AUDIT_KEY", ""), "secret that keys the audit log: empty for the key file audit.key in the data folder (env CCG_AUDIT_KEY)")
}

// bindAddr adds --addr to fs.
func (c *Config) bindAddr(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", envOr("CCG_ADDR", "127.0.0.1:8080"), "address to serve on (env CCG_ADDR)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", envOr("CCG_TRUSTED_PROXIES", ""), "CIDR,… of proxies whose X-Forwarded-For is believed (env CCG_TRUSTED_PROXIES)")
}

// Proxies parses TrustedProxies.
func (c Config) Proxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(c.TrustedProxies, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			if a, err := netip.ParseAddr(f); err == nil {
				out = append(out, netip.PrefixFrom(a, a.BitLen()))
				continue
			}
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("config: --trusted-proxies: %q is not a network like 10.0.0.0/8 or an address", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// bindMail adds --smtp-url and --public-url to fs.
func (c *Config) bindMail(fs *flag.FlagSet) {
	fs.StringVar(&c.SMTPURL, "smtp-url", envOr("CCG_SMTP_URL", ""), "mail server, smtp://[USER:PASSWORD@]HOST[:PORT]?from=ADDRESS (STARTTLS) or smtps://… (TLS); empty keeps messages in the outbox (env CCG_SMTP_URL)")
	fs.StringVar(&c.PublicURL, "public-url", envOr("CCG_PUBLIC_URL", ""), "the site's public address for links in e-mails, e.g. https://ccg.example.nhs.uk (env CCG_PUBLIC_URL; default http://ADDR)")
}

// PublicBase returns the site's public address without a trailing slash.
func (c Config) PublicBase() string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	addr := c.Addr
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	return "http://" + addr
}

// Engine names the SQL engine the configuration selects.
func (c Config) Engine() string {
	if isPostgresURL(c.DB) {
		return "postgres"
	}
	return "sqlite"
}

// SQLitePath returns the SQLite file the configuration selects.
func (c Config) SQLitePath() string {
	db := c.DB
	for _, p := range []string{"sqlite://", "sqlite:", "file:"} {
		db = strings.TrimPrefix(db, p)
	}
	if db == "" {
		return filepath.Join(c.DataDir, "ccg.db")
	}
	return db
}

// AnalyticsDir returns the analytics folder inside the data folder: the
// Parquet files of docs/formats/analytics.md.
func (c Config) AnalyticsDir() string { return filepath.Join(c.DataDir, "analytics") }

// LegacyAnalyticsPath returns where an older ccg kept its DuckDB analytics
// database (analytics layout 0).
func (c Config) LegacyAnalyticsPath() string { return filepath.Join(c.DataDir, "analytics.duckdb") }

func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Validate checks the configuration; withAddr also checks the address.
func (c Config) Validate(withAddr bool) error {
	if strings.TrimSpace(c.DataDir) == "" {
		return fmt.Errorf("config: --data must name a folder")
	}
	if c.DB != "" && !isPostgresURL(c.DB) && strings.Contains(c.DB, "://") && !strings.HasPrefix(c.DB, "sqlite://") {
		return fmt.Errorf("config: --db %q: want a postgres:// URL or a SQLite file", c.DB)
	}
	if c.PublicURL != "" && !strings.HasPrefix(c.PublicURL, "https://") && !strings.HasPrefix(c.PublicURL, "http://") {
		return fmt.Errorf("config: --public-url %q: want the full address, https://HOST", c.PublicURL)
	}
	if withAddr {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			return fmt.Errorf("config: --addr %q: want HOST:PORT: %v", c.Addr, err)
		}
		if _, err := c.Proxies(); err != nil {
			return err
		}
	}
	return nil
}
