"""CompositePrimaryKey: a primary key made of several of the model's own fields.

The field has no column: `_meta.pk` is it, `_meta.pk_fields` its parts, and
`obj.pk` reads and writes their values as one tuple. Filters that name it
(`pk=(1, 2)`, `pk__in=[...]`, `pk__gt=...`) are rewritten into conditions on
the parts by `expand_where()`, so the query builder only ever sees columns.
"""

from __future__ import annotations

from typing import Any

from relata.exceptions import FieldDoesNotExist
from relata.models.fields import NOT_PROVIDED, Field
from relata.sql import nodes as n


class CompositeAttribute:
    """`obj.pk` on a model keyed by several fields: the tuple of their values."""

    def __init__(self, field: CompositePrimaryKey):
        self.field = field

    @property
    def attnames(self) -> tuple[str, ...]:
        return tuple(f.attname for f in self.field.fields)

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return tuple(getattr(instance, attname) for attname in self.attnames)

    def __set__(self, instance: Any, values: Any) -> None:
        attnames = self.attnames
        if values is None:
            values = (None,) * len(attnames)
        if not isinstance(values, tuple | list):
            raise ValueError(f"'{self.field.name}' must be a list or a tuple.")
        if len(values) != len(attnames):
            raise ValueError(f"'{self.field.name}' must have {len(attnames)} elements.")
        for attname, value in zip(attnames, values, strict=True):
            setattr(instance, attname, value)


class CompositePrimaryKey(Field):
    """`pk = CompositePrimaryKey("tenant_id", "id")`: the row is identified by those fields together."""

    internal_type = "CompositePrimaryKey"
    descriptor_class = CompositeAttribute

    def __init__(self, *args: Any, **kwargs: Any):
        if not args or not all(isinstance(name, str) for name in args) or len(args) != len(set(args)):
            raise ValueError("CompositePrimaryKey args must be unique strings.")
        if len(args) < 2:
            raise ValueError("CompositePrimaryKey must include at least two fields.")
        refused = (
            ("default", NOT_PROVIDED, "CompositePrimaryKey cannot have a default."),
            ("db_default", NOT_PROVIDED, "CompositePrimaryKey cannot have a database default."),
            ("db_column", None, "CompositePrimaryKey cannot have a db_column."),
            ("editable", False, "CompositePrimaryKey cannot be editable."),
            ("primary_key", True, "CompositePrimaryKey must be a primary key."),
            ("blank", True, "CompositePrimaryKey must be blank."),
        )
        for name, allowed, message in refused:
            value = kwargs.get(name, allowed)
            if not (value is allowed or value == allowed):
                raise ValueError(message)
        self.field_names = args
        kwargs.update(primary_key=True, editable=False, blank=True)
        super().__init__(**kwargs)

    def get_attname_column(self) -> tuple[str, str | None]:
        return self.get_attname(), None

    def contribute_to_class(self, cls: type, name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        setattr(cls, self.attname, self.descriptor_class(self))
        cls._meta.apps.has_composite_keys = True

    @property
    def fields(self) -> tuple[Any, ...]:
        """The parts, in the order the key names them (a ForeignKey named by name or attname)."""
        opts = self.model._meta
        return tuple(opts.get_field(name) for name in self.field_names)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.column for f in self.fields)

    def value_from_object(self, obj: Any) -> Any:
        return tuple(f.value_from_object(obj) for f in self.fields)

    def get_prep_value(self, value: Any) -> Any:
        return value

    def to_python(self, value: Any) -> Any:
        return value

    def validate(self, value: Any, model_instance: Any) -> None:
        """Each part validates itself; the key as a whole has nothing more to check."""

    def deconstruct(self) -> tuple[str | None, str, list[Any], dict[str, Any]]:
        kwargs = dict(getattr(self, "_constructor_args", ((), {}))[1])
        for fixed in ("primary_key", "editable", "blank"):
            kwargs.pop(fixed, None)
        return self.name, "relata.models.CompositePrimaryKey", list(self.field_names), kwargs

    def check(self, **kwargs: Any) -> list[Any]:
        from relata.models.checks import Error

        # Not the plain field checks: 'pk' is the very name this field must have (fields.E003 is for others).
        messages = []
        if self.name != "pk":
            messages.append(Error("'CompositePrimaryKey' must be named 'pk'.", obj=self, id="fields.E013"))
        model = self.model
        if any(f.primary_key and f is not self for f in model._meta.local_fields):
            messages.append(
                Error("The model cannot have more than one field with 'primary_key=True'.", obj=model, id="models.E026")
            )
        messages.extend(_part_errors(self))
        return messages


