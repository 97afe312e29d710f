"""Proxy models and abstract bases: same table with other behaviour; copied fields, interpolated names."""

import subprocess
import sys
import textwrap

import pytest

import oracle
from relata import models
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

dm = oracle.models


class Person(models.Model):
    name = models.CharField(max_length=50)
    age = models.IntegerField(default=0)

    class Meta:
        app_label = "m_proxy"


class AdultManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(age__gte=18)


class OrderedPerson(Person):
    adults = AdultManager()
    objects = models.Manager()

    class Meta:
        app_label = "m_proxy"
        proxy = True
        ordering = ["-name"]

    def shout(self):
        return self.name.upper()


class ProxyOfProxy(OrderedPerson):
    class Meta:
        app_label = "m_proxy"
        proxy = True


class Pet(models.Model):
    owner = models.ForeignKey(OrderedPerson, models.CASCADE, related_name="pets")
    name = models.CharField(max_length=50)

    class Meta:
        app_label = "m_proxy"


use_models(Person, OrderedPerson, ProxyOfProxy, Pet)


class dj:
    class Person(dm.Model):
        name = dm.CharField(max_length=50)
        age = dm.IntegerField(default=0)

        class Meta(oracle.Meta("m_proxy")):
            pass

    class OrderedPerson(Person):
        class Meta(oracle.Meta("m_proxy")):
            proxy = True
            ordering = ["-name"]


oracle.use_django_models(dj.Person)  # the proxy shares its table


# -- proxies ----------------------------------------------------------------------


def test_proxy_meta():
    opts = OrderedPerson._meta
    assert opts.proxy and opts.proxy_for_model is Person and opts.concrete_model is Person
    assert ProxyOfProxy._meta.proxy_for_model is OrderedPerson and ProxyOfProxy._meta.concrete_model is Person
    assert opts.db_table == Person._meta.db_table and opts.pk is Person._meta.pk
    assert [f.name for f in opts.fields] == ["id", "name", "age"] and opts.local_fields == []
    assert not opts.multi_table and opts.parents == {Person: None}
    assert ProxyOfProxy._meta.get_parent_list() == [Person]
    assert Person._meta.concrete_model is Person and Person._meta.proxy_for_model is None


def test_proxy_reads_and_writes_the_same_rows(relata_backend):
    Person.objects.create(name="ann", age=30)
    OrderedPerson.objects.create(name="bob", age=12)
    with assert_num_queries(1):
        assert [p.name for p in OrderedPerson.objects.all()] == ["bob", "ann"]
    assert [type(p) for p in ProxyOfProxy.objects.all()] == [ProxyOfProxy, ProxyOfProxy]
    assert [p.shout() for p in OrderedPerson.adults.all()] == ["ANN"]
    assert Person.objects.count() == 2
    assert Person.objects.get(name="ann") == OrderedPerson.objects.get(name="ann")  # same row, equal
    assert (
        list(OrderedPerson.objects.values_list("name", flat=True))
        == list(dj.OrderedPerson.objects.values_list("name", flat=True))
        or dj.Person.objects.count() == 0
    )


def test_proxy_ordering_matches_django(relata_backend):
    for model in (OrderedPerson, dj.OrderedPerson):
        model.objects.create(name="a")
        model.objects.create(name="c")
        model.objects.create(name="b")
    assert list(OrderedPerson.objects.values_list("name", flat=True)) == list(
        dj.OrderedPerson.objects.values_list("name", flat=True)
    )


def test_proxy_save_and_delete(relata_backend):
    p = OrderedPerson(name="cat", age=3)
    with assert_num_queries(1):
        p.save()
    p.age = 4
    with assert_num_queries(1):
        p.save()
    assert Person.objects.get(pk=p.pk).age == 4
    assert p.delete() == (1, {"m_proxy.OrderedPerson": 1})
    assert Person.objects.count() == 0


def test_foreign_key_to_a_proxy(relata_backend):
    owner = OrderedPerson.objects.create(name="ann")
    Pet.objects.create(owner=owner, name="rex")
    person = Person.objects.get()
    # The relation is the rows': the concrete model and every proxy of it see it.
    assert [p.name for p in person.pets.all()] == ["rex"]
    assert Person.objects.filter(pets__name="rex").get() == person
    with assert_num_queries(1):
        pet = Pet.objects.select_related("owner").get()
        assert type(pet.owner) is OrderedPerson and pet.owner.shout() == "ANN"
    # Deleting the concrete row cascades through the relation to the proxy.
    assert person.delete()[1] == {"m_proxy.Person": 1, "m_proxy.Pet": 1}


def test_proxy_bulk_create(relata_backend):
    OrderedPerson.objects.bulk_create([OrderedPerson(name="x"), OrderedPerson(name="y")])
    assert Person.objects.count() == 2


def test_proxy_with_fields_is_reported_by_checks():
    class Loud(Person):
        volume = models.IntegerField(default=0)

        class Meta:
            app_label = "m_proxy_bad"
            proxy = True

    try:
        assert [(m.id, m.msg) for m in Loud.check()] == [("models.E017", "Proxy model 'Loud' contains model fields.")]
    finally:
        Loud._meta.apps.unregister_model(Loud)


