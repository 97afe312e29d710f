"""SQL nodes compiled with no database: (sql, params) from the neutral and SQLite compilers."""

import pytest

from relata.backends.sqlite.compiler import SQLiteCompiler
from relata.sql import nodes as n
from relata.sql.compiler import SQLCompiler


def sqlite(node):
    return SQLiteCompiler().compile(node)


def ansi(node):
    return SQLCompiler().compile(node)


T = n.Table("app_book", "app_book")
TITLE = n.Col("app_book", "title")
PAGES = n.Col("app_book", "pages")


def select(**kwargs):
    return n.Select(((TITLE, None),), T, **kwargs)


def test_plain_select():
    assert sqlite(select()) == ('SELECT "app_book"."title" FROM "app_book"', [])


def test_values_become_placeholders_in_order():
    where = n.And((n.Lookup("exact", TITLE, n.Param("a'; --")), n.Lookup("gt", PAGES, n.Param(3))))
    sql, params = sqlite(select(where=where))
    assert sql.endswith('WHERE "app_book"."title" = ? AND "app_book"."pages" > ?')
    assert params == ["a'; --", 3]
    sql, params = ansi(select(where=where))
    assert sql.endswith('WHERE "app_book"."title" = %s AND "app_book"."pages" > %s')


def test_slots_stay_in_params_until_execution():
    slot = n.Slot(0, prep=lambda v: f"%{v}%")
    sql, params = sqlite(select(where=n.Lookup("contains", TITLE, slot)))
    assert sql.endswith("""WHERE "app_book"."title" LIKE ? ESCAPE '\\'""")
    assert params == [slot] and params[0].resolve(["x"]) == "%x%"


def test_identifiers_are_quoted_and_escaped():
    sql, _ = sqlite(n.Select(((n.Col("t", 'we"ird'), "al ias"),), n.Table("my table", "t")))
    assert sql == 'SELECT "t"."we""ird" AS "al ias" FROM "my table" "t"'


@pytest.mark.parametrize(
    ("lookup", "sqlite_sql"),
    [
        ("exact", '"app_book"."title" = ?'),
        ("iexact", 'LOWER("app_book"."title") = LOWER(?)'),
        ("icontains", """LOWER("app_book"."title") LIKE LOWER(?) ESCAPE '\\'"""),
        ("startswith", """"app_book"."title" LIKE ? ESCAPE '\\'"""),
        ("regex", '"app_book"."title" REGEXP ?'),
        ("iregex", """"app_book"."title" REGEXP ('(?i)' || ?)"""),
        ("lte", '"app_book"."title" <= ?'),
    ],
)
def test_lookup_spelling(lookup, sqlite_sql):
    sql, params = sqlite(n.Lookup(lookup, TITLE, n.Param("v")))
    assert (sql, params) == (sqlite_sql, ["v"])


def test_unknown_lookup_names_it():
    with pytest.raises(ValueError, match="'near'"):
        sqlite(n.Lookup("near", TITLE, n.Param(1)))


def test_in_between_isnull_not_or():
    node = n.Or(
        (
            n.In(PAGES, (n.Param(1), n.Param(2))),
            n.Not(n.Between(PAGES, n.Param(3), n.Param(4))),
            n.IsNull(TITLE, negated=True),
        )
    )
    sql, params = sqlite(node)
    assert sql == (
        '("app_book"."pages" IN (?, ?) OR NOT ("app_book"."pages" BETWEEN ? AND ?) OR "app_book"."title" IS NOT NULL)'
    )
    assert params == [1, 2, 3, 4]


def test_in_subquery():
    sub = n.Select(
        ((n.Col("U0", "id"), None),), n.Table("app_book", "U0"), where=n.Lookup("gt", n.Col("U0", "pages"), n.Param(5))
    )
    sql, params = sqlite(n.In(n.Col("app_book", "id"), sub))
    assert sql == '"app_book"."id" IN (SELECT "U0"."id" FROM "app_book" "U0" WHERE "U0"."pages" > ?)'
    assert params == [5]


def test_nothing_and_everything():
    assert sqlite(n.Nothing()) == ("1 = 0", [])
    assert sqlite(n.Everything()) == ("1 = 1", [])


def test_date_parts_on_sqlite():
    assert sqlite(n.Extract("year", PAGES))[0] == """CAST(STRFTIME('%Y', "app_book"."pages") AS INTEGER)"""
    assert sqlite(n.Extract("date", PAGES))[0] == 'DATE("app_book"."pages")'
    assert ansi(n.Extract("month", PAGES))[0] == 'EXTRACT(MONTH FROM "app_book"."pages")'
    with pytest.raises(ValueError, match="Cannot extract 'fortnight'"):
        sqlite(n.Extract("fortnight", PAGES))


def test_aggregates_distinct_and_filter():
    count = n.Func("COUNT", (PAGES,), distinct=True, filter=n.Lookup("gt", PAGES, n.Param(1)))
    assert sqlite(count) == ('COUNT(DISTINCT "app_book"."pages") FILTER (WHERE "app_book"."pages" > ?)', [1])
    assert sqlite(n.Func("COUNT", ())) == ("COUNT(*)", [])


