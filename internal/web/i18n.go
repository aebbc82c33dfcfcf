package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/microblog/microblog/internal/i18n"
	"github.com/microblog/microblog/internal/models"
)

// langCookie keeps a visitor's language choice (a signed-in user's is on the account).
const langCookie = "microblog_lang"

// T translates msgid into the request's language, then formats it with args, if any.
func (a *App) T(r *http.Request, msgid string, args ...any) string {
	return a.localizer(r).T(msgid, args...)
}

// N translates the singular or plural text for n into the request's language, then
// formats it with args (or with n alone when none are given and the text has a verb).
func (a *App) N(r *http.Request, singular, plural string, n int, args ...any) string {
	return a.localizer(r).N(singular, plural, n, args...)
}

// localizer is the request's language, as chosen by the language middleware; a request
// that did not go through it (a failure before it ran) gets its language chosen now.
func (a *App) localizer(r *http.Request) *i18n.Localizer {
	if l, ok := r.Context().Value(keyLocale).(*i18n.Localizer); ok {
		return l
	}
	return a.catalogs.Localizer(a.chooseLanguage(r, currentUser(r)))
}

// chooseLanguage picks, in order: the signed-in user's choice, the visitor's cookie,
// the browser's Accept-Language, English.
func (a *App) chooseLanguage(r *http.Request, me *models.User) i18n.Language {
	if me != nil && me.Language != nil {
		if l, ok := a.served(*me.Language); ok {
			return l
		}
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := a.served(c.Value); ok {
			return l
		}
	}
	return a.matcher.Match(r.Header.Get("Accept-Language"))
}

// language puts the request's localizer in its context; it runs after the signed-in
// user is known.
func (a *App) language(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := a.catalogs.Localizer(a.chooseLanguage(r, currentUser(r)))
		w.Header().Add("Vary", "Accept-Language, Cookie")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyLocale, l)))
	})
}

// setLanguage handles the language menu: it stores the choice on the account (signed
// in) or in a cookie (and on the account too, when signed in, so that the e-mails
// follow it), then returns to the page the menu was on.
func (a *App) setLanguage(w http.ResponseWriter, r *http.Request) {
	next := r.PostFormValue("next")
	if !localPath(next) {
		next = "/index"
	}
	l, ok := a.served(r.PostFormValue("language"))
	if !ok {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l.Code, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: a.cfg.SessionCookieSecure})
	if me := currentUser(r); me != nil {
		if err := a.storeLanguage(r, me, l); err != nil {
			a.serverError(w, r, err)
			return
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// pageFuncs are the templates' translation functions bound to one language (see
// i18n.Localizer.Funcs).
func pageFuncs(l *i18n.Localizer) template.FuncMap { return template.FuncMap(l.Funcs()) }

// served returns the language of that code if the site serves it (LANGUAGES).
func (a *App) served(code string) (i18n.Language, bool) {
	for _, l := range a.languages {
		if strings.EqualFold(code, l.Code) || strings.EqualFold(code, l.Tag) {
			return l, true
		}
	}
	return i18n.Language{}, false
}

// servedLanguages are the languages of cfg.Languages, in its order; each must have a
// catalog (English, the message ids' language, needs none).
func servedLanguages(codes []string) ([]i18n.Language, error) {
	var out []i18n.Language
	for _, c := range codes {
		l, ok := i18n.Lookup(c)
		if !ok {
			return nil, fmt.Errorf("web: LANGUAGES: no catalog for %q (see docs/i18n.md to add one)", c)
		}
		out = append(out, l)
	}
	return out, nil
}

// recipientLanguage is the language of an e-mail to u: the one u chose, else the
// request's.
func (a *App) recipientLanguage(r *http.Request, u *models.User) i18n.Language {
	if u.Language != nil {
		if l, ok := a.served(*u.Language); ok {
			return l
		}
	}
	return a.localizer(r).Lang
}

// storeLanguage saves the user's language choice on the account.
func (a *App) storeLanguage(r *http.Request, me *models.User, l i18n.Language) error {
	code := l.Code
	me.Language = &code
	if err := dbSession(r).Commit(r.Context()); err != nil {
		return fmt.Errorf("web: store language: %w", err)
	}
	return nil
}
