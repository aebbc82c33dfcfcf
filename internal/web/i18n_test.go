package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/web"
)

// acceptLanguage sends an Accept-Language header with every request, as a browser does.
type acceptLanguage struct {
	lang string
	next http.RoundTripper
}

func (a acceptLanguage) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Accept-Language", a.lang)
	return a.next.RoundTrip(r)
}

// speaking makes b's requests ask for lang.
func (b *browser) speaking(lang string) *browser {
	b.c.Transport = acceptLanguage{lang: lang, next: http.DefaultTransport}
	return b
}

// chooseLanguage uses the language menu on the page at next.
func (b *browser) chooseLanguage(code, next string) page {
	return b.post("/language", url.Values{"language": {code}, "next": {next}})
}

// setLanguage stores a user's language choice directly.
func setLanguage(t *testing.T, db *database.DB, name, code string) {
	t.Helper()
	if _, err := db.Bun.NewUpdate().Model((*models.User)(nil)).Set("language = ?", code).Where("username = ?", name).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// follow makes a new user called who follow name.
func follow(t *testing.T, s *site, who, name string) {
	t.Helper()
	b := signedIn(t, s, who, false)
	expect(t, who+" follows "+name, b.post("/follow/"+name, nil), http.StatusFound, "/user/"+name)
}

// langCase is what one language shows.
type langCase struct {
	code, accept, htmlLang string
	login, required        []string // the sign-in page; its error for an empty form
	badLogin               string   // the flash after a wrong password
	menuFlash              string   // the flash after following susan
	pages                  map[string][]string
	followers              [3]string // susan's profile with 0, 1 and 2 followers
}

var langCases = []langCase{{
	code: "en", accept: "", htmlLang: `<html lang="en">`,
	login:    []string{"<title>Sign In - Microblog</title>", "Username", "Remember Me", "New User?", "Click to Register!"},
	required: []string{"This field is required."}, badLogin: "Invalid username or password",
	menuFlash: "You are following susan!",
	pages: map[string][]string{
		"/index":              {"Hi, john!", "Home", "Explore", "Say something", "Newer posts", "Older posts", "Language:"},
		"/explore":            {"<title>Explore - Microblog</title>"},
		"/messages":           {"Received", "You have no messages.", "Newer messages"},
		"/messages/sent":      {"Sent Messages", "You have not sent any messages."},
		"/edit_profile":       {"Edit Profile", "About me"},
		"/send_message/susan": {"Send Message to susan", "Message"},
		"/nowhere":            {"Not Found", "Back"},
	},
	followers: [3]string{"0 followers, 0 following.", "1 follower, 0 following.", "2 followers, 0 following."},
}, {
	code: "es", accept: "es-MX,es;q=0.9", htmlLang: `<html lang="es">`,
	login:    []string{"<title>Ingresar - Microblog</title>", "Nombre de usuario", "Recordarme", "¿Usuario Nuevo?", "¡Haz click aquí para registrarte!"},
	required: []string{"Este campo es obligatorio."}, badLogin: "Nombre de usuario o contraseña inválidos",
	menuFlash: "¡Ahora estás siguiendo a susan!",
	pages: map[string][]string{
		"/index":              {"¡Hola, john!", "Inicio", "Explorar", "Dí algo", "Más recientes", "Más antiguos", "Idioma:"},
		"/explore":            {"<title>Explorar - Microblog</title>"},
		"/messages":           {"Recibidos", "No tienes mensajes.", "Más recientes"},
		"/messages/sent":      {"Mensajes Enviados", "No has enviado ningún mensaje."},
		"/edit_profile":       {"Editar Perfil", "Acerca de mí"},
		"/send_message/susan": {"Enviar Mensaje a susan", "Mensaje"},
		"/nowhere":            {"Página No Encontrada", "Atrás"},
	},
	followers: [3]string{"0 seguidores, siguiendo a 0.", "1 seguidor, siguiendo a 0.", "2 seguidores, siguiendo a 0."},
}, {
	code: "pt_BR", accept: "pt-PT,pt;q=0.9", htmlLang: `<html lang="pt-BR">`,
	login:    []string{"<title>Entrar - Microblog</title>", "Nome de usuário", "Lembrar de mim", "Novo usuário?", "Clique para se cadastrar!"},
	required: []string{"Este campo é obrigatório."}, badLogin: "Nome de usuário ou senha inválidos",
	menuFlash: "Agora você está seguindo susan!",
	pages: map[string][]string{
		"/index":              {"Olá, john!", "Início", "Explorar", "Diga algo", "Mais recentes", "Mais antigas", "Idioma:"},
		"/explore":            {"<title>Explorar - Microblog</title>"},
		"/messages":           {"Recebidas", "Você não tem mensagens.", "Mais recentes"},
		"/messages/sent":      {"Mensagens enviadas", "Você não enviou nenhuma mensagem."},
		"/edit_profile":       {"Editar perfil", "Sobre mim"},
		"/send_message/susan": {"Enviar mensagem para susan", "Mensagem"},
		"/nowhere":            {"Página Não Encontrada", "Voltar"},
	},
	// Portuguese counts 0 as singular: "0 seguidor".
	followers: [3]string{"0 seguidor, seguindo 0.", "1 seguidor, seguindo 0.", "2 seguidores, seguindo 0."},
}}

// Every page in each language: Accept-Language for visitors, the menu's choice stored on
// the account, plurals, flashes and form errors, and <html lang>.
func TestLanguages(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s, _, _ := newDialectSite(t, d, nil)
			addUser(t, s.db, "susan")
			for _, c := range langCases {
				t.Run(c.code, func(t *testing.T) {
					visitor := s.browser().speaking(c.accept)
					expect(t, "sign-in page", visitor.get("/auth/login"), 200, "", append([]string{c.htmlLang}, c.login...)...)
					expect(t, "empty sign-in", visitor.login("", ""), 200, "", append([]string{c.htmlLang}, c.required...)...)
					expect(t, "wrong password", visitor.login("susan", "wrong password"), http.StatusFound, "/auth/login")
					expect(t, "flash", visitor.get("/auth/login"), 200, "", c.badLogin)

					// The user's choice wins over the browser's language, and is kept on
					// the account: a new browser that asks for nothing still gets it.
					john := "john_" + strings.ToLower(c.code)
					b := signedIn(t, s, john, false)
					b.speaking("fr")
					expect(t, "menu", b.chooseLanguage(c.code, "/user/susan"), http.StatusSeeOther, "/user/susan")
					var u models.User
					if err := s.db.Bun.NewSelect().Model(&u).Where("username = ?", john).Scan(context.Background()); err != nil {
						t.Fatal(err)
					}
					if u.Language == nil || *u.Language != c.code {
						t.Fatalf("stored language %v, want %s", u.Language, c.code)
					}
					again := s.browser()
					expect(t, "login again", again.login(john, sessionTestPassword), http.StatusFound, "/index")
					for path, want := range c.pages {
						status := 200
						if path == "/nowhere" {
							status = http.StatusNotFound
						}
						want = append([]string{c.htmlLang}, want...)
						for i := range want {
							want[i] = strings.ReplaceAll(want[i], "john", john)
						}
						expect(t, path, again.get(path), status, "", want...)
					}
					// Plurals: a fresh user with 0, 1 and 2 followers.
					star := "star_" + strings.ToLower(c.code)
					addUser(t, s.db, star)
					expect(t, "0 followers", again.get("/user/"+star), 200, "", strings.ReplaceAll(c.followers[0], "susan", star))
					expect(t, "follow", again.post("/follow/"+star, nil), http.StatusFound, "/user/"+star)
					expect(t, "1 follower", again.get("/user/"+star), 200, "", c.followers[1], strings.ReplaceAll(c.menuFlash, "susan", star))
					follow(t, s, "fan_"+strings.ToLower(c.code), star)
					expect(t, "2 followers", again.get("/user/"+star), 200, "", c.followers[2])
				})
			}
		})
	}
}

