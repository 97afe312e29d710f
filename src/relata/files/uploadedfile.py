"""Uploaded files as Django names them, for code and tests that build one by hand.

relata has no HTTP layer, so nothing here parses a request: these are Files
with a content type and a sanitised name, ready for `FieldFile.save()`.
"""

from __future__ import annotations

import os
from io import BytesIO
from typing import Any

from relata.files.base import File
from relata.files.utils import validate_file_name


class UploadedFile(File):
    """A file as a client sent it: a name (reduced to its last part), a content type and a charset."""

    def __init__(
        self,
        file: Any = None,
        name: str | None = None,
        content_type: str | None = None,
        size: int | None = None,
        charset: str | None = None,
        content_type_extra: dict[str, Any] | None = None,
    ):
        super().__init__(file, name)
        if size is not None:
            self.size = size
        self.content_type = content_type
        self.charset = charset
        self.content_type_extra = content_type_extra

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.name} ({self.content_type})>"

    @property
    def name(self) -> str | None:
        return self._name

    @name.setter
    def name(self, name: str | None) -> None:
        # A client may send a path: only its last part is kept, and never more than 255 characters.
        if name is not None:
            name = os.path.basename(name)
            if len(name) > 255:
                root, ext = os.path.splitext(name)
                ext = ext[:255]
                name = root[: 255 - len(ext)] + ext
            name = validate_file_name(name)
        self._name = name


class InMemoryUploadedFile(UploadedFile):
    """An uploaded file held in memory."""

    def __init__(
        self,
        file: Any,
        field_name: str | None,
        name: str | None,
        content_type: str | None,
        size: int | None,
        charset: str | None,
        content_type_extra: dict[str, Any] | None = None,
    ):
        super().__init__(file, name, content_type, size, charset, content_type_extra)
        self.field_name = field_name

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> InMemoryUploadedFile:
        self.file.seek(0)
        return self

    def chunks(self, chunk_size: int | None = None) -> Any:
        self.file.seek(0)
        yield self.read()

    def multiple_chunks(self, chunk_size: int | None = None) -> bool:
        return False  # in memory already: one chunk


class SimpleUploadedFile(InMemoryUploadedFile):
    """`SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")`: an upload made from bytes."""

    def __init__(self, name: str, content: bytes | None, content_type: str = "text/plain"):
        content = content or b""
        super().__init__(BytesIO(content), None, name, content_type, len(content), None, None)

    @classmethod
    def from_dict(cls, file_dict: dict[str, Any]) -> SimpleUploadedFile:
        return cls(file_dict["filename"], file_dict["content"], file_dict.get("content-type", "text/plain"))
