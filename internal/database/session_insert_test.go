package database_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/internal/testdb"
)

// insertGraph is a set of new objects whose values exercise what the session's bound
// INSERTs convert: nil and non-nil pointers, zero and non-UTC times with nanoseconds
// (bun writes microseconds), quotes and non-ASCII text, booleans, string and composite
// primary keys, relations whose ids arrive from RETURNING, and batches of one and many.
func insertGraph() []any {
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	when := time.Date(2024, 2, 29, 23, 59, 58, 123456789, zone)
	about := "O'Brien says \"hi\" — ☃ \\x00 \\"
	lang, token := "pt_BR", "tok'en"
	var objs []any
	var users []*models.User
	for i := range 5 {
		u := &models.User{Username: fmt.Sprintf("user%d", i), Email: fmt.Sprintf("u%d@example.com", i)}
		// Every user gets a last_seen: the insert hook would set nil ones to now.
		seen := when.Add(time.Duration(i) * time.Hour)
		u.LastSeen = &seen
		if i%2 == 0 {
			u.AboutMe, u.Language = &about, &lang
			u.LastMessageReadTime = &when
		} else {
			utc := seen.UTC()
			u.LastSeen = &utc
		}
		if i == 1 {
			u.Token, u.TokenExpiration = &token, &when
		}
		users = append(users, u)
		objs = append(objs, u)
	}
	for i := range 7 {
		p := &models.Post{Body: fmt.Sprintf("post %d: it's ✓", i), Author: users[i%len(users)]}
		p.Timestamp = when.Add(time.Duration(i) * time.Microsecond)
		if i%3 == 0 {
			p.Language = &lang
		}
		objs = append(objs, p)
	}
	desc := "a 'task'"
	objs = append(objs,
		&models.Task{ID: "t-1", Name: "export", Description: &desc, User: users[0], Complete: true},
		&models.Task{ID: "t-2", Name: "import", User: users[1]},
		&models.Follow{Follower: users[0], Followed: users[1]},
		&models.Follow{Follower: users[1], Followed: users[0]},
		&models.Message{Author: users[2], Recipient: users[3], Body: "hello 'there'", Timestamp: when},
	)
	return objs
}

// TestBoundInsertsStoreWhatBunWrites commits the same objects twice, once through bun's
// literal INSERTs and once through the session's bound ones, into two fresh databases,
// and requires the same rows in every table and the same values on the objects (ids and
// the columns filled in by RETURNING).
func TestBoundInsertsStoreWhatBunWrites(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			viaBun, viaArgs := testdb.Migrated(t, d), testdb.Migrated(t, d)
			database.UseBunInserts(viaBun, true)
			want := d != database.MySQL
			for _, obj := range []any{&models.User{}, &models.Post{}, &models.Task{}, &models.Follow{}, &models.Message{}} {
				if got := database.BoundInsert(viaArgs, obj); got != want {
					t.Errorf("%T written with bound arguments = %v, want %v", obj, got, want)
				}
			}
			if database.BoundInsert(viaArgs, &models.Notification{}) {
				t.Errorf("Notification (a float64 field) written with bound arguments, want bun's text")
			}
			a, b := insertGraph(), insertGraph()
			for i, db := range []*database.DB{viaBun, viaArgs} {
				objs := [][]any{a, b}[i]
				s := db.NewSession()
				if err := s.AddAll(objs...); err != nil {
					t.Fatal(err)
				}
				if err := s.Commit(ctx); err != nil {
					t.Fatal(err)
				}
			}
			for i := range a {
				if !sameColumns(viaArgs, a[i], b[i]) {
					t.Errorf("object %d after commit:\nbun:   %+v\nbound: %+v", i, a[i], b[i])
				}
			}
			for _, table := range []string{"user", "post", "task", "followers", "message"} {
				rowsA, rowsB := tableRows(t, viaBun, table), tableRows(t, viaArgs, table)
				if len(rowsA) == 0 {
					t.Fatalf("%s: no rows", table)
				}
				if !reflect.DeepEqual(rowsA, rowsB) {
					t.Errorf("%s rows differ:\nbun:   %q\nbound: %q", table, rowsA, rowsB)
				}
			}
		})
	}
}

