package bunschema_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/migrate/bunschema"
	"github.com/microblog/microblog/migrate/schema"
)

type tzStamp struct {
	bun.BaseModel `bun:"table:tz"`
	ID            int64     `bun:"id,pk,autoincrement"`
	Seen          time.Time `bun:"seen,type:timestamptz,notnull"`
}

type tzStampLong struct {
	bun.BaseModel `bun:"table:tz2"`
	ID            int64     `bun:"id,pk,autoincrement"`
	Seen          time.Time `bun:"seen,type:timestamp with time zone"`
}

type moneyType struct {
	bun.BaseModel `bun:"table:money"`
	ID            int64   `bun:"id,pk,autoincrement"`
	Price         float64 `bun:"price,type:money"`
}

type jsonbType struct {
	bun.BaseModel `bun:"table:doc"`
	ID            int64          `bun:"id,pk,autoincrement"`
	Body          map[string]any `bun:"body,type:jsonb"`
}

type charType struct {
	bun.BaseModel `bun:"table:code"`
	ID            int64  `bun:"id,pk,autoincrement"`
	Code          string `bun:"code,type:char(3)"`
}

type misspeltOption struct {
	bun.BaseModel `bun:"table:typo"`
	ID            int64  `bun:"id,pk,autoincrement"`
	Name          string `bun:"name,notnul"`
}

type arrayOption struct {
	bun.BaseModel `bun:"table:arr"`
	ID            int64    `bun:"id,pk,autoincrement"`
	Tags          []string `bun:"tags,array"`
}

type emptyType struct {
	bun.BaseModel `bun:"table:empty"`
	ID            int64  `bun:"id,pk,autoincrement"`
	Name          string `bun:"name,type:"`
}

type badParent struct {
	bun.BaseModel `bun:"table:parent"`
	ID            int64 `bun:"id,pk,autoincrement"`
}

type badRule struct {
	bun.BaseModel `bun:"table:child"`
	ID            int64      `bun:"id,pk,autoincrement"`
	ParentID      int64      `bun:"parent_id,notnull"`
	Parent        *badParent `bun:"rel:belongs-to,join:parent_id=id,on_delete:CASCADES"`
}

