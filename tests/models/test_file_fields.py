"""FileField and ImageField on every backend: names in the column, files in a storage under tmp_path."""

import datetime
import pickle

import pytest

from relata import checks, exceptions, models
from relata.files import ContentFile, File
from relata.files.storage import FileSystemStorage, InMemoryStorage, Storage, default_storage
from relata.files.uploadedfile import SimpleUploadedFile
from relata.migrations.serializer import serialize
from relata.models.fields.files import FieldFile
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

#: One storage for the module's models; each test points it at its own tmp_path (see the fixture).
STORAGE = FileSystemStorage("/nonexistent-until-a-test-sets-it", base_url="/files/")


def upload_to_owner(instance, filename):
    return f"owners/{instance.owner}/{filename}"


def storage_factory():
    return STORAGE


class Document(models.Model):
    owner = models.CharField(max_length=20, default="anon")
    attachment = models.FileField(storage=STORAGE, upload_to="docs/%Y")
    by_owner = models.FileField(storage=storage_factory, upload_to=upload_to_owner, blank=True)
    optional = models.FileField(storage=STORAGE, null=True, blank=True, max_length=20)

    class Meta:
        app_label = "m_files"


@pytest.fixture(autouse=True)
def _storage_in_tmp_path(tmp_path):
    STORAGE._location = str(tmp_path)
    yield


# -- reading and writing through the field ---------------------------------------------


def test_save_stores_the_file_and_the_name(tmp_path):
    doc = Document(owner="ann")
    with assert_num_queries(1):
        doc.attachment.save("first report.txt", ContentFile(b"hello"))
    year = datetime.datetime.now().strftime("%Y")
    assert doc.pk is not None and doc.attachment.name == f"docs/{year}/first_report.txt"
    assert (tmp_path / "docs" / year / "first_report.txt").read_bytes() == b"hello"
    loaded = Document.objects.get(pk=doc.pk)
    assert isinstance(loaded.attachment, FieldFile) and loaded.attachment == doc.attachment.name
    assert loaded.attachment.url == f"/files/docs/{year}/first_report.txt"
    assert loaded.attachment.path == str(tmp_path / "docs" / year / "first_report.txt")
    assert loaded.attachment.size == 5
    with loaded.attachment.open() as f:
        assert f.read() == b"hello"
    assert loaded.attachment.closed


def test_save_without_saving_the_instance():
    doc = Document()
    with assert_num_queries(0):
        doc.attachment.save("a.txt", ContentFile(b"x"), save=False)
    assert doc.pk is None and doc.attachment.name.endswith("/a.txt")


def test_assigned_file_is_stored_when_the_instance_is_saved(tmp_path):
    doc = Document(attachment=ContentFile(b"payload", name="x.bin"))
    assert not doc.attachment._committed and doc.attachment.size == 7
    doc.save()
    assert doc.attachment._committed and doc.attachment.name.startswith("docs/")
    assert STORAGE.open(doc.attachment.name).read() == b"payload"
    assert Document.objects.values_list("attachment", flat=True).get() == doc.attachment.name


def test_uploaded_file_and_plain_file(tmp_path):
    doc = Document(attachment=SimpleUploadedFile("../../photo.jpg", b"jpeg"))
    doc.save()
    assert doc.attachment.name.endswith("/photo.jpg")
    source = tmp_path / "source.txt"
    source.write_bytes(b"from disk")
    with open(source, "rb") as handle:
        doc.attachment = File(handle, name="copy.txt")
        doc.save()
    assert STORAGE.open(doc.attachment.name).read() == b"from disk"


def test_assigning_a_name_points_at_an_existing_file():
    STORAGE.save("existing.txt", ContentFile(b"here"))
    doc = Document.objects.create(attachment="existing.txt")
    assert Document.objects.get(pk=doc.pk).attachment.read() == b"here"


def test_collisions_get_a_suffix():
    one = Document.objects.create(attachment=ContentFile(b"1", name="same.txt"))
    two = Document.objects.create(attachment=ContentFile(b"2", name="same.txt"))
    assert one.attachment.name != two.attachment.name
    assert one.attachment.read() == b"1" and two.attachment.read() == b"2"


