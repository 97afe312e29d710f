"""select_related: forward FK and one-to-one (both directions) loaded in the same query.

Nullable relations are LEFT OUTER joins, so rows without the related object
stay; a relation loaded this way answers from the cache (no query), including
"there is none".
"""

import pytest

from relata import exceptions, models
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

APP = "rel_selrel"


class Country(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        app_label = APP


class Author(models.Model):
    name = models.CharField(max_length=50)
    country = models.ForeignKey(Country, on_delete=models.CASCADE)
    mentor = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, related_name="pupils")

    class Meta:
        app_label = APP


class Book(models.Model):
    title = models.CharField(max_length=50)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    editor = models.ForeignKey(Author, on_delete=models.SET_NULL, null=True, related_name="edited")

    class Meta:
        app_label = APP
        ordering = ["title"]


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    stars = models.IntegerField()

    class Meta:
        app_label = APP
        ordering = ["stars"]


class Place(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        app_label = APP
        ordering = ["name"]


class Restaurant(models.Model):
    place = models.OneToOneField(Place, on_delete=models.CASCADE)
    chef = models.ForeignKey(Author, on_delete=models.SET_NULL, null=True)

    class Meta:
        app_label = APP


use_models(Country, Author, Book, Review, Place, Restaurant)


@pytest.fixture
def data():
    land = Country.objects.create(name="Land")
    alex = Author.objects.create(name="Alex", country=land)
    sam = Author.objects.create(name="Sam", country=land, mentor=alex)
    first = Book.objects.create(title="A", author=alex, editor=sam)
    second = Book.objects.create(title="B", author=sam)
    Review.objects.create(book=first, stars=5)
    Review.objects.create(book=second, stars=3)
    return alex, sam


def test_forward_fk_in_one_query(data):
    with assert_num_queries(1):
        books = list(Book.objects.select_related("author"))
        assert [(b.title, b.author.name) for b in books] == [("A", "Alex"), ("B", "Sam")]


def test_nullable_is_left_join_and_none_is_cached(data):
    with assert_num_queries(1):
        books = list(Book.objects.select_related("editor"))
        assert [(b.title, b.editor and b.editor.name) for b in books] == [("A", "Sam"), ("B", None)]


def test_multi_level(data):
    with assert_num_queries(1):
        reviews = list(Review.objects.select_related("book__author__country"))
        assert [r.book.author.country.name for r in reviews] == ["Land", "Land"]
        assert [r.book.author.name for r in reviews] == ["Sam", "Alex"]


def test_multi_level_through_a_nullable_relation_stays_left_joined(data):
    with assert_num_queries(1):
        books = list(Book.objects.select_related("editor__country", "author__mentor"))
        assert books[0].editor.country.name == "Land"
        assert books[1].editor is None
        assert books[0].author.mentor is None
        assert books[1].author.mentor.name == "Alex"


def test_self_relation_two_levels(data):
    carl = Author.objects.create(name="Carl", country=Country.objects.get(), mentor=data[1])
    with assert_num_queries(1):
        loaded = Author.objects.select_related("mentor__mentor").get(pk=carl.pk)
        assert loaded.mentor.name == "Sam"
        assert loaded.mentor.mentor.name == "Alex"
        assert loaded.mentor.mentor.mentor_id is None


def test_no_arguments_follows_non_null_foreign_keys(data):
    with assert_num_queries(1):
        reviews = list(Review.objects.select_related())
        assert reviews[0].book.author.country.name == "Land"
    with assert_num_queries(1):
        assert reviews[1].book.editor.name == "Sam"


def test_chained_calls_accumulate_and_none_clears(data):
    qs = Book.objects.select_related("author").select_related("editor")
    with assert_num_queries(1):
        book = qs.get(title="A")
        assert (book.author.name, book.editor.name) == ("Alex", "Sam")
    with assert_num_queries(2):
        book = qs.select_related(None).get(title="A")
        assert book.author.name == "Alex"


def test_filter_on_the_same_relation_shares_the_join(data):
    with assert_num_queries(1) as captured:
        books = list(Book.objects.select_related("author").filter(author__name="Sam"))
        assert [b.author.name for b in books] == ["Sam"]
    assert captured.queries[0].sql.upper().count("JOIN") == 1


def test_filter_on_a_nullable_relation_keeps_it_correct(data):
    with assert_num_queries(1):
        books = list(Book.objects.select_related("editor").filter(editor__name="Sam"))
        assert [(b.title, b.editor.name) for b in books] == [("A", "Sam")]


def test_one_to_one_both_directions():
    land = Country.objects.create(name="Land")
    chef = Author.objects.create(name="Chef", country=land)
    first, second = Place.objects.create(name="P1"), Place.objects.create(name="P2")
    Restaurant.objects.create(place=first, chef=chef)
    with assert_num_queries(1):
        places = list(Place.objects.select_related("restaurant__chef"))
        assert places[0].restaurant.chef.name == "Chef"
        assert places[0].restaurant.place is places[0]
        with pytest.raises(Place.restaurant.RelatedObjectDoesNotExist):
            places[1].restaurant  # noqa: B018
    with assert_num_queries(1):
        (restaurant,) = Restaurant.objects.select_related("place")
        assert restaurant.place.name == "P1"
        assert restaurant.place.restaurant is restaurant
    assert second.pk


def test_slicing_and_count_with_select_related(data):
    qs = Book.objects.select_related("author", "editor")
    assert qs.count() == 2
    with assert_num_queries(1):
        (book,) = qs[1:2]
        assert book.author.name == "Sam"


def test_annotations_and_select_related_together(data):
    qs = Book.objects.select_related("author").annotate(n=models.Count("review"))
    with assert_num_queries(1):
        assert [(b.title, b.author.name, b.n) for b in qs] == [("A", "Alex", 1), ("B", "Sam", 1)]


# -- bad input ------------------------------------------------------------------------


def test_reverse_fk_is_refused_with_choices():
    with pytest.raises(exceptions.FieldError) as info:
        list(Author.objects.select_related("book"))
    message = str(info.value)
    assert "Invalid field name(s) given in select_related: 'book'" in message
    assert "Choices are: country, mentor" in message
    assert "load it with prefetch_related('book_set')" in message


def test_non_relational_field_is_refused():
    with pytest.raises(exceptions.FieldError, match=r"Non-relational field given in select_related: 'title'"):
        list(Book.objects.select_related("title"))


def test_unknown_nested_name_is_refused():
    with pytest.raises(exceptions.FieldError, match=r"Invalid field name.*'nope'.*Choices are: country, mentor"):
        list(Book.objects.select_related("author__nope"))


def test_after_values_is_type_error():
    with pytest.raises(TypeError, match=r"Cannot call select_related\(\) after \.values\(\)"):
        Book.objects.values("title").select_related("author")


# -- with only() and defer() ------------------------------------------------------------


def test_only_with_a_relation_path_keeps_the_key_and_limits_the_related_fields(data):
    qs = Book.objects.select_related("author").only("title", "author__name")
    with assert_num_queries(1):
        book = qs.get(title="A")
        assert (book.title, book.author.name, book.author_id) == ("A", "Alex", data[0].pk)
    assert book.author.get_deferred_fields() == {"country_id", "mentor_id"}
    assert book.get_deferred_fields() == {"editor_id"}


def test_defer_a_related_field(data):
    with assert_num_queries(1):
        book = Book.objects.select_related("author").defer("author__name").get(title="A")
        assert book.author.country_id == data[0].country_id
    assert book.author.get_deferred_fields() == {"name"}
    with assert_num_queries(1):
        assert book.author.name == "Alex"


def test_deferring_a_relation_that_select_related_follows_is_field_error(data):
    message = r"Field Book\.author cannot be both deferred and traversed using select_related at the same time"
    with pytest.raises(exceptions.FieldError, match=message):
        list(Book.objects.select_related("author").only("title"))
    with pytest.raises(exceptions.FieldError, match=message):
        list(Book.objects.select_related("author").defer("author"))
