"""prefetch_related: one query per level, checked against Django's results and query counts.

Each scenario runs on relata and on Django with the same rows; both the
data read back and the number of queries must match, and the relata side
asserts its count with assert_num_queries. Reading a prefetched relation
afterwards runs no query at all.
"""

import pytest

import oracle
from relata import models
from relata.testing import CaptureQueries, assert_num_queries
from relata.testing.pytest_plugin import use_models

APP = "rel_prefetch"


def define(m, base, label):
    class Author(m.Model):
        name = m.CharField(max_length=50)

        class Meta(base):
            app_label = label
            ordering = ["name"]

    class Tag(m.Model):
        name = m.CharField(max_length=50)

        class Meta(base):
            app_label = label
            ordering = ["name"]

    class Book(m.Model):
        title = m.CharField(max_length=50)
        pages = m.IntegerField(default=100)
        author = m.ForeignKey(Author, on_delete=m.CASCADE, related_name="books")
        editor = m.ForeignKey(Author, on_delete=m.SET_NULL, null=True, related_name="edited")
        tags = m.ManyToManyField(Tag)

        class Meta(base):
            app_label = label
            ordering = ["title"]

    class Bio(m.Model):
        author = m.OneToOneField(Author, on_delete=m.CASCADE)
        text = m.CharField(max_length=50)

        class Meta(base):
            app_label = label

    class Person(m.Model):
        name = m.CharField(max_length=50)
        friends = m.ManyToManyField("self")

        class Meta(base):
            app_label = label
            ordering = ["name"]

    return Author, Tag, Book, Bio, Person


class R:
    Author, Tag, Book, Bio, Person = define(models, object, APP)
    Prefetch, Count = models.Prefetch, models.Count
    prefetch_related_objects = staticmethod(models.prefetch_related_objects)


class D:
    Author, Tag, Book, Bio, Person = define(oracle.models, oracle.Meta(APP), APP)
    Prefetch, Count = oracle.models.Prefetch, oracle.models.Count
    prefetch_related_objects = staticmethod(oracle.models.prefetch_related_objects)


use_models(R.Author, R.Tag, R.Book, R.Bio, R.Person)
oracle.use_django_models(D.Author, D.Tag, D.Book, D.Bio, D.Person)


def load(M):
    """Alex: two books, Sam: one, Kim: none; a bio for Alex only; ann and bob are friends."""
    alex, sam, _ = (M.Author.objects.create(name=n) for n in ("Alex", "Sam", "Kim"))
    python, web = M.Tag.objects.create(name="python"), M.Tag.objects.create(name="web")
    first = M.Book.objects.create(title="A", pages=300, author=alex, editor=sam)
    second = M.Book.objects.create(title="B", author=alex)
    third = M.Book.objects.create(title="C", pages=300, author=sam)
    first.tags.add(python, web)
    third.tags.add(python)
    assert second.pk
    M.Bio.objects.create(author=alex, text="bio")
    ann, bob, _ = (M.Person.objects.create(name=n) for n in ("ann", "bob", "cy"))
    ann.friends.add(bob)


def bio_text(author):
    return author.bio.text if hasattr(author, "bio") else None


def books_by_author(authors, attr="books"):
    return [(a.name, [b.title for b in getattr(a, attr).all()]) for a in authors]


# Each scenario: (query that fetches and prefetches, reading that must run no query).
SCENARIOS = {
    "reverse_fk": (
        lambda M: list(M.Author.objects.prefetch_related("books")),
        lambda M, objs: books_by_author(objs),
    ),
    "reverse_fk_rows_carry_parent": (
        lambda M: list(M.Author.objects.prefetch_related("books")),
        lambda M, objs: [all(b.author is a for b in a.books.all()) for a in objs],
    ),
    "reverse_fk_count_exists_slice": (
        lambda M: list(M.Author.objects.prefetch_related("books")),
        lambda M, objs: [(a.books.count(), a.books.exists(), [b.title for b in a.books.all()[:1]]) for a in objs],
    ),
    "forward_fk": (
        lambda M: list(M.Book.objects.prefetch_related("author", "editor")),
        lambda M, objs: [(b.title, b.author.name, b.editor and b.editor.name) for b in objs],
    ),
    "m2m_forward": (
        lambda M: list(M.Book.objects.prefetch_related("tags")),
        lambda M, objs: [(b.title, [t.name for t in b.tags.all()], b.tags.count()) for b in objs],
    ),
    "m2m_reverse": (
        lambda M: list(M.Tag.objects.prefetch_related("book_set")),
        lambda M, objs: [(t.name, [b.title for b in t.book_set.all()]) for t in objs],
    ),
    "m2m_symmetrical": (
        lambda M: list(M.Person.objects.prefetch_related("friends")),
        lambda M, objs: [(p.name, [f.name for f in p.friends.all()]) for p in objs],
    ),
    "o2o_reverse": (
        lambda M: list(M.Author.objects.prefetch_related("bio")),
        lambda M, objs: [(a.name, a.bio.text if hasattr(a, "bio") else None) for a in objs],
    ),
    "o2o_forward": (
        lambda M: list(M.Bio.objects.prefetch_related("author")),
        lambda M, objs: [(b.text, b.author.name) for b in objs],
    ),
    "two_levels": (
        lambda M: list(M.Author.objects.prefetch_related("books__tags")),
        lambda M, objs: [(a.name, [(b.title, [t.name for t in b.tags.all()]) for b in a.books.all()]) for a in objs],
    ),
    "three_levels_back_to_authors": (
        lambda M: list(M.Tag.objects.prefetch_related("book_set__author__edited")),
        lambda M, objs: [
            (t.name, [(b.title, b.author.name, [e.title for e in b.author.edited.all()]) for b in t.book_set.all()])
            for t in objs
        ],
    ),
    "forward_after_reverse_is_already_known": (
        lambda M: list(M.Author.objects.prefetch_related("books__author")),
        lambda M, objs: [[b.author.name for b in a.books.all()] for a in objs],
    ),
    "duplicate_lookups": (
        lambda M: list(M.Author.objects.prefetch_related("books", "books", "books__tags")),
        lambda M, objs: books_by_author(objs),
    ),
    "prefetch_queryset": (
        lambda M: list(
            M.Author.objects.prefetch_related(M.Prefetch("books", queryset=M.Book.objects.filter(pages=300)))
        ),
        lambda M, objs: books_by_author(objs),
    ),
    "prefetch_queryset_from_a_related_manager": (
        lambda M: list(
            M.Author.objects.prefetch_related(
                M.Prefetch("edited", queryset=M.Author.objects.get(name="Alex").books.order_by("title"))
            )
        ),
        lambda M, objs: [(a.name, [(b.title, b.author.name) for b in a.edited.all()]) for a in objs],
    ),
    "prefetch_queryset_ordering": (
        lambda M: list(
            M.Author.objects.prefetch_related(M.Prefetch("books", queryset=M.Book.objects.order_by("-title")))
        ),
        lambda M, objs: books_by_author(objs),
    ),
    "prefetch_to_attr": (
        lambda M: list(
            M.Author.objects.prefetch_related(
                M.Prefetch("books", queryset=M.Book.objects.filter(pages=300), to_attr="long_books")
            )
        ),
        lambda M, objs: [(a.name, [b.title for b in a.long_books]) for a in objs],
    ),
    "prefetch_to_attr_then_nested": (
        lambda M: list(
            M.Author.objects.prefetch_related(
                M.Prefetch("books", queryset=M.Book.objects.filter(pages=300), to_attr="long_books"),
                "long_books__tags",
            )
        ),
        lambda M, objs: [(a.name, [(b.title, [t.name for t in b.tags.all()]) for b in a.long_books]) for a in objs],
    ),
    "prefetch_queryset_with_select_related": (
        lambda M: list(
            M.Author.objects.prefetch_related(M.Prefetch("books", queryset=M.Book.objects.select_related("editor")))
        ),
        lambda M, objs: [[(b.title, b.editor and b.editor.name) for b in a.books.all()] for a in objs],
    ),
    "prefetch_m2m_queryset_to_attr": (
        lambda M: list(
            M.Book.objects.prefetch_related(
                M.Prefetch("tags", queryset=M.Tag.objects.filter(name="python"), to_attr="py")
            )
        ),
        lambda M, objs: [(b.title, [t.name for t in b.py]) for b in objs],
    ),
    "prefetch_annotated_queryset": (
        lambda M: list(
            M.Author.objects.prefetch_related(M.Prefetch("books", queryset=M.Book.objects.annotate(n=M.Count("tags"))))
        ),
        lambda M, objs: [[(b.title, b.n) for b in a.books.all()] for a in objs],
    ),
    "select_related_then_prefetch": (
        lambda M: list(M.Book.objects.select_related("author").prefetch_related("author__books")),
        lambda M, objs: [(b.title, [x.title for x in b.author.books.all()]) for b in objs],
    ),
    "get_with_prefetch": (
        lambda M: [M.Author.objects.prefetch_related("books__tags").get(name="Alex")],
        lambda M, objs: books_by_author(objs),
    ),
    "prefetch_related_objects_function": (
        lambda M: _call_prefetch_related_objects(M),
        lambda M, objs: books_by_author(objs),
    ),
    "prefetch_queryset_with_its_own_prefetch": (
        lambda M: list(
            M.Author.objects.prefetch_related(
                M.Prefetch(
                    "books",
                    queryset=M.Book.objects.prefetch_related(
                        M.Prefetch("tags", queryset=M.Tag.objects.filter(name="python"))
                    ),
                )
            )
        ),
        lambda M, objs: [(a.name, [(b.title, [t.name for t in b.tags.all()]) for b in a.books.all()]) for a in objs],
    ),
    "m2m_prefetch_queryset_with_its_own_prefetch": (
        lambda M: list(
            M.Tag.objects.prefetch_related(
                M.Prefetch("book_set", queryset=M.Book.objects.prefetch_related("author__bio"))
            )
        ),
        lambda M, objs: [(t.name, [(b.title, bio_text(b.author)) for b in t.book_set.all()]) for t in objs],
    ),
    # Sliced per instance; on a manager only with to_attr (Django refuses to narrow the slice again).
    "sliced_prefetch_queryset_reverse_fk": (
        lambda M: list(
            M.Author.objects.prefetch_related(M.Prefetch("books", M.Book.objects.order_by("-title")[:1], to_attr="b"))
        ),
        lambda M, objs: [(a.name, [b.title for b in a.b]) for a in objs],
    ),
    "sliced_prefetch_queryset_m2m_offset": (
        lambda M: list(M.Book.objects.prefetch_related(M.Prefetch("tags", M.Tag.objects.all()[1:], to_attr="t"))),
        lambda M, objs: [(b.title, [t.name for t in b.t]) for b in objs],
    ),
    "through_a_to_attr_list": (
        lambda M: list(
            M.Author.objects.prefetch_related(
                M.Prefetch("books", to_attr="book_list"),
                M.Prefetch("book_list__tags", queryset=M.Tag.objects.filter(name="web"), to_attr="web_tags"),
            )
        ),
        lambda M, objs: [(a.name, [(b.title, [t.name for t in b.web_tags]) for b in a.book_list]) for a in objs],
    ),
    "through_a_property": (
        lambda M: _prefetch_through_property(M),
        lambda M, objs: [(b.title, [t.name for t in b.first_author_books[0].tags.all()]) for b in objs],
    ),
    "values_rows_are_left_alone": (
        lambda M: list(M.Author.objects.prefetch_related("books").values_list("name", flat=True)),
        lambda M, objs: objs,
    ),
    "named_rows_are_left_alone": (
        lambda M: list(M.Author.objects.prefetch_related("books").values_list("name", named=True)),
        lambda M, objs: [tuple(row) for row in objs],
    ),
    "empty_result_runs_one_query": (
        lambda M: list(M.Author.objects.filter(name="nobody").prefetch_related("books")),
        lambda M, objs: objs,
    ),
}


