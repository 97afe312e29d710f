"""Generated per-model functions for the hottest paths: building instances, reading row values.

`Model(**kwargs)` and the values an INSERT/UPDATE sends run once per object in
bulk work, so each model gets small functions written for its own fields:
no per-field loop, and no call into a field for a value that already has the
plain Python type the database takes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from relata.models.fields import BooleanField, CharField, Field, FloatField, IntegerField
from relata.models.instance_state import ModelState

_PLAIN_TYPES = ((BooleanField, bool), (IntegerField, int), (FloatField, float), (CharField, str))


def build_init(opts: Any) -> Callable[[Any, dict[str, Any]], None]:
    """`init(instance, kwargs)`: fill a new instance from keyword arguments."""
    namespace: dict[str, Any] = {"State": ModelState}
    lines = ["def init(self, kwargs):", "    d = self.__dict__", "    d['_state'] = State()", "    pop = kwargs.pop"]
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
    lines += ["    if kwargs:", "        self._init_extra(kwargs)"]
    return _compile(lines, namespace, "init", f"<relata init {opts.object_name}>")


def build_row_values(connection: Any, fields: tuple[Field, ...], add: bool) -> Callable[[Any], Any]:
    """`values(instance) -> (list, has expression)`: what an INSERT (add) or UPDATE sends.

    An expression (F("n") + 1) assigned to an attribute is passed through, and
    reported, so the caller can build an UPDATE around it.
    """
    namespace: dict[str, Any] = {"add": add}
    lines = ["def values(obj):", "    d = obj.__dict__", "    expression = False"]
    for index, field in enumerate(fields):
        var = f"v{index}"
        if type(field).pre_save is not Field.pre_save:
            namespace[f"field{index}"] = field
            lines.append(f"    {var} = field{index}.pre_save(obj, add)")
        else:
            lines.append(f"    {var} = d.get({field.attname!r})")
        prep = field.db_preparer(connection)
        if prep is None:
            continue
        namespace[f"prep{index}"] = prep
        plain = _plain_type(field, connection)
        if plain is None:
            lines.append(f"    if {var} is not None:")
        else:
            namespace[f"type{index}"] = plain
            lines.append(f"    if {var} is not None and type({var}) is not type{index}:")
        lines += [
            f"        if getattr({var}, 'resolves_in_query', False):",
            "            expression = True",
            "        else:",
            f"            {var} = prep{index}({var})",
        ]
    lines.append("    return [" + ", ".join(f"v{i}" for i in range(len(fields))) + "], expression")
    return _compile(lines, namespace, "values", "<relata row values>")


def _plain_type(field: Any, connection: Any) -> type | None:
    """A type whose values this field sends unchanged on this connection, if there is one."""
    target = field.target_field if field.is_relation else field
    if connection.ops.adapter_for(target.get_internal_type()) is not None:
        return None
    for field_class, python_type in _PLAIN_TYPES:
        if isinstance(target, field_class):
            return python_type
    return None


def _compile(lines: list[str], namespace: dict[str, Any], name: str, filename: str) -> Any:
    exec(compile("\n".join(lines) + "\n", filename, "exec"), namespace)
    return namespace[name]
