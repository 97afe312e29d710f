"""Field choices in every form Django takes, and the Choices enum types, compared with Django."""

import datetime
import enum

import pytest
from django.db import models as dm

from relata import exceptions, models
from relata.migrations.serializer import serialize
from relata.testing.pytest_plugin import use_models


def declare_enums(m):
    class Suit(m.IntegerChoices):
        DIAMOND = 1, "Diamond"
        SPADE = 2, "Spade"
        HEART = 3
        CLUB_ACE = 4

    class Vehicle(m.TextChoices):
        CAR = "C", "Carriage"
        TRUCK = "T"
        BIKE = enum.auto()
        __empty__ = "(Unknown)"

    class MoonLanding(datetime.date, m.Choices):
        APOLLO_11 = 1969, 7, 20, "Apollo 11 (Eagle)"
        APOLLO_12 = 1969, 11, 19

    return Suit, Vehicle, MoonLanding


Suit, Vehicle, MoonLanding = declare_enums(models)
DSuit, DVehicle, DMoonLanding = declare_enums(dm)


def shape(enum_class):
    return {
        "choices": enum_class.choices,
        "labels": enum_class.labels,
        "values": enum_class.values,
        "names": enum_class.names,
        "members": [(m.name, m.value, m.label, str(m), repr(m)) for m in enum_class],
    }


@pytest.mark.parametrize(("ours", "theirs"), [(Suit, DSuit), (Vehicle, DVehicle), (MoonLanding, DMoonLanding)])
def test_enum_types_match_django(ours, theirs):
    assert shape(ours) == shape(theirs)


def test_members_are_their_values():
    assert Suit.HEART == 3 and Suit(3) is Suit.HEART and 3 in Suit and 9 not in Suit
    assert Vehicle.CAR == "C" and "C" in Vehicle and Vehicle.BIKE == "BIKE"
    assert datetime.date(1969, 7, 20) == MoonLanding.APOLLO_11
    assert Suit.DIAMOND in Suit and Suit.HEART.do_not_call_in_templates is True
    with pytest.raises(ValueError, match="duplicate values"):

        class Twice(models.IntegerChoices):
            A = 1
            B = 1


WEIRD_CHOICES = [
    {"Group 1": {1: "First", 2: "Second"}, "Group 2": ((3, "Third"), (4, "Fourth")), 0: "Other"},
    iter([(1, "A"), (2, "B")]),
    [(1, "A"), ("G", [(2, "B"), (3, "C")])],
    {1: "A"},
    (),
]


@pytest.mark.parametrize("index", range(len(WEIRD_CHOICES)))
def test_choices_are_normalised_as_django_does(index):
    import copy

    def fresh():
        value = WEIRD_CHOICES[index]
        return iter([(1, "A"), (2, "B")]) if index == 1 else copy.deepcopy(value)

    assert models.IntegerField(choices=fresh()).choices == dm.IntegerField(choices=fresh()).choices
    ours, theirs = models.IntegerField(choices=fresh()), dm.IntegerField(choices=fresh())
    assert list(ours.flatchoices) == list(theirs.flatchoices)


def test_enum_and_callable_choices():
    assert models.IntegerField(choices=Suit).choices == Suit.choices
    calls = []

    def current():
        calls.append(1)
        return [(i, str(i)) for i in range(len(calls))]

    field = models.IntegerField(choices=current)
    assert list(field.choices) == [(0, "0")] and list(field.choices) == [(0, "0"), (1, "1")]
    assert field.choices == [(0, "0"), (1, "1"), (2, "2")]


class Card(models.Model):
    suit = models.IntegerField(choices=Suit, default=Suit.SPADE)
    vehicle = models.CharField(max_length=5, choices=Vehicle, blank=True, null=True)
    grouped = models.IntegerField(choices={"Low": {1: "one", 2: "two"}, "High": {9: "nine"}}, null=True)

    class Meta:
        app_label = "m_choices"


use_models(Card)


def test_display_validation_and_round_trip():
    card = Card.objects.create(suit=Suit.HEART, vehicle=Vehicle.CAR, grouped=9)
    loaded = Card.objects.get(pk=card.pk)
    assert loaded.suit == Suit.HEART and type(loaded.suit) is int  # stored as its value, read back plain
    assert loaded.get_suit_display() == "Heart" and loaded.get_vehicle_display() == "Carriage"
    assert loaded.get_grouped_display() == "nine"
    loaded.grouped = 5
    assert loaded.get_grouped_display() == 5  # not a choice: the value itself, as Django
    with pytest.raises(exceptions.ValidationError) as error:
        loaded.full_clean()
    assert "grouped" in error.value.message_dict


def test_get_choices_adds_a_blank_choice_unless_one_exists():
    suit = Card._meta.get_field("suit")
    assert suit.get_choices() == [("", "---------"), *Suit.choices]
    assert suit.get_choices(include_blank=False) == Suit.choices
    assert Card._meta.get_field("vehicle").get_choices()[0] == (None, "(Unknown)")


def test_choices_deconstruct_to_plain_pairs():
    _, _, _, kwargs = Card._meta.get_field("suit").deconstruct()
    assert kwargs["choices"] == [(1, "Diamond"), (2, "Spade"), (3, "Heart"), (4, "Club Ace")]
    text, _ = serialize(models.IntegerField(choices=iter([(1, "A")])))
    assert text == 'models.IntegerField(choices=[(1, "A")])'
