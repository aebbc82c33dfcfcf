package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/microblog/microblog/internal/i18n"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/store"
)

func deleteAccountPage() formPage {
	return formPage{
		Heading: i18n.M("Delete Account"),
		Intro: []string{
			i18n.M("Deleting your account deletes everything in it, at once and for good: your profile, your posts, who you follow and who follows you, your notifications and any export in progress."),
			i18n.M("Your private messages are deleted too: those you received, and those you sent, which disappear from their recipients' inboxes."),
			i18n.M("Your username becomes free, and anyone may register it."),
			i18n.M("Enter your password to confirm."),
		},
		Fields: []*field{
			{Name: "password", Label: i18n.M("Password"), Type: "password", Required: true, Autofocus: true},
		},
		Submit: i18n.M("Delete my account"),
		Danger: true,
		Links:  []link{{Before: i18n.M("Changed your mind?"), URL: "/edit_profile", Text: i18n.M("Back to Edit Profile")}},
	}
}

func (a *App) deleteAccountForm(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "form", i18n.M("Delete Account"), deleteAccountPage())
}

// deleteAccount deletes the signed-in user's account once its password is confirmed:
// the check is a sign-in attempt as far as the sign-in policy goes (counted, delayed and
// refused as one, taken back when it succeeds), so that a stolen session cannot guess
// its way to a deletion. Every row of the account goes in one transaction
// (store.DeleteAccount), its sessions included: other browsers signed in as the user
// are signed out at their next request, and its notification streams in this process
// end at once.
func (a *App) deleteAccount(w http.ResponseWriter, r *http.Request) {
	ctx, me := r.Context(), currentUser(r)
	page := deleteAccountPage()
	pw := page.Fields[0]
	pw.Value = r.PostFormValue("password")
	if !required(pw) {
		a.render(w, r, http.StatusOK, "form", i18n.M("Delete Account"), page)
		return
	}
	ok, answered := a.confirmPassword(w, r, me, pw.Value, page, i18n.M("Delete Account"))
	if answered {
		return
	}
	if !ok {
		pw.Error = i18n.M("Invalid password.")
		a.render(w, r, http.StatusOK, "form", i18n.M("Delete Account"), page)
		return
	}
	if err := a.removeAccount(r, me); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.sessions.Remove(ctx, "user_id")
	a.sessions.Remove(ctx, sessionPasswordKey)
	a.flash(r, a.T(r, "Your account has been deleted."))
	http.Redirect(w, r, "/auth/login", http.StatusFound)
}

// removeAccount deletes u's account and its sessions in one transaction of its own (the
// request's session has u loaded). An account deleted meanwhile by another request is
// not an error: the outcome is the one asked for.
func (a *App) removeAccount(r *http.Request, u *models.User) error {
	ctx := r.Context()
	tokens, err := a.sessionTokensOf(ctx, u)
	if err != nil {
		return err
	}
	s := a.db.NewSession()
	defer s.Close()
	deleted, err := store.DeleteAccount(ctx, s, u.ID, store.AccountRows{
		SessionTokens: tokens, RateLimitKeys: accountRateLimitKeys(u), Email: u.Email})
	if errors.Is(err, store.ErrNoUser) {
		s.Rollback(ctx)
		return nil
	}
	if err == nil {
		err = s.Commit(ctx)
	}
	if err != nil {
		s.Rollback(ctx)
		return err
	}
	a.hub.dropUser(u.ID)
	a.log.Info("account deleted", "user_id", u.ID, "rows", deleted, "request_id", requestID(r))
	return nil
}

// accountRateLimitKeys are the keys of the rate-limit counts kept for u's account (by
// its id or its address). A new limit keyed by the user gets its key here. The sign-in
// counts are keyed by the name tried, not by the account, and stay: they limit whoever
// tries names, account or not.
func accountRateLimitKeys(u *models.User) []string {
	id := strconv.FormatInt(u.ID, 10)
	return []string{"message-send:" + id, "translate:" + id, "reset-address:" + addressDigest(u.Email)}
}
