package migrate_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/internal/migratetest"
)

// tablesRevision is a revision creating n tables (n statements), for progress tests.
func tablesRevision(id string, down []string, n int) *migrate.Revision {
	r := rev(id, down, "t"+id[:4]+"_0")
	for i := 1; i < n; i++ {
		name := fmt.Sprintf("t%s_%d", id[:4], i)
		r.Upgrade = append(r.Upgrade, &migrate.Op{Kind: migrate.OpCreateTable, Def: table(name, str("name", 20, true))})
		r.Downgrade = append([]*migrate.Op{{Kind: migrate.OpDropTable, Name: name}}, r.Downgrade...)
	}
	return r
}

// TestWatchCountsStatements: Runner.Watch reports each revision's start, each of its
// statements in order (j of m, m its statement count), and its end, for upgrades and
// downgrades, without taking Trace's calls away.
func TestWatchCountsStatements(t *testing.T) {
	a := tablesRevision("aaaa00000001", nil, 4)
	b := tablesRevision("bbbb00000001", []string{a.ID}, 6)
	forEachDialect(t, func(t *testing.T, db *migratetest.DB) {
		ctx := context.Background()
		for _, up := range []bool{true, false} {
			r := runner(t, db, repoFS(t, a, b))
			traced := 0
			r.Trace = func(string) { traced++ }
			var events []migrate.Event
			r.Watch(func(e migrate.Event) { events = append(events, e) })
			var err error
			order := []*migrate.Revision{a, b}
			if up {
				err = r.Upgrade(ctx, "heads")
			} else {
				err = r.Downgrade(ctx, "base")
				order = []*migrate.Revision{b, a}
			}
			if err != nil {
				t.Fatal(err)
			}
			var want, got []string
			for i, rv := range order {
				n := len(rv.Upgrade)
				want = append(want, fmt.Sprintf("start %s %d/2 0/%d", rv.ID, i+1, n))
				for j := 1; j <= n; j++ {
					want = append(want, fmt.Sprintf("statement %s %d/2 %d/%d", rv.ID, i+1, j, n))
				}
				want = append(want, fmt.Sprintf("done %s %d/2 %d/%d", rv.ID, i+1, n, n))
			}
			for i, e := range events {
				got = append(got, fmt.Sprintf("%s %s %d/%d %d/%d", e.Kind, e.Result.Revision, e.Index, e.Total, e.Statement, e.Result.Statements))
				if i > 0 && e.Elapsed < events[i-1].Elapsed {
					t.Errorf("event %d: elapsed went back", i)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("upgrade %v: events\n%v\nwant\n%v", up, got, want)
			}
			if traced < len(a.Upgrade)+len(b.Upgrade)+2 { // and the version table's statements
				t.Errorf("Trace saw %d statements", traced)
			}
		}
	})
}
