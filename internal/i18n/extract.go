package i18n

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/template/parse"
)

// Message is one text marked for translation, found by Extract.
type Message struct {
	ID, Plural string
	// Refs are where it is used: "internal/web/app.go:12".
	Refs []string
}

// markers are the names of the marking calls: T and M take the msgid (after a
// request argument for the App's T), N the singular and plural texts.
var markers = map[string]bool{"T": true, "N": true, "M": true}

// Extract finds the marked texts of the source tree at root: in Go files (not tests),
// calls named T, N or M whose message arguments are string literals or constants of
// the package; in templates (*.html and *.txt under a templates directory), calls of
// the template functions T and N with string arguments. Messages come in the order of
// their first use, files sorted by path.
func Extract(root string) ([]Message, error) {
	var goDirs, tmpls []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go"):
			if dir := filepath.Dir(path); !slices.Contains(goDirs, dir) {
				goDirs = append(goDirs, dir)
			}
		case (strings.HasSuffix(name, ".html") || strings.HasSuffix(name, ".txt")) && strings.Contains(filepath.ToSlash(path), "/templates/"):
			tmpls = append(tmpls, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("i18n: extract: %w", err)
	}
	c := &collector{root: root, index: map[string]int{}}
	for _, dir := range goDirs {
		if err := c.goPackage(dir); err != nil {
			return nil, err
		}
	}
	for _, path := range tmpls {
		if err := c.template(path); err != nil {
			return nil, err
		}
	}
	return c.msgs, nil
}

type collector struct {
	root  string
	msgs  []Message
	index map[string]int // msgid → position in msgs
}

func (c *collector) add(id, plural, path string, line int) {
	rel, err := filepath.Rel(c.root, path)
	if err != nil {
		rel = path
	}
	ref := filepath.ToSlash(rel) + ":" + strconv.Itoa(line)
	if i, ok := c.index[id]; ok {
		c.msgs[i].Refs = append(c.msgs[i].Refs, ref)
		if c.msgs[i].Plural == "" {
			c.msgs[i].Plural = plural
		}
		return
	}
	c.index[id] = len(c.msgs)
	c.msgs = append(c.msgs, Message{ID: id, Plural: plural, Refs: []string{ref}})
}

// goPackage extracts the marked texts of the Go files of one directory.
func (c *collector) goPackage(dir string) error {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("i18n: extract: %w", err)
	}
	var files []*ast.File
	consts := map[string]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("i18n: extract: %w", err)
		}
		files = append(files, f)
		for _, decl := range f.Decls {
			if g, ok := decl.(*ast.GenDecl); ok && g.Tok == token.CONST {
				for _, spec := range g.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, n := range vs.Names {
						if i < len(vs.Values) {
							if s, ok := stringLit(vs.Values[i], nil); ok {
								consts[n.Name] = s
							}
						}
					}
				}
			}
		}
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var name string
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				name = fn.Sel.Name
			}
			if !markers[name] {
				return true
			}
			// The msgid is the first or (after a request) second argument.
			for i := 0; i < 2 && i < len(call.Args); i++ {
				id, ok := stringLit(call.Args[i], consts)
				if !ok {
					continue
				}
				plural := ""
				if name == "N" {
					if i+1 >= len(call.Args) {
						break
					}
					if plural, ok = stringLit(call.Args[i+1], consts); !ok {
						break
					}
				}
				c.add(id, plural, fset.Position(call.Pos()).Filename, fset.Position(call.Pos()).Line)
				break
			}
			return true
		})
	}
	return nil
}

// stringLit is the value of a string literal, or of a constant of consts named by e.
func stringLit(e ast.Expr, consts map[string]string) (string, bool) {
	switch v := e.(type) {
	case *ast.BasicLit:
		if v.Kind == token.STRING {
			s, err := strconv.Unquote(v.Value)
			return s, err == nil
		}
	case *ast.Ident:
		s, ok := consts[v.Name]
		return s, ok
	}
	return "", false
}

// ParseTemplate parses a template file's text into its trees (the file's and those it
// defines), without checking that its functions exist.
func ParseTemplate(name, text string) (map[string]*parse.Tree, error) {
	t := parse.New(name)
	t.Mode = parse.SkipFuncCheck | parse.ParseComments
	trees := map[string]*parse.Tree{}
	if _, err := t.Parse(text, "{{", "}}", trees); err != nil {
		return nil, err
	}
	return trees, nil
}

// template extracts the T and N calls of one template file.
func (c *collector) template(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("i18n: extract: %w", err)
	}
	trees, err := ParseTemplate(path, string(b))
	if err != nil {
		return fmt.Errorf("i18n: extract: %w", err)
	}
	text := string(b)
	names := make([]string, 0, len(trees))
	for n := range trees {
		names = append(names, n)
	}
	slices.Sort(names)
	type found struct {
		pos        parse.Pos
		id, plural string
	}
	var all []found
	for _, n := range names {
		WalkTemplate(trees[n].Root, func(node parse.Node) {
			cmd, ok := node.(*parse.CommandNode)
			if !ok || len(cmd.Args) < 2 {
				return
			}
			fn, ok := cmd.Args[0].(*parse.IdentifierNode)
			if !ok || (fn.Ident != "T" && fn.Ident != "N") {
				return
			}
			id, ok := cmd.Args[1].(*parse.StringNode)
			if !ok {
				return
			}
			f := found{pos: cmd.Pos, id: id.Text}
			if fn.Ident == "N" {
				if len(cmd.Args) < 3 {
					return
				}
				pl, ok := cmd.Args[2].(*parse.StringNode)
				if !ok {
					return
				}
				f.plural = pl.Text
			}
			all = append(all, f)
		})
	}
	slices.SortStableFunc(all, func(a, b found) int { return int(a.pos) - int(b.pos) })
	for _, f := range all {
		c.add(f.id, f.plural, path, 1+strings.Count(text[:f.pos], "\n"))
	}
	return nil
}

// WalkTemplate calls visit on node and every node under it.
func WalkTemplate(node parse.Node, visit func(parse.Node)) {
	if node == nil {
		return
	}
	visit(node)
	switch n := node.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			WalkTemplate(c, visit)
		}
	case *parse.ActionNode:
		WalkTemplate(n.Pipe, visit)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			WalkTemplate(c, visit)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			WalkTemplate(a, visit)
		}
	case *parse.IfNode:
		walkBranch(&n.BranchNode, visit)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, visit)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, visit)
	case *parse.TemplateNode:
		WalkTemplate(n.Pipe, visit)
	}
}

func walkBranch(b *parse.BranchNode, visit func(parse.Node)) {
	WalkTemplate(b.Pipe, visit)
	if b.List != nil {
		WalkTemplate(b.List, visit)
	}
	if b.ElseList != nil {
		WalkTemplate(b.ElseList, visit)
	}
}
