"""ForeignKey and OneToOneField, forward side: targets, `<name>_id`, the relation cache.

Targets may be a class, "Model", "app_label.Model" or "self", and string
targets resolve once the named model is defined. `book.author` is loaded once
and then served from the instance's cache until `book.author_id` changes.
"""

import pytest

import relata
from relata import exceptions, models
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

APP = "rel_forward"


class Publisher(models.Model):
    # Declared before its targets: "Country" and "rel_forward.Author" resolve later.
    name = models.CharField(max_length=50)
    code = models.CharField(max_length=10, unique=True)
    country = models.ForeignKey("Country", on_delete=models.SET_NULL, null=True)
    star = models.ForeignKey("rel_forward.Author", on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        app_label = APP


class Country(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        app_label = APP


class Author(models.Model):
    name = models.CharField(max_length=50)
    mentor = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, related_name="pupils")

    class Meta:
        app_label = APP

    def __repr__(self):
        return f"<Author {self.name}>"


class Book(models.Model):
    title = models.CharField(max_length=50)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, limit_choices_to={"name__startswith": "A"})
    editor = models.ForeignKey(Author, on_delete=models.SET_NULL, null=True, related_name="edited")
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, to_field="code", null=True)
    loose = models.ForeignKey(
        Country, on_delete=models.DO_NOTHING, null=True, db_constraint=False, related_name="loose_books"
    )

    class Meta:
        app_label = APP


