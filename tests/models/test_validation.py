"""full_clean(): field validation, blank/null/choices, validators, uniqueness — compared with Django."""

import datetime
import decimal

import pytest

import oracle
from relata import exceptions, models
from relata.testing.pytest_plugin import use_models

dm = oracle.models


def odd_check(value):
    if value % 2:
        raise exceptions.ValidationError("%(value)s is odd.", code="odd", params={"value": value})


def django_odd_check(value):
    from django.core.exceptions import ValidationError

    if value % 2:
        raise ValidationError("%(value)s is odd.", code="odd", params={"value": value})


def declare(m, base, check):
    class Entry(m.Model):
        title = m.CharField(max_length=10)
        subtitle = m.CharField(max_length=10, blank=True)
        size = m.CharField(max_length=1, choices=[("S", "Small"), ("L", "Large")], blank=True)
        count = m.IntegerField(default=0, validators=[check])
        small = m.SmallIntegerField(default=0)
        price = m.DecimalField(max_digits=5, decimal_places=2, default=0)
        email = m.EmailField(blank=True)
        slug = m.SlugField(blank=True)
        day = m.DateField(null=True, blank=True)
        moment = m.DateTimeField(null=True, blank=True)
        code = m.CharField(max_length=5, unique=True, null=True, blank=True)
        hidden = m.CharField(max_length=3, editable=False, default="")

        class Meta(base):
            app_label = "m_valid"
            unique_together = [("title", "subtitle")]

    return Entry


Entry = declare(models, object, odd_check)
DEntry = declare(dm, oracle.Meta("m_valid"), django_odd_check)

use_models(Entry)
oracle.use_django_models(DEntry)


def errors_of(obj):
    with pytest.raises(Exception) as info:
        obj.full_clean()
    assert type(info.value).__name__ == "ValidationError"
    return info.value.message_dict


CASES = [
    {"title": "x" * 11},
    {"title": ""},
    {"title": "ok", "size": "M"},
    {"title": "ok", "count": 3},
    {"title": "ok", "price": decimal.Decimal("1234.5")},
    {"title": "ok", "price": decimal.Decimal("1.234")},
    {"title": "ok", "email": "not-an-email"},
    {"title": "ok", "slug": "has space"},
    {"title": "ok", "count": "abc"},
    {"title": "ok", "day": "2024-13-01"},
    {"title": "ok", "day": "01/02/2024"},
    {"title": "ok", "moment": "2024-01-01 25:00"},
    {"title": "ok", "moment": "2024-02-30"},
    {"title": "ok", "moment": "yesterday"},
    {"title": "", "count": 5, "size": "Q", "hidden": "toolong"},
]


@pytest.mark.parametrize("values", CASES, ids=[str(sorted(c)) for c in CASES])
def test_full_clean_messages_match_django(values):
    assert errors_of(Entry(**values)) == errors_of(DEntry(**values))


def test_charfield_too_long_names_field_and_limit():
    errors = errors_of(Entry(title="x" * 11))
    assert errors == {"title": ["Ensure this value has at most 10 characters (it has 11)."]}


def test_integer_range_is_checked_on_every_backend():
    # Django checks the column's range where the database has one (PostgreSQL, MySQL);
    # relata checks the portable range everywhere, with Django's message.
    errors = errors_of(Entry(title="ok", small=40000))
    assert errors == {"small": ["Ensure this value is less than or equal to 32767."]}


def test_valid_instance_passes_and_converts_values():
    entry = Entry(title="ok", count="4", day="2024-01-02", price="1.5")
    entry.full_clean()
    assert (entry.count, entry.day, entry.price) == (4, datetime.date(2024, 1, 2), decimal.Decimal("1.5"))


def test_exclude_skips_fields():
    Entry(title="x" * 11).full_clean(exclude=["title"])


def test_unique_and_unique_together_checked_against_the_database():
    Entry.objects.create(title="a", subtitle="b", code="c1")
    DEntry.objects.create(title="a", subtitle="b", code="c1")
    values = {"title": "a", "subtitle": "b", "code": "c1"}
    ours = errors_of(Entry(**values))
    assert ours == errors_of(DEntry(**values))
    assert ours == {
        "code": ["Entry with this Code already exists."],
        "__all__": ["Entry with this Title and Subtitle already exists."],
    }


def test_saved_instance_does_not_clash_with_itself():
    entry = Entry.objects.create(title="a", code="c1")
    entry.full_clean()


def test_validate_unique_false_skips_the_query():
    Entry.objects.create(title="a", code="c1")
    Entry(title="b", code="c1").full_clean(validate_unique=False)


def test_clean_hook_errors_go_to_all():
    class Checked(models.Model):
        low = models.IntegerField()
        high = models.IntegerField()

        class Meta:
            app_label = "m_valid"

        def clean(self):
            if self.low > self.high:
                raise exceptions.ValidationError("low must not exceed high.")

    with pytest.raises(exceptions.ValidationError) as info:
        Checked(low=2, high=1).full_clean(validate_unique=False)
    assert info.value.message_dict == {"__all__": ["low must not exceed high."]}


def test_save_does_not_validate_but_the_database_still_refuses_null():
    with pytest.raises(exceptions.IntegrityError):
        Entry.objects.create(title=None)
    assert Entry.objects.count() == 0


def test_validation_error_shapes():
    single = exceptions.ValidationError("bad %(x)s", code="c", params={"x": 1})
    assert single.messages == ["bad 1"] and single.code == "c"
    listed = exceptions.ValidationError(["a", exceptions.ValidationError("b")])
    assert listed.messages == ["a", "b"]
    mapped = exceptions.ValidationError({"f": ["a"], "g": "b"})
    assert mapped.message_dict == {"f": ["a"], "g": ["b"]}
    assert str(mapped) == "{'f': ['a'], 'g': ['b']}"


def test_decimal_messages_agree_with_the_number():
    from relata.models.validators import DecimalValidator

    one_place = models.DecimalField(max_digits=5, decimal_places=1)
    with pytest.raises(exceptions.ValidationError, match=r"no more than 1 decimal place\.']$"):
        one_place.clean(decimal.Decimal("0.99"), None)
    two_digits = models.DecimalField(max_digits=2, decimal_places=0)
    with pytest.raises(exceptions.ValidationError, match="no more than 2 digits in total"):
        two_digits.clean(100, None)
    assert DecimalValidator.messages["max_whole_digits"] % {"max": 1} == (
        "Ensure that there are no more than 1 digit before the decimal point."
    )
