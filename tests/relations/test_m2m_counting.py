"""count() and exists() on a many-to-many manager read the through table alone when that is safe.

As Django: a foreign key constraint guarantees every link reaches a target, so
the JOIN to the target table adds nothing; it stays when the target's manager
filters, when the database enforces no foreign keys, or when a link may be NULL.
"""

import pytest

import relata
from relata import models
from relata.testing import CaptureQueries
from relata.testing.pytest_plugin import use_models


class Tag(models.Model):
    name = models.CharField(max_length=20)
    hidden = models.BooleanField(default=False)

    class Meta:
        app_label = "r_m2m_count"


class VisibleTags(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(hidden=False)


class Label(models.Model):
    name = models.CharField(max_length=20)
    hidden = models.BooleanField(default=False)

    objects = VisibleTags()

    class Meta:
        app_label = "r_m2m_count"


class Post(models.Model):
    title = models.CharField(max_length=20)
    tags = models.ManyToManyField(Tag, related_name="posts")
    labels = models.ManyToManyField(Label, related_name="posts")

    class Meta:
        app_label = "r_m2m_count"


use_models(Tag, Label, Post)


@pytest.fixture
def post():
    post = Post.objects.create(title="p")
    post.tags.add(*(Tag.objects.create(name=n) for n in ("a", "b", "c")))
    post.labels.add(Label.objects.create(name="shown"), Label.objects.create(name="secret", hidden=True))
    return post


def one_query(action):
    with CaptureQueries() as queries:
        result = action()
    assert len(queries) == 1
    return result, queries[0]["sql"]


@pytest.mark.parametrize("side", ["forward", "reverse"])
def test_count_and_exists_without_a_join(post, side):
    manager = post.tags if side == "forward" else Tag.objects.get(name="a").posts
    expected = 3 if side == "forward" else 1
    count, sql = one_query(manager.count)
    assert count == expected and "JOIN" not in sql
    exists, sql = one_query(manager.exists)
    assert exists is True and "JOIN" not in sql
    assert Post.objects.create(title="empty").tags.count() == 0


def test_a_filtering_target_manager_keeps_the_join(post):
    count, sql = one_query(post.labels.count)
    assert count == 1 and "JOIN" in sql


def test_without_enforced_foreign_keys_the_join_stays(post, monkeypatch):
    monkeypatch.setattr(relata.connection.features, "supports_foreign_keys", False)
    count, sql = one_query(post.tags.count)
    assert count == 3 and "JOIN" in sql


def test_a_filtered_manager_queryset_is_not_shortcut(post):
    assert post.tags.filter(name="a").count() == 1
    assert post.tags.exclude(name="a").exists() is True


def test_prefetched_counts_run_no_query(post):
    loaded = Post.objects.prefetch_related("tags").get(pk=post.pk)
    with CaptureQueries() as queries:
        assert loaded.tags.count() == 3
        assert loaded.tags.exists()
    assert len(queries) == 0
