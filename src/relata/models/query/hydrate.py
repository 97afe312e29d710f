"""Rows to results: per-plan loader functions, generated once and cached.

A model loader is a small generated function that fills an instance's
`__dict__` straight from the row, calling a converter only for the columns
whose type needs one. The same function builds select_related objects and
the relation caches that link them, so a row costs one Python call.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from relata.models.fields.composite import is_composite
from relata.models.query.plan import ModelPlan, SelectPlan


def model_loader(
    plan: ModelPlan,
    connection: Any,
    db: str,
    annotations: tuple[tuple[str, int, Any], ...] = (),
    known: str | None = None,
    collect: bool = False,
) -> Callable[..., Any]:
    """`load(row) -> instance` for one plan, one connection's converters and one alias.

    Annotations (name, column index, output field) become attributes in the same
    dict; select_related objects are built by the same generated function. With
    `known` (a relation field name), the loader is `load(row, known_objects)` and
    caches `known_objects[row's key]` as that relation: reverse managers and
    prefetches already hold the object every row points at. With `collect`,
    `known_objects` maps each key to (object, list) and the loader also appends
    the row's instance to that list: a prefetch's grouping, done while loading.
    """
    source = _LoaderSource(connection, db)
    if known is not None:
        field = plan.model._meta.get_field(known)
        # The key's columns: a ForeignObject's local fields (a tuple key), else the field's own.
        keys = field.local_related_fields if not field.concrete else (field,)
        if all(any(f is key for f in plan.fields) for key in keys):  # else a key column was deferred
            source.known = (known, field.attname if field.concrete else tuple(k.attname for k in keys), collect)
    source.emit(plan, annotations, back=None, indent="    ")
    signature = "row" if known is None else "row, known_objects"
    code = f"def load({signature}):\n" + "\n".join(source.lines) + "\n    return o0\n"
    exec(compile(code, f"<relata loader {plan.model.__name__}>", "exec"), source.namespace)
    return source.namespace["load"]


class _LoaderSource:
    """Writes the body of a loader: one block per model in the plan."""

    def __init__(self, connection: Any, db: str):
        from relata.models.instance_state import DEFAULT_DB_ALIAS, ModelState

        self.connection = connection
        self.eager_state = db != DEFAULT_DB_ALIAS
        self.namespace: dict[str, Any] = {"State": ModelState, "db": db}
        self.lines: list[str] = []
        self.count = 0
        #: (relation name, key attname or a tuple of them, collect) of the known relation, or None.
        self.known: tuple[str, Any, bool] | None = None

    def value(self, index: int, field: Any) -> str:
        converter = _converter(field, self.connection)
        if converter is None:
            return f"row[{index}]"
        self.namespace[f"c{index}"] = converter
        if getattr(converter, "takes_none", False):  # a field's from_db_value sees NULLs too
            return f"c{index}(row[{index}])"
        return f"(None if row[{index}] is None else c{index}(row[{index}]))"

    def emit(
        self, plan: ModelPlan, annotations: tuple[tuple[str, int, Any], ...], back: tuple[str, str] | None, indent: str
    ) -> str:
        var = f"o{self.count}"
        self.count += 1
        self.namespace[f"cls_{var}"] = plan.model
        self.namespace[f"new_{var}"] = plan.model.__new__
        self.lines.append(f"{indent}{var} = new_{var}(cls_{var})")
        cache_items = [] if back is None else [f"{back[0]!r}: {back[1]}"]
        known, self.known = self.known, None
        for field, is_reverse, sub in plan.related:
            if is_reverse:
                name, back_name = field.get_cache_name(), field.field.name
            else:
                name = field.name
                back_name = field.remote_field.get_cache_name() if field.one_to_one else None
            # NULL in the key's (first) column: the outer join found no related row.
            key = sub.model._meta.pk_fields
            pk_index = sub.start + next(i for i, f in enumerate(sub.fields) if f.primary_key or f in key)
            child = f"o{self.count}"
            self.lines.append(f"{indent}if row[{pk_index}] is None:")
            self.lines.append(f"{indent}    {child} = None")
            self.lines.append(f"{indent}else:")
            self.emit(sub, (), (back_name, var) if back_name else None, indent + "    ")
            cache_items.append(f"{name!r}: {child}")
        items = [f"{f.attname!r}: {self.value(plan.start + i, f)}" for i, f in enumerate(plan.fields)]
        items += [f"{name!r}: {self.value(index, field)}" for name, index, field in annotations]
        items += cache_items  # relation caches live in the instance dict (see instance_state)
        if self.eager_state:
            state = f"s_{var}"
            self.lines.append(f"{indent}{state} = State(db, False)")
            items.insert(0, f"'_state': {state}")
        target = f"{var}.__dict__ = d" if known else f"{var}.__dict__"
        self.lines.append(f"{indent}{target} = {{{', '.join(items)}}}")
        if known:
            name, attname, collect = known
            # Keyed by the converted value, as the known objects are (a tuple of them for a ForeignObject).
            key = f"d[{attname!r}]" if isinstance(attname, str) else "(" + "".join(f"d[{a!r}], " for a in attname) + ")"
            self.lines.append(f"{indent}target = known_objects.get({key})")
            self.lines.append(f"{indent}if target is not None:")
            if collect:
                self.lines.append(f"{indent}    d[{name!r}] = target[0]")
                self.lines.append(f"{indent}    target[1].append({var})")
            else:
                self.lines.append(f"{indent}    d[{name!r}] = target")
        return var


def _converter(field: Any, connection: Any) -> Callable[[Any], Any] | None:
    if field is None:
        return None
    return field.from_db_converter(connection)


def row_converter(plan: SelectPlan, connection: Any) -> Callable[[Any], tuple[Any, ...]]:
    """For values()/values_list(): a function converting a row's values in place."""
    if any(is_composite(f) for f in plan.fields):
        return _packing_converter(plan, connection)
    converters = [(i, _converter(f, connection)) for i, f in enumerate(plan.fields)]
    converters = [(i, c) for i, c in converters if c is not None]
    width = len(plan.names)
    if not converters:
        return lambda row: row if len(row) == width else row[:width]

    def convert(row: Any) -> tuple[Any, ...]:
        values = list(row[:width])
        for index, converter in converters:
            if values[index] is not None or getattr(converter, "takes_none", False):
                values[index] = converter(values[index])
        return tuple(values)

    return convert


