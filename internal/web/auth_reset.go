package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/i18n"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/password"
	"github.com/microblog/microblog/internal/password/strength"
	"github.com/microblog/microblog/internal/store"
	"github.com/microblog/microblog/internal/tasks"
)

// The password-reset policy (docs/security.md, "Password reset").
const (
	resetWindow     = time.Hour
	resetPerAddress = 5  // requests for one e-mail address, from anywhere
	resetPerIP      = 20 // requests from one client address, any e-mail addresses
	// resetRequestFloor is the least time a valid request takes, whether or not the
	// address has an account: queueing the e-mail takes a few milliseconds that the
	// answer for an unknown address would otherwise not.
	resetRequestFloor = 250 * time.Millisecond

	// Message ids of the catalogs.
	resetTitle   = "Reset Password"
	resetSubject = "[Microblog] Reset Your Password"
	resetSent    = "Check your email for the instructions to reset your password"
)

func resetRequestPage(email string) formPage {
	return formPage{
		Heading: i18n.M("Reset Password"),
		Fields: []*field{
			{Name: "email", Label: i18n.M("Email"), Type: "email", Value: email, Max: 120, Required: true, Autofocus: true},
		},
		Submit: i18n.M("Request Password Reset"),
	}
}

func resetPasswordPage() formPage {
	return formPage{
		Heading: i18n.M("Reset Your Password"),
		Fields: []*field{
			{Name: "password", Label: i18n.M("Password"), Type: "password", Max: strength.MaxLength, Required: true, Autofocus: true},
			{Name: "password2", Label: i18n.M("Repeat Password"), Type: "password", Max: strength.MaxLength, Required: true},
		},
		Submit: i18n.M("Request Password Reset"), // sic, as in the tutorial
	}
}

func (a *App) resetRequestForm(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "form", resetTitle, resetRequestPage(""))
}

// resetRequest queues a reset e-mail when the address has an account, and answers the
// same either way, in about the same time: the page never tells whether an address is
// registered.
func (a *App) resetRequest(w http.ResponseWriter, r *http.Request) {
	page := resetRequestPage(value(r, "email"))
	email := page.Fields[0]
	if !a.allow(w, r, page, resetTitle, "reset-ip:"+clientIP(r), resetPerIP, resetWindow) {
		return
	}
	if !required(email) || !maxLen(email, 120) || !validEmail(email) {
		a.render(w, r, http.StatusOK, "form", resetTitle, page)
		return
	}
	if !a.allow(w, r, page, resetTitle, "reset-address:"+addressDigest(email.Value), resetPerAddress, resetWindow) {
		return
	}
	ctx, s := r.Context(), dbSession(r)
	u, err := store.UserByEmailStrict(ctx, s, email.Value)
	switch {
	case err == nil && u.Disabled():
		// The same answer as for any address; a new password would not let them in.
		a.log.Info("password reset asked for a disabled account", "user_id", u.ID, "request_id", requestID(r))
	case err == nil:
		if err := a.queueResetMail(ctx, r, s, u); err != nil {
			a.serverError(w, r, err)
			return
		}
		a.log.Info("password reset e-mail queued", "user_id", u.ID, "request_id", requestID(r))
	case errors.Is(err, store.ErrNoUser):
		a.log.Info("password reset asked for an address without an account", "request_id", requestID(r))
	default:
		a.serverError(w, r, err)
		return
	}
	if wait := resetRequestFloor - time.Since(requestStart(r)); wait > 0 {
		if err := sleepContext(ctx, wait); err != nil {
			return // the client went away; the e-mail is queued all the same
		}
	}
	a.flash(r, a.T(r, resetSent))
	http.Redirect(w, r, "/auth/login", http.StatusFound)
}