def test_proxy_errors_as_django():
    class NoFields(models.Model):
        class Meta:
            abstract = True

    class WithFields(models.Model):
        x = models.IntegerField()

        class Meta:
            abstract = True

    class Other(models.Model):
        class Meta:
            app_label = "m_proxy_bad"

    with pytest.raises(TypeError, match=r"Proxy model 'P1' has no non-abstract model base class\."):

        class P1(NoFields):
            class Meta:
                app_label = "m_proxy_bad"
                proxy = True

    with pytest.raises(TypeError, match="Abstract base class containing model fields not permitted for proxy"):

        class P2(WithFields, Person):
            class Meta:
                app_label = "m_proxy_bad"
                proxy = True

    with pytest.raises(TypeError, match=r"Proxy model 'P3' has more than one non-abstract model base class\."):

        class P3(Person, Other):
            class Meta:
                app_label = "m_proxy_bad"
                proxy = True

    Other._meta.apps.unregister_model(Other)


# -- managers -----------------------------------------------------------------------


def test_managers_are_inherited_in_name_resolution_order():
    assert [m.name for m in OrderedPerson._meta.managers] == ["adults", "objects"]
    assert OrderedPerson._default_manager.name == "adults"
    assert [m.name for m in ProxyOfProxy._meta.managers] == ["adults", "objects"]
    assert ProxyOfProxy.adults.model is ProxyOfProxy
    assert ProxyOfProxy.adults is ProxyOfProxy.adults  # bound once, not per access
    assert [m.name for m in Person._meta.managers] == ["objects"]


def test_default_manager_name_must_exist():
    class Named(models.Model):
        class Meta:
            app_label = "m_proxy_bad"
            default_manager_name = "missing"

    try:
        with pytest.raises(ValueError, match="Named has no manager named 'missing'"):
            _ = Named._default_manager
    finally:
        Named._meta.apps.unregister_model(Named)


# -- abstract bases -------------------------------------------------------------------


def test_abstract_base_needs_no_app_label_in_a_script():
    script = textwrap.dedent(
        """
        from relata import models

        class Stamped(models.Model):
            created = models.IntegerField(default=0)

            class Meta:
                abstract = True
                ordering = ["-created"]

        class Note(Stamped):
            text = models.CharField(max_length=10)

            class Meta(Stamped.Meta):
                app_label = "notes"

        print(Note._meta.ordering, [f.name for f in Note._meta.fields])
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['-created'] ['id', 'created', 'text']"


def test_related_name_placeholders_on_abstract_bases():
    class Tagged(models.Model):
        owner = models.ForeignKey(
            Person, models.CASCADE, related_name="%(app_label)s_%(class)s_set", related_query_name="%(class)ss"
        )

        class Meta:
            abstract = True

    class Photo(Tagged):
        class Meta:
            app_label = "m_abs"

    class Video(Tagged):
        class Meta:
            app_label = "m_abs"

    try:
        assert Photo._meta.get_field("owner").remote_field.related_name == "m_abs_photo_set"
        assert Video._meta.get_field("owner").remote_field.related_name == "m_abs_video_set"
        assert Person._meta.get_field("photos").related_model is Photo
        assert hasattr(Person, "m_abs_video_set")
    finally:
        for model in (Photo, Video):
            model._meta.apps.unregister_model(model)


def test_concrete_child_of_concrete_parent_inherits_ordering_unless_it_sets_one():
    class Base(models.Model):
        class Meta:
            app_label = "m_abs"
            ordering = ["-id"]
            get_latest_by = "id"
            db_table = "base_table"

    class Kid(Base):
        class Meta:
            app_label = "m_abs"

    class OwnOrder(Base):
        class Meta:
            app_label = "m_abs"
            ordering = []

    try:
        assert (Kid._meta.ordering, Kid._meta.get_latest_by, Kid._meta.db_table) == (["-id"], "id", "m_abs_kid")
        assert OwnOrder._meta.ordering == []
    finally:
        for model in (OwnOrder, Kid, Base):
            model._meta.apps.unregister_model(model)


def test_a_plain_attribute_removes_an_inherited_abstract_field():
    class WithNote(models.Model):
        note = models.CharField(max_length=10)
        keep = models.IntegerField(default=0)

        class Meta:
            abstract = True

    class NoNote(WithNote):
        note = None

        class Meta:
            app_label = "m_abs"

    try:
        assert [f.name for f in NoNote._meta.fields] == ["id", "keep"]
    finally:
        NoNote._meta.apps.unregister_model(NoNote)


def test_mixin_init_runs_after_model_init():
    class Mixin:
        def __init__(self):
            self.extra = 1
            super().__init__()

    class Mixed(models.Model, Mixin):
        class Meta:
            app_label = "m_abs"

    try:
        assert Mixed().extra == 1
    finally:
        Mixed._meta.apps.unregister_model(Mixed)
