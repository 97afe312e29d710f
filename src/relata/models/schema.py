"""Models to schema specs: what table, columns, indexes and constraints a model needs.

Backends never see model classes; they get the `TableSpec` built here.
Index names follow Django's pattern `<table>_<column>_<hash>` so a schema
made by relata reads like one made by Django.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from typing import Any

from relata.models.constraints import CheckConstraint, UniqueConstraint
from relata.models.expressions import OrderBy
from relata.sql import nodes as n
from relata.sql.ddl import CheckSpec, IndexSpec, TableSpec


def index_name(table: str, columns: list[str] | tuple[str, ...], suffix: str = "") -> str:
    digest = hashlib.md5("_".join([table, *columns, suffix]).encode(), usedforsecurity=False).hexdigest()[:8]
    name = f"{table}_{'_'.join(columns)}_{digest}"
    if suffix:
        name += f"_{suffix}"
    if len(name) > 60:
        name = f"{table[:20]}_{'_'.join(columns)[:20]}_{digest}{'_' + suffix if suffix else ''}"
    return name


def field_index(model: Any, field: Any) -> IndexSpec | None:
    """The index a field asks for with db_index (FKs have db_index=True by default)."""
    if not field.concrete or not field.db_index or field.unique or field.primary_key:
        return None
    table = model._meta.db_table
    return IndexSpec(index_name(table, [field.column]), table, (field.column,))


def model_indexes(model: Any, connection: Any) -> list[IndexSpec]:
    opts = model._meta
    specs = [spec for field in opts.local_fields if (spec := field_index(model, field)) is not None]
    for index in opts.indexes:
        if not index.name:
            index.set_name_with_model(model)
        specs.append(index_spec(model, index, connection))
    return specs


def index_spec(model: Any, index: Any, connection: Any, unique: bool = False) -> IndexSpec:
    """An Index (or a UniqueConstraint made as a unique index) as an IndexSpec."""
    opts = model._meta
    fields_orders = getattr(index, "fields_orders", None)
    if fields_orders is None:  # a UniqueConstraint names its fields without orderings
        fields_orders = [(name, "") for name in index.fields]
    return IndexSpec(
        index.name,
        opts.db_table,
        tuple(opts.get_field(name).column for name, _order in fields_orders),
        unique=unique,
        descending=tuple(bool(order) for _name, order in fields_orders),
        condition=_condition_sql(model, index.condition, connection),
        expressions=tuple(key_part_sql(model, expression, connection) for expression in index.expressions),
        include=tuple(opts.get_field(name).column for name in index.include),
        opclasses=tuple(_opclass(model, index, name) for name in index.opclasses),
        tablespace=getattr(index, "db_tablespace", None),
        nulls_distinct=getattr(index, "nulls_distinct", None),
    )


def unique_constraint_spec(model: Any, constraint: Any) -> IndexSpec:
    """A UniqueConstraint that is a table constraint: fields only, maybe deferrable or NULLS NOT DISTINCT."""
    opts = model._meta
    deferrable = constraint.deferrable.name if constraint.deferrable is not None else None
    return IndexSpec(
        constraint.name,
        opts.db_table,
        tuple(opts.get_field(name).column for name in constraint.fields),
        unique=True,
        deferrable=deferrable,
        nulls_distinct=constraint.nulls_distinct,
    )


_OPCLASS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")


def _opclass(model: Any, index: Any, name: str) -> str:
    if not isinstance(name, str) or not _OPCLASS.fullmatch(name):
        raise ValueError(
            f"{model.__name__}: index {index.name!r} has the operator class {name!r}; an operator class "
            f"is a plain name such as 'varchar_pattern_ops' (optionally 'schema.name')."
        )
    return name


def key_part_sql(model: Any, expression: Any, connection: Any) -> str:
    """One expression of an index as DDL: `(<expression>)`, then DESC where it is ordered so."""
    descending = False
    if isinstance(expression, OrderBy):
        descending, expression = expression.descending, expression.expression
    node, _ = expression.resolve(_builder(model, connection))
    return f"({_inline_sql(node, connection)})" + (" DESC" if descending else "")


def _condition_sql(model: Any, condition: Any, connection: Any) -> str | None:
    return None if condition is None else check_sql(model, condition, connection)


def table_spec(model: Any, connection: Any) -> TableSpec:
    opts = model._meta
    columns = tuple(_column_spec(model, field, connection) for field in opts.local_fields if field.concrete)
    unique_together = tuple(tuple(opts.get_field(name).column for name in group) for group in opts.unique_together)
    uniques, checks, unique_indexes = [], [], []
    for constraint in opts.constraints:
        if isinstance(constraint, UniqueConstraint):
            if constraint.needs_index:
                unique_indexes.append(index_spec(model, constraint, connection, unique=True))
            else:
                uniques.append(unique_constraint_spec(model, constraint))
        elif isinstance(constraint, CheckConstraint):
            checks.append(CheckSpec(constraint.name, check_sql(model, constraint.condition, connection)))
    return TableSpec(
        opts.db_table,
        columns,
        unique_together,
        tuple(uniques),
        tuple(checks),
        tuple(model_indexes(model, connection) + unique_indexes),
        comment=opts.db_table_comment or None,
        primary_key=tuple(f.column for f in opts.pk_fields) if opts.is_composite_pk else (),
    )


def _column_spec(model: Any, field: Any, connection: Any) -> Any:
    spec = field.column_spec()
    if field.generated:
        return replace(spec, generated=generated_sql(model, field, connection), generated_stored=field.db_persist)
    custom = _custom_db_type(field, connection)
    if custom is not None:
        spec = replace(spec, db_type=custom)
    if not field.has_db_default():
        return spec
    return replace(spec, db_default=db_default_sql(model, field, connection))


def generated_sql(model: Any, field: Any, connection: Any) -> str:
    """A GeneratedField's expression as DDL, reading only its own row's columns."""
    builder = _builder(model, connection)
    node, _ = field.expression.resolve(builder)
    if builder.joins:
        raise ValueError(
            f"{model.__name__}.{field.name}: a GeneratedField's expression can only read columns of its own "
            f"row; {field.expression!r} follows a relation."
        )
    return _inline_sql(node, connection)


def _custom_db_type(field: Any, connection: Any) -> str | None:
    """The type a custom field class gives its column (or a foreign key's target gives it), else None."""
    if field.has_own_db_type():
        return field.db_type(connection)
    target = getattr(field, "target_field", None) if field.is_relation else None
    if target is not None and target.has_own_db_type():
        return target.rel_db_type(connection)
    return None


def db_default_sql(model: Any, field: Any, connection: Any) -> str:
    """A field's db_default as DDL: a literal as the field sends it, an expression in parentheses."""
    value = field.db_default
    if not getattr(value, "resolves_in_query", False):
        return connection.ops.quote_value(field.get_db_prep_value(value, connection))
    if value.refs():
        raise ValueError(
            f"{model.__name__}.{field.name}: db_default={value!r} reads other columns; "
            f"a column default can only use constants and functions such as Now()."
        )
    node, _ = value.resolve(_builder(model, connection))
    return f"({_inline_sql(node, connection)})"


def _builder(model: Any, connection: Any) -> Any:
    from relata.models.query.build import QueryBuilder
    from relata.models.query.state import QueryState, Shape

    # Never cached: the condition's literals are inlined into DDL.
    return QueryBuilder(Shape.of_constant(QueryState(model)), connection)


def check_sql(model: Any, condition: Any, connection: Any) -> str:
    """A CHECK condition as SQL with literals inlined (DDL takes no parameters)."""
    tree = condition.as_tree() if hasattr(condition, "as_tree") else ("expr", condition)
    return _inline_sql(_builder(model, connection).where_node(tree, 0), connection)


def _inline_sql(node: Any, connection: Any) -> str:
    base = connection.ops.compiler_class
    ops = connection.ops

    class InlineCompiler(base):  # type: ignore[misc, valid-type]
        def visit_Col(self, col: n.Col) -> str:
            return self.quote(col.column)

        def visit_Param(self, param: n.Param) -> str:
            # Written like every other literal text, so compile() reads its `%` back right.
            return self.escape_percent(ops.quote_value(param.value))

    sql, _ = InlineCompiler().compile(node)
    return sql


def m2m_through_models(models: list[Any]) -> list[Any]:
    """Auto-created through models of the given models' many-to-many fields."""
    throughs = []
    for model in models:
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if isinstance(through, type) and getattr(through._meta, "auto_created", False) and through not in throughs:
                throughs.append(through)
    return throughs


def dependency_order(models: list[Any]) -> list[Any]:
    """Models ordered so each comes after the models its foreign keys point at."""
    ordered: list[Any] = []
    pending = list(models)
    while pending:
        for model in pending:
            targets = {
                f.related_model
                for f in model._meta.local_fields
                if f.is_relation and f.related_model is not None and f.related_model is not model
            }
            if not any(t in pending for t in targets):
                ordered.append(model)
                pending.remove(model)
                break
        else:
            ordered.extend(pending)
            break
    return ordered
