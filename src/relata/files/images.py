"""Image files and their dimensions, read with Pillow (the optional extra `relata[images]`).

Only the header is parsed: dimensions come from the first chunks of the file,
never from decoding the whole image.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

from relata.exceptions import ImproperlyConfigured
from relata.files.base import File

PILLOW_MISSING = "ImageField needs Pillow to read image dimensions; install it with: pip install 'relata[images]'"


def pillow_image_file() -> Any:
    """Pillow's `PIL.ImageFile` module, or a clear error naming the extra to install."""
    try:
        from PIL import ImageFile as PillowImageFile
    except ImportError:
        raise ImproperlyConfigured(PILLOW_MISSING) from None
    return PillowImageFile


class ImageFile(File):
    """A File that is an image: `width` and `height` in pixels, read once."""

    @property
    def width(self) -> int | None:
        return self._dimensions()[0]

    @property
    def height(self) -> int | None:
        return self._dimensions()[1]

    def _dimensions(self) -> tuple[int | None, int | None]:
        cached = self.__dict__.get("_dimensions_cache")
        if cached is None:
            was_closed = self.closed  # leave the file as it was found
            self.open()
            cached = self.__dict__["_dimensions_cache"] = get_image_dimensions(self, close=was_closed)
        return cached


def get_image_dimensions(file_or_path: Any, close: bool = False) -> tuple[int | None, int | None]:
    """(width, height) of an image file or path, or (None, None) when it is not an image Pillow reads."""
    parser = pillow_image_file().Parser()
    if hasattr(file_or_path, "read"):
        file = file_or_path
        position = file.tell()
        file.seek(0)
    else:
        file = open(file_or_path, "rb")  # noqa: SIM115 (closed below)
        close, position = True, None
    try:
        return _feed_until_size(parser, file)
    finally:
        if close:
            file.close()
        elif position is not None:
            file.seek(position)


def _feed_until_size(parser: Any, file: Any) -> tuple[int | None, int | None]:
    chunk_size = 1024
    while True:
        data = file.read(chunk_size)
        if not data:
            return None, None
        try:
            parser.feed(data)
        except (zlib.error, struct.error, RuntimeError):
            pass  # the header is incomplete so far (a PNG cut mid-chunk): more data may complete it
        if parser.image is not None:
            return parser.image.size
        chunk_size *= 2