// queueResetMail queues the reset e-mail to u in the request's transaction and commits
// it: the e-mail exists if and only if the commit does.
func (a *App) queueResetMail(ctx context.Context, r *http.Request, s *database.Session, u *models.User) error {
	link := a.baseURL(r) + "/auth/reset_password/" + a.resets.issue(u)
	lang := a.recipientLanguage(r, u)
	msg, err := a.mails.Message(lang, "reset_password", a.catalogs.Localizer(lang).T(resetSubject), []string{u.Email},
		struct{ Username, URL string }{u.Username, link})
	if err != nil {
		return err
	}
	tx, err := s.SQLTx(ctx)
	if err != nil {
		return fmt.Errorf("web: reset e-mail: %w", err)
	}
	if err := tasks.SendEmail(ctx, a.queue, tx, msg); err != nil {
		return fmt.Errorf("web: reset e-mail: %w", err)
	}
	if err := s.Commit(ctx); err != nil {
		return fmt.Errorf("web: reset e-mail: %w", err)
	}
	return nil
}

func (a *App) resetPasswordForm(w http.ResponseWriter, r *http.Request) {
	if u := a.resetPage(w, r); u == nil {
		return
	}
	a.render(w, r, http.StatusOK, "form", resetTitle, resetPasswordPage())
}

// resetPassword sets the password of the token's user. A bad token of any kind —
// garbled, expired, for another account state — sends the visitor to /index without a
// word, as the tutorial does.
func (a *App) resetPassword(w http.ResponseWriter, r *http.Request) {
	u := a.resetPage(w, r)
	if u == nil {
		return
	}
	page := resetPasswordPage()
	pw, pw2 := page.Fields[0], page.Fields[1]
	pw.Value, pw2.Value = r.PostFormValue("password"), r.PostFormValue("password2")
	if required(pw) {
		if err := a.passwords.Check(pw.Value, u.Username, u.Email); err != nil {
			pw.failWith(err)
		}
	}
	if required(pw2) && pw.Value != pw2.Value {
		pw2.Error = i18n.M("Field must be equal to password.")
	}
	if pw.Error != "" || pw2.Error != "" {
		a.render(w, r, http.StatusOK, "form", resetTitle, page)
		return
	}
	ctx, s := r.Context(), dbSession(r)
	hash, err := a.hasher.Hash(ctx, pw.Value)
	if errors.Is(err, password.ErrBusy) {
		a.busy(w, r, page, resetTitle)
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	changed, err := store.ReplacePassword(ctx, s, u.ID, u.PasswordHash, hash)
	if err == nil {
		err = s.Commit(ctx)
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if !changed { // the same link was used by another request meanwhile
		http.Redirect(w, r, "/index", http.StatusFound)
		return
	}
	a.log.Info("password reset", "user_id", u.ID, "request_id", requestID(r))
	a.flash(r, a.T(r, "Your password has been reset."))
	http.Redirect(w, r, "/auth/login", http.StatusFound)
}

// resetPage starts both answers of a reset link: the token's user, with the page kept
// out of caches and Referer headers; or nil when the answer is already given (any bad
// token goes to /index, as in the tutorial; a failure is a 500 or 503).
func (a *App) resetPage(w http.ResponseWriter, r *http.Request) *models.User {
	u, err := a.resetUser(r)
	if err != nil {
		a.serverError(w, r, err)
		return nil
	}
	if u == nil {
		http.Redirect(w, r, "/index", http.StatusFound)
		return nil
	}
	privatePage(w)
	return u
}

// resetUser is the user a request's reset token is valid for, or nil.
func (a *App) resetUser(r *http.Request) (*models.User, error) {
	token := r.PathValue("token")
	id, ok := a.resets.userID(token)
	if !ok {
		return nil, nil
	}
	var u models.User
	if err := dbSession(r).Get(r.Context(), &u, id); errors.Is(err, database.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("web: reset token's user: %w", err)
	}
	if !a.resets.valid(token, &u) {
		return nil, nil
	}
	return &u, nil
}

// privatePage keeps a page holding a reset token out of caches and Referer headers.
func privatePage(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
}

// addressDigest names an e-mail address in rate-limit keys by a digest of its lower-case
// form (every spelling that finds one account counts as one); addresses are not stored.
func addressDigest(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(email)))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}
