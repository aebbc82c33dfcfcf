package web

import (
	"net/url"
	"strings"
)

// userPath is the URL path of a user's page under prefix ("/user/", "/follow/", …).
// The name is one escaped path segment whatever it holds, so that names stored before
// the username rule (an adopted Flask database may hold "a/b", "x?y" or "..") still get
// links that lead to their own page: "/" "?" "#" "%" are percent-encoded, and a name of
// only dots, which browsers would resolve as "go up", has its dots encoded too.
func userPath(prefix, name string) string {
	seg := url.PathEscape(name)
	if strings.Trim(name, ".") == "" {
		seg = strings.ReplaceAll(seg, ".", "%2E")
	}
	return prefix + seg
}
