"""The seed article, session by session: every line prints what the article prints.

Three variants of the article's `booktracker` models live under three app
labels (the registry keys models by app label and name): the default
`book_set`, `related_name="books"`, and `related_name="+"`. With "+", the
article claims an index is saved; it is not: the column and index stay.
"""

import pytest

import relata
from relata import models
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models


class Author(models.Model):
    name = models.CharField(max_length=200)

    class Meta:
        app_label = "booktracker"

    def __repr__(self):
        return self.name


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    title = models.CharField(max_length=200)

    class Meta:
        app_label = "booktracker"

    def __repr__(self):
        return f"{self.title} by {self.author.name}"


class books:
    """A namespace standing for booktracker/models.py edited to related_name="books"."""

    class Author(models.Model):
        name = models.CharField(max_length=200)

        class Meta:
            app_label = "booktracker_books"

        def __repr__(self):
            return self.name

    class Book(models.Model):
        author = models.ForeignKey("Author", on_delete=models.CASCADE, related_name="books")
        title = models.CharField(max_length=200)

        class Meta:
            app_label = "booktracker_books"

        def __repr__(self):
            return f"{self.title} by {self.author.name}"


class hidden:
    """The variant edited to related_name="+"."""

    class Author(models.Model):
        name = models.CharField(max_length=200)

        class Meta:
            app_label = "booktracker_hidden"

        def __repr__(self):
            return self.name

    class Book(models.Model):
        author = models.ForeignKey("Author", on_delete=models.CASCADE, related_name="+")
        title = models.CharField(max_length=200)

        class Meta:
            app_label = "booktracker_hidden"

        def __repr__(self):
            return f"{self.title} by {self.author.name}"


use_models(Author, Book, books.Author, books.Book, hidden.Author, hidden.Book)


def load_article_data(author_model, book_model):
    """Two authors; Alex has written two books and Sam one."""
    alex = author_model.objects.create(name="Alex Smith")
    sam = author_model.objects.create(name="Sam Jones")
    book_model.objects.create(author=alex, title="How Django Works")
    book_model.objects.create(author=alex, title="How to Sell Django Books")
    book_model.objects.create(author=sam, title="What Alex Got Wrong")


ALEX_BOOKS = "<QuerySet [How Django Works by Alex Smith, How to Sell Django Books by Alex Smith]>"


def test_session_1_all_authors_and_books():
    load_article_data(Author, Book)
    assert repr(Author.objects.all()) == "<QuerySet [Alex Smith, Sam Jones]>"
    assert repr(Book.objects.all()) == (
        "<QuerySet [How Django Works by Alex Smith, How to Sell Django Books by Alex Smith, "
        "What Alex Got Wrong by Sam Jones]>"
    )


def test_session_2_filter_books_by_author():
    load_article_data(Author, Book)
    alex = Author.objects.get(name="Alex Smith")
    alex_books = Book.objects.filter(author=alex)
    assert repr(alex_books) == ALEX_BOOKS


def test_session_3_default_reverse_accessor_book_set():
    load_article_data(Author, Book)
    alex = Author.objects.get(name="Alex Smith")
    assert repr(alex.book_set.all()) == ALEX_BOOKS


def test_session_3_repr_runs_one_query_because_books_carry_their_author():
    load_article_data(Author, Book)
    alex = Author.objects.get(name="Alex Smith")
    with assert_num_queries(1):
        assert repr(alex.book_set.all()) == ALEX_BOOKS


def test_session_4_related_name_books():
    load_article_data(books.Author, books.Book)
    alex = books.Author.objects.get(name="Alex Smith")
    assert repr(alex.books.all()) == ALEX_BOOKS


def test_session_4_book_set_is_gone_once_related_name_is_set():
    load_article_data(books.Author, books.Book)
    alex = books.Author.objects.get(name="Alex Smith")
    with pytest.raises(AttributeError) as info:
        alex.book_set  # noqa: B018
    assert str(info.value).startswith("'Author' object has no attribute 'book_set'")


def test_session_5_related_name_plus_removes_book_set():
    load_article_data(hidden.Author, hidden.Book)
    alex = hidden.Author.objects.get(name="Alex Smith")
    with pytest.raises(AttributeError) as info:
        alex.book_set.all()
    assert str(info.value).startswith("'Author' object has no attribute 'book_set'")


def test_related_name_plus_keeps_forward_access_and_filtering():
    load_article_data(hidden.Author, hidden.Book)
    alex = hidden.Author.objects.get(name="Alex Smith")
    assert repr(hidden.Book.objects.filter(author=alex)) == ALEX_BOOKS
    assert [b.title for b in hidden.Book.objects.filter(author__name="Sam Jones")] == ["What Alex Got Wrong"]


def _fk_indexes(table):
    indexes = relata.connection.introspection.get_indexes(table)
    return [i for i in indexes if i.columns == ("author_id",) and not i.primary_key]


@pytest.mark.parametrize("book_model", [Book, books.Book, hidden.Book], ids=["book_set", "books", "plus"])
def test_schema_has_fk_column_and_index_whatever_the_related_name(book_model):
    table = book_model._meta.db_table
    columns = {c.name: c for c in relata.connection.introspection.get_columns(table)}
    assert "author_id" in columns
    assert not columns["author_id"].null
    assert len(_fk_indexes(table)) == 1


def test_related_name_plus_saves_no_index_space():
    """The article's claim is wrong: the '+' variant's schema equals the default one."""

    def shape(table):
        introspection = relata.connection.introspection
        columns = [(c.name, c.null, c.primary_key) for c in introspection.get_columns(table)]
        indexes = sorted((i.columns, i.unique) for i in introspection.get_indexes(table))
        return columns, indexes

    assert shape(hidden.Book._meta.db_table) == shape(Book._meta.db_table)


def test_related_name_plus_has_no_reverse_query_name():
    from relata.exceptions import FieldError

    with pytest.raises(FieldError) as info:
        list(hidden.Author.objects.filter(book__title="How Django Works"))
    assert "Cannot resolve keyword 'book' into field" in str(info.value)
    assert "Choices are: id, name" in str(info.value)
