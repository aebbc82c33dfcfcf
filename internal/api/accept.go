package api

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// wantsJSON applies the tutorial's rule for 404 and 500 answers: JSON when the client
// accepts application/json at least as much as text/html. The qualities are Werkzeug's:
// each type takes the quality of the most specific Accept entry that matches it (0 when
// none does), so no Accept header at all, or "*/*" (curl), means JSON, and a browser's
// "text/html,…,*/*;q=0.8" means HTML.
func wantsJSON(accept []string) bool {
	entries := parseAccept(strings.Join(accept, ","))
	return quality(entries, "application", "json") >= quality(entries, "text", "html")
}

type acceptEntry struct {
	typ, sub string
	q        float64
}

// specificity orders entries as Werkzeug does: exact types before "type/*" before "*/*".
func (e acceptEntry) specificity() int {
	n := 0
	if e.typ != "*" {
		n++
	}
	if e.sub != "*" {
		n++
	}
	return n
}

// parseAccept reads an Accept header's entries, most specific first and, among equally
// specific ones, highest quality first. Entries that cannot be read are skipped.
func parseAccept(h string) []acceptEntry {
	var out []acceptEntry
	for _, part := range strings.Split(h, ",") {
		params := strings.Split(part, ";")
		typ, sub, ok := strings.Cut(strings.ToLower(strings.TrimSpace(params[0])), "/")
		if !ok || typ == "" || sub == "" || (typ == "*" && sub != "*") {
			continue
		}
		e := acceptEntry{typ: typ, sub: sub, q: 1}
		for _, p := range params[1:] {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || q < 0 || q > 1 {
					ok = false
				}
				e.q = q
			}
		}
		if ok {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b acceptEntry) int {
		if c := cmp.Compare(b.specificity(), a.specificity()); c != 0 {
			return c
		}
		return cmp.Compare(b.q, a.q)
	})
	return out
}

// quality is the quality entries give typ/sub: that of the first entry matching it.
func quality(entries []acceptEntry, typ, sub string) float64 {
	for _, e := range entries {
		if (e.typ == "*" || e.typ == typ) && (e.sub == "*" || e.sub == sub) {
			return e.q
		}
	}
	return 0
}
