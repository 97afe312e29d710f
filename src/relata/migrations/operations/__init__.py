"""Every migration operation, importable as `migrations.CreateModel` etc."""

from relata.migrations.operations.base import Operation
from relata.migrations.operations.fields import AddField, AlterField, RemoveField, RenameField
from relata.migrations.operations.models import (
    AddConstraint,
    AddIndex,
    AlterModelOptions,
    AlterModelTable,
    AlterModelTableComment,
    AlterUniqueTogether,
    CreateModel,
    DeleteModel,
    RemoveConstraint,
    RemoveIndex,
    RenameIndex,
    RenameModel,
)
from relata.migrations.operations.special import RunPython, RunSQL

__all__ = [
    "AddConstraint",
    "AddField",
    "AddIndex",
    "AlterField",
    "AlterModelOptions",
    "AlterModelTable",
    "AlterModelTableComment",
    "AlterUniqueTogether",
    "CreateModel",
    "DeleteModel",
    "Operation",
    "RemoveConstraint",
    "RemoveField",
    "RemoveIndex",
    "RenameField",
    "RenameIndex",
    "RenameModel",
    "RunPython",
    "RunSQL",
]
