"""Where relations keep the objects they load: FieldCacheMixin.

A relation field (and its reverse side) caches the related object in the
instance's `__dict__` under `cache_name`; the descriptors read the same slot,
so code written against Django's `get_cached_value()` / `set_cached_value()`
sees what `book.author` sees.
"""

from __future__ import annotations

from typing import Any

_NOT_GIVEN = object()


class FieldCacheMixin:
    """The per-instance cache of a relation's loaded object(s)."""

    @property
    def cache_name(self) -> str:
        return self.get_cache_name()

    def get_cache_name(self) -> str:
        raise NotImplementedError(f"{type(self).__name__} must say where it caches: define cache_name.")

    def get_cached_value(self, instance: Any, default: Any = _NOT_GIVEN) -> Any:
        try:
            return instance.__dict__[self.cache_name]
        except KeyError:
            if default is _NOT_GIVEN:
                raise
            return default

    def is_cached(self, instance: Any) -> bool:
        return self.cache_name in instance.__dict__

    def set_cached_value(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.cache_name] = value

    def delete_cached_value(self, instance: Any) -> None:
        del instance.__dict__[self.cache_name]
