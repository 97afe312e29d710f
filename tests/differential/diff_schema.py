"""The differential campaign's schema and data, declared once for relata and for Django.

`declare(m, meta_base)` builds the same relation-rich models on either ORM: a
forward FK (Book.publisher), a nullable FK (Book.editor, Author.publisher), a
self FK (Author.mentor), an O2O (Profile.author), an auto M2M (Book.authors)
and an M2M with `through=` (Book.tags via Tagging). `dataset(seed)` makes rows
from small value domains, so generated lookups match some rows, some NULLs and
some case variants; `load(models, rows)` writes them with explicit ids.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

#: The values columns take and literals are drawn from: small, so equalities match.
STRINGS = ["a", "b", "ab", "Ab", "ba", "c", ""]
INTS = [0, 1, 2, 3, 5, 8, 13]
DECIMALS = [Decimal(v) for v in ("0.00", "1.50", "2.25", "9.99", "10.00", "12.50")]
FLOATS = [0.0, 0.5, 1.5, 2.25, 4.0]

#: The concrete fields each model offers to lookups and expressions, by value kind.
FIELDS: dict[str, dict[str, str]] = {
    "Publisher": {"id": "int", "name": "str", "city": "str", "founded": "int"},
    "Author": {"id": "int", "name": "str", "age": "int", "rating": "dec"},
    "Tag": {"id": "int", "name": "str"},
    "Book": {"id": "int", "title": "str", "pages": "int", "price": "dec", "score": "float"},
    "Tagging": {"id": "int", "weight": "int"},
    "Profile": {"id": "int", "bio": "str", "karma": "int"},
}

#: Fields that hold NULL in some rows (`isnull` and NULL ordering matter there).
NULLABLE = {("Publisher", "city"), ("Author", "rating"), ("Book", "score"), ("Profile", "karma")}

#: Every relation by its query name: (target model, multi-valued?).
RELATIONS: dict[str, dict[str, tuple[str, bool]]] = {
    "Publisher": {"books": ("Book", True), "authors": ("Author", True)},
    "Author": {
        "publisher": ("Publisher", False),
        "mentor": ("Author", False),
        "mentees": ("Author", True),
        "books": ("Book", True),
        "edited": ("Book", True),
        "profile": ("Profile", False),
    },
    "Tag": {"books": ("Book", True), "tagging": ("Tagging", True)},
    "Book": {
        "publisher": ("Publisher", False),
        "editor": ("Author", False),
        "authors": ("Author", True),
        "tags": ("Tag", True),
        "tagging": ("Tagging", True),
    },
    "Tagging": {"book": ("Book", False), "tag": ("Tag", False)},
    "Profile": {"author": ("Author", False)},
}

#: Fields a generated update() may set, by model (concrete, non-key).
UPDATABLE = {
    "Publisher": ["name", "city", "founded"],
    "Author": ["name", "age", "rating"],
    "Tag": ["name"],
    "Book": ["title", "pages", "price", "score"],
    "Tagging": ["weight"],
    "Profile": ["bio", "karma"],
}

#: Models in insertion order (dependencies first).
MODEL_NAMES = ["Publisher", "Author", "Tag", "Book", "Tagging", "Profile"]


def declare(m: Any, base: Any) -> dict[str, Any]:
    """The schema's models on the ORM `m` (relata.models or django.db.models), by name."""

    class Publisher(m.Model):
        name = m.CharField(max_length=20)
        city = m.CharField(max_length=20, null=True)
        founded = m.IntegerField()

        class Meta(base):
            pass

    class Author(m.Model):
        name = m.CharField(max_length=20)
        age = m.IntegerField()
        rating = m.DecimalField(max_digits=6, decimal_places=2, null=True)
        publisher = m.ForeignKey(Publisher, m.SET_NULL, null=True, related_name="authors")
        mentor = m.ForeignKey("self", m.SET_NULL, null=True, related_name="mentees")

        class Meta(base):
            pass

    class Tag(m.Model):
        name = m.CharField(max_length=20)

        class Meta(base):
            pass

    class Book(m.Model):
        title = m.CharField(max_length=20)
        pages = m.IntegerField()
        price = m.DecimalField(max_digits=6, decimal_places=2)
        score = m.FloatField(null=True)
        publisher = m.ForeignKey(Publisher, m.CASCADE, related_name="books")
        editor = m.ForeignKey(Author, m.SET_NULL, null=True, related_name="edited")
        authors = m.ManyToManyField(Author, related_name="books")
        tags = m.ManyToManyField(Tag, through="Tagging", related_name="books")

        class Meta(base):
            pass

    class Tagging(m.Model):
        book = m.ForeignKey(Book, m.CASCADE)
        tag = m.ForeignKey(Tag, m.CASCADE)
        weight = m.IntegerField()

        class Meta(base):
            pass

    class Profile(m.Model):
        author = m.OneToOneField(Author, m.CASCADE, related_name="profile")
        bio = m.CharField(max_length=20)
        karma = m.IntegerField(null=True)

        class Meta(base):
            pass

    return {model.__name__: model for model in (Publisher, Author, Tag, Book, Tagging, Profile)}


