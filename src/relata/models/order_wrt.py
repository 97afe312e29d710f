"""Meta.order_with_respect_to: rows kept in an order of their own among the rows sharing one related object.

As in Django: the model gets an `_order` column (an OrderWrt field) and
`Meta.ordering = ["_order"]`; a new row goes after its siblings; the related
model gets `get_<model>_order()` and `set_<model>_order(ids)`; each row gets
`get_next_in_order()` and `get_previous_in_order()`. Models without the option
pay nothing: save() tests one attribute.
"""

from __future__ import annotations

from typing import Any

from relata import exceptions
from relata.models.expressions import Max
from relata.models.fields import IntegerField
from relata.models.registry import resolve_relation_key


class OrderWrt(IntegerField):
    """The `_order` column: a row's place among its siblings (not editable)."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs["name"] = "_order"
        kwargs["editable"] = False
        kwargs.setdefault("default", 0)
        super().__init__(*args, **kwargs)


def prepare(cls: Any) -> None:
    """Resolve the option to its field, add `_order` and the accessors (on the related model once it exists)."""
    opts = cls._meta
    name = opts.order_with_respect_to
    if not name or not isinstance(name, str):
        return
    try:
        field = opts.get_field(name)
    except exceptions.FieldDoesNotExist:
        raise exceptions.FieldDoesNotExist(
            f"{cls.__name__} has no field named '{name}' (its Meta.order_with_respect_to); name one of its "
            "ForeignKey fields."
        ) from None
    opts.order_with_respect_to = field
    opts.ordering = ["_order"]
    if not any(isinstance(f, OrderWrt) for f in opts.local_fields):
        cls.add_to_class("_order", OrderWrt())
    cls.get_next_in_order = lambda self: _adjacent(self, True)
    cls.get_previous_in_order = lambda self: _adjacent(self, False)
    related = field.remote_field.model
    if isinstance(related, type):
        _add_accessors(cls, related)
    else:
        opts.apps.lazy_model_operation(lambda target: _add_accessors(cls, target), resolve_relation_key(cls, related))


def _add_accessors(ordered: Any, related: Any) -> None:
    name = ordered._meta.model_name
    setattr(related, f"get_{name}_order", lambda self, using=None: get_order(self, ordered, using))
    setattr(related, f"set_{name}_order", lambda self, id_list, using=None: set_order(self, ordered, id_list, using))


def _siblings(ordered: Any, owner: Any, using: str | None) -> Any:
    field = ordered._meta.order_with_respect_to
    return ordered._default_manager.db_manager(using).filter(**{field.name: owner})


def get_order(owner: Any, ordered: Any, using: str | None = None) -> Any:
    """The primary keys of `owner`'s ordered rows, in their order."""
    return _siblings(ordered, owner, using).values_list("pk", flat=True)


def set_order(owner: Any, ordered: Any, id_list: Any, using: str | None = None) -> None:
    """Give `owner`'s rows the order of `id_list`; ids of other owners' rows change nothing."""
    rows = [ordered(pk=pk, _order=position) for position, pk in enumerate(id_list)]
    _siblings(ordered, owner, using).bulk_update(rows, ["_order"])


def next_position(obj: Any, using: str) -> int:
    """Where a new row goes: after the last of its siblings (0 for the first)."""
    field = obj._meta.order_with_respect_to
    siblings = type(obj)._base_manager.using(using).filter(**{field.attname: getattr(obj, field.attname)})
    last = siblings.aggregate(last=Max("_order"))["last"]
    return 0 if last is None else last + 1


def _adjacent(obj: Any, is_next: bool) -> Any:
    cache_name = "__next_in_order" if is_next else "__previous_in_order"
    cached = obj.__dict__.get(cache_name)
    if cached is not None:
        return cached
    field = obj._meta.order_with_respect_to
    manager = type(obj)._default_manager
    position = manager.filter(pk=obj.pk).values("_order")
    candidates = manager.filter(**{field.attname: getattr(obj, field.attname)}).filter(
        **{"_order__gt" if is_next else "_order__lt": position}
    )
    found = candidates.order_by("_order" if is_next else "-_order")[:1].get()
    obj.__dict__[cache_name] = found
    return found
