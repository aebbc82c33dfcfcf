// Package password hashes passwords with argon2id and verifies both its own hashes and
// the Werkzeug hashes a Flask microblog database holds (scrypt: and pbkdf2:), so that
// users of an imported database can still log in; Verify then says the hash should be
// replaced by a new argon2id one.
//
// Parameters follow OWASP's password storage guidance for argon2id: 64 MiB of memory,
// 3 passes, parallelism 2, a 16-byte random salt and a 32-byte key, encoded in the PHC
// string format ($argon2id$v=19$m=65536,t=3,p=2$salt$key).
package password

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/scrypt"
)

// The argon2id parameters of new hashes.
const (
	memoryKiB   = 64 * 1024
	passes      = 3
	parallelism = 2
	saltLen     = 16
	keyLen      = 32
)

// Limits on parameters read from stored hashes, so that a corrupted or hostile row
// cannot make one login exhaust memory or CPU.
const (
	maxMemoryKiB   = 1024 * 1024 // 1 GiB
	maxPasses      = 20
	maxScryptN     = 1 << 20
	maxPBKDF2Iters = 10_000_000
)

// ErrMalformed wraps every error about a stored hash that cannot be read.
var ErrMalformed = errors.New("password: malformed hash")

// Hash returns a new argon2id hash of plain.
func Hash(plain string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: salt: %w", err)
	}
	return encode(salt, argon2.IDKey([]byte(plain), salt, passes, memoryKiB, parallelism, keyLen)), nil
}

// encode writes salt and key as a PHC string with today's argon2id parameters.
func encode(salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, passes, parallelism, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify reports whether plain matches the stored hash encoded, and whether the hash
// should be replaced with a new one from Hash (a Werkzeug hash, or argon2id with weaker
// parameters than today's). A hash that cannot be read is an error wrapping ErrMalformed
// that names the part at fault; it never includes the password.
func Verify(encoded, plain string) (ok, needsRehash bool, err error) {
	switch {
	case strings.HasPrefix(encoded, "$argon2id$"):
		return verifyArgon2(encoded, plain)
	case strings.HasPrefix(encoded, "scrypt:"):
		ok, err := verifyWerkzeug(encoded, plain)
		return ok, true, err
	case strings.HasPrefix(encoded, "pbkdf2:"):
		ok, err := verifyWerkzeug(encoded, plain)
		return ok, true, err
	}
	method, _, _ := strings.Cut(encoded, "$")
	if len(method) > 20 {
		method = method[:20] + "…"
	}
	return false, false, fmt.Errorf("%w: unknown method %q (want $argon2id$, scrypt: or pbkdf2:)", ErrMalformed, method)
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

func verifyArgon2(encoded, plain string) (bool, bool, error) {
	parts := strings.Split(encoded, "$") // "", argon2id, v=19, m=..,t=..,p=.., salt, key
	if len(parts) != 6 {
		return false, false, malformed("argon2id: want 5 $-separated fields, got %d", len(parts)-1)
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, false, malformed("argon2id: version field %q (want v=%d)", parts[2], argon2.Version)
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, false, malformed("argon2id: parameters %q (want m=…,t=…,p=…)", parts[3])
	}
	if m == 0 || m > maxMemoryKiB || t == 0 || t > maxPasses || p == 0 {
		return false, false, malformed("argon2id: parameters %q out of range", parts[3])
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false, false, malformed("argon2id: salt is not base64 of at least 8 bytes")
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 {
		return false, false, malformed("argon2id: key is not base64 of at least 16 bytes")
	}
	got := argon2.IDKey([]byte(plain), salt, t, m, p, uint32(len(key)))
	ok := subtle.ConstantTimeCompare(got, key) == 1
	weaker := m < memoryKiB || t < passes || len(key) < keyLen
	return ok, ok && weaker, nil
}

// verifyWerkzeug checks Werkzeug's "method$salt$hexdigest", where method is
// scrypt:N:r:p or pbkdf2:hash[:iterations]; the salt is used as its UTF-8 bytes.
func verifyWerkzeug(encoded, plain string) (bool, error) {
	method, rest, ok := strings.Cut(encoded, "$")
	salt, digest, ok2 := strings.Cut(rest, "$")
	if !ok || !ok2 || salt == "" {
		return false, malformed("werkzeug: want method$salt$hexdigest")
	}
	want, err := hex.DecodeString(digest)
	if err != nil || len(want) == 0 {
		return false, malformed("werkzeug: digest is not hexadecimal")
	}
	fields := strings.Split(method, ":")
	var got []byte
	switch fields[0] {
	case "scrypt":
		if len(fields) != 4 {
			return false, malformed("werkzeug scrypt: method %q (want scrypt:N:r:p)", method)
		}
		n, err1 := strconv.Atoi(fields[1])
		r, err2 := strconv.Atoi(fields[2])
		p, err3 := strconv.Atoi(fields[3])
		if err1 != nil || err2 != nil || err3 != nil || n < 2 || n > maxScryptN || n&(n-1) != 0 || r < 1 || r > 32 || p < 1 || p > 16 {
			return false, malformed("werkzeug scrypt: parameters %q out of range", method)
		}
		got, err = scrypt.Key([]byte(plain), []byte(salt), n, r, p, len(want))
		if err != nil {
			return false, malformed("werkzeug scrypt: %v", err)
		}
	case "pbkdf2":
		if len(fields) < 2 || len(fields) > 3 {
			return false, malformed("werkzeug pbkdf2: method %q (want pbkdf2:hash[:iterations])", method)
		}
		var h func() hash.Hash
		switch fields[1] {
		case "sha256":
			h = sha256.New
		case "sha512":
			h = sha512.New
		case "sha1":
			h = sha1.New
		default:
			return false, malformed("werkzeug pbkdf2: hash %q (want sha256, sha512 or sha1)", fields[1])
		}
		iters := 600_000 // Werkzeug's default when the method names none
		if len(fields) == 3 {
			if iters, err = strconv.Atoi(fields[2]); err != nil || iters < 1 || iters > maxPBKDF2Iters {
				return false, malformed("werkzeug pbkdf2: iterations %q out of range", fields[2])
			}
		}
		got, err = pbkdf2.Key(h, plain, []byte(salt), iters, len(want))
		if err != nil {
			return false, malformed("werkzeug pbkdf2: %v", err)
		}
	default:
		return false, malformed("werkzeug: unknown method %q", fields[0])
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