def _prefetch_through_property(M):
    """A lookup may pass through a plain attribute holding a list of objects (here set by hand)."""
    books = list(M.Book.objects.select_related("author"))
    for book in books:
        book.first_author_books = [book]
    M.prefetch_related_objects(books, "first_author_books__tags")
    return books


def _call_prefetch_related_objects(M):
    authors = list(M.Author.objects.all())
    M.prefetch_related_objects(authors, "books")
    return authors


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_matches_django_with_the_same_query_count(name):
    fetch, read = SCENARIOS[name]
    load(R)
    load(D)
    with oracle.num_queries() as django_queries:
        django_objs = fetch(D)
    with oracle.num_queries() as django_reads:
        expected = read(D, django_objs)
    assert len(django_reads) == 0, "the scenario's reading part must be query-free on Django"
    with assert_num_queries(len(django_queries)):
        relata_objs = fetch(R)
    with assert_num_queries(0):
        assert read(R, relata_objs) == expected


# -- query counts spelled out -------------------------------------------------------


def test_one_query_per_level():
    load(R)
    with assert_num_queries(1):
        list(R.Author.objects.all())
    with assert_num_queries(2):
        authors = list(R.Author.objects.prefetch_related("books"))
    with assert_num_queries(3):
        authors = list(R.Author.objects.prefetch_related("books__tags"))
    with assert_num_queries(0):
        assert [t.name for t in authors[0].books.all()[0].tags.all()] == ["python", "web"]


