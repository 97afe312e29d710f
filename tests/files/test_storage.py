"""relata.files: File, ContentFile, the storages and the media settings, as Django's behave (no database)."""

import io
import os
import re

import pytest
from django.core.files import storage as django_storage
from django.core.files.base import ContentFile as DjangoContentFile

import oracle  # noqa: F401 (configures Django, the oracle for names and messages)
from relata import exceptions
from relata.files import ContentFile, File, configure, media_settings
from relata.files.storage import DefaultStorage, FileSystemStorage, InMemoryStorage, Storage, default_storage
from relata.files.uploadedfile import SimpleUploadedFile
from relata.files.utils import get_valid_filename, safe_join, validate_file_name


@pytest.fixture
def storage(tmp_path):
    return FileSystemStorage(tmp_path, base_url="/files/")


@pytest.fixture(autouse=True)
def _fresh_media_settings(monkeypatch):
    monkeypatch.delenv("RELATA_MEDIA_ROOT", raising=False)
    monkeypatch.delenv("RELATA_MEDIA_URL", raising=False)
    configure()
    yield
    configure()


# -- File and ContentFile ------------------------------------------------------------


def test_file_wraps_an_open_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"one\ntwo\r\nthree")
    with File(open(path, "rb")) as f:
        assert f.name == str(path) and str(f) == str(path) and bool(f)
        assert repr(f) == f"<File: {path}>"
        assert f.size == len(b"one\ntwo\r\nthree") and len(f) == f.size
        assert list(f) == [b"one\n", b"two\r\n", b"three"]
        assert b"".join(f.chunks(chunk_size=4)) == b"one\ntwo\r\nthree"
        assert f.multiple_chunks(chunk_size=4) and not f.multiple_chunks()
    assert f.closed
    assert f.open().read() == b"one\ntwo\r\nthree"  # reopened from its path
    f.close()


def test_file_lines_across_chunks_match_django():
    data = b"ab\r" + b"\ncd\re" + b"f\n\ng"
    ours = File(io.BytesIO(data))
    ours.DEFAULT_CHUNK_SIZE = 3
    from django.core.files.base import File as DjangoFile

    theirs = DjangoFile(io.BytesIO(data))
    theirs.DEFAULT_CHUNK_SIZE = 3
    assert list(ours) == list(theirs)


def test_a_nameless_file_is_false_and_cannot_be_reopened():
    f = File(None)
    assert not f and repr(f) == "<File: None>" and str(f) == ""
    stream = File(io.BytesIO(b"x"))
    stream.close()
    with pytest.raises(ValueError, match="cannot be reopened"):
        stream.open()


def test_content_file_holds_bytes_or_text():
    data = ContentFile(b"binary", name="a.bin")
    assert data.size == 6 and data.name == "a.bin" and bool(ContentFile(b""))
    assert str(data) == "Raw content" and repr(ContentFile(b"x")) == "<ContentFile: Raw content>"
    text = ContentFile("text")
    assert text.read() == "text" and text.open().read() == "text"  # open() rewinds
    text.close()
    assert not text.closed  # closing keeps the content
    text.write("more")
    assert text.size == len("textmore")


def test_simple_uploaded_file_keeps_only_the_last_part_of_its_name():
    upload = SimpleUploadedFile("../../etc/photo.jpg", b"\xff\xd8", content_type="image/jpeg")
    assert upload.name == "photo.jpg" and upload.size == 2 and upload.content_type == "image/jpeg"
    assert b"".join(upload.chunks()) == b"\xff\xd8" and not upload.multiple_chunks()
    assert SimpleUploadedFile("a.txt", None).size == 0


# -- names ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", ".", "..", "dir/", "dir/.."])
def test_a_name_without_a_file_part_is_refused(name):
    with pytest.raises(exceptions.SuspiciousFileOperation, match="Could not derive file name"):
        validate_file_name(name, allow_relative_path=True)


@pytest.mark.parametrize("name", ["/etc/passwd", "../up.txt", "a/../../up.txt"])
def test_a_path_leaving_the_folder_is_refused(name):
    with pytest.raises(exceptions.SuspiciousFileOperation, match="path traversal"):
        validate_file_name(name, allow_relative_path=True)
    assert issubclass(exceptions.SuspiciousFileOperation, exceptions.SuspiciousOperation)


def test_path_elements_are_refused_in_a_bare_name():
    with pytest.raises(exceptions.SuspiciousFileOperation, match="includes path elements"):
        validate_file_name("a/b.txt")


@pytest.mark.parametrize("name", ["my photo.jpg", "  spaced  ", "ünïcode név.txt", "a$b%c&d.tar.gz", "x?.txt"])
def test_valid_names_match_django(name, tmp_path):
    theirs = django_storage.FileSystemStorage(tmp_path)
    assert get_valid_filename(name) == theirs.get_valid_name(name)
    assert FileSystemStorage(tmp_path).generate_filename(f"sub/{name}") == theirs.generate_filename(f"sub/{name}")


