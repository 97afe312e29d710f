"""Files and where they are stored: what FileField and ImageField save and read.

    from relata.files import ContentFile, File
    from relata.files.storage import FileSystemStorage, default_storage

The names and behaviour are Django's (`django.core.files`); the default
folder and URL are set without settings, see relata.files.settings.
"""

from relata.files.base import ContentFile, File
from relata.files.images import ImageFile
from relata.files.settings import configure, media_settings

__all__ = ["ContentFile", "File", "ImageFile", "configure", "media_settings"]
