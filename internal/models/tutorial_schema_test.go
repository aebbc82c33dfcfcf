package models_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/microblog/microblog/internal/models"
	"github.com/microblog/microblog/migrate/bunschema"
)

// The tutorial's final schema (v0.23, reference §1.2), column by column: name, type,
// nullability. The models must describe exactly these columns in this order, so that a
// database made by the Flask microblog and one made by us hold the same schema.
var tutorialColumns = map[string][]string{
	"user": {
		"id integer NOT NULL", "username varchar(64) NOT NULL", "email varchar(120) NOT NULL",
		"password_hash varchar(256) NULL", "about_me varchar(140) NULL", "last_seen datetime NULL",
		"last_message_read_time datetime NULL", "token varchar(32) NULL", "token_expiration datetime NULL",
	},
	"post": {
		"id integer NOT NULL", "body varchar(140) NOT NULL", "timestamp datetime NOT NULL",
		"user_id integer NOT NULL", "language varchar(5) NULL",
	},
	"followers": {"follower_id integer NOT NULL", "followed_id integer NOT NULL"},
	"message": {
		"id integer NOT NULL", "sender_id integer NOT NULL", "recipient_id integer NOT NULL",
		"body varchar(140) NOT NULL", "timestamp datetime NOT NULL",
	},
	"notification": {
		"id integer NOT NULL", "name varchar(128) NOT NULL", "user_id integer NOT NULL",
		"timestamp float NOT NULL", "payload_json text NOT NULL",
	},
	"task": {
		"id varchar(36) NOT NULL", "name varchar(128) NOT NULL", "description varchar(128) NULL",
		"user_id integer NOT NULL", "complete boolean NOT NULL",
	},
}

// The tutorial's indexes: name, unique, columns.
var tutorialIndexes = map[string][]string{
	"user":         {"ix_user_email unique(email)", "ix_user_token unique(token)", "ix_user_username unique(username)"},
	"post":         {"ix_post_timestamp (timestamp)", "ix_post_user_id (user_id)"},
	"message":      {"ix_message_recipient_id (recipient_id)", "ix_message_sender_id (sender_id)", "ix_message_timestamp (timestamp)"},
	"notification": {"ix_notification_name (name)", "ix_notification_timestamp (timestamp)", "ix_notification_user_id (user_id)"},
	"task":         {"ix_task_name (name)"},
}

// Columns and indexes of the project's own, not the tutorial's (revision eb734d6789e7).
var ours = map[string]bool{"user.username_key": true, "user.ix_user_username_key": true, "user.language": true, "user.disabled_at": true, // b3ea10ae6597, 4c2b5f67ca6d
	"message.ix_message_recipient_id_timestamp": true, "task.ix_task_user_id_complete": true, // 95ca808f003e
	"post.ix_post_user_id_timestamp_id": true} // ccdf2d4e5972

// Foreign keys as columns -> table(columns), and primary keys.
var tutorialKeys = map[string][]string{
	"user":         {"pk(id)"},
	"post":         {"pk(id)", "fk(user_id)->user(id)"},
	"followers":    {"pk(follower_id,followed_id)", "fk(followed_id)->user(id)", "fk(follower_id)->user(id)"},
	"message":      {"pk(id)", "fk(recipient_id)->user(id)", "fk(sender_id)->user(id)"},
	"notification": {"pk(id)", "fk(user_id)->user(id)"},
	"task":         {"pk(id)", "fk(user_id)->user(id)"},
}

func TestModelsDescribeTheTutorialsWholeSchema(t *testing.T) {
	s, err := bunschema.FromModels(models.All()...)
	if err != nil {
		t.Fatal(err)
	}
	for table, want := range tutorialColumns {
		tb := s.Table(table)
		if tb == nil {
			t.Errorf("no table %s", table)
			continue
		}
		var got []string
		for _, c := range tb.Columns {
			if ours[table+"."+c.Name] {
				continue
			}
			null := "NOT NULL"
			if c.Nullable {
				null = "NULL"
			}
			got = append(got, fmt.Sprintf("%s %s %s", c.Name, c.Type.Spec(), null))
		}
		if !slices.Equal(got, want) {
			t.Errorf("table %s columns:\n got  %q\n want %q", table, got, want)
		}

		got = nil
		for _, ix := range tb.Indexes {
			if table == "followers" || ours[table+"."+ix.Name] { // ours (revisions 5f1c0a2e9d41, eb734d6789e7)
				continue
			}
			u := ""
			if ix.Unique {
				u = "unique"
			}
			got = append(got, fmt.Sprintf("%s %s(%s)", ix.Name, u, strings.Join(ix.Columns, ",")))
		}
		slices.Sort(got)
		if !slices.Equal(got, tutorialIndexes[table]) {
			t.Errorf("table %s indexes:\n got  %q\n want %q", table, got, tutorialIndexes[table])
		}

		got = []string{"pk(" + strings.Join(tb.PrimaryKey.Columns, ",") + ")"}
		var fks []string
		for _, fk := range tb.ForeignKeys {
			fks = append(fks, fmt.Sprintf("fk(%s)->%s(%s)", strings.Join(fk.Columns, ","), fk.RefTable, strings.Join(fk.RefColumns, ",")))
		}
		slices.Sort(fks)
		got = append(got, fks...)
		if !slices.Equal(got, tutorialKeys[table]) {
			t.Errorf("table %s keys:\n got  %q\n want %q", table, got, tutorialKeys[table])
		}
	}
	// Python-side defaults only: no column of the tutorial's tables has a server default.
	for table := range tutorialColumns {
		for _, c := range s.Table(table).Columns {
			if c.Default != nil {
				t.Errorf("%s.%s has a server default %q; the tutorial's has none", table, c.Name, *c.Default)
			}
		}
	}
	if c := s.Table("task").Column("id"); c.AutoIncrement {
		t.Error("task.id (a job's UUID) must not autoincrement")
	}
}