def test_callable_upload_to_and_callable_storage():
    doc = Document(owner="bob")
    doc.by_owner.save("cv.pdf", ContentFile(b"%PDF"))
    assert doc.by_owner.name == "owners/bob/cv.pdf"
    assert Document._meta.get_field("by_owner").storage is STORAGE


def test_max_length_shortens_a_colliding_name():
    first = Document.objects.create(optional=ContentFile(b"1", name="a_long_name.txt"))
    second = Document.objects.create(optional=ContentFile(b"2", name="a_long_name.txt"))
    assert first.optional.name == "a_long_name.txt"
    assert len(second.optional.name) <= 20 and second.optional.name != first.optional.name


def test_delete_removes_the_file_and_empties_the_field(tmp_path):
    doc = Document.objects.create(attachment=ContentFile(b"x", name="gone.txt"))
    path = doc.attachment.path
    with assert_num_queries(1):
        doc.attachment.delete()
    assert not tmp_path.joinpath(path).exists() and not doc.attachment
    assert Document.objects.get(pk=doc.pk).attachment.name == ""
    with assert_num_queries(0):
        doc.attachment.delete()  # nothing to delete


def test_deleting_the_instance_leaves_the_file():
    doc = Document.objects.create(attachment=ContentFile(b"x", name="kept.txt"))
    doc.delete()
    assert STORAGE.exists(doc.attachment.name)  # as Django: files outlive their rows


def test_empty_and_null_values():
    doc = Document.objects.create()
    loaded = Document.objects.get(pk=doc.pk)
    assert loaded.attachment.name == "" and not loaded.attachment
    # As Django: even a null=True column gets "" (save() reads the field through its FieldFile).
    assert loaded.optional.name == "" and Document.objects.filter(optional="").count() == 1
    Document.objects.update(optional=None)
    assert Document.objects.get(pk=doc.pk).optional.name is None
    with pytest.raises(ValueError, match=r"'attachment' attribute has no file associated with it"):
        _ = loaded.attachment.url
    for attribute in ("path", "size", "file"):
        with pytest.raises(ValueError, match=r"Document\.attachment is empty"):
            getattr(loaded.attachment, attribute)
    with pytest.raises(ValueError):
        loaded.attachment.open()


def test_filter_by_file_or_name():
    doc = Document.objects.create(attachment=ContentFile(b"x", name="f.txt"))
    assert Document.objects.get(attachment=doc.attachment) == doc
    assert Document.objects.get(attachment=doc.attachment.name) == doc
    assert Document.objects.filter(attachment__endswith="f.txt").count() == 1


def test_deferred_file_loads_on_access():
    doc = Document.objects.create(attachment=ContentFile(b"x", name="d.txt"))
    loaded = Document.objects.defer("attachment").get(pk=doc.pk)
    with assert_num_queries(1):
        assert loaded.attachment.name == doc.attachment.name
    assert isinstance(loaded.attachment, FieldFile)


def test_field_file_equality_and_hash():
    doc = Document.objects.create(attachment=ContentFile(b"x", name="e.txt"))
    other = Document.objects.get(pk=doc.pk)
    assert doc.attachment == other.attachment and doc.attachment == doc.attachment.name
    assert hash(doc.attachment) == hash(doc.attachment.name)
    assert repr(other.attachment) == f"<FieldFile: {doc.attachment.name}>"


def test_copying_a_field_file_to_another_instance():
    doc = Document.objects.create(attachment=ContentFile(b"x", name="shared.txt"))
    twin = Document()
    twin.attachment = doc.attachment
    assert twin.attachment.instance is twin  # Django rebinds the FieldFile to its new instance
    twin.save()
    assert Document.objects.get(pk=twin.pk).attachment.name == doc.attachment.name


def test_pickling_keeps_the_name_and_finds_the_storage():
    doc = Document.objects.create(attachment=ContentFile(b"x", name="p.txt"))
    doc.attachment.open()
    again = pickle.loads(pickle.dumps(doc.attachment))
    doc.attachment.close()
    assert again.name == doc.attachment.name and again.storage == STORAGE and again.closed


def test_bulk_create_stores_names():
    Document.objects.bulk_create([Document(attachment="a.txt"), Document(attachment="b.txt")])
    assert sorted(Document.objects.values_list("attachment", flat=True)) == ["a.txt", "b.txt"]


# -- the field itself --------------------------------------------------------------------


