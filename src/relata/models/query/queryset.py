"""QuerySet: Django's lazy, chainable query API.

Every method that narrows or reshapes the query returns a new QuerySet over
a new immutable `QueryState`; nothing runs until the QuerySet is iterated,
sliced with an index, or asked for a count or an object. Results are cached
on the QuerySet, and `count()`/`exists()` use that cache when it is filled.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from relata import exceptions
from relata.db import connections
from relata.models import aggregation
from relata.models.aliases import check_alias
from relata.models.asynchronous import AsyncQuerySetMixin
from relata.models.expressions import Aggregate, ExpressionWrapper, check_annotation_name
from relata.models.fields import BooleanField
from relata.models.lookups.bridge import NeedsValues
from relata.models.q import Q
from relata.models.query import dates as dates_module
from relata.models.query import results, validate
from relata.models.query.combining import CombiningOperators
from relata.models.query.compiled import EMPTY, compile_query, compile_statement, one_value_select
from relata.models.query.composite import expand_where
from relata.models.query.filtered_relation import FilteredRelation, relation_target
from relata.models.query.iterables import (
    BaseIterable,
    FlatValuesListIterable,
    ModelIterable,
    NamedValuesListIterable,
    ValuesIterable,
    ValuesListIterable,
    chunked_results,
    model_instances,
)
from relata.models.query.query_info import QueryInfo
from relata.models.query.queryset_writes import WritingMethods
from relata.models.query.state import Annotation, QueryState, RowLock
from relata.models.routing import router

REPR_OUTPUT_SIZE = 20
_EXPLAIN_OPTION = re.compile(r"[\w-]+")
_NO_SHORTCUT = object()
_PLAIN_VALUE_TYPES = frozenset({int, str, float, uuid.UUID})
MAX_GET_RESULTS = 21
_VALUES_ITERABLES = {
    "values": ValuesIterable,
    "values_list": ValuesListIterable,
    "flat": FlatValuesListIterable,
    "named": NamedValuesListIterable,
}


#: Q()'s own keyword options: as filter() keywords they would be taken as options, not lookups.
_Q_OPTIONS = frozenset(("_connector", "_negated"))


class QuerySet(CombiningOperators, WritingMethods, AsyncQuerySetMixin):
    # Defaults on the class: a queryset is made for every manager access, so
    # __init__ sets only what differs. Every change replaces a value, never mutates one.
    _hints: Mapping[str, Any] = MappingProxyType({})
    _result_cache: list[Any] | None = None
    _prefetch_lookups: tuple[Any, ...] = ()
    _prefetch_done = False
    #: What each row becomes (see iterables.py); a custom QuerySet may set its own subclass.
    _iterable_class: type[BaseIterable] = ModelIterable
    #: ((relation field, {key value: object}, collect), ...): objects every loaded row may point at,
    #: cached as loaded; with collect, the dict holds (object, list) and each row joins its list.
    _known_related: tuple[tuple[Any, dict[Any, Any], bool], ...] = ()
    #: (state, tokenized shape, values) when the shape is known in advance (reverse managers).
    _pretokenized: tuple[QueryState, QueryState, list[Any]] | None = None
    _fields: tuple[str, ...] = ()

    def __init__(
        self,
        model: Any = None,
        query: QueryState | None = None,
        using: str | None = None,
        hints: dict[str, Any] | None = None,
    ):
        self.model = model
        if query is None:
            query = model._meta.base_state if model is not None else QueryState(model)
        self._state = query
        self._db = using
        if hints:
            self._hints = hints

    # -- plumbing -----------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        # Reached only when normal lookup fails. A queryset served from a prefetch
        # cache (related_managers) is narrowed to its instance on first need, since
        # most are only iterated: its `_state` is made here.
        pending = self.__dict__.pop("_pending_narrowing", None)
        if pending is None:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        narrow, base, field, instance = pending
        self._state = base
        # Narrowing fills in this queryset, or returns none() of it when the key is None.
        self._state = narrow(self, field, instance)._state
        return getattr(self, name)

    def _clone(self, **changes: Any) -> QuerySet:
        base = self._state  # first: a served queryset is narrowed before it is copied
        clone = type(self).__new__(type(self))
        clone.__dict__ = state = {**self.__dict__}
        state.pop("_result_cache", None)  # back to the class defaults: not evaluated yet
        state.pop("_prefetch_done", None)
        if changes:
            clone._state = base.evolve(**changes)
        return clone

    @property
    def db(self) -> str:
        if self._db is not None:
            return self._db
        return router.db_for_read(self.model, **self._hints)

    @property
    def _connection(self) -> Any:
        return connections[self.db]

    @property
    def query(self) -> Any:
        return QueryInfo(self)

    @query.setter
    def query(self, value: QueryInfo) -> None:
        """`qs.query = other.query` (a pickled query loaded back): this queryset now runs that query.

        As in Django, a query that picks values gives dicts (values_list() comes back as values()).
        """
        source = value.queryset
        self._state = source._state
        self._result_cache = None
        self._prefetch_done = False
        if source._state.values is not None:
            self._iterable_class = ValuesIterable
            self._fields = source._fields
        else:
            self._iterable_class = ModelIterable

    @property
    def ordered(self) -> bool:
        state = self._state
        if state.order_by:
            return True
        return (
            state.order_by is None
            and state.default_ordering
            and bool(self.model._meta.ordering)
            and state.group_by is None
        )

    def _subquery_state(self) -> tuple[QueryState, tuple[str, ...] | None]:
        return self._state, (None if self._yields_models else self._fields)

    def query_key(self) -> Any:
        """What a Subquery() of this queryset compares by: its state, values and all.

        An unhashable state (a list among its values) makes the enclosing
        statement uncacheable, never keyed by identity: an id is reused once
        its queryset is gone, and would serve another queryset's SQL.
        """
        return self._state

    @property
    def _yields_models(self) -> bool:
        return issubclass(self._iterable_class, ModelIterable)

    def _not_combined(self, method: str) -> None:
        if self._state.combinator is not None:
            raise exceptions.NotSupportedError(
                f"Calling QuerySet.{method}() after {self._state.combinator[0].lower()}() is not supported."
            )

    def _not_sliced(self, what: str) -> None:
        if self._state.is_sliced:
            raise TypeError(f"Cannot {what} a query once a slice has been taken.")

    # -- evaluation ---------------------------------------------------------------

    def _fetch_all(self) -> None:
        if self._result_cache is not None and (self._prefetch_done or not self._prefetch_lookups):
            return
        if self._result_cache is None:
            iterable_class = self._iterable_class
            if iterable_class is ModelIterable:
                results = model_instances(self)
            else:
                iterable = iterable_class(self)
                # An iterable that keeps the base __iter__ hands over its list as is (no copy).
                results = iterable.load() if type(iterable).__iter__ is BaseIterable.__iter__ else iterable
            self._result_cache = results if type(results) is list else list(results)
        if self._prefetch_lookups and not self._prefetch_done:
            from relata.models.query.prefetch import prefetch_related_objects

            prefetch_related_objects(self._result_cache, *self._prefetch_lookups)
            self._prefetch_done = True

    def _execute(self, streaming: bool = False) -> tuple[Any, Any, Any]:
        connection = self._connection
        pretokenized = self._pretokenized
        if pretokenized is not None and pretokenized[0] is self._state:
            values = pretokenized[2]
            try:
                compiled = compile_statement(pretokenized[1], connection, values)
            except NeedsValues:  # a hand-written lookup on the relation: compiled with the values
                compiled, values = compile_query(self._state, connection)
        else:
            compiled, values = compile_query(self._state, connection)
        if compiled is EMPTY:
            return None, None, connection
        run = connection.execute_streaming if streaming else connection.execute
        return run(compiled.sql, compiled.params(values)), compiled.plan, connection

    def __iter__(self) -> Iterator[Any]:
        if self._result_cache is None or self._prefetch_lookups:
            self._fetch_all()
        return iter(self._result_cache)

    def __len__(self) -> int:
        if self._result_cache is None or self._prefetch_lookups:
            self._fetch_all()
        return len(self._result_cache)

    def __bool__(self) -> bool:
        self._fetch_all()
        return bool(self._result_cache)

    def __repr__(self) -> str:
        data = list(self[: REPR_OUTPUT_SIZE + 1])
        if len(data) > REPR_OUTPUT_SIZE:
            data[-1] = "...(remaining elements truncated)..."
        return f"<{type(self).__name__} {data!r}>"

    def __getitem__(self, key: Any) -> Any:
        if not isinstance(key, int | slice):
            raise TypeError(f"QuerySet indices must be integers or slices, not {type(key).__name__}.")
        if (isinstance(key, int) and key < 0) or (
            isinstance(key, slice) and ((key.start or 0) < 0 or (key.stop is not None and key.stop < 0))
        ):
            raise ValueError("Negative indexing is not supported.")
        if self._result_cache is not None:
            return self._result_cache[key]
        state = self._state
        if isinstance(key, slice):
            low, high = _apply_slice(state.low, state.high, key.start, key.stop)
            clone = self._clone(low=low, high=high, empty=state.empty or (high is not None and high <= low))
            return list(clone)[:: key.step] if key.step else clone
        low, high = _apply_slice(state.low, state.high, key, key + 1)
        results = list(self._clone(low=low, high=high))
        if not results:
            raise IndexError("QuerySet index out of range")
        return results[0]

    def __class_getitem__(cls, item: Any) -> type:
        return cls

    def __deepcopy__(self, memo: dict) -> QuerySet:
        clone = self._clone()
        clone._result_cache = None
        return clone

    def __getstate__(self) -> dict[str, Any]:
        # A queryset pickles with its rows (as Django), unless it is part of another query (see _query_only()).
        if not self.__dict__.get("_as_query", False):
            self._fetch_all()
        self._state  # noqa: B018 (a served queryset is narrowed before it is pickled)
        state = dict(self.__dict__)
        state.pop("_as_query", None)
        # Shortcuts for loading rows in this process, holding fields and instances: not data.
        state.pop("_known_related", None)
        state.pop("_pretokenized", None)
        return state

    def _query_only(self) -> QuerySet:
        """A copy that stands for the query alone: pickling it (inside a Subquery, an `__in`) runs nothing."""
        clone = self._clone()
        clone._as_query = True
        return clone

    # -- narrowing ----------------------------------------------------------------

    def all(self) -> QuerySet:
        return self._clone()

    def filter(self, *args: Any, **kwargs: Any) -> QuerySet:
        return self._filter_or_exclude(False, "filter", args, kwargs)

    def exclude(self, *args: Any, **kwargs: Any) -> QuerySet:
        return self._filter_or_exclude(True, "exclude", args, kwargs)

    def _filter_or_exclude(self, negate: bool, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> QuerySet:
        self._not_combined(method)
        if (args or kwargs) and self._state.is_sliced:
            raise TypeError("Cannot filter a query once a slice has been taken.")
        if not args and not kwargs:
            return self._clone()
        for arg in args:
            if not isinstance(arg, Q) and not getattr(arg, "conditional", False):
                raise TypeError(f"{method}() takes Q objects, boolean expressions or keyword lookups; got {arg!r}.")
        if reserved := sorted(_Q_OPTIONS.intersection(kwargs)):
            # Q() would take them as its own options: a client-chosen key must never negate or reconnect a filter.
            raise TypeError(f"The following kwargs are invalid: {', '.join(map(repr, reserved))}")
        q = Q(*args, **kwargs)
        if negate:
            q = ~q
        tree = expand_where(self.model, q.as_tree())
        validate.check_where(self.model, tree, self._annotation_names())
        return self._clone(where=self._state.where + (tree,))

    def _annotation_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self._state.annotations)

    def complex_filter(self, filter_obj: Any) -> QuerySet:
        if isinstance(filter_obj, Q):
            return self.filter(filter_obj)
        return self.filter(**filter_obj)

    def none(self) -> QuerySet:
        clone = self._clone(empty=True)
        clone._result_cache = []
        return clone

    def using(self, alias: str | None) -> QuerySet:
        clone = self._clone()
        clone._db = alias
        return clone

    def order_by(self, *field_names: Any) -> QuerySet:
        self._not_sliced("reorder")
        for name in field_names:
            if not isinstance(name, str) and not hasattr(name, "resolve"):
                raise TypeError(f"order_by() takes field names or expressions, not {name!r}.")
            if isinstance(getattr(name, "expression", name), Aggregate):
                raise exceptions.FieldError(
                    "Using an aggregate in order_by() without also including it in annotate() is not allowed: "
                    f"{name!r}. Annotate it (annotate(n=...)) and order by its name."
                )
        if self._state.combinator is None:
            validate.check_ordering(self.model, field_names, self._annotation_names())
        return self._clone(order_by=tuple(field_names), reversed=False)

    def reverse(self) -> QuerySet:
        self._not_sliced("reverse")
        return self._clone(reversed=not self._state.reversed)

    def distinct(self, *field_names: str) -> QuerySet:
        if self._state.is_sliced:
            raise TypeError("Cannot create distinct fields once a slice has been taken.")  # Django's words
        # DISTINCT ON is PostgreSQL's: other databases refuse it when the query is compiled (as Django).
        return self._clone(distinct=True, distinct_fields=field_names)

    def select_related(self, *fields: str) -> QuerySet:
        self._not_combined("select_related")
        if not self._yields_models:
            raise TypeError("Cannot call select_related() after .values() or .values_list()")
        if fields == (None,):
            return self._clone(select_related=False)
        if not fields:
            return self._clone(select_related=True)
        current = self._state.select_related
        existing = current if isinstance(current, tuple) else ()
        return self._clone(select_related=existing + tuple(f for f in fields if f not in existing))

    def prefetch_related(self, *lookups: Any) -> QuerySet:
        self._not_combined("prefetch_related")
        relations = self._filtered_relations()
        for lookup in lookups:
            path = getattr(lookup, "prefetch_through", lookup)
            if isinstance(path, str) and path.split("__", 1)[0] in relations:
                raise ValueError("prefetch_related() is not supported with FilteredRelation.")
        clone = self._clone()
        if lookups == (None,):
            clone._prefetch_lookups = ()
        else:
            clone._prefetch_lookups = self._prefetch_lookups + lookups
        return clone

    def _filtered_relations(self) -> dict[str, FilteredRelation]:
        return {a.name: a.expression for a in self._state.annotations if isinstance(a.expression, FilteredRelation)}

    def select_for_update(
        self, nowait: bool = False, skip_locked: bool = False, of: tuple[str, ...] = (), no_key: bool = False
    ) -> QuerySet:
        """Lock the selected rows until the transaction ends; where rows cannot be locked (SQLite), a no-op.

        The rows are read from the database that writes them: a lock taken
        on a replica would protect nothing.
        """
        if nowait and skip_locked:
            raise ValueError(
                "select_for_update() cannot take both nowait=True (fail on a locked row) and "
                "skip_locked=True (leave locked rows out): pick one."
            )
        if isinstance(of, str):
            raise TypeError(f"select_for_update(of=...) takes a tuple of names: write of=({of!r},), not of={of!r}.")
        clone = self._clone()
        clone._db = self.db_for_write()
        if not clone._connection.features.supports_select_for_update:
            return clone
        lock = RowLock(bool(nowait), bool(skip_locked), tuple(dict.fromkeys(of)), bool(no_key))
        return clone._clone(for_update=lock)

    def only(self, *fields: str) -> QuerySet:
        if fields == (None,):
            raise TypeError("Cannot pass None as an argument to only().")
        self._check_field_names(fields, "only")
        return self._clone(only=frozenset(fields), deferred=frozenset())

    def defer(self, *fields: str) -> QuerySet:
        if fields == (None,):
            return self._clone(deferred=frozenset(), only=None)
        self._check_field_names(fields, "defer")
        return self._clone(deferred=self._state.deferred | frozenset(fields))

    def _check_field_names(self, names: tuple[str, ...], method: str) -> None:
        """Each name is a field, or a path of relations ending on a field of the last related model."""
        relations = self._filtered_relations()
        for name in names:
            model = self.model
            parts = name.split("__")
            if parts[0] in relations:
                if method == "only":
                    raise ValueError("only() is not supported with FilteredRelation.")
                model, parts = relation_target(model, parts[0], relations), parts[1:]
            for index, part in enumerate(parts):
                try:
                    field = model._meta.pk if part == "pk" else model._meta.get_field(part)
                except exceptions.FieldDoesNotExist:
                    raise exceptions.FieldDoesNotExist(
                        f"{model.__name__} has no field named '{part}' (in {method}('{name}'))."
                    ) from None
                if index < len(parts) - 1 and not getattr(field, "is_relation", False):
                    raise exceptions.FieldError(
                        f"{model.__name__}.{part} is not a relation, so {method}('{name}') cannot follow it to "
                        f"'{parts[index + 1]}'."
                    )
                model = field.related_model if index < len(parts) - 1 else model

    # -- reshaping ----------------------------------------------------------------

    def annotate(self, *args: Any, **kwargs: Any) -> QuerySet:
        return self._annotate(args, kwargs, select=True)

    def alias(self, *args: Any, **kwargs: Any) -> QuerySet:
        return self._annotate(args, kwargs, select=False)

    def _annotate(self, args: tuple[Any, ...], kwargs: dict[str, Any], select: bool) -> QuerySet:
        self._not_combined("annotate")
        named = set(kwargs)
        for arg in args:
            try:
                alias = arg.default_alias
            except (AttributeError, TypeError):
                raise TypeError("Complex annotations require an alias") from None
            if alias in named:
                raise ValueError(
                    f"The named annotation '{alias}' conflicts with the default name for another "
                    f"annotation ({arg!r}); give one of them another name."
                )
            kwargs[alias] = arg
        state = self._state
        aggregated = {a.name for a in state.annotations if getattr(a.expression, "contains_aggregate", False)}
        # As in Django, annotating a name again replaces the earlier expression.
        annotations = [a for a in state.annotations if a.name not in kwargs]
        picked = None if self._yields_models else self._fields
        for name, expression in kwargs.items():
            check_alias(name)
            check_annotation_name(name, self.model, picked)
            if isinstance(expression, FilteredRelation):  # a join, read by paths that start with its name
                relations = {a.name: a.expression for a in annotations if isinstance(a.expression, FilteredRelation)}
                bound = expression.named(name, self.model, relations)
                annotations.append(Annotation(name, bound, len(state.where), False))
                continue
            if isinstance(expression, Q):  # a condition as a value: true or false per row (as Django takes it)
                expression = kwargs[name] = ExpressionWrapper(expression, output_field=BooleanField())
            if not getattr(expression, "resolves_in_query", False):
                raise TypeError(f"QuerySet.annotate() received non-expression(s): {expression!r}.")
            validate.refuse_aggregate_of_aggregate(expression, aggregated)
            annotations.append(Annotation(name, expression, len(state.where), select))
        group_by, group_by_after = state.group_by, state.group_by_after
        if any(getattr(e, "contains_aggregate", False) for e in kwargs.values()):
            if state.values is not None and not self._yields_models:
                # An aggregate after values() groups by the values picked so far (aggregates aside).
                group_by = tuple(name for name in state.values if name not in aggregated) if state.values else True
                group_by_after = state.values_after
            elif group_by is None:
                group_by = True
        values = state.values
        if values and select and not self._yields_models:
            values = values + tuple(kwargs)
        clone = self._clone(
            annotations=tuple(annotations), group_by=group_by, group_by_after=group_by_after, values=values
        )
        if values is not state.values:
            clone._fields = tuple(values)
        return clone

    def values(self, *fields: str, **expressions: Any) -> QuerySet:
        return self._values("values", fields, expressions)

    def values_list(self, *fields: str, flat: bool = False, named: bool = False) -> QuerySet:
        if flat and named:
            raise TypeError("'flat' and 'named' can't be used together.")
        if flat and len(fields) > 1:
            raise TypeError("'flat' is not valid when values_list is called with more than one field.")
        kind = "flat" if flat else "named" if named else "values_list"
        expressions = {}
        names = []
        for field in fields:
            if isinstance(field, str):
                names.append(field)
            else:
                alias = f"{type(field).__name__.lower()}{len(expressions) + 1}"
                expressions[alias] = field
                names.append(alias)
        return self._values(kind, tuple(names), expressions)

    def _values(self, kind: str, fields: tuple[str, ...], expressions: dict[str, Any]) -> QuerySet:
        clone = self.annotate(**expressions) if expressions else self
        names = tuple(fields) + tuple(n for n in expressions if n not in fields)
        if not names and clone._state.annotations and kind != "values":
            names = tuple(f.attname for f in self.model._meta.concrete_fields) + tuple(
                a.name for a in clone._state.annotations if a.selected
            )
        annotated = {a.name for a in clone._state.annotations}
        joined = {a.name for a in clone._state.annotations if isinstance(a.expression, FilteredRelation)}
        for name in names:
            if name not in annotated and name.split("__", 1)[0] not in joined:
                validate.check_values_path(self.model, name)
        state = clone._state
        after = (len(state.where), len(state.annotations))
        clone = clone._clone(values=names, select_related=False, values_after=after)
        clone._iterable_class = _VALUES_ITERABLES[kind]
        clone._fields = names
        return clone

    # -- set operations -----------------------------------------------------------

    def _combinator(self, op: str, others: tuple[QuerySet, ...], all_: bool) -> QuerySet:
        if op == "UNION" and self._state.empty:
            nonempty = [q for q in others if not q._state.empty]
            if not nonempty:
                return self._clone()
            first, others = nonempty[0], tuple(nonempty[1:])
            return first._combinator(op, others, all_) if others else first._clone()
        parts = (self._state.evolve(order_by=(), default_ordering=False),) + tuple(
            q._state.evolve(order_by=(), default_ordering=False) for q in others
        )
        clone = self._clone()
        clone._state = QueryState(
            self.model, combinator=(op, all_, parts), values=self._state.values, default_ordering=False, order_by=()
        )
        return clone

    def union(self, *others: QuerySet, all: bool = False) -> QuerySet:
        return self._combinator("UNION", others, all)

    def intersection(self, *others: QuerySet) -> QuerySet:
        if self._state.empty or any(q._state.empty for q in others):
            return self.none()
        return self._combinator("INTERSECT", others, False)

    def difference(self, *others: QuerySet) -> QuerySet:
        if self._state.empty:
            return self._clone()
        return self._combinator("EXCEPT", others, False)

    # -- single objects -----------------------------------------------------------

    def get(self, *args: Any, **kwargs: Any) -> Any:
        if (
            not args
            and len(kwargs) == 1
            and self._state is self.model._meta.base_state
            and self._iterable_class is ModelIterable  # a custom one must see the rows
            and not self._prefetch_lookups
        ):
            found = self._get_by_one_value(kwargs)
            if found is not _NO_SHORTCUT:
                return found
        if self._state.combinator is not None and (args or kwargs):
            raise exceptions.NotSupportedError(
                f"Calling QuerySet.get(...) with filters after {self._state.combinator[0].lower()}() is not supported."
            )
        clone = self.filter(*args, **kwargs) if (args or kwargs) else self._clone()
        state = clone._state
        if not state.is_sliced:
            clone = clone._clone(
                high=MAX_GET_RESULTS, order_by=() if state.order_by is None else state.order_by, default_ordering=False
            )
        results = list(clone)
        if len(results) == 1:
            return results[0]
        return self._get_failed(len(results))

    def _get_by_one_value(self, kwargs: dict[str, Any]) -> Any:
        """`Model.objects.get(pk=1)`: one cached statement, no query state built per call."""
        ((name, value),) = kwargs.items()
        if type(value) not in _PLAIN_VALUE_TYPES:
            return _NO_SHORTCUT
        db = self.db
        connection = connections[db]
        entry = one_value_select(connection, self.model, name, value, lambda: self._get_state(kwargs))
        if entry is None:
            return _NO_SHORTCUT
        sql, prep, plan = entry
        rows = connection.execute(sql, (value if prep is None else prep(value),)).fetchall()
        if len(rows) == 1:
            return results.loader(plan, connection, db)(rows[0])
        return self._get_failed(len(rows))

    def _get_state(self, kwargs: dict[str, Any]) -> QueryState:
        return self.filter(**kwargs)._clone(high=MAX_GET_RESULTS, order_by=(), default_ordering=False)._state

    def _get_failed(self, count: int) -> Any:
        name = self.model._meta.object_name
        if not count:
            raise self.model.DoesNotExist(f"{name} matching query does not exist.")
        shown = f"more than {count - 1}" if count == MAX_GET_RESULTS else str(count)
        raise self.model.MultipleObjectsReturned(f"get() returned more than one {name} -- it returned {shown}!")

    def first(self) -> Any:
        qs = self if self.ordered else self._by_pk_for("first", "pk")
        for obj in qs[:1]:
            return obj
        return None

    def last(self) -> Any:
        qs = self.reverse() if self.ordered else self._by_pk_for("last", "-pk")
        for obj in qs[:1]:
            return obj
        return None

    def _by_pk_for(self, method: str, order: str) -> QuerySet:
        """An unordered queryset ordered by its key for first()/last(); a grouping without the key has none."""
        group_by = self._state.group_by
        opts = self.model._meta
        pk = opts.pk
        grouped = set(group_by) if isinstance(group_by, tuple) else set()
        # Grouped by the key (or, for a composite key, by every part of it): the rows still sort by it.
        by_parts = opts.is_composite_pk and all(f.name in grouped or f.attname in grouped for f in opts.pk_fields)
        if isinstance(group_by, tuple) and not {"pk", pk.name, pk.attname} & grouped and not by_parts:
            raise TypeError(
                f"Cannot use QuerySet.{method}() on an unordered queryset performing aggregation. "
                "Add an ordering with order_by()."
            )
        return self.order_by(order)

    def earliest(self, *fields: Any) -> Any:
        return self._earliest(fields, "earliest")

    def latest(self, *fields: Any) -> Any:
        return self._earliest(fields, "latest")

    def _earliest(self, fields: tuple[Any, ...], method: str) -> Any:
        self._not_sliced("change")
        if not fields:
            get_latest_by = self.model._meta.get_latest_by
            if not get_latest_by:
                raise ValueError(
                    "earliest() and latest() require either fields as positional arguments or 'get_latest_by' "
                    f"in the model's Meta. {self.model.__name__} has no get_latest_by."
                )
            fields = (get_latest_by,) if isinstance(get_latest_by, str) else tuple(get_latest_by)
        qs = self.order_by(*fields)
        if method == "latest":
            qs = qs.reverse()
        return _first_or_raise(qs, self.model)

    def contains(self, obj: Any) -> bool:
        from relata.models.base import Model

        if not self._yields_models:
            raise TypeError("Cannot call QuerySet.contains() after .values() or .values_list().")
        if not isinstance(obj, Model):
            raise TypeError(f"'obj' must be a model instance, not {type(obj).__name__}.")
        if obj._meta.concrete_model is not self.model._meta.concrete_model:
            return False  # as Django: another model's row is not in this queryset (a proxy's rows are its model's)
        if not obj._is_pk_set():
            raise ValueError("QuerySet.contains() cannot be used on unsaved objects.")
        if self._result_cache is not None:
            return obj in self._result_cache
        return self.filter(pk=obj.pk).exists()

    def dates(self, field_name: str, kind: str, order: str = "ASC") -> QuerySet:
        """The distinct dates of `field_name` cut to `kind` (year, month, week, day): see query/dates.py."""
        return dates_module.dates(self, field_name, kind, order)

    def datetimes(self, field_name: str, kind: str, order: str = "ASC", tzinfo: Any = None) -> QuerySet:
        """The distinct datetimes of `field_name` cut to `kind` (year ... second), in `tzinfo`."""
        return dates_module.datetimes(self, field_name, kind, order, tzinfo)

    def in_bulk(self, id_list: Any = None, *, field_name: str = "pk") -> dict[Any, Any]:
        self._not_sliced("use 'limit' or 'offset' with in_bulk")
        opts = self.model._meta
        field = opts.pk if field_name == "pk" else opts.get_field(field_name)
        if field_name != "pk" and not field.unique and not validate.unique_by_constraint(opts, field_name):
            raise ValueError(f"in_bulk()'s field_name must be a unique field but '{field_name}' isn't.")
        if id_list is not None:
            ids = list(id_list)
            if not ids:
                return {}
            qs = self.filter(**{f"{field_name}__in": ids}).order_by()
        else:
            qs = self._clone()
        return {getattr(obj, field.attname if field_name != "pk" else opts.pk.attname): obj for obj in qs}

    # -- counting and aggregation ---------------------------------------------------

    def count(self) -> int:
        if self._result_cache is not None:
            return len(self._result_cache)
        return aggregation.count(self)

    def exists(self) -> bool:
        if self._result_cache is not None:
            return bool(self._result_cache)
        return aggregation.exists(self)

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._not_combined("aggregate")
        odd = [value for value in (*args, *kwargs.values()) if not getattr(value, "resolves_in_query", False)]
        if odd:
            raise TypeError(f"QuerySet.aggregate() received non-expression(s): {', '.join(map(str, odd))}.")
        for arg in args:
            try:
                kwargs[arg.default_alias] = arg
            except (AttributeError, TypeError):
                raise TypeError("Complex aggregates require an alias") from None
        aliases = {a.name for a in self._state.annotations if not a.selected}
        for name, expression in kwargs.items():
            check_alias(name)
            if not getattr(expression, "contains_aggregate", False):
                raise TypeError(f"{name} is not an aggregate expression")
            for ref in sorted(expression.refs()):
                if ref in aliases:
                    # Django's words, which name the fix.
                    raise exceptions.FieldError(
                        f"Cannot aggregate over the '{ref}' alias. Use annotate() to promote it."
                    )
        return aggregation.aggregate(self, kwargs)

    def extra(
        self,
        select: dict[str, str] | None = None,
        where: list[str] | None = None,
        params: list[Any] | None = None,
        tables: list[str] | None = None,
        order_by: list[str] | None = None,
        select_params: list[Any] | None = None,
    ) -> QuerySet:
        """Django's discouraged SQL-fragment hook, for compatibility: see query/extra.py."""
        from relata.models.query.extra import apply_extra

        self._not_sliced("change")
        return apply_extra(self, select, where, params, tables, order_by, select_params)

    def raw(
        self, raw_query: str, params: Any = (), translations: dict[str, str] | None = None, using: str | None = None
    ) -> Any:
        """Instances of this model from SQL the caller writes (see query/raw.py)."""
        from relata.models.query.raw import RawQuerySet

        raw = RawQuerySet(
            raw_query,
            model=self.model,
            params=params,
            translations=translations,
            using=using or self._db,
            hints=self._hints,
        )
        return raw.prefetch_related(*self._prefetch_lookups) if self._prefetch_lookups else raw

    def iterator(self, chunk_size: int | None = None) -> Iterator[Any]:
        if chunk_size is not None and chunk_size <= 0:
            raise ValueError("Chunk size must be strictly positive.")
        if self._prefetch_lookups and chunk_size is None:
            raise ValueError("chunk_size must be provided when using QuerySet.iterator() after prefetch_related().")
        # The arguments are checked when called; the query runs at the first next().
        return chunked_results(self, chunk_size)

    def as_manager(cls) -> Any:  # type: ignore[misc]
        from relata.models.manager import Manager

        manager = Manager.from_queryset(cls)()
        manager._built_with_as_manager = True
        return manager

    as_manager.queryset_only = True  # type: ignore[attr-defined]
    as_manager = classmethod(as_manager)  # type: ignore[assignment]

    def explain(self, *, format: str | None = None, **options: Any) -> str:
        for name in options:
            # An option name is written into the EXPLAIN clause: only a word may get there.
            if not _EXPLAIN_OPTION.fullmatch(name) or "--" in name:
                raise ValueError(f"Invalid option name: {name!r}.")
        connection = self._connection
        prefix = connection.ops.explain_query_prefix(format, options)
        compiled, values = compile_query(self._state, connection)
        rows = connection.execute(f"{prefix} {compiled.sql}", compiled.params(values)).fetchall()
        return "\n".join(" ".join(str(c) for c in row) for row in rows)


class EmptyQuerySet:
    """`isinstance(qs, EmptyQuerySet)` is true for `qs.none()`."""

    def __init__(self, *args: Any, **kwargs: Any):
        raise TypeError("EmptyQuerySet can't be instantiated")


class _EmptyMeta(type):
    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, QuerySet) and instance._state.empty


EmptyQuerySet = _EmptyMeta("EmptyQuerySet", (), {"__doc__": EmptyQuerySet.__doc__})  # type: ignore[misc]


def _apply_slice(low: int, high: int | None, start: int | None, stop: int | None) -> tuple[int, int | None]:
    new_low, new_high = low, high
    if stop is not None:
        new_high = min(high, low + stop) if high is not None else low + stop
    if start is not None:
        new_low = min(low + start, new_high) if new_high is not None else low + start
    return new_low, new_high


def _first_or_raise(qs: QuerySet, model: Any) -> Any:
    for obj in qs[:1]:
        return obj
    raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
