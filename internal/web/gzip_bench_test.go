package web_test

import (
	stdgzip "compress/gzip"
	"io"
	"os"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// BenchmarkGzipPage compresses 12 KB of the site's own HTML (its layout template,
// repeated) at BestSpeed with the standard library's gzip and with klauspost/compress,
// the one the app uses (docs/performance.md, section 9), one writer reused as the app's
// pool does:
//
//	go test ./internal/web -run '^$' -bench GzipPage -benchtime 2000x
func BenchmarkGzipPage(b *testing.B) {
	layout, err := os.ReadFile("templates/base.html")
	if err != nil {
		b.Fatal(err)
	}
	var page []byte
	for len(page) < 12000 {
		page = append(page, layout...)
	}
	page = page[:12000]
	std, _ := stdgzip.NewWriterLevel(io.Discard, stdgzip.BestSpeed)
	fast, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	for _, w := range []struct {
		name string
		z    interface {
			io.WriteCloser
			Reset(io.Writer)
		}
	}{{"stdlib", std}, {"klauspost", fast}} {
		b.Run(w.name, func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			for b.Loop() {
				w.z.Reset(io.Discard)
				w.z.Write(page)
				w.z.Close()
			}
		})
	}
}
