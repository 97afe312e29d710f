"""Reverse foreign-key managers (`author.book_set`) and reverse one-to-one access.

A reverse manager is a queryset of the related rows plus writers: create,
get_or_create, update_or_create, add, set, and for a nullable foreign key
remove and clear. Rows it loads carry the instance they came from.
"""

import pickle

import pytest

from relata import exceptions, models
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

APP = "rel_revman"


class Author(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        app_label = APP

    def __repr__(self):
        return f"<Author {self.name}>"


class PublishedManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(published=True)


class Book(models.Model):
    title = models.CharField(max_length=50)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    published = models.BooleanField(default=True)

    objects = models.Manager()
    live = PublishedManager()

    class Meta:
        app_label = APP
        ordering = ["title"]

    def __repr__(self):
        return f"<Book {self.title}>"


class Note(models.Model):
    text = models.CharField(max_length=50)
    author = models.ForeignKey(Author, on_delete=models.SET_NULL, null=True, related_name="notes")

    class Meta:
        app_label = APP
        ordering = ["text"]

    def __repr__(self):
        return f"<Note {self.text}>"


class Place(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        app_label = APP


class Restaurant(models.Model):
    place = models.OneToOneField(Place, on_delete=models.CASCADE)
    name = models.CharField(max_length=50, default="")

    class Meta:
        app_label = APP


use_models(Author, Book, Note, Place, Restaurant)


@pytest.fixture
def alex():
    author = Author.objects.create(name="Alex")
    Book.objects.create(title="B1", author=author)
    Book.objects.create(title="B2", author=author, published=False)
    return author


@pytest.fixture
def sam():
    return Author.objects.create(name="Sam")


def titles(qs):
    return [b.title for b in qs]


# -- reading ------------------------------------------------------------------------


def test_all_filter_exclude_count_exists(alex, sam):
    Book.objects.create(title="S1", author=sam)
    assert titles(alex.book_set.all()) == ["B1", "B2"]
    assert titles(alex.book_set.filter(published=True)) == ["B1"]
    assert titles(alex.book_set.exclude(published=True)) == ["B2"]
    with assert_num_queries(1):
        assert alex.book_set.count() == 2
    with assert_num_queries(1):
        assert alex.book_set.exists()
    assert alex.book_set.get(title="B1").title == "B1"
    with pytest.raises(Book.DoesNotExist):
        alex.book_set.get(title="S1")


def test_loaded_rows_carry_the_instance(alex):
    with assert_num_queries(1):
        books = list(alex.book_set.all())
    with assert_num_queries(0):
        assert all(book.author is alex for book in books)


def test_filtered_and_got_rows_carry_the_instance_too(alex):
    with assert_num_queries(1):
        book = alex.book_set.filter(title="B1").get()
    with assert_num_queries(0):
        assert book.author is alex
    with assert_num_queries(1):
        book = alex.book_set.get(title="B2")
    with assert_num_queries(0):
        assert book.author is alex


def test_custom_default_manager_class_methods_and_manager_argument(alex):
    assert titles(alex.book_set(manager="live").all()) == ["B1"]


def test_update_and_delete_through_the_manager(alex, sam):
    Book.objects.create(title="S1", author=sam)
    assert alex.book_set.update(published=True) == 2
    count, by_model = alex.book_set.all().delete()
    assert count == 2
    assert by_model == {f"{APP}.Book": 2}
    assert titles(Book.objects.all()) == ["S1"]


def test_direct_assignment_is_type_error(alex):
    with pytest.raises(TypeError, match=r"Use book_set\.set\(\) instead"):
        alex.book_set = []
    assert alex.book_set.count() == 2


# -- unsaved instances ---------------------------------------------------------------


def test_reverse_manager_on_unsaved_instance_is_value_error():
    # As in Django 4.1+: the manager itself may be had (its model, its name); using it raises.
    unsaved = Author(name="new")
    assert unsaved.book_set.model is Book
    for use in (
        lambda: unsaved.book_set.all(),
        lambda: unsaved.book_set.count(),
        lambda: unsaved.book_set.filter(title="x"),
        lambda: unsaved.book_set.create(title="x"),
        lambda: unsaved.notes.all(),
    ):
        with pytest.raises(ValueError, match="'Author' instance needs to have a primary key value"):
            use()
    assert Book.objects.count() == 0


# -- writing ------------------------------------------------------------------------


def test_create_sets_the_foreign_key(alex):
    book = alex.book_set.create(title="B3")
    assert book.author is alex
    assert Book.objects.get(title="B3").author_id == alex.pk


def test_get_or_create_and_update_or_create(alex):
    book, created = alex.book_set.get_or_create(title="B1")
    assert not created and book.author_id == alex.pk
    book, created = alex.book_set.get_or_create(title="B9")
    assert created and book.author_id == alex.pk
    book, created = alex.book_set.update_or_create(title="B1", defaults={"published": False})
    assert not created
    assert Book.objects.get(title="B1").published is False
    book, created = alex.book_set.update_or_create(title="B7", defaults={"published": False})
    assert created and book.author_id == alex.pk


def test_get_or_create_does_not_find_other_authors_rows(alex, sam):
    Book.objects.create(title="S1", author=sam)
    book, created = alex.book_set.get_or_create(title="S1")
    assert created
    assert book.author_id == alex.pk
    assert Book.objects.filter(title="S1").count() == 2


def test_add_bulk_moves_saved_rows_in_one_query(alex, sam):
    book = Book.objects.get(title="B1")
    with assert_num_queries(1):
        sam.book_set.add(book)
    assert book.author_id == sam.pk
    assert titles(sam.book_set.all()) == ["B1"]
    assert titles(alex.book_set.all()) == ["B2"]


def test_add_bulk_refuses_unsaved_rows(sam):
    with pytest.raises(ValueError, match=r"isn't saved\. Use bulk=False or save the object first"):
        sam.book_set.add(Book(title="new"))
    assert Book.objects.count() == 0


def test_add_bulk_false_saves_unsaved_rows(sam):
    sam.book_set.add(Book(title="new"), bulk=False)
    assert titles(sam.book_set.all()) == ["new"]


def test_add_wrong_type_is_type_error(alex, sam):
    with pytest.raises(TypeError, match="'Book' instance expected, got <Author Sam>"):
        alex.book_set.add(sam)
    assert alex.book_set.count() == 2


def test_non_null_reverse_manager_has_no_remove_or_clear(alex):
    for name in ("remove", "clear"):
        with pytest.raises(AttributeError):
            getattr(alex.book_set, name)
        assert not hasattr(alex.book_set, name)
    assert alex.book_set.count() == 2


def test_non_null_set_only_adds(alex, sam):
    Book.objects.create(title="S1", author=sam)
    alex.book_set.set([Book.objects.get(title="S1")])
    assert titles(alex.book_set.all()) == ["B1", "B2", "S1"]
    assert titles(sam.book_set.all()) == []


def test_nullable_remove_and_clear(alex):
    first = alex.notes.create(text="n1")
    alex.notes.create(text="n2")
    alex.notes.remove(first)
    assert first.author_id is None
    assert [n.text for n in alex.notes.all()] == ["n2"]
    assert Note.objects.get(text="n1").author_id is None
    alex.notes.clear()
    assert alex.notes.count() == 0
    assert Note.objects.count() == 2


def test_nullable_remove_bulk_false_saves_each(alex):
    first = alex.notes.create(text="n1")
    alex.notes.remove(first, bulk=False)
    assert Note.objects.get(text="n1").author_id is None


def test_remove_unrelated_row_is_does_not_exist(alex, sam):
    note = sam.notes.create(text="n1")
    with pytest.raises(Author.DoesNotExist, match="is not related to"):
        alex.notes.remove(note)
    assert Note.objects.get(text="n1").author_id == sam.pk


def test_nullable_set_replaces(alex):
    first = alex.notes.create(text="n1")
    second = Note.objects.create(text="n2")
    alex.notes.set([second])
    assert [n.text for n in alex.notes.all()] == ["n2"]
    assert Note.objects.get(pk=first.pk).author_id is None
    alex.notes.set([first], clear=True)
    assert [n.text for n in alex.notes.all()] == ["n1"]


def test_set_with_a_queryset_argument(alex):
    Note.objects.create(text="n1")
    Note.objects.create(text="n2")
    alex.notes.set(Note.objects.all())
    assert [n.text for n in alex.notes.all()] == ["n1", "n2"]


# -- prefetched reverse managers ----------------------------------------------------


def test_prefetched_manager_answers_without_queries(alex, sam):
    with assert_num_queries(2):
        authors = list(Author.objects.order_by("name").prefetch_related("book_set"))
    with assert_num_queries(0):
        assert titles(authors[0].book_set.all()) == ["B1", "B2"]
        assert authors[0].book_set.count() == 2
        assert authors[0].book_set.exists()
        assert not authors[1].book_set.exists()
        assert authors[1].book_set.count() == 0
        assert authors[0].book_set.all()[0].author is authors[0]


def test_filter_on_a_prefetched_manager_queries_again(alex):
    (author,) = Author.objects.prefetch_related("book_set")
    with assert_num_queries(1):
        assert titles(author.book_set.filter(published=True)) == ["B1"]


def test_a_served_queryset_is_narrowed_to_its_instance_when_used_as_a_query(alex, sam):
    """Querysets served from a prefetch build their filter only when something needs it."""
    Book.objects.create(title="S1", author=sam)
    authors = {a.name: a for a in Author.objects.prefetch_related("book_set")}
    served = authors["Alex"].book_set.all()
    with assert_num_queries(0):
        assert titles(served) == ["B1", "B2"]
        assert (served.count(), served.exists(), len(served)) == (2, True, 2)
    assert "author_id" in str(served.query).split(" WHERE ")[1]
    with assert_num_queries(1):
        assert titles(served.all()) == ["B1", "B2"]
    with assert_num_queries(1):
        assert titles(authors["Sam"].book_set.order_by("-title")) == ["S1"]
    with assert_num_queries(1):
        assert titles(authors["Alex"].book_set.all() | authors["Sam"].book_set.all()) == ["B1", "B2", "S1"]
    with assert_num_queries(1):
        assert titles(Book.objects.filter(pk__in=authors["Sam"].book_set.values("pk"))) == ["S1"]
    with assert_num_queries(1):
        (book,) = authors["Sam"].book_set.filter(title="S1")
    with assert_num_queries(0):
        assert book.author is authors["Sam"]


def test_a_served_queryset_pickles_with_its_filter(alex, sam):
    Book.objects.create(title="S1", author=sam)
    (alex_again, _) = Author.objects.prefetch_related("book_set").order_by("name")
    copy = pickle.loads(pickle.dumps(alex_again.book_set.all()))
    assert titles(copy) == ["B1", "B2"]
    assert titles(copy.filter(published=True)) == ["B1"]


def test_writing_through_a_prefetched_manager_drops_the_cache(alex):
    (author,) = Author.objects.prefetch_related("book_set")
    author.book_set.create(title="B3")
    with assert_num_queries(1):
        assert titles(author.book_set.all()) == ["B1", "B2", "B3"]


# -- reverse one-to-one -------------------------------------------------------------


def test_reverse_one_to_one_loads_once():
    place = Place.objects.create(name="P")
    Restaurant.objects.create(place=place, name="R")
    place = Place.objects.get()
    with assert_num_queries(1):
        assert place.restaurant.name == "R"
    with assert_num_queries(0):
        assert place.restaurant.place is place


def test_reverse_one_to_one_missing():
    place = Place.objects.create(name="P")
    error_class = Place.restaurant.RelatedObjectDoesNotExist
    assert error_class.__qualname__ == "Place.restaurant.RelatedObjectDoesNotExist"
    assert issubclass(error_class, Restaurant.DoesNotExist)
    assert issubclass(error_class, exceptions.ObjectDoesNotExist)
    assert issubclass(error_class, AttributeError)
    with pytest.raises(error_class, match="Place has no restaurant"):
        place.restaurant  # noqa: B018
    with pytest.raises(Restaurant.DoesNotExist):
        place.restaurant  # noqa: B018
    with assert_num_queries(0):
        assert not hasattr(place, "restaurant")


def test_reverse_one_to_one_on_unsaved_instance_is_missing_without_a_query():
    with assert_num_queries(0), pytest.raises(Place.restaurant.RelatedObjectDoesNotExist):
        Place(name="new").restaurant  # noqa: B018


def test_reverse_one_to_one_assignment_sets_the_forward_side():
    place = Place.objects.create(name="P")
    restaurant = Restaurant(name="R")
    place.restaurant = restaurant
    assert restaurant.place_id == place.pk
    assert restaurant.place is place
    restaurant.save()
    assert Restaurant.objects.get().place_id == place.pk


def test_reverse_one_to_one_wrong_type_is_value_error():
    place = Place.objects.create(name="P")
    with pytest.raises(ValueError, match=r'"Place\.restaurant" must be a "Restaurant" instance'):
        place.restaurant = Author(name="x")
