"""QuerySet writes: update(), bulk_create(), bulk_update(), get_or_create(), update_or_create().

Each runs in one statement or one transaction, so bad input leaves the table
as it was. Values are prepared by their field and travel as parameters.
"""

from __future__ import annotations

from typing import Any

from relata import exceptions, transaction
from relata.backends.base.statements import StatementKind, cached
from relata.db import connections
from relata.models.fastpaths import HoldsExpression, build_bulk_rows
from relata.models.fields import DatabaseDefault
from relata.models.fields.composite import key_equals, key_in
from relata.models.inheritance import update_across_tables
from relata.models.insert_expressions import insert_rows
from relata.models.instance_state import DEFAULT_DB_ALIAS, mark_saved
from relata.models.query.compiled import EMPTY, compile_query
from relata.models.query.joins import resolve_names
from relata.models.query.statements import UpdateStatement
from relata.sql import nodes as n


def _update_field(opts: Any, name: str) -> Any:
    try:
        field = opts.get_field(name)
    except exceptions.FieldDoesNotExist:
        raise exceptions.FieldError(
            f"Cannot update {opts.object_name}: it has no field named '{name}'. "
            f"Fields are: {', '.join(f.name for f in opts.concrete_fields)}."
        ) from None
    if field is opts.pk and opts.is_composite_pk:
        raise exceptions.FieldError("Composite primary key fields must be updated individually.")
    if not getattr(field, "concrete", False) or field.many_to_many or not hasattr(field, "column"):
        raise exceptions.FieldError(
            f"Cannot update model field {field!r} (only non-relations and foreign keys permitted)."
        )
    return field


