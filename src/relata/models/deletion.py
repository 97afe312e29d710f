"""Deleting objects and everything that depends on them: the on_delete rules.

The Collector walks reverse relations from the objects being deleted and
applies each relation's `on_delete`: CASCADE collects the dependents,
PROTECT and RESTRICT refuse (RESTRICT only when no CASCADE path reaches the
same rows), SET_NULL / SET_DEFAULT / SET(...) queue updates. It then runs
every update and delete in one transaction, dependents first, so a refusal
or an error leaves the database untouched.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from relata import transaction
from relata.db import connections
from relata.exceptions import FieldDoesNotExist, ProtectedError, RestrictedError
from relata.models.fields.composite import key_in
from relata.models.inheritance import parent_objects
from relata.models.q import Q
from relata.models.signals import delete_listened, post_delete, pre_delete
from relata.sql import nodes as n

DELETE_BATCH = 500


def CASCADE(collector: Collector, field: Any, sub_objs: list[Any], using: str) -> None:
    collector.collect(sub_objs, source_field=field)


def PROTECT(collector: Collector, field: Any, sub_objs: list[Any], using: str) -> None:
    raise ProtectedError(
        f"Cannot delete some instances of model '{field.remote_field.model.__name__}' because they are "
        f"referenced through protected foreign keys: '{field.model.__name__}.{field.name}'.",
        set(sub_objs),
    )


def RESTRICT(collector: Collector, field: Any, sub_objs: list[Any], using: str) -> None:
    collector.restricted[field].update(sub_objs)


def SET(value: Any) -> Any:
    def set_on_delete(collector: Collector, field: Any, sub_objs: Any, using: str) -> None:
        collector.add_field_update(field, value() if callable(value) else value, sub_objs)

    set_on_delete.deconstruct = lambda: ("relata.models.SET", (value,), {})  # type: ignore[attr-defined]
    # A callable runs only when rows point at the deleted ones: those are read first.
    set_on_delete.lazy_sub_objs = not callable(value)  # type: ignore[attr-defined]
    return set_on_delete


def SET_NULL(collector: Collector, field: Any, sub_objs: Any, using: str) -> None:
    collector.add_field_update(field, None, sub_objs)


# A handler with `lazy_sub_objs` takes the dependents as an unread queryset: their update
# is one UPDATE ... WHERE, with no SELECT first, as Django does.
SET_NULL.lazy_sub_objs = True  # type: ignore[attr-defined]


def SET_DEFAULT(collector: Collector, field: Any, sub_objs: list[Any], using: str) -> None:
    collector.add_field_update(field, field.get_default(), sub_objs)


def DO_NOTHING(collector: Collector, field: Any, sub_objs: list[Any], using: str) -> None:
    pass


class Collector:
    def __init__(self, using: str, origin: Any = None):
        self.using = using
        #: The instance or queryset whose delete() started this (pre_delete/post_delete's `origin`).
        self.origin = origin
        #: model -> {pk: instance}, in the order models were reached.
        self.data: dict[Any, dict[Any, Any]] = {}
        self.fast_deletes: list[Any] = []
        #: (field, value, the rows: a list of instances, or an unread queryset from a lazy handler).
        self.field_updates: list[tuple[Any, Any, Any]] = []
        #: (related model, keys of a batch) -> index in fast_deletes: relations from one model
        #: to the same rows share one DELETE ... WHERE a IN (...) OR b IN (...).
        self._fast_delete_at: dict[tuple[Any, tuple[Any, ...]], tuple[int, list[Any]]] = {}
        self.restricted: dict[Any, set[Any]] = defaultdict(set)

    # -- collecting ---------------------------------------------------------------

    def add(self, objs: list[Any]) -> list[Any]:
        new = []
        for obj in objs:
            bucket = self.data.setdefault(type(obj), {})
            if obj.pk not in bucket:
                bucket[obj.pk] = obj
                new.append(obj)
        return new

    def add_field_update(self, field: Any, value: Any, objs: list[Any]) -> None:
        self.field_updates.append((field, value, objs))

    def collect_queryset(self, queryset: Any) -> None:
        model = queryset.model
        if self.can_fast_delete(model):
            self.fast_deletes.append(queryset)
            return
        # Receivers of delete signals see whole rows; a multi-table model's parent rows go too: read its rows.
        cascades = None if _announces_delete(model) or model._meta.multi_table else self._fast_cascades(model)
        if cascades is not None and _same_rows_in_each_statement(queryset, connections[self.using].features):
            # Every dependent goes by one DELETE ... WHERE key IN (the rows' keys, as a
            # subquery): the rows themselves are never read. The filter is evaluated
            # once per statement, so only when each evaluation picks the same rows.
            for rel in cascades:
                keys = queryset.values(rel.field.target_field.attname)
                dependents = rel.related_model._base_manager.using(self.using)
                self.fast_deletes.append(dependents.filter(**{f"{rel.field.attname}__in": keys}))
            self.fast_deletes.append(queryset)
            return
        rows = queryset if _announces_delete(model) else queryset.only(model._meta.pk.name)
        self.collect(list(rows), top_level=False)
        self.check_restricted()

    def collect(
        self,
        objs: list[Any],
        source_field: Any = None,
        top_level: bool = True,
        keep_parents: bool = False,
        collect_related: bool = True,
    ) -> None:
        new_objs = self.add(objs)
        if new_objs:
            opts = new_objs[0]._meta
            if opts.multi_table and not keep_parents:
                # The parent rows go too; their reverse relations are the child's (all_related_objects).
                for _parent, parent_objs in parent_objects(new_objs):
                    self.collect(parent_objs, source_field=source_field, top_level=False, collect_related=False)
            refused: dict[str, list[Any]] = {}
            parents = set(opts.all_parents) if keep_parents else ()
            for rel in opts.all_related_objects if collect_related else ():
                if rel.on_delete is DO_NOTHING or rel.field.many_to_many:
                    continue
                if parents and rel.model._meta.concrete_model in parents:
                    continue  # keep_parents: what points at the parent rows stays with them
                protected = self.collect_related(rel, new_objs)
                if protected:
                    refused.setdefault(f"'{rel.field.model.__name__}.{rel.field.name}'", []).extend(protected)
            for field in _generic_dependents(type(new_objs[0])) if collect_related else ():
                self.collect_generic(field.bulk_related_objects(new_objs, self.using))
            if refused:
                raise _protected_error(type(new_objs[0]), refused)
        if top_level and source_field is None:
            self.check_restricted()

    def collect_related(self, rel: Any, objs: list[Any]) -> list[Any]:
        """Apply `rel`'s on_delete to the rows pointing at `objs`; return the rows that PROTECT them.

        A refusal does not stop the walk: the error names every protecting relation, as Django's.
        """
        protected: list[Any] = []
        field = rel.field
        related_model = rel.related_model
        manager = related_model._base_manager.using(self.using)
        for start in range(0, len(objs), DELETE_BATCH):
            batch = objs[start : start + DELETE_BATCH]
            qs = manager.filter(**{f"{field.name}__in": batch})
            if rel.on_delete is CASCADE and self.can_fast_delete(related_model, field):
                self._add_fast_delete(manager, field, batch)
                continue
            if getattr(rel.on_delete, "lazy_sub_objs", False):
                rel.on_delete(self, field, qs, self.using)
                continue
            # Receivers of pre_delete/post_delete see whole instances; otherwise the keys are enough.
            if not _announces_delete(related_model):
                qs = qs.only(related_model._meta.pk.name, field.name)
            sub_objs = list(qs)
            if sub_objs:
                try:
                    rel.on_delete(self, field, sub_objs, self.using)
                except ProtectedError as error:  # from PROTECT, or from a CASCADE further on
                    protected.extend(error.protected_objects)
        return protected

    def _add_fast_delete(self, manager: Any, field: Any, batch: list[Any]) -> None:
        """Queue DELETE of the rows whose `field` points at `batch`, sharing a statement with another field."""
        key = (manager.model, tuple(obj.pk for obj in batch))
        index, fields = self._fast_delete_at.get(key, (len(self.fast_deletes), []))
        fields.append(field)
        condition = Q()
        for each in fields:
            condition |= Q(**{f"{each.name}__in": batch})
        queryset = manager.filter(condition)
        if index == len(self.fast_deletes):
            self.fast_deletes.append(queryset)
            self._fast_delete_at[key] = (index, fields)
        else:
            self.fast_deletes[index] = queryset

    def collect_generic(self, queryset: Any) -> None:
        """Rows a GenericRelation reaches: they go with the objects (no on_delete to choose)."""
        if self.can_fast_delete(queryset.model):
            self.fast_deletes.append(queryset)
            return
        sub_objs = list(queryset)
        if sub_objs:
            self.collect(sub_objs, top_level=False)

    def _fast_cascades(self, model: Any) -> list[Any] | None:
        """The relations to delete along with `model`'s rows when each can go by one DELETE, else None."""
        if _generic_dependents(model):
            return None
        cascades = []
        for rel in model._meta.all_related_objects:
            if rel.field.many_to_many or rel.on_delete is DO_NOTHING:
                continue
            if len(rel.field.foreign_related_fields) > 1:
                return None  # a relation over several columns: no single key column to match IN (subquery)
            if rel.on_delete is not CASCADE or not self.can_fast_delete(rel.related_model):
                return None
            cascades.append(rel)
        return cascades

    def can_fast_delete(self, model: Any, from_field: Any = None) -> bool:
        """Rows of this model can go by one DELETE ... WHERE: nothing to follow, nobody to tell.

        A multi-table child qualifies only when reached through its one parent link (`from_field`):
        the parent rows are being deleted anyway.
        """
        if _announces_delete(model) or _generic_dependents(model):
            return False
        opts = model._meta
        if opts.multi_table and any(link is not from_field for link in opts.concrete_model._meta.parents.values()):
            return False
        return all(rel.on_delete is DO_NOTHING for rel in opts.all_related_objects if not rel.field.many_to_many)

    def check_restricted(self) -> None:
        """Refuse RESTRICTed rows unless this delete reaches them through a CASCADE too.

        One error names every restricting field and holds every refused row, and
        names the model whose delete() was called, as Django's does.
        """
        refused: dict[str, list[Any]] = {}
        for field, objs in self.restricted.items():
            remaining = [o for o in objs if o.pk not in self.data.get(type(o), {})]
            remaining = self._not_fast_deleted(field.model, remaining)
            if remaining:
                refused.setdefault(f"'{field.model.__name__}.{field.name}'", []).extend(remaining)
        if refused:
            first_field = next(iter(self.restricted))
            deleted = next(iter(self.data), first_field.remote_field.model)
            raise RestrictedError(
                f"Cannot delete some instances of model '{deleted.__name__}' because they are referenced "
                f"through restricted foreign keys: {', '.join(refused)}.",
                {obj for objs in refused.values() for obj in objs},
            )

    def _not_fast_deleted(self, model: Any, objs: list[Any]) -> list[Any]:
        """Of `objs`, those no fast-delete queryset of this collector removes (one query per queryset)."""
        for qs in self.fast_deletes:
            if not objs:
                break
            if qs.model is model:
                gone = set(qs.filter(pk__in=[o.pk for o in objs]).values_list("pk", flat=True))
                objs = [o for o in objs if o.pk not in gone]
        return objs

    # -- deleting -----------------------------------------------------------------

    def ordered_models(self) -> list[Any]:
        """Models whose rows point at others come first."""
        models = list(self.data)
        ordered: list[Any] = []
        remaining = set(models)
        while remaining:
            progress = False
            for model in models:
                if model not in remaining:
                    continue
                referenced_by_pending = any(
                    other is not model and other in remaining and _points_at(other, model) for other in remaining
                )
                if not referenced_by_pending:
                    ordered.append(model)
                    remaining.discard(model)
                    progress = True
            if not progress:
                ordered.extend(m for m in models if m in remaining)
                break
        return ordered

    def delete(self) -> tuple[int, dict[str, int]]:
        """Run the collected updates and deletes in one transaction, then update the instances."""
        with transaction.atomic(using=self.using, savepoint=False):
            counts = self.execute()
        self.forget_deleted()
        return counts

    def execute(self) -> tuple[int, dict[str, int]]:
        connection = connections[self.using]
        counts: dict[str, int] = defaultdict(int)
        announced = self._announced_instances()
        with transaction.atomic(using=self.using, savepoint=False):
            for model, instances in announced:
                for obj in instances:
                    pre_delete.send(sender=model, instance=obj, using=self.using, origin=self.origin)
            for qs in self.fast_deletes:
                counts[qs.model._meta.label] += _raw_delete(qs)
            for field, value, objs in self.field_updates:
                if not isinstance(objs, list):  # an unread queryset: the database picks the rows
                    objs.update(**{field.name: value})
                    continue
                pks = [o.pk for o in objs]
                for start in range(0, len(pks), DELETE_BATCH):
                    field.model._base_manager.using(self.using).filter(pk__in=pks[start : start + DELETE_BATCH]).update(
                        **{field.name: value}
                    )
            for model in self.ordered_models():
                pks = list(self.data[model])
                counts[model._meta.label] += _delete_pks(connection, model, pks)
                for listened, instances in announced:
                    if listened is model:
                        for obj in reversed(instances):
                            post_delete.send(sender=model, instance=obj, using=self.using, origin=self.origin)
        counts = {label: count for label, count in counts.items() if count}
        return sum(counts.values()), counts

    def _announced_instances(self) -> list[tuple[Any, list[Any]]]:
        """(model, its instances by key) for the models whose deletes are announced, in deletion order."""
        if not (pre_delete.receivers or post_delete.receivers):
            return []
        announced = []
        for model in self.ordered_models():
            if _announces_delete(model):
                instances = list(self.data[model].values())
                try:
                    instances.sort(key=lambda obj: obj.pk)
                except TypeError:
                    pass  # keys of no common order: the order they were collected in
                announced.append((model, instances))
        return announced

    def forget_deleted(self) -> None:
        """After the commit: deleted instances lose their pk, SET_* rows get their new value."""
        for field, value, objs in self.field_updates:
            if not isinstance(objs, list):
                continue  # no instance was read: none to update
            for obj in objs:
                setattr(obj, field.attname, getattr(value, "pk", value))
        for model, instances in self.data.items():
            attnames = [f.attname for f in model._meta.pk_fields]  # each part of a composite key
            for obj in instances.values():
                for attname in attnames:
                    obj.__dict__[attname] = None


