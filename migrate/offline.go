package migrate

import (
	"fmt"
	"strings"
)

// Script renders, without a database, the SQL that upgrading (up) or downgrading from
// the revisions from to target would run on the Runner's dialect: Alembic's offline mode
// (`db upgrade --sql FROM:TO`). Each revision is wrapped in BEGIN/COMMIT where the dialect
// has transactional DDL; SQLite rebuilds are bracketed by the foreign-key pragmas. The
// history table is not written by scripts (there is no timing offline).
func (m *Runner) Script(from []string, target string, up bool) (string, error) {
	if err := m.known(from); err != nil {
		return "", err
	}
	goal, err := m.Repo.Resolve(target, from)
	if err != nil {
		return "", err
	}
	var steps []step
	if up {
		steps, err = m.planUpgrade(from, goal)
	} else {
		steps, err = m.planDowngrade(from, goal)
	}
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s (\n\tversion_num VARCHAR(32) NOT NULL,\n\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n);\n\n", m.q(VersionTable))
	for _, st := range steps {
		if st.upgrade {
			fmt.Fprintf(&b, "-- Running upgrade %s -> %s, %s\n\n", strings.Join(st.rev.Down, ", "), st.rev.ID, st.rev.Message)
		} else {
			fmt.Fprintf(&b, "-- Running downgrade %s -> %s, %s\n\n", st.rev.ID, strings.Join(st.rev.Down, ", "), st.rev.Message)
		}
		rebuild := false
		for _, p := range st.plans {
			rebuild = rebuild || p.Rebuild
		}
		if rebuild {
			b.WriteString("PRAGMA foreign_keys=OFF;\n\n")
		}
		transactional := m.impl().Quirks().TransactionalDDL && !st.rev.NonTransactional
		if transactional {
			b.WriteString("BEGIN;\n\n")
		}
		for _, p := range st.plans {
			if p.Require != nil {
				fmt.Fprintf(&b, "-- require (checked by online runs, which stop if the query finds rows of %s)\n-- %s\n\n", p.Require.Message, strings.ReplaceAll(p.Require.Query, "\n", "\n-- "))
			}
		}
		guarded := guardedStatements(st)
		for i, stmt := range m.stepStatements(st) {
			if op, ok := guarded[i]; ok {
				b.WriteString(m.guardComment(st.plans[op].Guards))
			}
			b.WriteString(stmt + ";\n\n")
		}
		if rebuild {
			b.WriteString("PRAGMA foreign_key_check;\n\n")
		}
		if transactional {
			b.WriteString("COMMIT;\n\n")
		}
		if rebuild {
			b.WriteString("PRAGMA foreign_keys=ON;\n\n")
		}
	}
	return b.String(), nil
}

// ParseRange splits an offline target "FROM:TO" (or "TO", from base); FROM may be "base".
func ParseRange(arg string) (from []string, to string) {
	f, t, ok := strings.Cut(arg, ":")
	if !ok {
		return nil, arg
	}
	if f != "" && f != "base" {
		from = strings.Split(f, ",")
	}
	return from, t
}
