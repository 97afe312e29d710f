"""File-name rules shared by files and storages: what a name may contain, where a path may lead.

Every name a storage writes passes `validate_file_name`; every path it opens
passes `safe_join`, so no name from user input reaches outside the storage's
folder. The messages are Django's, so code written against Django matches them.
"""

from __future__ import annotations

import os
import re
import secrets
import string
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from relata.exceptions import SuspiciousFileOperation

_UNSAFE_IN_NAME = re.compile(r"[^-\w.]")
_RANDOM_ALPHABET = string.ascii_letters + string.digits


def validate_file_name(name: str, allow_relative_path: bool = False) -> str:
    """`name` if it is a usable file name (with `allow_relative_path`, a relative path), else raise."""
    if os.path.basename(name) in {"", ".", ".."}:
        raise SuspiciousFileOperation(f"Could not derive file name from '{name}'")
    if allow_relative_path:
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts:
            raise SuspiciousFileOperation(f"Detected path traversal attempt in '{name}'")
    elif name != os.path.basename(name):
        raise SuspiciousFileOperation(f"File name '{name}' includes path elements")
    return name


def refuse_parent_parts(dir_name: str) -> None:
    """A directory part may not climb out with `..`."""
    if ".." in PurePosixPath(dir_name).parts:
        raise SuspiciousFileOperation(f"Detected path traversal attempt in '{dir_name}'")


def get_valid_filename(name: Any) -> str:
    """`name` as a safe file name: spaces become underscores, anything but letters, digits, -_. goes."""
    cleaned = _UNSAFE_IN_NAME.sub("", str(name).strip().replace(" ", "_"))
    if cleaned in {"", ".", ".."}:
        raise SuspiciousFileOperation(f"Could not derive file name from '{name}'")
    return cleaned


def random_suffix(length: int = 7) -> str:
    """Letters and digits that make a colliding name unique."""
    return "".join(secrets.choice(_RANDOM_ALPHABET) for _ in range(length))


def safe_join(base: str, *paths: str) -> str:
    """The absolute path of `paths` under `base`; a path that would leave `base` is refused."""
    base_path = os.path.abspath(base)
    final_path = os.path.abspath(os.path.join(base_path, *paths))
    inside = os.path.normcase(final_path).startswith(os.path.normcase(base_path + os.sep))
    # The root folder contains everything; base itself is allowed (the storage's own folder).
    if not inside and os.path.normcase(final_path) != os.path.normcase(base_path) and base_path != os.sep:
        raise SuspiciousFileOperation(
            f"The joined path ({final_path}) is located outside of the base path component ({base_path})"
        )
    return final_path


def filepath_to_uri(path: str | None) -> str | None:
    """A file path as the path part of a URL: backslashes become slashes, the rest is percent-encoded."""
    if path is None:
        return None
    return quote(str(path).replace("\\", "/"), safe="/~!*()'")


class FileProxyMixin:
    """Reads, writes and seeks of a wrapper go to the wrapped file object, `self.file`."""

    file: Any

    encoding = property(lambda self: self.file.encoding)
    fileno = property(lambda self: self.file.fileno)
    flush = property(lambda self: self.file.flush)
    isatty = property(lambda self: self.file.isatty)
    newlines = property(lambda self: self.file.newlines)
    read = property(lambda self: self.file.read)
    readinto = property(lambda self: self.file.readinto)
    readline = property(lambda self: self.file.readline)
    readlines = property(lambda self: self.file.readlines)
    seek = property(lambda self: self.file.seek)
    tell = property(lambda self: self.file.tell)
    truncate = property(lambda self: self.file.truncate)
    write = property(lambda self: self.file.write)
    writelines = property(lambda self: self.file.writelines)

    @property
    def closed(self) -> bool:
        return not self.file or self.file.closed

    def readable(self) -> bool:
        return not self.closed and _ask(self.file, "readable", "read")

    def writable(self) -> bool:
        return not self.closed and _ask(self.file, "writable", "write", mode_char="wa+")

    def seekable(self) -> bool:
        return not self.closed and _ask(self.file, "seekable", "seek")

    def __iter__(self) -> Any:
        return iter(self.file)


def _ask(file: Any, question: str, method: str, mode_char: str = "") -> bool:
    """Whether the file can do something: its own answer if it has one, else a guess from its methods and mode."""
    answer = getattr(file, question, None)
    if answer is not None:
        return answer()
    if mode_char and hasattr(file, "mode"):
        return any(c in file.mode for c in mode_char)
    return hasattr(file, method)