def _part_errors(key: CompositePrimaryKey) -> list[Any]:
    """models.E042 for each name that cannot be part of the key, with the reason as the hint."""
    from relata.models.checks import Error

    opts = key.model._meta
    messages = []
    seen: dict[Any, str] = {}
    for name in key.field_names:
        hint = None
        try:
            field = opts.get_field(name)
        except FieldDoesNotExist:
            field = None
            hint = f"'{name}' is not a valid field."
        if field is None:
            pass
        elif field in seen:
            hint = f"'{name}' and '{seen[field]}' are the same fields."
        elif field is key or not getattr(field, "concrete", False) or field.column is None:
            hint = f"'{name}' field has no column."
        elif field.null:
            hint = f"'{name}' field may not set 'null=True'."
        elif field.generated:
            hint = f"'{name}' field is a generated field."
        elif field not in opts.local_fields:
            hint = f"'{name}' field is not a local field."
        if field is not None:
            seen.setdefault(field, name)
        if hint is not None:
            messages.append(
                Error(
                    f"'{name}' cannot be included in the composite primary key.",
                    hint=hint,
                    obj=key.model,
                    id="models.E042",
                )
            )
    return messages


def is_composite(field: Any) -> bool:
    return isinstance(field, CompositePrimaryKey)


def composite_value(obj: Any) -> tuple[Any, ...] | None:
    """The instance's key as a tuple, or None while any part is unset (save() then inserts)."""
    values = tuple(obj.__dict__.get(f.attname) for f in obj._meta.pk_fields)
    return None if any(v is None for v in values) else values


def key_condition(opts: Any, alias: str | None = None) -> n.Node:
    """`key = ?` for one row, a `?` per key column (their values come from key_preparer())."""
    parts = [n.Lookup("exact", n.Col(alias, f.column), n.Param(None)) for f in opts.pk_fields]
    return parts[0] if len(parts) == 1 else n.And(tuple(parts))


def key_preparer(opts: Any, connection: Any) -> Any:
    """How a key value is sent: the pk's own preparer, or for a composite key a function that
    turns the tuple into the list of its parts' database values."""
    if not opts.is_composite_pk:
        return opts.pk.db_preparer(connection)
    preparers = [f.db_preparer(connection) for f in opts.pk_fields]

    def prepare(value: Any) -> list[Any]:
        return [p(v) if p else v for p, v in zip(preparers, value, strict=True)]

    return prepare


def key_equals(opts: Any, key: Any, connection: Any) -> n.Node:
    """`key = <this value>` for one row, its values as parameters."""
    prepare = key_preparer(opts, connection)
    if not opts.is_composite_pk:
        return n.Lookup("exact", n.Col(None, opts.pk.column), n.Param(prepare(key) if prepare else key))
    pairs = zip(opts.pk_fields, prepare(key), strict=True)
    return n.And(tuple(n.Lookup("exact", n.Col(None, f.column), n.Param(value)) for f, value in pairs))


def key_in(opts: Any, keys: list[Any], connection: Any) -> n.Node:
    """`key IN (...)` for the rows whose keys are `keys`; a composite key ORs one AND per row."""
    prepare = key_preparer(opts, connection)
    if not opts.is_composite_pk:
        return n.In(n.Col(None, opts.pk.column), tuple(n.Param(prepare(k) if prepare else k) for k in keys))
    rows = [key_equals(opts, key, connection) for key in keys]
    return rows[0] if len(rows) == 1 else n.Or(tuple(rows))
