"""Text functions on every backend, compared with Django where the databases agree.

Lengths, positions, counts and pad strings travel as parameters: each shape runs
with two values, so a cached compilation that kept the first call's would show.
"""

from __future__ import annotations

import hashlib

import pytest
from function_models import Dj, R, functions, same

import oracle
from relata import connection
from relata.exceptions import FieldError
from relata.models.functions import MD5, SHA1, SHA224, SHA256, SHA384, SHA512, Concat, Left, Lower, LPad, Repeat, Substr
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

use_models(R.Person, R.Number, R.Moment)
oracle.use_django_models(Dj.Person, Dj.Number, Dj.Moment)

for _side in (R, Dj):
    for _name in ("Lower", "Upper", "Length", "Reverse", "Trim", "MD5", "Ord"):
        _side.Name.register_lookup(getattr(functions(_side), _name))

PEOPLE = [(1, "John Smith", "smithj", "A writer.", 40), (2, "Rhonda", None, None, 30), (3, "  Elodie ", "", "", None)]


@pytest.fixture(autouse=True)
def rows(_relata_clean_rows, _django_clean_rows):
    for side in (R, Dj):
        for ident, name, alias, bio, age in PEOPLE:
            side.Person.objects.create(id=ident, name=name, alias=alias, bio=bio, age=age)


@pytest.fixture
def pgcrypto():
    """SHA-1 on PostgreSQL is pgcrypto's DIGEST (as in Django)."""
    if connection.vendor == "postgresql":
        connection.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")


def annotated(side, **expressions):
    rows = side.Person.objects.annotate(**expressions).order_by("id")
    return [tuple(getattr(row, name) for name in expressions) for row in rows]


@pytest.mark.parametrize("name", ["Lower", "Upper", "Length", "Reverse", "Trim", "LTrim", "RTrim"])
def test_one_argument_text_functions(name):
    same(lambda side, fn: annotated(side, n=getattr(fn, name)("name"), a=getattr(fn, name)("alias")))


def test_ord_and_chr_round_trip():
    same(lambda side, fn: annotated(side, o=fn.Ord("name"), c=fn.Chr(fn.Ord("name"))))
    same(lambda side, fn: annotated(side, c=fn.Chr(233)))


@pytest.mark.parametrize("length", [1, 4])
def test_left_right_carry_their_length(length):
    same(lambda side, fn: annotated(side, left=fn.Left("name", length), right=fn.Right("name", length)))


def test_right_of_a_zero_length_expression_is_empty():
    same(lambda side, fn: annotated(side, right=fn.Right("name", fn.Length("alias"))))


@pytest.mark.parametrize(("length", "fill"), [(8, "*"), (3, "ab")])
def test_pads_carry_length_and_fill(length, fill):
    same(lambda side, fn: annotated(side, lp=fn.LPad("name", length, side.m.Value(fill)), rp=fn.RPad("alias", length)))


@pytest.mark.parametrize("count", [0, 3])
def test_repeat_replace_and_strindex(count):
    same(lambda side, fn: annotated(side, r=fn.Repeat("alias", count)))
    same(lambda side, fn: annotated(side, r=fn.Replace("name", side.m.Value("h"), side.m.Value("H" * (count + 1)))))
    same(lambda side, fn: annotated(side, r=fn.Replace("name", side.m.Value("o"))))
    same(lambda side, fn: annotated(side, i=fn.StrIndex("name", side.m.Value("o" * max(count, 1)))))


@pytest.mark.parametrize(("pos", "length"), [(1, None), (2, 3)])
def test_substr_carries_position_and_length(pos, length):
    same(lambda side, fn: annotated(side, s=fn.Substr("name", pos, length)))


