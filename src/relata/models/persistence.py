"""Saving, refreshing and uniqueness checks for single instances.

`save()` updates by primary key when the instance may exist and inserts when
it does not, with the INSERT/UPDATE SQL compiled once per model and column
set. Related objects assigned before they were saved are checked first, so
no half-written row is left behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from relata import exceptions
from relata.backends.base.statements import StatementKind, cached
from relata.db import connections
from relata.models import insert_expressions, order_wrt
from relata.models.fastpaths import build_row_values
from relata.models.fields import DatabaseDefault, Field
from relata.models.fields.composite import composite_value, key_condition, key_preparer
from relata.models.inheritance import TableChainSave, check_force_insert
from relata.models.instance_state import DEFAULT_DB_ALIAS, adding_and_db, db_of, mark_saved, take_pending_key
from relata.models.routing import router
from relata.models.signals import post_save, pre_save
from relata.sql import nodes as n


def _prepare_related_fields(obj: Any, operation: str) -> None:
    cache = obj.__dict__
    private = obj._meta.private_fields
    if private:  # a GenericForeignKey refuses an unsaved target as a ForeignKey does below
        for field in private:
            prepare = getattr(field, "prepare_for_save", None)
            if prepare is not None:
                prepare(obj, operation)
    for field in obj._meta.concrete_relation_fields:
        related = cache.get(field.name)
        if related is None:
            continue
        target_value = getattr(related, field.target_field.attname)
        if not related._is_pk_set() or target_value is None:
            if field.one_to_one:  # the failed save must not leave `related.<reverse>` pointing here
                related.__dict__.pop(field.remote_field.get_cache_name(), None)
            raise ValueError(
                f"{operation}() prohibited to prevent data loss due to unsaved related object '{field.name}'."
            )
        current = cache.get(field.attname)
        if take_pending_key(obj, field.name) and (current is None or current == ""):
            # The related object was saved after it was assigned: take its key now.
            cache[field.attname] = target_value
        elif current != target_value:
            # `book.author_id = x` (or None) after `book.author = a`: the id wins, the cache goes.
            del cache[field.name]


def _write_alias(obj: Any, using: str | None) -> str:
    if using:
        return using
    if not router.routers:
        return db_of(obj) or DEFAULT_DB_ALIAS
    return router.db_for_write(type(obj), instance=obj)


def save_instance(
    obj: Any, *, force_insert: bool, force_update: bool, using: str | None, update_fields: Any, raw: bool = False
) -> None:
    _prepare_related_fields(obj, "save")
    opts = obj._meta
    if force_insert and (force_update or update_fields):
        raise ValueError("Cannot force both insert and updating in model saving.")
    forced = force_insert
    if force_insert is not True and force_insert is not False:
        force_insert = bool(check_force_insert(type(obj), force_insert))  # a tuple of bases (Django's form)
    fields = opts.concrete_fields
    if update_fields is not None:
        if not update_fields:
            return
        fields = _update_fields(opts, update_fields)
    # As Django: the router decides, falling back to the database the instance came from.
    using = _write_alias(obj, using)
    adding, state_db = adding_and_db(obj)  # without making a state object
    if update_fields is None and not adding and state_db == using and not opts.concrete_attnames <= obj.__dict__.keys():
        deferred = obj.get_deferred_fields()
        fields = [f for f in fields if f.attname not in deferred]
    announce = (pre_save.receivers or post_save.receivers) and not opts.auto_created
    if announce:
        announced_fields = _announced_update_fields(opts, update_fields, fields, force_insert)
        pre_save.send(sender=type(obj), instance=obj, raw=raw, using=using, update_fields=announced_fields)
    # Every way of writing the row returns here: post_save must follow each.
    if opts.multi_table:
        created = _write_rows(obj, using, fields, forced, force_update, update_fields, raw)
    else:
        created = _write_row(obj, using, fields, adding, force_insert, force_update, update_fields)
    mark_saved(obj, using)
    if announce:
        post_save.send(
            sender=type(obj), instance=obj, created=created, update_fields=announced_fields, raw=raw, using=using
        )


def _write_row(
    obj: Any, using: str, fields: Any, adding: bool, force_insert: bool, force_update: bool, update_fields: Any
) -> bool:
    """UPDATE the instance's row, or INSERT it when there is none (or it is forced); True when inserted."""
    opts = obj._meta
    connection = connections[using]
    pk = opts.pk
    pk_value = obj.__dict__.get(pk.attname) if not opts.is_composite_pk else composite_value(obj)
    if pk_value is None and pk.has_default():
        pk_value = pk.get_default()
        obj.__dict__[pk.attname] = pk_value
    if pk_value is None and (force_update or update_fields):
        raise ValueError("Cannot force an update in save() with no primary key.")
    # A key the instance made itself (a default on every part of a composite one) names a new row.
    key_default = pk.has_default() or (opts.is_composite_pk and all(f.has_default() for f in opts.pk_fields))
    if (
        not force_insert
        and adding
        and (key_default or type(pk_value) is DatabaseDefault)
        and update_fields is None
        and not force_update
    ):
        force_insert = True  # a key its default (or the database) chose names no row yet: no UPDATE first
    if pk_value is not None and not force_insert:
        non_pk = (
            opts.concrete_fields_but_pk
            if fields is opts.concrete_fields
            else [f for f in fields if not f.primary_key and not f.generated and f not in opts.pk_fields]
        )
        if not non_pk or (opts.select_on_save and not force_update):
            # Meta.select_on_save: ask whether the row exists before updating it, for databases (or
            # triggers) whose UPDATE does not tell how many rows it matched, as in Django.
            rows = int(type(obj)._base_manager.using(using).filter(pk=pk_value).exists())
            if rows and non_pk:
                update_row(connection, obj, non_pk, pk_value)
        else:
            rows = update_row(connection, obj, non_pk, pk_value)
        if force_update and not rows:
            raise exceptions.DatabaseError("Forced update did not affect any rows.")
        if update_fields is not None and not rows:
            raise exceptions.DatabaseError("Save with update_fields did not affect any rows.")
        if rows > 0:
            if opts.generated_fields:
                forget_generated(obj)  # the UPDATE may have changed them: they reload on access
            return False
    if opts.order_with_respect_to is not None:
        obj._order = order_wrt.next_position(obj, using)
    insert_fields = [
        f for f in opts.insertable_fields if not (f.primary_key and f is opts.auto_field and pk_value is None)
    ]
    if not opts.db_default_fields and not opts.generated_fields:
        insert_row(connection, obj, insert_fields, returning=pk_value is None)
    else:
        _insert_with_database_defaults(connection, obj, opts, insert_fields, pk_value)
    return True


