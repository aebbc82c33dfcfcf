package web

import "github.com/microblog/microblog/internal/models"

// postView is a post as one reader sees it: the post template reads the post's fields
// and the reader's language, Lang.
type postView struct {
	*models.Post
	Lang string
}

func readBy(p *models.Post, lang string) postView { return postView{p, lang} }

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
