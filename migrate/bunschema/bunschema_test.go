package bunschema_test

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/microblog/microblog/migrate/bunschema"
	"github.com/microblog/microblog/migrate/schema"
)

type Author struct {
	bun.BaseModel `bun:"table:author"`
	ID            int64 `bun:"id,pk,autoincrement"`
}

type Article struct {
	bun.BaseModel `bun:"table:article" migrate:"index:ix_article_author_published(author_id, published); unique:uq_article_slug_author(slug, author_id); check:ck_article_score(score >= 0)"`
	ID            int64          `bun:"id,pk,autoincrement"`
	Slug          string         `bun:"slug,type:varchar(80),notnull,unique"`
	Title         sql.NullString `bun:"title,type:varchar(200)"`
	Score         int            `bun:"score,notnull,default:0"`
	Draft         bool           `bun:"draft,default:true"`
	Price         float64        `bun:"price,type:numeric(10,2)"`
	Published     *time.Time     `bun:"published" migrate:"index"`
	Body          string         `bun:"body"`
	AuthorID      int64          `bun:"author_id,notnull"`
	Author        *Author        `bun:"rel:belongs-to,join:author_id=id,on_delete:CASCADE"`
}

type Tagging struct {
	bun.BaseModel `bun:"table:tagging"`
	ArticleID     int64  `bun:"article_id,pk"`
	Tag           string `bun:"tag,pk,type:varchar(32)"`
}

func TestTagsAndTypes(t *testing.T) {
	s, err := bunschema.FromModels((*Author)(nil), (*Article)(nil), (*Tagging)(nil))
	if err != nil {
		t.Fatal(err)
	}
	a := s.Table("article")
	check := func(name string, kind schema.Kind, nullable bool) {
		t.Helper()
		c := a.Column(name)
		if c == nil || c.Type.Kind != kind || c.Nullable != nullable {
			t.Errorf("column %s = %+v, want %s nullable=%v", name, c, kind, nullable)
		}
	}
	check("slug", schema.String, false)
	check("title", schema.String, true) // sql.NullString is nullable
	check("score", schema.Integer, false)
	check("draft", schema.Boolean, false) // a non-pointer Go value is NOT NULL, as Mapped[bool]
	check("price", schema.Numeric, false)
	check("published", schema.DateTime, true) // a pointer is nullable
	check("body", schema.Text, false)         // a string without a length is TEXT
	if d := a.Column("score").Default; d == nil || *d != "0" {
		t.Errorf("score default = %v", d)
	}
	if d := a.Column("draft").Default; d == nil || *d != "TRUE" {
		t.Errorf("draft default = %v", d)
	}
	if len(a.Uniques) != 2 || a.Uniques[0].Name != "uq_article_slug" || a.Uniques[1].Name != "uq_article_slug_author" {
		t.Errorf("uniques = %+v", a.Uniques)
	}
	if ix := a.Index("ix_article_author_published"); ix == nil || strings.Join(ix.Columns, ",") != "author_id,published" {
		t.Errorf("composite index = %+v", ix)
	}
	if a.Index("ix_article_published") == nil {
		t.Error("field index ix_article_published missing")
	}
	if len(a.Checks) != 1 || a.Checks[0].Expr != "score >= 0" {
		t.Errorf("checks = %+v", a.Checks)
	}
	if fk := a.ForeignKeys[0]; fk.Name != "fk_article_author_id_author" || fk.OnDelete != "CASCADE" {
		t.Errorf("foreign key = %+v", fk)
	}
	tg := s.Table("tagging")
	if strings.Join(tg.PrimaryKey.Columns, ",") != "article_id,tag" || tg.Column("article_id").AutoIncrement {
		t.Errorf("composite key = %+v", tg.PrimaryKey)
	}
}

type badIndexOption struct {
	bun.BaseModel `bun:"table:bad1"`
	ID            int64  `bun:"id,pk,autoincrement"`
	Name          string `bun:"name" migrate:"indx"`
}

type badTableItem struct {
	bun.BaseModel `bun:"table:bad2" migrate:"index:ix_bad2_x(nosuch)"`
	ID            int64 `bun:"id,pk,autoincrement"`
}

type badType struct {
	bun.BaseModel `bun:"table:bad3"`
	ID            int64  `bun:"id,pk,autoincrement"`
	Name          string `bun:"name,type:varchar"`
}

func TestBadTagsNameModelAndField(t *testing.T) {
	cases := []struct {
		model any
		want  []string
	}{
		{(*badIndexOption)(nil), []string{"badIndexOption", "field Name", `unknown option "indx"`}},
		{(*badTableItem)(nil), []string{"badTableItem", `no column "nosuch"`}},
		{(*badType)(nil), []string{"badType", "field Name", "needs a length"}},
	}
	for _, c := range cases {
		_, err := bunschema.FromModels(c.model)
		if err == nil {
			t.Errorf("%T accepted", c.model)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
	}
}
