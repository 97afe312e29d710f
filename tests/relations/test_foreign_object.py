"""ForeignObject: a relation read through fields the model already has (from_fields -> to_fields).

It has no column of its own; the objects it relates are found by the local fields' values,
forward and reverse, in filters, select_related and deletion, as Django does.
"""

import copy
import pickle

import pytest

from relata import models
from relata.exceptions import FieldError
from relata.models.fields.related_descriptors import ForwardManyToOneDescriptor, ReverseManyToOneDescriptor
from relata.testing import CaptureQueries, assert_num_queries
from relata.testing.pytest_plugin import use_models


class Country(models.Model):
    code = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=30)

    class Meta:
        app_label = "rel_foreign_object"


class City(models.Model):
    name = models.CharField(max_length=30)
    country_code = models.CharField(max_length=2, null=True)
    country = models.ForeignObject(
        Country,
        models.CASCADE,
        from_fields=["country_code"],
        to_fields=["code"],
        related_name="cities",
        null=True,
    )

    class Meta:
        app_label = "rel_foreign_object"


@pytest.fixture
def places():
    france = Country.objects.create(code="fr", name="France")
    germany = Country.objects.create(code="de", name="Germany")
    City.objects.create(name="Paris", country_code="fr")
    City.objects.create(name="Lyon", country_code="fr")
    City.objects.create(name="Berlin", country_code="de")
    City.objects.create(name="Atlantis")
    return france, germany


def test_it_is_a_field_without_a_column():
    field = City._meta.get_field("country")
    assert (field.concrete, field.column, field.attname) == (False, None, "country")
    assert field.many_to_one and field.is_relation and field.related_model is Country
    assert field in City._meta.fields
    assert field not in City._meta.concrete_fields
    assert [f.name for f in field.local_related_fields] == ["country_code"]
    assert [f.name for f in field.foreign_related_fields] == ["code"]
    assert isinstance(City.__dict__["country"], ForwardManyToOneDescriptor)
    assert isinstance(Country.__dict__["cities"], ReverseManyToOneDescriptor)


def test_the_table_has_no_column_for_it():
    from relata.db import connection

    columns = [c.name for c in connection.introspection.get_columns(City._meta.db_table)]
    assert sorted(columns) == ["country_code", "id", "name"]


def test_a_foreign_key_is_a_foreign_object_over_itself():
    fk = models.ForeignKey(Country, models.CASCADE)
    assert isinstance(fk, models.ForeignObject)
    assert fk.from_fields == ["self"] and fk.to_fields == [None]


def test_forward_access_loads_by_the_local_field(places):
    paris = City.objects.get(name="Paris")
    with assert_num_queries(1):
        assert paris.country.name == "France"
    with assert_num_queries(0):
        assert paris.country.name == "France"
    atlantis = City.objects.get(name="Atlantis")
    with assert_num_queries(0):
        assert atlantis.country is None


def test_changing_the_local_field_changes_the_object(places):
    paris = City.objects.get(name="Paris")
    assert paris.country.code == "fr"
    paris.country_code = "de"
    assert paris.country.name == "Germany"


def test_assigning_sets_the_local_field(places):
    _, germany = places
    city = City(name="Bonn", country=germany)
    assert city.country_code == "de"
    city.save()
    assert City.objects.get(name="Bonn").country == germany
    city.country = None
    assert city.country_code is None


def test_assigning_another_model_is_refused():
    with pytest.raises(ValueError, match=r'"City\.country" must be a "Country" instance'):
        City(country=City())


def test_filter_forward(places):
    france, germany = places
    assert sorted(c.name for c in City.objects.filter(country=france)) == ["Lyon", "Paris"]
    assert [c.name for c in City.objects.filter(country__name="Germany")] == ["Berlin"]
    assert sorted(c.name for c in City.objects.filter(country__in=[france, germany])) == ["Berlin", "Lyon", "Paris"]
    assert [c.name for c in City.objects.filter(country__isnull=True)] == ["Atlantis"]


def test_filter_reverse_by_the_query_name(places):
    assert [c.name for c in Country.objects.filter(cities__name="Berlin")] == ["Germany"]
    assert Country.objects.filter(cities__name__startswith="L").get().code == "fr"


def test_reverse_manager(places):
    france, _ = places
    assert sorted(c.name for c in france.cities.all()) == ["Lyon", "Paris"]
    assert france.cities.count() == 2


