package migrate

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/microblog/microblog/migrate/schema"
)

// opFields lists the keys each op takes in a revision file, required ones first.
var opFields = map[string]struct{ required, optional []string }{
	OpCreateTable:      {[]string{"name", "columns"}, []string{"primary_key", "foreign_keys", "uniques", "checks"}},
	OpDropTable:        {[]string{"name"}, nil},
	OpRenameTable:      {[]string{"name", "new_name"}, nil},
	OpAddColumn:        {[]string{"table", "column"}, []string{"after", "first"}},
	OpDropColumn:       {[]string{"table", "column"}, nil},
	OpAlterColumn:      {[]string{"table", "column"}, []string{"type", "nullable", "default"}},
	OpRenameColumn:     {[]string{"table", "column", "new_name"}, nil},
	OpCreateIndex:      {[]string{"table", "name", "columns"}, []string{"unique", "desc", "where"}},
	OpDropIndex:        {[]string{"table", "name"}, nil},
	OpCreateUnique:     {[]string{"table", "name", "columns"}, nil},
	OpCreateForeignKey: {[]string{"table", "name", "columns", "ref_table", "ref_columns"}, []string{"on_delete", "on_update"}},
	OpCreateCheck:      {[]string{"table", "name", "expr"}, nil},
	OpDropConstraint:   {[]string{"table", "name"}, nil},
	OpExecute:          {nil, []string{"sql", "sqlite", "postgres", "mysql"}},
	OpRequire:          {[]string{"message"}, []string{"fix", "tables", "sql", "sqlite", "postgres", "mysql"}},
}

