"""`Storage`: the interface every file storage offers, and the naming rules they share.

A subclass provides `_open`, `_save` and the queries (`exists`, `size`, `url`,
...); this class turns names into safe, available ones before they reach it:
`generate_filename` cleans a name, `get_available_name` finds one not taken.
"""

from __future__ import annotations

import os
import pathlib
from datetime import datetime
from typing import Any

from relata.exceptions import SuspiciousFileOperation
from relata.files.base import File
from relata.files.utils import get_valid_filename, random_suffix, refuse_parent_parts, validate_file_name


class Storage:
    """Base of file storages; subclasses keep the files somewhere.

    A storage remembers its constructor arguments, so a migration can write a
    field's `storage=` back as code, and two storages built alike are equal.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Storage:
        storage = super().__new__(cls)
        storage._constructor_args = (args, kwargs)
        return storage

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        """`(import path, args, kwargs)` that rebuild this storage."""
        args, kwargs = getattr(self, "_constructor_args", ((), {}))
        cls = type(self)
        module = cls.__module__
        if module.startswith("relata.files.storage."):
            module = "relata.files.storage"  # the path users import from
        return f"{module}.{cls.__qualname__}", list(args), dict(kwargs)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Storage):
            return NotImplemented
        return self is other or self.deconstruct() == other.deconstruct()

    def __hash__(self) -> int:
        return hash(self.deconstruct()[0])

    # -- the public operations, built on the subclass's _open and _save ----------

    def open(self, name: str, mode: str = "rb") -> File:
        """The stored file `name`, opened."""
        return self._open(name, mode)

    def save(self, name: str | None, content: Any, max_length: int | None = None) -> str:
        """Store `content` under `name` or, if taken, a free variant of it; return the name used."""
        if name is None:
            name = content.name
        if not hasattr(content, "chunks"):
            content = File(content, name)
        validate_file_name(name, allow_relative_path=True)
        name = self.get_available_name(name, max_length=max_length)
        name = self._save(name, content)
        # The subclass may have changed the name: check what it returns too.
        validate_file_name(name, allow_relative_path=True)
        return name

    # -- names ----------------------------------------------------------------------

    def get_valid_name(self, name: str) -> str:
        """`name` made safe for this storage (Django's rule: letters, digits, -_. and underscores for spaces)."""
        return get_valid_filename(name)

    def get_alternative_name(self, file_root: str, file_ext: str) -> str:
        """A variant of a taken name: `<root>_<7 random letters and digits><ext>`."""
        return f"{file_root}_{random_suffix()}{file_ext}"

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        """`name` if it is free and short enough, else a free variant that fits `max_length`."""
        name = str(name).replace("\\", "/")
        dir_name, file_name = os.path.split(name)
        refuse_parent_parts(dir_name)
        validate_file_name(file_name)
        file_ext = "".join(pathlib.PurePath(file_name).suffixes)
        file_root = file_name.removesuffix(file_ext)
        while self.exists(name) or (max_length and len(name) > max_length):
            name = os.path.join(dir_name, self.get_alternative_name(file_root, file_ext))
            if max_length is None:
                continue
            too_long_by = len(name) - max_length
            if too_long_by > 0:
                file_root = file_root[:-too_long_by]
                if not file_root:
                    raise SuspiciousFileOperation(
                        f'Storage can not find an available filename for "{name}". '
                        f'Please make sure that the corresponding file field allows sufficient "max_length".'
                    )
                name = os.path.join(dir_name, self.get_alternative_name(file_root, file_ext))
        return name

    def generate_filename(self, filename: str) -> str:
        """`filename` (which may include folders) with its last part made valid for this storage."""
        filename = str(filename).replace("\\", "/")
        dir_name, file_name = os.path.split(filename)
        refuse_parent_parts(dir_name)
        return os.path.normpath(os.path.join(dir_name, self.get_valid_name(file_name)))

    # -- what a subclass provides ---------------------------------------------------

    def _open(self, name: str, mode: str = "rb") -> File:
        raise NotImplementedError(f"{type(self).__name__} must provide an _open() method")

    def _save(self, name: str, content: Any) -> str:
        raise NotImplementedError(f"{type(self).__name__} must provide a _save() method")

    def path(self, name: str) -> str:
        """The local filesystem path of `name`; storages that are not local have none."""
        raise NotImplementedError(f"{type(self).__name__} does not support absolute paths.")

    def delete(self, name: str) -> None:
        raise NotImplementedError(f"subclasses of Storage must provide a delete() method ({type(self).__name__})")

    def exists(self, name: str) -> bool:
        raise NotImplementedError(f"subclasses of Storage must provide an exists() method ({type(self).__name__})")

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        raise NotImplementedError(f"subclasses of Storage must provide a listdir() method ({type(self).__name__})")

    def size(self, name: str) -> int:
        raise NotImplementedError(f"subclasses of Storage must provide a size() method ({type(self).__name__})")

    def url(self, name: str | None) -> str:
        raise NotImplementedError(f"subclasses of Storage must provide a url() method ({type(self).__name__})")

    def get_accessed_time(self, name: str) -> datetime:
        raise NotImplementedError(
            f"subclasses of Storage must provide a get_accessed_time() method ({type(self).__name__})"
        )

    def get_created_time(self, name: str) -> datetime:
        raise NotImplementedError(
            f"subclasses of Storage must provide a get_created_time() method ({type(self).__name__})"
        )

    def get_modified_time(self, name: str) -> datetime:
        raise NotImplementedError(
            f"subclasses of Storage must provide a get_modified_time() method ({type(self).__name__})"
        )