def test_order_group_having_limit_offset():
    node = n.Select(
        ((TITLE, None), (n.Func("SUM", (PAGES,)), "total")),
        T,
        group_by=(TITLE,),
        having=n.Lookup("gt", n.Func("SUM", (PAGES,)), n.Param(10)),
        order_by=(n.OrderBy(TITLE, descending=True), n.OrderBy(n.Random())),
        limit=5,
        offset=10,
    )
    sql, params = sqlite(node)
    assert sql == (
        'SELECT "app_book"."title", SUM("app_book"."pages") AS "total" FROM "app_book" '
        'GROUP BY "app_book"."title" HAVING SUM("app_book"."pages") > ? '
        'ORDER BY "app_book"."title" DESC, RANDOM() ASC LIMIT 5 OFFSET 10'
    )
    assert params == [10]


def test_offset_without_limit_on_sqlite():
    assert sqlite(select(offset=3))[0].endswith("LIMIT -1 OFFSET 3")
    assert ansi(select(offset=3))[0].endswith("OFFSET 3")


def test_joins():
    join = n.Join(
        n.Table("app_author", "T2"), n.Lookup("exact", n.Col("T2", "id"), n.Col("app_book", "author_id")), "LEFT"
    )
    sql, _ = sqlite(select(joins=(join,)))
    assert sql == (
        'SELECT "app_book"."title" FROM "app_book" LEFT OUTER JOIN "app_author" "T2" '
        'ON "T2"."id" = "app_book"."author_id"'
    )


def test_compound_on_sqlite_and_ansi():
    a = select(where=n.Lookup("exact", PAGES, n.Param(1)))
    b = select(where=n.Lookup("exact", PAGES, n.Param(2)), limit=1)
    node = n.Compound("UNION", (a, b), all=True, order_by=(n.OrderBy(n.Col(None, "title")),), limit=3)
    sql, params = sqlite(node)
    assert sql == (
        'SELECT "app_book"."title" FROM "app_book" WHERE "app_book"."pages" = ? UNION ALL '
        'SELECT * FROM (SELECT "app_book"."title" FROM "app_book" WHERE "app_book"."pages" = ? LIMIT 1) '
        'ORDER BY "title" ASC LIMIT 3'
    )
    assert params == [1, 2]
    assert ansi(node)[0].startswith('(SELECT "app_book"."title"')


def test_insert_update_delete():
    insert = n.Insert("app_book", ("title", "pages"), ((n.Param("a"), n.Param(1)), (n.Param("b"), n.Param(2))), ("id",))
    assert sqlite(insert) == (
        'INSERT INTO "app_book" ("title", "pages") VALUES (?, ?), (?, ?) RETURNING "id"',
        ["a", 1, "b", 2],
    )
    assert sqlite(n.Insert("app_book", (), ((),)))[0] == 'INSERT INTO "app_book" DEFAULT VALUES'
    update = n.Update(
        "app_book",
        (("pages", n.BinOp("+", n.Col(None, "pages"), n.Param(1))),),
        n.Lookup("exact", n.Col(None, "id"), n.Param(7)),
    )
    assert sqlite(update) == ('UPDATE "app_book" SET "pages" = ("pages" + ?) WHERE "id" = ?', [1, 7])
    assert sqlite(n.Delete("app_book", n.In(n.Col(None, "id"), (n.Param(1),)))) == (
        'DELETE FROM "app_book" WHERE "id" IN (?)',
        [1],
    )


def test_on_conflict():
    ignore = n.Insert("t", ("a",), ((n.Param(1),),), on_conflict=("ignore",))
    assert sqlite(ignore)[0].endswith("ON CONFLICT DO NOTHING")
    upsert = n.Insert("t", ("a", "b"), ((n.Param(1), n.Param(2)),), on_conflict=("update", ("a",), ("b",)))
    assert sqlite(upsert)[0].endswith('ON CONFLICT("a") DO UPDATE SET "b" = EXCLUDED."b"')


def test_case_cast_and_pattern_from_expression():
    case = n.Case((n.When(n.Lookup("gt", PAGES, n.Param(1)), n.Param("big")),), n.Param("small"))
    assert sqlite(case) == ('CASE WHEN "app_book"."pages" > ? THEN ? ELSE ? END', [1, "big", "small"])
    assert sqlite(n.Cast(PAGES, "text"))[0] == 'CAST("app_book"."pages" AS text)'
    sql, _ = sqlite(n.Lookup("contains", TITLE, n.Col("app_book", "genre")))
    assert "REPLACE(" in sql and "'%'" in sql  # the column's text is escaped, then wrapped in wildcards


def test_nodes_are_hashable_and_compare_by_value():
    assert select() == select() and hash(select()) == hash(select())
    assert select(limit=1) != select(limit=2)
