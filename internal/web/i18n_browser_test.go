package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/microblog/microblog/internal/models"
)

// TestBrowserLanguages walks the app in Spanish and Brazilian Portuguese in Chromium,
// at a desktop and a phone width: the footer's language menu switches the page and
// stays chosen, dates are written by the browser in the page's language, nothing is
// wider than the window, and the screenshots go to artifacts/ to be looked at.
func TestBrowserLanguages(t *testing.T) {
	s := newSiteWithPageSize(t, 25)
	addUser(t, s.db, "susan")
	addUser(t, s.db, "john")
	addUser(t, s.db, "ana")
	sess := s.db.NewSession()
	var susan models.User
	if err := sess.NewSelect().Model(&susan).Where("username = 'susan'").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, body := range []string{"¡Hola desde el navegador de susan!", "Olá do navegador da susan", "An English post among them"} {
		sess.Add(&models.Post{Body: body, UserID: susan.ID, Timestamp: time.Now().UTC().Add(-time.Duration(i*3+1) * time.Hour)})
	}
	if err := sess.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	dir := artifacts(t)
	for _, width := range []int{1200, 390} {
		t.Run(strconv.Itoa(width), func(t *testing.T) {
			ctx := newChrome(t, 1200, 900)
			base := s.srv.URL
			run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
				t.Helper()
				if err := chromedp.Do(ctx, steps...); err != nil {
					page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
					t.Fatalf("%s: %v\n%s", what, err, page)
				}
			}
			text := func(sel string) string {
				t.Helper()
				return evalJS[string](ctx, t, "read "+sel, `(document.querySelector(`+strconv.Quote(sel)+`) || {innerText: ""}).innerText`)
			}
			inLanguage := func(path, lang string) chromedp.Action[chromedp.Void] {
				return until(`location.pathname === ` + strconv.Quote(path) + ` && document.documentElement.lang === ` + strconv.Quote(lang) + ` && document.readyState === "complete"`)
			}
			// fits checks that the page is no wider than the window: a translation
			// longer than its English text would push it out.
			fits := func(what string) {
				t.Helper()
				if over := evalJS[int](ctx, t, "width", `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
					t.Errorf("%s at %d px: the page is %d px wider than the window", what, width, over)
				}
			}
			save := func(name string) {
				t.Helper()
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil || len(png) < 1000 {
					t.Fatalf("screenshot %s: %v", name, err)
				}
				if width != 1200 {
					name = strings.TrimSuffix(name, ".png") + fmt.Sprintf("-%d.png", width)
				}
				if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
					t.Fatal(err)
				}
			}

			// A visitor picks Spanish in the footer; signing in keeps it.
			run("Español",
				chromedp.EmulateViewport(int64(width), 844), // a window can be no narrower than about 500 px
				chromedp.Navigate(base+"/auth/login"),
				until(`document.readyState === "complete"`),
				chromedp.Click(chromedp.CSS(`footer button[value="es"]`)),
				inLanguage("/auth/login", "es"),
			)
			if body := text("body"); !strings.Contains(body, "Nombre de usuario") || !strings.Contains(body, "¿Usuario Nuevo?") {
				t.Fatalf("login page in Spanish:\n%s", body)
			}
			fits("login es")
			reader := map[int]string{1200: "john", 390: "ana"}[width]
			run("ingresar",
				chromedp.SendKeys(chromedp.CSS("#username"), reader),
				chromedp.SendKeys(chromedp.CSS("#password"), sessionTestPassword),
				chromedp.Click(chromedp.CSS("#page-form button[type=submit]")),
				inLanguage("/index", "es"),
				chromedp.Navigate(base+"/user/susan"),
				inLanguage("/user/susan", "es"),
				chromedp.Click(chromedp.CSS("form[action='/follow/susan'] button")),
				until(`document.readyState === "complete" && document.body.innerText.includes("¡Ahora estás siguiendo a susan!")`),
				chromedp.Navigate(base+"/index"),
				inLanguage("/index", "es"),
			)
			body := text("body")
			want := []string{"¡Hola, " + reader + "!", "Dí algo", "¡Hola desde el navegador de susan!", "dijo", "Más antiguos"}
			if width == 1200 {
				want = append(want, "Inicio", "Explorar") // folded away on a phone
			}
			for _, want := range want {
				if !strings.Contains(body, want) {
					t.Errorf("home in Spanish lacks %q:\n%s", want, body)
				}
			}
			if times := text("main"); !strings.Contains(times, "hace 1 hora") {
				t.Errorf("relative dates not in Spanish:\n%s", times)
			}
			fits("home es")
			save("home-es.png")

			// Then Brazilian Portuguese, from the same footer on susan's profile.
			run("Português",
				chromedp.Navigate(base+"/user/susan"),
				inLanguage("/user/susan", "es"),
				chromedp.Click(chromedp.CSS(`footer button[value="pt_BR"]`)),
				inLanguage("/user/susan", "pt-BR"),
			)
			body = text("body")
			// The second reader makes it two followers; the phone's menu is folded away.
			want = []string{"Usuário: susan", "2 seguidores, seguindo 0.", "Visto por último em:", "Deixar de seguir", "Enviar mensagem privada", "há 1 hora", " de 20"}
			if width == 1200 {
				want = append(want[2:], "Usuário: susan", "1 seguidor, seguindo 0.", "Início", "Mensagens", "Perfil", "Sair")
			}
			for _, want := range want {
				if !strings.Contains(body, want) {
					t.Errorf("profile in Portuguese lacks %q:\n%s", want, body)
				}
			}
			fits("profile pt-BR")
			save("profile-pt.png")
			evalJS[bool](ctx, t, "sair", `document.querySelector("form[action='/auth/logout']").requestSubmit() || true`)
			run("sair", inLanguage("/auth/login", "pt-BR"))
			run("back to English", chromedp.Click(chromedp.CSS(`footer button[value="en"]`)), inLanguage("/auth/login", "en"))
		})
	}
	t.Logf("screenshots in %s", dir)
}
