package migrate

import "github.com/microblog/microblog/migrate/ops"

// Op kinds, as spelled in revision files (see package ops).
const (
	OpCreateTable      = ops.CreateTable
	OpDropTable        = ops.DropTable
	OpRenameTable      = ops.RenameTable
	OpAddColumn        = ops.AddColumn
	OpDropColumn       = ops.DropColumn
	OpAlterColumn      = ops.AlterColumn
	OpRenameColumn     = ops.RenameColumn
	OpCreateIndex      = ops.CreateIndex
	OpDropIndex        = ops.DropIndex
	OpCreateUnique     = ops.CreateUnique
	OpCreateForeignKey = ops.CreateForeignKey
	OpCreateCheck      = ops.CreateCheck
	OpDropConstraint   = ops.DropConstraint
	OpExecute          = ops.Execute
	OpRequire          = ops.Require
)

// Op is one dialect-neutral schema operation of a revision (defined in package ops, below
// the dialect implementations that render it). See docs/migrations.md for the file format
// of each kind.
type Op = ops.Op
