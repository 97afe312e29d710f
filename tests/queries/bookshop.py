"""A shared scenario for query tests: the same Book table on relata and on Django.

`declare(models_module, meta_base)` defines the models (meta_base carries the
app label: `oracle.Meta(label)` for Django, `relata_meta(label)` for relata); `fill(Book)`
writes identical rows (explicit ids) on either side; `normalize(result)` turns
a query result into plain data so the two sides compare with `==`.
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any

ROWS = [
    # id, title, pages, price, rating, published, stamp, genre, in_print
    (1, "The Hobbit", 310, "9.99", 4.7, (1937, 9, 21), (1937, 9, 21, 10, 0), "fantasy", True),
    (2, "Dune", 412, "12.50", 4.5, (1965, 8, 1), (1965, 8, 1, 23, 30), "scifi", True),
    (3, "Emma", 474, "7.25", 3.9, (1815, 12, 23), (1815, 12, 23, 8, 15), "classic", False),
    (4, "the road", 287, "14.00", None, (2006, 9, 26), (2006, 9, 26, 12, 0), "", True),
    (5, "Neuromancer", 271, "11.00", 4.1, (1984, 7, 1), (1984, 7, 1, 0, 0), "scifi", False),
    (6, "Hyperion", 482, "12.50", 4.3, (1989, 5, 26), (1989, 5, 26, 18, 45), "scifi", True),
    (7, "100% Pure_Text", 50, "1.00", 2.0, (2020, 2, 29), (2020, 2, 29, 6, 5), "misc", True),
    (8, "Persuasion", 249, "6.75", 4.0, (1817, 12, 20), (1817, 12, 20, 14, 0), "classic", True),
]


def relata_meta(app_label: str) -> type:
    return type("Meta", (), {"app_label": app_label})


def declare(m: Any, base: Any) -> tuple[Any, Any]:
    class Book(m.Model):
        title = m.CharField(max_length=50)
        pages = m.IntegerField()
        price = m.DecimalField(max_digits=6, decimal_places=2)
        rating = m.FloatField(null=True)
        published = m.DateField()
        stamp = m.DateTimeField()
        genre = m.CharField(max_length=20, blank=True)
        in_print = m.BooleanField(default=True)

        class Meta(base):
            pass

    class Shelf(m.Model):
        name = m.CharField(max_length=20)
        rank = m.IntegerField()

        class Meta(base):
            ordering = ["-rank", "name"]

    return Book, Shelf


def fill(book_model: Any, shelf_model: Any | None = None) -> None:
    for row in ROWS:
        ident, title, pages, price, rating, published, stamp, genre, in_print = row
        book_model.objects.create(
            id=ident,
            title=title,
            pages=pages,
            price=decimal.Decimal(price),
            rating=rating,
            published=datetime.date(*published),
            stamp=datetime.datetime(*stamp),
            genre=genre,
            in_print=in_print,
        )
    if shelf_model is not None:
        for ident, (name, rank) in enumerate([("b", 2), ("a", 2), ("c", 3), ("d", 1)], 1):
            shelf_model.objects.create(id=ident, name=name, rank=rank)


def normalize(result: Any) -> Any:
    """Plain data for comparison: instances become ('Model', pk)."""
    if hasattr(result, "_meta") and hasattr(result, "pk"):
        return (type(result).__name__, result.pk)
    if isinstance(result, dict):
        return {k: normalize(v) for k, v in result.items()}
    if isinstance(result, tuple) and hasattr(result, "_fields"):
        return ("row", tuple(result._fields), tuple(normalize(v) for v in result))
    if isinstance(result, list | tuple):
        return [normalize(v) for v in result]
    if hasattr(result, "__iter__") and not isinstance(result, str | bytes):
        return [normalize(v) for v in result]
    if result is None:
        return None
    if isinstance(result, datetime.datetime) and result.utcoffset() == datetime.timedelta(0):
        # PostgreSQL and MySQL store an instant: the naive values fill() wrote come
        # back aware in UTC (features.can_return_naive_datetimes); compare as naive UTC.
        result = result.replace(tzinfo=None)
    return (type(result).__name__, result)
