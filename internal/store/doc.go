// Package store holds the application's queries: every SQL statement about users, posts
// and followers lives here, run through a database.Session so that reads see the
// session's pending changes and writes commit with it.
package store