def _write_rows(
    obj: Any, using: str, fields: Any, forced: Any, force_update: bool, update_fields: Any, raw: bool
) -> bool:
    """A multi-table instance's rows, parents first (a raw save: its own table only); True when its row was inserted."""
    opts = obj._meta
    pk_value = obj.__dict__.get(opts.pk.attname)
    if pk_value is None and (force_update or update_fields):
        raise ValueError("Cannot force an update in save() with no primary key.")
    # A loaded instance with deferred fields saves what was loaded, as if update_fields named it.
    partial = update_fields if update_fields is not None or fields is opts.concrete_fields else fields
    chain = TableChainSave(
        obj, connections[using], fields, check_force_insert(type(obj), forced), force_update, partial
    )
    return not chain.run(with_parents=not raw)


def _announced_update_fields(opts: Any, update_fields: Any, fields: Any, force_insert: bool) -> frozenset[str] | None:
    """What pre_save and post_save get as `update_fields`: the names given, as a frozenset, or None.

    A loaded instance with deferred fields saves only what was loaded; the signals
    name those fields (by attname), as if they had been given.
    """
    if update_fields is not None:
        return frozenset(update_fields)
    if force_insert or fields is opts.concrete_fields:
        return None
    return frozenset(f.attname for f in fields if not f.primary_key) or None


def insert_table_row(connection: Any, obj: Any, opts: Any, fields: list[Field], pk_value: Any) -> None:
    """INSERT `obj`'s row of the table of `opts` (one of a multi-table instance's tables)."""
    if opts.generated_fields or any(f in fields for f in opts.db_default_fields):
        _insert_with_database_defaults(connection, obj, opts, fields, pk_value)
    else:
        insert_row(connection, obj, fields, returning=pk_value is None, opts=opts)


def _insert_with_database_defaults(connection: Any, obj: Any, opts: Any, fields: list[Field], pk_value: Any) -> None:
    """INSERT without the columns that hold DatabaseDefault; read what the database wrote back when it can.

    Generated columns are never among `fields`; they come back the same way.
    """
    cache = obj.__dict__
    # `opts` is the table's model: the instance's own, or one of its parents (multi-table inheritance).
    left_out = tuple(f for f in opts.db_default_fields if f in fields and type(cache.get(f.attname)) is DatabaseDefault)
    fields = [f for f in fields if f not in left_out]
    if not connection.features.can_return_columns_from_insert:
        insert_row(connection, obj, fields, returning=pk_value is None, opts=opts)
        forget_database_defaults(obj)
        forget_generated(obj)
        return
    generated = (
        opts.generated_fields
        if not opts.parents
        else tuple(f for f in opts.generated_fields if f in opts.local_concrete_fields)
    )
    insert_row(connection, obj, fields, returning=pk_value is None, read_back=left_out + generated, opts=opts)


