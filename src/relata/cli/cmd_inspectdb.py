"""`relata inspectdb`: model source for the tables of an existing database.

Reads the catalog through the backend's introspection (columns, keys, indexes)
and prints a models.py to start from: unmanaged models, so `migrate` leaves the
tables alone, that load every row and pass `relata check`.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any

from relata.cli.inspect_columns import AUTO, class_name, field_name, field_type
from relata.cli.project import load_project
from relata.migrations.recorder import PROGRESS_TABLE, TABLE


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("table", nargs="*", help="only these tables")
    parser.add_argument("--database", default="default", help="database alias (default: default)")


@dataclass
class TableFacts:
    """What the catalog says about one table, in the terms the model needs."""

    columns: list[Any]
    #: column -> ForeignKeyInfo
    foreign: dict[str, Any]
    #: The primary key's columns, in table order.
    primary: list[str]
    #: Columns with a one-column UNIQUE index or constraint (the primary key's aside).
    unique: set[str]
    #: Columns with a one-column index that is not unique.
    indexed: set[str]
    #: Column tuples of UNIQUE constraints over several columns.
    unique_together: list[tuple[str, ...]]
    comment: str


def table_facts(introspection: Any, table: str) -> TableFacts:
    columns = introspection.get_columns(table)
    primary = [column.name for column in columns if column.primary_key]
    indexes = introspection.get_indexes(table)
    found = [tuple(i.columns) for i in indexes if i.unique and not i.primary_key]
    found += [tuple(columns) for _name, columns in introspection.get_unique_constraints(table)]
    unique_sets = [columns for columns in dict.fromkeys(found) if list(columns) != primary]
    indexed = {i.columns[0] for i in indexes if len(i.columns) == 1 and not i.unique}
    return TableFacts(
        columns=columns,
        foreign={fk.column: fk for fk in introspection.get_foreign_keys(table)},
        primary=primary,
        unique={s[0] for s in unique_sets if len(s) == 1},
        indexed=indexed,
        unique_together=[s for s in unique_sets if len(s) > 1],
        comment=introspection.get_table_comment(table),
    )


@dataclass
class ModelWriter:
    """Writes one model; `facts` reads any table's facts, for the targets of foreign keys."""

    table: str
    facts: Any
    used_names: set[str] = field(default_factory=set)
    used_targets: set[str] = field(default_factory=set)
    #: Column -> model field name, for Meta options that name fields.
    names: dict[str, str] = field(default_factory=dict)
    #: Column -> attribute name (a relation's `<name>_id`), for the parts of a composite key.
    attnames: dict[str, str] = field(default_factory=dict)

    def lines(self) -> list[str]:
        own = self.facts(self.table)
        lines = [f"class {class_name(self.table)}(models.Model):"]
        for column in own.columns:
            line = self.field_line(own, column)
            if line:
                lines.append(line)
        if len(own.primary) > 1:
            # Attribute names, as Django writes them (its column names are the attnames unless renamed).
            parts = ", ".join(repr(self.attnames[column]) for column in own.primary)
            lines.insert(1, f"    pk = models.CompositePrimaryKey({parts})")
        lines += ["", "    class Meta:", "        managed = False", f"        db_table = {self.table!r}"]
        if own.comment:
            lines.append(f"        db_table_comment = {own.comment!r}")
        if own.unique_together:
            fields = ", ".join(f"({', '.join(repr(self.names[c]) for c in group)},)" for group in own.unique_together)
            lines.append(f"        unique_together = ({fields},)")
        return lines

    def field_line(self, own: TableFacts, column: Any) -> str:
        is_relation = column.name in own.foreign
        name, notes = field_name(column.name, is_relation, self.used_names)
        self.names[column.name] = name
        self.attnames[column.name] = f"{name}_id" if is_relation else name
        if is_relation:
            kind, args, kwargs = self.relation(own, column, name)
        else:
            kind, params, type_notes = field_type(column.type)
            notes += type_notes
            args, kwargs = [], {key: repr(value) for key, value in params.items()}
            if column.autoincrement and column.primary_key and len(own.primary) == 1:
                kind = AUTO.get(kind, kind)
                if name == "id" and kind == "AutoField":
                    return ""  # the primary key relata adds by itself
            if column.name in own.unique and not column.primary_key:
                kwargs["unique"] = "True"
            elif column.name in own.indexed and not column.primary_key:
                kwargs["db_index"] = "True"
        if column.primary_key and len(own.primary) == 1:
            kwargs["primary_key"] = "True"
        expected = f"{name}_id" if is_relation else name
        if column.name != expected:
            kwargs["db_column"] = repr(column.name)
        if column.null and not column.primary_key:
            kwargs.update({"blank": "True", "null": "True"})
        if column.comment:
            kwargs["db_comment"] = repr(column.comment)
        rendered = ", ".join(args + [f"{key}={value}" for key, value in kwargs.items()])
        comment = f"  # {' '.join(notes)}" if notes else ""
        return f"    {name} = models.{kind}({rendered}){comment}"

    def relation(self, own: TableFacts, column: Any, name: str) -> tuple[str, list[str], dict[str, str]]:
        """ForeignKey or OneToOneField (a unique or sole primary-key column), with to_field and related_name."""
        key = own.foreign[column.name]
        one_to_one = column.name in own.unique or (column.primary_key and len(own.primary) == 1)
        kind = "OneToOneField" if one_to_one else "ForeignKey"
        target = "'self'" if key.table == self.table else repr(class_name(key.table))
        kwargs = {"on_delete": "models.DO_NOTHING"}
        target_primary = self.facts(key.table).primary
        if target_primary != [key.target_column]:
            kwargs["to_field"] = repr(key.target_column)
        if target in self.used_targets:
            # Two relations to one model would share a reverse accessor: name this one apart.
            kwargs["related_name"] = repr(f"{class_name(self.table).lower()}_{name}_set")
        self.used_targets.add(target)
        return kind, [target], kwargs


def run(args: argparse.Namespace) -> int:
    project = load_project(args.settings, args.apps, alias=args.database, import_models=False)
    connection = project.connection()
    introspection = connection.introspection
    tables = args.table or [t for t in introspection.table_names() if t not in (TABLE, PROGRESS_TABLE)]
    cache: dict[str, TableFacts] = {}

    def facts(table: str) -> TableFacts:
        if table not in cache:
            cache[table] = table_facts(introspection, table)
        return cache[table]

    print(
        '"""Models generated by `relata inspectdb` from the database; review before use.\n\n'
        "Each model is unmanaged (Meta.managed = False): relata migrations leave its table alone.\n"
        "Check the on_delete of every ForeignKey and the field types marked with comments.\n"
        '"""\n'
    )
    print("from relata import models")
    for table in tables:
        print("\n")
        print("\n".join(ModelWriter(table, facts).lines()))
    return 0