def test_field_options_and_deconstruct():
    field = Document._meta.get_field("attachment")
    assert field.max_length == 100 and field.upload_to == "docs/%Y" and field.storage is STORAGE
    assert field.get_internal_type() == "FileField"
    name, path, args, kwargs = field.deconstruct()
    assert (name, path, args) == ("attachment", "relata.models.FileField", [])
    assert kwargs == {"storage": STORAGE, "upload_to": "docs/%Y"}
    _, _, _, kwargs = Document._meta.get_field("by_owner").deconstruct()
    assert kwargs["storage"] is storage_factory and kwargs["upload_to"] is upload_to_owner
    assert models.FileField(max_length=100, storage=default_storage).deconstruct()[3] == {"upload_to": ""}
    assert models.FileField(max_length=200).deconstruct()[3] == {"max_length": 200, "upload_to": ""}


def test_deconstructed_field_writes_into_a_migration():
    text, imports = serialize(models.FileField(upload_to="x/", storage=FileSystemStorage("/srv/media")))
    assert text == 'models.FileField(storage=relata.files.storage.FileSystemStorage("/srv/media"), upload_to="x/")'
    assert "import relata.files.storage" in imports


def test_default_storage_when_none_is_given():
    field = models.FileField()
    assert field.storage is default_storage and isinstance(field.storage, Storage)


def test_storage_must_be_a_storage():
    with pytest.raises(TypeError, match=r"FileField.storage must be a subclass/instance of .*Storage, not 'media'"):
        models.FileField(storage="media")
    assert isinstance(models.FileField(storage=InMemoryStorage).storage, InMemoryStorage)


def test_checks_primary_key_and_absolute_upload_to():
    class Bad(models.Model):
        key = models.FileField(primary_key=True)
        absolute = models.FileField(upload_to="/srv/uploads")

        class Meta:
            app_label = "m_files_checks"

    found = {(m.id, m.obj.name) for m in checks.run_checks(models=[Bad])}
    assert ("fields.E201", "key") in found and ("fields.E202", "absolute") in found
    messages = {m.id: m for m in Bad._meta.get_field("absolute").check()}
    assert messages["fields.E202"].hint == "Remove the leading slash."
    assert Document._meta.get_field("attachment").check() == []


def test_upload_to_cannot_escape_the_storage():
    doc = Document()
    with pytest.raises(exceptions.SuspiciousFileOperation, match="path traversal"):
        doc.by_owner.save("../../etc/x", ContentFile(b""))  # upload_to's owner part is fine; the name is not


def test_file_columns_are_varchar_of_max_length():
    from relata.db import connection
    from relata.models.schema import table_spec

    spec = {c.name: c for c in table_spec(Document, connection).columns}
    editor = connection.schema_editor()
    assert editor.column_type(spec["attachment"]).lower().startswith(("varchar(100)", "character varying(100)"))
    assert spec["optional"].null and spec["optional"].max_length == 20


# -- FilePathField ----------------------------------------------------------------------


class Script(models.Model):
    path = models.FilePathField(path="/srv/scripts", match=r".*\.py$", recursive=True)
    folder = models.FilePathField(allow_files=False, allow_folders=True, max_length=255, null=True)

    class Meta:
        app_label = "m_files"


use_models(Document, Script)


def test_file_path_field_stores_paths():
    script = Script.objects.create(path="/srv/scripts/run.py")
    assert Script.objects.get(pk=script.pk).path == "/srv/scripts/run.py"
    field = Script._meta.get_field("path")
    assert field.max_length == 100 and field.get_internal_type() == "FilePathField"
    assert field.deconstruct()[3] == {"path": "/srv/scripts", "match": r".*\.py$", "recursive": True}
    assert Script._meta.get_field("folder").deconstruct()[3] == {
        "allow_files": False,
        "allow_folders": True,
        "max_length": 255,
        "null": True,
    }


def test_file_path_field_needs_files_or_folders():
    class Bad(models.Model):
        nothing = models.FilePathField(allow_files=False)

        class Meta:
            app_label = "m_files_checks"

    [message] = Bad._meta.get_field("nothing").check()
    assert message.id == "fields.E140"
    assert message.msg == "FilePathFields must have either 'allow_files' or 'allow_folders' set to True."