class Place(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        app_label = APP


class Restaurant(models.Model):
    place = models.OneToOneField(Place, on_delete=models.CASCADE)
    stars = models.IntegerField(default=0)

    class Meta:
        app_label = APP


use_models(Country, Author, Publisher, Book, Place, Restaurant)


@pytest.fixture
def alex():
    return Author.objects.create(name="Alex")


@pytest.fixture
def sam():
    return Author.objects.create(name="Sam")


# -- targets ------------------------------------------------------------------------


def test_string_targets_resolve_when_the_target_is_defined():
    assert Publisher._meta.get_field("country").related_model is Country
    assert Publisher._meta.get_field("star").related_model is Author
    assert Author._meta.get_field("mentor").related_model is Author


def test_lazy_target_defined_later_gets_its_reverse_accessor():
    assert Country.publisher_set.rel.field is Publisher._meta.get_field("country")


def test_self_target_round_trip(alex):
    pupil = Author.objects.create(name="Pat", mentor=alex)
    pupil = Author.objects.get(pk=pupil.pk)
    assert pupil.mentor == alex
    assert list(alex.pupils.all()) == [pupil]
    assert list(Author.objects.filter(mentor__name="Alex")) == [pupil]


def test_target_that_is_not_a_model_or_string_is_a_type_error():
    with pytest.raises(TypeError, match="First parameter to ForeignKey must be either a model"):
        models.ForeignKey(42, on_delete=models.CASCADE)


def test_on_delete_must_be_callable():
    with pytest.raises(TypeError, match="on_delete must be callable"):
        models.ForeignKey(Author, on_delete=None)


# -- attname and assignment ---------------------------------------------------------


def test_attname_and_column_are_name_id():
    field = Book._meta.get_field("author")
    assert field.attname == "author_id"
    assert field.column == "author_id"
    assert Book._meta.get_field("author_id") is field


def test_assign_instance_sets_id(alex):
    book = Book(title="T", author=alex)
    assert book.author_id == alex.pk
    with assert_num_queries(0):
        assert book.author is alex


def test_assign_id_then_access_loads_once(alex):
    book = Book(title="T", author_id=alex.pk)
    with assert_num_queries(1):
        assert book.author == alex
    with assert_num_queries(0):
        assert book.author == alex


def test_forward_access_is_cached_after_get(alex):
    Book.objects.create(title="T", author=alex)
    book = Book.objects.get(title="T")
    with assert_num_queries(1):
        assert book.author.name == "Alex"
    with assert_num_queries(0):
        assert book.author.name == "Alex"
        assert book.author is book.author


def test_changing_the_id_invalidates_the_cache(alex, sam):
    book = Book.objects.create(title="T", author=alex)
    book.author_id = sam.pk
    with assert_num_queries(1):
        assert book.author == sam


def test_setting_the_same_id_keeps_the_cache(alex):
    book = Book.objects.create(title="T", author=alex)
    book.author_id = alex.pk
    with assert_num_queries(0):
        assert book.author is alex


def test_changing_the_id_of_a_select_related_row_loads_the_new_target(alex, sam):
    Book.objects.create(title="T", author=alex)
    book = Book.objects.select_related("author").get(title="T")
    book.author_id = sam.pk
    with assert_num_queries(1):
        assert book.author == sam
    with assert_num_queries(0):
        assert book.author == sam


def test_none_assigned_to_a_required_relation_raises_on_read_as_django(alex):
    book = Book(title="T", author=alex)
    book.author = None
    assert book.author_id is None
    with pytest.raises(Book.author.RelatedObjectDoesNotExist, match="Book has no author"):
        book.author  # noqa: B018
    with pytest.raises(Book.author.RelatedObjectDoesNotExist):
        book.author  # noqa: B018


def test_assigning_the_id_after_the_instance_wins_on_save(alex, sam):
    """Django: a later `author_id = ...` beats an earlier `author = obj` when saving."""
    book = Book(title="T", author=alex)
    book.author_id = sam.pk
    book.save()
    assert Book.objects.get(pk=book.pk).author_id == sam.pk
    assert book.author == sam


def test_assigning_wrong_type_is_value_error(alex):
    book = Book(title="T", author=alex)
    with pytest.raises(ValueError, match=r'"Book\.author" must be a "Author" instance'):
        book.author = Country(name="x")
    with pytest.raises(ValueError, match=r'"Book\.author" must be a "Author" instance'):
        Book(title="T", author=alex.pk)
    assert book.author is alex


def test_null_fk_is_none_without_a_query(alex):
    book = Book.objects.create(title="T", author=alex)
    book = Book.objects.get(pk=book.pk)
    with assert_num_queries(0):
        assert book.editor is None
        assert book.editor_id is None


def test_assign_none_to_nullable(alex, sam):
    book = Book.objects.create(title="T", author=alex, editor=sam)
    book.editor = None
    assert book.editor_id is None
    book.save()
    assert Book.objects.get(pk=book.pk).editor is None


def test_missing_required_relation_raises_related_object_does_not_exist():
    book = Book(title="T")
    with pytest.raises(Book.author.RelatedObjectDoesNotExist, match="Book has no author"):
        book.author  # noqa: B018
    assert issubclass(Book.author.RelatedObjectDoesNotExist, Author.DoesNotExist)
    assert issubclass(Book.author.RelatedObjectDoesNotExist, AttributeError)
    assert getattr(book, "author", "default") == "default"


# -- saving with unsaved related objects ---------------------------------------------


def test_saving_with_an_unsaved_related_object_is_value_error():
    author = Author(name="Unsaved")
    book = Book(title="T", author=author)
    with pytest.raises(
        ValueError, match="save\\(\\) prohibited to prevent data loss due to unsaved related object 'author'"
    ):
        book.save()
    assert Book.objects.count() == 0


def test_create_with_an_unsaved_related_object_is_value_error():
    with pytest.raises(ValueError, match="unsaved related object 'author'"):
        Book.objects.create(title="T", author=Author(name="Unsaved"))
    assert Book.objects.count() == 0


def test_related_object_saved_after_assignment_is_picked_up():
    author = Author(name="Later")
    book = Book(title="T", author=author)
    author.save()
    book.save()
    assert Book.objects.get(pk=book.pk).author_id == author.pk


def test_saving_without_a_required_relation_is_integrity_error():
    with pytest.raises(exceptions.IntegrityError):
        Book.objects.create(title="T")
    assert Book.objects.count() == 0


# -- to_field and db_constraint -----------------------------------------------------


def test_to_field_stores_the_target_column(alex):
    pub = Publisher.objects.create(name="P", code="pp")
    book = Book.objects.create(title="T", author=alex, publisher=pub)
    assert book.publisher_id == "pp"
    book = Book.objects.get(pk=book.pk)
    assert book.publisher_id == "pp"
    with assert_num_queries(1):
        assert book.publisher == pub
    assert list(Book.objects.filter(publisher=pub)) == [book]
    assert list(Book.objects.filter(publisher__name="P")) == [book]
    assert list(Book.objects.filter(publisher="pp")) == [book]
    assert list(pub.book_set.all()) == [book]
    assert list(Publisher.objects.filter(book__title="T")) == [pub]


def test_to_field_with_select_related_and_prefetch(alex):
    pub = Publisher.objects.create(name="P", code="pp")
    Book.objects.create(title="T", author=alex, publisher=pub)
    with assert_num_queries(1):
        book = Book.objects.select_related("publisher").get()
        assert book.publisher.code == "pp"
    with assert_num_queries(2):
        book = Book.objects.prefetch_related("publisher").get()
        assert book.publisher.code == "pp"
    with assert_num_queries(2):
        (pub,) = Publisher.objects.prefetch_related("book_set")
        assert [b.title for b in pub.book_set.all()] == ["T"]


def test_db_constraint_false_has_no_foreign_key_in_the_schema():
    foreign_keys = relata.connection.introspection.get_foreign_keys(Book._meta.db_table)
    columns = {fk.column for fk in foreign_keys}
    assert "loose_id" not in columns
    assert "author_id" in columns


def test_db_constraint_false_still_joins(alex):
    country = Country.objects.create(name="C")
    Book.objects.create(title="T", author=alex, loose=country)
    assert list(Book.objects.filter(loose__name="C").values_list("title", flat=True)) == ["T"]
    assert list(country.loose_books.values_list("title", flat=True)) == ["T"]


def test_limit_choices_to_is_stored():
    field = Book._meta.get_field("author")
    assert field.remote_field.limit_choices_to == {"name__startswith": "A"}
    assert field.get_limit_choices_to() == {"name__startswith": "A"}


def test_limit_choices_to_is_checked_by_full_clean(alex, sam):
    others = ["editor", "publisher", "loose"]
    Book(title="T", author=alex).full_clean(exclude=others)
    with pytest.raises(exceptions.ValidationError) as info:
        Book(title="T", author=sam).full_clean(exclude=others)
    assert list(info.value.message_dict) == ["author"]


# -- one-to-one forward -----------------------------------------------------------------


def test_one_to_one_forward_sets_the_reverse_cache():
    place = Place.objects.create(name="P")
    Restaurant.objects.create(place=place)
    restaurant = Restaurant.objects.get()
    with assert_num_queries(1):
        loaded = restaurant.place
    with assert_num_queries(0):
        assert loaded.restaurant is restaurant


def test_one_to_one_is_unique():
    place = Place.objects.create(name="P")
    Restaurant.objects.create(place=place)
    with pytest.raises(exceptions.IntegrityError):
        Restaurant.objects.create(place=place)
    assert Restaurant.objects.count() == 1


def test_one_to_one_reassignment_clears_the_old_reverse_cache():
    first, second = Place.objects.create(name="A"), Place.objects.create(name="B")
    restaurant = Restaurant.objects.create(place=first)
    assert first.restaurant is restaurant
    restaurant.place = second
    assert second.restaurant is restaurant
    assert restaurant.place_id == second.pk


def test_deferred_foreign_key_loads_the_column_then_the_object(alex):
    Book.objects.create(title="T", author=alex)
    book = Book.objects.only("title").get()
    assert book.get_deferred_fields() >= {"author_id"}
    with assert_num_queries(2):
        assert book.author == alex
    with assert_num_queries(0):
        assert book.author_id == alex.pk


def test_dangling_key_raises_related_object_does_not_exist_after_one_query():
    book = Book.objects.create(title="orphan", author=Author.objects.create(name="Ann"), loose_id=999)
    fresh = Book.objects.get(pk=book.pk)
    with assert_num_queries(1), pytest.raises(Book.loose.RelatedObjectDoesNotExist) as caught:
        fresh.loose  # noqa: B018
    assert isinstance(caught.value, Country.DoesNotExist)
    assert isinstance(caught.value, AttributeError)
    assert "no Country with id=999" in str(caught.value)


def test_missing_reverse_one_to_one_keeps_its_own_error():
    place = Place.objects.create(name="empty lot")
    with assert_num_queries(1), pytest.raises(Place.restaurant.RelatedObjectDoesNotExist) as caught:
        place.restaurant  # noqa: B018
    assert str(caught.value) == "Place has no restaurant."


def test_manager_on_an_instance_says_why():
    with pytest.raises(AttributeError, match="Manager isn't accessible via Place instances"):
        Place(name="x").objects  # noqa: B018