def test_safe_join_stays_under_its_base(tmp_path):
    assert safe_join(str(tmp_path), "a", "b.txt") == str(tmp_path / "a" / "b.txt")
    assert safe_join(str(tmp_path), "") == str(tmp_path)
    with pytest.raises(exceptions.SuspiciousFileOperation, match="outside of the base path"):
        safe_join(str(tmp_path), "../elsewhere")
    assert safe_join("/", "etc") == "/etc"  # the root folder contains everything


# -- FileSystemStorage ---------------------------------------------------------------


def test_save_open_size_url_path_delete(storage, tmp_path):
    name = storage.save("docs/report 1.txt", ContentFile(b"hello"))
    assert name == "docs/report 1.txt"  # save() keeps the name; generate_filename() is the field's step
    assert storage.exists(name) and storage.size(name) == 5
    assert storage.path(name) == str(tmp_path / "docs" / "report 1.txt")
    assert storage.url(name) == "/files/docs/report%201.txt"
    with storage.open(name) as f:
        assert f.read() == b"hello"
    assert storage.listdir("") == (["docs"], []) and storage.listdir("docs") == ([], ["report 1.txt"])
    storage.delete(name)
    assert not storage.exists(name)
    storage.delete(name)  # deleting what is gone is not an error


def test_text_content_is_written_as_text(storage):
    name = storage.save("t.txt", ContentFile("ünï"))
    assert storage.open(name).read() == "ünï".encode()


def test_a_plain_file_object_is_wrapped(storage):
    name = storage.save("plain.bin", io.BytesIO(b"raw"))
    assert storage.open(name).read() == b"raw"
    with pytest.raises(AttributeError):
        storage.save(None, io.BytesIO(b"no name"))  # neither a name nor content.name


def test_a_taken_name_gets_a_suffix(storage):
    first = storage.save("a.tar.gz", ContentFile(b"1"))
    second = storage.save("a.tar.gz", ContentFile(b"2"))
    assert first == "a.tar.gz"
    assert re.fullmatch(r"a_[A-Za-z0-9]{7}\.tar\.gz", second)
    assert storage.open(first).read() == b"1" and storage.open(second).read() == b"2"


def test_allow_overwrite_replaces_the_file(tmp_path):
    storage = FileSystemStorage(tmp_path, allow_overwrite=True)
    storage.save("a.txt", ContentFile(b"first, longer"))
    assert storage.save("a.txt", ContentFile(b"second")) == "a.txt"
    assert storage.open("a.txt").read() == b"second"
    assert storage.exists("a.txt")
    # Too long: the root loses its end, no random suffix (as Django 5.2).
    assert storage.get_available_name("abcdefghij.txt", max_length=8) == "abcd.txt"
    with pytest.raises(exceptions.SuspiciousFileOperation, match="max_length"):
        storage.get_available_name("abcdefghij.txt", max_length=4)


def test_available_name_fits_max_length(storage):
    storage.save("abcdef.txt", ContentFile(b"x"))
    name = storage.get_available_name("abcdef.txt", max_length=16)
    assert len(name) <= 16 and name.endswith(".txt") and name != "abcdef.txt"
    with pytest.raises(exceptions.SuspiciousFileOperation, match="max_length"):
        storage.get_available_name("abcdef.txt", max_length=8)


def test_available_name_refuses_traversal(storage):
    with pytest.raises(exceptions.SuspiciousFileOperation, match="path traversal"):
        storage.get_available_name("../up.txt")
    with pytest.raises(exceptions.SuspiciousFileOperation, match="path traversal"):
        storage.generate_filename("a/../../up.txt")


@pytest.mark.parametrize("name", ["../x.txt", "/x.txt", "a/../../x.txt"])
def test_saving_outside_the_folder_is_refused_as_django_does(storage, tmp_path, name):
    theirs = django_storage.FileSystemStorage(tmp_path)
    with pytest.raises(Exception) as django_error:
        theirs.save(name, DjangoContentFile(b"x"))
    with pytest.raises(exceptions.SuspiciousFileOperation) as ours:
        storage.save(name, ContentFile(b"x"))
    assert str(ours.value) == str(django_error.value)
    with pytest.raises(exceptions.SuspiciousFileOperation, match="outside of the base path"):
        storage.path(name)


def test_delete_needs_a_name(storage):
    with pytest.raises(ValueError, match="name must be given"):
        storage.delete("")


