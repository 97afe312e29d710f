"""The compiled-statement cache carries every value of the call that uses it.

Each scenario runs one statement shape at least twice with different values
and compares with Django (the oracle) or with the same calls when nothing is
cached: a cached compilation must answer as a fresh one would.
"""

import pytest

import oracle
import relata
from relata import models
from relata.backends.base.statements import CompileSettings, StaleStatementError, StatementCache
from relata.backends.base.statements import settings as compile_settings
from relata.models.query.build import QueryBuilder
from relata.models.query.state import QueryState
from relata.testing import compile_cache_off, compile_check
from relata.testing.pytest_plugin import use_models

APP = "q_compile_cache"
needs_cache = pytest.mark.skipif(not compile_settings.enabled, reason="RELATA_COMPILE_CACHE=off")


def define(m, base):
    class Author(m.Model):
        name = m.CharField(max_length=50)

        class Meta(base):
            app_label = APP

    class Book(m.Model):
        title = m.CharField(max_length=50)
        status = m.CharField(max_length=10, default="draft")
        pages = m.IntegerField(default=0)
        author = m.ForeignKey(Author, on_delete=m.CASCADE, related_name="books")

        class Meta(base):
            app_label = APP

    class Shelf(m.Model):
        """Has a dependent (Slot), so deleting shelves goes through the cascade paths."""

        label = m.CharField(max_length=20)

        class Meta(base):
            app_label = APP

    class Slot(m.Model):
        shelf = m.ForeignKey(Shelf, on_delete=m.CASCADE)
        position = m.IntegerField()

        class Meta(base):
            app_label = APP

    return Author, Book, Shelf, Slot


class Base:
    pass


class rl:
    m = models
    Author, Book, Shelf, Slot = define(models, Base)


class dj:
    m = oracle.models
    Author, Book, Shelf, Slot = define(oracle.models, oracle.Meta(APP))


use_models(rl.Author, rl.Book, rl.Shelf, rl.Slot)
oracle.use_django_models(dj.Author, dj.Book, dj.Shelf, dj.Slot)


def seed(ns):
    sam = ns.Author.objects.create(name="Sam")
    alex = ns.Author.objects.create(name="Alex")
    ns.Author.objects.create(name="B")
    for title, pages in (("s1", 5), ("s2", 50), ("s3", 500)):
        ns.Book.objects.create(title=title, pages=pages, author=sam)
    for title, pages in (("a1", 7), ("a2", 70)):
        ns.Book.objects.create(title=title, pages=pages, author=alex)
    for label in ("top", "middle", "bottom"):
        shelf = ns.Shelf.objects.create(label=label)
        for position in range(2):
            ns.Slot.objects.create(shelf=shelf, position=position)


def rows(ns):
    books = list(ns.Book.objects.order_by("title").values_list("title", "status", "pages", "author__name"))
    authors = list(ns.Author.objects.order_by("name").values_list("name", flat=True))
    shelves = list(ns.Shelf.objects.order_by("label").values_list("label", flat=True))
    slots = list(ns.Slot.objects.order_by("shelf__label", "position").values_list("shelf__label", "position"))
    return books, authors, shelves, slots


def on_both(scenario):
    """The scenario's results and the rows it leaves, on relata and on Django."""
    seed(rl)
    seed(dj)
    ours = scenario(rl), rows(rl)
    theirs = scenario(dj), rows(dj)
    return ours, theirs


@pytest.fixture
def unchecked():
    """Check mode off, so a stale statement shows as a wrong answer rather than a StaleStatementError."""
    previous = compile_check(False)
    yield
    compile_check(previous)


# -- the reproductions ----------------------------------------------------------


def test_update_across_a_join_twice_with_different_values(unchecked):
    def scenario(ns):
        first = ns.Book.objects.filter(author__name="Sam").update(status="live")
        second = ns.Book.objects.filter(author__name="Nobody").update(status="y")
        return first, second

    ours, theirs = on_both(scenario)
    assert ours == theirs
    assert ours[0] == (3, 0)


def test_update_with_f_across_a_join_twice_with_different_values(unchecked):
    def scenario(ns):
        alex = ns.Book.objects.filter(author__name="Alex", pages__gt=10).update(pages=ns.m.F("pages") + 1)
        sam = ns.Book.objects.filter(author__name="Sam", pages__gt=100).update(pages=ns.m.F("pages") + 1)
        return alex, sam

    ours, theirs = on_both(scenario)
    assert ours == theirs
    assert ours[0] == (1, 1)


def test_queryset_delete_across_a_join_twice_with_different_values(unchecked):
    def scenario(ns):
        return ns.Book.objects.filter(author__name="Sam").delete(), ns.Book.objects.filter(author__name="Alex").delete()

    ours, theirs = on_both(scenario)
    assert ours == theirs
    assert ours[0][1][0] == 2


def test_aggregate_over_distinct_with_two_functions_under_one_alias(unchecked):
    def scenario(ns):
        qs = ns.Book.objects.filter(pages__gt=6)
        return [qs.distinct().aggregate(x=function("pages"))["x"] for function in (ns.m.Sum, ns.m.Max, ns.m.Min)]

    ours, theirs = on_both(scenario)
    assert ours == theirs
    assert ours[0] == [627, 500, 7]


