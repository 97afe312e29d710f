"""Reverse accessor and query names, checked against Django on the same models.

Each scenario is one function that declares its models with whichever
`models` module it is given; it runs once for relata and once for Django
(isolated app registry), and the names each side derives must be equal:
the accessor on the target class, the query name usable in filter(), and
which names filter() refuses.
"""

import functools

import pytest

import oracle
from relata import exceptions, models

SCENARIOS = {}


def scenario(func):
    SCENARIOS[func.__name__] = func
    return func


@scenario
def default_names(m, base, label):
    class Author(m.Model):
        name = m.CharField(max_length=50)

        class Meta(base):
            app_label = label

    class Book(m.Model):
        author = m.ForeignKey(Author, on_delete=m.CASCADE)

        class Meta(base):
            app_label = label

    class Profile(m.Model):
        author = m.OneToOneField(Author, on_delete=m.CASCADE)

        class Meta(base):
            app_label = label

    class Tag(m.Model):
        authors = m.ManyToManyField(Author)

        class Meta(base):
            app_label = label

    return Author


@scenario
def related_name_set(m, base, label):
    class Author(m.Model):
        class Meta(base):
            app_label = label

    class Book(m.Model):
        author = m.ForeignKey(Author, on_delete=m.CASCADE, related_name="books")

        class Meta(base):
            app_label = label

    class Profile(m.Model):
        author = m.OneToOneField(Author, on_delete=m.CASCADE, related_name="bio")

        class Meta(base):
            app_label = label

    class Tag(m.Model):
        authors = m.ManyToManyField(Author, related_name="tags")

        class Meta(base):
            app_label = label

    return Author


@scenario
def related_query_name_only(m, base, label):
    class Author(m.Model):
        class Meta(base):
            app_label = label

    class Book(m.Model):
        author = m.ForeignKey(Author, on_delete=m.CASCADE, related_query_name="written")

        class Meta(base):
            app_label = label

    class Tag(m.Model):
        authors = m.ManyToManyField(Author, related_query_name="label")

        class Meta(base):
            app_label = label

    return Author


@scenario
def both_names(m, base, label):
    class Author(m.Model):
        class Meta(base):
            app_label = label

    class Book(m.Model):
        author = m.ForeignKey(Author, on_delete=m.CASCADE, related_name="books", related_query_name="written")

        class Meta(base):
            app_label = label

    return Author


@scenario
def hidden_plus(m, base, label):
    class Author(m.Model):
        class Meta(base):
            app_label = label

    class Book(m.Model):
        author = m.ForeignKey(Author, on_delete=m.CASCADE, related_name="+")
        editor = m.ForeignKey(Author, on_delete=m.CASCADE, related_name="edited+")

        class Meta(base):
            app_label = label

    class Profile(m.Model):
        author = m.OneToOneField(Author, on_delete=m.CASCADE, related_name="+")

        class Meta(base):
            app_label = label

    class Tag(m.Model):
        authors = m.ManyToManyField(Author, related_name="+")

        class Meta(base):
            app_label = label

    return Author


@scenario
def self_relations(m, base, label):
    class Person(m.Model):
        friends = m.ManyToManyField("self")
        follows = m.ManyToManyField("self", symmetrical=False)
        parent = m.ForeignKey("self", on_delete=m.CASCADE, null=True)
        twin = m.OneToOneField("self", on_delete=m.CASCADE, null=True, related_name="twin_of")

        class Meta(base):
            app_label = label

    return Person


@scenario
def interpolated_abstract(m, base, label):
    class Author(m.Model):
        class Meta(base):
            app_label = label

    class Base(m.Model):
        author = m.ForeignKey(
            Author,
            on_delete=m.CASCADE,
            related_name="%(app_label)s_%(class)s_items",
            related_query_name="%(app_label)s_%(class)ss",
        )
        other = m.ForeignKey(Author, on_delete=m.CASCADE, related_name="%(model_name)s_others")

        class Meta(base):
            app_label = label
            abstract = True

    class Poem(Base):
        class Meta(base):
            app_label = label

    class Essay(Base):
        class Meta(base):
            app_label = label

    return Author


@scenario
def default_related_name(m, base, label):
    class Author(m.Model):
        class Meta(base):
            app_label = label

    class Book(m.Model):
        author = m.ForeignKey(Author, on_delete=m.CASCADE)
        coauthor = m.ForeignKey(Author, on_delete=m.CASCADE, related_name="co_books")

        class Meta(base):
            app_label = label
            default_related_name = "%(model_name)ss"

    return Author


