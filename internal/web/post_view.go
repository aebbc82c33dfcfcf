package web

import (
	"time"

	"github.com/microblog/microblog/internal/models"
)

// postView is a post as one reader sees it: the post template reads the post's fields,
// the reader's language, Lang, and, for the reader's own posts, Mine and Here (the page,
// where the Delete button returns).
//
// The fields the post template reads on every post (ID, Body, Timestamp, Author) are
// copied to the top level, where they shadow the embedded post's: text/template finds a
// field with reflect's FieldByName, which finds a top-level field at once but looks for a
// promoted one through every embedded struct, allocating as it goes — 6% of the CPU and
// a fifth of the bytes allocated by a home page under load (docs/performance.md). The
// embedded post keeps its other fields reachable.
type postView struct {
	*models.Post
	ID        int64
	Body      string
	Timestamp time.Time
	Author    *models.User
	Lang      string
	Mine      bool
	Here      string
}

func newPostView(p *models.Post, lang string) postView {
	return postView{Post: p, ID: p.ID, Body: p.Body, Timestamp: p.Timestamp, Author: p.Author, Lang: lang}
}

// readBy is the post as a reader of language lang sees it, without the owner's Delete
// button: {{template "post" (readBy . $.Lang)}}. Pages use postFor.
func readBy(p *models.Post, lang string) postView { return newPostView(p, lang) }

// postFor is the post as the page's reader sees it, with a Delete button on the
// reader's own posts: {{template "post" (postFor . $)}}.
func postFor(p *models.Post, v view) postView {
	pv := newPostView(p, v.Lang)
	pv.Here = v.Here
	pv.Mine = v.Me != nil && p.UserID == v.Me.ID
	return pv
}

// TranslateFrom is the post's language when the reader may want it translated: it is
// known and is not the reader's (pt is the language of a pt_BR reader). "" otherwise,
// and the post shows no Translate link.
func (p postView) TranslateFrom() string {
	if p.Language == nil || *p.Language == "" {
		return ""
	}
	if baseLanguage(*p.Language) == baseLanguage(p.Lang) {
		return ""
	}
	return *p.Language
}

// baseLanguage is the language of a code without its region: pt_BR and pt-BR are pt.
func baseLanguage(code string) string {
	for i, c := range code {
		if c == '_' || c == '-' {
			return code[:i]
		}
	}
	return code
}
