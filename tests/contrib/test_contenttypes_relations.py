"""GenericRelation: its manager, filtering and aggregating across it, prefetch both ways, cascade deletion."""

from __future__ import annotations

import pytest

from relata import models
from relata.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from relata.contrib.contenttypes.models import ContentType
from relata.contrib.contenttypes.prefetch import GenericPrefetch
from relata.exceptions import FieldDoesNotExist, FieldError
from relata.testing import CaptureQueries, assert_num_queries
from relata.testing.pytest_plugin import use_models

APP = "ct_relations"


class TaggedItem(models.Model):
    tag = models.SlugField()
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()
    content_object = GenericForeignKey()

    class Meta:
        app_label = APP
        ordering = ["tag", "id"]

    def __repr__(self) -> str:
        return f"<TaggedItem {self.tag}>"


class Bookmark(models.Model):
    url = models.CharField(max_length=100)
    tags = GenericRelation(TaggedItem, related_query_name="bookmark")

    class Meta:
        app_label = APP
        ordering = ["url"]


class Note(models.Model):
    text = models.CharField(max_length=100)
    tags = GenericRelation(TaggedItem)

    class Meta:
        app_label = APP
        ordering = ["text"]


class Comment(models.Model):
    """Tagged, with no GenericRelation: its tags stay when it is deleted."""

    body = models.CharField(max_length=100)

    class Meta:
        app_label = APP


class Vote(models.Model):
    """Depends on a TaggedItem by a ForeignKey: deleting a Bookmark reaches it through the tags."""

    item = models.ForeignKey(TaggedItem, on_delete=models.CASCADE)

    class Meta:
        app_label = APP


use_models(ContentType, TaggedItem, Bookmark, Note, Comment, Vote)


@pytest.fixture(autouse=True)
def _fresh_content_type_cache():
    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


@pytest.fixture
def data():
    django = Bookmark.objects.create(url="django")
    python = Bookmark.objects.create(url="python")
    # Same key as the first bookmark: only the content type tells their tags apart.
    note = Note.objects.create(id=django.pk, text="note")
    django.tags.create(tag="web")
    django.tags.create(tag="framework")
    python.tags.create(tag="language")
    note.tags.create(tag="web")
    note.tags.create(tag="todo")
    ContentType.objects.get_for_models(Bookmark, Note, Comment)  # warm the cache: counts below are the ORM's
    return django, python, note


def tags(items):
    return [t.tag for t in items]


# -- the field and its reverse side ------------------------------------------------------------


def test_generic_relation_is_a_private_field_with_a_query_name_on_the_target():
    field = Bookmark._meta.get_field("tags")
    assert field in Bookmark._meta.private_fields and field not in Bookmark._meta.fields
    assert (field.is_relation, field.one_to_many, field.many_to_many, field.concrete) == (True, True, False, False)
    assert field.related_model is TaggedItem
    rel = TaggedItem._meta.get_field("bookmark")
    assert rel.field is field and rel.related_model is Bookmark
    # Without related_query_name the reverse side has no name at all (as Django).
    with pytest.raises(FieldDoesNotExist):
        TaggedItem._meta.get_field("note")


# -- the manager -------------------------------------------------------------------------------


def test_manager_reads_the_objects_rows_only(data):
    django, _python, note = data
    with assert_num_queries(1):
        assert tags(django.tags.all()) == ["framework", "web"]
    assert tags(note.tags.all()) == ["todo", "web"]
    assert django.tags.count() == 2
    assert tags(django.tags.filter(tag__startswith="w")) == ["web"]
    assert all(t.content_object == django for t in django.tags.all())


def test_manager_access_alone_runs_no_query(data):
    django, _, _ = data
    ContentType.objects.clear_cache()
    with assert_num_queries(0):
        django.tags  # noqa: B018


def test_create_get_or_create_update_or_create(data):
    django, _, _ = data
    tag, created = django.tags.get_or_create(tag="web")
    assert not created and tag.content_object == django
    tag, created = django.tags.get_or_create(tag="new")
    assert created and tag.object_id == django.pk
    tag, created = django.tags.update_or_create(tag="new", defaults={"tag": "newer"})
    assert not created and tag.tag == "newer"
    assert tags(django.tags.all()) == ["framework", "newer", "web"]


def test_add_bulk_is_one_update(data):
    _django, python, _ = data
    comment = Comment.objects.create(body="c")
    t1 = TaggedItem.objects.create(tag="a", content_object=comment)
    t2 = TaggedItem.objects.create(tag="b", content_object=comment)
    with assert_num_queries(1):
        python.tags.add(t1, t2)
    assert (t1.content_object, t2.content_object) == (python, python)
    assert tags(python.tags.all()) == ["a", "b", "language"]


def test_add_without_bulk_saves_each(data):
    _, python, _ = data
    comment = Comment.objects.create(body="c")
    t1 = TaggedItem.objects.create(tag="a", content_object=comment)
    t2 = TaggedItem.objects.create(tag="b", content_object=comment)
    with assert_num_queries(2):
        python.tags.add(t1, t2, bulk=False)
    assert tags(python.tags.all()) == ["a", "b", "language"]


def test_add_refuses_unsaved_and_wrong_objects(data):
    django, _, _ = data
    with pytest.raises(ValueError, match=r"instance isn't saved\. Use bulk=False or save the object first\."):
        django.tags.add(TaggedItem(tag="x"))
    with pytest.raises(TypeError, match="'TaggedItem' instance expected, got <Bookmark"):
        django.tags.add(django)


def test_remove_and_clear_delete_the_rows(data):
    django, _, note = data
    web = django.tags.get(tag="web")
    django.tags.remove(web)
    assert tags(django.tags.all()) == ["framework"]
    assert not TaggedItem.objects.filter(pk=web.pk).exists()
    note.tags.clear(bulk=False)
    assert note.tags.count() == 0
    django.tags.clear()
    assert TaggedItem.objects.count() == 1  # python's


def test_set_keeps_adds_and_removes(data):
    django, python, _ = data
    framework = django.tags.get(tag="framework")
    language = python.tags.get()
    django.tags.set([framework, language])
    assert tags(django.tags.all()) == ["framework", "language"]
    assert python.tags.count() == 0
    django.tags.set(django.tags.filter(tag="language"))  # a queryset over the rows is read first
    assert tags(django.tags.all()) == ["language"]
    django.tags.set([], clear=True)
    assert django.tags.count() == 0


def test_assignment_is_refused():
    with pytest.raises(TypeError, match=r"Use tags\.set\(\) instead"):
        Bookmark().tags = []


def test_unsaved_instance_cannot_use_the_manager():
    with pytest.raises(ValueError, match="needs to have a primary key value"):
        Bookmark(url="x").tags.all()


# -- filtering and aggregating across the relation ------------------------------------------------


def test_filter_across_respects_the_content_type(data):
    django, python, note = data
    with assert_num_queries(1):
        assert list(Bookmark.objects.filter(tags__tag="web")) == [django]
    assert list(Note.objects.filter(tags__tag="web")) == [note]
    assert list(Bookmark.objects.filter(tags__tag="todo")) == []  # the note's tag, with the bookmark's key
    assert list(Bookmark.objects.exclude(tags__tag="web")) == [python]
    assert list(Bookmark.objects.filter(tags__isnull=True)) == []


def test_filter_from_the_tagged_rows_by_related_query_name(data):
    _django, python, _note = data
    assert tags(TaggedItem.objects.filter(bookmark__url="django")) == ["framework", "web"]
    assert tags(TaggedItem.objects.filter(bookmark=python)) == ["language"]
    assert tags(TaggedItem.objects.filter(bookmark__isnull=False).order_by("bookmark__url", "tag")) == [
        "framework",
        "web",
        "language",
    ]


def test_the_join_carries_the_content_type_condition_as_sql(data):
    with CaptureQueries() as captured:
        list(Bookmark.objects.filter(tags__tag="web"))
    (query,) = captured.queries
    assert "django_content_type" in query.sql
    assert "ct_relations" in query.params and "bookmark" in query.params


def test_count_annotation_over_the_relation(data):
    rows = list(Bookmark.objects.annotate(n=models.Count("tags")).order_by("url").values_list("url", "n"))
    assert rows == [("django", 2), ("python", 1)]
    notes = list(Note.objects.annotate(n=models.Count("tags")).values_list("text", "n"))
    assert notes == [("note", 2)]
    assert Bookmark.objects.aggregate(n=models.Count("tags"))["n"] == 3


# -- prefetch_related ----------------------------------------------------------------------------


def test_prefetch_generic_relation_is_one_query(data):
    with assert_num_queries(2):
        bookmarks = list(Bookmark.objects.prefetch_related("tags"))
    with assert_num_queries(0):
        assert [tags(b.tags.all()) for b in bookmarks] == [["framework", "web"], ["language"]]


def test_prefetch_generic_relation_with_a_queryset_keeps_it_for_later_queries(data):
    with assert_num_queries(2):
        bookmarks = list(
            Bookmark.objects.prefetch_related(models.Prefetch("tags", TaggedItem.objects.filter(tag="web")))
        )
    with assert_num_queries(0):
        assert [tags(b.tags.all()) for b in bookmarks] == [["web"], []]
    with assert_num_queries(2):
        assert [tags(b.tags.all().all()) for b in bookmarks] == [["web"], []]


def test_generic_relations_answer_djangos_prefetch_protocol(data):
    bookmarks = list(Bookmark.objects.order_by("url"))
    rows, row_key, instance_key, single, cache_name, _ = bookmarks[0].tags.get_prefetch_querysets(bookmarks)
    assert (single, cache_name) == (False, "tags")
    assert sorted(tags(r for r in rows if row_key(r) == instance_key(bookmarks[0]))) == ["framework", "web"]
    items = list(TaggedItem.objects.order_by("tag"))
    rows, row_key, instance_key, single, cache_name, _ = TaggedItem.content_object.get_prefetch_querysets(items)
    assert (single, cache_name) == (True, "content_object")
    by_key = {row_key(r): r for r in rows}
    assert all(by_key[instance_key(i)] == i.content_object for i in items)


def test_prefetch_generic_foreign_key_is_one_query_per_content_type(data):
    with assert_num_queries(3):  # the tags, the bookmarks, the notes
        items = list(TaggedItem.objects.prefetch_related("content_object"))
    with assert_num_queries(0):
        pointed = [(t.tag, type(t.content_object).__name__) for t in items]
    assert pointed == [
        ("framework", "Bookmark"),
        ("language", "Bookmark"),
        ("todo", "Note"),
        ("web", "Bookmark"),
        ("web", "Note"),
    ]


def test_prefetch_through_both_ways_over_several_models(data):
    with assert_num_queries(4):  # the tags, bookmarks, notes, then every object's tags in one query
        items = list(TaggedItem.objects.prefetch_related("content_object", "content_object__tags"))
    with assert_num_queries(0):
        for item in items:
            assert item in list(item.content_object.tags.all())


