"""Model metaclass and `_meta`: names, fields, pk, Meta options, abstract bases."""

import pytest

import oracle
from relata import exceptions, models
from relata.testing.pytest_plugin import use_models

dm = oracle.models


class Publisher(models.Model):
    name = models.CharField(max_length=50)
    city = models.CharField(max_length=50, db_column="town")

    class Meta:
        app_label = "m_meta"
        ordering = ["-name", "city"]
        unique_together = ("name", "city")
        indexes = [models.Index(fields=["city"], name="pub_city_idx")]
        constraints = [models.UniqueConstraint(fields=["name"], name="pub_name_uniq")]
        verbose_name_plural = "publishing houses"


class Stamped(models.Model):
    created = models.IntegerField(default=0)
    note = models.CharField(max_length=20, default="")

    class Meta:
        abstract = True
        ordering = ["created"]


class Article(Stamped):
    title = models.CharField(max_length=50)
    note = models.TextField(default="")  # overrides the inherited field

    class Meta:
        app_label = "m_meta"
        db_table = "my_articles"


class Comment(Stamped):
    body = models.TextField()

    class Meta(Stamped.Meta):
        app_label = "m_meta"


class Code(models.Model):
    code = models.CharField(max_length=10, primary_key=True)
    label = models.CharField(max_length=20)

    class Meta:
        app_label = "m_meta"


class HTTPLogEntry(models.Model):
    url = models.CharField(max_length=50)

    class Meta:
        app_label = "m_meta"


use_models(Publisher, Article, Comment, Code, HTTPLogEntry)


class dj:
    class Publisher(dm.Model):
        name = dm.CharField(max_length=50)
        city = dm.CharField(max_length=50, db_column="town")

        class Meta(oracle.Meta("m_meta")):
            ordering = ["-name", "city"]
            unique_together = ("name", "city")
            verbose_name_plural = "publishing houses"

    class HTTPLogEntry(dm.Model):
        url = dm.CharField(max_length=50)

        class Meta(oracle.Meta("m_meta")):
            pass

    class Stamped(dm.Model):
        created = dm.IntegerField(default=0)
        note = dm.CharField(max_length=20, default="")

        class Meta(oracle.Meta("m_meta")):
            abstract = True
            ordering = ["created"]

    class Article(Stamped):
        title = dm.CharField(max_length=50)
        note = dm.TextField(default="")

        class Meta(oracle.Meta("m_meta")):
            db_table = "my_articles"

    class Comment(Stamped):
        body = dm.TextField()

        class Meta(Stamped.Meta):
            pass

    class Code(dm.Model):
        code = dm.CharField(max_length=10, primary_key=True)
        label = dm.CharField(max_length=20)

        class Meta(oracle.Meta("m_meta")):
            pass


def field_names(model):
    return [f.name for f in model._meta.fields]


def test_names_match_django():
    for ours, theirs in ((Publisher, dj.Publisher), (HTTPLogEntry, dj.HTTPLogEntry), (Code, dj.Code)):
        for attr in ("app_label", "model_name", "object_name", "db_table", "label", "label_lower"):
            assert getattr(ours._meta, attr) == getattr(theirs._meta, attr), attr
        assert str(ours._meta.verbose_name) == str(theirs._meta.verbose_name)
        assert str(ours._meta.verbose_name_plural) == str(theirs._meta.verbose_name_plural)


def test_fields_in_declaration_order_with_implicit_pk_first():
    assert field_names(Publisher) == field_names(dj.Publisher) == ["id", "name", "city"]
    assert field_names(Code) == field_names(dj.Code) == ["code", "label"]


def test_implicit_pk_is_big_auto_field():
    pk = Publisher._meta.pk
    assert isinstance(pk, models.BigAutoField)
    assert (pk.name, pk.attname, pk.column, pk.primary_key, pk.auto_created) == ("id", "id", "id", True, True)
    assert Code._meta.pk is Code._meta.get_field("code")
    assert not hasattr(Code, "id") or "id" not in field_names(Code)


def test_get_field_by_name_and_column_options():
    city = Publisher._meta.get_field("city")
    assert (city.name, city.attname, city.column) == ("city", "city", "town")
    assert city.model is Publisher
    assert str(city) == "m_meta.Publisher.city"


def test_get_field_unknown_name_raises_field_does_not_exist():
    with pytest.raises(exceptions.FieldDoesNotExist) as info:
        Publisher._meta.get_field("nope")
    theirs = oracle.error_of(dj.Publisher._meta.get_field, "nope")
    assert str(info.value) == str(theirs) == "Publisher has no field named 'nope'"


def test_meta_options_are_normalized():
    opts = Publisher._meta
    assert opts.ordering == ["-name", "city"]
    assert opts.unique_together == (("name", "city"),) == dj.Publisher._meta.unique_together
    assert [i.name for i in opts.indexes] == ["pub_city_idx"]
    assert [c.name for c in opts.constraints] == ["pub_name_uniq"]


def test_unknown_meta_option_is_rejected():
    with pytest.raises(TypeError, match="invalid attribute"):

        class Bad(models.Model):
            class Meta:
                app_label = "m_meta"
                colour = "red"


def test_abstract_base_fields_inherited_and_overridable():
    # As in Django: fields keep their creation order, so the overriding `note` comes last.
    assert field_names(Article) == field_names(dj.Article) == ["id", "created", "title", "note"]
    assert isinstance(Article._meta.get_field("note"), models.TextField)
    assert isinstance(Comment._meta.get_field("note"), models.CharField)
    # Each concrete child has its own field objects.
    assert Article._meta.get_field("created") is not Comment._meta.get_field("created")
    assert Article._meta.get_field("created").model is Article


