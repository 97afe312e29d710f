"""Managers: `Model.objects` and friends, each a factory of QuerySets.

`Manager` proxies every public QuerySet method; `Manager.from_queryset(QS)`
builds a manager class that proxies a custom QuerySet's methods too.
"""

from __future__ import annotations

import copy
import inspect
from importlib import import_module
from typing import Any

from relata.models.instance_state import refuse
from relata.models.query.queryset import QuerySet


class BaseManager:
    creation_counter = 0
    auto_created = False
    use_in_migrations = False
    _queryset_class: type[QuerySet] = QuerySet

    def __new__(cls, *args: Any, **kwargs: Any) -> BaseManager:
        manager = super().__new__(cls)
        # What deconstruct() reports: the arguments the manager was built with.
        manager._constructor_args = (args, kwargs)
        return manager

    def __init__(self) -> None:
        self.model: Any = None
        self.name: str | None = None
        self._db: str | None = None
        self._hints: dict[str, Any] = {}
        self.creation_counter = BaseManager.creation_counter
        BaseManager.creation_counter += 1

    def __str__(self) -> str:
        return f"{self.model._meta.label}.{self.name}"

    def __class_getitem__(cls, item: Any) -> type:
        return cls

    @classmethod
    def from_queryset(cls, queryset_class: type[QuerySet], class_name: str | None = None) -> type:
        name = class_name or f"{cls.__name__}From{queryset_class.__name__}"
        attrs = {"_queryset_class": queryset_class, **_proxy_methods(cls, queryset_class)}
        return type(name, (cls,), attrs)

    def contribute_to_class(self, cls: type, name: str) -> None:
        self.name = self.name or name
        self.model = cls
        setattr(cls, name, ManagerDescriptor(self))
        cls._meta.add_manager(self)

    def db_manager(self, using: str | None = None, hints: dict[str, Any] | None = None) -> BaseManager:
        clone = copy.copy(self)
        clone._db = using or self._db
        clone._hints = hints or {}
        return clone

    # A manager carries the same `model`, `_db` and `_hints` as its querysets: it picks a database the same way.
    db = QuerySet.db

    def get_queryset(self) -> QuerySet:
        return self._queryset_class(model=self.model, using=self._db, hints=self._hints)

    def all(self) -> QuerySet:
        return self.get_queryset()

    def deconstruct(self) -> tuple[bool, str | None, str | None, Any, Any]:
        """(as_manager, manager class path, queryset class path, args, kwargs): how to build this manager again."""
        if getattr(self, "_built_with_as_manager", False):
            queryset_class = self._queryset_class
            return True, None, f"{queryset_class.__module__}.{queryset_class.__name__}", None, None
        module_name, name = type(self).__module__, type(self).__name__
        if not hasattr(import_module(module_name), name):
            raise ValueError(
                f"Could not find manager {name} in {module_name}.\n"
                "Please note that you need to inherit from managers you dynamically generated with 'from_queryset()'."
            )
        args, kwargs = getattr(self, "_constructor_args", ((), {}))
        return False, f"{module_name}.{name}", None, args, kwargs

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self)) and self.name == other.name and self.model is other.model

    def __hash__(self) -> int:
        return id(self)


def _proxy_methods(manager_class: type, queryset_class: type) -> dict[str, Any]:
    def make(name: str) -> Any:
        def method(self: BaseManager, *args: Any, **kwargs: Any) -> Any:
            return getattr(self.get_queryset(), name)(*args, **kwargs)

        method.__name__ = name
        method.__doc__ = getattr(queryset_class, name).__doc__
        return method

    methods = {}
    for name, member in inspect.getmembers(queryset_class, predicate=inspect.isfunction):
        # queryset_only: True keeps a public method off managers, False puts a private one on them.
        queryset_only = getattr(member, "queryset_only", None)
        if queryset_only or (name.startswith("_") and queryset_only is None) or hasattr(manager_class, name):
            continue
        methods[name] = make(name)
    return methods


class Manager(BaseManager.from_queryset(QuerySet)):  # type: ignore[misc]
    """The default manager: `Model.objects`."""


class ManagerDescriptor:
    """Managers are reachable from the model class only, not from instances."""

    def __init__(self, manager: BaseManager):
        self.manager = manager

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is not None:
            raise refuse(
                instance, self.manager.name, AttributeError(f"Manager isn't accessible via {owner.__name__} instances")
            )
        if owner._meta.abstract:
            raise AttributeError(f"Manager isn't available; {owner._meta.object_name} is abstract")
        if self.manager.model is not owner:
            # An inherited manager: the copy bound to this model (made once, see Options.managers).
            return owner._meta.managers_map[self.manager.name]
        return self.manager
