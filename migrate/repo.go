package migrate

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/microblog/microblog/migrate/schema"
)

// Repo is a loaded migration repository: every revision file and the graph they form.
type Repo struct {
	Dir       string
	Revisions map[string]*Revision
	order     []*Revision // topological: parents (and dependencies) first, ties by file name
	children  map[string][]string
	labels    map[string]string // branch label → revision carrying it
	// Squashed are squash revisions: shortcuts for new databases over linear runs.
	Squashed []*Revision
}

// LoadRepo reads every revision under versions/ in fsys (the repository directory).
// It checks the graph: unique ids, known parents, no cycles. Errors name the file.
func LoadRepo(fsys fs.FS, dir string) (*Repo, error) {
	if _, err := fs.Stat(fsys, "versions"); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &NoRepositoryError{Dir: dir}
		}
		return nil, fmt.Errorf("migrate: %w", err)
	}
	entries, err := fs.ReadDir(fsys, "versions")
	if err != nil {
		return nil, fmt.Errorf("migrate: read %s/versions: %w", dir, err)
	}
	r := &Repo{Dir: dir, Revisions: map[string]*Revision{}, children: map[string][]string{}, labels: map[string]string{}}
	var revs []*Revision
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		p := path.Join(dir, "versions", e.Name())
		data, err := fs.ReadFile(fsys, path.Join("versions", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("migrate: %w", err)
		}
		rev, err := ParseRevision(p, data)
		if err != nil {
			return nil, err
		}
		if prev, ok := r.Revisions[rev.ID]; ok {
			return nil, fmt.Errorf("%s: duplicate revision id %s, already used by %s", p, rev.ID, prev.Path)
		}
		if len(rev.Squashes) > 0 {
			r.Squashed = append(r.Squashed, rev)
			continue
		}
		r.Revisions[rev.ID] = rev
		revs = append(revs, rev)
	}
	for _, rev := range revs {
		for _, d := range rev.Down {
			if _, ok := r.Revisions[d]; !ok {
				return nil, fmt.Errorf("%s: down_revision %s: no revision file has that id", rev.Path, d)
			}
			r.children[d] = append(r.children[d], rev.ID)
		}
		for _, d := range rev.DependsOn {
			if _, ok := r.Revisions[d]; !ok {
				return nil, fmt.Errorf("%s: depends_on %s: no revision file has that id", rev.Path, d)
			}
		}
		for _, l := range rev.BranchLabels {
			if other, ok := r.labels[l]; ok {
				return nil, fmt.Errorf("%s: branch label %q is already used by revision %s", rev.Path, l, other)
			}
			if _, ok := r.Revisions[l]; ok {
				return nil, fmt.Errorf("%s: branch label %q is also a revision id", rev.Path, l)
			}
			r.labels[l] = rev.ID
		}
	}
	if err := r.sort(revs); err != nil {
		return nil, err
	}
	for _, sq := range r.Squashed {
		if err := r.checkSquash(sq); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *Repo) sort(revs []*Revision) error {
	sort.Slice(revs, func(i, j int) bool { return revs[i].Path < revs[j].Path })
	state := map[string]int{}
	var visit func(rev *Revision, stack []string) error
	visit = func(rev *Revision, stack []string) error {
		switch state[rev.ID] {
		case 1:
			return fmt.Errorf("%s: revision cycle: %s -> %s", rev.Path, strings.Join(stack, " -> "), rev.ID)
		case 2:
			return nil
		}
		state[rev.ID] = 1
		for _, d := range rev.parents() {
			if err := visit(r.Revisions[d], append(stack, rev.ID)); err != nil {
				return err
			}
		}
		state[rev.ID] = 2
		r.order = append(r.order, rev)
		return nil
	}
	for _, rev := range revs {
		if err := visit(rev, nil); err != nil {
			return err
		}
	}
	return nil
}

