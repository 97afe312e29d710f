"""Checking one instance against Meta.constraints with a query, as Django's `validate()` does.

The database judges every condition and expression: the condition is built as
for a filter, then each column of the instance's own row is replaced by that
instance's value (a parameter), and `SELECT 1 WHERE COALESCE(<condition>, TRUE)`
runs without a table. A NULL result passes, as a CHECK constraint lets it pass.
A condition that reads an excluded field, or a relation's columns, is not judged
(Django's FieldError path). Nothing here is cached: each statement carries its values.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from relata import exceptions
from relata.db import connections
from relata.models.expressions import Exists, Expression, F, OrderBy, Value
from relata.models.fields import DatabaseDefault
from relata.models.q import Q
from relata.sql import nodes as n

logger = logging.getLogger("relata.models")


class _NotJudged(Exception):
    """The condition reads something the instance cannot stand in for here."""


# -- names a condition reads ----------------------------------------------------------


def referenced_names(node: Any) -> set[str]:
    """Field names (first path parts) a Q, lookup value or expression reads."""
    names: set[str] = set()
    if isinstance(node, Q):
        for child in node.children:
            if isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], str):
                names.add(child[0].split("__", 1)[0])
                names |= referenced_names(child[1])
            else:
                names |= referenced_names(child)
    elif isinstance(node, Expression):
        names |= {ref.split("__", 1)[0] for ref in node.refs()}
    return names


def reads_excluded(model: Any, node: Any, exclude: set[str]) -> bool:
    """Whether `node` reads an excluded field, or a generated field computed from one."""
    if not exclude:
        return False
    for name in referenced_names(node):
        if name in exclude:
            return True
        field = _field_or_none(model, name)
        if field is not None and getattr(field, "generated", False) and referenced_names(field.expression) & exclude:
            return True
    return False


def _field_or_none(model: Any, name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except exceptions.FieldDoesNotExist:
        return None


# -- the instance's row as values -----------------------------------------------------


class RowValues:
    """Column -> node of the instance's value, for the columns of `model`'s own table."""

    def __init__(self, model: Any, instance: Any, exclude: set[str], builder: Any):
        self.builder = builder
        self.alias = builder.base_alias
        self.nodes: dict[str, n.Node] = {}
        self.generated: dict[str, Any] = {}
        for field in model._meta.local_fields:
            # Local only: a parent's columns live in the parent's table.
            if not field.concrete or field.name in exclude:
                continue
            if getattr(field, "generated", False):
                self.generated[field.column] = field
                continue
            self.nodes[field.column] = self._value_node(field, getattr(instance, field.attname))

    def _value_node(self, field: Any, value: Any) -> n.Node:
        if type(value) is DatabaseDefault:
            # The row will hold the database default: judge that value.
            value = field.db_default
        if value is not None and getattr(value, "resolves_in_query", False):
            node, _ = value.resolve(self.builder)
            return self.substitute(node)
        node, _ = Value(value, field).resolve(self.builder)
        return node

    def substitute(self, node: Any) -> Any:
        """`node` with every column of the row's table replaced by the instance's value."""
        if isinstance(node, n.Col):
            if node.alias != self.alias:
                return node
            if node.column in self.nodes:
                return self.nodes[node.column]
            if node.column in self.generated:
                field = self.generated.pop(node.column)
                expression, _ = field.expression.resolve(self.builder)
                self.nodes[node.column] = self.substitute(expression)
                return self.nodes[node.column]
            raise _NotJudged(node.column)
        if isinstance(node, tuple):
            return tuple(self.substitute(item) for item in node)
        if not isinstance(node, n.Node):
            return node
        changes = {}
        for spec in dataclasses.fields(node):
            value = getattr(node, spec.name)
            replaced = self.substitute(value)
            if replaced is not value:
                changes[spec.name] = replaced
        return dataclasses.replace(node, **changes) if changes else node


def row_builder(model: Any, connection: Any) -> Any:
    """A query builder over `model` for SQL built for one call (a row's values), never cached."""
    from relata.models.query.build import QueryBuilder
    from relata.models.query.state import QueryState, Shape

    # Never cached: the statement carries the instance's values.
    return QueryBuilder(Shape.of_constant(QueryState(model)), connection)


def _condition_node(builder: Any, condition: Any) -> n.Node:
    tree = condition.as_tree() if isinstance(condition, Q) else ("expr", condition)
    node = builder.where_node(tree, 0)
    if builder.joins:
        raise _NotJudged("a relation")  # Django cannot join from a row it has not saved either
    return node


# -- running the check ----------------------------------------------------------------


def _row_exists(connection: Any, where: n.Node, label: str) -> bool:
    """Run `SELECT 1 WHERE COALESCE(where, TRUE)`: a database error counts as passing (logged), as in Django."""
    from relata import transaction

    test = n.Func("COALESCE", (where, n.Param(True)))
    select = n.Select(((n.Param(1), "_check"),), None, where=test)
    sql, params = connection.ops.compiler().compile(select)
    try:
        if connection.in_atomic_block:
            with transaction.atomic(using=connection.alias):
                return connection.execute(sql, params).fetchone() is not None
        return connection.execute(sql, params).fetchone() is not None
    except exceptions.DatabaseError as error:
        logger.warning("Got a database error checking %s: %s", label, error)
        return True


def check_holds(model: Any, instance: Any, condition: Any, exclude: Any, using: str) -> bool:
    """Whether `instance` satisfies a CheckConstraint's condition (True when it cannot be judged)."""
    exclude = set(exclude or ())
    if reads_excluded(model, condition, exclude) or ("pk" in exclude and "pk" in referenced_names(condition)):
        return True
    connection = connections[using]
    builder = row_builder(model, connection)
    try:
        row = RowValues(model, instance, exclude, builder)
        where = row.substitute(_condition_node(builder, condition))
    except (_NotJudged, exceptions.FieldError):
        return True
    return _row_exists(connection, where, repr(condition))


# -- unique constraints ---------------------------------------------------------------


class MatchesRow(Expression):
    """`expr = <expr computed from the instance's values>` for each expression, inside a query.

    Built for one validate() call; unhashable on purpose, so the statement holding it is compiled
    for that call only and never cached (its parameters are this instance's values).
    """

    conditional = True

    def __init__(self, expressions: tuple[Any, ...], model: Any, instance: Any, exclude: set[str], nulls: bool):
        self.expressions = expressions
        self.model, self.instance, self.exclude = model, instance, frozenset(exclude)
        self.nulls_match = nulls

    def identity(self) -> tuple[Any, ...]:
        return (MatchesRow, [id(self)])

    def resolve(self, builder: Any) -> tuple[n.Node, Any]:
        row = RowValues(self.model, self.instance, set(self.exclude), builder)
        parts = []
        for expression in self.expressions:
            node, _ = expression.resolve(builder)
            value = row.substitute(node)
            match: n.Node = n.Lookup("exact", node, value)
            if self.nulls_match:
                match = n.Or((match, n.And((n.IsNull(node), n.IsNull(value)))))
            parts.append(match)
        return (parts[0] if len(parts) == 1 else n.And(tuple(parts))), None


def _for_validation(expression: Any) -> Any:
    """The value an index entry compares: its ordering does not take part."""
    while isinstance(expression, OrderBy):
        expression = expression.expression
    return expression


def unique_violated(constraint: Any, model: Any, instance: Any, exclude: Any, using: str) -> bool:
    """Whether another row already holds what `instance` would put under a UniqueConstraint."""
    exclude = set(exclude or ())
    queryset = model._default_manager.using(using)
    if constraint.fields:
        if exclude.intersection(constraint.fields):
            return False
        queryset = _fields_filter(constraint, model, instance, exclude, queryset, using)
        if queryset is None:
            return False
    else:
        expressions = tuple(_for_validation(e) for e in constraint.expressions)
        if any(reads_excluded(model, e, exclude) for e in expressions):
            return False
        queryset = queryset.filter(
            MatchesRow(expressions, model, instance, exclude, constraint.nulls_distinct is False)
        )
    if not instance._state.adding and instance._is_pk_set():
        queryset = queryset.exclude(pk=instance.pk)
    if constraint.condition is None:
        try:
            return queryset.exists()
        except _NotJudged:
            return False
    if reads_excluded(model, constraint.condition, exclude):
        return False
    return _conditional_clash(model, instance, constraint.condition, queryset, exclude, using)


def _fields_filter(constraint: Any, model: Any, instance: Any, exclude: set[str], queryset: Any, using: str) -> Any:
    """The queryset narrowed to rows equal on the fields, or None when NULLs make a clash impossible."""
    connection = connections[using]
    lookup: dict[str, Any] = {}
    generated = []
    for name in constraint.fields:
        field = model._meta.get_field(name)
        if getattr(field, "generated", False):
            if reads_excluded(model, field.expression, exclude):
                return None
            generated.append(F(name))
            continue
        value = getattr(instance, field.attname)
        if type(value) is DatabaseDefault:
            value = field.db_default
        empty_null = value == "" and connection.features.interprets_empty_strings_as_nulls
        if constraint.nulls_distinct is not False and (value is None or empty_null):
            return None  # NULL never equals NULL: no clash is possible
        lookup[field.name] = value
    if generated:
        nulls = constraint.nulls_distinct is False
        queryset = queryset.filter(MatchesRow(tuple(generated), model, instance, exclude, nulls))
    if constraint.nulls_distinct is False:
        nulls = [Q(**{f"{name}__isnull": True}) for name, value in lookup.items() if value is None]
        lookup = {name: value for name, value in lookup.items() if value is not None}
        for q in nulls:
            queryset = queryset.filter(q)
    return queryset.filter(**lookup)


def _conditional_clash(model: Any, instance: Any, condition: Any, queryset: Any, exclude: set[str], using: str) -> bool:
    """Django's `(condition & Exists(queryset.filter(condition))).check(instance)`, in one statement."""
    connection = connections[using]
    builder = row_builder(model, connection)
    try:
        row = RowValues(model, instance, exclude, builder)
        covers = row.substitute(_condition_node(builder, condition))
        exists, _ = Exists(queryset.filter(condition)).resolve(builder)
    except (_NotJudged, exceptions.FieldError):
        return False
    return _row_exists(connection, n.And((covers, exists)), repr(condition))


def validate_constraints(instance: Any, exclude: Any, using: str) -> None:
    """Model.validate_constraints(): every constraint of the model and its parents, errors by field."""
    from relata.models.unique_checks import _chain

    errors: dict[str, list[Any]] = {}
    for model_class in _chain(type(instance)):
        for constraint in model_class._meta.constraints:
            try:
                constraint.validate(model_class, instance, exclude=exclude, using=using)
            except exceptions.ValidationError as error:
                fields = getattr(constraint, "fields", ())
                if getattr(error, "code", None) == "unique" and len(fields) == 1:
                    errors.setdefault(fields[0], []).append(error)
                else:
                    error.update_error_dict(errors)
    if errors:
        raise exceptions.ValidationError(errors)
