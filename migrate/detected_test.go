package migrate_test

import (
	"strings"
	"testing"

	"github.com/microblog/microblog/migrate"
	"github.com/microblog/microblog/migrate/schema"
)

// TestDetectedLinesAreAlembics (defect 5): the Detected lines, golden, in Alembic's
// wording and order (../shared/reference/flask-migrate-cli.md and Alembic 1.8's
// autogenerate/compare.py): the database's type reflected, the model's type generic;
// "server default on column"; a dropped table's indexes before the table; added tables,
// then removed tables, then changed tables by name; within a table added columns, then
// each changed column's NULL/NOT NULL, type and default, then removed and added indexes
// and unique constraints by name, then foreign keys, then removed columns.
func TestDetectedLinesAreAlembics(t *testing.T) {
	before := func() *schema.Schema {
		u := index(table("user", str("username", 64, false), str("about_me", 140, true), col("age", schema.Integer, true),
			col("status", schema.Text, true), str("old", 10, true)), true, "username")
		u = index(u, false, "age")
		tag := index(index(table("tag", str("name", 32, false)), true, "name"), false, "id", "name")
		return sch(u, posts(), tag)
	}
	after := func() *schema.Schema {
		u := index(table("user", str("username", 64, false), str("about_me", 280, true), str("age", 10, true),
			withDefault(col("status", schema.Text, false), "'active'"), str("nickname", 32, true)), true, "username")
		u = unique(u, "", "nickname")
		u = index(u, false, "about_me")
		p := posts()
		p.Column("body").Type = schema.Type{Kind: schema.Text}
		p.Columns = append(p.Columns, col("reply_to", schema.Integer, true))
		fk(p, "reply_to", "post")
		n := index(table("note", &schema.Column{Name: "price", Type: schema.Type{Kind: schema.Numeric, Precision: 10, Scale: 2}}, col("data", schema.Binary, true)), false, "price")
		return sch(u, p, n)
	}
	_, got, err := migrate.Diff(before(), after())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Detected added table 'note'",
		"Detected added index 'ix_note_price' on '['price']'",
		"Detected removed index 'ix_tag_id_name' on 'tag'",
		"Detected removed index 'ix_tag_name' on 'tag'",
		"Detected removed table 'tag'",
		"Detected added column 'post.reply_to'",
		"Detected type change from VARCHAR(length=140) to Text() on 'post.body'",
		"Detected added foreign key (reply_to)(id) on table post",
		"Detected added column 'user.nickname'",
		"Detected type change from VARCHAR(length=140) to String(length=280) on 'user.about_me'",
		"Detected type change from INTEGER() to String(length=10) on 'user.age'",
		"Detected NOT NULL on column 'user.status'",
		"Detected server default on column 'user.status'",
		"Detected removed index 'ix_user_age' on 'user'",
		"Detected added index 'ix_user_about_me' on '['about_me']'",
		"Detected added unique constraint 'uq_user_nickname' on '['nickname']'",
		"Detected removed column 'user.old'",
	}
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("Detected lines:\n%s\nwant:\n%s", g, w)
	}

	// The types added by this project: timezone-aware timestamps and enums.
	tz := schema.Type{Kind: schema.DateTime, Timezone: true}
	_, got, err = migrate.Diff(sch(table("t", col("at", schema.DateTime, true), str("state", 20, true))),
		sch(table("t", &schema.Column{Name: "at", Type: tz, Nullable: true}, &schema.Column{Name: "state", Type: postStatus(), Nullable: true})))
	if err != nil {
		t.Fatal(err)
	}
	if g, w := strings.Join(got, "\n"), "Detected type change from DATETIME() to DateTime(timezone=True) on 't.at'\n"+
		"Detected type change from VARCHAR(length=20) to Enum('draft', 'published', name='post_status') on 't.state'"; g != w {
		t.Errorf("Detected lines:\n%s\nwant:\n%s", g, w)
	}

	// Removing a server default, and the other direction's type names.
	_, got, err = migrate.Diff(after(), before())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"Detected NULL on column 'user.status'\nDetected server default on column 'user.status'",
		"Detected type change from TEXT() to String(length=140) on 'post.body'",
		"Detected type change from VARCHAR(length=10) to Integer() on 'user.age'",
		"Detected removed index 'ix_note_price' on 'note'\nDetected removed table 'note'",
		"Detected removed unique constraint 'uq_user_nickname' on 'user'",
	} {
		if !strings.Contains(strings.Join(got, "\n"), w) {
			t.Errorf("downgrade's Detected lines lack %q:\n%s", w, strings.Join(got, "\n"))
		}
	}
}