// Heads returns the revisions no other revision builds on, sorted.
func (r *Repo) Heads() []string {
	var heads []string
	for id := range r.Revisions {
		if len(r.children[id]) == 0 {
			heads = append(heads, id)
		}
	}
	slices.Sort(heads)
	return heads
}

// Ordered returns every revision, parents before children.
func (r *Repo) Ordered() []*Revision { return r.order }

// Ancestors returns ids and all their ancestors (inclusive).
func (r *Repo) Ancestors(ids ...string) map[string]bool {
	seen := map[string]bool{}
	var walk func(id string)
	walk = func(id string) {
		if seen[id] {
			return
		}
		seen[id] = true
		for _, d := range r.Revisions[id].parents() {
			walk(d)
		}
	}
	for _, id := range ids {
		walk(id)
	}
	return seen
}

// parents are the revisions that must be applied before rev: its down revisions and
// its dependencies.
func (rev *Revision) parents() []string { return append(slices.Clone(rev.Down), rev.DependsOn...) }

// Children returns the revisions whose down_revision names id.
func (r *Repo) Children(id string) []string { return r.children[id] }

// Lookup finds a revision by id, branch label or unique id prefix; an ambiguous prefix is
// an error listing the candidates.
func (r *Repo) Lookup(id string) (*Revision, error) {
	if rev, ok := r.Revisions[id]; ok {
		return rev, nil
	}
	if rid, ok := r.labels[id]; ok {
		return r.Revisions[rid], nil
	}
	var matches []string
	for k := range r.Revisions {
		if strings.HasPrefix(k, id) {
			matches = append(matches, k)
		}
	}
	switch len(matches) {
	case 1:
		return r.Revisions[matches[0]], nil
	case 0:
		return nil, &UnknownRevisionError{ID: id}
	}
	slices.Sort(matches)
	return nil, &AmbiguousRevisionError{Prefix: id, Matches: matches}
}

// Resolve turns a target (head, heads, base, an id or prefix, +N/-N relative to current)
// into the set of revisions that should be current afterwards (empty = base).
func (r *Repo) Resolve(target string, current []string) ([]string, error) {
	switch target {
	case "head":
		heads := r.Heads()
		if len(heads) > 1 {
			return nil, &MultipleHeadsError{Target: "head", Heads: heads}
		}
		return heads, nil
	case "heads":
		return r.Heads(), nil
	case "base":
		return nil, nil
	}
	if base, ok := strings.CutSuffix(target, "@head"); ok {
		return r.branchHead(base)
	}
	if rest, ok := strings.CutPrefix(target, "head-"); ok {
		n, err := strconv.Atoi(rest)
		if err != nil || n < 0 {
			return nil, &UnknownRevisionError{ID: target}
		}
		heads, err := r.Resolve("head", nil)
		if err != nil {
			return nil, err
		}
		return r.relative(target, -n, heads)
	}
	if n, err := strconv.Atoi(target); err == nil && (strings.HasPrefix(target, "+") || strings.HasPrefix(target, "-")) {
		return r.relative(target, n, current)
	}
	rev, err := r.Lookup(target)
	if err != nil {
		return nil, err
	}
	return []string{rev.ID}, nil
}

// branchHead resolves "X@head": the one head that descends from X (an id, prefix or
// branch label).
func (r *Repo) branchHead(base string) ([]string, error) {
	rev, err := r.Lookup(base)
	if err != nil {
		return nil, err
	}
	var heads []string
	for _, h := range r.Heads() {
		if r.Ancestors(h)[rev.ID] {
			heads = append(heads, h)
		}
	}
	if len(heads) != 1 {
		return nil, &MultipleHeadsError{Target: base + "@head", Heads: heads}
	}
	return heads, nil
}

