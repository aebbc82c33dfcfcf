package web

import (
	"fmt"
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/models"
)

// Every input of the post template changes the fragment's key, and no two different
// inputs give one key (each field carries its length).
func TestFragmentKeyCoversEveryInput(t *testing.T) {
	lang := "en"
	base := func() postView {
		es := "es"
		p := &models.Post{ID: 7, Body: "hola", Timestamp: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), Language: &es,
			Author: &models.User{Username: "susan", Email: "susan@example.com"}}
		pv := newPostView(p, "en")
		return pv
	}
	ref := fragmentKey(lang, base())
	changes := map[string]func(*postView, *string){
		"page language":     func(_ *postView, l *string) { *l = "es" },
		"reader's language": func(p *postView, _ *string) { p.Lang = "pt_BR" },
		"id":                func(p *postView, _ *string) { p.ID = 8 },
		"body":              func(p *postView, _ *string) { p.Body = "hola!" },
		"time":              func(p *postView, _ *string) { p.Timestamp = p.Timestamp.Add(time.Nanosecond) },
		"post language": func(p *postView, _ *string) {
			de := "de"
			p.Post = &models.Post{ID: p.ID, Language: &de}
		},
		"author's name": func(p *postView, _ *string) { p.Author = &models.User{Username: "susan2", Email: p.Author.Email} },
		"author's email": func(p *postView, _ *string) {
			p.Author = &models.User{Username: p.Author.Username, Email: "s@example.com"}
		},
		"mine": func(p *postView, _ *string) { p.Mine, p.Here = true, "/index" },
	}
	for what, change := range changes {
		pv, l := base(), lang
		change(&pv, &l)
		if fragmentKey(l, pv) == ref {
			t.Errorf("changing the %s leaves the key as it was", what)
		}
	}
	mine := base()
	mine.Mine, mine.Here = true, "/index"
	other := mine
	other.Here = "/index?page=2"
	if fragmentKey(lang, mine) == fragmentKey(lang, other) {
		t.Error("the Delete button's return page is not in the key")
	}
	// Shifting characters between adjacent fields gives another key.
	a, b := base(), base()
	a.Body, a.Author = "ab", &models.User{Username: "c", Email: "e"}
	b.Body, b.Author = "a", &models.User{Username: "bc", Email: "e"}
	if fragmentKey(lang, a) == fragmentKey(lang, b) {
		t.Error(`body "ab" + name "c" and body "a" + name "bc" share a key`)
	}
}

// The cache answers exactly what the template renders, and stays within its budget
// however many posts pass through it.
func TestPostFragmentsRenderLikeTheTemplateWithinBudget(t *testing.T) {
	set := template.Must(template.New("p").Parse(`{{define "post"}}<p>{{.Author.Username}}: {{.Body}} #{{.ID}}</p>{{end}}`))
	budget := 64 << 10
	c := newPostFragments(budget)
	for i := range 5000 {
		p := &models.Post{ID: int64(i), Body: fmt.Sprintf("<b>post %d</b> & more", i), Author: &models.User{Username: "susan"}}
		pv := newPostView(p, "en")
		got, err := c.render(set, "en", pv)
		if err != nil {
			t.Fatal(err)
		}
		var want strings.Builder
		set.ExecuteTemplate(&want, "post", pv)
		if string(got) != want.String() {
			t.Fatalf("post %d: cache %q, template %q", i, got, want.String())
		}
		again, _ := c.render(set, "en", pv)
		if again != got {
			t.Fatalf("post %d rendered twice differs: %q, %q", i, got, again)
		}
		if total := c.bytes(); total > budget {
			t.Fatalf("after %d posts the cache holds %d bytes, over its budget of %d", i+1, c.bytes(), budget)
		}
	}
	if c.len() == 0 {
		t.Fatal("the cache kept nothing")
	}
}
