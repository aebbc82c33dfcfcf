package migrate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"time"

	"go.yaml.in/yaml/v3"
)

// Revision is one revision file: its place in the graph and its operations.
type Revision struct {
	ID   string
	Down []string // parent revisions; none for the first, several for a merge
	// DependsOn names revisions (of other branches) that must be applied before this one,
	// without merging their branch into this one.
	DependsOn []string
	// BranchLabels name the branch this revision starts or belongs to ("label@head").
	BranchLabels []string
	// Squashes lists, oldest first, the linear run of revisions this one replaces for new
	// databases (db squash). A squash is a shortcut, not a node of the graph: applying it
	// records the last replaced revision as current.
	Squashes []string
	// NonTransactional runs the revision outside a transaction (transactional: false in
	// the file), for statements such as PostgreSQL's CREATE INDEX CONCURRENTLY.
	NonTransactional bool
	// Unmanaged names the objects this revision's execute SQL makes that the engine does
	// not model (a full-text table and its shadow tables, a generated column, a special
	// index): see Unmanaged.
	Unmanaged  []string
	Message    string
	CreateDate time.Time
	Upgrade    []*Op
	Downgrade  []*Op

	Path     string // file it was read from
	Checksum string // sha256 of the file's bytes
}

var revisionID = regexp.MustCompile(`^[0-9a-z_]{1,32}$`)

// ValidRevisionID reports whether id can be a revision id: lower-case letters, digits
// and _, at most 32 of them.
func ValidRevisionID(id string) bool { return revisionID.MatchString(id) }

// fileError is a problem in a revision file, located by line.
type fileError struct {
	path string
	line int
	msg  string
	err  error // the cause msg quotes, if any (errors.Is and errors.As see through)
}

func (e *fileError) Unwrap() error { return e.err }

func (e *fileError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.path, e.line, e.msg)
	}
	return fmt.Sprintf("%s: %s", e.path, e.msg)
}

// ParseRevision reads a revision file. Errors name the file and line and say what was
// expected there.
func ParseRevision(path string, data []byte) (*Revision, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(path, err)
	}
	fail := func(n *yaml.Node, format string, args ...any) error {
		line := 0
		if n != nil {
			line = n.Line
		}
		return &fileError{path: path, line: line, msg: fmt.Sprintf(format, args...)}
	}
	if len(doc.Content) == 0 {
		return nil, fail(nil, "empty file: want a mapping with revision, down_revision, message, upgrade and downgrade")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fail(root, "want a mapping with revision, down_revision, message, upgrade and downgrade")
	}
	r := &Revision{Path: path}
	sum := sha256.Sum256(data)
	r.Checksum = hex.EncodeToString(sum[:])
	seen := map[string]bool{}
	for i := 0; i < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			return nil, fail(k, "%s given twice", k.Value)
		}
		seen[k.Value] = true
		switch k.Value {
		case "revision":
			if v.Kind != yaml.ScalarNode || !revisionID.MatchString(v.Value) {
				return nil, fail(v, "revision: want an id of lower-case letters, digits and _, e.g. e517276bb1c2; got %q", v.Value)
			}
			r.ID = v.Value
		case "down_revision":
			down, err := stringList(v)
			if err != nil {
				return nil, fail(v, "down_revision: %v", err)
			}
			r.Down = down
		case "unmanaged":
			l, err := stringList(v)
			if err != nil {
				return nil, fail(v, "unmanaged: %v", err)
			}
			if err := checkUnmanaged(l); err != nil {
				return nil, fail(v, "unmanaged: %v", err)
			}
			r.Unmanaged = l
		case "depends_on", "branch_labels", "squashes":
			l, err := stringList(v)
			if err != nil {
				return nil, fail(v, "%s: %v", k.Value, err)
			}
			switch k.Value {
			case "depends_on":
				r.DependsOn = l
			case "branch_labels":
				r.BranchLabels = l
			default:
				r.Squashes = l
			}
		case "transactional":
			switch v.Value {
			case "true":
			case "false":
				r.NonTransactional = true
			default:
				return nil, fail(v, "transactional: want true or false, got %q", v.Value)
			}
		case "message":
			r.Message = v.Value
		case "create_date":
			t, err := time.Parse("2006-01-02 15:04:05.999999", v.Value)
			if err != nil {
				return nil, fail(v, "create_date: want YYYY-MM-DD HH:MM:SS[.ffffff], got %q", v.Value)
			}
			r.CreateDate = t
		case "upgrade", "downgrade":
			ops, err := parseOps(path, v)
			if err != nil {
				return nil, err
			}
			if k.Value == "upgrade" {
				r.Upgrade = ops
			} else {
				r.Downgrade = ops
			}
		default:
			return nil, fail(k, "unknown key %q (want revision, down_revision, depends_on, branch_labels, squashes, transactional, unmanaged, message, create_date, upgrade, downgrade)", k.Value)
		}
	}
	for _, key := range []string{"revision", "down_revision", "upgrade", "downgrade"} {
		if !seen[key] {
			return nil, fail(root, "missing %q (down_revision: null marks the first revision)", key)
		}
	}
	return r, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlParserProblems are the problems yaml.v3's parser (not its scanner) reports: for
