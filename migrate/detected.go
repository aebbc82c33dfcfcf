package migrate

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/microblog/microblog/migrate/schema"
)

// The "Detected …" lines of autogenerate copy Alembic's wording and order
// (alembic/autogenerate/compare.py): added tables with their indexes, then removed
// tables each preceded by its indexes, then the changed tables by name; within a
// changed table, added columns, then each changed column (NULL/NOT NULL, type, server
// default), then removed and added indexes and unique constraints by name, then foreign
// keys, then removed columns. Check constraints, which Alembic does not compare, come
// after the foreign keys. The operations keep their own order, which the databases
// need (drops before creates).

type lineGroup int

const (
	colAddedLine lineGroup = iota
	colChangedLine
	ixRemovedLine
	ixAddedLine
	fkRemovedLine
	fkAddedLine
	checkLine
	colRemovedLine
	lineGroups
)

type namedLine struct{ name, text string }

// tableLines gathers one changed table's Detected lines by group.
type tableLines struct {
	groups [lineGroups][]namedLine
	// A column's type and default lines wait for its nullability line (Alembic's order).
	typeChange, defaultChange string
}

func (l *tableLines) say(g lineGroup, format string, args ...any) {
	l.groups[g] = append(l.groups[g], namedLine{text: fmt.Sprintf(format, args...)})
}

// named adds a line sorted by name within its group (Alembic sorts indexes and unique
// constraints together by name).
func (l *tableLines) named(g lineGroup, name, format string, args ...any) {
	l.groups[g] = append(l.groups[g], namedLine{name: name, text: fmt.Sprintf(format, args...)})
}

func (l *tableLines) endColumn() {
	for _, s := range []string{l.typeChange, l.defaultChange} {
		if s != "" {
			l.groups[colChangedLine] = append(l.groups[colChangedLine], namedLine{text: s})
		}
	}
	l.typeChange, l.defaultChange = "", ""
}

func (l *tableLines) ordered() []string {
	var out []string
	for g, lines := range l.groups {
		if g == int(ixRemovedLine) || g == int(ixAddedLine) {
			lines = slices.Clone(lines)
			slices.SortStableFunc(lines, func(a, b namedLine) int { return cmp.Compare(a.name, b.name) })
		}
		for _, n := range lines {
			out = append(out, n.text)
		}
	}
	return out
}

// removedTableLines is what Alembic says for a dropped table: its indexes, then the table.
func removedTableLines(t *schema.Table) []string {
	var out []string
	for _, ix := range sortedIndexes(t.Indexes) {
		out = append(out, fmt.Sprintf("Detected removed index '%s' on '%s'", ix.Name, t.Name))
	}
	return append(out, fmt.Sprintf("Detected removed table '%s'", t.Name))
}

// modelType renders a type the way SQLAlchemy prints the model's generic type, the
// second half of Alembic's "Detected type change from VARCHAR(length=140) to
// String(length=280)" (the first half, the database's type, is schema.Type.String).
func modelType(t schema.Type) string {
	switch t.Kind {
	case schema.String:
		return fmt.Sprintf("String(length=%d)", t.Length)
	case schema.Numeric:
		return fmt.Sprintf("Numeric(precision=%d, scale=%d)", t.Precision, t.Scale)
	case schema.Integer:
		return "Integer()"
	case schema.BigInteger:
		return "BigInteger()"
	case schema.SmallInt:
		return "SmallInteger()"
	case schema.Text:
		return "Text()"
	case schema.Boolean:
		return "Boolean()"
	case schema.DateTime:
		if t.Timezone {
			return "DateTime(timezone=True)"
		}
		return "DateTime()"
	case schema.Date:
		return "Date()"
	case schema.Time:
		return "Time()"
	case schema.Float:
		return "Float()"
	case schema.Binary:
		return "LargeBinary()"
	case schema.JSON:
		return "JSON()"
	case schema.UUID:
		return "Uuid()"
	case schema.Enum:
		return fmt.Sprintf("Enum(%s, name='%s')", t.EnumArgs(), t.EnumName)
	}
	return string(t.Kind) + "()"
}

// sameDesc reports whether two indexes sort the same columns in descending order.
func sameDesc(a, b *schema.Index) bool {
	for _, c := range a.Columns {
		if slices.Contains(a.Desc, c) != slices.Contains(b.Desc, c) {
			return false
		}
	}
	return true
}