// relative steps n revisions up (n > 0) or down (n < 0) a linear history from current.
func (r *Repo) relative(target string, n int, current []string) ([]string, error) {
	if len(current) > 1 {
		return nil, &RelativeRevisionError{Target: target, Steps: abs(n), Current: slices.Clone(current)}
	}
	cur := ""
	if len(current) == 1 {
		cur = current[0]
	}
	for step := 0; step < abs(n); step++ {
		if n > 0 {
			var next []string
			if cur == "" {
				for _, rev := range r.order {
					if len(rev.Down) == 0 {
						next = append(next, rev.ID)
					}
				}
			} else {
				next = r.children[cur]
			}
			if len(next) != 1 {
				return nil, &RelativeRevisionError{Target: target, Steps: abs(n)}
			}
			cur = next[0]
		} else {
			if cur == "" {
				return nil, &RelativeRevisionError{Target: target, Steps: abs(n)}
			}
			down := r.Revisions[cur].Down
			if len(down) > 1 {
				if step == abs(n)-1 { // one step down from a merge point: all its parents
					return slices.Clone(down), nil
				}
				return nil, &RelativeRevisionError{Target: target, Steps: abs(n), MergePoint: cur}
			}
			cur = ""
			if len(down) == 1 {
				cur = down[0]
			}
		}
	}
	if cur == "" {
		return nil, nil
	}
	return []string{cur}, nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// SchemaAt replays the revisions in ids and their ancestors, in order, and returns the
// resulting schema. Replay errors name the file and line of the op at fault.
func (r *Repo) SchemaAt(ids ...string) (*schema.Schema, error) {
	want := r.Ancestors(ids...)
	s := &schema.Schema{}
	for _, rev := range r.order {
		if !want[rev.ID] {
			continue
		}
		if err := replay(s, rev); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func replay(s *schema.Schema, rev *Revision) error {
	for _, op := range rev.Upgrade {
		if err := Apply(s, op); err != nil {
			return &fileError{path: rev.Path, line: op.Line, msg: err.Error(), err: err}
		}
	}
	return nil
}

// checkSquash verifies that a squash replaces a linear run starting at base.
func (r *Repo) checkSquash(sq *Revision) error {
	prev := ""
	for i, id := range sq.Squashes {
		rev, ok := r.Revisions[id]
		if !ok {
			return fmt.Errorf("%s: squashes %s: no revision file has that id (keep the squashed files until every database is past them)", sq.Path, id)
		}
		want := []string{prev}
		if i == 0 {
			want = nil
		}
		if !slices.Equal(rev.Down, want) || len(rev.DependsOn) > 0 {
			return fmt.Errorf("%s: squashes must list a linear run from base; %s does not follow %q", sq.Path, id, prev)
		}
		prev = id
	}
	return nil
}

// Squash builds (without writing it) a squash revision for the linear run from base to
// target: its upgrade creates target's schema at once, its downgrade removes it.
func (r *Repo) Squash(target string) (*Revision, error) {
	rev, err := r.Lookup(target)
	if err != nil {
		return nil, err
	}
	var run []string
	for cur := rev; ; {
		if len(cur.DependsOn) > 0 || len(cur.Down) > 1 {
			return nil, fmt.Errorf("squash %s: %s is a merge or has dependencies; only a linear run from base can be squashed", target, cur.ID)
		}
		run = append([]string{cur.ID}, run...)
		if len(cur.Down) == 0 {
			break
		}
		cur = r.Revisions[cur.Down[0]]
	}
	for _, id := range run {
		for _, op := range r.Revisions[id].Upgrade {
			if op.Kind == OpExecute {
				return nil, fmt.Errorf("squash %s: %s (%s:%d) runs SQL of its own (execute), which a squash cannot reproduce", target, id, r.Revisions[id].Path, op.Line)
			}
		}
	}
	state, err := r.SchemaAt(rev.ID)
	if err != nil {
		return nil, err
	}
	up, _, err := Diff(&schema.Schema{}, state)
	if err != nil {
		return nil, err
	}
	down, _, err := Diff(state, &schema.Schema{})
	if err != nil {
		return nil, err
	}
	return &Revision{Squashes: run, Upgrade: up, Downgrade: down}, nil
}