// sameColumns compares two objects of one model by their column fields.
func sameColumns(db *database.DB, x, y any) bool {
	vx, vy := reflect.ValueOf(x).Elem(), reflect.ValueOf(y).Elem()
	for _, f := range db.Bun.Table(vx.Type()).Fields {
		if !reflect.DeepEqual(f.Value(vx).Interface(), f.Value(vy).Interface()) {
			return false
		}
	}
	return true
}

// tableRows reads every row of table, each value as the driver returns it printed with
// %#v, so that a difference of type shows too. On SQLite, whose driver turns the text of
// a TIMESTAMP column into a time.Time, each value is read as its storage class and SQL
// literal instead (typeof, quote): the exact bytes stored.
func tableRows(t *testing.T, db *database.DB, table string) []string {
	t.Helper()
	ctx := context.Background()
	q := `"` + table + `"`
	if db.Dialect == database.MySQL {
		q = "`" + table + "`"
	}
	rows, err := db.SQL.QueryContext(ctx, "SELECT * FROM "+q)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	if db.Dialect == database.SQLite {
		rows.Close()
		exprs := make([]string, len(cols))
		for i, c := range cols {
			exprs[i] = fmt.Sprintf(`typeof("%s") || ':' || quote("%s")`, c, c)
		}
		if rows, err = db.SQL.QueryContext(ctx, "SELECT "+strings.Join(exprs, ", ")+" FROM "+q); err != nil {
			t.Fatal(err)
		}
	}
	defer rows.Close()
	var out []string
	vals := make([]any, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(cols))
		for i, v := range vals {
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			if tm, ok := v.(time.Time); ok {
				v = tm.String() // includes the zone; %#v would print the location's pointers
			}
			parts[i] = fmt.Sprintf("%s=%#v", cols[i], v)
		}
		out = append(out, strings.Join(parts, " "))
	}
	if err := rows.Err(); err != nil && err != sql.ErrNoRows {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestSQLiteKeepsSessionInsertsPrepared: on SQLite, one-row commits of one model reuse
// one prepared statement on the connection, and the statement still works after a
// failed execution (a unique violation) left it mid-way.
func TestSQLiteKeepsSessionInsertsPrepared(t *testing.T) {
	ctx := context.Background()
	db := testdb.Migrated(t, database.SQLite)
	s := db.NewSession()
	for i := range 3 {
		u := &models.User{Username: fmt.Sprintf("kept%d", i), Email: fmt.Sprintf("k%d@example.com", i)}
		if err := s.Add(u); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := database.CachedStmts(db); n != 1 {
		t.Fatalf("after 3 one-row commits of users, the connection keeps %d statements prepared, want 1", n)
	}
	dup := &models.User{Username: "kept0", Email: "other@example.com"}
	if err := s.Add(dup); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx); err == nil {
		t.Fatal("a second kept0 was committed")
	}
	if err := s.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	next := &models.User{Username: "kept3", Email: "k3@example.com"}
	if err := s.Add(next); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil {
		t.Fatalf("the kept statement after a failed execution: %v", err)
	}
	var got []models.User
	if err := db.Bun.NewSelect().Model(&got).Order("id").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[3].Username != "kept3" || got[3].ID != next.ID {
		t.Fatalf("users = %v (last id %d), want kept0..kept3 with kept3's id %d", got, got[len(got)-1].ID, next.ID)
	}
	if n := database.CachedStmts(db); n != 1 {
		t.Fatalf("the connection keeps %d statements prepared, want still 1", n)
	}
}

// gadget is a model of a table that the tests create by hand, AUTOINCREMENT included.
type gadget struct {
	bun.BaseModel `bun:"table:gadget"`
	ID            int64  `bun:"id,pk,autoincrement"`
	Name          string `bun:"name,notnull"`
}

// TestSQLiteInsertsTakeTheirRowids: on SQLite, an INSERT whose only generated value is
// its integer key learns the keys without RETURNING — one row from the connection's last
// inserted rowid, several from the table's largest key before them — and every object
// gets its own row's key: with a trigger inserting into another table or the same one,
// after an AUTOINCREMENT table lost its largest rows, and after an explicit key.
func TestSQLiteInsertsTakeTheirRowids(t *testing.T) {
	ctx := context.Background()
	db := testdb.Migrated(t, database.SQLite)
	for _, q := range []string{
		`CREATE TABLE audit (id INTEGER PRIMARY KEY, note TEXT)`,
		`INSERT INTO audit (id, note) VALUES (1000000, 'high')`,
		`CREATE TRIGGER user_audit AFTER INSERT ON "user" BEGIN INSERT INTO audit (note) VALUES (new.username); END`,
		`CREATE TABLE gadget (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL)`,
	} {
		if _, err := db.SQL.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s := db.NewSession()
	commit := func(objs ...any) {
		t.Helper()
		for _, o := range objs {
			if err := s.Add(o); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	noReturning := func(what, table string) {
		t.Helper()
		for _, q := range database.CachedStmtTexts(db) {
			if strings.HasPrefix(q, "INSERT INTO "+table) && strings.Contains(q, "RETURNING") {
				t.Errorf("%s: kept with RETURNING: %s", what, q)
			}
		}
	}
	var users []*models.User
	for i := range 3 {
		u := &models.User{Username: fmt.Sprintf("one%d", i), Email: fmt.Sprintf("one%d@example.com", i)}
		commit(u)
		users = append(users, u)
	}
	noReturning("a one-row user INSERT", `"user"`)
	explicit := &models.User{ID: 700, Username: "explicit", Email: "explicit@example.com"}
	after := &models.User{Username: "after", Email: "after@example.com"}
	commit(explicit)
	commit(after)
	b0, b1 := &models.User{Username: "b0", Email: "b0@example.com"}, &models.User{Username: "b1", Email: "b1@example.com"}
	commit(b0, b1) // a table with a trigger: RETURNING
	users = append(users, explicit, after, b0, b1)
	if after.ID != 701 {
		t.Errorf("the user added after id 700 got id %d, want 701", after.ID)
	}
	for _, u := range users {
		var id int64
		if err := db.SQL.QueryRowContext(ctx, `SELECT id FROM "user" WHERE username = ?`, u.Username).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if u.ID != id || id >= 1000000 {
			t.Errorf("%s: the object's id is %d, its row's %d", u.Username, u.ID, id)
		}
	}

	gadgets := func(prefix string, n int) []any {
		var out []any
		for i := range n {
			out = append(out, &gadget{Name: fmt.Sprintf("%s%d", prefix, i)})
		}
		return out
	}
	var all []any
	first := gadgets("first", 5)
	commit(first...)
	all = append(all, first...)
	noReturning("a 5-row gadget INSERT", `"gadget"`)
	// The two largest go: AUTOINCREMENT gives the next rows 6.., not 4..
	if _, err := db.SQL.ExecContext(ctx, `DELETE FROM gadget WHERE id > 3`); err != nil {
		t.Fatal(err)
	}
	all = all[:3]
	gap := gadgets("gap", 3)
	commit(gap...)
	all = append(all, gap...)
	if id := gap[0].(*gadget).ID; id != 6 {
		t.Errorf("after AUTOINCREMENT's rows 4 and 5 went, the first new gadget got id %d, want 6", id)
	}
	if _, err := db.SQL.ExecContext(ctx, `CREATE TRIGGER gadget_twin AFTER INSERT ON gadget WHEN new.name LIKE 'twin%' BEGIN INSERT INTO gadget (name) VALUES ('shadow of ' || new.name); END`); err != nil {
		t.Fatal(err)
	}
	twins := gadgets("twin", 3)
	commit(twins[0])
	commit(twins[1:]...)
	all = append(all, twins...)
	for _, o := range all {
		g := o.(*gadget)
		var id int64
		if err := db.SQL.QueryRowContext(ctx, `SELECT id FROM gadget WHERE name = ?`, g.Name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if g.ID != id {
			t.Errorf("gadget %s: the object's id is %d, its row's %d", g.Name, g.ID, id)
		}
	}
	var shadows int
	if err := db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM gadget WHERE name LIKE 'shadow of twin%'`).Scan(&shadows); err != nil || shadows != len(twins) {
		t.Fatalf("the same-table trigger wrote %d rows (%v), want %d", shadows, err, len(twins))
	}
}
