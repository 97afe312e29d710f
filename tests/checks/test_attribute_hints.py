"""A missing reverse accessor explains itself: renamed by related_name, or hidden by '+'."""

from __future__ import annotations

import pytest

from relata import models


class Author(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        app_label = "hint_renamed"


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")

    class Meta:
        app_label = "hint_renamed"


class Writer(models.Model):
    class Meta:
        app_label = "hint_hidden"


class Essay(models.Model):
    writer = models.ForeignKey(Writer, on_delete=models.CASCADE, related_name="+")

    class Meta:
        app_label = "hint_hidden"


def test_renamed_accessor_is_named_in_the_message():
    with pytest.raises(AttributeError) as caught:
        Author(name="x").book_set  # noqa: B018
    assert str(caught.value) == (
        "'Author' object has no attribute 'book_set'; Book.author sets related_name='books', use author.books"
    )


def test_hidden_accessor_keeps_the_plain_message_and_adds_a_note():
    with pytest.raises(AttributeError) as caught:
        Writer().essay_set  # noqa: B018
    assert str(caught.value) == "'Writer' object has no attribute 'essay_set'"
    (note,) = caught.value.__notes__
    assert "Essay.writer sets related_name='+'" in note
    assert "Essay.objects.filter(writer=writer)" in note


def test_other_missing_attributes_are_plain_attribute_errors():
    with pytest.raises(AttributeError) as caught:
        Author().nothing_here  # noqa: B018
    assert str(caught.value) == "'Author' object has no attribute 'nothing_here'"
    assert not getattr(caught.value, "__notes__", None)
    assert not hasattr(Author(), "_private_thing")
