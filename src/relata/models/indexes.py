"""Meta.indexes: `Index` on fields or expressions, partial, covering, with opclasses.

An Index is plain data until `models/schema.py` turns it into an `IndexSpec`
for a backend. Its name may be given (with `%(app_label)s` / `%(class)s`) or
derived from the table and first column as Django derives it, so an index made
by relata carries the name Django would give it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from relata.models.expressions import F
from relata.models.q import Q


def names_digest(*parts: str, length: int) -> str:
    """An md5 of the parts, cut to `length` hex digits: the stable middle of a derived name."""
    digest = hashlib.md5(usedforsecurity=False)
    for part in parts:
        digest.update(part.encode())
    return digest.hexdigest()[:length]


def table_name_only(db_table: str) -> str:
    """`"schema"."table"` or `"table"` -> `table`: quotes never reach a derived name."""
    if '"."' in db_table:
        db_table = db_table.split('"."', 1)[1]
    return db_table.strip('"')


class Index:
    suffix = "idx"
    #: Derived names stay short enough for every database (Oracle's old 30 characters, as Django).
    max_name_length = 30

    def __init__(
        self,
        *expressions: Any,
        fields: Any = (),
        name: str | None = None,
        db_tablespace: str | None = None,
        opclasses: Any = (),
        condition: Any = None,
        include: Any = None,
    ):
        _check_arguments(expressions, fields, name, opclasses, condition, include)
        self.fields = list(fields)
        self.name = name or ""
        self.db_tablespace = db_tablespace
        self.opclasses = opclasses
        self.condition = condition
        self.include = tuple(include) if include else ()
        self.expressions = tuple(F(e) if isinstance(e, str) else e for e in expressions)

    @property
    def fields_orders(self) -> list[tuple[str, str]]:
        """(field name, "DESC" or "") for each entry of `fields` (derived: RenameField edits `fields`)."""
        return [(f.removeprefix("-"), "DESC" if f.startswith("-") else "") for f in self.fields]

    @property
    def contains_expressions(self) -> bool:
        return bool(self.expressions)

    def set_name_with_model(self, model: Any) -> None:
        """Derive the name from the table, the first column and a digest of every column, as Django."""
        table = table_name_only(model._meta.db_table)
        columns = [model._meta.get_field(name).column for name, _order in self.fields_orders]
        ordered = [
            ("-" if order else "") + column for column, (_name, order) in zip(columns, self.fields_orders, strict=True)
        ]
        digest = names_digest(table, *ordered, self.suffix, length=6)
        self.name = f"{table[:11]}_{columns[0][:7]}_{digest}_{self.suffix}"
        if len(self.name) > self.max_name_length:
            raise ValueError("Index too long for multiple database support. Is self.suffix longer than 3 characters?")
        if self.name[0] == "_" or self.name[0].isdigit():
            self.name = "D" + self.name[1:]

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        kwargs: dict[str, Any] = {"name": self.name}
        if self.fields:
            kwargs["fields"] = self.fields
        if self.db_tablespace is not None:
            kwargs["db_tablespace"] = self.db_tablespace
        if self.opclasses:
            kwargs["opclasses"] = self.opclasses
        if self.condition:
            kwargs["condition"] = self.condition
        if self.include:
            kwargs["include"] = self.include
        return _public_path(self), self.expressions, kwargs

    def clone(self) -> Index:
        _path, args, kwargs = self.deconstruct()
        return type(self)(*args, **kwargs)

    def __eq__(self, other: object) -> bool:
        if type(other) is type(self):
            return self.deconstruct() == other.deconstruct()  # type: ignore[attr-defined]
        return NotImplemented

    def __hash__(self) -> int:
        return hash((type(self), self.name, tuple(self.fields)))

    def __repr__(self) -> str:
        parts = [
            f" fields={self.fields!r}" if self.fields else "",
            f" expressions={self.expressions!r}" if self.expressions else "",
            f" name={self.name!r}" if self.name else "",
            f" db_tablespace={self.db_tablespace!r}" if self.db_tablespace is not None else "",
            f" condition={self.condition}" if self.condition is not None else "",
            f" include={self.include!r}" if self.include else "",
            f" opclasses={self.opclasses!r}" if self.opclasses else "",
        ]
        return f"<{type(self).__qualname__}:{''.join(parts)}>"


def _check_arguments(expressions: Any, fields: Any, name: Any, opclasses: Any, condition: Any, include: Any) -> None:
    """Django's refusals, in Django's order, so the first problem named is the same."""
    if opclasses and not name:
        raise ValueError("An index must be named to use opclasses.")
    if condition is not None and not isinstance(condition, Q):
        raise ValueError("Index.condition must be a Q instance.")
    if condition and not name:
        raise ValueError("An index must be named to use condition.")
    if not isinstance(fields, list | tuple):
        raise ValueError("Index.fields must be a list or tuple.")
    if not isinstance(opclasses, list | tuple):
        raise ValueError("Index.opclasses must be a list or tuple.")
    if not expressions and not fields:
        raise ValueError("At least one field or expression is required to define an index.")
    if expressions and fields:
        raise ValueError("Index.fields and expressions are mutually exclusive.")
    if expressions and not name:
        raise ValueError("An index must be named to use expressions.")
    if expressions and opclasses:
        raise ValueError(
            "Index.opclasses cannot be used with expressions; give each expression its own index "
            "without opclasses, or index the fields with fields=[...] and opclasses=[...]."
        )
    if opclasses and len(fields) != len(opclasses):
        raise ValueError("Index.fields and Index.opclasses must have the same number of elements.")
    if fields and not all(isinstance(field, str) for field in fields):
        raise ValueError("Index.fields must contain only strings with field names.")
    if include and not name:
        raise ValueError("A covering index must be named.")
    if include is not None and not isinstance(include, list | tuple):
        raise ValueError("Index.include must be a list or tuple.")


def _public_path(obj: Any) -> str:
    """`relata.models.<Name>` for the public classes, so migrations import them from there."""
    import relata.models

    cls = type(obj)
    if getattr(relata.models, cls.__name__, None) is cls:
        return f"relata.models.{cls.__name__}"
    return f"{cls.__module__}.{cls.__qualname__}"


def format_names(model: Any) -> None:
    """At class preparation: interpolate `%(app_label)s`/`%(class)s` in names and derive missing index names.

    Each model gets its own copies, so two children of one abstract base never share an Index.
    """
    opts = model._meta
    for attr in ("indexes", "constraints"):
        formatted = []
        for obj in getattr(opts, attr):
            obj = obj.clone()
            if obj.name:
                # Only the two placeholders: any other `%` is part of the name (Django's `%=` would
                # refuse "rate%" or halve "100%%"; relata keeps every name as written).
                obj.name = obj.name.replace("%(app_label)s", opts.app_label.lower())
                obj.name = obj.name.replace("%(class)s", opts.model_name)
            formatted.append(obj)
        setattr(opts, attr, formatted)
    for index in opts.indexes:
        if not index.name:
            index.set_name_with_model(model)
