package api

import (
	_ "embed"
	"net/http"
)

// openAPIDocument is the OpenAPI 3.1 description of the API. The contract tests check
// every request and response of the API's test suite against it.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIDocument returns the API's OpenAPI 3.1 description.
func OpenAPIDocument() []byte { return append([]byte(nil), openAPIDocument...) }

// openAPI is GET /api/openapi.json (no authentication: it describes, it discloses nothing).
func (a *API) openAPI(w http.ResponseWriter, r *http.Request) {
	writeTagged(w, r, openAPIDocument, "public, no-cache")
}
