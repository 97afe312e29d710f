"""checks.run_checks() on relation clashes: same ids as Django, fixes that work."""

from __future__ import annotations

import re

import pytest
from django.core.checks.model_checks import _check_lazy_references

import oracle
from relata import checks, models


def relata_ids(*model_list):
    return sorted({(str(m.obj), m.id) for m in checks.run_checks(models=list(model_list))})


def django_ids(apps, *model_list):
    found = set()
    for model in model_list:
        for error in model.check():
            if error.id and error.id.startswith("fields.E3"):
                found.add((f"{error.obj.model._meta.label}.{error.obj.name}", error.id))
    for error in _check_lazy_references(apps):
        found.add((f"{error.obj.model._meta.label}.{error.obj.name}", error.id))
    return sorted(found)


def build(label, *, relata_side, django_side):
    """Define the same models twice: relata's and Django's (in an isolated registry)."""
    meta = oracle.Meta(label)
    django_models = django_side(oracle.models, meta)
    return relata_side(models, label), django_models, meta.apps


def test_two_foreign_keys_without_related_name_clash_like_django():
    def relata_side(m, label):
        class Person(m.Model):
            class Meta:
                app_label = label

        class Book(m.Model):
            author = m.ForeignKey(Person, on_delete=m.CASCADE)
            editor = m.ForeignKey(Person, on_delete=m.CASCADE)

            class Meta:
                app_label = label

        return Person, Book

    def django_side(m, meta):
        class Person(m.Model):
            class Meta(meta):
                pass

        class Book(m.Model):
            author = m.ForeignKey(Person, on_delete=m.CASCADE)
            editor = m.ForeignKey(Person, on_delete=m.CASCADE)

            class Meta(meta):
                pass

        return Person, Book

    ours, theirs, apps = build("ck_two_fk", relata_side=relata_side, django_side=django_side)
    assert relata_ids(*ours) == django_ids(apps, *theirs)
    assert ("ck_two_fk.Book.author", "fields.E304") in relata_ids(*ours)
    messages = [m for m in checks.run_checks(models=list(ours)) if m.id == "fields.E304"]
    for message in messages:
        assert message.level == checks.ERROR
        assert "ck_two_fk.Book.author" in message.msg and "ck_two_fk.Book.editor" in message.msg
        assert re.search(r"related_name='\w+'", message.hint)


def test_suggested_related_name_fixes_the_clash():
    class Person(models.Model):
        class Meta:
            app_label = "ck_fix"

    class Book(models.Model):
        author = models.ForeignKey(Person, on_delete=models.CASCADE)
        editor = models.ForeignKey(Person, on_delete=models.CASCADE)

        class Meta:
            app_label = "ck_fix"

    (message,) = [m for m in checks.run_checks(models=[Person, Book]) if m.obj.name == "editor"]
    suggestion = re.search(r"related_name='(\w+)'", message.hint).group(1)

    class Book(models.Model):
        author = models.ForeignKey(Person, on_delete=models.CASCADE)
        editor = models.ForeignKey(Person, on_delete=models.CASCADE, related_name=suggestion)

        class Meta:
            app_label = "ck_fix"

    assert checks.run_checks(models=[Person, Book]) == []
    assert hasattr(Person, suggestion)


@pytest.mark.parametrize(
    ("target_fields", "expected"),
    [
        ({"book_set": "int"}, {"fields.E302"}),
        ({"book": "int"}, {"fields.E303"}),
    ],
)
def test_accessor_or_query_name_shadowing_a_field(target_fields, expected, request):
    label = "ck_shadow_" + next(iter(target_fields))

    def relata_side(m, label_):
        attrs = {name: m.IntegerField() for name in target_fields}
        attrs["Meta"] = type("Meta", (), {"app_label": label_})
        attrs["__module__"] = __name__
        target = type("Target", (m.Model,), attrs)

        class Book(m.Model):
            target_fk = m.ForeignKey(target, on_delete=m.CASCADE)

            class Meta:
                app_label = label_

        return target, Book

    def django_side(m, meta):
        attrs = {name: m.IntegerField() for name in target_fields}
        attrs["Meta"] = type("Meta", (meta,), {})
        attrs["__module__"] = __name__
        target = type("Target", (m.Model,), attrs)

        class Book(m.Model):
            target_fk = m.ForeignKey(target, on_delete=m.CASCADE)

            class Meta(meta):
                pass

        return target, Book

    ours, theirs, apps = build(label, relata_side=relata_side, django_side=django_side)
    assert relata_ids(*ours) == django_ids(apps, *theirs)
    assert {i for _, i in relata_ids(*ours)} == expected