@scenario
def string_targets(m, base, label):
    class Book(m.Model):
        author = m.ForeignKey("Author", on_delete=m.CASCADE)
        fan = m.ForeignKey(f"{label}.Author", on_delete=m.CASCADE, related_name="fan_books")

        class Meta(base):
            app_label = label

    class Author(m.Model):
        class Meta(base):
            app_label = label

    return Author


#: Names tried in filter(); each side must accept and refuse the same ones.
CANDIDATES = (
    "book",
    "books",
    "book_set",
    "written",
    "profile",
    "bio",
    "tag",
    "tags",
    "label",
    "person",
    "friends",
    "follows",
    "parent",
    "twin",
    "twin_of",
    "follows_rel_+",
    "friends_rel_+",
    "poem",
    "essay",
    "label_poems",
    "label_essays",
    "oracle_names_poem_items",
    "edited",
    "edited+",
    "co_books",
    "books_set",
    "fan_books",
)


def describe(model, label):
    """Everything about a model's reverse side that Django users observe, as plain data."""
    rels = []
    for rel in model._meta.related_objects:
        # Django's get_accessor_name() returns the internal name of a hidden
        # relation; relata returns None. Neither puts an attribute on the class.
        accessor = None if rel.hidden else rel.get_accessor_name()
        rels.append(
            (
                rel.related_model.__name__,
                rel.field.name,
                accessor,
                rel.name,
                bool(rel.hidden),
                bool(accessor) and hasattr(model, accessor),
            )
        )
    accepted = []
    for name in CANDIDATES:
        real = name.replace("oracle_names", label)
        try:
            str(model.objects.filter(**{f"{real}__isnull": False}).query)
        except Exception as error:
            assert type(error).__name__ == "FieldError", error
        else:
            accepted.append(name)
    return sorted(rels), accepted


RELATA = {name: func(models, object, f"rn_{name}") for name, func in SCENARIOS.items()}


@functools.cache
def _django_models():
    # Declared once per process: the fixture runs again for each relata backend,
    # and Django's registry cannot take the same models twice.
    return {name: func(oracle.models, oracle.Meta(f"rn_{name}"), f"rn_{name}") for name, func in SCENARIOS.items()}


@pytest.fixture(scope="module")
def django_side():
    return _django_models()


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_names_match_django(name, django_side, relata_backend):
    label = f"rn_{name}"
    assert describe(RELATA[name], label) == describe(django_side[name], label)


# -- the same rules, spelled out (they hold whatever Django does) -------------------


def test_default_accessors_and_query_names():
    author = RELATA["default_names"]
    by_field = {rel.related_model.__name__: rel for rel in author._meta.related_objects}
    assert by_field["Book"].get_accessor_name() == "book_set"
    assert by_field["Book"].name == "book"
    assert by_field["Profile"].get_accessor_name() == "profile"
    assert by_field["Tag"].get_accessor_name() == "tag_set"


def test_related_name_replaces_the_default_query_name():
    author = RELATA["related_name_set"]
    with pytest.raises(exceptions.FieldError, match="Cannot resolve keyword 'book' into field"):
        str(author.objects.filter(book__isnull=False).query)
    assert not hasattr(author, "book_set")
    assert hasattr(author, "books")


def test_related_query_name_alone_keeps_the_accessor():
    author = RELATA["related_query_name_only"]
    assert hasattr(author, "book_set")
    assert hasattr(author, "tag_set")


def test_plus_hides_accessor_and_query_name():
    author = RELATA["hidden_plus"]
    assert author._meta.related_objects == tuple(r for r in author._meta.related_objects if r.many_to_many)
    assert not hasattr(author, "book_set")
    assert not hasattr(author, "edited")
    assert not hasattr(author, "profile")


def test_symmetrical_self_m2m_has_no_reverse_accessor():
    person = RELATA["self_relations"]
    friends = person._meta.get_field("friends")
    assert friends.remote_field.symmetrical
    assert friends.remote_field.get_accessor_name() is None
    follows = person._meta.get_field("follows")
    assert not follows.remote_field.symmetrical
    assert follows.remote_field.get_accessor_name() == "person_set"


def test_interpolation_in_abstract_bases():
    author = RELATA["interpolated_abstract"]
    assert hasattr(author, "rn_interpolated_abstract_poem_items")
    assert hasattr(author, "essay_others")
