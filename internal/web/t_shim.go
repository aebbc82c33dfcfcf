package web

import (
	"fmt"
	"net/http"
)

// T translates msgid into the request's language.
//
// temporary: replaced by the i18n branch at merge
func (a *App) T(r *http.Request, msgid string, args ...any) string {
	if len(args) == 0 {
		return msgid
	}
	return fmt.Sprintf(msgid, args...)
}
