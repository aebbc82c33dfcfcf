package api

import (
	"net/http/httptest"
	"testing"
)

// The tutorial's pagination: requested values echoed, effective ones read.
func TestPagination(t *testing.T) {
	for _, c := range []struct {
		query         string
		page, perPage int // echoed
		limit, offset int // read
		total, pages  int
		next, prev    string
	}{
		{"", 1, 10, 10, 0, 25, 3, "/x?page=2&per_page=10", ""},
		{"?page=3", 3, 10, 10, 20, 25, 3, "", "/x?page=2&per_page=10"},
		{"?page=9", 9, 10, 10, 80, 25, 3, "", "/x?page=8&per_page=10"},
		{"?per_page=500", 1, 100, 100, 0, 25, 1, "", ""},
		{"?page=0&per_page=0", 0, 0, 20, 0, 25, 2, "/x?page=1&per_page=0", ""},
		{"?page=-2&per_page=-1", -2, -1, 20, 0, 25, 2, "/x?page=-1&per_page=-1", ""},
		{"?page=x&per_page=1.5", 1, 10, 10, 0, 25, 3, "/x?page=2&per_page=10", ""},
		{"?page=%202%20&per_page=+5", 2, 5, 5, 5, 25, 5, "/x?page=3&per_page=5", "/x?page=1&per_page=5"},
		{"?page=99999999999", 1, 10, 10, 0, 25, 3, "/x?page=2&per_page=10", ""},
		{"?page=%ff%00&per_page=%E2%91%A0", 1, 10, 10, 0, 25, 3, "/x?page=2&per_page=10", ""}, // invalid UTF-8, NUL, "①"
		{"?page=2&page=3", 2, 10, 10, 10, 25, 3, "/x?page=3&per_page=10", "/x?page=1&per_page=10"},
		{"", 1, 10, 10, 0, 0, 0, "", ""},
	} {
		p := readPageArgs(httptest.NewRequest("GET", "/x"+c.query, nil))
		limit, offset := p.limitOffset()
		col := newCollection("/x", p, []int{}, c.total)
		str := func(s *string) string {
			if s == nil {
				return ""
			}
			return *s
		}
		if col.Meta.Page != c.page || col.Meta.PerPage != c.perPage || limit != c.limit || offset != c.offset ||
			col.Meta.TotalPages != c.pages || str(col.Links.Next) != c.next || str(col.Links.Prev) != c.prev {
			t.Errorf("%q (total %d): meta %+v, limit %d offset %d, next %q prev %q", c.query, c.total, col.Meta, limit, offset, str(col.Links.Next), str(col.Links.Prev))
		}
	}
}
