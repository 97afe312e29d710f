"""get_choices() on a relation and on its reverse side: (key, str(row)) of the rows it may point at,
limited by limit_choices_to and sorted by `ordering` or Meta.ordering, as Django's forms list them."""

import pytest

from relata import models
from relata.testing.pytest_plugin import use_models


class Shelf(models.Model):
    label = models.CharField(max_length=10, unique=True)
    floor = models.IntegerField()

    class Meta:
        app_label = "rel_choices"
        ordering = ["-floor"]

    def __str__(self):
        return self.label


class Box(models.Model):
    shelf = models.ForeignKey(Shelf, models.CASCADE, to_field="label")
    upstairs = models.ForeignKey(
        Shelf, models.CASCADE, to_field="label", limit_choices_to={"floor__gte": 1}, null=True, related_name="+"
    )
    size = models.IntegerField()

    class Meta:
        app_label = "rel_choices"

    def __str__(self):
        return f"box {self.size}"


use_models(Shelf, Box)


@pytest.fixture
def shelves():
    ground = Shelf.objects.create(label="ground", floor=0)
    first = Shelf.objects.create(label="first", floor=1)
    second = Shelf.objects.create(label="second", floor=2)
    Box.objects.create(shelf=first, size=3)
    Box.objects.create(shelf=second, size=1)
    return ground, first, second


def test_forward_choices_use_the_target_field_and_the_limit(shelves):
    field = Box._meta.get_field("upstairs")
    assert field.get_choices(include_blank=False) == [("second", "second"), ("first", "first")]
    assert field.get_choices(include_blank=False, ordering=("floor",))[0] == ("first", "first")
    downstairs = field.get_choices(include_blank=False, limit_choices_to={"floor__lte": 0})
    assert downstairs == [("ground", "ground")]
    assert field.get_choices()[0] == ("", "---------")
    assert len(Box._meta.get_field("shelf").get_choices(include_blank=False)) == 3


def test_reverse_choices_list_the_related_rows(shelves):
    rel = Box._meta.get_field("shelf").remote_field
    boxes = {b.size: b.pk for b in Box.objects.all()}
    assert rel.get_choices(include_blank=False, ordering=("size",)) == [(boxes[1], "box 1"), (boxes[3], "box 3")]
    assert rel.get_choices(include_blank=False, limit_choices_to={"size": 3}) == [(boxes[3], "box 3")]


def test_a_bad_first_argument_is_named_as_django_names_it():
    with pytest.raises(TypeError, match=r"^ForeignKey\(1\) is invalid\. First parameter to ForeignKey must be"):
        models.ForeignKey(1, models.CASCADE)
    with pytest.raises(TypeError, match=r"^ManyToManyField\(1\) is invalid\. First parameter"):
        models.ManyToManyField(1)
