package web

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/microblog/microblog/internal/database"
	"github.com/microblog/microblog/internal/models"
)

// SessionStore keeps scs sessions in the application's database (table "sessions"), with
// the same SQL on SQLite, PostgreSQL and MySQL. Times are stored in UTC.
type SessionStore struct {
	db  *database.DB
	now func() time.Time
}

// NewSessionStore returns a store on db.
func NewSessionStore(db *database.DB) *SessionStore {
	return &SessionStore{db: db, now: func() time.Time { return time.Now().UTC() }}
}

// sessionRow carries, through the context of one request, what the store knows about the
// request's session row beyond what scs asks for: the expiry it was found with (so that
// the middleware can tell when an idle session is due for a refresh) and the expiry the
// middleware wants written (scs only knows one lifetime for every session).
type sessionRow struct {
	token  string // the token found, when found
	found  bool
	expiry time.Time // as found
	write  time.Time // expiry to store at the next commit, when not zero
}

// errSessionEnded says that a session was deleted (signed out, or expired) by another
// request between this request's load and save: it is not brought back.
var errSessionEnded = errors.New("session store: the session ended during the request")

type sessionRowKey struct{}

func rowOf(ctx context.Context) *sessionRow {
	r, _ := ctx.Value(sessionRowKey{}).(*sessionRow)
	return r
}

// FindCtx returns the data of an unexpired session.
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var row models.WebSession
	err := s.db.NewSelectBound(token, s.now()).Model(&row).Where("token = ? AND expiry > ?", database.Param, database.Param).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("session store: find: %w", err)
	}
	if r := rowOf(ctx); r != nil {
		r.token, r.found, r.expiry = token, true, row.Expiry.UTC()
	}
	return row.Data, true, nil
}

// CommitCtx saves a session with one atomic statement, so that two requests of one
// session saving at the same moment cannot collide (a DELETE followed by an INSERT let
// the second INSERT fail on the primary key). A session this request loaded is updated
// only while its row still exists: a request that began before a sign-out in another tab
// must not bring the signed-out session back. A new token is inserted with an upsert.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, data []byte, expiry time.Time) error {
	r := rowOf(ctx)
	if r != nil && !r.write.IsZero() {
		expiry = r.write
	}
	row := &models.WebSession{Token: token, Data: data, Expiry: expiry.UTC()}
	if r != nil && r.found && r.token == token {
		res, err := s.db.Bun.NewUpdate().Model(row).Column("data", "expiry").
			Where("token = ? AND expiry > ?", token, s.now()).Exec(ctx)
		if err != nil {
			return fmt.Errorf("session store: commit: %w", err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return errSessionEnded
		}
	} else {
		q := s.db.Bun.NewInsert().Model(row)
		if s.db.Dialect == database.MySQL {
			q = q.On("DUPLICATE KEY UPDATE").Set("data = VALUES(data)").Set("expiry = VALUES(expiry)")
		} else {
			q = q.On("CONFLICT (token) DO UPDATE").Set("data = EXCLUDED.data").Set("expiry = EXCLUDED.expiry")
		}
		if _, err := q.Exec(ctx); err != nil {
			return fmt.Errorf("session store: commit: %w", err)
		}
	}
	if r != nil {
		r.token, r.found, r.expiry = token, true, expiry.UTC()
	}
	return nil
}

// DeleteCtx removes a session.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	if _, err := s.db.Bun.NewDelete().Model((*models.WebSession)(nil)).Where("token = ?", token).Exec(ctx); err != nil {
		return fmt.Errorf("session store: delete: %w", err)
	}
	return nil
}

// DeleteExpired removes every expired session and says how many there were.
func (s *SessionStore) DeleteExpired(ctx context.Context) (int64, error) {
	res, err := s.db.Bun.NewDelete().Model((*models.WebSession)(nil)).Where("expiry <= ?", s.now()).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("session store: delete expired: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// The context-free methods scs also requires.

// Find is FindCtx without a context.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a context.
func (s *SessionStore) Commit(token string, data []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, data, expiry)
}

// Delete is DeleteCtx without a context.
func (s *SessionStore) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }
