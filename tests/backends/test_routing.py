"""Several databases: a primary and a read replica, routed by a database router.

Two PostgreSQL databases stand in for the primary and its replica (nothing
copies rows between them, which makes it visible where each statement went).
Reads go to the replica, writes to the primary; `using()`, `save(using=)` and
`db_manager()` override the router; relations across databases are refused
unless the router's `allow_relation` says yes; `allow_migrate` keeps tables
off the replica.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import relata
from relata import models, transaction
from relata.backends import load_backend
from relata.conf import parse_url
from relata.db import connections
from relata.models.routing import router
from relata.testing import CaptureQueries, create_tables, databases, drop_tables, truncate_tables
from relata.testing.pytest_plugin import use_models


class Author(models.Model):
    name = models.CharField(max_length=30)

    class Meta:
        app_label = "b_route"


class Tag(models.Model):
    name = models.CharField(max_length=30)

    class Meta:
        app_label = "b_route"


class Book(models.Model):
    title = models.CharField(max_length=30)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, null=True)
    tags = models.ManyToManyField(Tag)

    class Meta:
        app_label = "b_route"


use_models(Author, Tag, Book)


class PrimaryReplicaRouter:
    """Reads from the replica, writes to the primary; relations only within one database."""

    def db_for_read(self, model, **hints):
        return "replica"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"


class SameClusterRouter(PrimaryReplicaRouter):
    """The replica holds the primary's rows, so an object read there may point at one written here."""

    def allow_relation(self, obj1, obj2, **hints):
        return {obj1._state.db, obj2._state.db} <= {"default", "replica"}


@pytest.fixture(scope="module")
def replica(relata_backend: str) -> Iterator[str]:
    if relata_backend != "postgresql":
        pytest.skip("the primary/replica pair is two PostgreSQL databases")
    url = databases.test_database_url("postgresql") + "_replica"
    backend = load_backend("postgresql")
    backend.create_test_database(parse_url(url))
    relata.connect(url, alias="replica")
    create_tables(Author, Tag, Book, using="replica")
    yield "replica"
    drop_tables(Author, Tag, Book, using="replica")
    connections.forget("replica")
    backend.destroy_test_database(parse_url(url))


@pytest.fixture
def routed(replica: str) -> Iterator[None]:
    router.set_routers([PrimaryReplicaRouter()])
    yield
    router.set_routers([])
    truncate_tables(Author, Tag, Book, using="replica")


def count(alias: str) -> int:
    return Author.objects.using(alias).count()


def test_writes_go_to_the_primary_and_reads_to_the_replica(routed):
    with CaptureQueries("default") as primary, CaptureQueries("replica") as copy:
        alex = Author.objects.create(name="alex")
    assert len(primary) == 1 and len(copy) == 0
    assert alex._state.db == "default"
    assert (count("default"), count("replica")) == (1, 0)
    # The stand-in replica never received the row: a read shows where reads go.
    with CaptureQueries("default") as primary, CaptureQueries("replica") as copy:
        assert list(Author.objects.all()) == []
    assert len(primary) == 0 and len(copy) == 1


def test_rows_read_from_the_replica_remember_it_and_save_to_the_primary(routed):
    Author.objects.using("replica").create(name="sam")
    sam = Author.objects.get(name="sam")
    assert sam._state.db == "replica"
    sam.name = "samantha"
    sam.save()  # db_for_write: the primary, where the row does not exist yet
    assert list(Author.objects.using("default").values_list("name", flat=True)) == ["samantha"]
    assert list(Author.objects.using("replica").values_list("name", flat=True)) == ["sam"]


def test_using_save_using_and_db_manager_override_the_router(routed):
    Author(name="kim").save(using="replica")
    assert count("replica") == 1 and count("default") == 0
    assert Author.objects.db_manager("replica").get(name="kim")._state.db == "replica"
    assert Author.objects.db_manager("default").filter(name="kim").exists() is False
    Author.objects.using("default").create(name="lee")
    assert list(Author.objects.using("default").values_list("name", flat=True)) == ["lee"]


def test_select_for_update_reads_from_the_primary_as_in_django(routed):
    # A lock taken on the replica would not protect the primary's row.
    Author.objects.create(name="alex")
    with transaction.atomic(), CaptureQueries("default") as primary, CaptureQueries("replica") as copy:
        assert [a.name for a in Author.objects.select_for_update()] == ["alex"]
        assert Author.objects.update_or_create(name="alex", defaults={"name": "alexa"})[1] is False
    assert len(copy) == 0 and "FOR UPDATE" in primary[0]["sql"]
    assert (count("default"), count("replica")) == (1, 0)


def test_relation_across_databases_is_refused_by_default(replica):
    on_primary = Author.objects.using("default").create(name="alex")
    on_replica = Author.objects.using("replica").create(name="alex")
    book = Book.objects.using("default").create(title="t", author=on_primary)
    with pytest.raises(ValueError, match="the current database router prevents this relation"):
        book.author = on_replica
    assert book.author == on_primary
    tag = Tag.objects.using("replica").create(name="python")
    with pytest.raises(ValueError, match='instance is on database "default", value is on database "replica"'):
        book.tags.add(tag)
    truncate_tables(Author, Tag, Book, using="replica")


def test_without_routers_a_new_object_follows_its_related_object_to_its_database(replica):
    on_replica = Author.objects.using("replica").create(name="alex")
    book = Book(title="t", author=on_replica)
    assert book._state.db == "replica"
    book.save()
    assert Book.objects.using("replica").get().author_id == on_replica.pk
    assert Book.objects.using("default").count() == 0
    on_primary = Author.objects.using("default").create(name="sam")
    with pytest.raises(ValueError, match="the current database router prevents this relation"):
        book.author = on_primary
    unsaved = Author(name="new")
    other = Book(title="u", author=unsaved)  # both unsaved: both are written to the default database
    unsaved.save()
    other.save()
    assert Book.objects.using("default").get().author_id == unsaved.pk
    truncate_tables(Author, Tag, Book, using="replica")


def test_relation_across_databases_allowed_when_the_router_says_so(replica):
    router.set_routers([SameClusterRouter()])
    try:
        on_replica = Author.objects.using("replica").create(name="alex")
        Author.objects.using("default").create(pk=on_replica.pk, name="alex")
        book = Book(title="t")
        book.author = on_replica  # allowed: the replica mirrors the primary
        book.save()
        assert book._state.db == "default"
        assert Book.objects.using("default").get().author_id == on_replica.pk
    finally:
        router.set_routers([])
        truncate_tables(Author, Tag, Book, using="replica")


def test_allow_migrate_keeps_the_replica_untouched(routed):
    from relata.migrations.operations.base import allowed

    class Editor:
        def __init__(self, alias):
            self.connection = connections[alias]

    assert allowed(Editor("default"), Author) is True
    assert allowed(Editor("replica"), Author) is False
