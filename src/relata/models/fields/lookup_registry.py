"""Where lookups and transforms are registered: on a class (every field of it) or on one field.

`register_lookup` and `_unregister_lookup` work on a class and on an instance,
as in Django; a class's lookups merge its bases' (nearest wins) and are cached
until the next registration. `LOOKUPS.version` counts registrations, so that a
compiled statement made before one (which may name a replaced lookup) is not reused.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ClassVar


class LookupRegistryVersion:
    """How many times any registration changed; a cached compilation remembers the number it saw."""

    __slots__ = ("version",)

    def __init__(self) -> None:
        self.version = 0

    def bump(self) -> None:
        self.version += 1


LOOKUPS = LookupRegistryVersion()


class _ClassOrInstance:
    """A method that runs one function when called on the class, another when called on an instance."""

    def __init__(self, on_class: Callable[..., Any], on_instance: Callable[..., Any]):
        self.on_class, self.on_instance = on_class, on_instance

    def __get__(self, instance: Any, owner: type) -> Any:
        if instance is None:
            return self.on_class.__get__(owner, owner)
        return self.on_instance.__get__(instance, owner)


def _note_suffix(lookup: Any, lookup_name: str | None) -> None:
    if lookup_name:  # registered under another name: the query tokenizer must know it too
        from relata.models.lookups import SUFFIXES

        SUFFIXES.add(lookup, lookup_name)


class RegisterLookupMixin:
    """Lookups and transforms registered per class (found along the MRO) or per instance."""

    class_lookups: ClassVar[dict[str, Any]] = {}

    @staticmethod
    def merge_dicts(dicts: list[dict[str, Any]]) -> dict[str, Any]:
        """One dict from `dicts`, the first one's entries winning (the nearest class in an MRO)."""
        merged: dict[str, Any] = {}
        for entries in reversed(dicts):
            merged.update(entries)
        return merged

    @classmethod
    def lookup_bases(cls) -> tuple[type, ...]:
        """The classes whose registrations count for this one (a relation field stops at its own family)."""
        return cls.__mro__

    @functools.cache  # noqa: B019 (keyed by class; cleared on every registration)
    def _class_lookups(cls) -> dict[str, Any]:
        return cls.merge_dicts([base.__dict__.get("class_lookups", {}) for base in cls.lookup_bases()])

    get_class_lookups = classmethod(_class_lookups)

    def get_instance_lookups(self) -> dict[str, Any]:
        found = type(self).get_class_lookups()
        own = self.__dict__.get("instance_lookups")
        return {**found, **own} if own else found

    get_lookups = _ClassOrInstance(classmethod(_class_lookups), get_instance_lookups)

    def _found(self, name: str, want_transform: bool) -> Any:
        found = self.get_lookups().get(name)
        if found is None:
            # A transform instance falls back on its output field's lookups (`name__lower__exact`).
            output = _transform_output(self)
            if output is None:
                return None
            return output.get_transform(name) if want_transform else output.get_lookup(name)
        return found if bool(getattr(found, "is_transform", False)) == want_transform else None

    def get_lookup(self, lookup_name: str) -> Any:
        return self._found(lookup_name, want_transform=False)

    def get_transform(self, lookup_name: str) -> Any:
        return self._found(lookup_name, want_transform=True)

    def _register_on_class(cls, lookup: Any, lookup_name: str | None = None) -> Any:
        name = lookup_name or lookup.lookup_name
        if "class_lookups" not in cls.__dict__:
            cls.class_lookups = {}
        cls.class_lookups[name] = lookup
        _note_suffix(lookup, lookup_name)
        RegisterLookupMixin._registry_changed()
        return lookup

    def _register_on_instance(self, lookup: Any, lookup_name: str | None = None) -> Any:
        name = lookup_name or lookup.lookup_name
        self.__dict__.setdefault("instance_lookups", {})[name] = lookup
        _note_suffix(lookup, lookup_name)
        LOOKUPS.bump()
        return lookup

    register_lookup = _ClassOrInstance(classmethod(_register_on_class), _register_on_instance)
    register_class_lookup = classmethod(_register_on_class)
    register_instance_lookup = _register_on_instance

    def _unregister_from_class(cls, lookup: Any, lookup_name: str | None = None) -> None:
        del cls.__dict__["class_lookups"][lookup_name or lookup.lookup_name]
        RegisterLookupMixin._registry_changed()

    def _unregister_from_instance(self, lookup: Any, lookup_name: str | None = None) -> None:
        del self.__dict__["instance_lookups"][lookup_name or lookup.lookup_name]
        LOOKUPS.bump()

    _unregister_lookup = _ClassOrInstance(classmethod(_unregister_from_class), _unregister_from_instance)
    _unregister_class_lookup = classmethod(_unregister_from_class)
    _unregister_instance_lookup = _unregister_from_instance

    @staticmethod
    def _registry_changed() -> None:
        RegisterLookupMixin._class_lookups.cache_clear()
        LOOKUPS.bump()


def _transform_output(obj: Any) -> Any:
    """The field a transform instance yields, when `obj` is one (None for a field)."""
    field_of = getattr(obj, "transform_field", None)
    return field_of() if field_of is not None else None
