package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/microblog/microblog/internal/api"
	"github.com/microblog/microblog/internal/config"
	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
	"github.com/microblog/microblog/internal/web"
)

// apiSite is the whole application on a real HTTP server over a migrated database, with
// a client that checks every API request and response against the OpenAPI document.
type apiSite struct {
	t        *testing.T
	srv      *httptest.Server
	db       *database.DB
	contract *contract
}

func newAPISite(t *testing.T, dialect string, limits api.Limits) *apiSite {
	t.Helper()
	db := testdb.Migrated(t, dialect)
	cfg, err := config.Load(func(string) (string, bool) { return "", false }, "")
	if err != nil {
		t.Fatal(err)
	}
	app, err := web.New(db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), testdb.Queue(t, db))
	if err != nil {
		t.Fatal(err)
	}
	app.KeepPasswordPages() // see newSiteWithPageSize
	if err := web.SetAPILimits(app, limits); err != nil {
		t.Fatal(err)
	}
	return &apiSite{t: t, srv: newServer(t, app), db: db, contract: loadContract(t)}
}

// apiReq is one request to the API.
type apiReq struct {
	method, path string
	body         string
	contentType  string // "application/json" when body is set and this is empty
	header       http.Header
	basicUser    string
	basicPass    string
	token        string
	// outside marks a request deliberately outside the document that the API tolerates
	// (a page that is not an integer): its answer may be a success.
	outside bool
}

// apiResp is an answer, its body read.
type apiResp struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into a generic value.
func (r apiResp) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	return v
}

func (s *apiSite) do(q apiReq) apiResp {
	t := s.t
	t.Helper()
	var body io.Reader
	if q.body != "" {
		body = strings.NewReader(q.body)
		if q.contentType == "" {
			q.contentType = "application/json"
		}
	}
	req, err := http.NewRequest(q.method, s.srv.URL+q.path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range q.header {
		req.Header[k] = vs
	}
	if q.contentType != "" {
		req.Header.Set("Content-Type", q.contentType)
	}
	if q.basicUser != "" || q.basicPass != "" {
		req.SetBasicAuth(q.basicUser, q.basicPass)
	}
	if q.token != "" {
		req.Header.Set("Authorization", "Bearer "+q.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := apiResp{status: res.StatusCode, header: res.Header, body: b}
	s.contract.check(t, req, []byte(q.body), out, q.outside)
	return out
}

// get is a GET with a token.
func (s *apiSite) get(path, token string) apiResp {
	s.t.Helper()
	return s.do(apiReq{method: "GET", path: path, token: token})
}

// expectError checks an error answer: status, the JSON body with the reason phrase and,
// when message is not empty, the message.
func expectError(t *testing.T, what string, r apiResp, status int, message string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d; body %s", what, r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s: Content-Type %q, want application/json; body %s", what, ct, r.body)
	}
	var e struct{ Error, Message string }
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("%s: body %q: %v", what, r.body, err)
	}
	if e.Error != http.StatusText(status) {
		t.Errorf("%s: error %q, want %q", what, e.Error, http.StatusText(status))
	}
	if message != "" && !strings.Contains(e.Message, message) {
		t.Errorf("%s: message %q, want it to contain %q", what, e.Message, message)
	}
}

// addAPIUser stores an account with password apiPassword.
func addAPIUser(t *testing.T, db *database.DB, name string) *models.User {
	t.Helper()
	u := &models.User{Username: name, Email: name + "@example.com"}
	if err := u.SetPassword(apiPassword); err != nil {
		t.Fatal(err)
	}
	addUsers(t, db, u)
	return u
}

// addUsers stores accounts as they are (no password unless set).
func addUsers(t *testing.T, db *database.DB, users ...*models.User) {
	t.Helper()
	s := db.NewSession()
	defer s.Close()
	for _, u := range users {
		s.Add(u)
	}
	if err := s.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

const apiPassword = "correct horse battery staple"

// tokenOf gets a new token for name.
func (s *apiSite) tokenOf(name string) string {
	s.t.Helper()
	r := s.do(apiReq{method: "POST", path: "/api/tokens", basicUser: name, basicPass: apiPassword})
	if r.status != http.StatusOK {
		s.t.Fatalf("token for %s: %d %s", name, r.status, r.body)
	}
	return r.json(s.t)["token"].(string)
}

// contract checks requests and answers against the OpenAPI document with kin-openapi.
type contract struct {
	doc    *openapi3.T
	router routers.Router
}

var registerHTML sync.Once

func loadContract(t *testing.T) *contract {
	t.Helper()
	ctx := context.Background()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPIDocument())
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi.json is OpenAPI %s, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	// The 404 and 500 pages for browsers are HTML; the validator reads them as text.
	registerHTML.Do(func() {
		openapi3filter.RegisterBodyDecoder("text/html", func(r io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
			b, err := io.ReadAll(r)
			return string(b), err
		})
	})
	return &contract{doc: doc, router: router}
}

// check validates one exchange. A request outside every documented operation (an
// unknown path, a method the path does not serve, an id that is not an integer) must
// be answered 404 or 405 with the JSON error (or the HTML 404 for browsers). A request
// the document calls invalid must not succeed, unless outside says the API tolerates
// it. Every answer to a documented operation must be one the document lists for it,
// headers and body included.
func (c *contract) check(t *testing.T, req *http.Request, body []byte, res apiResp, outside bool) {
	t.Helper()
	ctx := context.Background()
	vreq := req.Clone(ctx)
	vreq.Body = io.NopCloser(bytes.NewReader(body))
	if vreq.Method == http.MethodHead {
		vreq.Method = http.MethodGet
	}
	route, params, err := c.router.FindRoute(vreq)
	if err != nil {
		if res.status != http.StatusNotFound && res.status != http.StatusMethodNotAllowed {
			t.Errorf("contract: %s %s is in no operation of the document but got %d", req.Method, req.URL.Path, res.status)
		}
		if strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
			schema := c.doc.Components.Schemas["Error"].Value
			var v any
			if err := json.Unmarshal(res.body, &v); err != nil || schema.VisitJSON(v, openapi3.EnableJSONSchema2020()) != nil {
				t.Errorf("contract: %s %s: error body %s is not an Error", req.Method, req.URL.Path, res.body)
			}
		}
		return
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil && res.status < 400 && !outside {
		t.Errorf("contract: %s %s is invalid by the document (%v) but got %d", req.Method, req.URL.Path, err, res.status)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.status, Header: res.header,
		Body: io.NopCloser(bytes.NewReader(res.body)), Options: opts}
	if req.Method == http.MethodHead {
		return // no body to check
	}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		t.Errorf("contract: %s %s → %d %s: the answer does not match the document: %v", req.Method, req.URL.Path, res.status, res.body, err)
	}
}
