package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/microblog/microblog/internal/models"
)

// Avatar sources (config AVATARS).
const (
	avatarsGravatar = "gravatar"
	avatarsLocal    = "local"
)

// avatarCacheSeconds is how long browsers and proxies keep a local avatar: its content
// is a pure function of its URL, so only a change of the drawing code changes it, and
// the ETag (which names the drawing's version) lets a cache revalidate after that.
const avatarCacheSeconds = 7 * 24 * 60 * 60

// identiconVersion names the drawing below; change it when the drawing changes so that
// cached avatars are revalidated to the new one.
const identiconVersion = "i1"

// avatarFuncs are the template helpers for avatars, which depend on the AVATARS setting:
//
//	{{avatar .User 70}}         the image URL (Gravatar's or the app's own)
//	{{localAvatar .User 70}}    the app's own, the fallback when Gravatar cannot be reached
func avatarFuncs(source string) template.FuncMap {
	return template.FuncMap{
		"avatar": func(u *models.User, size int) string {
			if source == avatarsLocal {
				return localAvatarURL(u, size)
			}
			return u.Avatar(size)
		},
		"localAvatar": func(u *models.User, size int) string { return localAvatarURL(u, size) },
	}
}

// localAvatarURL is the path of the user's avatar drawn by the app (serveAvatar).
func localAvatarURL(u *models.User, size int) string {
	return "/avatar/" + u.EmailHash() + "/" + strconv.Itoa(size)
}

// serveAvatar draws the identicon of /avatar/{hash}/{size}: no database, no network,
// the same picture for the same hash every time.
func serveAvatar(w http.ResponseWriter, r *http.Request) {
	hash, sizeText := r.PathValue("hash"), r.PathValue("size")
	size, err := strconv.Atoi(sizeText)
	if !validHash(hash) || err != nil || size < 1 || size > 2048 || strconv.Itoa(size) != sizeText {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(avatarCacheSeconds))
	h.Set("ETag", `"`+identiconVersion+"-"+hash+"-"+sizeText+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(identicon(hash, size)))
}

// validHash accepts exactly 32 lower-case hexadecimal digits (an MD5 in hex).
func validHash(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// identicon is an SVG of a 5×5 grid mirrored about its middle column, as Gravatar's and
// GitHub's identicons are: 15 nibbles of the hash decide the cells, 3 more the colour.
// The grid sits in a 6×6 view box so that the picture has a half-cell margin.
func identicon(hash string, size int) []byte {
	nibble := func(i int) int {
		v, _ := strconv.ParseUint(hash[i:i+1], 16, 8)
		return int(v)
	}
	hue := (nibble(29)<<8 | nibble(30)<<4 | nibble(31)) * 360 / 4096
	sat := 45 + nibble(28)%4*5   // 45–60 %
	light := 40 + nibble(27)%3*5 // 40–50 %: dark enough to stand out on the light ground
	var path strings.Builder
	for col := range 3 {
		for row := range 5 {
			if nibble(col*5+row)%2 != 0 {
				continue
			}
			fmt.Fprintf(&path, "M%d %dh1v1h-1z", col, row)
			if col != 2 {
				fmt.Fprintf(&path, "M%d %dh1v1h-1z", 4-col, row)
			}
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="-0.5 -0.5 6 6" shape-rendering="crispEdges">`, size, size)
	b.WriteString(`<rect x="-0.5" y="-0.5" width="6" height="6" fill="#f0f0f0"/>`)
	fmt.Fprintf(&b, `<path fill="hsl(%d,%d%%,%d%%)" d="%s"/></svg>`, hue, sat, light, path.String())
	return b.Bytes()
}
