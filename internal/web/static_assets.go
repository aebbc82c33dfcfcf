package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Cache lifetimes of the static files. A name carrying its content's hash never changes
// meaning, so browsers and proxies may keep it a year without asking again; the plain
// names (still served for pages rendered before an upgrade, and for anyone linking them)
// change with each release, so they are kept an hour.
const (
	immutableCache = "public, max-age=31536000, immutable"
	plainCache     = "public, max-age=3600"
)

// assetHashLen is how many hex digits of a file's SHA-256 its hashed name carries:
// 48 bits, ample to tell two versions of one file apart.
const assetHashLen = 12

// staticAssets serves the embedded static files under /static/, each under its own name
// (css/app.css) and under a name carrying a hash of its content (css/app.3f9a1c2b5d0e.css),
// both computed once at start. Pages link the hashed names ({{static "css/app.css"}}), so
// a release's files are cached for good and the next release's are fetched at once.
type staticAssets struct {
	// byPath holds every file by its path under /static/, plain and hashed.
	byPath map[string]staticPath
	// hashed maps a file's plain name to its hashed URL.
	hashed map[string]string
}

// staticPath is one of a file's two names.
type staticPath struct {
	*staticAsset
	immutable bool // the hashed name
}

// staticAsset is one embedded file and what its responses carry.
type staticAsset struct {
	name        string // plain name, for the content type
	data        []byte
	hash        string
	contentType string
	// gz is data gzipped (best compression), made at the first request that accepts it;
	// nil when the file is not text, too small, or does not shrink.
	gzOnce sync.Once
	gz     []byte
}

// gzipped is the file's gzipped bytes, or nil when it is served only as it is.
func (a *staticAsset) gzipped() []byte {
	a.gzOnce.Do(func() {
		if !compressibleType(a.contentType) || len(a.data) < compressMinSize {
			return
		}
		var b bytes.Buffer
		z, _ := gzip.NewWriterLevel(&b, gzip.BestCompression) // a valid constant level
		z.Write(a.data)
		z.Close()
		if b.Len() < len(a.data) {
			a.gz = b.Bytes()
		}
	})
	return a.gz
}

// newStaticAssets reads every file of fsys and names it by its content.
func newStaticAssets(fsys fs.FS) (*staticAssets, error) {
	s := &staticAssets{byPath: map[string]staticPath{}, hashed: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		hash := hex.EncodeToString(sum[:])[:assetHashLen]
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			ctype = http.DetectContentType(data)
		}
		a := &staticAsset{name: name, data: data, hash: hash, contentType: ctype}
		s.byPath[name] = staticPath{staticAsset: a}
		hashedName := hashedAssetName(name, hash)
		s.byPath[hashedName] = staticPath{staticAsset: a, immutable: true}
		s.hashed[name] = "/static/" + hashedName
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	return s, nil
}

// hashedAssetName puts hash before the name's extension: css/app.css → css/app.<hash>.css,
// bootstrap/bootstrap.min.js → bootstrap/bootstrap.min.<hash>.js.
func hashedAssetName(name, hash string) string {
	dir, file := path.Split(name)
	if i := strings.LastIndexByte(file, '.'); i > 0 {
		return dir + file[:i] + "." + hash + file[i:]
	}
	return name + "." + hash
}

// URL is the hashed URL of the static file name (a path under static/), for templates:
// {{static "css/app.css"}}. An unknown name is an error, so a misspelt link fails the
// page's rendering (and its tests) instead of pointing at nothing.
func (s *staticAssets) URL(name string) (template.URL, error) {
	u, ok := s.hashed[name]
	if !ok {
		return "", fmt.Errorf("web: no static file %q", name)
	}
	return template.URL(u), nil
}

// funcs are the template helpers of the static files.
func (s *staticAssets) funcs() template.FuncMap {
	return template.FuncMap{"static": s.URL}
}

// ServeHTTP answers GET and HEAD /static/<name>, plain or hashed; anything else under
// /static/ (a directory, a stale or misspelt hash) is 404. Text files go gzipped to
// clients that accept it, compressed once; each encoding has its own strong ETag (the
// content's hash, with -gzip for the compressed bytes), so conditional requests
// (If-None-Match) and ranges, answered by http.ServeContent, stay exact.
func (s *staticAssets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, "/static/")
	a, found := s.byPath[name]
	if !ok || !found {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	if a.immutable {
		h.Set("Cache-Control", immutableCache)
	} else {
		h.Set("Cache-Control", plainCache)
	}
	body, etag := a.data, `"`+a.hash+`"`
	if compressibleType(a.contentType) {
		h.Add("Vary", "Accept-Encoding")
		if gz := a.gzipped(); gz != nil && acceptsGzip(r.Header.Values("Accept-Encoding")) {
			body, etag = gz, `"`+a.hash+`-gzip"`
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(body))
}
