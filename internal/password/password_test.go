package password_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"

	"github.com/microblog/microblog/internal/password"
)

// Werkzeug-format vectors, computed with Python's hashlib the way Werkzeug 3 does:
//
//	hashlib.scrypt(b"cat", salt=b"a1b2c3d4e5f6g7h8", n=32768, r=8, p=1, maxmem=132*32768*8, dklen=64).hex()
//	hashlib.pbkdf2_hmac("sha256", b"cat", b"a1b2c3d4e5f6g7h8", 600000).hex()
//	hashlib.pbkdf2_hmac("sha256", b"dog", b"a1b2c3d4e5f6g7h8", 260000).hex()
const (
	werkzeugScrypt = "scrypt:32768:8:1$a1b2c3d4e5f6g7h8$ad614641c56091b1f28ad212f394647ae0b6b3055e7688ac0789a262b0669b4f0a7f3c8a20403f9db3e402a916cdb4a1f06a0417af158505bf820410b75239d9"
	werkzeugPBKDF2 = "pbkdf2:sha256:600000$a1b2c3d4e5f6g7h8$e66dee84736165e527d155b2b151851987e8a116afad593fb947262049480d61"
	werkzeugOld    = "pbkdf2:sha256:260000$a1b2c3d4e5f6g7h8$c6f736fd9b4753dc4d4bf5aff487029abd59b2193ff28d5a10f2505da4ce7c30"
)

// The tutorial's test_password_hashing: set 'cat', check 'dog' fails, 'cat' passes.
func TestHashAndVerify(t *testing.T) {
	h, err := password.Hash("cat")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hash %q is not argon2id with today's parameters", h)
	}
	if ok, _, err := password.Verify(h, "dog"); ok || err != nil {
		t.Errorf("dog accepted (%v)", err)
	}
	ok, rehash, err := password.Verify(h, "cat")
	if !ok || rehash || err != nil {
		t.Errorf("cat: ok=%v rehash=%v err=%v", ok, rehash, err)
	}
	if h2, _ := password.Hash("cat"); h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

func TestWerkzeugHashesVerifyAndAskForRehash(t *testing.T) {
	for _, c := range []struct{ hash, right, wrong string }{
		{werkzeugScrypt, "cat", "dog"},
		{werkzeugPBKDF2, "cat", "Cat"},
		{werkzeugOld, "dog", "cat"},
	} {
		ok, rehash, err := password.Verify(c.hash, c.right)
		if !ok || !rehash || err != nil {
			t.Errorf("%s with %q: ok=%v rehash=%v err=%v", c.hash[:20], c.right, ok, rehash, err)
		}
		if ok, _, _ := password.Verify(c.hash, c.wrong); ok {
			t.Errorf("%s accepted %q", c.hash[:20], c.wrong)
		}
	}
}

func TestWeakerArgon2AsksForRehash(t *testing.T) {
	// OWASP's minimum (m=19456, t=2, p=1) is weaker than ours: valid, but to be replaced.
	salt := []byte("somesaltsomesalt")
	key := argon2.IDKey([]byte("cat"), salt, 2, 19456, 1, 32)
	b64 := base64.RawStdEncoding
	weak := "$argon2id$v=19$m=19456,t=2,p=1$" + b64.EncodeToString(salt) + "$" + b64.EncodeToString(key)
	ok, rehash, err := password.Verify(weak, "cat")
	if !ok || !rehash || err != nil {
		t.Fatalf("weaker argon2id: ok=%v rehash=%v err=%v", ok, rehash, err)
	}
	if ok, rehash, _ := password.Verify(weak, "dog"); ok || rehash {
		t.Errorf("wrong password: ok=%v rehash=%v", ok, rehash)
	}
}

func TestMalformedHashesNameThePart(t *testing.T) {
	cases := map[string]string{
		"":                                    "unknown method",
		"md5$abc$def":                         `unknown method "md5"`,
		"$argon2id$v=19$m=65536,t=3$salt$key": "parameters",
		"$argon2id$v=18$m=65536,t=3,p=2$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5":    "version",
		"$argon2id$v=19$m=99999999,t=3,p=2$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5": "out of range",
		"scrypt:32768:8$salt$abcd":        "want scrypt:N:r:p",
		"scrypt:1073741824:8:1$salt$abcd": "out of range",
		"pbkdf2:md5:1000$salt$abcd":       `hash "md5"`,
		"pbkdf2:sha256:1000$salt$zz":      "not hexadecimal",
		"pbkdf2:sha256:1000":              "want method$salt$hexdigest",
	}
	for enc, want := range cases {
		ok, _, err := password.Verify(enc, "secret-password")
		if ok || !errors.Is(err, password.ErrMalformed) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "secret-password") {
			t.Errorf("Verify(%q) = %v, %v; want a malformed-hash error mentioning %q", enc, ok, err, want)
		}
	}
}

func BenchmarkHash(b *testing.B) {
	for b.Loop() {
		password.Hash("correct horse battery staple")
	}
}

func BenchmarkVerify(b *testing.B) {
	h, _ := password.Hash("correct horse battery staple")
	for b.Loop() {
		password.Verify(h, "correct horse battery staple")
	}
}
