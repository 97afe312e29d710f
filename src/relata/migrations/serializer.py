"""Python values as source text for migration files.

`serialize(value)` returns `(text, imports)`: the expression that rebuilds the
value and the import lines it needs. Fields, indexes, constraints and
validators go through their `deconstruct()`; names from `relata.models` are
written as `models.X`, the way people write them by hand. Values that cannot
be rebuilt from text (lambdas, local functions) raise ValueError naming the
fix.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import types
import uuid
from typing import Any

MODELS_IMPORT = "from relata import models"


def _models_name(path: str) -> str | None:
    """'relata.models.CharField' -> 'CharField' when `models.CharField` is that object."""
    import relata.models

    module, _, name = path.rpartition(".")
    if not module.startswith("relata.models"):
        return None
    return name if hasattr(relata.models, name) else None


def serialize_path(path: str) -> tuple[str, set[str]]:
    short = _models_name(path)
    if short is not None:
        return f"models.{short}", {MODELS_IMPORT}
    module, _, _name = path.rpartition(".")
    return path, {f"import {module}"}


def serialize_call(path: str, args: Any, kwargs: dict[str, Any]) -> tuple[str, set[str]]:
    name, imports = serialize_path(path)
    parts = []
    for arg in args:
        text, more = serialize(arg)
        parts.append(text)
        imports |= more
    for key in sorted(kwargs):
        text, more = serialize(kwargs[key])
        parts.append(f"{key}={text}")
        imports |= more
    return f"{name}({', '.join(parts)})", imports


def serialize(value: Any) -> tuple[str, set[str]]:
    if isinstance(value, str) and "'" not in value and '"' not in value:
        return '"' + repr(value)[1:-1] + '"', set()
    if value is None or isinstance(value, bool | int | float | str | bytes):
        return repr(value), set()
    if isinstance(value, enum.Enum):
        return serialize_call(f"{type(value).__module__}.{type(value).__qualname__}", (value.value,), {})
    if isinstance(value, decimal.Decimal):
        return f"decimal.Decimal({str(value)!r})", {"import decimal"}
    if isinstance(value, datetime.datetime | datetime.date | datetime.time | datetime.timedelta):
        return f"datetime.{value!r}" if not repr(value).startswith("datetime.") else repr(value), {"import datetime"}
    if isinstance(value, uuid.UUID):
        return f"uuid.{value!r}", {"import uuid"}
    if isinstance(value, list | tuple | set | frozenset):
        return _serialize_sequence(value)
    if isinstance(value, dict):
        imports: set[str] = set()
        items = []
        for key, item in value.items():
            key_text, more_key = serialize(key)
            item_text, more_item = serialize(item)
            imports |= more_key | more_item
            items.append(f"{key_text}: {item_text}")
        return "{" + ", ".join(items) + "}", imports
    deconstruct = getattr(value, "deconstruct", None)
    if deconstruct is not None and not isinstance(value, type):
        return _serialize_deconstructible(value)
    if type(value).__name__ == "Q":
        return _serialize_q(value)
    if type(value).__name__ == "F" and hasattr(value, "name"):
        return f"models.F({value.name!r})", {MODELS_IMPORT}
    if isinstance(value, types.FunctionType | types.BuiltinFunctionType | type):
        return _serialize_function(value)
    raise ValueError(
        f"Cannot write {value!r} ({type(value).__name__}) into a migration; use a value, a module-level "
        f"function or class, or an object with a deconstruct() method."
    )


def _serialize_sequence(value: Any) -> tuple[str, set[str]]:
    imports: set[str] = set()
    items = []
    members = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
    for item in members:
        text, more = serialize(item)
        items.append(text)
        imports |= more
    if isinstance(value, list):
        return "[" + ", ".join(items) + "]", imports
    if isinstance(value, tuple):
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")", imports
    if not items:
        return "set()", imports
    return "{" + ", ".join(items) + "}", imports


def _serialize_deconstructible(value: Any) -> tuple[str, set[str]]:
    parts = value.deconstruct()
    if len(parts) == 4:  # a field: (name, path, args, kwargs)
        _name, path, args, kwargs = parts
    elif len(parts) == 3:
        path, args, kwargs = parts
    else:
        raise ValueError(f"{value!r}.deconstruct() returned {len(parts)} items; expected 3 or 4.")
    return serialize_call(path, args, kwargs)


def _serialize_q(q: Any) -> tuple[str, set[str]]:
    imports = {MODELS_IMPORT}
    parts = []
    for child in q.children:
        text, more = serialize(child)
        parts.append(text)
        imports |= more
    if q.connector != "AND":
        parts.append(f"_connector={q.connector!r}")
    if q.negated:
        parts.append("_negated=True")
    return f"models.Q({', '.join(parts)})", imports


def _serialize_function(value: Any) -> tuple[str, set[str]]:
    name = value.__qualname__
    module = value.__module__
    if name == "<lambda>" or "<locals>" in name:
        raise ValueError(
            f"Cannot write {name} into a migration: lambdas and nested functions have no importable "
            f"name. Move it to module level."
        )
    short = _models_name(f"relata.models.{name}") if module.startswith("relata.models") else None
    if short is not None:
        import relata.models

        if getattr(relata.models, short) is value:
            return f"models.{short}", {MODELS_IMPORT}
    if module == "builtins":
        return name, set()
    return f"{module}.{name}", {f"import {module}"}