def _protected_error(model: Any, refused: dict[str, list[Any]]) -> ProtectedError:
    return ProtectedError(
        f"Cannot delete some instances of model '{model.__name__}' because they are referenced through "
        f"protected foreign keys: {', '.join(refused)}.",
        {obj for objs in refused.values() for obj in objs},
    )


def delete_collected(using: str, collect: Any, origin: Any = None) -> tuple[int, dict[str, int]]:
    """Collect (`collect(collector)`) and delete in one transaction.

    Collection runs SET(callable) handlers and reads the rows to delete; doing
    it inside the transaction means a refusal (PROTECT, RESTRICT) or a
    database error leaves every table exactly as it was. Inside the caller's
    own atomic block collection already is: it runs outside the block this
    opens, so a refusal (which writes nothing) leaves the caller's transaction
    usable, as in Django.
    """
    collector = Collector(using=using, origin=origin)
    if transaction.get_connection(using).in_atomic_block:
        collect(collector)
        with transaction.atomic(using=using, savepoint=False):
            counts = collector.execute()
    else:
        with transaction.atomic(using=using, savepoint=False):
            collect(collector)
            counts = collector.execute()
    collector.forget_deleted()
    return counts


def _same_rows_in_each_statement(queryset: Any, features: Any) -> bool:
    """Whether the filter picks the same rows for the dependents' DELETE and for the rows' own.

    Deleting the dependents first cannot change a filter on the rows' own
    columns. With one writer (SQLite) nobody else commits in between either.
    On a server another transaction may commit between the two statements
    (a new matching row, a row changed to match or not): only a list of keys
    names the same rows each time; any other filter reads the keys once.
    """
    if features.has_single_writer:
        return _reads_own_columns_only(queryset)
    return _names_keys_only(queryset)


