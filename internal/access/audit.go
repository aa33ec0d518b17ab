package access

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Audit event kinds. Later capabilities add their own ("governance.*").
const (
	AuditSignIn        = "auth.signin"
	AuditSignInFailed  = "auth.signin-failed"
	AuditSignOut       = "auth.signout"
	AuditPersonAdd     = "people.add"
	AuditPersonUpdate  = "people.update"
	AuditPersonDisable = "people.disable"
	AuditPersonEnable  = "people.enable"
	AuditPasswordReset = "people.reset-password"
	AuditPasswordSet   = "account.password"
	AuditTokenCreate   = "token.create"
	AuditTokenRevoke   = "token.revoke"
	AuditStaffImport   = "people.import"
)

// AuditEntry is one line of the append-only audit log. Each entry's Hash is
// SHA-256 over the previous entry's Hash and this entry's canonical form, so
// changing, removing or reordering any entry breaks the chain from there on.
type AuditEntry struct {
	Seq     int64     `json:"seq"` // 1, 2, 3, ... with no gaps
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`   // an email, "cli", or "anonymous"
	Event   string    `json:"event"`   // one of the Audit* kinds or a later capability's
	Subject string    `json:"subject"` // what it was done to ("person:jo@x", "meeting:12")
	Detail  string    `json:"detail"`  // plain words
	IP      string    `json:"ip,omitempty"`
	Prev    string    `json:"prev"` // hex hash of the previous entry ("" for the first)
	Hash    string    `json:"hash"` // hex hash of this entry
}

// canonical is the entry's fields in a fixed, unambiguous encoding (each
// field length-prefixed), excluding Hash.
func (e AuditEntry) canonical() string {
	var b strings.Builder
	for _, f := range []string{
		strconv.FormatInt(e.Seq, 10),
		e.At.UTC().Format(time.RFC3339Nano),
		e.Actor, e.Event, e.Subject, e.Detail, e.IP,
	} {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
		b.WriteByte(';')
	}
	return b.String()
}

// ChainHash returns the hash the entry should carry given its Prev.
func (e AuditEntry) ChainHash() string {
	h := sha256.New()
	h.Write([]byte(e.Prev))
	h.Write([]byte{'\n'})
	h.Write([]byte(e.canonical()))
	return hex.EncodeToString(h.Sum(nil))
}

// Chain fills in Seq, Prev and Hash of e so that it follows prev (the zero
// entry for the first).
func (e AuditEntry) Chain(prev AuditEntry) AuditEntry {
	e.Seq = prev.Seq + 1
	e.Prev = prev.Hash
	// Timestamps are kept to the microsecond, which both engines store exactly.
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.Hash = e.ChainHash()
	return e
}

// ChainBreak describes the first entry at which the chain does not hold.
type ChainBreak struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

// Error implements error.
func (b *ChainBreak) Error() string {
	return fmt.Sprintf("audit entry %d: %s", b.Seq, b.Reason)
}

// AuditVerifier checks entries one by one, in order.
type AuditVerifier struct {
	prev  AuditEntry
	count int64
}

// Next checks e against the entries seen so far and returns a *ChainBreak
// when it does not follow them.
func (v *AuditVerifier) Next(e AuditEntry) *ChainBreak {
	switch {
	case e.Seq != v.prev.Seq+1:
		return &ChainBreak{Seq: v.prev.Seq + 1, Reason: fmt.Sprintf("missing: the next entry found is %d (entries were removed)", e.Seq)}
	case e.Prev != v.prev.Hash:
		return &ChainBreak{Seq: e.Seq, Reason: "its link to the previous entry does not match (an entry before it was changed or replaced)"}
	case e.Hash != e.ChainHash():
		return &ChainBreak{Seq: e.Seq, Reason: "its contents do not match its hash (the entry was changed)"}
	}
	v.prev = e
	v.count++
	return nil
}

// Count returns how many entries have been verified.
func (v *AuditVerifier) Count() int64 { return v.count }

// Head returns the hash of the last entry verified (record it somewhere safe:
// comparing it later also detects removal of the newest entries).
func (v *AuditVerifier) Head() string { return v.prev.Hash }

// VerifyResult is the outcome of checking the whole audit chain.
type VerifyResult struct {
	Entries int64       `json:"entries"` // entries checked and found good
	Head    string      `json:"head"`    // hash of the last good entry
	Break   *ChainBreak `json:"break,omitempty"`
}

// OK reports whether the whole chain holds.
func (r VerifyResult) OK() bool { return r.Break == nil }