def _spread_foreign_objects(opts: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """update(user=obj) of a ForeignObject over several columns: each of its own columns takes obj's value."""
    spread: dict[str, Any] = {}
    for name, value in changes.items():
        field = opts._forward_map.get(name)
        if field is None or field.concrete or not field.is_relation or field.many_to_many:
            spread[name] = value
            continue
        locals_ = getattr(field, "local_related_fields", ())
        if len(locals_) < 2:
            spread[name] = value
            continue
        if value is None:
            spread.update(dict.fromkeys((f.attname for f in locals_), None))
            continue
        if getattr(value, "_meta", None) is None:
            raise ValueError(f"Cannot update {name} with {value!r}: give a {field.related_model.__name__} instance.")
        if not value._is_pk_set():
            raise ValueError(f"Unsaved model instance {value!r} cannot be used in an ORM query.")
        spread.update(zip((f.attname for f in locals_), field.get_foreign_related_value(value), strict=True))
    return spread


def update(queryset: Any, changes: dict[str, Any], prepared: bool = False) -> int:
    """UPDATE the rows the queryset matches; returns the number of rows changed."""
    from relata.models.base import Model

    opts = queryset.model._meta
    connection = queryset._connection
    changes = _spread_foreign_objects(opts, changes)
    fields = [_update_field(opts, name) for name in changes]
    if opts.multi_table and any(f.model._meta.concrete_model is not opts.concrete_model for f in fields):
        return update_across_tables(queryset, fields, changes, lambda qs, part: update(qs, part, prepared))
    shape, slot_values = [], []
    for field, value in zip(fields, changes.values(), strict=True):
        if getattr(value, "resolves_in_query", False):
            if getattr(value, "contains_over_clause", False):
                # Django's words: a window needs the rows of a SELECT; an UPDATE sets one row at a time.
                raise exceptions.FieldError(
                    f"Window expressions are not allowed in this query ({field.name}={value!r})."
                )
            _refuse_joined_refs(queryset, value, field)
            shape.append((field.column, value))
            continue
        if isinstance(value, Model) and field.is_relation:
            if not value._is_pk_set():
                raise ValueError(f"Cannot update {field.name} with an unsaved {type(value).__name__}.")
            value = getattr(value, field.target_field.attname)
        if value is None and not field.null:
            raise exceptions.IntegrityError(
                f"NOT NULL constraint failed: {opts.db_table}.{field.column} "
                f"({opts.object_name}.{field.name} cannot be set to None)"
            )
        if not prepared and value is not None:
            prep = field.db_preparer(connection)
            value = prep(value) if prep is not None else value
        shape.append((field.column, None))
        slot_values.append(value)
    _refuse_aggregate_ordering(queryset)
    state = queryset._state.evolve(order_by=(), default_ordering=False, select_related=False)
    with transaction.mark_for_rollback_on_error(connection.alias):
        compiled, values = compile_query(
            state, connection, UpdateStatement, opts.db_table, tuple(shape), values=slot_values
        )
        if compiled is EMPTY:
            return 0
        return connection.execute(compiled.sql, compiled.params(values)).rowcount


def _refuse_aggregate_ordering(queryset: Any) -> None:
    """An ordering by an aggregate has no meaning for an UPDATE (Django refuses it rather than drop it)."""
    aggregates = {a.name: a.expression for a in queryset._state.annotations if a.expression.contains_aggregate}
    for item in queryset._state.order_by or ():
        name = item.lstrip("-") if isinstance(item, str) else None
        if getattr(item, "contains_aggregate", False) or name in aggregates:
            raise exceptions.FieldError(
                f"Cannot update when ordering by an aggregate: {aggregates.get(name, item)!r}. "
                "Remove the ordering (order_by()) before update()."
            )


def _refuse_joined_refs(queryset: Any, expression: Any, field: Any, seen: frozenset[str] = frozenset()) -> None:
    """An UPDATE's SET clause sees only the updated table's own row: no join, no aggregate (also through
    an annotation the value names)."""
    annotations = {a.name: a.expression for a in queryset._state.annotations}
    for name in expression.refs():
        if name in annotations and name not in seen:
            named = annotations[name]
            if getattr(named, "contains_aggregate", False):
                raise exceptions.FieldError(
                    f"Aggregate functions are not allowed in this query ({field.name}={named!r}, "
                    f"through the annotation '{name}')."
                )
            if getattr(named, "resolves_in_query", False):
                _refuse_joined_refs(queryset, named, field, seen | {name})
        elif name not in annotations and resolve_names(queryset.model, name.split("__"), tuple(annotations)).steps:
            raise exceptions.FieldError(
                f"Joined field references are not permitted in this query ({field.name}=...{name}): an UPDATE "
                "sets a row from its own columns; use a Subquery() to read a related row."
            )


def _create_params(model: Any, lookup: dict[str, Any], defaults: dict[str, Any] | None) -> dict[str, Any]:
    params = {k: v for k, v in lookup.items() if "__" not in k}
    params.update({k: (v() if callable(v) else v) for k, v in (defaults or {}).items()})
    opts = model._meta
    invalid = []
    for name in params:
        try:
            opts.get_field(name)
        except exceptions.FieldDoesNotExist:
            attr = getattr(model, name, None)
            if not isinstance(attr, property) or attr.fset is None:
                invalid.append(name)  # only a property that can be set takes a value, as in Django
    if invalid:
        raise exceptions.FieldError(
            f"Invalid field name(s) for model {opts.object_name}: '{', '.join(sorted(invalid))}'."
        )
    return params


def get_or_create(queryset: Any, defaults: dict[str, Any] | None, lookup: dict[str, Any]) -> tuple[Any, bool]:
    """Get, else create; a concurrent creator's row is fetched rather than reported as an IntegrityError.

    The insert runs in its own atomic block (a savepoint when nested), so
    losing the race rolls back only that insert, never the caller's work.
    """
    try:
        return queryset.get(**lookup), False
    except queryset.model.DoesNotExist:
        pass
    if defaults:  # read only now: a lazy `defaults` is never evaluated when the row exists, as in Django
        queryset._refuse_reverse_one_to_one(defaults)
    params = _create_params(queryset.model, lookup, defaults)
    using = queryset.db_for_write()
    try:
        with transaction.atomic(using=using):
            obj = queryset.model(**params)
            obj.save(force_insert=True, using=using)
            return obj, True
    except exceptions.IntegrityError:
        try:
            return queryset.get(**lookup), False
        except queryset.model.DoesNotExist:
            pass
        raise


def update_or_create(
    queryset: Any, defaults: dict[str, Any] | None, create_defaults: dict[str, Any] | None, lookup: dict[str, Any]
) -> tuple[Any, bool]:
    """Update the matching row under a row lock, else create it; safe against concurrent callers.

    A failed INSERT keeps a shared lock on the existing key until its
    transaction ends (InnoDB), and two such holders that then ask for the
    row lock deadlock. So when this call owns the transaction, the INSERT
    runs in a transaction of its own, and losing the race re-reads the
    winner's row, locked, in a fresh one. Inside a caller's transaction the
    INSERT can only be a savepoint, as in get_or_create().
    """
    defaults = defaults or {}
    if create_defaults is None:
        create_defaults = defaults
    using = queryset.db_for_write()
    locking = queryset.select_for_update()
    if not transaction.get_autocommit(using):
        with transaction.atomic(using=using):
            obj, created = get_or_create(locking, create_defaults, lookup)
            if not created:
                _update_found(obj, defaults, using)
            return obj, created
    with transaction.atomic(using=using):
        try:
            return _update_found(locking.get(**lookup), defaults, using), False
        except queryset.model.DoesNotExist:
            pass
    params = _create_params(queryset.model, lookup, create_defaults)
    try:
        with transaction.atomic(using=using):
            obj = queryset.model(**params)
            obj.save(force_insert=True, using=using)
            return obj, True
    except exceptions.IntegrityError as error:
        lost_race = error
    with transaction.atomic(using=using):
        try:
            return _update_found(locking.get(**lookup), defaults, using), False
        except queryset.model.DoesNotExist:
            pass
    raise lost_race


def _update_found(obj: Any, defaults: dict[str, Any], using: str) -> Any:
    """Apply update_or_create()'s defaults to the row it found, saving only those fields (and auto_now ones)."""
    for name, value in defaults.items():
        setattr(obj, name, value() if callable(value) else value)
    update_fields = set(defaults)
    opts = obj._meta
    for field in opts.concrete_fields:
        if getattr(field, "auto_now", False):
            update_fields.add(field.name)
    concrete = {f.name for f in opts.concrete_fields} | {f.attname for f in opts.concrete_fields}
    if update_fields and update_fields <= concrete:
        obj.save(using=using, update_fields=update_fields)
    else:
        obj.save(using=using)
    return obj


# -- bulk ---------------------------------------------------------------------


def _check_bulk_objects(model: Any, objs: list[Any], operation: str) -> None:
    if set(map(type, objs)) == {model}:
        return  # the usual case, checked without a Python-level loop
    for obj in objs:
        if not isinstance(obj, model):
            raise TypeError(f"{operation}() expected {model.__name__} instances, got {obj!r}.")


def bulk_create(
    queryset: Any,
    objs: list[Any],
    batch_size: int | None,
    ignore_conflicts: bool,
    update_conflicts: bool,
    update_fields: Any,
    unique_fields: Any,
) -> list[Any]:
    from relata.models.persistence import _prepare_related_fields, forget_database_defaults, forget_generated

    if batch_size is not None and batch_size <= 0:
        raise ValueError("Batch size must be a positive integer.")
    if ignore_conflicts and update_conflicts:
        raise ValueError("ignore_conflicts and update_conflicts are mutually exclusive.")
    if queryset.model._meta.multi_table:
        raise ValueError("Can't bulk create a multi-table inherited model")
    if not objs:
        return objs
    model = queryset.model
    opts = model._meta
    _check_bulk_objects(model, objs, "bulk_create")
    using = queryset.db_for_write()
    connection = connections[using]
    on_conflict = _conflict_clause(opts, connection.features, update_conflicts, update_fields, unique_fields)
    if ignore_conflicts:
        on_conflict = ("ignore",)
    relation_names = [f.name for f in opts.concrete_relation_fields]
    for obj in objs:
        cache = obj.__dict__
        for name in relation_names:
            if cache.get(name) is not None:  # a related object to check (and take the key of)
                _prepare_related_fields(obj, "bulk_create")
                break
    pk = opts.pk
    pk_attname = pk.attname
    if pk.has_default():
        for obj in objs:
            if obj.__dict__.get(pk_attname) is None:
                obj.__dict__[pk_attname] = pk.get_default()
    # A composite key's parts are plain columns the rows carry: no key for the database to assign.
    without_pk = [] if opts.is_composite_pk else [o for o in objs if o.__dict__.get(pk_attname) is None]
    if not without_pk or len(without_pk) == len(objs):
        groups = [(objs, not without_pk, ())]
    else:
        groups = [([o for o in objs if o.__dict__.get(pk_attname) is not None], True, ()), (without_pk, False, ())]
    if opts.db_default_fields:
        groups = [split for group, has_pk, _ in groups for split in _by_database_defaults(opts, group, has_pk)]
    with transaction.atomic(using=using, savepoint=False):
        for group, has_pk, left_out in groups:
            _insert_group(connection, model, group, has_pk, batch_size, on_conflict, left_out)
    if opts.db_default_fields:
        for obj in objs:
            forget_database_defaults(obj)
    if opts.generated_fields:
        for obj in objs:
            forget_generated(obj)  # computed by the database: they load on first access
    for obj in objs:
        cache = obj.__dict__
        if "_state" in cache and cache["_state"] is None and using == DEFAULT_DB_ALIAS:
            del cache["_state"]  # new -> saved in the default database (mark_saved, inlined)
        else:
            mark_saved(obj, using)
    return objs


def _by_database_defaults(opts: Any, group: list[Any], has_pk: bool) -> list[tuple[list[Any], bool, tuple[Any, ...]]]:
    """Split `group` by which db_default fields still hold DatabaseDefault: one INSERT column list each."""
    by_left_out: dict[tuple[Any, ...], list[Any]] = {}
    for obj in group:
        cache = obj.__dict__
        left_out = tuple(f for f in opts.db_default_fields if type(cache.get(f.attname)) is DatabaseDefault)
        by_left_out.setdefault(left_out, []).append(obj)
    return [(objs, has_pk, left_out) for left_out, objs in by_left_out.items()]


def _insert_group(
    connection: Any,
    model: Any,
    group: list[Any],
    has_pk: bool,
    batch_size: int | None,
    on_conflict: Any,
    left_out: tuple[Any, ...] = (),
) -> None:
    """INSERT `group` in batches; without a pk, read back the ones the database assigned when it can.

    Columns in `left_out` get the database's DEFAULT.
    """
    opts = model._meta
    pk = opts.pk
    fields = [f for f in opts.insertable_fields if (has_pk or f is not opts.auto_field) and f not in left_out]
    returning = not has_pk and connection.features.can_return_rows_from_bulk_insert and on_conflict is None
    converter = pk.from_db_converter(connection)
    # A driver that pipelines executemany() gets one single-row statement for
    # every row, which beats one huge multi-row VALUES it would have to parse.
    pipelined = connection.features.has_fast_executemany
    read_rows = _bulk_rows(connection, model, tuple(fields), flat=not pipelined)
    size = (batch_size or len(group)) if pipelined else _batch_size(connection, len(fields), batch_size)
    for start in range(0, len(group), size):
        batch = group[start : start + size]
        try:
            rows = read_rows(batch)
        except HoldsExpression:
            _insert_with_expressions(connection, opts, tuple(fields), group[start:], size, returning, on_conflict)
            return
        if pipelined:
            sql = _insert_sql(connection, opts, fields, 1, returning, on_conflict)
            ids = connection.executemany(sql, rows, returning=returning)
        else:
            sql = _insert_sql(connection, opts, fields, len(batch), returning, on_conflict)
            cursor = connection.execute(sql, rows)
            ids = [row[0] for row in cursor.fetchall()] if returning else None
        if returning:
            for obj, value in zip(batch, ids, strict=True):
                obj.__dict__[pk.attname] = converter(value) if converter else value


def _insert_with_expressions(
    connection: Any, opts: Any, fields: tuple[Any, ...], group: list[Any], size: int, returning: bool, on_conflict: Any
) -> None:
    """bulk_create() of rows holding expressions (`Lower(Value("x"))`, `Now()`): SQL built for this call."""
    from relata.models.persistence import _forget_expressions, _insert_statement

    read_values = _insert_statement(connection, opts, fields, False).values
    pk, converter = opts.pk, opts.pk.from_db_converter(connection)
    for start in range(0, len(group), size):
        batch = group[start : start + size]
        rows = [read_values(obj)[0] for obj in batch]
        cursor = insert_rows(connection, opts, fields, rows, (pk.column,) if returning else (), on_conflict)
        if returning:
            for obj, (value,) in zip(batch, cursor.fetchall(), strict=True):
                obj.__dict__[pk.attname] = converter(value) if converter else value
        for obj, row in zip(batch, rows, strict=True):
            _forget_expressions(obj, fields, row)


class BulkRows(StatementKind):
    """The generated `rows(objs)` reading some fields of a model: keyed by model, attnames and flatness."""

    @classmethod
    def build(cls, connection: Any, _model: Any, _attnames: Any, flat: bool, fields: Any) -> Any:
        return build_bulk_rows(connection, fields, flat)

    @classmethod
    def fingerprint(cls, entry: Any) -> Any:
        return None  # generated code, made only from what the key names


def _bulk_rows(connection: Any, model: Any, fields: tuple[Any, ...], flat: bool) -> Any:
    return cached(connection, (BulkRows, model, tuple(f.attname for f in fields), flat), fields)


def _conflict_clause(opts: Any, features: Any, update: bool, update_fields: Any, unique_fields: Any) -> Any:
    """The ON CONFLICT ... DO UPDATE of an upsert, its options checked as Django checks them."""
    if not update:
        return None
    # Names resolve first, so an unknown one is a FieldDoesNotExist naming it.
    unique = [opts.get_field(opts.pk.name if name == "pk" else name) for name in unique_fields or ()]
    updated = [opts.get_field(name) for name in update_fields or ()]
    if not updated:
        raise ValueError("Fields that will be updated when a row insertion fails on conflicts must be provided.")
    if unique and not features.supports_update_conflicts_with_target:
        raise exceptions.NotSupportedError(
            "This database backend does not support updating conflicts with specifying unique fields "
            "that can trigger the upsert."
        )
    if not unique and features.supports_update_conflicts_with_target:
        raise ValueError("Unique fields that can trigger the upsert must be provided.")
    if any(not f.concrete or f.many_to_many for f in updated):
        raise ValueError("bulk_create() can only be used with concrete fields in update_fields.")
    if any(f.primary_key or f in opts.pk_fields for f in updated):
        raise ValueError("bulk_create() cannot be used with primary keys in update_fields.")
    if any(not f.concrete or f.many_to_many for f in unique):
        raise ValueError("bulk_create() can only be used with concrete fields in unique_fields.")
    return ("update", tuple(f.column for f in unique), tuple(f.column for f in updated))


def _batch_size(connection: Any, width: int, requested: int | None) -> int:
    features = connection.features
    limits = [limit for limit in (features.max_query_params, features.max_insert_params) if limit]
    size = max(1, min(limits) // max(width, 1)) if limits else 1000
    if connection.features.max_insert_rows:
        size = min(size, connection.features.max_insert_rows)
    return min(size, requested) if requested else size


class BulkInsert(StatementKind):
    """A multi-row INSERT's SQL: keyed by table, columns, row count, RETURNING and the conflict clause."""

    @classmethod
    def build(cls, connection: Any, table: str, columns: Any, rows: int, returning: Any, on_conflict: Any) -> str:
        row = tuple(n.Param(None) for _ in columns)
        node = n.Insert(table, columns, (row,) * rows, returning, on_conflict)
        return connection.ops.compiler().compile(node)[0]


def _insert_sql(connection: Any, opts: Any, fields: list[Any], rows: int, returning: bool, on_conflict: Any) -> str:
    columns = tuple(f.column for f in fields)
    key = (BulkInsert, opts.db_table, columns, rows, (opts.pk.column,) if returning else (), on_conflict)
    return cached(connection, key)


def bulk_update(queryset: Any, objs: list[Any], names: list[str], batch_size: int | None) -> int:
    if batch_size is not None and batch_size <= 0:
        raise ValueError("Batch size must be a positive integer.")
    if not names:
        raise ValueError("Field names must be given to bulk_update().")
    model = queryset.model
    opts = model._meta
    _check_bulk_objects(model, objs, "bulk_update")
    fields = [opts.get_field(name) for name in names]
    if any(not getattr(f, "concrete", False) or f.many_to_many for f in fields):
        raise ValueError("bulk_update() can only be used with concrete fields.")
    if any(f.primary_key or f in opts.pk_fields for f in fields):
        raise ValueError("bulk_update() cannot be used with primary key fields.")
    if not objs:
        return 0
    if not all(obj._is_pk_set() for obj in objs):
        raise ValueError("All bulk_update() objects must have a primary key set.")
    from relata.models.persistence import _prepare_related_fields

    for obj in objs:
        _prepare_related_fields(obj, "bulk_update")
    using = queryset.db_for_write()
    connection = connections[using]
    per_row = 2 * len(fields) + 1
    size = _batch_size(connection, per_row, batch_size)
    if queryset._state.where or _holds_expressions(objs, fields):
        return _bulk_update_within(queryset, objs, fields, size, using)
    total = 0
    with transaction.atomic(using=using, savepoint=False):
        for start in range(0, len(objs), size):
            batch = objs[start : start + size]
            assignments = []
            for field in fields:
                prep = field.db_preparer(connection)
                whens = []
                for obj in batch:
                    value = obj.__dict__.get(field.attname)
                    if value is not None and prep is not None:
                        value = prep(value)
                    cast = connection.ops.bulk_update_cast(field)
                    result: n.Node = n.Param(value)
                    if cast:
                        result = n.Cast(result, cast)
                    whens.append(n.When(key_equals(opts, obj.pk, connection), result))
                assignments.append((field.column, n.Case(tuple(whens), n.Col(None, field.column))))
            node = n.Update(opts.db_table, tuple(assignments), key_in(opts, [o.pk for o in batch], connection))
            sql, params = connection.ops.compiler().compile(node)
            total += connection.execute(sql, params).rowcount
    return total


def _holds_expressions(objs: list[Any], fields: list[Any]) -> bool:
    return any(getattr(obj.__dict__.get(f.attname), "resolves_in_query", False) for obj in objs for f in fields)


def _bulk_update_within(queryset: Any, objs: list[Any], fields: list[Any], size: int, using: str) -> int:
    """bulk_update() through update(): on a filtered queryset only rows that match the filter change, as in
    Django, and a value may be an expression (`F("n") + 1`, `Lower("name")`) computed from the row itself."""
    from relata.models.expressions import Case, F, Value, When

    total = 0
    with transaction.atomic(using=using, savepoint=False):
        for start in range(0, len(objs), size):
            batch = objs[start : start + size]
            changes = {}
            for field in fields:
                whens = []
                for obj in batch:
                    value = obj.__dict__.get(field.attname)
                    if not getattr(value, "resolves_in_query", False):
                        value = Value(value, output_field=field)
                    whens.append(When(pk=obj.pk, then=value))
                changes[field.attname] = Case(*whens, default=F(field.attname), output_field=field)
            total += queryset.filter(pk__in=[obj.pk for obj in batch]).update(**changes)
    return total