def _names_keys_only(queryset: Any) -> bool:
    """Every condition is `pk=value` or `pk__in=[values]`, none negated: the rows are named, not searched."""
    state = queryset._state
    if state.annotations or state.empty:
        return False
    pk_name = queryset.model._meta.pk.name
    names = {f"{name}{suffix}" for name in ("pk", pk_name) for suffix in ("", "__exact", "__in")}

    def named(tree: tuple[Any, ...]) -> bool:
        if tree[0] == "expr":
            return False
        if tree[0] == "leaf":
            value = tree[2]
            plain = getattr(value, "_subquery_state", None) is None and not getattr(value, "resolves_in_query", False)
            return tree[1] in names and plain
        return not tree[1] and all(named(child) for child in tree[2])

    return all(named(tree) for tree in state.where)


def _reads_own_columns_only(queryset: Any) -> bool:
    """The queryset's rows are chosen by their own columns: no join, subquery, expression or annotation."""
    state = queryset._state
    if state.annotations or state.empty:
        return False
    opts = queryset.model._meta

    def plain(tree: tuple[Any, ...]) -> bool:
        if tree[0] == "expr":
            return False
        if tree[0] != "leaf":
            return all(plain(child) for child in tree[2])
        value = tree[2]
        if getattr(value, "_subquery_state", None) is not None or getattr(value, "resolves_in_query", False):
            return False
        name, *rest = tree[1].split("__")
        try:
            field = opts.pk if name == "pk" else opts.get_field(name)
        except FieldDoesNotExist:
            return False
        if not field.concrete or field.many_to_many:
            return False
        # On a foreign key, only a lookup on the key itself (author__in=...), not a field behind it.
        return not (field.is_relation and rest and (len(rest) > 1 or field.get_lookup(rest[0]) is None))

    return all(plain(tree) for tree in state.where)


