package access

import (
	"crypto/hmac"
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
	AuditKeyed         = "audit.keyed"
	AuditDataImport    = "import.run"
)

// AuditEntry is one line of the append-only audit log. Each entry's Hash is
// an HMAC-SHA-256, keyed with a secret kept outside the database (the audit
// key), over the previous entry's Hash and this entry's canonical form: so
// changing, removing or reordering any entry breaks the chain from there on,
// and nobody without the key can recompute it. Keyed hashes read
// "k1:<hex>". Entries written before the log was keyed carry the plain
// SHA-256 of the same text (the "legacy" form); they are checked as such,
// and the first keyed entry after them seals them (its HMAC covers their
// head).
type AuditEntry struct {
	Seq     int64     `json:"seq"` // 1, 2, 3, ... with no gaps
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`   // an email, "cli", or "anonymous"
	Event   string    `json:"event"`   // one of the Audit* kinds or a later capability's
	Subject string    `json:"subject"` // what it was done to ("person:jo@x", "meeting:12")
	Detail  string    `json:"detail"`  // plain words
	IP      string    `json:"ip,omitempty"`
	Prev    string    `json:"prev"` // hash of the previous entry ("" for the first)
	Hash    string    `json:"hash"` // hash of this entry
}

// keyedPrefix starts every keyed hash.
const keyedPrefix = "k1:"

// Keyed reports whether the entry carries a keyed hash.
func (e AuditEntry) Keyed() bool { return strings.HasPrefix(e.Hash, keyedPrefix) }

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

// ChainHash returns the legacy (unkeyed) hash the entry should carry given
// its Prev: only for checking entries written before the log was keyed.
func (e AuditEntry) ChainHash() string {
	h := sha256.New()
	h.Write([]byte(e.Prev))
	h.Write([]byte{'\n'})
	h.Write([]byte(e.canonical()))
	return hex.EncodeToString(h.Sum(nil))
}

// KeyedHash returns the keyed hash the entry should carry given its Prev.
func (e AuditEntry) KeyedHash(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(e.Prev))
	m.Write([]byte{'\n'})
	m.Write([]byte(e.canonical()))
	return keyedPrefix + hex.EncodeToString(m.Sum(nil))
}

// Chain fills in Seq, Prev and Hash of e so that it follows prev (the zero
// entry for the first), keyed with key.
func (e AuditEntry) Chain(prev AuditEntry, key []byte) AuditEntry {
	e.Seq = prev.Seq + 1
	e.Prev = prev.Hash
	// Timestamps are kept to the microsecond, which both engines store exactly.
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.Hash = e.KeyedHash(key)
	return e
}

// Checkpoint names one entry of the log by its sequence number and hash:
// the head printed by `ccg audit checkpoint`, to be recorded somewhere the
// database's keepers cannot change. Verifying against it later proves that
// nothing up to that entry was removed or changed.
type Checkpoint struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// String writes the checkpoint as SEQ:HASH.
func (c Checkpoint) String() string { return strconv.FormatInt(c.Seq, 10) + ":" + c.Hash }

// ParseCheckpoint reads SEQ:HASH.
func ParseCheckpoint(s string) (Checkpoint, error) {
	seq, hash, ok := strings.Cut(strings.TrimSpace(s), ":")
	n, err := strconv.ParseInt(seq, 10, 64)
	if !ok || err != nil || n < 1 || hash == "" {
		return Checkpoint{}, fmt.Errorf("checkpoint %q: want SEQ:HASH as `ccg audit checkpoint` prints it: %w", s, errInvalid)
	}
	return Checkpoint{Seq: n, Hash: hash}, nil
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

// AuditVerifier checks entries one by one, in order, with the audit key.
// Entries in the legacy (unkeyed) form are accepted only before the first
// keyed one; Finish then requires the newest entry to be keyed, so that a
// log rewritten without the key (in either form) does not pass.
type AuditVerifier struct {
	// Key is the audit key.
	Key []byte
	// Against, when set, is a checkpoint the log must still contain.
	Against *Checkpoint
	prev    AuditEntry
	count   int64
	keyed   bool
}

// Next checks e against the entries seen so far and returns a *ChainBreak
// when it does not follow them.
func (v *AuditVerifier) Next(e AuditEntry) *ChainBreak {
	switch {
	case e.Seq != v.prev.Seq+1:
		return &ChainBreak{Seq: v.prev.Seq + 1, Reason: fmt.Sprintf("missing: the next entry found is %d (entries were removed)", e.Seq)}
	case e.Prev != v.prev.Hash:
		return &ChainBreak{Seq: e.Seq, Reason: "its link to the previous entry does not match (an entry before it was changed or replaced)"}
	case e.Keyed() && !hmac.Equal([]byte(e.Hash), []byte(e.KeyedHash(v.Key))):
		return &ChainBreak{Seq: e.Seq, Reason: "its contents do not match its keyed hash (the entry was changed, or this is not the log's audit key)"}
	case !e.Keyed() && v.keyed:
		return &ChainBreak{Seq: e.Seq, Reason: "it is not keyed although entries before it are (it was written without the audit key)"}
	case !e.Keyed() && e.Hash != e.ChainHash():
		return &ChainBreak{Seq: e.Seq, Reason: "its contents do not match its hash (the entry was changed)"}
	}
	if v.Against != nil && e.Seq == v.Against.Seq && e.Hash != v.Against.Hash {
		return &ChainBreak{Seq: e.Seq, Reason: "it differs from the checkpoint " + v.Against.String() + " (the log was rewritten up to here)"}
	}
	v.prev = e
	v.keyed = v.keyed || e.Keyed()
	v.count++
	return nil
}

// Finish reports a break that only the end of the log shows: newest
// entries that are not keyed, or a log that ends before the checkpoint.
func (v *AuditVerifier) Finish() *ChainBreak {
	if v.count > 0 && !v.prev.Keyed() {
		return &ChainBreak{Seq: v.prev.Seq, Reason: "the newest entry is not keyed (the log was written or rewritten without the audit key)"}
	}
	if v.Against != nil && v.prev.Seq < v.Against.Seq {
		return &ChainBreak{Seq: v.prev.Seq + 1, Reason: fmt.Sprintf("missing: the checkpoint %s names entry %d but the log ends at %d (entries were removed)",
			v.Against, v.Against.Seq, v.prev.Seq)}
	}
	return nil
}

// Count returns how many entries have been verified.
func (v *AuditVerifier) Count() int64 { return v.count }

// Head returns the hash of the last entry verified (record it somewhere safe:
// comparing it later also detects removal of the newest entries).
func (v *AuditVerifier) Head() string { return v.prev.Hash }

// HeadSeq returns the sequence number of the last entry verified.
func (v *AuditVerifier) HeadSeq() int64 { return v.prev.Seq }

// VerifyResult is the outcome of checking the whole audit chain.
type VerifyResult struct {
	Entries int64       `json:"entries"` // entries checked and found good
	HeadSeq int64       `json:"head_seq"`
	Head    string      `json:"head"` // hash of the last good entry
	Break   *ChainBreak `json:"break,omitempty"`
}

// OK reports whether the whole chain holds.
func (r VerifyResult) OK() bool { return r.Break == nil }
