package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// hstsHeader asks browsers to use only HTTPS for this host for a year. It leaves out
// includeSubDomains and preload: those commit every other site of the domain, which is
// the operator's decision, not the app's.
const hstsHeader = "max-age=31536000"

// client is whom a request is taken to come from: its address (for rate limits) and
// whether it reached the site over HTTPS.
type client struct {
	addr  string
	https bool
}

// arrival is what arrive records of a request in its context: when it arrived, and its
// client (one value, so that the request is copied once for both).
type arrival struct {
	start  time.Time
	client client
}

type arrivalKey struct{}

// arrive notes when the request arrived and resolves its client once, believing
// X-Forwarded-For and X-Forwarded-Proto only from peers in TRUSTED_PROXIES, and sends
// Strict-Transport-Security on HTTPS requests — and on every request when
// SESSION_COOKIE_SECURE says the site is served over HTTPS only (browsers ignore the
// header on plain HTTP, so that is safe when a proxy in front is not configured as
// trusted).
func (a *App) arrive(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		c := resolveClient(r, a.cfg.TrustedProxies)
		if c.https || a.cfg.SessionCookieSecure {
			w.Header().Set("Strict-Transport-Security", hstsHeader)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), arrivalKey{}, arrival{start: start, client: c})))
	})
}

// resolveClient is the client of r. From an untrusted peer (or with no trusted proxies
// configured) it is the peer itself, over TLS or not. From a trusted proxy it is the
// first address of X-Forwarded-For, walking from the right (the entry the nearest proxy
// appended), that is not itself a trusted proxy; an entry that is not an address stops the
// walk at the last trusted hop, since only a client can have put it there. The scheme is
// the last X-Forwarded-Proto value, the one the nearest proxy set.
func resolveClient(r *http.Request, trusted []netip.Prefix) client {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	c := client{addr: host, https: r.TLS != nil}
	peer, ok := parseHop(host)
	if !ok {
		return c
	}
	c.addr = peer.String()
	if !isTrusted(peer, trusted) {
		return c
	}
	if protos := headerList(r.Header, "X-Forwarded-Proto"); len(protos) > 0 {
		c.https = c.https || strings.EqualFold(protos[len(protos)-1], "https")
	}
	hops := headerList(r.Header, "X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, ok := parseHop(hops[i])
		if !ok {
			break
		}
		c.addr = hop.String()
		if !isTrusted(hop, trusted) {
			break
		}
	}
	return c
}

// headerList is every comma-separated element of every line of header name, in order.
func headerList(h http.Header, name string) []string {
	var list []string
	for _, line := range h.Values(name) {
		for _, e := range strings.Split(line, ",") {
			list = append(list, strings.TrimSpace(e))
		}
	}
	return list
}

// parseHop reads one address as proxies write them: bare, or with a port ("1.2.3.4:80",
// "[::1]:80"); IPv4-mapped IPv6 addresses become IPv4 and zones are dropped, so that one
// client has one spelling.
func parseHop(s string) (netip.Addr, bool) {
	addr, err := netip.ParseAddr(s)
	if err != nil {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return netip.Addr{}, false
		}
		addr = ap.Addr()
	}
	return addr.Unmap().WithZone(""), true
}

func isTrusted(addr netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
