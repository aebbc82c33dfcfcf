package models_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/migrate/bunschema"
	"github.com/microblog/microblog/migrate/schema"
)

// The chapter-4 schema must be derivable from the model definitions alone.
func TestModelsDescribeChapter4Schema(t *testing.T) {
	s, err := bunschema.FromModels(models.All()...)
	if err != nil {
		t.Fatal(err)
	}
	user := s.Table("user")
	if user == nil {
		t.Fatal("no user table")
	}
	wantCols := []struct {
		name     string
		typ      schema.Type
		nullable bool
	}{
		{"id", schema.Type{Kind: schema.Integer}, false},
		{"username", schema.Type{Kind: schema.String, Length: 64}, false},
		{"email", schema.Type{Kind: schema.String, Length: 120}, false},
		{"password_hash", schema.Type{Kind: schema.String, Length: 256}, true},
		{"about_me", schema.Type{Kind: schema.String, Length: 140}, true}, // chapter 6
		{"last_seen", schema.Type{Kind: schema.DateTime}, true},
		{"last_message_read_time", schema.Type{Kind: schema.DateTime}, true}, // chapter 21
		{"token", schema.Type{Kind: schema.String, Length: 32}, true},        // chapter 23
		{"token_expiration", schema.Type{Kind: schema.DateTime}, true},
		{"username_key", schema.Type{Kind: schema.String, Length: 64}, true}, // ours (eb734d6789e7)
		{"language", schema.Type{Kind: schema.String, Length: 5}, true},      // ours (b3ea10ae6597)
		{"disabled_at", schema.Type{Kind: schema.DateTime}, true},            // ours (4c2b5f67ca6d)
	}
	if len(user.Columns) != len(wantCols) {
		t.Fatalf("user has %d columns, want %d", len(user.Columns), len(wantCols))
	}
	for i, w := range wantCols {
		c := user.Columns[i]
		if c.Name != w.name || c.Type != w.typ || c.Nullable != w.nullable {
			t.Errorf("user column %d = %s %v nullable=%v, want %s %v nullable=%v", i, c.Name, c.Type, c.Nullable, w.name, w.typ, w.nullable)
		}
	}
	if !user.Column("id").AutoIncrement || user.PrimaryKey == nil || user.PrimaryKey.Columns[0] != "id" {
		t.Errorf("user.id is not an autoincrement primary key: %+v", user.PrimaryKey)
	}
	for _, name := range []string{"ix_user_username", "ix_user_email"} {
		ix := user.Index(name)
		if ix == nil || !ix.Unique {
			t.Errorf("index %s missing or not unique: %+v", name, ix)
		}
	}

	post := s.Table("post")
	if post == nil {
		t.Fatal("no post table")
	}
	if c := post.Column("body"); c.Type != (schema.Type{Kind: schema.String, Length: 140}) || c.Nullable {
		t.Errorf("post.body = %v nullable=%v", c.Type, c.Nullable)
	}
	if c := post.Column("timestamp"); c.Type.Kind != schema.DateTime || c.Nullable {
		t.Errorf("post.timestamp = %v nullable=%v", c.Type, c.Nullable)
	}
	for _, name := range []string{"ix_post_timestamp", "ix_post_user_id"} {
		if ix := post.Index(name); ix == nil || ix.Unique {
			t.Errorf("index %s missing or unique: %+v", name, ix)
		}
	}
	if len(post.ForeignKeys) != 1 {
		t.Fatalf("post has %d foreign keys, want 1", len(post.ForeignKeys))
	}
	fk := post.ForeignKeys[0]
	if fk.Name != "fk_post_user_id_user" || fk.RefTable != "user" || fk.Columns[0] != "user_id" || fk.RefColumns[0] != "id" {
		t.Errorf("post foreign key = %+v", fk)
	}
	if len(user.ForeignKeys) != 0 {
		t.Errorf("user has foreign keys %+v; has-many must not declare one", user.ForeignKeys)
	}

	// Chapter 8: the followers association table, composite key, two foreign keys.
	f := s.Table("followers")
	if f == nil || strings.Join(f.PrimaryKey.Columns, ",") != "follower_id,followed_id" || len(f.ForeignKeys) != 2 || f.Column("follower_id").AutoIncrement {
		t.Fatalf("followers = %+v", f)
	}
}

func TestStringers(t *testing.T) {
	u := &models.User{Username: "susan", Email: "susan@example.com"}
	if got := u.String(); got != "<User susan>" {
		t.Errorf("user prints %q", got)
	}
	p := &models.Post{Body: "my first post!", Author: u}
	if got := p.String(); got != "<Post my first post!>" {
		t.Errorf("post prints %q", got)
	}
}

func TestStringersOnValuesToo(t *testing.T) {
	if got := fmt.Sprint(models.User{Username: "susan"}); got != "<User susan>" {
		t.Errorf("User value prints %q", got)
	}
	if got := fmt.Sprint([]*models.Post{{Body: "hi"}}); got != "[<Post hi>]" {
		t.Errorf("post slice prints %q", got)
	}
}

// API tokens (revision 843767ed7abf): only a hash of each token is stored, unique; many
// tokens per user.
func TestModelsDescribeAPITokens(t *testing.T) {
	s, err := bunschema.FromModels(models.All()...)
	if err != nil {
		t.Fatal(err)
	}
	at := s.Table("api_token")
	if at == nil {
		t.Fatal("no api_token table")
	}
	if c := at.Column("token_hash"); c == nil || c.Type != (schema.Type{Kind: schema.String, Length: 64}) || c.Nullable {
		t.Errorf("api_token.token_hash = %+v", c)
	}
	if ix := at.Index("ix_api_token_token_hash"); ix == nil || !ix.Unique {
		t.Errorf("ix_api_token_token_hash missing or not unique: %+v", ix)
	}
	if ix := at.Index("ix_api_token_user_id"); ix == nil || ix.Unique {
		t.Errorf("ix_api_token_user_id missing or unique: %+v", ix)
	}
	if len(at.ForeignKeys) != 1 || at.ForeignKeys[0].RefTable != "user" || at.ForeignKeys[0].Columns[0] != "user_id" {
		t.Errorf("api_token foreign keys = %+v", at.ForeignKeys)
	}
	if at.Column("token") != nil {
		t.Error("api_token has a plaintext token column")
	}
}
