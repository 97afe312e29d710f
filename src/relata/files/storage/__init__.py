"""File storages: the `Storage` interface, `FileSystemStorage`, and `default_storage`.

`default_storage` is a FileSystemStorage over the media settings in force
when it is used (see relata.files.settings), so configuring relata after
import still takes effect.
"""

from __future__ import annotations

from typing import Any

from relata.files.storage.base import Storage
from relata.files.storage.filesystem import FileSystemStorage
from relata.files.storage.memory import InMemoryStorage


class DefaultStorage:
    """Stands for the default storage, built on first use; `isinstance(default_storage, Storage)` holds."""

    def __init__(self) -> None:
        object.__setattr__(self, "_wrapped", None)

    def _storage(self) -> Storage:
        wrapped = self._wrapped
        if wrapped is None:
            wrapped = FileSystemStorage()
            object.__setattr__(self, "_wrapped", wrapped)
        return wrapped

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return type(self._storage())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._storage(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._storage(), name, value)

    def __eq__(self, other: object) -> bool:
        return self._storage() == other

    def __hash__(self) -> int:
        return hash(self._storage())

    def __repr__(self) -> str:
        return f"<default_storage: {self._storage()!r}>"


#: The storage a FileField uses when given none.
default_storage: Any = DefaultStorage()

__all__ = ["DefaultStorage", "FileSystemStorage", "InMemoryStorage", "Storage", "default_storage"]
