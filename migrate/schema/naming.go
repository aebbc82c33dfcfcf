package schema

import "strings"

// Deterministic names for indexes and constraints, following the tutorial's
// Alembic naming convention (ix_user_email) and extending it to every kind of
// constraint so that names never depend on the database that created them.

// IndexName is ix_<table>_<col1>_<col2>…
func IndexName(table string, columns []string) string {
	return "ix_" + table + "_" + strings.Join(columns, "_")
}

// UniqueName is uq_<table>_<col1>_<col2>…
func UniqueName(table string, columns []string) string {
	return "uq_" + table + "_" + strings.Join(columns, "_")
}

// ForeignKeyName is fk_<table>_<col1>…_<reftable>.
func ForeignKeyName(table string, columns []string, refTable string) string {
	return "fk_" + table + "_" + strings.Join(columns, "_") + "_" + refTable
}

// PrimaryKeyName is pk_<table>.
func PrimaryKeyName(table string) string { return "pk_" + table }

// CheckName is ck_<table>_<suffix>.
func CheckName(table, suffix string) string { return "ck_" + table + "_" + suffix }
