"""Generic relations compared with Django: the same rows, the same answers and query counts.

Django's twins live in the `contenttypes` app (the oracle's one installed app): a ContentType row
names its model through the installed apps, so a twin in an isolated registry could not be loaded
back through a GenericForeignKey.
"""

from __future__ import annotations

import importlib

import pytest

import oracle
from relata import models
from relata.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from relata.contrib.contenttypes.models import ContentType
from relata.testing import CaptureQueries
from relata.testing.pytest_plugin import use_models

APP = "ct_oracle"
# Imported once the oracle has configured Django (importing oracle does).
dj_fields = importlib.import_module("django.contrib.contenttypes.fields")
DjangoContentType = importlib.import_module("django.contrib.contenttypes.models").ContentType


def _meta(label, **extra):
    return type("Meta", (), {"app_label": label, **extra})


def make(m, gfk, relation, ct_model, label):
    class TaggedItem(m.Model):
        tag = m.SlugField()
        content_type = m.ForeignKey(ct_model, on_delete=m.CASCADE, related_name="+")
        object_id = m.PositiveIntegerField()
        content_object = gfk()
        Meta = _meta(label, ordering=["tag", "id"])

    class Bookmark(m.Model):
        url = m.CharField(max_length=100)
        tags = relation(TaggedItem, related_query_name="bookmark")
        Meta = _meta(label, ordering=["url"])

    class Note(m.Model):
        text = m.CharField(max_length=100)
        tags = relation(TaggedItem)
        Meta = _meta(label, ordering=["text"])

    return TaggedItem, Bookmark, Note


class R:
    TaggedItem, Bookmark, Note = make(models, GenericForeignKey, GenericRelation, ContentType, APP)
    Count = models.Count


class D:
    TaggedItem, Bookmark, Note = make(
        oracle.models, dj_fields.GenericForeignKey, dj_fields.GenericRelation, DjangoContentType, "contenttypes"
    )
    Count = oracle.models.Count


use_models(ContentType, R.TaggedItem, R.Bookmark, R.Note)
oracle.use_django_models(DjangoContentType, D.TaggedItem, D.Bookmark, D.Note)


@pytest.fixture(autouse=True)
def _fresh_content_type_caches():
    ContentType.objects.clear_cache()
    DjangoContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()
    DjangoContentType.objects.clear_cache()


def load(M):
    django = M.Bookmark.objects.create(url="django")
    python = M.Bookmark.objects.create(url="python")
    M.Bookmark.objects.create(url="untagged")
    note = M.Note.objects.create(id=django.pk, text="note")  # the same key as a bookmark
    for owner, tag in ((django, "web"), (django, "framework"), (python, "language"), (note, "web"), (note, "todo")):
        owner.tags.create(tag=tag)
    # Both sides start with every content type cached: the counts below are the ORM's own.
    M.Bookmark.tags.field.get_content_type()
    M.Note.tags.field.get_content_type()


def tag_names(items):
    return [(t.tag, type(t.content_object).__name__) for t in items]


SCENARIOS = {
    "filter_across": lambda M: [b.url for b in M.Bookmark.objects.filter(tags__tag="web")],
    "exclude_across": lambda M: [b.url for b in M.Bookmark.objects.exclude(tags__tag="web")],
    "isnull_across": lambda M: [b.url for b in M.Bookmark.objects.filter(tags__isnull=True)],
    "note_side": lambda M: [n.text for n in M.Note.objects.filter(tags__tag="todo")],
    "query_name": lambda M: [t.tag for t in M.TaggedItem.objects.filter(bookmark__url__startswith="p")],
    "query_name_isnull": lambda M: [t.tag for t in M.TaggedItem.objects.filter(bookmark__isnull=True)],
    "count": lambda M: list(M.Bookmark.objects.annotate(n=M.Count("tags")).order_by("url").values_list("url", "n")),
    "count_filtered": lambda M: list(
        M.Bookmark.objects.filter(tags__tag__in=["web", "language"])
        .annotate(n=M.Count("tags"))
        .order_by("url")
        .values_list("url", "n")
    ),
    "manager": lambda M: [(b.url, [t.tag for t in b.tags.all()], b.tags.count()) for b in M.Bookmark.objects.all()],
    "prefetch_relation": lambda M: [
        (b.url, [t.tag for t in b.tags.all()]) for b in M.Bookmark.objects.prefetch_related("tags")
    ],
    "prefetch_gfk": lambda M: tag_names(M.TaggedItem.objects.prefetch_related("content_object")),
    "prefetch_both": lambda M: [
        (t.tag, [x.tag for x in t.content_object.tags.all()])
        for t in M.TaggedItem.objects.prefetch_related("content_object", "content_object__tags")
    ],
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_same_answers_and_query_counts_as_django(name):
    load(R)
    load(D)
    scenario = SCENARIOS[name]
    with CaptureQueries() as ours:
        mine = scenario(R)
    with oracle.num_queries() as theirs:
        expected = scenario(D)
    assert mine == expected
    assert len(ours) == len(theirs), name


def test_cascade_deletion_as_django():
    load(R)
    load(D)
    results = []
    for M in (R, D):
        M.Bookmark.objects.get(url="django").delete()
        M.Note.objects.all().delete()
        results.append([t.tag for t in M.TaggedItem.objects.all()])
    assert results[0] == results[1] == ["language"]
