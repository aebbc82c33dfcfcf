package web

import "embed"

// emailFS holds the web app's e-mails (templates/email/NAME.txt and NAME.html), parsed
// by mail.ParseTemplates.
//
//go:embed templates/email
var emailFS embed.FS