def test_to_attr_leaves_the_manager_uncached():
    load(R)
    (alex,) = R.Author.objects.filter(name="Alex").prefetch_related(R.Prefetch("books", to_attr="book_list"))
    with assert_num_queries(0):
        assert [b.title for b in alex.book_list] == ["A", "B"]
    with assert_num_queries(1):
        assert alex.books.count() == 2


def test_filter_on_a_prefetched_manager_queries():
    load(R)
    (alex,) = R.Author.objects.filter(name="Alex").prefetch_related("books")
    with assert_num_queries(1):
        assert [b.title for b in alex.books.filter(pages=300)] == ["A"]


def test_iterator_with_chunk_size_prefetches_per_chunk():
    load(R)
    with assert_num_queries(3):
        authors = list(R.Author.objects.prefetch_related("books").iterator(chunk_size=2))
    with assert_num_queries(0):
        assert books_by_author(authors) == [("Alex", ["A", "B"]), ("Kim", []), ("Sam", ["C"])]


def test_missing_reverse_one_to_one_after_prefetch_raises_without_a_query():
    load(R)
    authors = list(R.Author.objects.prefetch_related("bio"))
    with assert_num_queries(0), pytest.raises(R.Author.bio.RelatedObjectDoesNotExist):
        authors[1].bio  # noqa: B018


# -- bad input ------------------------------------------------------------------------


def test_unknown_lookup_is_attribute_error():
    load(R)
    with pytest.raises(AttributeError, match="Cannot find 'nope' on Author object, 'nope' is an invalid parameter"):
        list(R.Author.objects.prefetch_related("nope"))


def test_non_relation_lookup_is_value_error():
    load(R)
    with pytest.raises(ValueError, match="'name' does not resolve to an item that supports prefetching"):
        list(R.Author.objects.prefetch_related("name"))


def test_values_queryset_in_prefetch_is_value_error():
    with pytest.raises(ValueError, match=r"Prefetch querysets cannot use raw\(\), values\(\), and values_list\(\)"):
        R.Prefetch("books", queryset=R.Book.objects.values("title"))


def test_to_attr_clashing_with_a_field_is_value_error():
    load(R)
    with pytest.raises(ValueError, match="to_attr=tags conflicts with a field on the Book model"):
        list(R.Book.objects.prefetch_related(R.Prefetch("tags", queryset=R.Tag.objects.all(), to_attr="tags")))


def test_error_messages_name_the_whole_lookup():
    load(R)
    with pytest.raises(
        AttributeError, match="Cannot find 'nope' on Book object, 'books__nope' is an invalid parameter"
    ):
        list(R.Author.objects.prefetch_related("books__nope"))
    with pytest.raises(ValueError, match="'books__title' does not resolve to an item that supports prefetching"):
        list(R.Author.objects.prefetch_related("books__title"))


def test_single_object_prefetches_are_not_ordered():
    """Each instance gets at most one object: an ORDER BY would only cost time (as Django)."""
    load(R)
    books = list(R.Book.objects.all())
    with CaptureQueries() as captured:
        R.prefetch_related_objects(books, R.Prefetch("author", queryset=R.Author.objects.order_by("-name")))
    assert "ORDER BY" not in captured[0].sql
    authors = list(R.Author.objects.all())
    with CaptureQueries() as captured:
        R.prefetch_related_objects(authors, "bio")
    assert "ORDER BY" not in captured[0].sql


def test_chaining_from_a_prefetched_manager_keeps_the_prefetch_queryset():
    load(R)
    load(D)

    def chained(M):
        fetch = M.Prefetch("books", queryset=M.Book.objects.filter(pages=300))
        return [(a.name, [b.title for b in a.books.all().all()]) for a in M.Author.objects.prefetch_related(fetch)]

    assert chained(R) == chained(D)
    assert chained(R) == [("Alex", ["A"]), ("Kim", []), ("Sam", ["C"])]