// TestTimezoneAwareTimestamps: timestamptz and its long spelling are read as what they
// are, not as a plain datetime.
func TestTimezoneAwareTimestamps(t *testing.T) {
	s, err := bunschema.FromModels((*tzStamp)(nil), (*tzStampLong)(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"tz", "tz2"} {
		if c := s.Table(name).Column("seen"); c.Type.Kind != schema.DateTime || !c.Type.Timezone {
			t.Errorf("%s.seen = %+v, want a timezone-aware datetime", name, c.Type)
		}
	}
}

// TestUnknownTagValuesAreErrors: every tag value the reader does not understand is an
// error naming the model, the struct field and the value (defect 12: timestamptz used to
// be read as a plain datetime — now supported —, jsonb as json, char(3) as varchar(3), a misspelt option
// as nothing at all).
func TestUnknownTagValuesAreErrors(t *testing.T) {
	cases := []struct {
		models []any
		want   []string
	}{
		{[]any{(*moneyType)(nil)}, []string{"model moneyType", "field Price", `"money"`, "not a portable type"}},
		{[]any{(*jsonbType)(nil)}, []string{"model jsonbType", "field Body", `"jsonb"`}},
		{[]any{(*charType)(nil)}, []string{"model charType", "field Code", `"char(3)"`}},
		{[]any{(*misspeltOption)(nil)}, []string{"model misspeltOption", "field Name", `"notnul"`, "not understood"}},
		{[]any{(*arrayOption)(nil)}, []string{"model arrayOption", "field Tags", `"array"`, "not supported"}},
		{[]any{(*emptyType)(nil)}, []string{"model emptyType", "field Name", "type: is empty"}},
		{[]any{(*badParent)(nil), (*badRule)(nil)}, []string{"model badRule", "field Parent", `on_delete:"CASCADES"`, "not a foreign-key action"}},
	}
	for _, c := range cases {
		_, err := bunschema.FromModels(c.models...)
		if err == nil {
			t.Errorf("%T accepted", c.models[len(c.models)-1])
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
	}
}

type enumModel struct {
	bun.BaseModel `bun:"table:post"`
	ID            int64  `bun:"id,pk,autoincrement"`
	Status        string `bun:"status,type:enum(draft,Published),notnull,default:'draft'"`
	Kind          string `bun:"kind,type:enum:post_kind(a,b)"`
}

type badEnum struct {
	bun.BaseModel `bun:"table:bad_enum"`
	ID            int64  `bun:"id,pk,autoincrement"`
	Status        string `bun:"status,type:enum(a,a)"`
}

// TestEnumTags: type:enum(…) keeps its values' case and gets the PostgreSQL type name
// <table>_<column> unless enum:NAME(…) gives one; a repeated value is an error.
func TestEnumTags(t *testing.T) {
	s, err := bunschema.FromModels((*enumModel)(nil))
	if err != nil {
		t.Fatal(err)
	}
	p := s.Table("post")
	if got := p.Column("status").Type.Spec(); got != "enum:post_status(draft,Published)" {
		t.Errorf("status type = %s", got)
	}
	if got := p.Column("kind").Type.Spec(); got != "enum:post_kind(a,b)" {
		t.Errorf("kind type = %s", got)
	}
	if _, err := bunschema.FromModels((*badEnum)(nil)); err == nil || !strings.Contains(err.Error(), "field Status") || !strings.Contains(err.Error(), `"a" appears twice`) {
		t.Errorf("repeated enum value: %v", err)
	}
}

type indexedModel struct {
	bun.BaseModel `bun:"table:acct" migrate:"unique_index:ix_acct_active_email(email) WHERE disabled_at IS NULL; index:ix_acct_recent(email, seen DESC)"`
	ID            int64      `bun:"id,pk,autoincrement"`
	Email         string     `bun:"email,type:varchar(120)"`
	Seen          time.Time  `bun:"seen"`
	DisabledAt    *time.Time `bun:"disabled_at"`
}

type badDirection struct {
	bun.BaseModel `bun:"table:bad_dir" migrate:"index:ix_bad_dir(name DOWN)"`
	ID            int64  `bun:"id,pk,autoincrement"`
	Name          string `bun:"name"`
}

// TestPartialAndDescendingIndexTags reads where and DESC in the table-level migrate tag.
func TestPartialAndDescendingIndexTags(t *testing.T) {
	s, err := bunschema.FromModels((*indexedModel)(nil))
	if err != nil {
		t.Fatal(err)
	}
	a := s.Table("acct")
	if ix := a.Index("ix_acct_active_email"); ix == nil || !ix.Unique || ix.Where != "disabled_at IS NULL" || len(ix.Desc) != 0 {
		t.Errorf("partial index = %+v", ix)
	}
	if ix := a.Index("ix_acct_recent"); ix == nil || strings.Join(ix.Columns, ",") != "email,seen" || strings.Join(ix.Desc, ",") != "seen" || ix.Where != "" {
		t.Errorf("descending index = %+v", ix)
	}
	if _, err := bunschema.FromModels((*badDirection)(nil)); err == nil || !strings.Contains(err.Error(), `"name DOWN"`) {
		t.Errorf("bad direction: %v", err)
	}
}

// TestNamingConvention: unnamed indexes and constraints follow the given templates
// (SQLAlchemy's naming_convention tokens); the default gives ix_/uq_/fk_/pk_ names; an
// unknown token is an error.
func TestNamingConvention(t *testing.T) {
	naming := schema.Naming{
		Index:      "idx_%(table_name)s_%(column_0_name)s",
		Unique:     "%(table_name)s_%(column_0_N_name)s_key",
		ForeignKey: "%(table_name)s_%(column_0_name)s_fkey",
		PrimaryKey: "%(table_name)s_pkey",
	}
	s, err := bunschema.FromModelsNamed(naming, (*Author)(nil), (*Article)(nil))
	if err != nil {
		t.Fatal(err)
	}
	a := s.Table("article")
	if a.PrimaryKey.Name != "article_pkey" || a.Uniques[0].Name != "article_slug_key" || a.ForeignKeys[0].Name != "article_author_id_fkey" || a.Index("idx_article_published") == nil {
		t.Errorf("names = pk %s, uq %s, fk %s, indexes %+v", a.PrimaryKey.Name, a.Uniques[0].Name, a.ForeignKeys[0].Name, a.Indexes)
	}
	if a.Index("ix_article_author_published") == nil || a.Uniques[1].Name != "uq_article_slug_author" {
		t.Errorf("names given in tags must stay: %+v %+v", a.Indexes, a.Uniques)
	}
	d, err := bunschema.FromModels((*Author)(nil), (*Article)(nil))
	if err != nil {
		t.Fatal(err)
	}
	if d.Table("article").ForeignKeys[0].Name != "fk_article_author_id_author" {
		t.Errorf("default fk name = %s", d.Table("article").ForeignKeys[0].Name)
	}
	if _, err := bunschema.FromModelsNamed(schema.Naming{Index: "ix_%(table_name)s_%(colum_0_name)s"}, (*Author)(nil)); err == nil || !strings.Contains(err.Error(), "unknown token") {
		t.Errorf("unknown token: %v", err)
	}
}

type fkEdition struct {
	bun.BaseModel `bun:"table:edition"`
	Book          int64 `bun:"book,pk"`
	Num           int64 `bun:"num,pk"`
}

type fkAccount struct {
	bun.BaseModel `bun:"table:account"`
	ID            int64  `bun:"id,pk,autoincrement"`
	Username      string `bun:"username,type:varchar(64),notnull,unique"`
}

type fkCopy struct {
	bun.BaseModel `bun:"table:copy"`
	ID            int64      `bun:"id,pk,autoincrement"`
	Book          int64      `bun:"book,notnull"`
	Num           int64      `bun:"num,notnull"`
	Edition       *fkEdition `bun:"rel:belongs-to,join:book=book,join:num=num,on_delete:cascade,on_update:SET NULL"`
	Owner         string     `bun:"owner,type:varchar(64)"`
	Account       *fkAccount `bun:"rel:belongs-to,join:owner=username"`
	PrevID        *int64     `bun:"prev_id"`
	Prev          *fkCopy    `bun:"rel:belongs-to,join:prev_id=id"`
}

// TestForeignKeyTags: composite, self-referential and non-key foreign keys and their
// actions come from bun's relation tags.
func TestForeignKeyTags(t *testing.T) {
	s, err := bunschema.FromModels((*fkEdition)(nil), (*fkAccount)(nil), (*fkCopy)(nil))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, fk := range s.Table("copy").ForeignKeys {
		got = append(got, fmt.Sprintf("%s %v->%s%v delete=%s update=%s", fk.Name, fk.Columns, fk.RefTable, fk.RefColumns, fk.OnDelete, fk.OnUpdate))
	}
	want := []string{
		"fk_copy_book_num_edition [book num]->edition[book num] delete=CASCADE update=SET NULL",
		"fk_copy_owner_account [owner]->account[username] delete= update=",
		"fk_copy_prev_id_copy [prev_id]->copy[id] delete= update=",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("foreign keys:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
