"""`FileSystemStorage`: files in a folder on this machine, served under a base URL.

Without arguments it uses the media settings (relata.files.settings): the
folder and URL come from `relata.files.configure()`, the environment,
`[tool.relata]` in pyproject.toml, or `./media` and `/media/`, in that order.
A save never overwrites an existing file unless `allow_overwrite=True`: the
file is created exclusively, and a name taken meanwhile gets a suffix.
"""

from __future__ import annotations

import os
import pathlib
import shutil
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from relata.exceptions import SuspiciousFileOperation
from relata.files import settings
from relata.files.base import File
from relata.files.storage.base import Storage
from relata.files.utils import filepath_to_uri, refuse_parent_parts, safe_join, validate_file_name


class FileSystemStorage(Storage):
    """Files under `location`; `url(name)` is `base_url` joined with the name."""

    def __init__(
        self,
        location: str | os.PathLike[str] | None = None,
        base_url: str | None = None,
        file_permissions_mode: int | None = None,
        directory_permissions_mode: int | None = None,
        allow_overwrite: bool = False,
    ):
        self._location = None if location is None else os.fspath(location)
        self._base_url = base_url
        self._file_permissions_mode = file_permissions_mode
        self._directory_permissions_mode = directory_permissions_mode
        self._allow_overwrite = allow_overwrite

    # -- where --------------------------------------------------------------------------

    @property
    def base_location(self) -> str:
        return self._location if self._location is not None else settings.media_settings().root

    @property
    def location(self) -> str:
        """The storage's folder, absolute."""
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> str:
        url = self._base_url if self._base_url is not None else settings.media_settings().url
        return url if url.endswith("/") else url + "/"

    @property
    def file_permissions_mode(self) -> int | None:
        return self._file_permissions_mode

    @property
    def directory_permissions_mode(self) -> int | None:
        return self._directory_permissions_mode

    def path(self, name: str) -> str:
        return safe_join(self.location, name)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        if not self._allow_overwrite:
            return super().get_available_name(name, max_length)
        # Overwriting: the name itself is available; a name too long loses the end of its root.
        name = str(name).replace("\\", "/")
        dir_name, file_name = os.path.split(name)
        refuse_parent_parts(dir_name)
        validate_file_name(file_name)
        if max_length and len(name) > max_length:
            file_ext = "".join(pathlib.PurePath(file_name).suffixes)
            file_root = file_name.removesuffix(file_ext)[: max_length - len(name)]
            if not file_root:
                raise SuspiciousFileOperation(
                    f'Storage can not find an available filename for "{name}". '
                    f'Please make sure that the corresponding file field allows sufficient "max_length".'
                )
            name = os.path.join(dir_name, file_root + file_ext)
        return name

    # -- reading and writing ------------------------------------------------------------

    def _open(self, name: str, mode: str = "rb") -> File:
        return File(open(self.path(name), mode))

    def _save(self, name: str, content: Any) -> str:
        full_path = self.path(name)
        self._make_folder(os.path.dirname(full_path))
        while True:
            try:
                self._write(full_path, content)
            except FileExistsError:
                # Taken between get_available_name() and now: find another name.
                name = self.get_available_name(name)
                full_path = self.path(name)
            else:
                break
        if self.file_permissions_mode is not None:
            os.chmod(full_path, self.file_permissions_mode)
        return str(name).replace("\\", "/")

    def _make_folder(self, folder: str) -> None:
        if os.path.isdir(folder):
            return
        missing = []
        here = folder
        while not os.path.isdir(here):
            missing.append(here)
            here = os.path.dirname(here)
        try:
            os.makedirs(folder, exist_ok=True)
        except FileExistsError:
            raise FileExistsError(f"{folder} exists and is not a directory; the file cannot be saved under it.")
        if self.directory_permissions_mode is not None:
            for created in missing:
                os.chmod(created, self.directory_permissions_mode)

    def _write(self, full_path: str, content: Any) -> None:
        temporary = getattr(content, "temporary_file_path", None)
        if temporary is not None:
            # An upload already on disk: move it rather than copy it.
            if not self._allow_overwrite and os.path.lexists(full_path):
                raise FileExistsError(full_path)
            shutil.move(temporary(), full_path)
            return
        flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0)
        flags |= os.O_TRUNC if self._allow_overwrite else os.O_EXCL
        fd = os.open(full_path, flags, 0o666)
        opened = None
        try:
            for chunk in content.chunks():
                if opened is None:
                    opened = os.fdopen(fd, "wb" if isinstance(chunk, bytes) else "wt")
                opened.write(chunk)
        finally:
            if opened is not None:
                opened.close()
            else:
                os.close(fd)

    def delete(self, name: str) -> None:
        if not name:
            raise ValueError("The name must be given to delete().")
        path = self.path(name)
        try:
            if os.path.isdir(path):
                os.rmdir(path)
            else:
                os.remove(path)
        except FileNotFoundError:
            pass  # already gone: the outcome the caller wanted

    # -- queries ------------------------------------------------------------------------

    def exists(self, name: str) -> bool:
        return os.path.lexists(self.path(name))

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        directories, files = [], []
        with os.scandir(self.path(path)) as entries:
            for entry in entries:
                (directories if entry.is_dir() else files).append(entry.name)
        return directories, files

    def size(self, name: str) -> int:
        return os.path.getsize(self.path(name))

    def url(self, name: str | None) -> str:
        url = filepath_to_uri(name)
        if url is not None:
            url = url.lstrip("/")
        return urljoin(self.base_url, url)

    def get_accessed_time(self, name: str) -> datetime:
        return datetime.fromtimestamp(os.path.getatime(self.path(name)), UTC)

    def get_created_time(self, name: str) -> datetime:
        return datetime.fromtimestamp(os.path.getctime(self.path(name)), UTC)

    def get_modified_time(self, name: str) -> datetime:
        return datetime.fromtimestamp(os.path.getmtime(self.path(name)), UTC)