// those it gives the line of the construct the problem is in counting from 0, not 1.
var yamlParserProblems = []string{"did not find expected ", "found duplicate %", "found incompatible YAML document", "found undefined tag handle"}

func yamlError(path string, err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		var line int
		fmt.Sscan(m[1], &line)
		if slices.ContainsFunc(yamlParserProblems, func(p string) bool { return strings.HasPrefix(m[2], p) }) {
			line++
		}
		return &fileError{path: path, line: line, msg: "YAML syntax: " + m[2]}
	}
	return &fileError{path: path, msg: "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")}
}

func stringList(n *yaml.Node) ([]string, error) {
	switch {
	case n.Kind == yaml.ScalarNode && (n.Tag == "!!null" || n.Value == ""):
		return nil, nil
	case n.Kind == yaml.ScalarNode:
		return []string{n.Value}, nil
	case n.Kind == yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("want a list of names")
			}
			out = append(out, c.Value)
		}
		return out, nil
	}
	return nil, fmt.Errorf("want null, a name or a list of names")
}

// DefaultTemplate is the template new revision files are rendered from; `db init` writes
// it to the repository as script.yaml.tmpl, where it can be edited.
const DefaultTemplate = `# {{.Message}}
#
# Revision ID: {{.ID}}
# Revises: {{.Revises}}
# Create Date: {{.CreateDate}}
#
# Operations are dialect-neutral: the same file runs on SQLite, PostgreSQL and
# MySQL/MariaDB. Edit freely before upgrading; see docs/migrations.md for every operation.
{{.Body}}`

// Marshal renders the revision file with tmpl (DefaultTemplate when empty).
func (r *Revision) Marshal(tmpl string) ([]byte, error) {
	if tmpl == "" {
		tmpl = DefaultTemplate
	}
	root := mapping()
	var down *yaml.Node
	switch len(r.Down) {
	case 0:
		down = nullNode()
	case 1:
		down = scalar(r.Down[0])
	default:
		down = sequence(true)
		for _, d := range r.Down {
			down.Content = append(down.Content, scalar(d))
		}
	}
	add(root, "revision", scalar(r.ID))
	add(root, "down_revision", down)
	if len(r.DependsOn) > 0 {
		add(root, "depends_on", strs(r.DependsOn))
	}
	if len(r.BranchLabels) > 0 {
		add(root, "branch_labels", strs(r.BranchLabels))
	}
	if len(r.Squashes) > 0 {
		add(root, "squashes", strs(r.Squashes))
	}
	if r.NonTransactional {
		add(root, "transactional", boolNode(false))
	}
	if len(r.Unmanaged) > 0 {
		add(root, "unmanaged", strs(r.Unmanaged))
	}
	add(root, "message", quoted(r.Message))
	add(root, "create_date", scalar(r.CreateDate.Format("2006-01-02 15:04:05.000000")))
	for _, part := range []struct {
		key string
		ops []*Op
	}{{"upgrade", r.Upgrade}, {"downgrade", r.Downgrade}} {
		seq := sequence(false)
		if len(part.ops) == 0 {
			seq.Style = yaml.FlowStyle
		}
		for _, op := range part.ops {
			seq.Content = append(seq.Content, opNode(op))
		}
		add(root, part.key, seq)
	}
	var body strings.Builder
	enc := yaml.NewEncoder(&body)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return nil, fmt.Errorf("migrate: render revision %s: %w", r.ID, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("migrate: render revision %s: %w", r.ID, err)
	}
	t, err := template.New("revision").Parse(tmpl)
	if err != nil {
		return nil, fmt.Errorf("migrate: revision template: %w", err)
	}
	var out bytes.Buffer
	err = t.Execute(&out, map[string]string{
		"Message": strings.ReplaceAll(r.Message, "\n", " "), "ID": r.ID, "Revises": strings.Join(r.Down, ", "),
		"CreateDate": r.CreateDate.Format("2006-01-02 15:04:05.000000"), "Body": body.String(),
	})
	if err != nil {
		return nil, fmt.Errorf("migrate: revision template: %w", err)
	}
	return out.Bytes(), nil
}

// Slug makes the file-name part of a message as Alembic does: lower case,
// non-alphanumerics collapsed to _, cut on a word boundary near 40 characters.
func Slug(message string) string {
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(message), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		words = append(words, w)
	}
	out := ""
	for _, w := range words {
		next := out
		if next != "" {
			next += "_"
		}
		next += w
		if len(next) > 40 && out != "" {
			break
		}
		out = next
	}
	return out
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

func sequence(flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }

func add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, scalar(key), v)
}

func strs(list []string) *yaml.Node {
	s := sequence(true)
	for _, v := range list {
		s.Content = append(s.Content, scalar(v))
	}
	return s
}

func boolNode(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(b)}
}

func nullNode() *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"} }

func hasKey(allowed []string, k string) bool { return slices.Contains(allowed, k) }