def test_get_with_a_pattern_lookup_and_a_wildcard_after_one_without(unchecked):
    def scenario(ns):
        ns.Author.objects.create(name="50%")
        ns.Author.objects.create(name="500")
        return [ns.Author.objects.get(name__contains=text).name for text in ("am", "0%", "le")]

    ours, theirs = on_both(scenario)
    assert ours == theirs


def test_subquery_with_a_list_is_not_keyed_by_identity(unchecked):
    """An unhashable Subquery() state makes its statement uncacheable; ids of dead querysets are reused."""

    def scenario(ns):
        counts = []
        for titles in (["s1"], ["s1", "s2", "a1"], ["a1", "a2"], ["s3"]):
            inner = ns.Book.objects.filter(title__in=titles).values("author")
            counts.append(ns.Author.objects.filter(pk__in=ns.m.Subquery(inner)).order_by("name").count())
        return counts

    ours, theirs = on_both(scenario)
    assert ours == theirs


# -- the mechanism ----------------------------------------------------------------------


def mixed(ns, name, pages, status):
    """Many statement kinds, each with values: filter, exclude, Q, values, count, exists,
    aggregate, update, delete, prefetch."""
    m, out = ns.m, []
    books = ns.Book.objects
    out.append(list(books.filter(author__name=name).order_by("title").values_list("title", flat=True)))
    out.append(list(books.exclude(pages__lt=pages).order_by("title").values_list("title", "pages")))
    out.append(books.filter(m.Q(pages__gte=pages) | m.Q(title__startswith=name[:1].lower())).count())
    out.append(books.filter(author__name=name, pages__gt=pages).exists())
    out.append(books.filter(author__name=name).aggregate(total=m.Sum("pages"), top=m.Max("pages")))
    out.append(books.filter(pages__gt=pages).distinct().aggregate(low=m.Min("pages")))
    out.append(list(books.filter(pages__gt=pages).values("author__name").order_by("author__name").distinct()))
    authors = ns.Author.objects.filter(name=name).prefetch_related("books")
    out.append([(a.name, sorted(b.title for b in a.books.all())) for a in authors])
    out.append(books.filter(author__name=name, pages__lt=pages).update(status=status, pages=m.F("pages") * 2))
    out.append(books.filter(status=status).update(status=status + "!"))
    out.append(ns.Slot.objects.filter(shelf__label=name.lower(), position__gte=1).delete())
    out.append(ns.Shelf.objects.filter(label__startswith=name[:1].lower()).delete())
    out.append(rows(ns))
    return out


CALLS = [("Sam", 60, "live"), ("Alex", 10, "gone"), ("Sam", 5, "held"), ("Nobody", 0, "x")]


def test_a_mix_of_shapes_twice_gives_the_same_answers_with_the_cache_off_and_on():
    seed(rl)
    with compile_cache_off():
        uncached = [mixed(rl, *call) for call in CALLS]
    relata.testing.truncate_tables(rl.Author, rl.Book, rl.Shelf, rl.Slot)
    seed(rl)
    cached = [mixed(rl, *call) for call in CALLS]
    assert cached == uncached
    seed(dj)
    assert [mixed(dj, *call) for call in CALLS] == uncached


@needs_cache
def test_check_mode_reports_a_cached_entry_that_differs_from_a_fresh_compilation():
    seed(rl)
    connection = relata.connections["default"]
    cache = connection.statements
    cache.clear()
    assert rl.Book.objects.filter(author__name="Sam").count() == 3
    (key,) = [k for k in cache if type(k).__name__ == "CountStatement"]
    stale = cache.get(key)
    cache.add(
        key,
        type(stale)(stale.sql.replace("COUNT(*)", "COUNT(*) + 1"), stale.template, None, False, stale.lookups_version),
    )
    previous = compile_check(True)
    try:
        with pytest.raises(StaleStatementError, match="CountStatement"):
            rl.Book.objects.filter(author__name="Alex").count()
    finally:
        compile_check(previous)
        cache.clear()


@needs_cache
def test_the_statement_cache_is_bounded_and_drops_the_least_recently_used():
    cache = StatementCache(limit=2)
    cache.add("a", 1)
    cache.add("b", 2)
    assert cache.get("a") == 1  # now the most recent
    cache.add("c", 3)
    assert "b" not in cache and "a" in cache and "c" in cache
    assert len(cache) == 2


def test_the_builder_refuses_a_state_that_still_holds_values():
    state = QueryState(rl.Book, where=(("AND", False, (("leaf", "title", "s1"),)),))
    with pytest.raises(TypeError, match="tokenized Shape"):
        QueryBuilder(state, relata.connections["default"])


def test_the_settings_come_from_the_environment_and_refuse_what_they_do_not_understand(monkeypatch):
    monkeypatch.setenv("RELATA_COMPILE_CACHE", "off")
    monkeypatch.setenv("RELATA_COMPILE_CHECK", "1")
    read = CompileSettings()
    assert (read.enabled, read.check) == (False, True)
    monkeypatch.setenv("RELATA_COMPILE_CACHE", "sometimes")
    with pytest.raises(ValueError, match="RELATA_COMPILE_CACHE='sometimes' is not understood; set it to 'on' or 'off'"):
        CompileSettings()
