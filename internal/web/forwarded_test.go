package web

import (
	"crypto/tls"
	"net/http"
	"net/netip"
	"testing"
)

// X-Forwarded-For is walked from the right, past trusted proxies, to the first address
// that is not one; anything an untrusted peer says is ignored.
func TestResolveClient(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}
	for _, c := range []struct {
		name, peer string
		xff        []string
		proto      []string
		tls        bool
		want       client
	}{
		{"untrusted peer", "203.0.113.1:5000", []string{"198.51.100.2"}, []string{"https"}, false, client{"203.0.113.1", false}},
		{"untrusted peer over TLS", "203.0.113.1:5000", nil, []string{"http"}, true, client{"203.0.113.1", true}},
		{"trusted proxy", "10.0.0.1:5000", []string{"198.51.100.2"}, []string{"https"}, false, client{"198.51.100.2", true}},
		{"trusted proxy, no header", "10.0.0.1:5000", nil, nil, false, client{"10.0.0.1", false}},
		{"client's own forgery left of the real hop", "10.0.0.1:5000", []string{"1.1.1.1, 198.51.100.2"}, nil, false, client{"198.51.100.2", false}},
		{"two trusted proxies, two header lines", "10.0.0.1:5000", []string{"1.1.1.1, 198.51.100.2", "10.0.0.7"}, nil, false, client{"198.51.100.2", false}},
		{"every hop trusted", "10.0.0.1:5000", []string{"10.0.0.3, 10.0.0.2"}, nil, false, client{"10.0.0.3", false}},
		{"garbage stops at the last trusted hop", "10.0.0.1:5000", []string{"198.51.100.2, nonsense, 10.0.0.2"}, nil, false, client{"10.0.0.2", false}},
		{"ports and brackets", "[2001:db8::1]:443", []string{"[2001:db8::5]:80, 198.51.100.2:1234"}, nil, false, client{"198.51.100.2", false}},
		{"IPv4-mapped and zoned", "[::ffff:10.0.0.1]:80", []string{"fe80::1%eth0"}, nil, false, client{"fe80::1", false}},
		{"nearest proxy's scheme wins", "10.0.0.1:5000", []string{"198.51.100.2"}, []string{"https, http"}, false, client{"198.51.100.2", false}},
		{"not an IP peer", "@", []string{"198.51.100.2"}, nil, false, client{"@", false}},
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		for _, v := range c.proto {
			r.Header.Add("X-Forwarded-Proto", v)
		}
		if c.tls {
			r.TLS = &tls.ConnectionState{}
		}
		if got := resolveClient(r, trusted); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
		// With no trusted proxies, every request is its peer, whatever it says.
		if got := resolveClient(r, nil); got.https != c.tls || (got.addr != "203.0.113.1" && c.peer == "203.0.113.1:5000") || (got.addr != "10.0.0.1" && c.peer == "10.0.0.1:5000") {
			t.Errorf("%s with no trusted proxies: %+v", c.name, got)
		}
	}
}
