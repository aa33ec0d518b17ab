package access

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password policy limits.
const (
	// MinPasswordLength is the fewest characters a password may have.
	MinPasswordLength = 12
	// MaxPasswordLength bounds the work a sign-in attempt can cause.
	MaxPasswordLength = 256
)

// HashParams are argon2id cost parameters. They are written into every hash,
// so they can be raised later without breaking stored hashes.
type HashParams struct {
	Memory  uint32 // KiB
	Time    uint32 // iterations
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultHashParams follow the OWASP recommendation for argon2id
// (19 MiB, 2 iterations, 1 thread).
var DefaultHashParams = HashParams{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

//go:embed commonpasswords.txt
var commonPasswordsText string

var (
	commonOnce sync.Once
	common     map[string]bool
)

func commonPasswords() map[string]bool {
	commonOnce.Do(func() {
		common = map[string]bool{}
		sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
		for sc.Scan() {
			w := strings.ToLower(strings.TrimSpace(sc.Text()))
			if w != "" && !strings.HasPrefix(w, "#") {
				common[w] = true
			}
		}
	})
	return common
}

// CommonPasswordCount returns how many passwords the embedded list holds.
func CommonPasswordCount() int { return len(commonPasswords()) }

// CheckPassword applies the password policy: at least MinPasswordLength
// characters, at most MaxPasswordLength bytes, valid text, not one repeated
// character, not a common password, nor a common password or word with
// digits and punctuation added, nor the person's email address or name.
// The error wraps ErrWeakPassword and says what to change.
func CheckPassword(pw string, personal ...string) error {
	if !utf8.ValidString(pw) {
		return fmt.Errorf("access: %w: it is not valid text", ErrWeakPassword)
	}
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLength {
		return fmt.Errorf("access: %w: use at least %d characters (a few unrelated words make a good one)", ErrWeakPassword, MinPasswordLength)
	}
	if len(pw) > MaxPasswordLength {
		return fmt.Errorf("access: %w: use at most %d characters", ErrWeakPassword, MaxPasswordLength)
	}
	lower := strings.ToLower(pw)
	first, _ := utf8.DecodeRuneInString(lower)
	if strings.Trim(lower, string(first)) == "" {
		return fmt.Errorf("access: %w: it is one character repeated", ErrWeakPassword)
	}
	list := commonPasswords()
	if list[lower] {
		return fmt.Errorf("access: %w: it is on the list of commonly used passwords", ErrWeakPassword)
	}
	core := strings.TrimFunc(lower, func(r rune) bool {
		return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r)
	})
	if core == "" {
		return fmt.Errorf("access: %w: it has no letters; use a few words", ErrWeakPassword)
	}
	if list[core] || list[deLeet(core)] || isRepeat(core, list) {
		return fmt.Errorf("access: %w: it is a commonly used password with digits or symbols added", ErrWeakPassword)
	}
	for _, p := range personal {
		p = strings.ToLower(strings.TrimSpace(p))
		if local, _, ok := strings.Cut(p, "@"); ok {
			p = local
		}
		if len(p) >= 4 && strings.Contains(lower, p) {
			return fmt.Errorf("access: %w: it contains your name or email address", ErrWeakPassword)
		}
	}
	return nil
}

// isRepeat reports whether s is a common word repeated ("passwordpassword").
func isRepeat(s string, list map[string]bool) bool {
	for k := 1; k <= len(s)/2; k++ {
		if len(s)%k == 0 && strings.Repeat(s[:k], len(s)/k) == s {
			return k < 4 || list[s[:k]]
		}
	}
	return false
}

func deLeet(s string) string {
	return strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s").Replace(s)
}

// HashPassword returns the argon2id hash of pw in the standard encoded form
// $argon2id$v=19$m=...,t=...,p=...$salt$key (unpadded base64).
func HashPassword(pw string) (string, error) { return hashWith(pw, DefaultHashParams) }

func hashWith(pw string, p HashParams) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("access: hash password: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches the encoded hash, comparing in
// constant time. A malformed or empty hash never matches (but still costs
// the time of one hash, so that timing does not reveal which accounts exist).
func VerifyPassword(encoded, pw string) bool {
	p, salt, key, ok := decodeHash(encoded)
	if !ok || len(pw) > MaxPasswordLength {
		dummyVerify(pw)
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

// NeedsRehash reports whether an encoded hash uses weaker parameters than
// DefaultHashParams.
func NeedsRehash(encoded string) bool {
	p, _, _, ok := decodeHash(encoded)
	return !ok || p.Memory < DefaultHashParams.Memory || p.Time < DefaultHashParams.Time
}

var (
	dummyOnce sync.Once
	dummyHash string
)

// standInHash is a hash made with DefaultHashParams of a password nobody
// knows: verifying against it costs what verifying a real account costs.
func standInHash() string {
	dummyOnce.Do(func() { dummyHash, _ = HashPassword("not a real password, only for timing") })
	return dummyHash
}

// dummyVerify spends the time of one verification, for unknown accounts.
func dummyVerify(pw string) {
	standInHash()
	if p, salt, key, ok := decodeHash(dummyHash); ok {
		if len(pw) > MaxPasswordLength {
			pw = pw[:MaxPasswordLength]
		}
		_ = subtle.ConstantTimeCompare(argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key))), key)
	}
}

func decodeHash(s string) (p HashParams, salt, key []byte, ok bool) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, false
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, false
	}
	var threads uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &threads); err != nil {
		return p, nil, nil, false
	}
	// Refuse absurd costs from a tampered row rather than exhaust memory.
	if p.Memory < 8 || p.Memory > 1<<21 || p.Time < 1 || p.Time > 20 || threads < 1 || threads > 16 {
		return p, nil, nil, false
	}
	p.Threads = uint8(threads)
	var err error
	if salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, false
	}
	if key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, false
	}
	return p, salt, key, true
}

// passphraseWords are used by NewPassphrase.
var passphraseWords = strings.Fields(`acorn amber anchor apple arch aspen autumn badger basket beacon bramble breeze
brook cabin canal candle canyon castle cedar chalk cherry cinder clover cobalt comet copper coral cotton
crane crystal daisy delta desert dove dune eagle ember falcon fern festival fjord flint forest fossil
fountain garnet geyser glacier granite harbour hazel heather heron hollow horizon island ivory jasper
kestrel lagoon lantern laurel lemon lichen linen maple marble meadow mercury meteor mint moss nectar
nutmeg oasis ocean olive orchard otter paddle pebble pepper pine planet plum poplar prism quartz quill
raven reef ribbon river robin saffron sage salmon sapphire shore silver slate sparrow spruce squirrel
summit swallow thistle thunder timber topaz tulip valley velvet violet walnut willow winter wren yarrow zephyr`)

// NewPassphrase returns a random passphrase of five words and two digits,
// which passes CheckPassword (for resets and first passwords).
func NewPassphrase() (string, error) {
	b := make([]byte, 7)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("access: passphrase: %w", err)
	}
	var w []string
	for _, c := range b[:5] {
		w = append(w, passphraseWords[int(c)%len(passphraseWords)])
	}
	return fmt.Sprintf("%s-%d%d", strings.Join(w, "-"), b[5]%10, b[6]%10), nil
}