def test_get_prefetcher_and_prefetch_one_level_follow_djangos_protocol():
    from relata.models.query import get_prefetcher, prefetch_one_level

    load(R)
    books = list(R.Book.objects.all())
    prefetcher, descriptor, found, is_fetched = get_prefetcher(books[0], "author", "author")
    assert prefetcher is R.Book.author and descriptor is R.Book.author and found
    assert not is_fetched(books[0])
    rows, rel_attr, instance_attr, single, cache_name, is_descriptor = prefetcher.get_prefetch_querysets(books)
    assert (single, cache_name, is_descriptor) == (True, "author", False)
    assert sorted(rel_attr(a) for a in rows) == sorted({instance_attr(b) for b in books})
    with assert_num_queries(1):
        related, more = prefetch_one_level(books, prefetcher, R.Prefetch("author"), 0)
    assert more == [] and {a.name for a in related} == {"Alex", "Sam"}
    assert all(is_fetched(b) for b in books)

    alex = R.Author.objects.get(name="Alex")
    manager, descriptor, found, is_fetched = get_prefetcher(alex, "books", "books")
    assert descriptor is R.Author.books and hasattr(manager, "get_prefetch_querysets")
    rows, rel_attr, instance_attr, single, cache_name, _ = manager.get_prefetch_querysets([alex])
    assert (single, cache_name, [b.title for b in rows]) == (False, "books", ["A", "B"])
    _, _, found, _ = get_prefetcher(alex, "missing", "missing")
    assert not found


def test_a_descriptor_subclass_with_its_own_querysets_is_used():
    from relata.models.fields.related import ForwardManyToOneDescriptor
    from relata.models.query import prefetch_one_level

    class OnlyAlex(ForwardManyToOneDescriptor):
        def get_prefetch_querysets(self, instances, querysets=None):
            return super().get_prefetch_querysets(instances, [R.Author.objects.filter(name="Alex")])

    load(R)
    books = list(R.Book.objects.order_by("title"))
    prefetch_one_level(books, OnlyAlex(R.Book._meta.get_field("author")), R.Prefetch("author"), 0)
    with assert_num_queries(0):
        assert [b._state.fields_cache.get("author") and b.author.name for b in books] == ["Alex", "Alex", None]


def test_querysets_argument_takes_one_queryset():
    load(R)
    with pytest.raises(ValueError, match=r"querysets argument of get_prefetch_querysets\(\) should have a length of 1"):
        R.Book.author.get_prefetch_querysets(list(R.Book.objects.all()), [R.Author.objects.all()] * 2)


def test_fields_cache_is_a_view_of_the_loaded_relations():
    load(R)
    book = R.Book.objects.select_related("author").get(title="A")
    assert dict(book._state.fields_cache) == {"author": book.author}
    del book._state.fields_cache["author"]
    assert not R.Book.author.is_cached(book)
    with assert_num_queries(1):
        assert book.author.name == "Alex"
    assert "author" in book._state.fields_cache
    with pytest.raises(KeyError, match="'title' is not a single-object relation of Book"):
        book._state.fields_cache["title"] = "x"


def test_a_copied_instance_has_its_own_state():
    import copy

    load(R)
    book = R.Book.objects.select_related("author").get(title="A")
    book._state.db = "default"
    twin = copy.copy(book)
    assert twin._state is not book._state
    twin.author = R.Author.objects.get(name="Sam")
    assert book.author.name == "Alex" and twin.author.name == "Sam"
    assert twin._state.fields_cache["author"].name == "Sam"


def test_djangos_deprecated_singular_methods_still_work_and_warn():
    from relata.deprecation import RemovedInDjango60Warning

    load(R)
    books = list(R.Book.objects.all())
    with pytest.warns(RemovedInDjango60Warning, match=r"get_prefetch_queryset\(\) is deprecated") as caught:
        rows, *_ = R.Book.author.get_prefetch_queryset(books)
    assert caught[0].filename == __file__
    assert sorted(a.name for a in rows) == ["Alex", "Sam"]
    with pytest.warns(RemovedInDjango60Warning, match=r"get_current_queryset\(\) is deprecated"):
        assert R.Prefetch("books", R.Book.objects.all()).get_current_queryset(0) is not None
