"""`File` and `ContentFile`: what storages read from and write to.

A `File` wraps any Python file object and gives it a name, a size and
`chunks()`, so a storage can copy it without loading it whole. `ContentFile`
does the same for bytes or text already in memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cached_property
from io import BytesIO, StringIO, UnsupportedOperation
from typing import Any

from relata.files.utils import FileProxyMixin

#: Bytes per chunk when a storage copies a file (64 KiB).
DEFAULT_CHUNK_SIZE = 64 * 2**10


class File(FileProxyMixin):
    """A named file object with a size and chunked reading."""

    DEFAULT_CHUNK_SIZE = DEFAULT_CHUNK_SIZE

    def __init__(self, file: Any, name: str | None = None):
        self.file = file
        if name is None:
            name = getattr(file, "name", None)
        self.name = name
        if hasattr(file, "mode"):
            self.mode = file.mode

    def __str__(self) -> str:
        return self.name or ""

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self or 'None'}>"

    def __bool__(self) -> bool:
        return bool(self.name)

    def __len__(self) -> int:
        return self.size

    @cached_property
    def size(self) -> int:
        file = self.file
        if hasattr(file, "size"):
            return file.size
        name = getattr(file, "name", None)
        if isinstance(name, str | bytes | os.PathLike):
            try:
                return os.path.getsize(name)
            except (OSError, TypeError):
                pass
        if hasattr(file, "tell") and hasattr(file, "seek"):
            position = file.tell()
            file.seek(0, os.SEEK_END)
            size = file.tell()
            file.seek(position)
            return size
        raise AttributeError(f"Unable to determine the size of {self!r}: its file object has no size, path or seek().")

    def chunks(self, chunk_size: int | None = None) -> Iterator[Any]:
        """The content from the start, `chunk_size` bytes (or characters) at a time."""
        chunk_size = chunk_size or self.DEFAULT_CHUNK_SIZE
        try:
            self.seek(0)
        except (AttributeError, UnsupportedOperation):
            pass  # a stream that cannot rewind is read from where it is
        while True:
            data = self.read(chunk_size)
            if not data:
                break
            yield data

    def multiple_chunks(self, chunk_size: int | None = None) -> bool:
        """Whether chunks() would yield more than one chunk."""
        return self.size > (chunk_size or self.DEFAULT_CHUNK_SIZE)

    def __iter__(self) -> Iterator[Any]:
        # Lines may span chunks, and a "\r" at a chunk's end may be the first half of "\r\n".
        pending = None
        for chunk in self.chunks():
            for line in chunk.splitlines(True):
                if pending is not None:
                    if (_ends_with(pending, "\r") and _starts_with(line, "\n")) or not _ends_with(pending, "\r", "\n"):
                        line, pending = pending + line, None
                    else:
                        yield pending
                        pending = None
                if _ends_with(line, "\n"):
                    yield line
                else:
                    pending = line
        if pending is not None:
            yield pending

    def __enter__(self) -> File:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> File:
        """Rewind an open file, or reopen a closed one from its path."""
        if not self.closed:
            self.seek(0)
        elif self.name and os.path.exists(self.name):
            self.file = open(self.name, mode or self.mode, *args, **kwargs)  # noqa: SIM115 (the File owns it)
        else:
            raise ValueError(f"The file {self.name!r} cannot be reopened: it is closed and has no path on disk.")
        return self

    def close(self) -> None:
        self.file.close()


def _ends_with(piece: Any, *endings: str) -> bool:
    return any(piece.endswith(e if isinstance(piece, str) else e.encode()) for e in endings)


def _starts_with(piece: Any, start: str) -> bool:
    return piece.startswith(start if isinstance(piece, str) else start.encode())


class ContentFile(File):
    """A File over bytes or text in memory, e.g. `ContentFile(b"...", name="report.pdf")`."""

    def __init__(self, content: bytes | str, name: str | None = None):
        stream = StringIO(content) if isinstance(content, str) else BytesIO(content)
        super().__init__(stream, name=name)
        self.size = len(content)

    def __str__(self) -> str:
        return "Raw content"

    def __bool__(self) -> bool:
        return True  # unnamed content is still content

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> ContentFile:
        self.seek(0)
        return self

    def close(self) -> None:
        pass  # the content lives in memory; closing would lose it

    def write(self, data: Any) -> int:
        self.__dict__.pop("size", None)  # the size changes: compute it again when asked
        return self.file.write(data)
