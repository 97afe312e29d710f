"""Manager.raw(): instances from the caller's SQL, as Django's RawQuerySet gives them, on every backend."""

import datetime
import decimal

import pytest

import relata
from relata import exceptions, models
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models


class Author(models.Model):
    first_name = models.CharField(max_length=30)
    last_name = models.CharField(max_length=30)
    dob = models.DateField()

    class Meta:
        app_label = "q_raw"


class Book(models.Model):
    title = models.CharField(max_length=30)
    author = models.ForeignKey(Author, models.CASCADE)
    price = models.DecimalField(max_digits=6, decimal_places=2, default=0, db_column="cost")

    class Meta:
        app_label = "q_raw"


use_models(Author, Book)


def table(model):
    return relata.connection.ops.quote_name(model._meta.db_table)


def col(name):
    return relata.connection.ops.quote_name(name)


@pytest.fixture
def authors():
    joe = Author.objects.create(first_name="Joe", last_name="Smith", dob=datetime.date(1950, 9, 20))
    jill = Author.objects.create(first_name="Jill", last_name="Doe", dob=datetime.date(1920, 4, 2))
    bob = Author.objects.create(first_name="Bob", last_name="Smith", dob=datetime.date(1986, 1, 25))
    Book.objects.create(title="a", author=joe, price=decimal.Decimal("12.50"))
    Book.objects.create(title="b", author=joe, price=decimal.Decimal("30.00"))
    Book.objects.create(title="c", author=bob)
    return joe, jill, bob


def test_rows_become_instances_with_converted_values(authors):
    found = list(Author.objects.raw(f"SELECT * FROM {table(Author)} ORDER BY {col('id')}"))
    assert [(a.pk, a.first_name, a.dob) for a in found] == [(a.pk, a.first_name, a.dob) for a in authors]
    assert all(type(a.dob) is datetime.date and a._state.db == "default" and not a._state.adding for a in found)


def test_params_in_both_styles_and_percent_signs(authors):
    sql = f"SELECT * FROM {table(Author)} WHERE {col('first_name')} = %s"
    assert [a.first_name for a in Author.objects.raw(sql, ["Jill"])] == ["Jill"]
    named = f"SELECT * FROM {table(Author)} WHERE {col('last_name')} = %(last)s ORDER BY {col('id')}"
    assert [a.first_name for a in Author.objects.raw(named, {"last": "Smith"})] == ["Joe", "Bob"]
    escaped = f"SELECT * FROM {table(Author)} WHERE {col('first_name')} LIKE 'J%%'"
    assert len(Author.objects.raw(escaped)) == 2
    literal = f"SELECT * FROM {table(Author)} WHERE {col('first_name')} LIKE 'J%'"
    assert len(Author.objects.raw(literal, params=None)) == 2


def test_decimal_and_date_parameters(authors):
    sql = f"SELECT * FROM {table(Book)} WHERE {col('cost')} >= %s ORDER BY {col('id')}"
    assert [b.title for b in Book.objects.raw(sql, (decimal.Decimal("20"),))] == ["b"]
    born = f"SELECT * FROM {table(Author)} WHERE {col('dob')} < %s"
    assert [a.first_name for a in Author.objects.raw(born, [datetime.date(1930, 1, 1)])] == ["Jill"]


def test_db_column_fields_and_foreign_keys(authors):
    book = next(iter(Book.objects.raw(f"SELECT * FROM {table(Book)} WHERE {col('title')} = %s", ["a"])))
    assert (book.price, book.author_id) == (decimal.Decimal("12.50"), authors[0].pk)
    with assert_num_queries(1):
        assert book.author.first_name == "Joe"


def test_missing_fields_load_on_access_and_extra_columns_are_attributes(authors):
    sql = f"SELECT {col('id')}, {col('first_name')}, 7 AS lucky FROM {table(Author)} WHERE {col('first_name')} = %s"
    (joe,) = Author.objects.raw(sql, ["Joe"])
    assert joe.lucky == 7
    assert joe.get_deferred_fields() == {"last_name", "dob"}
    with assert_num_queries(1):
        assert joe.last_name == "Smith"


def test_translations_map_result_columns_to_fields(authors):
    sql = f"SELECT {col('first_name')} AS first, {col('id')} AS ident FROM {table(Author)} ORDER BY {col('id')}"
    found = Author.objects.raw(sql, translations={"first": "first_name", "ident": "id", "unused": "x"})
    assert [(a.pk, a.first_name) for a in found] == [(a.pk, a.first_name) for a in authors]


def test_the_primary_key_is_required(authors):
    with pytest.raises(exceptions.FieldDoesNotExist, match="Raw query must include the primary key"):
        list(Author.objects.raw(f"SELECT {col('first_name')} FROM {table(Author)}"))


def test_results_are_cached_and_indexable(authors):
    raw = Author.objects.raw(f"SELECT * FROM {table(Author)} ORDER BY {col('id')}")
    with assert_num_queries(1):
        assert [a.pk for a in raw] == [a.pk for a in raw]
        assert raw[1].first_name == "Jill" and len(raw) == 3 and bool(raw)
    assert raw.columns == ["id", "first_name", "last_name", "dob"]
    assert set(raw.model_fields) == {"id", "first_name", "last_name", "dob"}


def test_prefetch_related_on_raw(authors):
    raw = Author.objects.raw(f"SELECT * FROM {table(Author)} ORDER BY {col('id')}").prefetch_related("book_set")
    with assert_num_queries(2):
        assert [len(a.book_set.all()) for a in raw] == [2, 0, 1]


def test_repr_shows_the_sql_with_its_values():
    raw = Author.objects.raw("SELECT * FROM q_raw_author WHERE last_name = %(last)s", {"last": "foo"})
    assert repr(raw) == "<RawQuerySet: SELECT * FROM q_raw_author WHERE last_name = foo>"
    assert repr(raw.query) == "<RawQuery: SELECT * FROM q_raw_author WHERE last_name = foo>"
    assert repr(models.RawQuerySet(raw_query="SELECT 1")) == "<RawQuerySet: SELECT 1>"


def test_a_value_never_enters_the_sql_text(authors):
    evil = "x' OR '1'='1"
    sql = f"SELECT * FROM {table(Author)} WHERE {col('first_name')} = %s"
    assert list(Author.objects.raw(sql, [evil])) == []