def test_permissions_modes(tmp_path):
    storage = FileSystemStorage(tmp_path, file_permissions_mode=0o640, directory_permissions_mode=0o750)
    name = storage.save("a/b/c.txt", ContentFile(b"x"))
    assert os.stat(storage.path(name)).st_mode & 0o777 == 0o640
    assert os.stat(tmp_path / "a").st_mode & 0o777 == 0o750
    assert os.stat(tmp_path / "a" / "b").st_mode & 0o777 == 0o750


def test_times_are_aware(storage):
    name = storage.save("t.txt", ContentFile(b"x"))
    for read in (storage.get_accessed_time, storage.get_created_time, storage.get_modified_time):
        assert read(name).tzinfo is not None


def test_base_url_gets_a_slash_and_urls_are_joined(tmp_path):
    storage = FileSystemStorage(tmp_path, base_url="https://cdn.example/m")
    assert storage.base_url == "https://cdn.example/m/"
    assert storage.url("/a b#.png") == "https://cdn.example/m/a%20b%23.png"


def test_the_base_class_names_what_a_subclass_must_provide():
    class Bare(Storage):
        pass

    with pytest.raises(NotImplementedError, match="exists"):
        Bare().exists("x")
    with pytest.raises(NotImplementedError, match="absolute paths"):
        Bare().path("x")
    with pytest.raises(NotImplementedError, match="exists"):
        Bare().save("x", ContentFile(b""))  # finding a free name asks exists() first
    with pytest.raises(NotImplementedError, match="_open"):
        Bare().open("x")


def test_storages_deconstruct_and_compare_by_arguments(tmp_path):
    storage = FileSystemStorage(tmp_path, base_url="/m/")
    assert storage.deconstruct() == ("relata.files.storage.FileSystemStorage", [tmp_path], {"base_url": "/m/"})
    assert storage == FileSystemStorage(tmp_path, base_url="/m/")
    assert storage != FileSystemStorage(tmp_path)


# -- InMemoryStorage -----------------------------------------------------------------


def test_in_memory_storage():
    storage = InMemoryStorage()
    name = storage.save("dir/a.txt", ContentFile(b"abc"))
    assert storage.exists("dir/a.txt") and storage.exists("dir") and storage.size(name) == 3
    assert storage.open(name).read() == b"abc" and storage.open(name, "r").read() == "abc"
    assert storage.listdir("") == (["dir"], []) and storage.listdir("dir") == ([], ["a.txt"])
    assert storage.save("dir/a.txt", ContentFile(b"x")) != name
    assert storage.url(name) == "/media/dir/a.txt"
    storage.delete(name)
    assert not storage.exists(name)
    with pytest.raises(FileNotFoundError):
        storage.open(name)
    with pytest.raises(exceptions.SuspiciousFileOperation):
        storage.save("../x", ContentFile(b""))


# -- where files go without settings -------------------------------------------------


def test_defaults_are_media_in_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no pyproject.toml above tmp_path
    assert media_settings().root == str(tmp_path / "media")
    assert media_settings().url == "/media/"
    assert FileSystemStorage().location == str(tmp_path / "media")


def test_pyproject_media_root_is_relative_to_the_file(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.relata]\nmedia_root = "uploads"\nmedia_url = "/u"\n')
    (tmp_path / "src").mkdir()
    monkeypatch.chdir(tmp_path / "src")
    configure()
    assert media_settings().root == str(tmp_path / "uploads") and media_settings().url == "/u/"


def test_bad_pyproject_media_settings_are_named(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[tool.relata]\nmedia_root = 3\n")
    monkeypatch.chdir(tmp_path)
    configure()
    with pytest.raises(exceptions.ImproperlyConfigured, match=r"media_root in .*pyproject.toml must be a folder"):
        media_settings()


def test_environment_beats_pyproject_and_configure_beats_both(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.relata]\nmedia_root = "from_file"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RELATA_MEDIA_ROOT", str(tmp_path / "from_env"))
    assert media_settings().root == str(tmp_path / "from_env")
    configure(media_root=tmp_path / "from_code", media_url="https://cdn/")
    assert media_settings().root == str(tmp_path / "from_code") and media_settings().url == "https://cdn/"
    with pytest.raises(exceptions.ImproperlyConfigured, match="media_url must be a string"):
        configure(media_url=5)


def test_default_storage_follows_configuration(tmp_path):
    configure(media_root=tmp_path / "one")
    assert isinstance(default_storage, FileSystemStorage) and isinstance(default_storage, Storage)
    name = default_storage.save("x.txt", ContentFile(b"1"))
    assert (tmp_path / "one" / "x.txt").read_bytes() == b"1"
    configure(media_root=tmp_path / "two", media_url="/two/")
    assert default_storage.location == str(tmp_path / "two") and default_storage.url(name) == "/two/x.txt"
    assert isinstance(DefaultStorage(), FileSystemStorage)