// The menu returns only to a path on this site, and a visitor's choice is a cookie.
func TestLanguageMenu(t *testing.T) {
	s := newSite(t)
	b := s.browser().speaking("es")
	expect(t, "foreign next", b.chooseLanguage("pt_BR", "//evil.example/x"), http.StatusSeeOther, "/index")
	expect(t, "cookie", b.get("/auth/login"), 200, "", `<html lang="pt-BR">`, "Entrar")
	expect(t, "unknown language", b.chooseLanguage("xx", "/auth/register"), http.StatusSeeOther, "/auth/register")
	expect(t, "still pt-BR", b.get("/auth/register"), 200, "", `<html lang="pt-BR">`, "Cadastrar-se")
	req, _ := http.NewRequest("POST", s.srv.URL+"/index", strings.NewReader("post=hi"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	expect(t, "cross-origin post", b.do(req), http.StatusForbidden, "", `<html lang="pt-BR">`, "Proibido", "outro site")
	expect(t, "back to English", b.chooseLanguage("en", "/auth/login?next=%2Fexplore"), http.StatusSeeOther, "/auth/login?next=%2Fexplore")
	expect(t, "English", b.get("/auth/login"), 200, "", `<html lang="en">`, "Sign In", `name="next" value="/auth/login"`)
	if p := b.get("/language"); p.status != http.StatusNotFound && p.status != http.StatusMethodNotAllowed {
		t.Errorf("GET /language: %d", p.status)
	}
}

// LANGUAGES limits the languages served: the others are neither negotiated, offered
// nor accepted from the menu; an unknown one stops the app from starting.
func TestLanguagesSetting(t *testing.T) {
	s, _, _ := newDialectSite(t, database.SQLite, func(c *config.Config) { c.Languages = []string{"en", "es"} })
	b := s.browser().speaking("pt-BR")
	p := b.get("/auth/login")
	expect(t, "pt-BR not served", p, 200, "", `<html lang="en">`, `value="es"`)
	if strings.Contains(p.body, "Português") {
		t.Error("the menu offers a language not served")
	}
	expect(t, "menu", b.chooseLanguage("pt_BR", "/auth/login"), http.StatusSeeOther, "/auth/login")
	expect(t, "still English", b.get("/auth/login"), 200, "", `<html lang="en">`)
	expect(t, "Spanish", b.speaking("es-AR").get("/auth/login"), 200, "", `<html lang="es">`)

	only, _, _ := newDialectSite(t, database.SQLite, func(c *config.Config) { c.Languages = []string{"en"} })
	if p := only.browser().speaking("es").get("/auth/login"); strings.Contains(p.body, "<footer") || !strings.Contains(p.body, `<html lang="en">`) {
		t.Errorf("one language: no menu, English:\n%s", p.body)
	}
	cfg, err := config.Load(func(string) (string, bool) { return "", false }, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Languages = []string{"en", "fr"}
	if _, err := web.New(s.db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil); err == nil || !strings.Contains(err.Error(), `no catalog for "fr"`) {
		t.Errorf("LANGUAGES=en,fr: %v", err)
	}
}

// The reset e-mail goes out in the recipient's language, whatever the requester's.
func TestResetMailInUsersLanguage(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s := newMailSite(t, d, nil)
			addUser(t, s.db, "susan")
			setLanguage(t, s.db, "susan", "pt_BR")
			expect(t, "request", s.browser().speaking("es").requestReset("susan@example.com"), http.StatusFound, "/auth/login")
			e := s.resetMails(t, 1)[0]
			if e.subject != "[Microblog] Redefina a sua senha" {
				t.Errorf("subject %q", e.subject)
			}
			for _, want := range []string{"Olá, susan,", "Para redefinir a sua senha, clique no seguinte link:", "A equipe do Microblog"} {
				if !strings.Contains(e.text, want) {
					t.Errorf("text lacks %q:\n%s", want, e.text)
				}
			}
			for _, want := range []string{"<p>Olá, susan,</p>", ">clique aqui</a>", "Atenciosamente,"} {
				if !strings.Contains(e.html, want) {
					t.Errorf("HTML lacks %q:\n%s", want, e.html)
				}
			}
		})
	}
}

