"""Where files go by default: the media folder and the URL it is served under.

In order of precedence: `relata.files.configure(media_root=..., media_url=...)`
in code, then `RELATA_MEDIA_ROOT` / `RELATA_MEDIA_URL`, then `media_root` /
`media_url` in `[tool.relata]` of the nearest pyproject.toml (a relative
folder is relative to that file), then the folder `media` in the current
directory, served under `/media/`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from relata.conf import load_project_settings
from relata.exceptions import ImproperlyConfigured

DEFAULT_MEDIA_ROOT = "media"
DEFAULT_MEDIA_URL = "/media/"
ENV_MEDIA_ROOT = "RELATA_MEDIA_ROOT"
ENV_MEDIA_URL = "RELATA_MEDIA_URL"


@dataclass(frozen=True)
class MediaSettings:
    #: The folder FileSystemStorage() writes to, absolute.
    root: str
    #: The URL prefix of stored files, ending in "/".
    url: str


class _Configured:
    """What configure() set, and the project file's answer once read (the only state here)."""

    root: str | None = None
    url: str | None = None
    project: tuple[str | None, str | None] | None = None


def configure(media_root: str | os.PathLike[str] | None = None, media_url: str | None = None) -> None:
    """Set the default folder and URL of stored files, for every storage built without its own.

    `configure()` with no arguments forgets earlier calls (and re-reads pyproject.toml on next use).
    """
    if media_url is not None and not isinstance(media_url, str):
        raise ImproperlyConfigured(f"media_url must be a string such as '/media/', not {media_url!r}.")
    _Configured.root = None if media_root is None else os.fspath(media_root)
    _Configured.url = media_url
    _Configured.project = None


def media_settings() -> MediaSettings:
    """The media folder and URL in force now."""
    project_root, project_url = _project_values()
    root = _Configured.root or os.environ.get(ENV_MEDIA_ROOT) or project_root or DEFAULT_MEDIA_ROOT
    url = _Configured.url if _Configured.url is not None else os.environ.get(ENV_MEDIA_URL) or project_url
    url = DEFAULT_MEDIA_URL if url is None else url
    return MediaSettings(os.path.abspath(root), url if url.endswith("/") else url + "/")


def _project_values() -> tuple[str | None, str | None]:
    if _Configured.project is None:
        project = load_project_settings()
        root = project.options.get("media_root")
        url = project.options.get("media_url")
        where = project.path
        if root is not None and not isinstance(root, str):
            raise ImproperlyConfigured(f'[tool.relata] media_root in {where} must be a folder name, e.g. "media".')
        if url is not None and not isinstance(url, str):
            raise ImproperlyConfigured(f'[tool.relata] media_url in {where} must be a URL prefix, e.g. "/media/".')
        if root is not None and where is not None and not os.path.isabs(root):
            root = str(Path(where).parent / root)
        _Configured.project = (root, url)
    return _Configured.project
