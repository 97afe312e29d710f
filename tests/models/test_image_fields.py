"""ImageField on every backend: width and height fields kept at the image's size (Pillow, relata[images])."""

import io

import pytest

from relata import exceptions, models
from relata.files import ContentFile
from relata.files.images import get_image_dimensions
from relata.files.storage import FileSystemStorage
from relata.models.fields.files import ImageFieldFile
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

STORAGE = FileSystemStorage("/nonexistent-until-a-test-sets-it", base_url="/files/")


@pytest.fixture(autouse=True)
def _storage_in_tmp_path(tmp_path):
    STORAGE._location = str(tmp_path)
    yield


PIL = pytest.importorskip("PIL.Image", reason="ImageField dimensions need Pillow (relata[images])")


def png(width, height):
    buffer = io.BytesIO()
    PIL.new("RGB", (width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


class Photo(models.Model):
    title = models.CharField(max_length=20, default="")
    width = models.PositiveIntegerField(null=True)
    height = models.PositiveIntegerField(null=True)
    image = models.ImageField(storage=STORAGE, upload_to="photos", width_field="width", height_field="height")
    plain = models.ImageField(storage=STORAGE, null=True, blank=True)

    class Meta:
        app_label = "m_files"


class PhotoDimensionsLast(models.Model):
    image = models.ImageField(storage=STORAGE, width_field="w", height_field="h")
    w = models.IntegerField()
    h = models.IntegerField()

    class Meta:
        app_label = "m_files"


use_models(Photo, PhotoDimensionsLast)


def test_image_dimensions_are_read_on_save():
    photo = Photo()
    photo.image.save("p.png", ContentFile(png(4, 8)))
    assert (photo.width, photo.height) == (4, 8)
    loaded = Photo.objects.get(pk=photo.pk)
    assert (loaded.width, loaded.height) == (4, 8)
    assert isinstance(loaded.image, ImageFieldFile) and (loaded.image.width, loaded.image.height) == (4, 8)


def test_image_dimensions_are_read_when_constructed():
    photo = Photo(image=ContentFile(png(3, 5), name="c.png"))
    assert (photo.width, photo.height) == (3, 5)
    photo.save()
    other = PhotoDimensionsLast(image=ContentFile(png(6, 2), name="d.png"))
    assert (other.w, other.h) == (6, 2)
    other.save()
    assert PhotoDimensionsLast.objects.values_list("w", "h").get() == (6, 2)


def test_loading_rows_does_not_open_images():
    Photo.objects.create(image=ContentFile(png(2, 2), name="l.png"))
    STORAGE._location = "/nonexistent"  # reading a file now would fail
    with assert_num_queries(1):
        photo = Photo.objects.get()
    assert (photo.width, photo.height) == (2, 2)


def test_assigning_a_new_image_updates_and_deleting_clears():
    photo = Photo.objects.create(image=ContentFile(png(2, 3), name="a.png"))
    photo.image = ContentFile(png(7, 1), name="b.png")
    assert (photo.width, photo.height) == (7, 1)
    photo.image.delete(save=False)
    assert (photo.width, photo.height) == (None, None)


def test_image_without_dimension_fields_and_non_images():
    photo = Photo.objects.create(image=ContentFile(png(1, 1), name="x.png"))
    photo.plain.save("notes.txt", ContentFile(b"not an image"))
    assert (photo.plain.width, photo.plain.height) == (None, None)
    assert Photo._meta.get_field("image").deconstruct()[3] == {
        "height_field": "height",
        "storage": STORAGE,
        "upload_to": "photos",
        "width_field": "width",
    }


def test_without_pillow_the_error_names_the_extra(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pillow(name, *args, **kwargs):
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError("No module named 'PIL'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pillow)
    field = Photo._meta.get_field("image")
    [message] = [m for m in field.check() if m.id == "fields.E210"]
    assert "relata[images]" in message.hint
    with pytest.raises(exceptions.ImproperlyConfigured, match=r"pip install 'relata\[images\]'"):
        get_image_dimensions(io.BytesIO(b"\x89PNG\r\n\x1a\n"))