// The export e-mail goes out in the user's language; the export alert is translated.
func TestExportMailInUsersLanguage(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			s := newExportSite(t, d)
			b := signedIn(t, s.site, "susan", false)
			expect(t, "menu", b.chooseLanguage("es", "/user/susan"), http.StatusSeeOther, "/user/susan")
			expect(t, "export", b.post("/export_posts", nil), http.StatusFound, "/user/susan")
			expect(t, "alert", b.get("/user/susan"), 200, "", "Exportando artículos...")
			s.startWorkers(t)
			msgs := s.smtp.Wait(1, 30*time.Second)
			if len(msgs) != 1 {
				t.Fatalf("%d e-mails, want 1; log:\n%s", len(msgs), s.logs.String())
			}
			e := readEmail(t, msgs[0])
			if e.subject != "[Microblog] Tus artículos" {
				t.Errorf("subject %q", e.subject)
			}
			for _, want := range []string{"Querido susan,", "Adjunto encontrarás el archivo con tus artículos que solicitaste.", "El equipo de Microblog"} {
				if !strings.Contains(e.text, want) || !strings.Contains(e.html, want) {
					t.Errorf("e-mail lacks %q:\n%s\n%s", want, e.text, e.html)
				}
			}
		})
	}
}

// A user who never chose a language gets the export e-mail in the language of the page
// the export was asked from (here the browser's pt-BR), not in English.
func TestExportMailInTheLanguageAskedIn(t *testing.T) {
	s := newExportSite(t, database.SQLite)
	b := signedIn(t, s.site, "susan", false).speaking("pt-BR")
	expect(t, "export", b.post("/export_posts", nil), http.StatusFound, "/user/susan")
	s.startWorkers(t)
	msgs := s.smtp.Wait(1, 30*time.Second)
	if len(msgs) != 1 {
		t.Fatalf("%d e-mails, want 1; log:\n%s", len(msgs), s.logs.String())
	}
	if e := readEmail(t, msgs[0]); !strings.Contains(e.text, "Olá, susan,") {
		t.Errorf("the e-mail is not in Portuguese:\n%s", e.text)
	}
}