def test_query_name_equal_to_another_accessor_is_e305_like_django():
    def relata_side(m, label):
        class Person(m.Model):
            class Meta:
                app_label = label

        class Book(m.Model):
            author = m.ForeignKey(Person, on_delete=m.CASCADE, related_name="written")
            editor = m.ForeignKey(Person, on_delete=m.CASCADE, related_name="edited", related_query_name="written")

            class Meta:
                app_label = label

        return Person, Book

    def django_side(m, meta):
        class Person(m.Model):
            class Meta(meta):
                pass

        class Book(m.Model):
            author = m.ForeignKey(Person, on_delete=m.CASCADE, related_name="written")
            editor = m.ForeignKey(Person, on_delete=m.CASCADE, related_name="edited", related_query_name="written")

            class Meta(meta):
                pass

        return Person, Book

    ours, theirs, apps = build("ck_e305", relata_side=relata_side, django_side=django_side)
    assert relata_ids(*ours) == django_ids(apps, *theirs)
    assert ("ck_e305.Book.editor", "fields.E305") in relata_ids(*ours)


def test_missing_target_gives_e300_and_e307_like_django():
    def relata_side(m, label):
        class Book(m.Model):
            author = m.ForeignKey("Nowhere", on_delete=m.CASCADE)

            class Meta:
                app_label = label

        return (Book,)

    def django_side(m, meta):
        class Book(m.Model):
            author = m.ForeignKey("Nowhere", on_delete=m.CASCADE)

            class Meta(meta):
                pass

        return (Book,)

    ours, theirs, apps = build("ck_missing", relata_side=relata_side, django_side=django_side)
    assert relata_ids(*ours) == django_ids(apps, *theirs)
    assert {i for _, i in relata_ids(*ours)} == {"fields.E300", "fields.E307"}


def test_abstract_target_is_e300():
    class Base(models.Model):
        class Meta:
            abstract = True
            app_label = "ck_abstract"

    class Book(models.Model):
        base = models.ForeignKey(Base, on_delete=models.CASCADE)

        class Meta:
            app_label = "ck_abstract"

    assert relata_ids(Book) == [("ck_abstract.Book.base", "fields.E300")]


def test_invalid_related_name_is_e306_with_a_valid_suggestion():
    class Person(models.Model):
        class Meta:
            app_label = "ck_e306"

    class Book(models.Model):
        author = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="not valid")

        class Meta:
            app_label = "ck_e306"

    (message,) = checks.run_checks(models=[Person, Book])
    assert message.id == "fields.E306"
    suggestion = re.search(r"related_name='(\w+)'", message.hint).group(1)
    assert suggestion.isidentifier()


def test_hidden_relations_do_not_clash():
    class Person(models.Model):
        class Meta:
            app_label = "ck_hidden"

    class Book(models.Model):
        author = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
        editor = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "ck_hidden"

    assert checks.run_checks(models=[Person, Book]) == []


def test_run_checks_by_app_label():
    class Person(models.Model):
        class Meta:
            app_label = "ck_by_app"

    class Book(models.Model):
        a = models.ForeignKey(Person, on_delete=models.CASCADE)
        b = models.ForeignKey(Person, on_delete=models.CASCADE)

        class Meta:
            app_label = "ck_by_app"

    found = checks.run_checks(app_labels=["ck_by_app"])
    assert {m.id for m in found} == {"fields.E304"}
    assert all(m.obj.model is Book for m in found)
