// Package api is microblog's JSON REST API (the tutorial's chapter 23), served under
// /api: the tutorial's eight endpoints with its URLs, status codes, JSON shapes and
// error bodies, so that a client written for the Flask API works unchanged, plus posts,
// the caller's home feed, conditional GETs and an OpenAPI 3.1 description
// (/api/openapi.json). docs/api.md lists every endpoint and every difference from the
// original.
//
// Requests are authenticated by bearer tokens only (HTTP Basic for obtaining one): the
// API never reads the web session cookie, so a page of another site cannot use a
// visitor's browser session against it, and it needs no CSRF protection.
//
// The web package mounts Handler under /api/ outside its session and CSRF middleware:
//
//	a := api.New(api.Options{DB: db, Log: log, ...})
//	mux.Handle("/api/", a.Handler())
package api