def test_select_related_joins_on_the_local_field(places):
    with CaptureQueries() as queries:
        cities = list(City.objects.select_related("country").order_by("name"))
        assert [c.country and c.country.name for c in cities] == [None, "Germany", "France", "France"]
    assert len(queries) == 1
    assert "country_code" in queries[0].sql


def test_values_and_order_by_across_it(places):
    names = City.objects.filter(country__isnull=False).order_by("country__name", "name").values_list("name", flat=True)
    assert list(names) == ["Lyon", "Paris", "Berlin"]
    assert sorted(City.objects.filter(name="Paris").values_list("country__name", flat=True)) == ["France"]


def test_deleting_the_target_cascades(places):
    france, _ = places
    _, per_model = france.delete()
    assert per_model == {"rel_foreign_object.City": 2, "rel_foreign_object.Country": 1}
    assert sorted(City.objects.values_list("name", flat=True)) == ["Atlantis", "Berlin"]


def test_deconstruct_names_the_field_pairs():
    name, path, args, kwargs = City._meta.get_field("country").deconstruct()
    assert (name, path, args) == ("country", "relata.models.ForeignObject", [])
    assert kwargs["from_fields"] == ["country_code"] and kwargs["to_fields"] == ["code"]
    assert kwargs["to"] == "rel_foreign_object.country" and kwargs["on_delete"] is models.CASCADE


def test_from_and_to_fields_of_different_lengths_are_refused():
    field = models.ForeignObject(Country, models.CASCADE, from_fields=["a", "b"], to_fields=["code"])
    with pytest.raises(ValueError, match="same non-zero length"):
        field.resolve_related_fields()


def test_a_single_target_field_is_refused_for_several_pairs():
    class Place(models.Model):
        code = models.CharField(max_length=2)
        name = models.CharField(max_length=30)
        country = models.ForeignObject(
            Country, models.CASCADE, from_fields=["code", "name"], to_fields=["code", "name"], related_name="+"
        )

        class Meta:
            app_label = "rel_foreign_object_multi"

    try:
        with pytest.raises(FieldError, match="relates 2 fields of Country"):
            _ = Place._meta.get_field("country").target_field
    finally:
        Place._meta.apps.unregister_model(Place)


class Branch(models.Model):
    company = models.CharField(max_length=1)
    number = models.IntegerField()
    name = models.CharField(max_length=30)

    class Meta:
        app_label = "rel_foreign_object"
        unique_together = [("company", "number")]


class Employee(models.Model):
    name = models.CharField(max_length=30)
    company = models.CharField(max_length=1)
    branch_number = models.IntegerField(null=True)
    branch = models.ForeignObject(
        Branch,
        models.CASCADE,
        from_fields=["company", "branch_number"],
        to_fields=["company", "number"],
        related_name="staff",
        null=True,
    )

    class Meta:
        app_label = "rel_foreign_object"


class Project(models.Model):
    company = models.CharField(max_length=1)
    name = models.CharField(max_length=30)
    staff = models.ManyToManyField(Employee, through="Assignment", related_name="projects")

    class Meta:
        app_label = "rel_foreign_object"


class Assignment(models.Model):
    # Both ends are named with the company: an assignment across companies links nothing.
    company = models.CharField(max_length=1)
    project_ref = models.IntegerField()
    employee_ref = models.IntegerField()
    project = models.ForeignObject(
        Project, models.CASCADE, from_fields=["company", "project_ref"], to_fields=["company", "id"]
    )
    employee = models.ForeignObject(
        Employee, models.CASCADE, from_fields=["company", "employee_ref"], to_fields=["company", "id"]
    )

    class Meta:
        app_label = "rel_foreign_object"


class Street(models.Model):
    name = models.CharField(max_length=30)
    city_name = models.CharField(max_length=30)
    city = models.ForeignObject(City, models.CASCADE, from_fields=["city_name"], to_fields=["name"], related_name="+")

    class Meta:
        app_label = "rel_foreign_object"


use_models(Country, City, Branch, Employee, Project, Assignment, Street)


@pytest.fixture
def branches():
    # Two companies number their branches alike: only both columns together name a branch.
    a1 = Branch.objects.create(company="a", number=1, name="A one")
    b1 = Branch.objects.create(company="b", number=1, name="B one")
    Employee.objects.create(name="Ann", company="a", branch_number=1)
    Employee.objects.create(name="Bob", company="b", branch_number=1)
    Employee.objects.create(name="Cid", company="b", branch_number=1)
    Employee.objects.create(name="Dan", company="a", branch_number=None)
    return a1, b1


