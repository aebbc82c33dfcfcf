// Package langdetect tells which language a short post is written in, as the tutorial's
// langdetect.detect does when a post is created, but deterministically and with an
// accuracy that holds on texts of a few words.
//
// It wraps github.com/pemistahl/lingua-go restricted to a fixed set of common languages
// (Languages): restricting the set keeps the loaded n-gram models small and makes
// short texts less ambiguous. Build one Detector per process with New and share it; it
// is safe for concurrent use.
package langdetect

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pemistahl/lingua-go"
)

// Languages are the ISO 639-1 codes a Detector can answer. A post in any other language
// is reported as one of these only when it is close enough to it; otherwise "".
var Languages = []string{"en", "es", "pt", "fr", "de", "it", "nl", "ru", "pl", "sv", "tr"}

// minLetters is the fewest letters a text needs to be given a language: below it, any
// answer is a guess (the original guessed at random).
const minLetters = 3

// Detector detects the language of short texts.
type Detector struct {
	lingua lingua.LanguageDetector
}

// New builds a Detector over Languages with the models loaded now, so that the first
// post does not wait for them. It uses lingua's low-accuracy mode (trigram models only):
// about 33 MB of RSS against 480 MB for the high-accuracy mode over the same languages,
// for 98.6% instead of 100% on the labelled short posts (docs/translation.md).
func New() *Detector { return build(true) }

// build builds a Detector in lingua's low- or high-accuracy mode; the tests measure both.
func build(lowAccuracy bool) *Detector {
	isos := make([]lingua.IsoCode639_1, 0, len(Languages))
	for _, code := range Languages {
		isos = append(isos, lingua.GetIsoCode639_1FromValue(code))
	}
	b := lingua.NewLanguageDetectorBuilder().FromIsoCodes639_1(isos...).WithPreloadedLanguageModels()
	if lowAccuracy {
		b = b.WithLowAccuracyMode()
	}
	return &Detector{lingua: b.Build()}
}

// Detect returns the ISO 639-1 code of text's language, or "" when the text is too
// short, holds no letters, is not valid UTF-8, or is in none of Languages.
func (d *Detector) Detect(text string) string {
	if !utf8.ValidString(text) || letters(text) < minLetters {
		return ""
	}
	lang, ok := d.lingua.DetectLanguageOf(text)
	if !ok {
		return ""
	}
	return strings.ToLower(lang.IsoCode639_1().String())
}

// letters counts the letters of s.
func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}