def forget_database_defaults(obj: Any) -> None:
    """Only the database knows what its DEFAULTs wrote: such fields load on first access, as deferred ones."""
    cache = obj.__dict__
    for field in obj._meta.db_default_fields:
        if type(cache.get(field.attname)) is DatabaseDefault:
            del cache[field.attname]


def forget_generated(obj: Any) -> None:
    """Only the database knows what it computed: generated fields load on first access."""
    cache = obj.__dict__
    for field in obj._meta.generated_fields:
        cache.pop(field.attname, None)


def _update_fields(opts: Any, given: Any) -> list[Field]:
    names = set(given)  # a string is an iterable of one-letter names, as in Django
    by_name = {}
    for field in opts.concrete_fields:
        if not field.primary_key and field not in opts.pk_fields:
            by_name[field.name] = field
            by_name[field.attname] = field
    missing = sorted(name for name in names if name not in by_name)
    if missing:
        hint = f" update_fields takes a list of names: update_fields=[{given!r}]." if isinstance(given, str) else ""
        raise ValueError(
            "The following fields do not exist in this model, are m2m fields, primary keys, "
            "or are non-concrete fields: " + ", ".join(missing) + hint
        )
    return [f for f in opts.concrete_fields if f in by_name.values() and (f.name in names or f.attname in names)]


@dataclass(frozen=True, slots=True)
class RowStatement:
    """A cached INSERT or UPDATE of one row: its SQL and how to read the values."""

    sql: str
    values: Any
    fields: tuple[Field, ...]
    returning: bool = False
    #: UPDATE only: how the primary key value of the WHERE clause is sent.
    pk_prep: Any = None


class InsertRow(StatementKind):
    """INSERT of one row: keyed by model, attnames, whether the new key is read back, and the attnames of
    columns the database fills (db_default) that come back by RETURNING."""

    @classmethod
    def build(
        cls, connection: Any, model: Any, _attnames: Any, returning: bool, _read_back: Any, fields: Any, read_back: Any
    ) -> RowStatement:
        opts = model._meta
        # A RETURNING clause leaves MariaDB's lastrowid unset: the new key then comes back with the rest.
        use_returning = returning and (not connection.features.insert_id_via_lastrowid or bool(read_back))
        node = n.Insert(
            opts.db_table,
            tuple(f.column for f in fields),
            (tuple(n.Param(None) for _ in fields),),
            ((opts.pk.column,) if use_returning else ()) + tuple(f.column for f in read_back),
        )
        sql, _ = connection.ops.compiler().compile(node)
        return RowStatement(sql, build_row_values(connection, fields, True), fields, use_returning)

    @classmethod
    def fingerprint(cls, entry: RowStatement) -> Any:
        return entry.sql, entry.fields, entry.returning


class UpdateRow(StatementKind):
    """UPDATE of one row by primary key: keyed by model and attnames (None: every column but the key)."""

    @classmethod
    def build(cls, connection: Any, model: Any, _attnames: Any, fields: Any) -> RowStatement:
        opts = model._meta
        node = n.Update(opts.db_table, tuple((f.column, n.Param(None)) for f in fields), key_condition(opts))
        sql, _ = connection.ops.compiler().compile(node)
        values = build_row_values(connection, fields, False)
        return RowStatement(sql, values, fields, pk_prep=key_preparer(opts, connection))

    @classmethod
    def fingerprint(cls, entry: RowStatement) -> Any:
        return entry.sql, entry.fields


def _insert_statement(
    connection: Any, opts: Any, fields: tuple[Field, ...], returning: bool, read_back: tuple[Field, ...] = ()
) -> RowStatement:
    key = (InsertRow, opts.model, tuple(f.attname for f in fields), returning, tuple(f.attname for f in read_back))
    return cached(connection, key, fields, read_back)


def _update_statement(connection: Any, opts: Any, fields: tuple[Field, ...]) -> RowStatement:
    # save() of a whole row (the usual case) skips building a key from the field names.
    attnames = None if fields is opts.concrete_fields_but_pk else tuple(f.attname for f in fields)
    return cached(connection, (UpdateRow, opts.model, attnames), fields)


