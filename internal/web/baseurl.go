package web

import (
	"net"
	"net/http"
)

// baseURL is the site's public address, from which links in e-mails are built:
// BASE_URL (or https://SERVER_NAME), which production requires. Without it
// (development and testing) it is the address this server accepted the connection on —
// never the request's Host header, which the sender of the request chooses: a reset
// link built from it would carry the token to the sender's host.
func (a *App) baseURL(r *http.Request) string {
	if a.cfg.BaseURL != "" {
		return a.cfg.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		return scheme + "://" + addr.String()
	}
	return scheme + "://localhost"
}
