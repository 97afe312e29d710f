"""Meta.order_with_respect_to and bulk_update() on a filtered queryset, as Django does them."""

import datetime
import decimal

import pytest

from relata import models
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models


class Question(models.Model):
    text = models.CharField(max_length=50)

    class Meta:
        app_label = "m_order_wrt"


class Answer(models.Model):
    text = models.CharField(max_length=50)
    question = models.ForeignKey(Question, models.CASCADE)

    class Meta:
        app_label = "m_order_wrt"
        order_with_respect_to = "question"


class Post(models.Model):
    title = models.CharField(max_length=50)
    parent = models.ForeignKey("self", models.SET_NULL, related_name="children", null=True)

    class Meta:
        app_label = "m_order_wrt"
        order_with_respect_to = "parent"


class Entry(models.Model):
    name = models.CharField(max_length=20)
    price = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    day = models.DateField(null=True)
    question = models.ForeignKey(Question, models.SET_NULL, null=True)

    class Meta:
        app_label = "m_order_wrt"


use_models(Question, Answer, Post, Entry)


def answers(question):
    return [Answer.objects.get(pk=pk).text for pk in question.get_answer_order()]


def test_new_rows_go_after_their_siblings_and_are_read_in_that_order():
    q1, q2 = Question.objects.create(text="q1"), Question.objects.create(text="q2")
    for text in ("John", "Paul"):
        Answer.objects.create(text=text, question=q1)
    Answer.objects.create(text="other", question=q2)
    Answer.objects.create(text="George", question=q1)
    assert [a._order for a in Answer.objects.filter(question=q1)] == [0, 1, 2]
    assert Answer.objects.get(text="other")._order == 0
    assert [a.text for a in q1.answer_set.all()] == ["John", "Paul", "George"]
    assert Answer._meta.order_with_respect_to is Answer._meta.get_field("question")
    assert Answer._meta.ordering == ["_order"]


def test_set_order_reorders_and_ignores_other_owners_rows():
    q1, q2 = Question.objects.create(text="q1"), Question.objects.create(text="q2")
    john, paul = (Answer.objects.create(text=t, question=q1) for t in ("John", "Paul"))
    stranger = Answer.objects.create(text="stranger", question=q2)
    with assert_num_queries(1):
        q1.set_answer_order([paul.pk, john.pk, stranger.pk])
    assert answers(q1) == ["Paul", "John"]
    assert Answer.objects.get(pk=stranger.pk)._order == 0


def test_next_and_previous_in_order():
    q = Question.objects.create(text="q")
    first, second, third = (Answer.objects.create(text=t, question=q) for t in ("a", "b", "c"))
    assert second.get_next_in_order() == third
    assert second.get_previous_in_order() == first
    with pytest.raises(Answer.DoesNotExist):
        third.get_next_in_order()


def test_self_referencing_order():
    root = Post.objects.create(title="root")
    kids = [Post.objects.create(title=f"k{i}", parent=root) for i in range(3)]
    assert list(root.get_post_order()) == [k.pk for k in kids]
    root.set_post_order([kids[2].pk, kids[0].pk, kids[1].pk])
    assert [p.title for p in root.children.all()] == ["k2", "k0", "k1"]


def test_bulk_update_on_a_filtered_queryset_changes_only_matching_rows():
    q = Question.objects.create(text="q")
    inside = Entry.objects.create(name="in", question=q)
    outside = Entry.objects.create(name="out")
    inside.price, outside.price = decimal.Decimal("1.25"), decimal.Decimal("9.99")
    inside.day = outside.day = datetime.date(2024, 2, 29)
    inside.question = None
    changed = Entry.objects.filter(name="in").bulk_update([inside, outside], ["price", "day", "question"])
    assert changed == 1
    fresh_in, fresh_out = Entry.objects.get(pk=inside.pk), Entry.objects.get(pk=outside.pk)
    assert (fresh_in.price, fresh_in.day, fresh_in.question_id) == (decimal.Decimal("1.25"), inside.day, None)
    assert (fresh_out.price, fresh_out.day) == (decimal.Decimal("0.00"), None)


def test_bulk_update_on_a_filtered_queryset_matches_the_plain_one():
    rows = [Entry.objects.create(name=f"e{i}") for i in range(5)]
    for i, row in enumerate(rows):
        row.price = decimal.Decimal(i) / 4
        row.name = f"n{i}"
    Entry.objects.filter(pk__in=[r.pk for r in rows]).bulk_update(rows[:3], ["price", "name"], batch_size=2)
    Entry.objects.bulk_update(rows[3:], ["price", "name"])
    assert [(e.name, e.price) for e in Entry.objects.order_by("pk")] == [(r.name, r.price) for r in rows]