def insert_row(
    connection: Any,
    obj: Any,
    fields: list[Field] | tuple[Field, ...],
    returning: bool,
    read_back: tuple[Field, ...] = (),
    opts: Any = None,
) -> None:
    """INSERT one row; with `returning`, set the key the database chose; `read_back` fields come back by RETURNING.

    `opts` names the table when it is not the instance's own (a parent's, in multi-table inheritance).
    """
    opts = opts or obj._meta
    statement = _insert_statement(connection, opts, tuple(fields), returning, read_back)
    values, expression = statement.values(obj)
    if expression:
        returned = (opts.pk.column,) if statement.returning else ()
        cursor = insert_expressions.insert_rows(
            connection, opts, statement.fields, [values], returned + tuple(f.column for f in read_back)
        )
        _forget_expressions(obj, statement.fields, values)
    else:
        cursor = connection.execute(statement.sql, values)
    row = cursor.fetchone() if statement.returning or read_back else ()
    if returning:
        pk_value = row[0] if statement.returning else cursor.lastrowid
        converter = opts.pk.from_db_converter(connection)
        obj.__dict__[opts.pk.attname] = converter(pk_value) if converter else pk_value
    for field, value in zip(read_back, row[len(row) - len(read_back) :], strict=True):
        converter = field.from_db_converter(connection)
        obj.__dict__[field.attname] = converter(value) if converter and value is not None else value


def _forget_expressions(obj: Any, fields: tuple[Field, ...], values: list[Any]) -> None:
    """An expression's result is only known to the database: the attribute loads it on first access."""
    for field, value in zip(fields, values, strict=True):
        if getattr(value, "resolves_in_query", False):
            obj.__dict__.pop(field.attname, None)


def update_row(
    connection: Any, obj: Any, fields: list[Field] | tuple[Field, ...], pk_value: Any, opts: Any = None
) -> int:
    opts = opts or obj._meta
    statement = _update_statement(connection, opts, fields if type(fields) is tuple else tuple(fields))
    values, expression = statement.values(obj)
    if expression:
        return _update_with_expressions(obj, list(fields), values, pk_value, connection)
    pk_prep = statement.pk_prep
    if opts.is_composite_pk:
        values.extend(pk_prep(pk_value))
    else:
        values.append(pk_prep(pk_value) if pk_prep else pk_value)
    return connection.execute(statement.sql, values).rowcount


def _update_with_expressions(obj: Any, fields: list[Field], values: list[Any], pk_value: Any, connection: Any) -> int:
    from relata.models import writes

    qs = type(obj)._base_manager.using(connection.alias).filter(pk=pk_value)
    changes = {f.attname: v for f, v in zip(fields, values, strict=True)}
    rows = writes.update(qs, changes, prepared=True)
    # The expression's result is only known to the database: forget the local value.
    for field, value in changes.items():
        if getattr(value, "resolves_in_query", False):
            obj.__dict__.pop(field, None)
    return rows


def refresh_instance(obj: Any, *, using: str | None, fields: Any, from_queryset: Any) -> None:
    model = type(obj)
    opts = obj._meta
    if fields is not None:
        fields = list(fields)
        if not fields:
            return
        for name in fields:
            if "__" in name:
                raise ValueError('Found "__" in fields argument. Relations and transforms are not allowed in fields.')
        prefetched = getattr(obj, "_prefetched_objects_cache", {})
        for name in list(fields):
            if name in prefetched:
                del prefetched[name]
                fields.remove(name)
        if not fields:
            return
    qs = (
        from_queryset
        if from_queryset is not None
        else model._base_manager.db_manager(using or obj._state.db or "default").all()
    )
    qs = qs.filter(pk=obj.pk)
    if fields is not None:
        attnames = []
        for name in fields:
            field = opts.get_field(name)
            attnames.append(field.name)
        qs = qs.only(*attnames)
    else:
        deferred = obj.get_deferred_fields()
        if deferred:
            qs = qs.only(*[f.name for f in opts.concrete_fields if f.attname not in deferred])
        if hasattr(obj, "_prefetched_objects_cache"):
            obj._prefetched_objects_cache.clear()
    fresh = qs.get()
    for field in opts.concrete_fields:
        if field.attname not in fresh.__dict__:
            continue
        new_value = fresh.__dict__[field.attname]
        obj.__dict__[field.attname] = new_value
        if field.is_relation:
            cached = obj.__dict__.get(field.name)
            # A cached object whose row was deleted (its key now None) is stale too when the column went NULL.
            if cached is not None and (new_value is None or getattr(cached, field.target_field.attname) != new_value):
                del obj.__dict__[field.name]
    if fields is None:
        for rel in opts.related_objects:
            if rel.one_to_one:
                obj.__dict__.pop(rel.get_cache_name(), None)
    obj._state.db = fresh._state.db
