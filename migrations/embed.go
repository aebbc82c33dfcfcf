// Package migrations holds microblog's migration repository, generated with
// `microblog db migrate` and embedded in the binary so that `microblog run` can bring any
// database up to date wherever it runs.
package migrations

import "embed"

// FS holds versions/*.yaml.
//
//go:embed versions
var FS embed.FS

// Dir is the repository's path, for messages.
const Dir = "migrations"