def test_concat_counts_null_parts_as_empty_and_types_its_output():
    same(lambda side, fn: annotated(side, c=fn.Concat("alias", side.m.Value(" ("), "alias", side.m.Value(")"))))
    same(lambda side, fn: annotated(side, c=fn.ConcatPair("alias", "bio", output_field=side.m.TextField())))
    # A CharField joined with a TextField has no one type: Django asks for output_field, and so does relata.
    error = oracle.error_of(list, Dj.Person.objects.annotate(c=functions(Dj).Concat("alias", "bio")))
    with pytest.raises(FieldError, match="mixed types: CharField, TextField"):
        list(R.Person.objects.annotate(c=Concat("alias", "bio")))
    assert "mixed types: CharField, TextField" in str(error)
    row = R.Person.objects.annotate(c=Concat("name", "bio", output_field=R.m.TextField())).get(id=1)
    assert row.c == "John SmithA writer."


def test_hashes_match_pythons(pgcrypto):
    rows = R.Person.objects.annotate(
        md5=MD5("name"),
        sha1=SHA1("name"),
        sha224=SHA224("name"),
        sha256=SHA256("name"),
        sha384=SHA384("name"),
        sha512=SHA512("name"),
    ).order_by("id")
    for row in rows:
        encoded = row.name.encode()
        assert row.md5 == hashlib.md5(encoded).hexdigest()
        assert row.sha1 == hashlib.sha1(encoded).hexdigest()
        assert row.sha224 == hashlib.sha224(encoded).hexdigest()
        assert row.sha256 == hashlib.sha256(encoded).hexdigest()
        assert row.sha384 == hashlib.sha384(encoded).hexdigest()
        assert row.sha512 == hashlib.sha512(encoded).hexdigest()
    assert R.Person.objects.annotate(h=MD5("alias")).get(id=2).h is None


@pytest.mark.parametrize("bound", [6, 9])
def test_registered_transforms_in_filter_exclude_and_values(bound):
    same(lambda side, fn: sorted(side.Person.objects.filter(name__length__gt=bound).values_list("id", flat=True)))
    same(
        lambda side, fn: sorted(
            side.Person.objects.exclude(name__reverse__length__gt=bound).values_list("id", flat=True)
        )
    )
    same(lambda side, fn: list(side.Person.objects.filter(name__lower="rhonda").values_list("id", flat=True)))
    same(
        lambda side, fn: list(
            side.Person.objects.filter(name__trim__upper__startswith="EL").values_list("id", flat=True)
        )
    )
    same(lambda side, fn: list(side.Person.objects.filter(name__ord=82).values_list("id", flat=True)))


def test_order_by_and_update_with_text_functions():
    same(lambda side, fn: list(side.Person.objects.order_by(fn.Length("name"), "id").values_list("id", flat=True)))

    def update(side, fn):
        count = side.Person.objects.filter(alias__isnull=False).update(alias=fn.Upper(fn.Left("name", 3)))
        return count, list(side.Person.objects.order_by("id").values_list("alias", flat=True))

    same(update)
    with assert_num_queries(1):
        R.Person.objects.update(alias=Lower("name"))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Left("name", 0), "'length' must be greater than 0."),
        (lambda: LPad("name", -1), "'length' must be greater or equal to 0."),
        (lambda: Repeat("name", -2), "'number' must be greater or equal to 0."),
        (lambda: Substr("name", 0), "'pos' must be greater than 0"),
        (lambda: Concat("name"), "Concat must take at least two expressions"),
    ],
)
def test_bad_arguments_are_refused_in_djangos_words(build, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        build()


def test_unregistered_transform_is_refused():
    with pytest.raises(FieldError, match="Unsupported lookup 'md5x'"):
        list(R.Person.objects.filter(name__md5x="a"))


def test_concat_pair_coalesce_wraps_each_part_and_leaves_the_original():
    from relata.models.functions import ConcatPair

    pair = ConcatPair("alias", "bio", output_field=R.m.TextField())
    wrapped = pair.coalesce()
    assert len(list(pair.flatten())) == 3 and len(list(wrapped.flatten())) == 7
    rows = R.Person.objects.annotate(c=wrapped).order_by("id").values_list("c", flat=True)
    assert list(rows) == ["smithjA writer.", "", ""]
