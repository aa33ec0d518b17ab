package cli

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// auditKeyFile is the name of the audit key's file in the data folder, used
// when neither --audit-key nor CCG_AUDIT_KEY gives the key.
const auditKeyFile = "audit.key"

// minAuditKey is the fewest bytes an audit key given by flag or variable
// may have.
const minAuditKey = 16

// auditKey returns the secret that keys the audit log: --audit-key (or
// CCG_AUDIT_KEY) when set, otherwise the key file in the data folder,
// created with 32 random bytes (hex, mode 0600) on first use. Keep it
// outside the database, and keep a copy somewhere safe: without it the log
// cannot be verified.
func (c Config) auditKey() ([]byte, error) {
	if k := strings.TrimSpace(c.AuditKey); k != "" {
		if len(k) < minAuditKey {
			return nil, fmt.Errorf("config: --audit-key must be at least %d characters", minAuditKey)
		}
		return []byte(k), nil
	}
	path := filepath.Join(c.DataDir, auditKeyFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		k := strings.TrimSpace(string(b))
		if len(k) < minAuditKey {
			return nil, fmt.Errorf("audit key %s: it holds fewer than %d characters; restore it from your copy", path, minAuditKey)
		}
		return []byte(k), nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	k := hex.EncodeToString(raw)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return c.auditKey() // another process created it first
	}
	if err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	if _, err := f.WriteString(k + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	return []byte(k), nil
}