def test_generic_prefetch_takes_a_queryset_per_model(data):
    items = list(TaggedItem.objects.all())
    with assert_num_queries(2):
        models.prefetch_related_objects(
            items, GenericPrefetch("content_object", [Bookmark.objects.only("url"), Note.objects.all()])
        )
    with assert_num_queries(0):
        assert sorted({type(i.content_object).__name__ for i in items}) == ["Bookmark", "Note"]
    # As in Django 5: a plain Prefetch's queryset serves its model's content type; the others load as usual.
    items = list(TaggedItem.objects.all())
    with assert_num_queries(2):
        models.prefetch_related_objects(items, models.Prefetch("content_object", Bookmark.objects.only("url")))
    with assert_num_queries(0):
        assert sorted({type(i.content_object).__name__ for i in items}) == ["Bookmark", "Note"]
    with pytest.raises(ValueError, match="Only one queryset is allowed for each content type"):
        models.prefetch_related_objects(
            list(TaggedItem.objects.all()),
            GenericPrefetch("content_object", [Bookmark.objects.all(), Bookmark.objects.only("url")]),
        )


def test_writes_after_prefetch_drop_the_prefetched_rows(data):
    django = Bookmark.objects.prefetch_related("tags").get(url="django")
    new = django.tags.create(tag="zzz")
    assert tags(django.tags.all()) == ["framework", "web", "zzz"]
    django = Bookmark.objects.prefetch_related("tags").get(url="django")
    django.tags.remove(new)
    assert tags(django.tags.all()) == ["framework", "web"]


# -- deletion --------------------------------------------------------------------------------------


def test_deleting_an_object_deletes_its_tagged_rows(data):
    django, _python, _note = data
    Vote.objects.create(item=django.tags.get(tag="web"))
    django.delete()
    assert tags(TaggedItem.objects.all()) == ["language", "todo", "web"]
    assert Vote.objects.count() == 0  # reached through the tag's foreign key
    Note.objects.all().delete()
    assert tags(TaggedItem.objects.all()) == ["language"]


def test_deleting_without_a_generic_relation_leaves_tags(data):
    comment = Comment.objects.create(body="c")
    TaggedItem.objects.create(tag="orphan", content_object=comment)
    comment.delete()
    assert TaggedItem.objects.filter(tag="orphan").exists()


def test_deleting_a_tag_leaves_its_object(data):
    django, _, _ = data
    django.tags.get(tag="web").delete()
    assert Bookmark.objects.filter(pk=django.pk).exists()
    assert tags(django.tags.all()) == ["framework"]


def test_delete_counts_the_tagged_rows(data):
    django, _, _ = data
    count, per_model = django.delete()
    assert count == 3
    assert per_model == {f"{APP}.Bookmark": 1, f"{APP}.TaggedItem": 2}


# -- hints ----------------------------------------------------------------------------------------


def test_hints_for_names_a_generic_relation_does_not_have():
    with pytest.raises(AttributeError) as caught:
        Bookmark(url="x").taggeditem_set  # noqa: B018
    assert str(caught.value).endswith("Bookmark.tags is the GenericRelation to TaggedItem, use bookmark.tags")
    with pytest.raises(AttributeError) as caught:
        TaggedItem(tag="x").bookmark  # noqa: B018
    assert "use taggeditem.content_object" in str(caught.value)
    assert "TaggedItem.objects.filter(bookmark__pk=...)" in str(caught.value)


def test_select_related_refuses_generic_relations_naming_prefetch_related():
    with pytest.raises(FieldError) as caught:
        list(TaggedItem.objects.select_related("content_object"))
    assert str(caught.value).startswith(
        "Invalid field name(s) given in select_related: 'content_object'. Choices are: content_type."
    )
    assert "prefetch_related('content_object')" in str(caught.value)
    with pytest.raises(FieldError, match=r"Choices are: \(none\)\. 'tags' is many-valued"):
        list(Bookmark.objects.select_related("tags"))


def test_async_manager_methods(data):
    from asgiref.sync import async_to_sync  # as Django's test runner: back on this thread's connection

    django, _, _ = data

    async def scenario():
        tag = await django.tags.acreate(tag="async")
        await django.tags.aremove(tag)
        found, created = await django.tags.aget_or_create(tag="web")
        return await django.tags.acount(), created, found.tag

    assert async_to_sync(scenario)() == (2, False, "web")
