"""distinct(*fields): DISTINCT ON on PostgreSQL, NotSupportedError elsewhere (when evaluated, as Django).

PostgreSQL keeps the first row of each group in ORDER BY order, so the ordering
must start with the distinct fields; relata says so before the database does.
"""

import pytest

import oracle
import relata
from relata import exceptions, models
from relata.testing.pytest_plugin import use_models

dm = oracle.models


class Writer(models.Model):
    name = models.CharField(max_length=20)

    class Meta:
        app_label = "q_distinct_on"


class Post(models.Model):
    writer = models.ForeignKey(Writer, models.CASCADE)
    topic = models.CharField(max_length=20)
    score = models.IntegerField()

    class Meta:
        app_label = "q_distinct_on"
        ordering = ["-id"]


class dj:
    class Writer(dm.Model):
        name = dm.CharField(max_length=20)

        class Meta(oracle.Meta("q_distinct_on")):
            pass

    class Post(dm.Model):
        writer = dm.ForeignKey("Writer", dm.CASCADE)
        topic = dm.CharField(max_length=20)
        score = dm.IntegerField()

        class Meta(oracle.Meta("q_distinct_on")):
            ordering = ["-id"]


use_models(Writer, Post)
oracle.use_django_models(dj.Writer, dj.Post)


@pytest.fixture
def supports():
    if not relata.connection.features.supports_distinct_on:
        pytest.skip("no DISTINCT ON here: see test_distinct_on_is_refused_when_evaluated_as_in_django")


@pytest.fixture
def refuses():
    if relata.connection.features.supports_distinct_on:
        pytest.skip("this database has DISTINCT ON")


@pytest.fixture
def posts():
    for side in (models, dm):
        writer_model, post_model = (Writer, Post) if side is models else (dj.Writer, dj.Post)
        ann, bob = writer_model.objects.create(name="ann"), writer_model.objects.create(name="bob")
        for writer, topic, score in [(ann, "db", 3), (ann, "db", 7), (ann, "web", 5), (bob, "db", 1), (bob, "web", 9)]:
            post_model.objects.create(writer=writer, topic=topic, score=score)


def test_best_post_per_topic(supports, posts):
    rows = Post.objects.order_by("topic", "-score").distinct("topic").values_list("topic", "score")
    assert list(rows) == [("db", 7), ("web", 9)]


def test_distinct_on_several_fields_and_across_a_relation(supports, posts):
    rows = Post.objects.order_by("writer__name", "topic", "score").distinct("writer__name", "topic")
    assert [(p.writer.name, p.topic, p.score) for p in rows] == [
        ("ann", "db", 3),
        ("ann", "web", 5),
        ("bob", "db", 1),
        ("bob", "web", 9),
    ]
    # The distinct fields may come in another order within the leading ORDER BY items.
    assert Post.objects.order_by("topic", "writer__name").distinct("writer__name", "topic").count() == 4


def test_distinct_on_a_foreign_key_reads_its_column(supports, posts):
    rows = Post.objects.order_by("writer", "-score").distinct("writer").values_list("writer__name", "score")
    assert list(rows) == [("ann", 7), ("bob", 9)]


def test_count_and_exists_keep_distinct_on(supports, posts):
    assert Post.objects.order_by("topic").distinct("topic").count() == 2
    assert Post.objects.distinct("writer", "topic").order_by("writer", "topic").exists()


def test_an_ordering_that_does_not_start_with_the_distinct_fields_is_explained(supports, posts):
    with pytest.raises(exceptions.ProgrammingError, match=r"distinct\('topic'\) needs an ordering that starts"):
        list(Post.objects.order_by("score").distinct("topic"))
    # Meta.ordering (-id) counts when order_by() is not called, as in Django.
    with pytest.raises(exceptions.ProgrammingError, match=r"order_by\('topic', \.\.\.\)"):
        list(Post.objects.distinct("topic"))


def test_distinct_on_is_refused_when_evaluated_as_in_django(refuses, posts):
    qs = Post.objects.order_by("topic").distinct("topic")  # no error yet: Django raises on evaluation too
    with pytest.raises(exceptions.NotSupportedError) as error:
        list(qs)
    django_error = oracle.error_of(list, dj.Post.objects.order_by("topic").distinct("topic"))
    assert str(error.value).startswith(str(django_error))
    assert "needs PostgreSQL" in str(error.value)
    with pytest.raises(exceptions.NotSupportedError):
        qs.count()


def test_plain_distinct_still_works(posts):
    rows = list(Post.objects.order_by("topic").values_list("topic", flat=True).distinct())
    assert rows == list(dj.Post.objects.order_by("topic").values_list("topic", flat=True).distinct()) == ["db", "web"]


def test_distinct_fields_after_slicing_is_refused():
    with pytest.raises(TypeError) as error:
        Post.objects.all()[:1].distinct("topic")
    assert str(error.value) == str(oracle.error_of(lambda: dj.Post.objects.all()[:1].distinct("topic")))
