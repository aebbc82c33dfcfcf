package api

import (
	"testing"
	"time"
)

// The tutorial's rule for 404 and 500: JSON when application/json is accepted at least
// as much as text/html, with Werkzeug's qualities (the most specific matching entry).
func TestWantsJSON(t *testing.T) {
	for _, c := range []struct {
		accept []string
		want   bool
	}{
		{nil, true},
		{[]string{""}, true},
		{[]string{"*/*"}, true},
		{[]string{"application/json"}, true},
		{[]string{"text/html"}, false},
		{[]string{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}, false}, // Firefox
		{[]string{"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"}, false},
		{[]string{"application/json;q=0.5", "text/html;q=0.5"}, true}, // two header lines
		{[]string{"application/json;q=0.4, text/html;q=0.5"}, false},
		{[]string{"text/*;q=0.9, */*;q=0.95"}, true},   // text/html gets text/*'s 0.9
		{[]string{"text/*;q=0.96, */*;q=0.95"}, false}, // the more specific entry wins
		{[]string{"TEXT/HTML"}, false},
		{[]string{"text/html;q=0, */*"}, true},
		{[]string{"text/html;q=2, application/json;q=0.1"}, true}, // q out of range: entry skipped
		{[]string{"text/html;q=abc"}, true},
		{[]string{"text"}, true},
		{[]string{"*/html"}, true},
	} {
		if got := wantsJSON(c.accept); got != c.want {
			t.Errorf("wantsJSON(%q) = %v, want %v", c.accept, got, c.want)
		}
	}
}

// Python's isoformat() of a time tagged UTC: microseconds unless zero.
func TestIsoformat(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2023, 11, 5, 18, 41, 7, 996137000, time.UTC), "2023-11-05T18:41:07.996137+00:00"},
		{time.Date(2023, 11, 5, 18, 41, 7, 0, time.UTC), "2023-11-05T18:41:07+00:00"},
		{time.Date(2023, 11, 5, 18, 41, 7, 999, time.UTC), "2023-11-05T18:41:07+00:00"},                // below a microsecond
		{time.Date(2023, 11, 5, 18, 41, 7, 1000, time.UTC), "2023-11-05T18:41:07.000001+00:00"},        // one microsecond
		{time.Date(2023, 11, 5, 20, 41, 7, 0, time.FixedZone("x", 7200)), "2023-11-05T18:41:07+00:00"}, // as UTC
	} {
		if got := isoformat(c.t); got != c.want {
			t.Errorf("isoformat(%v) = %s, want %s", c.t, got, c.want)
		}
	}
}

func TestNoneMatch(t *testing.T) {
	tag := `"abc"`
	for _, c := range []struct {
		h    []string
		want bool
	}{
		{nil, false}, {[]string{`"abc"`}, true}, {[]string{`W/"abc"`}, true}, {[]string{`"x", "abc"`}, true},
		{[]string{`"x"`, `"abc"`}, true}, {[]string{"*"}, true}, {[]string{`"abcd"`}, false}, {[]string{`abc`}, false},
	} {
		if got := noneMatch(c.h, tag); got != c.want {
			t.Errorf("noneMatch(%q) = %v, want %v", c.h, got, c.want)
		}
	}
}

func TestBearerToken(t *testing.T) {
	good := "0123456789abcdef0123456789abcdef"
	for _, c := range []struct {
		h  string
		ok bool
	}{
		{"Bearer " + good, true}, {"bearer " + good, true}, {"Bearer  " + good + " ", true},
		{"Bearer " + good[:31], false}, {"Bearer " + good + "0", false}, {"Bearer 0123456789ABCDEF0123456789abcdef", false},
		{"Basic " + good, false}, {good, false}, {"", false}, {"Bearer", false},
	} {
		if _, ok := bearerToken(c.h); ok != c.ok {
			t.Errorf("bearerToken(%q) ok = %v, want %v", c.h, ok, c.ok)
		}
	}
}
