"""`InMemoryStorage`: files kept in a dict, for tests and throwaway work.

Names follow the same rules as on disk (no `..`, no absolute paths); the
content lives as long as the storage object does.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from relata.files.base import ContentFile, File
from relata.files.storage.base import Storage
from relata.files.utils import filepath_to_uri, validate_file_name


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class _StoredFile:
    content: bytes | str
    created: datetime = field(default_factory=_now)
    modified: datetime = field(default_factory=_now)
    accessed: datetime = field(default_factory=_now)


class InMemoryStorage(Storage):
    """Files in memory; `url(name)` joins `base_url` (default "/media/") with the name."""

    def __init__(self, location: str = "", base_url: str | None = None, allow_overwrite: bool = False):
        self._location = location
        self._base_url = "/media/" if base_url is None else base_url
        self._allow_overwrite = allow_overwrite
        self._files: dict[str, _StoredFile] = {}

    @property
    def base_url(self) -> str:
        return self._base_url if self._base_url.endswith("/") else self._base_url + "/"

    def _key(self, name: str) -> str:
        name = str(name).replace("\\", "/")
        if name in ("", "."):
            return ""  # the storage's root
        validate_file_name(name, allow_relative_path=True)
        return posixpath.normpath(name)

    def _open(self, name: str, mode: str = "rb") -> File:
        stored = self._stored(name)
        stored.accessed = _now()
        content = stored.content
        if "b" in mode and isinstance(content, str):
            content = content.encode()
        elif "b" not in mode and isinstance(content, bytes):
            content = content.decode()
        return ContentFile(content, name=name)

    def _save(self, name: str, content: Any) -> str:
        key = self._key(name)
        while key in self._files and not self._allow_overwrite:
            name = self.get_available_name(name)
            key = self._key(name)
        chunks = list(content.chunks())
        data: bytes | str = (b"" if not chunks or isinstance(chunks[0], bytes) else "").join(chunks)
        previous = self._files.get(key)
        stored = _StoredFile(data)
        if previous is not None:
            stored.created = previous.created
        self._files[key] = stored
        return str(name).replace("\\", "/")

    def delete(self, name: str) -> None:
        if not name:
            raise ValueError("The name must be given to delete().")
        self._files.pop(self._key(name), None)

    def exists(self, name: str) -> bool:
        key = self._key(name)
        return key in self._files or any(k.startswith(key + "/") for k in self._files)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        prefix = self._key(path)
        prefix = prefix + "/" if prefix else ""
        directories, files = set(), []
        for key in self._files:
            if key.startswith(prefix):
                head, _, tail = key[len(prefix) :].partition("/")
                if tail:
                    directories.add(head)
                else:
                    files.append(head)
        return sorted(directories), sorted(files)

    def size(self, name: str) -> int:
        stored = self._stored(name)
        return len(stored.content.encode() if isinstance(stored.content, str) else stored.content)

    def url(self, name: str | None) -> str:
        url = filepath_to_uri(name)
        return urljoin(self.base_url, None if url is None else url.lstrip("/"))

    def _stored(self, name: str) -> _StoredFile:
        stored = self._files.get(self._key(name))
        if stored is None:
            raise FileNotFoundError(f"{name} does not exist in this InMemoryStorage")
        return stored

    def get_accessed_time(self, name: str) -> datetime:
        return self._stored(name).accessed

    def get_created_time(self, name: str) -> datetime:
        return self._stored(name).created

    def get_modified_time(self, name: str) -> datetime:
        return self._stored(name).modified
