"""FileField and ImageField: a column holding a file's name, and the file in a storage.

- The column keeps the name the storage gave the file (a varchar of max_length).
- `instance.<field>` is a FieldFile (ImageFieldFile): the name plus `url`, `path`,
  `size`, `open()`, `save()` and `delete()` through the field's storage. Rows
  load plain strings; FileDescriptor wraps one on first access, so loading
  costs nothing extra.
- save() of the instance stores a File assigned but not yet committed (pre_save).
- ImageField also keeps `width_field`/`height_field` up to date, with Pillow
  (the optional extra `relata[images]`).
"""

from __future__ import annotations

import datetime
import posixpath
from collections.abc import Callable
from typing import Any, ClassVar

from relata.files.base import File
from relata.files.images import PILLOW_MISSING, ImageFile
from relata.files.storage import Storage, default_storage
from relata.files.utils import validate_file_name
from relata.models.fields import DeferredAttribute, Field

#: Django's default max_length of a file name column.
DEFAULT_MAX_LENGTH = 100


class FieldFile(File):
    """The file a FileField holds on one instance: its name, and access through the field's storage."""

    def __init__(self, instance: Any, field: FileField, name: str | None):
        super().__init__(None, name)
        self.instance = instance
        self.field = field
        self.storage = field.storage
        self._committed = True

    def __eq__(self, other: object) -> bool:
        if hasattr(other, "name"):
            return self.name == other.name
        return self.name == other

    def __hash__(self) -> int:
        return hash(self.name)

    def _require_file(self) -> None:
        if not self:
            raise ValueError(
                f"The '{self.field.name}' attribute has no file associated with it "
                f"({type(self.instance).__name__}.{self.field.name} is empty: assign or save() a file first)."
            )

    # -- the file object, opened on demand --------------------------------------------

    @property
    def file(self) -> Any:
        self._require_file()
        if getattr(self, "_file", None) is None:
            self._file = self.storage.open(self.name, "rb")
        return self._file

    @file.setter
    def file(self, file: Any) -> None:
        self._file = file

    @file.deleter
    def file(self) -> None:
        del self._file

    @property
    def path(self) -> str:
        self._require_file()
        return self.storage.path(self.name)

    @property
    def url(self) -> str:
        self._require_file()
        return self.storage.url(self.name)

    @property
    def size(self) -> int:  # type: ignore[override]
        self._require_file()
        if not self._committed:
            return self.file.size
        return self.storage.size(self.name)

    def open(self, mode: str = "rb", *args: Any, **kwargs: Any) -> FieldFile:
        self._require_file()
        if getattr(self, "_file", None) is None:
            self.file = self.storage.open(self.name, mode)
        else:
            self.file.open(mode)
        return self

    open.alters_data = True  # type: ignore[attr-defined]

    @property
    def closed(self) -> bool:
        file = getattr(self, "_file", None)
        return file is None or file.closed

    def close(self) -> None:
        file = getattr(self, "_file", None)
        if file is not None:
            file.close()

    # -- writing ----------------------------------------------------------------------

    def save(self, name: str, content: Any, save: bool = True) -> None:
        """Store `content` under a name built from `name` and upload_to; then save the instance unless save=False."""
        name = self.field.generate_filename(self.instance, name)
        self.name = self.storage.save(name, content, max_length=self.field.max_length)
        setattr(self.instance, self.field.attname, self.name)
        self._committed = True
        if save:
            self.instance.save()

    save.alters_data = True  # type: ignore[attr-defined]

    def delete(self, save: bool = True) -> None:
        """Remove the file from the storage and empty the field; then save the instance unless save=False."""
        if not self:
            return
        # Close first: some platforms cannot delete an open file.
        if getattr(self, "_file", None) is not None:
            self.close()
            del self.file
        self.storage.delete(self.name)
        self.name = None
        setattr(self.instance, self.field.attname, self.name)
        self._committed = False
        if save:
            self.instance.save()

    delete.alters_data = True  # type: ignore[attr-defined]

    # -- pickling: the open file stays behind, the storage comes back from the field ---

    def __getstate__(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "closed": False,
            "_committed": True,
            "_file": None,
            "instance": self.instance,
            "field": self.field,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.storage = self.field.storage


class FileDescriptor(DeferredAttribute):
    """`instance.<file field>`: whatever was assigned (a name, a File, None), as the field's FieldFile.

    A data descriptor, so every read comes here: the row's string is wrapped on
    the first read and the wrapper is kept in the instance's `__dict__`.
    """

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self.field
        field = self.field
        attname = field.attname
        state = instance.__dict__
        if attname not in state:
            super().__get__(instance, owner)  # deferred: loads the column
        value = state[attname]
        if isinstance(value, FieldFile):
            if not hasattr(value, "field"):  # unpickled on its own, or built by hand
                value.instance, value.field, value.storage = instance, field, field.storage
            elif value.instance is not instance:  # copied from another instance
                value.instance = instance
            return value
        if isinstance(value, File):
            # A File assigned but not stored yet: pre_save() stores it when the instance is saved.
            wrapped = field.attr_class(instance, field, value.name)
            wrapped.file = value
            wrapped._committed = False
        else:
            wrapped = field.attr_class(instance, field, value)
        state[attname] = wrapped
        return wrapped

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class FileField(Field):
    """A file stored by `storage`, its name in a varchar column of max_length (default 100)."""

    internal_type = "FileField"
    attr_class: ClassVar[type[FieldFile]] = FieldFile
    descriptor_class: ClassVar[type] = FileDescriptor

    def __init__(
        self,
        verbose_name: str | None = None,
        name: str | None = None,
        upload_to: str | Callable[[Any, str], str] = "",
        storage: Storage | Callable[[], Storage] | None = None,
        **kwargs: Any,
    ):
        self._primary_key_set_explicitly = "primary_key" in kwargs
        storage = storage if storage is not None else default_storage
        if callable(storage):
            # A callable (or a Storage class) is called now; migrations keep the callable.
            self._storage_callable = storage
            storage = storage()
        if not isinstance(storage, Storage):
            raise TypeError(
                f"{type(self).__qualname__}.storage must be a subclass/instance of "
                f"{Storage.__module__}.{Storage.__qualname__}, not {storage!r}."
            )
        self.storage = storage
        self.upload_to = upload_to
        kwargs.setdefault("max_length", DEFAULT_MAX_LENGTH)
        super().__init__(verbose_name, name, **kwargs)

    def check(self, **kwargs: Any) -> list[Any]:
        from relata.models.checks import Error

        messages = [*super().check(**kwargs)]
        if self._primary_key_set_explicitly:
            messages.append(
                Error(
                    f"'primary_key' is not a valid argument for a {type(self).__name__}.",
                    hint=f"Remove 'primary_key' from {self}: a file name cannot be a primary key.",
                    obj=self,
                    id="fields.E201",
                )
            )
        if isinstance(self.upload_to, str) and self.upload_to.startswith("/"):
            messages.append(
                Error(
                    f"{type(self).__name__}'s 'upload_to' argument must be a relative path, not an absolute path.",
                    hint="Remove the leading slash.",
                    obj=self,
                    id="fields.E202",
                )
            )
        return messages

    def deconstruct(self) -> tuple[str | None, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == DEFAULT_MAX_LENGTH:
            del kwargs["max_length"]
        if "upload_to" not in kwargs and len(args) < 3:
            kwargs["upload_to"] = self.upload_to
        storage = getattr(self, "_storage_callable", self.storage)
        if storage is default_storage:
            kwargs.pop("storage", None)
        elif len(args) < 4:
            kwargs["storage"] = storage
        return name, path, args, kwargs

    def get_prep_value(self, value: Any) -> Any:
        if value is None or hasattr(value, "resolve_expression"):
            return value
        return str(value)  # a FieldFile or File: its name

    def pre_save(self, instance: Any, add: bool) -> Any:
        file = getattr(instance, self.attname)
        if file and not file._committed:
            # Assigned but not stored yet: store it now, without saving the instance again.
            file.save(file.name, file.file, save=False)
        return file

    def generate_filename(self, instance: Any, filename: str) -> str:
        """The name to store `filename` under: upload_to applied (a callable, or a strftime folder), made valid."""
        if callable(self.upload_to):
            filename = self.upload_to(instance, filename)
        else:
            folder = datetime.datetime.now().strftime(str(self.upload_to))
            filename = posixpath.join(folder, filename)
        filename = validate_file_name(filename, allow_relative_path=True)
        return self.storage.generate_filename(filename)

    def save_form_data(self, instance: Any, data: Any) -> None:
        # None means "unchanged"; False (a cleared file input) means "empty".
        if data is not None:
            setattr(instance, self.name, data or "")


class ImageFieldFile(ImageFile, FieldFile):
    """The image an ImageField holds: a FieldFile with `width` and `height`."""

    def delete(self, save: bool = True) -> None:
        self.__dict__.pop("_dimensions_cache", None)  # the next image has its own
        super().delete(save)


class ImageFileDescriptor(FileDescriptor):
    """Assigning a new image refreshes the width and height fields."""

    def __set__(self, instance: Any, value: Any) -> None:
        previous = instance.__dict__.get(self.field.attname)
        super().__set__(instance, value)
        # Model(...) assigns the first value: dimensions are read after __init__ (see update_dimension_fields).
        if previous is not None:
            self.field.update_dimension_fields(instance, force=True)


class ImageField(FileField):
    """A FileField for images; `width_field`/`height_field` name fields kept at the image's size."""

    attr_class: ClassVar[type[FieldFile]] = ImageFieldFile
    descriptor_class: ClassVar[type] = ImageFileDescriptor

    def __init__(
        self,
        verbose_name: str | None = None,
        name: str | None = None,
        width_field: str | None = None,
        height_field: str | None = None,
        **kwargs: Any,
    ):
        self.width_field, self.height_field = width_field, height_field
        super().__init__(verbose_name, name, **kwargs)

    def check(self, **kwargs: Any) -> list[Any]:
        from relata.models.checks import Error

        messages = super().check(**kwargs)
        try:
            import PIL  # noqa: F401
        except ImportError:
            messages.append(
                Error(
                    "Cannot use ImageField because Pillow is not installed.",
                    hint=f"{self}: {PILLOW_MISSING}.",
                    obj=self,
                    id="fields.E210",
                )
            )
        return messages

    def contribute_to_class(self, cls: type, name: str) -> None:
        super().contribute_to_class(cls, name)
        if not cls._meta.abstract and (self.width_field or self.height_field):
            from relata.models import signals

            # Only models with dimension fields pay for the hook (Django: post_init).
            signals.post_init.connect(self.update_dimension_fields, sender=cls)

    def update_dimension_fields(self, instance: Any, force: bool = False, *args: Any, **kwargs: Any) -> None:
        """Set width_field/height_field from the image; unless `force`, only when they are empty."""
        if not (self.width_field or self.height_field) or self.attname not in instance.__dict__:
            return  # no dimension fields, or the image column is deferred: nothing to read
        file = getattr(instance, self.attname)
        if not file and not force:
            return
        missing = (self.width_field and not getattr(instance, self.width_field)) or (
            self.height_field and not getattr(instance, self.height_field)
        )
        if not missing and not force:
            return
        width, height = (file.width, file.height) if file else (None, None)
        if self.width_field:
            setattr(instance, self.width_field, width)
        if self.height_field:
            setattr(instance, self.height_field, height)


class FilePathField(Field):
    """The path of a file (or folder) under `path`, chosen by name: a varchar of max_length (default 100).

    `match` (a regular expression on file names), `recursive`, `allow_files` and
    `allow_folders` describe which entries are meant; relata has no forms, so
    they are kept for checks, migrations and the caller's own use.
    """

    internal_type = "FilePathField"

    def __init__(
        self,
        verbose_name: str | None = None,
        name: str | None = None,
        path: str | Callable[[], str] = "",
        match: str | None = None,
        recursive: bool = False,
        allow_files: bool = True,
        allow_folders: bool = False,
        **kwargs: Any,
    ):
        self.path, self.match, self.recursive = path, match, recursive
        self.allow_files, self.allow_folders = allow_files, allow_folders
        kwargs.setdefault("max_length", DEFAULT_MAX_LENGTH)
        super().__init__(verbose_name, name, **kwargs)

    def check(self, **kwargs: Any) -> list[Any]:
        from relata.models.checks import Error

        messages = super().check(**kwargs)
        if not self.allow_files and not self.allow_folders:
            messages.append(
                Error(
                    "FilePathFields must have either 'allow_files' or 'allow_folders' set to True.",
                    hint=f"Set allow_files=True or allow_folders=True on {self}.",
                    obj=self,
                    id="fields.E140",
                )
            )
        return messages

    def deconstruct(self) -> tuple[str | None, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == DEFAULT_MAX_LENGTH:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def get_prep_value(self, value: Any) -> Any:
        if value is None or hasattr(value, "resolve_expression"):
            return value
        return str(value)