def dataset(seed: int) -> dict[str, list[dict[str, Any]]]:
    """Rows for every model (and the Book.authors pairs) from a seeded generator."""
    rnd = random.Random(seed)

    def maybe(values: list[Any], null_rate: float = 0.25) -> Any:
        return None if rnd.random() < null_rate else rnd.choice(values)

    rows: dict[str, list[dict[str, Any]]] = {}
    rows["Publisher"] = [
        {"id": i, "name": rnd.choice(STRINGS), "city": maybe(STRINGS), "founded": rnd.choice(INTS)} for i in range(1, 6)
    ]
    authors = []
    for i in range(1, 11):
        authors.append(
            {
                "id": i,
                "name": rnd.choice(STRINGS),
                "age": rnd.choice(INTS),
                "rating": maybe(DECIMALS),
                "publisher_id": maybe(range(1, 6)),
                # Mentors come earlier, so rows load in id order.
                "mentor_id": maybe(range(1, i)) if i > 1 else None,
            }
        )
    rows["Author"] = authors
    rows["Tag"] = [{"id": i, "name": rnd.choice(STRINGS)} for i in range(1, 6)]
    rows["Book"] = [
        {
            "id": i,
            "title": rnd.choice(STRINGS),
            "pages": rnd.choice(INTS),
            "price": rnd.choice(DECIMALS),
            "score": maybe(FLOATS),
            "publisher_id": rnd.randint(1, 5),
            "editor_id": maybe(range(1, 11), 0.4),
        }
        for i in range(1, 15)
    ]
    rows["Book_authors"] = sorted(
        {(book, rnd.randint(1, 10)) for book in range(1, 15) for _ in range(rnd.choice([0, 1, 1, 2, 3]))}
    )
    pairs = sorted({(book, rnd.randint(1, 5)) for book in range(1, 15) for _ in range(rnd.choice([0, 1, 2]))})
    rows["Tagging"] = [
        {"id": i, "book_id": book, "tag_id": tag, "weight": rnd.choice(INTS)} for i, (book, tag) in enumerate(pairs, 1)
    ]
    owners = rnd.sample(range(1, 11), 6)
    rows["Profile"] = [
        {"id": i, "author_id": owner, "bio": rnd.choice(STRINGS), "karma": maybe(INTS)}
        for i, owner in enumerate(sorted(owners), 1)
    ]
    return rows


def load(models: dict[str, Any], rows: dict[str, list[dict[str, Any]]], manager: Any = None) -> None:
    """Write `rows` through the ORM of `models`; `manager(model)` picks the manager (Django's database)."""
    manager = manager or (lambda model: model.objects)
    for name in MODEL_NAMES:
        model = models[name]
        manager(model).bulk_create([model(**row) for row in rows[name]])
    through = models["Book"].authors.through
    manager(through).bulk_create([through(book_id=b, author_id=a) for b, a in rows["Book_authors"]])


def table_models(models: dict[str, Any]) -> list[Any]:
    """Every table of the schema, auto-created through table included."""
    return [models[name] for name in MODEL_NAMES] + [models["Book"].authors.through]


def crosses_many(model: str, path: str) -> bool:
    """Whether the lookup path from `model` goes through a multi-valued relation."""
    for hop in path.lstrip("-").split("__"):
        relation = RELATIONS[model].get(hop)
        if relation is None:
            return False
        model, multi = relation
        if multi:
            return True
    return False


def kind_of(model: str, path: str) -> str | None:
    """The value kind ("int", "dec", ...) at the end of a lookup path, or None for a relation."""
    *hops, last = path.split("__")
    for hop in hops:
        model = RELATIONS[model][hop][0]
    return FIELDS[model].get(last)
