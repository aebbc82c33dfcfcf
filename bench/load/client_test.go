package main

import (
	"net/http"
	"testing"
	"time"
)

// A worker keeps cookies as a browser does: a Set-Cookie replaces the cookie of its
// name, an expired one removes it, the others stay in their order.
func TestSetCookieReplacesAndRemovesByName(t *testing.T) {
	now := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	cs := []*http.Cookie{{Name: "session", Value: "a"}, {Name: "remember", Value: "r"}}
	cs = setCookie(cs, &http.Cookie{Name: "session", Value: "b"}, now)
	if got := cookieHeader(cs); got != "remember=r; session=b" {
		t.Fatalf("after replacing: %q", got)
	}
	cs = setCookie(cs, &http.Cookie{Name: "lang", Value: "pt"}, now)
	cs = setCookie(cs, &http.Cookie{Name: "remember", MaxAge: -1}, now)
	if got := cookieHeader(cs); got != "session=b; lang=pt" {
		t.Fatalf("after removing by Max-Age: %q", got)
	}
	cs = setCookie(cs, &http.Cookie{Name: "session", Value: "x", Expires: now.Add(-time.Second)}, now)
	if got := cookieHeader(cs); got != "lang=pt" {
		t.Fatalf("after removing by Expires: %q", got)
	}
	cs = setCookie(cs, &http.Cookie{Name: "session", Value: "c", Expires: now.Add(time.Hour)}, now)
	if got := cookieHeader(cs); got != "lang=pt; session=c" {
		t.Fatalf("after a cookie with a future expiry: %q", got)
	}
}

func TestNewDriverRefusesAnUnknownClient(t *testing.T) {
	if _, err := newDriver("curl", 1); err == nil {
		t.Fatal("want an error naming the client")
	}
}
