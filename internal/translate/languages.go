package translate

import "strings"

// languages are the ISO 639-1 codes that both services translate, space-separated.
// Anything else is refused before a request is built, so that no caller can inject a
// parameter into the query string (the original pasted the codes in unescaped).
const languages = " af ar bg bn ca cs cy da de el en eo es et fa fi fr ga he hi hr hu id it ja ko lt lv ms nb nl pl pt ro ru sk sl sq sv sw ta th tr uk ur vi zh "

// Normalize turns a language code as the app writes it — a detected "es", a locale such
// as "pt_BR" or "en-US" — into the lower-case ISO 639-1 code both services take, and
// reports whether that is a language they translate.
func Normalize(code string) (string, bool) {
	base, _, _ := strings.Cut(strings.ReplaceAll(code, "_", "-"), "-")
	base = strings.ToLower(base)
	if len(code) > 16 || len(base) != 2 || base[0] < 'a' || base[0] > 'z' || base[1] < 'a' || base[1] > 'z' ||
		!strings.Contains(languages, " "+base+" ") {
		return "", false
	}
	return base, true
}