func knownOps() string {
	var names []string
	for k := range opFields {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// decoder turns the YAML nodes of one revision file into ops, failing at the first
// problem with the file, line and what was expected.
type decoder struct{ path string }

func (d decoder) fail(n *yaml.Node, format string, args ...any) error {
	return &fileError{path: d.path, line: n.Line, msg: fmt.Sprintf(format, args...)}
}

func parseOps(path string, n *yaml.Node) ([]*Op, error) {
	d := decoder{path: path}
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!null" || n.Value == "") {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, d.fail(n, "want a list of operations")
	}
	var ops []*Op
	for _, item := range n.Content {
		op, err := d.op(item)
		if err != nil {
			return nil, err
		}
		if op.Kind == OpRequire && len(ops) > 0 && ops[len(ops)-1].Kind != OpRequire {
			return nil, d.fail(item, "require must come before the revision's other operations: it is checked before any of them runs")
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// fields checks a mapping's keys against the op's and returns them by name.
func (d decoder) fields(kind string, n *yaml.Node) (map[string]*yaml.Node, error) {
	spec := opFields[kind]
	if n.Kind != yaml.MappingNode {
		return nil, d.fail(n, "%s: want a mapping with %s", kind, strings.Join(append(slices.Clone(spec.required), spec.optional...), ", "))
	}
	out := map[string]*yaml.Node{}
	for i := 0; i < len(n.Content); i += 2 {
		k := n.Content[i]
		if !hasKey(spec.required, k.Value) && !hasKey(spec.optional, k.Value) {
			return nil, d.fail(k, "%s: unknown field %q (want %s)", kind, k.Value, strings.Join(append(slices.Clone(spec.required), spec.optional...), ", "))
		}
		out[k.Value] = n.Content[i+1]
	}
	for _, r := range spec.required {
		if out[r] == nil {
			return nil, d.fail(n, "%s: missing field %q", kind, r)
		}
	}
	return out, nil
}

func (d decoder) op(n *yaml.Node) (*Op, error) {
	if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		return nil, d.fail(n, "want one operation as `- kind: {fields}` (kinds: %s)", knownOps())
	}
	kind := n.Content[0].Value
	if _, ok := opFields[kind]; !ok {
		return nil, d.fail(n.Content[0], "unknown operation %q (want one of %s)", kind, knownOps())
	}
	f, err := d.fields(kind, n.Content[1])
	if err != nil {
		return nil, err
	}
	op := &Op{Kind: kind, Line: n.Line}
	str := func(key string) string {
		if v := f[key]; v != nil {
			return v.Value
		}
		return ""
	}
	list := func(key string) ([]string, error) {
		v := f[key]
		if v == nil {
			return nil, nil
		}
		l, err := stringList(v)
		if err != nil || len(l) == 0 {
			return nil, d.fail(v, "%s: %s: want a non-empty list of column names", kind, key)
		}
		return l, nil
	}
	switch kind {
	case OpCreateTable:
		op.Def, err = d.table(f)
	case OpDropTable:
		op.Name = str("name")
	case OpRenameTable:
		op.Name, op.NewName = str("name"), str("new_name")
	case OpAddColumn:
		op.Table = str("table")
		op.Column, err = d.column(f["column"])
		op.After = str("after")
		if v := f["first"]; v != nil && err == nil {
			op.First, err = d.boolean(v, "first")
		}
	case OpDropColumn:
		op.Table, op.ColName = str("table"), str("column")
	case OpRenameColumn:
		op.Table, op.ColName, op.NewName = str("table"), str("column"), str("new_name")
	case OpAlterColumn:
		op.Table, op.ColName = str("table"), str("column")
		if v := f["type"]; v != nil {
			t, perr := schema.ParseType(v.Value)
			if perr != nil {
				return nil, d.fail(v, "alter_column: %v", perr)
			}
			op.Type = &t
		}
		if v := f["nullable"]; v != nil {
			b, berr := d.boolean(v, "alter_column: nullable")
			if berr != nil {
				return nil, berr
			}
			op.Nullable = &b
		}
		if v := f["default"]; v != nil {
			op.DefaultSet = true
			if v.Tag != "!!null" {
				s := v.Value
				op.Default = &s
			}
		}
		if op.Type == nil && op.Nullable == nil && !op.DefaultSet {
			return nil, d.fail(n, "alter_column: nothing to change (give type, nullable or default)")
		}
	case OpCreateIndex:
		op.Table, op.Name = str("table"), str("name")
		op.Columns, err = list("columns")
		if v := f["unique"]; v != nil && err == nil {
			op.Unique, err = d.boolean(v, "create_index: unique")
		}
		if f["desc"] != nil && err == nil {
			op.Desc, err = list("desc")
		}
		op.Where = str("where")
	case OpDropIndex, OpDropConstraint:
		op.Table, op.Name = str("table"), str("name")
	case OpCreateUnique:
		op.Table, op.Name = str("table"), str("name")
		op.Columns, err = list("columns")
	case OpCreateForeignKey:
		op.Table = str("table")
		op.FK = &schema.ForeignKey{Name: str("name"), RefTable: str("ref_table"), OnDelete: strings.ToUpper(str("on_delete")), OnUpdate: strings.ToUpper(str("on_update"))}
		if op.FK.Columns, err = list("columns"); err == nil {
			op.FK.RefColumns, err = list("ref_columns")
		}
	case OpCreateCheck:
		op.Table = str("table")
		op.Check = &schema.Check{Name: str("name"), Expr: str("expr")}
	case OpExecute, OpRequire:
		op.SQL = str("sql")
		for _, dl := range []string{"sqlite", "postgres", "mysql"} {
			if v := f[dl]; v != nil {
				if op.SQLFor == nil {
					op.SQLFor = map[string]string{}
				}
				op.SQLFor[dl] = v.Value
			}
		}
		if op.SQL == "" && op.SQLFor == nil {
			return nil, d.fail(n, "%s: give sql (for every database) or sqlite/postgres/mysql", kind)
		}
		if kind == OpRequire {
			op.Message, op.Fix = str("message"), str("fix")
			if strings.TrimSpace(op.Message) == "" {
				return nil, d.fail(n, "require: message must say what the rows the query finds are")
			}
			if f["tables"] != nil {
				op.Tables, err = stringList(f["tables"])
				if err != nil || len(op.Tables) == 0 {
					return nil, d.fail(f["tables"], "require: tables: want a non-empty list of table names")
				}
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return op, nil
}

func (d decoder) boolean(v *yaml.Node, what string) (bool, error) {
	switch v.Value {
	case "true", "True", "yes":
		return true, nil
	case "false", "False", "no":
		return false, nil
	}
	return false, d.fail(v, "%s: want true or false, got %q", what, v.Value)
}

var columnKeys = []string{"name", "type", "nullable", "default", "autoincrement"}

func (d decoder) column(n *yaml.Node) (*schema.Column, error) {
	if n.Kind != yaml.MappingNode {
		return nil, d.fail(n, "column: want a mapping with %s", strings.Join(columnKeys, ", "))
	}
	c := &schema.Column{Nullable: true}
	var haveName, haveType bool
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "name":
			c.Name, haveName = v.Value, v.Value != ""
		case "type":
			t, err := schema.ParseType(v.Value)
			if err != nil {
				return nil, d.fail(v, "column %q: %v", c.Name, err)
			}
			c.Type, haveType = t, true
		case "nullable":
			b, err := d.boolean(v, "column nullable")
			if err != nil {
				return nil, err
			}
			c.Nullable = b
		case "autoincrement":
			b, err := d.boolean(v, "column autoincrement")
			if err != nil {
				return nil, err
			}
			c.AutoIncrement = b
		case "default":
			if v.Tag != "!!null" {
				s := v.Value
				c.Default = &s
			}
		default:
			return nil, d.fail(k, "column: unknown field %q (want %s)", k.Value, strings.Join(columnKeys, ", "))
		}
	}
	if !haveName || !haveType {
		return nil, d.fail(n, "column: name and type are required")
	}
	return c, nil
}

func (d decoder) table(f map[string]*yaml.Node) (*schema.Table, error) {
	t := &schema.Table{Name: f["name"].Value}
	cols := f["columns"]
	if cols.Kind != yaml.SequenceNode || len(cols.Content) == 0 {
		return nil, d.fail(cols, "create_table %q: columns: want a list of columns", t.Name)
	}
	for _, cn := range cols.Content {
		c, err := d.column(cn)
		if err != nil {
			return nil, err
		}
		t.Columns = append(t.Columns, c)
	}
	named := func(n *yaml.Node, what string, extra ...string) (map[string]*yaml.Node, error) {
		if n.Kind != yaml.MappingNode {
			return nil, d.fail(n, "create_table %q: %s: want a mapping", t.Name, what)
		}
		out := map[string]*yaml.Node{}
		for i := 0; i < len(n.Content); i += 2 {
			k := n.Content[i]
			if !hasKey(append([]string{"name", "columns"}, extra...), k.Value) {
				return nil, d.fail(k, "create_table %q: %s: unknown field %q", t.Name, what, k.Value)
			}
			out[k.Value] = n.Content[i+1]
		}
		if out["name"] == nil || out["name"].Value == "" {
			return nil, d.fail(n, "create_table %q: %s: a name is required", t.Name, what)
		}
		if what != "check" && out["columns"] == nil {
			return nil, d.fail(n, "create_table %q: %s %q: columns are required", t.Name, what, out["name"].Value)
		}
		return out, nil
	}
	cl := func(n *yaml.Node) ([]string, error) {
		l, err := stringList(n)
		if err != nil || len(l) == 0 {
			return nil, d.fail(n, "create_table %q: want a non-empty list of column names", t.Name)
		}
		return l, nil
	}
	if pk := f["primary_key"]; pk != nil {
		m, err := named(pk, "primary_key")
		if err != nil {
			return nil, err
		}
		cols, err := cl(m["columns"])
		if err != nil {
			return nil, err
		}
		t.PrimaryKey = &schema.PrimaryKey{Name: m["name"].Value, Columns: cols}
	}
	each := func(key string, fn func(*yaml.Node) error) error {
		n := f[key]
		if n == nil {
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			return d.fail(n, "create_table %q: %s: want a list", t.Name, key)
		}
		for _, c := range n.Content {
			if err := fn(c); err != nil {
				return err
			}
		}
		return nil
	}
	err := each("uniques", func(n *yaml.Node) error {
		m, err := named(n, "unique")
		if err != nil {
			return err
		}
		cols, err := cl(m["columns"])
		t.Uniques = append(t.Uniques, &schema.Unique{Name: m["name"].Value, Columns: cols})
		return err
	})
	if err == nil {
		err = each("foreign_keys", func(n *yaml.Node) error {
			m, err := named(n, "foreign key", "ref_table", "ref_columns", "on_delete", "on_update")
			if err != nil {
				return err
			}
			fk := &schema.ForeignKey{Name: m["name"].Value}
			if m["ref_table"] == nil || m["ref_columns"] == nil {
				return d.fail(n, "create_table %q: foreign key %q: ref_table and ref_columns are required", t.Name, fk.Name)
			}
			fk.RefTable = m["ref_table"].Value
			if fk.Columns, err = cl(m["columns"]); err != nil {
				return err
			}
			if fk.RefColumns, err = cl(m["ref_columns"]); err != nil {
				return err
			}
			if v := m["on_delete"]; v != nil {
				fk.OnDelete = strings.ToUpper(v.Value)
			}
			if v := m["on_update"]; v != nil {
				fk.OnUpdate = strings.ToUpper(v.Value)
			}
			t.ForeignKeys = append(t.ForeignKeys, fk)
			return nil
		})
	}
	if err == nil {
		err = each("checks", func(n *yaml.Node) error {
			m, err := named(n, "check", "expr")
			if err != nil {
				return err
			}
			if m["expr"] == nil {
				return d.fail(n, "create_table %q: check %q: expr is required", t.Name, m["name"].Value)
			}
			t.Checks = append(t.Checks, &schema.Check{Name: m["name"].Value, Expr: m["expr"].Value})
			return nil
		})
	}
	return t, err
}

// opNode renders an op for a revision file.
func opNode(op *Op) *yaml.Node {
	m := mapping()
	switch op.Kind {
	case OpCreateTable:
		t := op.Def
		add(m, "name", scalar(t.Name))
		cols := sequence(false)
		for _, c := range t.Columns {
			cols.Content = append(cols.Content, columnNode(c))
		}
		add(m, "columns", cols)
		if t.PrimaryKey != nil {
			pk := mapping()
			pk.Style = yaml.FlowStyle
			add(pk, "name", scalar(t.PrimaryKey.Name))
			add(pk, "columns", strs(t.PrimaryKey.Columns))
			add(m, "primary_key", pk)
		}
		if len(t.ForeignKeys) > 0 {
			l := sequence(false)
			for _, fk := range t.ForeignKeys {
				l.Content = append(l.Content, fkNode(fk, false))
			}
			add(m, "foreign_keys", l)
		}
		if len(t.Uniques) > 0 {
			l := sequence(false)
			for _, u := range t.Uniques {
				un := mapping()
				un.Style = yaml.FlowStyle
				add(un, "name", scalar(u.Name))
				add(un, "columns", strs(u.Columns))
				l.Content = append(l.Content, un)
			}
			add(m, "uniques", l)
		}
		if len(t.Checks) > 0 {
			l := sequence(false)
			for _, c := range t.Checks {
				cn := mapping()
				cn.Style = yaml.FlowStyle
				add(cn, "name", scalar(c.Name))
				add(cn, "expr", quoted(c.Expr))
				l.Content = append(l.Content, cn)
			}
			add(m, "checks", l)
		}
	case OpDropTable:
		add(m, "name", scalar(op.Name))
	case OpRenameTable:
		add(m, "name", scalar(op.Name))
		add(m, "new_name", scalar(op.NewName))
	case OpAddColumn:
		add(m, "table", scalar(op.Table))
		add(m, "column", columnNode(op.Column))
		if op.After != "" {
			add(m, "after", scalar(op.After))
		}
		if op.First {
			add(m, "first", boolNode(true))
		}
	case OpDropColumn:
		add(m, "table", scalar(op.Table))
		add(m, "column", scalar(op.ColName))
	case OpRenameColumn:
		add(m, "table", scalar(op.Table))
		add(m, "column", scalar(op.ColName))
		add(m, "new_name", scalar(op.NewName))
	case OpAlterColumn:
		add(m, "table", scalar(op.Table))
		add(m, "column", scalar(op.ColName))
		if op.Type != nil {
			add(m, "type", scalar(op.Type.Spec()))
		}
		if op.Nullable != nil {
			add(m, "nullable", boolNode(*op.Nullable))
		}
		if op.DefaultSet {
			if op.Default == nil {
				add(m, "default", nullNode())
			} else {
				add(m, "default", quoted(*op.Default))
			}
		}
	case OpCreateIndex:
		add(m, "table", scalar(op.Table))
		add(m, "name", scalar(op.Name))
		add(m, "columns", strs(op.Columns))
		add(m, "unique", boolNode(op.Unique))
		if len(op.Desc) > 0 {
			add(m, "desc", strs(op.Desc))
		}
		if op.Where != "" {
			add(m, "where", quoted(op.Where))
		}
	case OpDropIndex, OpDropConstraint:
		add(m, "table", scalar(op.Table))
		add(m, "name", scalar(op.Name))
	case OpCreateUnique:
		add(m, "table", scalar(op.Table))
		add(m, "name", scalar(op.Name))
		add(m, "columns", strs(op.Columns))
	case OpCreateForeignKey:
		m = fkNode(op.FK, true)
		m.Content = append([]*yaml.Node{scalar("table"), scalar(op.Table)}, m.Content...)
	case OpCreateCheck:
		add(m, "table", scalar(op.Table))
		add(m, "name", scalar(op.Check.Name))
		add(m, "expr", quoted(op.Check.Expr))
	case OpExecute, OpRequire:
		if op.Kind == OpRequire {
			add(m, "message", quoted(op.Message))
			if op.Fix != "" {
				add(m, "fix", quoted(op.Fix))
			}
			if len(op.Tables) > 0 {
				add(m, "tables", strs(op.Tables))
			}
		}
		if op.SQL != "" {
			add(m, "sql", literal(op.SQL))
		}
		for _, dl := range []string{"sqlite", "postgres", "mysql"} {
			if s, ok := op.SQLFor[dl]; ok {
				add(m, dl, literal(s))
			}
		}
	}
	if len(m.Content) <= 8 && op.Kind != OpCreateTable && op.Kind != OpAddColumn && op.Kind != OpExecute && op.Kind != OpRequire {
		m.Style = yaml.FlowStyle
	}
	out := mapping()
	add(out, op.Kind, m)
	return out
}

func fkNode(fk *schema.ForeignKey, block bool) *yaml.Node {
	n := mapping()
	if !block {
		n.Style = yaml.FlowStyle
	}
	add(n, "name", scalar(fk.Name))
	add(n, "columns", strs(fk.Columns))
	add(n, "ref_table", scalar(fk.RefTable))
	add(n, "ref_columns", strs(fk.RefColumns))
	if fk.OnDelete != "" {
		add(n, "on_delete", scalar(fk.OnDelete))
	}
	if fk.OnUpdate != "" {
		add(n, "on_update", scalar(fk.OnUpdate))
	}
	return n
}

func columnNode(c *schema.Column) *yaml.Node {
	n := mapping()
	n.Style = yaml.FlowStyle
	add(n, "name", scalar(c.Name))
	add(n, "type", scalar(c.Type.Spec()))
	add(n, "nullable", boolNode(c.Nullable))
	if c.Default != nil {
		add(n, "default", quoted(*c.Default))
	}
	if c.AutoIncrement {
		add(n, "autoincrement", boolNode(true))
	}
	return n
}

func quoted(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
}

func literal(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if strings.Contains(s, "\n") {
		n.Style = yaml.LiteralStyle
	}
	return n
}
