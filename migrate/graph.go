package migrate

import (
	"fmt"
	"slices"
	"strings"
)

// Graph draws the revision graph for a terminal, newest first, one lane per branch:
//
//   - 3c1d9a0e0f11 (head) merge
//     |\
//     | * 9b2e7c8d1a22 posts
//   - | 5a1f0e9d8c33 tags
//     |/
//   - e517276bb1c2 users table
func Graph(r *Repo) string {
	var b strings.Builder
	heads := r.Heads()
	var lanes []string // the revision each lane is waiting for
	order := r.Ordered()
	for i := len(order) - 1; i >= 0; i-- {
		rev := order[i]
		col := slices.Index(lanes, rev.ID)
		if col < 0 {
			lanes = append(lanes, rev.ID)
			col = len(lanes) - 1
		}
		// Lanes converging on this revision (it is the parent of several) close here.
		var closing []int
		for j, l := range lanes {
			if l == rev.ID && j != col {
				closing = append(closing, j)
			}
		}
		for _, j := range slices.Backward(closing) {
			b.WriteString(row(j, func(int) string { return "|" }) + "/" + strings.Repeat(" |", len(lanes)-j-1) + "\n")
			lanes = slices.Delete(lanes, j, j+1)
			if j < col {
				col--
			}
		}
		label := rev.ID + RevisionTags(rev.ID, heads, nil)
		if len(rev.BranchLabels) > 0 {
			label += " [" + strings.Join(rev.BranchLabels, ", ") + "]"
		}
		if len(rev.DependsOn) > 0 {
			label += " (depends on " + strings.Join(rev.DependsOn, ", ") + ")"
		}
		b.WriteString(row(len(lanes), func(k int) string {
			if k == col {
				return "*"
			}
			return "|"
		}) + " " + label + " " + rev.Message + "\n")
		switch len(rev.Down) {
		case 0:
			lanes = slices.Delete(lanes, col, col+1)
		default:
			lanes[col] = rev.Down[0]
			for _, p := range rev.Down[1:] {
				lanes = slices.Insert(lanes, col+1, p)
				b.WriteString(row(len(lanes)-1, func(k int) string { return "|" })[:2*col+1] + "\\" + "\n")
			}
		}
	}
	return b.String()
}

func row(n int, cell func(int) string) string {
	parts := make([]string, n)
	for k := range parts {
		parts[k] = cell(k)
	}
	return strings.Join(parts, " ")
}

// Dot renders the revision graph as Graphviz DOT: parent -> child edges, dependencies
// dashed, heads doubled, branch labels in the node.
func Dot(r *Repo) string {
	var b strings.Builder
	b.WriteString("digraph migrations {\n\trankdir=BT;\n\tnode [shape=box, fontname=\"monospace\"];\n")
	heads := r.Heads()
	for _, rev := range r.Ordered() {
		label := rev.ID + "\\n" + strings.ReplaceAll(rev.Message, `"`, `\"`)
		if len(rev.BranchLabels) > 0 {
			label += "\\n[" + strings.Join(rev.BranchLabels, ", ") + "]"
		}
		style := ""
		if slices.Contains(heads, rev.ID) {
			style = ", peripheries=2"
		}
		fmt.Fprintf(&b, "\t%q [label=\"%s\"%s];\n", rev.ID, label, style)
	}
	for _, rev := range r.Ordered() {
		for _, d := range rev.Down {
			fmt.Fprintf(&b, "\t%q -> %q;\n", d, rev.ID)
		}
		for _, d := range rev.DependsOn {
			fmt.Fprintf(&b, "\t%q -> %q [style=dashed];\n", d, rev.ID)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// RevisionTags marks id as " (head)" and " (current)" after Alembic's listings: the
// suffix its history, heads, show and graph print after a revision id.
func RevisionTags(id string, heads, current []string) string {
	s := ""
	if slices.Contains(heads, id) {
		s += " (head)"
	}
	if slices.Contains(current, id) {
		s += " (current)"
	}
	return s
}
