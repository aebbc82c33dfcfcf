// Package models holds microblog's data model: Go structs mapped with bun tags (which
// also describe the schema that migrations are generated from, see migrate/bunschema)
// and the behaviour that belongs to them.
package models

// All lists every model in table-creation order; it is what `microblog db migrate`
// compares the migration history against.
func All() []any {
	return []any{(*User)(nil), (*Post)(nil), (*Follow)(nil), (*Message)(nil), (*Notification)(nil), (*Task)(nil), (*WebSession)(nil), (*RateLimit)(nil), (*JobOutbox)(nil), (*APIToken)(nil), (*TimelineState)(nil), (*TimelineEntry)(nil)}
}
