package api

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Pagination defaults, the tutorial's.
const (
	defaultPerPage  = 10
	maxPerPage      = 100
	fallbackPerPage = 20 // Flask-SQLAlchemy's per_page for a value below 1
)

// pageArgs are a collection request's page and per_page as asked for: the defaults
// when absent or not integers, per_page capped at maxPerPage. _meta and the links echo
// them, as the tutorial's do, even where the query corrects them (page < 1 reads page 1,
// per_page < 1 reads 20 items).
type pageArgs struct {
	page, perPage int
}

func readPageArgs(r *http.Request) pageArgs {
	q := r.URL.Query()
	return pageArgs{page: intArg(q, "page", 1), perPage: min(intArg(q, "per_page", defaultPerPage), maxPerPage)}
}

// intArg is the first value of name as an integer (spaces around it allowed, as Python's
// int() allows them), def when absent or not an integer that fits.
func intArg(q url.Values, name string, def int) int {
	v, ok := q[name]
	if !ok || len(v) == 0 {
		return def
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v[0]), 10, 32)
	if err != nil {
		return def
	}
	return int(n)
}

// effective are the page and size the query reads.
func (p pageArgs) effective() (page, perPage int) {
	page, perPage = max(p.page, 1), p.perPage
	if perPage < 1 {
		perPage = fallbackPerPage
	}
	return page, perPage
}

// limitOffset is the query's window; the offset may exceed the number of rows.
func (p pageArgs) limitOffset() (limit, offset int) {
	page, perPage := p.effective()
	return perPage, (page - 1) * perPage // both at most 2³¹, so no overflow in int64
}

// collection is the tutorial's PaginatedAPIMixin.to_collection_dict, keys in its order.
type collection[T any] struct {
	Links collectionLinks `json:"_links"`
	Meta  collectionMeta  `json:"_meta"`
	Items []T             `json:"items"`
}

type collectionLinks struct {
	Next *string `json:"next"`
	Prev *string `json:"prev"`
	Self string  `json:"self"`
}

type collectionMeta struct {
	Page       int `json:"page"`
	PerPage    int `json:"per_page"`
	TotalItems int `json:"total_items"`
	TotalPages int `json:"total_pages"`
}

// newCollection wraps one page of items of a collection of total items at path.
func newCollection[T any](path string, p pageArgs, items []T, total int) collection[T] {
	page, perPage := p.effective()
	pages := int(math.Ceil(float64(total) / float64(perPage)))
	link := func(n int) string { return fmt.Sprintf("%s?page=%d&per_page=%d", path, n, p.perPage) }
	c := collection[T]{
		Links: collectionLinks{Self: link(p.page)},
		Meta:  collectionMeta{Page: p.page, PerPage: p.perPage, TotalItems: total, TotalPages: pages},
		Items: items,
	}
	if c.Items == nil {
		c.Items = []T{}
	}
	if page < pages {
		next := link(p.page + 1)
		c.Links.Next = &next
	}
	if page > 1 {
		prev := link(p.page - 1)
		c.Links.Prev = &prev
	}
	return c
}