def test_several_columns_forward_access(branches):
    bob = Employee.objects.get(name="Bob")
    with assert_num_queries(1):
        assert bob.branch.name == "B one"
    assert Employee.objects.get(name="Dan").branch is None


def test_several_columns_filter_by_instance_and_across(branches):
    a1, b1 = branches
    assert [e.name for e in Employee.objects.filter(branch=a1)] == ["Ann"]
    assert sorted(e.name for e in Employee.objects.filter(branch__name="B one")) == ["Bob", "Cid"]
    assert sorted(e.name for e in Employee.objects.filter(branch__in=[a1, b1])) == ["Ann", "Bob", "Cid"]
    assert [e.name for e in Employee.objects.exclude(branch__name="B one").order_by("name")] == ["Ann", "Dan"]


def test_several_columns_reverse(branches):
    _, b1 = branches
    assert sorted(e.name for e in b1.staff.all()) == ["Bob", "Cid"]
    assert [b.name for b in Branch.objects.filter(staff__name="Ann")] == ["A one"]
    assert Branch.objects.filter(staff__name__in=["Bob", "Cid"]).distinct().get() == b1


def test_several_columns_join_on_every_pair(branches):
    with CaptureQueries() as queries:
        names = [
            (e.name, e.branch and e.branch.name) for e in Employee.objects.select_related("branch").order_by("name")
        ]
    assert names == [("Ann", "A one"), ("Bob", "B one"), ("Cid", "B one"), ("Dan", None)]
    assert len(queries) == 1
    on = queries[0].sql.split(" ON ", 1)[1]
    assert "company" in on and "branch_number" in on and "number" in on


def test_joins_are_worked_out_once_and_not_copied():
    field = Employee._meta.get_field("branch")
    assert field.path_infos is field.path_infos
    assert field.path_infos == field.get_path_info()
    assert field.reverse_path_infos == field.get_reverse_path_info()
    assert field.remote_field.path_infos == field.get_reverse_path_info()
    step = field.path_infos[0]
    assert (step.from_column, step.to_column, step.more_columns) == (
        "company",
        "company",
        (("branch_number", "number"),),
    )
    # A copy is made for another model (abstract inheritance): it works its joins out again.
    assert "path_infos" not in copy.copy(field).__dict__
    assert "path_infos" not in copy.copy(field.remote_field).__dict__
    clone = copy.deepcopy(field)
    assert "path_infos" not in clone.__dict__ and "path_infos" not in clone.remote_field.__dict__


def test_a_models_field_pickles_as_a_reference():
    field = Employee._meta.get_field("branch")
    assert pickle.loads(pickle.dumps(field)) is field
    rel = pickle.loads(pickle.dumps(field.remote_field))
    assert rel.field is field and rel.model is Branch
    loose = pickle.loads(pickle.dumps(models.CharField(max_length=3, null=True)))
    assert (type(loose), loose.max_length, loose.null) == (models.CharField, 3, True)


def test_prefetch_forward_and_reverse_across_several_columns(branches):
    with assert_num_queries(2):
        staff = list(Employee.objects.prefetch_related("branch").order_by("name"))
        assert [e.branch and e.branch.name for e in staff] == ["A one", "B one", "B one", None]
    with CaptureQueries() as queries:
        branches_loaded = list(Branch.objects.prefetch_related("staff").order_by("name"))
    assert len(queries) == 2
    assert " JOIN " not in queries[1].sql
    with assert_num_queries(0):
        found = {b.name: sorted(e.name for e in b.staff.all()) for b in branches_loaded}
        # Each loaded employee already carries its branch.
        assert all(e.branch is b for b in branches_loaded for e in b.staff.all())
    assert found == {"A one": ["Ann"], "B one": ["Bob", "Cid"]}


def test_prefetch_across_a_single_column(places):
    with assert_num_queries(2):
        countries = {
            c.code: sorted(city.name for city in c.cities.all()) for c in Country.objects.prefetch_related("cities")
        }
    assert countries == {"de": ["Berlin"], "fr": ["Lyon", "Paris"]}
    with assert_num_queries(2):
        assert [c.country and c.country.code for c in City.objects.prefetch_related("country").order_by("name")] == [
            None,
            "de",
            "fr",
            "fr",
        ]