def _packing_converter(plan: SelectPlan, connection: Any) -> Callable[[Any], tuple[Any, ...]]:
    """values("pk") of a composite key: the parts' columns come back as one tuple."""
    spans = []
    for field in plan.fields:
        parts = field.fields if is_composite(field) else (field,)
        spans.append((is_composite(field), [_converter(f, connection) for f in parts]))

    def convert(row: Any) -> tuple[Any, ...]:
        values, index = [], 0
        for packed, converters in spans:
            found = []
            for converter in converters:
                value = row[index]
                index += 1
                if converter is not None and (value is not None or getattr(converter, "takes_none", False)):
                    value = converter(value)
                found.append(value)
            values.append(tuple(found) if packed else found[0])
        return tuple(values)

    return convert


@lru_cache(maxsize=256)  # bounded: names come from queries; one class per shape, not per query or row
def named_row_class(names: tuple[str, ...]) -> type:
    """The namedtuple of values_list(named=True) rows; a row pickles as its names and values."""
    row_class = namedtuple("Row", names, rename=True)
    row_class.__reduce__ = lambda row: (_unpickled_row, (names, tuple(row)))  # type: ignore[method-assign]
    return row_class


def _unpickled_row(names: tuple[str, ...], values: tuple[Any, ...]) -> tuple[Any, ...]:
    return named_row_class(names)(*values)