def _announces_delete(model: Any) -> bool:
    """Whether deleting rows of `model` sends pre_delete/post_delete (never for an auto-created through model)."""
    if not (pre_delete.receivers or post_delete.receivers):
        return False
    return not model._meta.auto_created and delete_listened(model)


def _generic_dependents(model: Any) -> list[Any]:
    """The model's fields without a column whose rows go with its own (GenericRelation: bulk_related_objects)."""
    return [f for f in model._meta.private_fields if hasattr(f, "bulk_related_objects")]


def _points_at(model: Any, target: Any) -> bool:
    """Rows of `model`'s own table refer to rows of `target`'s (a proxy's rows are its concrete model's)."""
    opts = model._meta.concrete_model._meta
    target = target._meta.concrete_model
    return any(
        f.is_relation and f.related_model is not None and f.related_model._meta.concrete_model is target
        for f in opts.local_concrete_fields
    )


def _raw_delete(queryset: Any) -> int:
    """DELETE ... WHERE straight from the queryset's filters."""
    from relata.models.query.compiled import EMPTY, compile_query
    from relata.models.query.statements import DeleteStatement

    connection = queryset._connection
    state = queryset._state.evolve(order_by=(), default_ordering=False)
    compiled, values = compile_query(state, connection, DeleteStatement)
    if compiled is EMPTY:
        return 0
    return connection.execute(compiled.sql, compiled.params(values)).rowcount


def _delete_pks(connection: Any, model: Any, pks: list[Any]) -> int:
    total = 0
    # A database that checks foreign keys row by row (MySQL) refuses to delete a
    # parent before its child within one DELETE: unlink rows of the batch first.
    unlink = _nullable_self_references(model) if connection.features.has_row_by_row_foreign_key_checks else []
    for start in range(0, len(pks), DELETE_BATCH):
        batch = pks[start : start + DELETE_BATCH]
        rows = key_in(model._meta, batch, connection)
        if unlink:
            update = n.Update(model._meta.db_table, tuple((c, n.Param(None)) for c in unlink), rows)
            connection.execute(*connection.ops.compiler().compile(update))
        node = n.Delete(model._meta.db_table, rows)
        sql, values = connection.ops.compiler().compile(node)
        total += connection.execute(sql, values).rowcount
    return total


def _nullable_self_references(model: Any) -> list[str]:
    return [
        f.column
        for f in model._meta.local_concrete_fields
        if f.is_relation and f.null and f.related_model is model and not f.many_to_many
    ]