@pytest.fixture
def projects(branches):
    ann, bob = Employee.objects.get(name="Ann"), Employee.objects.get(name="Bob")
    roads = Project.objects.create(company="a", name="Roads")
    rails = Project.objects.create(company="b", name="Rails")
    Assignment.objects.create(company="a", project_ref=roads.pk, employee_ref=ann.pk)
    Assignment.objects.create(company="b", project_ref=rails.pk, employee_ref=bob.pk)
    # Names Ann's id under company b: no employee of company b has it, so it links nothing.
    Assignment.objects.create(company="b", project_ref=rails.pk, employee_ref=ann.pk)
    return roads, rails


def test_many_to_many_through_foreign_objects(projects):
    roads, rails = projects
    assert [e.name for e in roads.staff.all()] == ["Ann"]
    assert [e.name for e in rails.staff.all()] == ["Bob"]
    assert [p.name for p in Employee.objects.get(name="Ann").projects.all()] == ["Roads"]
    assert [p.name for p in Project.objects.filter(staff__name="Bob")] == ["Rails"]
    assert [e.name for e in Employee.objects.filter(projects=rails)] == ["Bob"]


def test_prefetch_many_to_many_through_foreign_objects(projects):
    with assert_num_queries(2):
        staff = {p.name: [e.name for e in p.staff.all()] for p in Project.objects.prefetch_related("staff")}
    assert staff == {"Roads": ["Ann"], "Rails": ["Bob"]}
    with assert_num_queries(2):
        found = {e.name: [p.name for p in e.projects.all()] for e in Employee.objects.prefetch_related("projects")}
    assert found == {"Ann": ["Roads"], "Bob": ["Rails"], "Cid": [], "Dan": []}


def test_rows_from_the_reverse_manager_carry_the_instance(branches, places):
    _, b1 = branches
    with assert_num_queries(1):
        staff = list(b1.staff.all())
    france, _ = places
    with assert_num_queries(1):
        cities = list(france.cities.all())
    with assert_num_queries(0):
        assert all(e.branch is b1 for e in staff) and len(staff) == 2
        assert all(c.country is france for c in cities) and len(cities) == 2


def test_a_to_field_inherited_from_a_parent_is_refused():
    class Base(models.Model):
        key = models.IntegerField(unique=True)

        class Meta:
            app_label = "rel_fo_nonlocal"

    class Derived(Base):
        class Meta:
            app_label = "rel_fo_nonlocal"

    class Pointer(models.Model):
        derived = models.ForeignKey(Derived, models.CASCADE, to_field="key", related_name="+")

        class Meta:
            app_label = "rel_fo_nonlocal"

    try:
        with pytest.raises(FieldError, match="refers to field 'key' which is not local to model"):
            _ = Pointer._meta.get_field("derived").related_fields
    finally:
        for model in (Pointer, Derived, Base):
            model._meta.apps.unregister_model(model)


def test_the_cache_mixin_needs_a_cache_name():
    from relata.models.fields.mixins import FieldCacheMixin

    with pytest.raises(NotImplementedError, match="define cache_name"):
        _ = FieldCacheMixin().cache_name
    assert City._meta.get_field("country").cache_name == "country"


def test_plain_select_related_follows_a_non_null_foreign_object(places):
    Street.objects.create(name="Rue de Rivoli", city_name="Paris")
    with assert_num_queries(1):
        street = Street.objects.select_related().get()
        assert street.city.name == "Paris"


def test_relations_listing_names_both_sides():
    from relata.models.introspect import describe_relations

    forward = {r.accessor: r for r in describe_relations(City)}["country"]
    assert (forward.kind, forward.column, forward.returns) == ("ForeignObject", None, "Country instance")
    reverse = {r.accessor: r for r in describe_relations(Country)}["cities"]
    assert (reverse.kind, reverse.query_name, reverse.returns) == ("reverse ForeignObject", "cities", "manager of City")


def test_a_foreign_keys_related_field_is_known_before_it_joins_a_model():
    assert models.ForeignKey(Country, models.CASCADE).remote_field.get_related_field().name == "id"
    by_code = models.ForeignKey(Country, models.CASCADE, to_field="code")
    assert by_code.remote_field.get_related_field().name == "code"
