"""Rows loaded through a narrowed queryset carry the object they were narrowed to.

Reverse managers narrow once (one known relation, cached by the loader);
a queryset narrowed twice caches both, through the general path.
"""

from relata import models
from relata.models.fields.related_managers import narrow_to_instance
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models


class Person(models.Model):
    name = models.CharField(max_length=20)

    class Meta:
        app_label = "rel_known"


class Paper(models.Model):
    title = models.CharField(max_length=20)
    writer = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="written")
    reviewer = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reviewed")

    class Meta:
        app_label = "rel_known"


use_models(Person, Paper)


def test_twice_narrowed_rows_carry_both_objects():
    ann, bob = Person.objects.create(name="Ann"), Person.objects.create(name="Bob")
    Paper.objects.create(title="p1", writer=ann, reviewer=bob)
    Paper.objects.create(title="p2", writer=ann, reviewer=ann)
    queryset = narrow_to_instance(ann.written.all(), Paper._meta.get_field("reviewer"), bob)
    with assert_num_queries(1):
        (paper,) = list(queryset)
    with assert_num_queries(0):
        assert paper.title == "p1"
        assert paper.writer is ann
        assert paper.reviewer is bob


def test_reverse_manager_rows_carry_the_owner_and_only_it():
    ann, bob = Person.objects.create(name="Ann"), Person.objects.create(name="Bob")
    Paper.objects.create(title="p1", writer=ann, reviewer=bob)
    (paper,) = list(ann.written.all())
    with assert_num_queries(0):
        assert paper.writer is ann
    with assert_num_queries(1):
        assert paper.reviewer == bob


def test_combined_querysets_keep_the_objects_each_side_knows():
    ann, bob = Person.objects.create(name="Ann"), Person.objects.create(name="Bob")
    Paper.objects.create(title="p1", writer=ann, reviewer=bob)
    Paper.objects.create(title="p2", writer=bob, reviewer=ann)
    with assert_num_queries(1):
        papers = list(ann.written.all() | bob.written.all())
        assert {paper.writer.name for paper in papers} == {"Ann", "Bob"}
        assert all(
            paper.writer in (ann, bob) and paper.writer is (ann if paper.title == "p1" else bob) for paper in papers
        )
    with assert_num_queries(1):
        (paper,) = list(ann.written.all() & bob.reviewed.all())
        assert paper.writer is ann and paper.reviewer is bob
    with assert_num_queries(1):
        (paper,) = list(ann.written.all() ^ bob.written.all().filter(title="nothing"))
        assert paper.writer is ann


def test_a_side_without_known_objects_loads_them():
    ann, bob = Person.objects.create(name="Ann"), Person.objects.create(name="Bob")
    Paper.objects.create(title="p1", writer=ann, reviewer=bob)
    Paper.objects.create(title="p2", writer=bob, reviewer=ann)
    with assert_num_queries(2):
        writers = {paper.writer.name for paper in ann.written.all() | Paper.objects.filter(title="p2")}
    assert writers == {"Ann", "Bob"}