def test_abstract_meta_is_inherited_but_db_table_is_not():
    assert Stamped._meta.abstract is True
    assert Article._meta.abstract is False
    assert Article._meta.db_table == "my_articles"
    assert Comment._meta.db_table == "m_meta_comment"
    # A child's own Meta replaces the abstract base's; subclassing Base.Meta extends it.
    assert Article._meta.ordering == dj.Article._meta.ordering == []
    assert Comment._meta.ordering == dj.Comment._meta.ordering == ["created"]
    assert not Comment._meta.abstract and hasattr(Comment, "DoesNotExist")


def test_abstract_model_cannot_be_instantiated_or_queried():
    with pytest.raises(TypeError, match=r"^Abstract models cannot be instantiated\. Stamped has Meta\.abstract = True"):
        Stamped()
    assert not hasattr(Stamped, "DoesNotExist")


def test_concrete_inheritance_makes_a_multi_table_child():
    # Was refused before multi-table inheritance existed; Django makes a child linked by publisher_ptr.
    class Sub(Publisher):
        class Meta:
            app_label = "m_meta"

    link = Sub._meta.pk
    assert link.name == "publisher_ptr" and link.remote_field.parent_link
    assert Sub._meta.parents == {Publisher: link}
    Sub._meta.apps.unregister_model(Sub)


def test_two_primary_keys_are_refused():
    with pytest.raises(exceptions.ImproperlyConfigured, match="more than one primary key"):

        class TwoPk(models.Model):
            a = models.IntegerField(primary_key=True)
            b = models.IntegerField(primary_key=True)

            class Meta:
                app_label = "m_meta"


def test_inherited_abstract_rows_round_trip():
    a = Article.objects.create(title="t", created=5)
    c = Comment.objects.create(body="b", created=2, note="n")
    assert Article.objects.get(pk=a.pk).note == ""
    assert Comment.objects.get().note == "n"
    assert list(Article.objects.values_list("created", flat=True)) == [5]
    assert c.pk is not None


def test_app_label_defaults_to_package_of_models_module():
    from relata.models.base import _app_label_for

    assert _app_label_for("booktracker.models", "Author") == "booktracker"
    assert _app_label_for("shop.models.orders", "Order") == "shop"
    with pytest.raises(exceptions.ImproperlyConfigured, match="app_label"):
        _app_label_for("__main__", "Thing")


def test_verbose_name_raw_and_swapped():
    class Named(models.Model):
        class Meta:
            app_label = "m_meta_raw"
            verbose_name = "named thing"
            swappable = "SOME_SETTING"

    try:
        assert Named._meta.verbose_name_raw == "named thing"
        assert Publisher._meta.verbose_name_raw == "publisher"
        # No settings name a replacement, so no model is swapped out.
        assert Named._meta.swapped is None and Publisher._meta.swapped is None
    finally:
        Named._meta.apps.unregister_model(Named)


def test_fields_leave_many_to_many_out_as_django():
    class Tagged(models.Model):
        code = models.CharField(max_length=5)
        tags = models.ManyToManyField(Publisher)
        publisher = models.ForeignObject(
            Publisher, models.CASCADE, from_fields=["code"], to_fields=["name"], related_name="+"
        )

        class Meta:
            app_label = "m_meta_fields"

    try:
        opts = Tagged._meta
        assert [f.name for f in opts.fields] == ["id", "code", "publisher"]
        assert [f.name for f in opts.many_to_many] == ["tags"]
        assert [f.name for f in opts.concrete_fields] == ["id", "code"]
        assert {f.name for f in opts.get_fields()} >= {"id", "code", "tags", "publisher"}
        assert opts.get_field("tags").many_to_many
    finally:
        Tagged._meta.apps.unregister_model(Tagged)


def test_get_fields_hides_hidden_reverse_relations_of_many_to_many_too():
    class Linked(models.Model):
        friends = models.ManyToManyField("self")  # symmetrical: its reverse side is hidden
        quiet = models.ManyToManyField(Publisher, related_name="+")

        class Meta:
            app_label = "m_meta_hidden"

    try:
        shown = set(Linked._meta.get_fields())
        every = set(Linked._meta.get_fields(include_hidden=True))
        assert {f for f in every - shown} == {f for f in every if f.hidden}
        assert any(f.hidden for f in every)
        assert all(not f.hidden for f in shown)
    finally:
        Linked._meta.apps.unregister_model(Linked)


def test_field_hash_is_fixed_and_abstract_copies_differ_and_sort():
    loose = models.IntegerField()
    before = hash(loose)

    class Ranked(models.Model):
        rank = loose

        class Meta:
            app_label = "m_meta_hash"

    class Base(models.Model):
        value = models.IntegerField()

        class Meta:
            abstract = True
            app_label = "m_meta_hash"

    class First(Base):
        class Meta:
            app_label = "m_meta_hash"

    class Second(Base):
        class Meta:
            app_label = "m_meta_hash"

    try:
        assert hash(loose) == before
        base, first, second = (m._meta.get_field("value") for m in (Base, First, Second))
        assert base != first and first != second and base != second
        assert base < first < second
    finally:
        for model in (Ranked, First, Second):
            model._meta.apps.unregister_model(model)
