"""Generated per-model functions for the hottest paths: building instances, reading row values.

`Model(**kwargs)` and the values an INSERT/UPDATE sends run once per object in
bulk work, so each model gets small functions written for its own fields:
no per-field loop, and no call into a field for a value that already has the
plain Python type the database takes.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from typing import Any

from relata.models.fields import BooleanField, CharField, Field, FloatField, IntegerField

_PLAIN_TYPES = ((BooleanField, bool), (IntegerField, int), (FloatField, float), (CharField, str))


def build_init(opts: Any) -> Callable[[Any, dict[str, Any]], None]:
    """`init(instance, kwargs)`: fill a new instance from keyword arguments (Model.__init__'s general path)."""
    namespace: dict[str, Any] = {}
    lines = ["def init(self, kwargs):", "    d = self.__dict__", "    d['_state'] = None  # new (see instance_state)"]
    lines.append("    pop = kwargs.pop")
    for index, (name, attname, is_relation, default, call) in enumerate(opts.init_plan):
        namespace[f"default{index}"] = default
        fallback = f"default{index}()" if call else f"default{index}"
        if is_relation:
            namespace[f"descriptor{index}"] = getattr(opts.model, name)
            lines += [
                f"    if {name!r} in kwargs:",
                f"        value = pop({name!r})",
                "        if value is None:",
                f"            d[{attname!r}] = None",
                "        else:",
                f"            descriptor{index}.__set__(self, value)",
                f"    elif {attname!r} in kwargs:",
                f"        d[{attname!r}] = pop({attname!r})",
                "    else:",
                f"        d[{attname!r}] = {fallback}",
            ]
        elif call:
            lines.append(f"    d[{attname!r}] = pop({name!r}) if {name!r} in kwargs else {fallback}")
        else:
            lines.append(f"    d[{attname!r}] = pop({name!r}, {fallback})")
    lines += _descriptor_set_lines(opts, namespace, "self", "d")
    lines += ["    if kwargs:", "        self._init_extra(kwargs)"]
    return _compile(lines, namespace, "init", f"<relata init {opts.object_name}>")


def field_setters(opts: Any) -> list[tuple[str, Any]]:
    """(attname, descriptor) of the plain fields whose descriptor has __set__ (a custom descriptor_class).

    Model(...) gives them their first value through __set__, as Django does;
    other fields' values go straight into the instance dict.
    """
    setters = []
    for field in opts.concrete_fields:
        if field.is_relation:
            continue  # relations have their own path (the forward descriptor, by name)
        descriptor = next((k.__dict__[field.attname] for k in opts.model.__mro__ if field.attname in k.__dict__), None)
        if descriptor is not None and hasattr(type(descriptor), "__set__"):
            setters.append((field.attname, descriptor))
    return setters


def _descriptor_set_lines(opts: Any, namespace: dict[str, Any], instance: str, state: str) -> list[str]:
    lines = []
    for index, (attname, descriptor) in enumerate(field_setters(opts)):
        namespace[f"r__setter{index}"] = descriptor
        # Out of the dict first, so the descriptor sees no previous value (as on Django's first assignment).
        lines.append(f"    r__setter{index}.__set__({instance}, {state}.pop({attname!r}))")
    return lines


def build_class_init(opts: Any, general: Callable[..., None]) -> Callable[..., None]:
    """A model's own `__init__`, with a keyword-only parameter per field name and attname.

    Python binds the keywords, so `Book(title=..., author_id=...)` costs one call.
    Positional arguments, unknown keywords, and a relation given both as object
    and as id go to `general` (Model.__init__'s general path) unchanged. Names
    of the function's own contain "__", which no field name may.
    """
    namespace: dict[str, Any] = {"r__M": _OMITTED}
    namespace["r__general"] = general
    names = [name for plan in opts.init_plan for name in plan[:2]]
    if not all(name.isidentifier() and "__" not in name and not keyword.iskeyword(name) for name in names):
        # A name no parameter can take (checks report it as fields.E002): the general path only.
        lines = ["def __init__(r__self, *r__args, **r__kwargs):", "    r__general(r__self, *r__args, **r__kwargs)"]
        init = _compile(lines, namespace, "__init__", f"<relata __init__ {opts.object_name}>")
        init.generated_for = opts  # type: ignore[attr-defined]
        init.general = general  # type: ignore[attr-defined]
        return init
    params: list[str] = []
    items = ["'_state': None"]  # new and unsaved (see instance_state)
    relations: list[str] = []
    clashes: list[str] = []
    for index, (name, attname, is_relation, default, call) in enumerate(opts.init_plan):
        namespace[f"r__default{index}"] = default
        fallback = f"r__default{index}()" if call else f"r__default{index}"
        params.append(name)
        if not is_relation:
            items.append(f"{attname!r}: {fallback} if {name} is r__M else {name}")
            continue
        params.append(attname)
        clashes.append(f"({name} is not r__M and {attname} is not r__M)")
        items.append(f"{attname!r}: ({fallback} if {attname} is r__M else {attname}) if {name} is r__M else None")
        namespace[f"r__descriptor{index}"] = getattr(opts.model, name)
        relations += [
            f"    if {name} is not r__M and {name} is not None:",
            f"        r__descriptor{index}.__set__(r__self, {name})",
        ]
    passed = "".join(f"({p!r}, {p}), " for p in params)
    unusual = " or ".join(["r__args", "r__extra", *clashes])
    lines = [
        f"def __init__(r__self, *r__args, {''.join(f'{p}=r__M, ' for p in params)}**r__extra):",
        f"    if {unusual}:",
        f"        r__kwargs = {{r__k: r__v for r__k, r__v in ({passed}) if r__v is not r__M}}",
        "        r__kwargs.update(r__extra)",
        "        return r__general(r__self, *r__args, **r__kwargs)",
        f"    r__self.__dict__ = {{{', '.join(items)}}}",
        *relations,
        *_descriptor_set_lines(opts, namespace, "r__self", "r__self.__dict__"),
    ]
    init = _compile(lines, namespace, "__init__", f"<relata __init__ {opts.object_name}>")
    init.__qualname__ = f"{opts.object_name}.__init__"
    init.generated_for = opts  # type: ignore[attr-defined]
    init.general = general  # type: ignore[attr-defined]
    return init


class _Omitted:
    """The default of every generated `__init__` parameter: "not passed"."""

    def __repr__(self) -> str:
        return "<omitted>"


_OMITTED = _Omitted()


def build_row_values(connection: Any, fields: tuple[Field, ...], add: bool) -> Callable[[Any], Any]:
    """`values(instance) -> (list, has expression)`: what an INSERT (add) or UPDATE sends.

    An expression (F("n") + 1) assigned to an attribute is passed through, and
    reported, so the caller can build an UPDATE around it.
    """
    namespace: dict[str, Any] = {"add": add}
    lines = ["def values(obj):", "    d = obj.__dict__", "    expression = False"]
    lines += _value_lines(connection, fields, namespace, "    ", "expression = True")
    lines.append("    return [" + ", ".join(f"v{i}" for i in range(len(fields))) + "], expression")
    return _compile(lines, namespace, "values", "<relata row values>")


def build_bulk_rows(connection: Any, fields: tuple[Field, ...], flat: bool) -> Callable[[Any], list[Any]]:
    """`rows(instances)`: what bulk_create inserts, read in one call.

    A list of value lists, or with `flat` one list of all values (the
    parameters of a multi-row INSERT). A value that is an expression cannot be
    a parameter: reading one raises HoldsExpression.
    """
    namespace: dict[str, Any] = {"add": True, "refuse": _refuse_expression}
    lines = ["def rows(objs):", "    out = []", f"    add_row = out.{'extend' if flat else 'append'}"]
    lines += ["    for obj in objs:", "        d = obj.__dict__"]
    lines += _value_lines(connection, fields, namespace, "        ", "refuse()")
    values = ", ".join(f"v{i}" for i in range(len(fields)))
    row = f"({values},)" if values else "()"  # a model with only an auto key inserts rows of no values
    lines += [f"        add_row({row})" if flat else f"        add_row([{values}])", "    return out"]
    return _compile(lines, namespace, "rows", "<relata bulk rows>")


class HoldsExpression(Exception):
    """Raised by the generated bulk rows reader at the first expression: the caller builds that INSERT itself."""


def _refuse_expression() -> None:
    raise HoldsExpression


def _value_lines(
    connection: Any, fields: tuple[Field, ...], namespace: dict[str, Any], indent: str, on_expression: str
) -> list[str]:
    """Code setting `v<i>` to what the database takes for field i of the instance dict `d` (of `obj`)."""
    lines = []
    for index, field in enumerate(fields):
        var = f"v{index}"
        if type(field).pre_save is not Field.pre_save:
            namespace[f"field{index}"] = field
            lines.append(f"{indent}{var} = field{index}.pre_save(obj, add)")
        else:
            lines.append(f"{indent}{var} = d.get({field.attname!r})")
        prep = field.db_preparer(connection)
        if prep is None:
            continue
        namespace[f"prep{index}"] = prep
        plain = _plain_type(field, connection)
        if plain is None:
            lines.append(f"{indent}if {var} is not None:")
        else:
            namespace[f"type{index}"] = plain
            lines.append(f"{indent}if {var} is not None and type({var}) is not type{index}:")
        lines += [
            f"{indent}    if getattr({var}, 'resolves_in_query', False):",
            f"{indent}        {on_expression}",
            f"{indent}    else:",
            f"{indent}        {var} = prep{index}({var})",
        ]
    return lines


def _plain_type(field: Any, connection: Any) -> type | None:
    """A type whose values this field sends unchanged on this connection, if there is one."""
    target = field.target_field if field.is_relation else field
    if connection.ops.adapter_for(target.get_internal_type()) is not None:
        return None
    cls = type(target)
    if cls.get_db_prep_value is not Field.get_db_prep_value or cls.get_db_prep_save is not Field.get_db_prep_save:
        return None  # a custom field converts every value itself
    for field_class, python_type in _PLAIN_TYPES:
        if isinstance(target, field_class):
            # Only while the class keeps the built-in get_prep_value, which leaves that type alone.
            return python_type if cls.get_prep_value is field_class.get_prep_value else None
    return None


def _compile(lines: list[str], namespace: dict[str, Any], name: str, filename: str) -> Any:
    exec(compile("\n".join(lines) + "\n", filename, "exec"), namespace)
    return namespace[name]
