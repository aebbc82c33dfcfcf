package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/microblog/microblog/migrate/dialect"
	"github.com/microblog/microblog/migrate/schema"
)

// HistoryTable records every revision run: direction, time, duration, the checksum of the
// file that ran, and the tool's version. alembic_version stays Alembic's, so the extra
// record lives in a table of its own.
const HistoryTable = "migrate_history"

// ToolVersion is the version of the module that ran a revision, for the history table.
func ToolVersion() string { return toolVersion() }

// toolVersion reads the build information once: debug.ReadBuildInfo parses the whole
// module list on every call, and a run records one history row per revision.
var toolVersion = sync.OnceValue(func() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return "migrate " + bi.Main.Version
	}
	return "migrate (devel)"
})

// lock takes the migration lock on conn for the whole run (see dialect.Locker): a
// dialect without session locks (SQLite) takes none, and each revision instead checks the
// version table under its transaction's write lock (see runStep).
func (m *Runner) lock(ctx context.Context, conn *sql.Conn) (unlock func(), err error) {
	return m.impl().Lock(ctx, conn)
}

// ensureTables creates the version and history tables when missing.
func (m *Runner) ensureTables(ctx context.Context, q querier) error {
	version := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (\n\tversion_num VARCHAR(32) NOT NULL,\n\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)", m.q(VersionTable))
	id := m.impl().Quirks().HistoryID
	history := fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	%s,
	revision VARCHAR(32) NOT NULL,
	direction VARCHAR(9) NOT NULL,
	applied_at VARCHAR(32) NOT NULL,
	duration_ms INTEGER NOT NULL,
	checksum VARCHAR(64) NOT NULL,
	tool_version VARCHAR(64) NOT NULL
)`, m.q(HistoryTable), id)
	for _, stmt := range []string{version, history} {
		if _, err := q.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("migrate: create %s: %w", strings.Fields(stmt)[5], err)
		}
	}
	return nil
}

func (m *Runner) recordHistory(ctx context.Context, q querier, st step, took time.Duration) error {
	dir := "upgrade"
	if !st.upgrade {
		dir = "downgrade"
	}
	stmt := fmt.Sprintf("INSERT INTO %s (revision, direction, applied_at, duration_ms, checksum, tool_version) VALUES ('%s', '%s', '%s', %d, '%s', %s)",
		m.q(HistoryTable), st.rev.ID, dir, time.Now().UTC().Format(time.RFC3339Nano), took.Milliseconds(), st.rev.Checksum, dialect.String(ToolVersion()))
	if _, err := q.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("record history: %w", err)
	}
	return nil
}

// HistoryEntry is one row of the history table.
type HistoryEntry struct {
	Revision, Direction, AppliedAt, Checksum, ToolVersion string
	DurationMS                                            int64
}

// History returns the history table, oldest first (empty when it does not exist).
func (m *Runner) History(ctx context.Context) ([]HistoryEntry, error) {
	conn, err := m.DB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	return m.historyOn(ctx, conn)
}

func (m *Runner) historyOn(ctx context.Context, q querier) ([]HistoryEntry, error) {
	if ok, err := m.tableExists(ctx, q, HistoryTable); err != nil || !ok {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, fmt.Sprintf("SELECT revision, direction, applied_at, duration_ms, checksum, tool_version FROM %s ORDER BY id", m.q(HistoryTable)))
	if err != nil {
		return nil, fmt.Errorf("migrate: read %s: %w", HistoryTable, err)
	}
	defer rows.Close()
	var out []HistoryEntry
	for rows.Next() {
		var h HistoryEntry
		if err := rows.Scan(&h.Revision, &h.Direction, &h.AppliedAt, &h.DurationMS, &h.Checksum, &h.ToolVersion); err != nil {
			return nil, fmt.Errorf("migrate: read %s: %w", HistoryTable, err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// EditedError lists applied revisions whose files changed since they ran.
type EditedError struct{ Revisions []string }

func (e *EditedError) Error() string {
	return fmt.Sprintf("applied revision file(s) edited since they ran: %s; review the change, then upgrade with --allow-edited (or restore the file)", strings.Join(e.Revisions, ", "))
}

// Edited returns the applied revisions whose file checksum differs from the one recorded
// when they were last upgraded.
func (m *Runner) Edited(ctx context.Context) ([]string, error) {
	conn, err := m.DB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	current, err := m.currentOn(ctx, conn)
	if err != nil {
		return nil, err
	}
	return m.edited(ctx, conn, current)
}

func (m *Runner) edited(ctx context.Context, q querier, current []string) ([]string, error) {
	hist, err := m.historyOn(ctx, q)
	if err != nil {
		return nil, err
	}
	last := map[string]string{}
	for _, h := range hist {
		if h.Direction == "upgrade" {
			last[h.Revision] = h.Checksum
		}
	}
	var out []string
	applied := m.Repo.Ancestors(current...)
	for _, rev := range m.Repo.Ordered() {
		if !applied[rev.ID] {
			continue
		}
		if sum, ok := last[rev.ID]; ok && sum != rev.Checksum {
			out = append(out, fmt.Sprintf("%s (%s)", rev.ID, rev.Path))
		}
	}
	return out, nil
}

func (m *Runner) checkEdited(ctx context.Context, q querier, current []string) error {
	edited, err := m.edited(ctx, q, current)
	if err != nil {
		return err
	}
	if len(edited) > 0 {
		return &EditedError{Revisions: edited}
	}
	return nil
}

// Drift compares the live schema with the one the current revisions describe and lists
// the tables that differ (missing, unexpected, or with other columns, indexes or
// constraints), so that hand-made changes are found before the next revision trips on
// them. Objects the revisions declare unmanaged (Repo.Unmanaged) are not compared.
func (m *Runner) Drift(ctx context.Context) ([]string, error) {
	current, err := m.Current(ctx)
	if err != nil {
		return nil, err
	}
	if err := m.known(current); err != nil {
		return nil, err
	}
	want, err := m.Repo.SchemaAt(current...)
	if err != nil {
		return nil, err
	}
	live, err := m.inspectManaged(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range want.Tables {
		lt := live.Table(t.Name)
		switch {
		case lt == nil:
			out = append(out, fmt.Sprintf("table %q is missing", t.Name))
		case tableKey(lt, m.impl()) != tableKey(t, m.impl()):
			out = append(out, fmt.Sprintf("table %q differs", t.Name))
		}
	}
	for _, lt := range live.Tables {
		if want.Table(lt.Name) == nil {
			out = append(out, fmt.Sprintf("table %q is not in the revisions", lt.Name))
		}
	}
	return out, nil
}

// inspectManaged reads the live schema without the objects the repository declares
// unmanaged.
func (m *Runner) inspectManaged(ctx context.Context) (*schema.Schema, error) {
	live, err := inspect(ctx, m.DB, m.impl())
	if err != nil {
		return nil, err
	}
	return m.Repo.Managed(live), nil
}
