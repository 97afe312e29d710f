"""Rows to results: per-plan loader functions, generated once and cached.

A model loader is a small generated function that fills an instance's
`__dict__` straight from the row, calling a converter only for the columns
whose type needs one. select_related objects are loaded by nested loaders
and put into the parent's relation cache.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from typing import Any

from relata.models.query.plan import ModelPlan, SelectPlan


def model_loader(plan: ModelPlan, connection: Any, db: str,
                 annotations: tuple[tuple[str, int, Any], ...] = ()) -> Callable[[Any], Any]:
    """`load(row) -> instance` for one plan, one connection's converters and one alias.

    Annotations (name, column index, output field) become attributes in the same dict.
    """
    from relata.models.instance_state import DEFAULT_DB_ALIAS, ModelState, cache_related

    namespace: dict[str, Any] = {"new": plan.model.__new__, "cls": plan.model, "State": ModelState, "db": db}
    # Rows from the default database get their ModelState lazily (LazyModelState).
    items = [] if db == DEFAULT_DB_ALIAS else ["'_state': State(db, False)"]
    for offset, field in enumerate(plan.fields):
        index = plan.start + offset
        converter = field.from_db_converter(connection)
        if converter is None:
            items.append(f"{field.attname!r}: row[{index}]")
        else:
            namespace[f"c{index}"] = converter
            items.append(f"{field.attname!r}: (None if row[{index}] is None else c{index}(row[{index}]))")
    for name, index, field in annotations:
        converter = _converter(field, connection)
        if converter is None:
            items.append(f"{name!r}: row[{index}]")
        else:
            namespace[f"c{index}"] = converter
            items.append(f"{name!r}: (None if row[{index}] is None else c{index}(row[{index}]))")
    source = "def load(row):\n    obj = new(cls)\n    obj.__dict__ = {" + ", ".join(items) + "}\n    return obj\n"
    exec(compile(source, f"<relata loader {plan.model.__name__}>", "exec"), namespace)  # noqa: S102
    load = namespace["load"]
    if not plan.related:
        return load
    specs = []
    for field, is_reverse, sub in plan.related:
        pk_index = sub.start + next(i for i, f in enumerate(sub.fields) if f.primary_key)
        if is_reverse:
            name, back = field.get_cache_name(), field.field.name
        else:
            name, back = field.name, (field.remote_field.get_cache_name() if field.one_to_one else None)
        specs.append((name, back, pk_index, model_loader(sub, connection, db)))

    def load_with_related(row: Any) -> Any:
        obj = load(row)
        for name, back, pk_index, load_related in specs:
            target = None if row[pk_index] is None else load_related(row)
            cache_related(obj, name, target)
            if back is not None and target is not None:
                cache_related(target, back, obj)
        return obj

    return load_with_related


def _converter(field: Any, connection: Any) -> Callable[[Any], Any] | None:
    if field is None:
        return None
    return field.from_db_converter(connection)


def row_converter(plan: SelectPlan, connection: Any) -> Callable[[Any], tuple[Any, ...]]:
    """For values()/values_list(): a function converting a row's values in place."""
    converters = [(i, _converter(f, connection)) for i, f in enumerate(plan.fields)]
    converters = [(i, c) for i, c in converters if c is not None]
    width = len(plan.names)
    if not converters:
        return lambda row: row if len(row) == width else row[:width]

    def convert(row: Any) -> tuple[Any, ...]:
        values = list(row[:width])
        for index, converter in converters:
            if values[index] is not None:
                values[index] = converter(values[index])
        return tuple(values)

    return convert


def named_row_class(names: tuple[str, ...]) -> type:
    return namedtuple("Row", names, rename=True)  # noqa: PYI024
