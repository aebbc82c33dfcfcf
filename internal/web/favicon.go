package web

import (
	"bytes"
	"net/http"
	"time"
)

// serveFavicon answers /favicon.ico, which browsers ask for on every site whatever the
// page links to, with the embedded icon (a 404 there is a console error on every page).
func serveFavicon(w http.ResponseWriter, r *http.Request) {
	icon, err := staticFS.ReadFile("static/favicon.ico")
	if err != nil {
		http.NotFound(w, r) // cannot happen: the file is embedded at build time
		return
	}
	w.Header().Set("Content-Type", "image/x-icon")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	http.ServeContent(w, r, "favicon.ico", time.Time{}, bytes.NewReader(icon))
}
