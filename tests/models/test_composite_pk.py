"""CompositePrimaryKey: a key of several fields, as a tuple; the same scenarios run on Django to compare."""

import pytest

import oracle
import relata
from relata import checks, models
from relata.exceptions import FieldError, ValidationError
from relata.testing import CaptureQueries, assert_num_queries
from relata.testing.pytest_plugin import use_models

dm = oracle.models


def declare(m, base):
    class Tenant(m.Model):
        name = m.CharField(max_length=10, default="")

        class Meta(base):
            app_label = "m_cpk"

    class Member(m.Model):
        pk = m.CompositePrimaryKey("tenant_id", "id")
        tenant = m.ForeignKey(Tenant, on_delete=m.CASCADE)
        id = m.SmallIntegerField()
        email = m.CharField(max_length=30, default="")

        class Meta(base):
            app_label = "m_cpk"

    class Note(m.Model):
        pk = m.CompositePrimaryKey("tenant", "id")
        tenant = m.ForeignKey(Tenant, on_delete=m.CASCADE)
        id = m.SmallIntegerField(unique=True)
        member_id = m.SmallIntegerField(null=True)
        member = m.ForeignObject(
            Member,
            on_delete=m.CASCADE,
            from_fields=("tenant_id", "member_id"),
            to_fields=("tenant_id", "id"),
            related_name="notes",
            null=True,
        )
        text = m.CharField(max_length=20, default="")

        class Meta(base):
            app_label = "m_cpk"

    return Tenant, Member, Note


Tenant, Member, Note = declare(models, object)
DTenant, DMember, DNote = declare(dm, oracle.Meta("m_cpk"))
use_models(Tenant, Member, Note)
oracle.use_django_models(DTenant, DMember, DNote)


def populate(tenant_model, member_model):
    first, second = tenant_model.objects.create(id=1, name="a"), tenant_model.objects.create(id=2, name="b")
    for tenant, number in ((first, 1), (first, 2), (second, 1), (second, 3)):
        member_model.objects.create(tenant=tenant, id=number, email=f"{tenant.name}{number}")
    return first, second


def test_meta_and_pk_tuple():
    opts = Member._meta
    assert opts.pk.name == "pk"
    assert [f.name for f in opts.pk_fields] == ["tenant", "id"]
    assert opts.pk not in opts.concrete_fields
    member = Member(tenant_id=4, id=5)
    assert member.pk == (4, 5)
    member.pk = (6, 7)
    assert (member.tenant_id, member.id) == (6, 7)
    assert Member(pk=(1, 2), id=9).pk == (1, 2)  # as Django: pk= wins over the parts
    assert Tenant._meta.pk_fields == [Tenant._meta.pk]


@pytest.mark.parametrize("bad", [1, (1, 2, 3)])
def test_pk_set_refuses_wrong_shapes(bad):
    with pytest.raises(ValueError, match="'pk' must"):
        Member().pk = bad


def test_save_inserts_then_updates_by_every_key_column():
    tenant = Tenant.objects.create()
    member = Member(tenant=tenant, id=1, email="x")
    member.save()
    member.email = "y"
    with CaptureQueries() as queries:
        member.save()
    assert len(queries) == 1 and queries[0].sql.startswith("UPDATE")
    assert Member.objects.get(pk=(tenant.id, 1)).email == "y"
    assert Member.objects.count() == 1


def test_lookups_match_django():
    for tenants, model in ((populate(Tenant, Member), Member), (populate(DTenant, DMember), DMember)):
        first, second = tenants
        found = [
            list(model.objects.filter(pk=(first.id, 2)).values_list("email", flat=True)),
            sorted(
                model.objects.filter(pk__in=[(first.id, 1), (second.id, 3), (9, 9)]).values_list("email", flat=True)
            ),
            list(model.objects.order_by("pk").values_list("email", flat=True)),
            list(model.objects.order_by("-pk").values_list("email", flat=True)),
            list(model.objects.filter(pk__gt=(first.id, 1)).order_by("pk").values_list("email", flat=True)),
            list(model.objects.filter(pk__lte=(second.id, 1)).order_by("pk").values_list("email", flat=True)),
            list(model.objects.exclude(pk=(first.id, 1)).order_by("pk").values_list("email", flat=True)),
            model.objects.filter(pk__isnull=False).count(),
            list(model.objects.order_by("pk").values("pk", "email")),
            list(model.objects.order_by("pk").values_list("pk", flat=True)),
        ]
        if model is Member:
            relata_found = found
    assert relata_found == found


def test_pk_in_empty_runs_no_query():
    with assert_num_queries(0):
        assert list(Member.objects.filter(pk__in=[])) == []


@pytest.mark.parametrize(
    ("lookup", "value", "message"),
    [
        ("pk", 1, "'exact' lookup of 'pk' must be a tuple or a list"),
        ("pk", (1, 2, 3), "'exact' lookup of 'pk' must have 2 elements"),
        ("pk__in", (1, 2), "'in' lookup of 'pk' must be a collection of tuples or lists"),
        ("pk__in", [(1, 2, 3)], "'in' lookup of 'pk' must have 2 elements each"),
        ("pk__gt", 1, "'gt' lookup of 'pk' must be a tuple or a list"),
    ],
)
def test_bad_values_name_the_lookup(lookup, value, message):
    with pytest.raises(ValueError, match=message):
        Member.objects.filter(**{lookup: value})


def test_delete_and_refresh():
    first, _second = populate(Tenant, Member)
    member = Member.objects.get(pk=(first.id, 2))
    Member.objects.filter(pk=(first.id, 2)).update(email="changed")
    member.refresh_from_db()
    assert member.email == "changed"
    member.delete()
    assert member.pk == (None, None)
    assert sorted(Member.objects.values_list("email", flat=True)) == ["a1", "b1", "b3"]
    first.delete()  # cascades to the members keyed by it
    assert sorted(Member.objects.values_list("email", flat=True)) == ["b1", "b3"]


def test_table_has_a_primary_key_of_both_columns():
    connection = relata.connection
    constraints = connection.introspection.get_constraints(None, Member._meta.db_table)
    keys = [c["columns"] for c in constraints.values() if c["primary_key"]]
    assert keys == [["tenant_id", "id"]]


def test_definition_errors():
    with pytest.raises(ValueError, match="at least two fields"):
        models.CompositePrimaryKey("id")
    with pytest.raises(ValueError, match="unique strings"):
        models.CompositePrimaryKey("id", "id")
    with pytest.raises(ValueError, match="cannot have a default"):
        models.CompositePrimaryKey("a", "b", default=(1, 1))


def test_checks_use_djangos_ids():
    class Broken(models.Model):
        pk = models.CompositePrimaryKey("a", "b", "missing")
        a = models.IntegerField()
        b = models.IntegerField(null=True)

        class Meta:
            app_label = "m_cpk_checks"

    found = [(m.id, m.hint) for m in Broken.check()]
    assert found == [
        ("models.E042", "'b' field may not set 'null=True'."),
        ("models.E042", "'missing' is not a valid field."),
    ]
    assert all(m.level == checks.ERROR and m.obj is Broken for m in Broken.check())


def test_deconstruct():
    name, path, args, kwargs = Member._meta.pk.deconstruct()
    assert (name, path, args, kwargs) == ("pk", "relata.models.CompositePrimaryKey", ["tenant_id", "id"], {})


def notes_scenario(tenant_model, member_model, note_model):
    first, second = populate(tenant_model, member_model)
    members = {m.email: m for m in member_model.objects.all()}
    for number, (email, text) in enumerate([("a1", "x"), ("a1", "y"), ("a2", "z"), ("b3", "w")], start=1):
        member = members[email]
        note_model.objects.create(tenant_id=member.tenant_id, id=number, member=member, text=text)
    a1 = members["a1"]
    return [
        sorted(a1.notes.values_list("text", flat=True)),
        sorted(note_model.objects.filter(member=a1).values_list("id", flat=True)),
        sorted(note_model.objects.filter(member__in=[a1, members["b3"]]).values_list("id", flat=True)),
        sorted(member_model.objects.filter(notes__text="z").values_list("email", flat=True)),
        sorted(member_model.objects.filter(notes__pk=(first.id, 4)).values_list("email", flat=True)),
        sorted(
            member_model.objects.filter(notes__pk__in=[(second.id, 4), (first.id, 1)]).values_list("email", flat=True)
        ),
        list(note_model.objects.order_by("-pk").values_list("pk", "member_id")),
    ]


def test_foreign_object_to_a_composite_key_matches_django():
    assert notes_scenario(Tenant, Member, Note) == notes_scenario(DTenant, DMember, DNote)


def test_deleting_a_member_cascades_through_the_foreign_object():
    notes_scenario(Tenant, Member, Note)
    Member.objects.filter(email="a1").delete()
    assert sorted(Note.objects.values_list("id", flat=True)) == [3, 4]
    Tenant.objects.filter(id=1).delete()
    assert list(Note.objects.values_list("id", flat=True)) == [4]


def test_bulk_create_and_bulk_update():
    tenant = Tenant.objects.create(id=1)
    made = Member.objects.bulk_create([Member(tenant=tenant, id=i, email=f"m{i}") for i in (1, 2, 3)])
    assert [m.pk for m in made] == [(1, 1), (1, 2), (1, 3)]
    for member in made:
        member.email = member.email.upper()
    with assert_num_queries(1):
        assert Member.objects.bulk_update(made, ["email"]) == 3
    assert list(Member.objects.order_by("pk").values_list("email", flat=True)) == ["M1", "M2", "M3"]
    with pytest.raises(ValueError, match="primary key fields"):
        Member.objects.bulk_update(made, ["id"])


def test_writes_refuse_the_key_parts_where_django_does():
    tenant = Tenant.objects.create(id=1)
    member = Member.objects.create(tenant=tenant, id=1)
    with pytest.raises(ValueError, match="primary keys, or are non-concrete fields: id"):
        member.save(update_fields=["id"])
    with pytest.raises(FieldError, match="Composite primary key fields must be updated individually"):
        Member.objects.update(pk=(1, 2))
    with pytest.raises(ValueError, match="pk attribute is set to None"):
        Member(id=4).delete()


def test_save_of_deferred_fields_names_each_key_column_once():
    tenant = Tenant.objects.create(id=1)
    Member.objects.create(tenant=tenant, id=1, email="e")
    member = Member.objects.defer("email").get(pk=(1, 1))
    member.email = "f"
    with CaptureQueries() as queries:
        member.save()
    assert len(queries) == 1
    assert queries[0].sql.count('tenant_id"') == 1 or queries[0].sql.count("tenant_id`") == 1
    assert Member.objects.get(pk=(1, 1)).email == "f"


def test_full_clean_checks_the_key_as_one_unique_rule():
    tenant = Tenant.objects.create(id=1)
    Member.objects.create(tenant=tenant, id=1, email="x")
    with pytest.raises(ValidationError) as caught:
        Member(tenant=tenant, id=1, email="x").full_clean()
    assert caught.value.messages == ["Member with this Tenant and Id already exists."]
    Member(tenant=tenant, id=2, email="x").full_clean()
    member = Member.objects.get(pk=(1, 1))
    with assert_num_queries(1):  # the tenant exists; a saved row's own key is not looked up again
        member.full_clean()


def test_a_foreign_object_may_target_a_composite_key():
    assert [m.id for m in Note.check()] == []


def test_update_and_delete_through_a_join_compare_the_key_as_a_row():
    notes_scenario(Tenant, Member, Note)
    assert Note.objects.filter(member__email="a1").update(text="seen") == 2
    assert sorted(Note.objects.filter(text="seen").values_list("id", flat=True)) == [1, 2]
    assert Note.objects.filter(member__email="a2").delete()[0] == 1
    assert sorted(Note.objects.values_list("id", flat=True)) == [1, 2, 4]


def expression_scenario(tenant_model, member_model, note_model, count, f):
    notes_scenario(tenant_model, member_model, note_model)
    members = member_model.objects.annotate(n=count("notes")).order_by("pk")
    return [
        [(m.email, m.n) for m in members],
        list(member_model.objects.values("pk").annotate(n=count("notes__id")).order_by("pk")),
        list(note_model.objects.order_by(f("pk").desc()).values_list("id", flat=True)),
        list(note_model.objects.order_by("id").values("member", "text")),
    ]


def test_expressions_over_the_key_match_django():
    relata_found = expression_scenario(Tenant, Member, Note, models.Count, models.F)
    assert relata_found == expression_scenario(DTenant, DMember, DNote, dm.Count, dm.F)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Note.objects.filter(text__gt=models.F("pk")), "CompositePrimaryKey cannot be used as a lookup value."),
        (lambda: Note.objects.aggregate(models.Max("pk")), "Max expression does not support composite primary keys."),
        (
            lambda: Member.objects.annotate(n=models.Count("notes", distinct=True)),
            "COUNT(DISTINCT) doesn't support composite primary keys",
        ),
    ],
)
def test_expressions_that_need_one_value_refuse_the_key(make, message):
    with pytest.raises(ValueError) as caught:
        list(make())
    assert str(caught.value) == message


def subquery_scenario(tenant_model, member_model, note_model, outer_ref, subquery):
    notes_scenario(tenant_model, member_model, note_model)
    noted = note_model.objects.filter(text__in=["x", "w"])
    same_row = subquery(note_model.objects.filter(pk=outer_ref("pk")).values("id"))
    return [
        sorted(member_model.objects.filter(notes__in=noted).values_list("email", flat=True)),
        sorted(note_model.objects.filter(pk__in=noted.values("pk")).values_list("id", flat=True)),
        sorted(note_model.objects.filter(pk__in=subquery(noted.values("pk"))).values_list("id", flat=True)),
        note_model.objects.filter(id=same_row).count(),
        note_model.objects.values("pk")
        .annotate(n=dm.Count("id") if subquery is dm.Subquery else models.Count("id"))
        .first(),
    ]


def test_subqueries_and_outer_refs_compare_the_key_as_a_row_like_django():
    relata_found = subquery_scenario(Tenant, Member, Note, models.OuterRef, models.Subquery)
    assert relata_found == subquery_scenario(DTenant, DMember, DNote, dm.OuterRef, dm.Subquery)


def test_subquery_of_the_wrong_width_is_refused_before_any_sql():
    with assert_num_queries(0), pytest.raises(ValueError, match=r"must have 2 selected fields \(received 3\)"):
        Note.objects.filter(pk__in=Note.objects.values("pk", "text"))


def test_rows_with_a_null_part_match_nothing_and_run_no_query():
    with assert_num_queries(0):
        assert list(Member.objects.filter(pk__in=[(None, 1), (1, None)])) == []


def test_select_related_and_prefetch_across_the_foreign_object():
    notes_scenario(Tenant, Member, Note)
    Note.objects.create(tenant_id=1, id=9, text="alone")  # no member: the outer join finds none
    with assert_num_queries(1):
        found = {n.id: n.member and n.member.email for n in Note.objects.select_related("member")}
    assert found == {1: "a1", 2: "a1", 3: "a2", 4: "b3", 9: None}
    with assert_num_queries(2):
        texts = {m.email: sorted(n.text for n in m.notes.all()) for m in Member.objects.prefetch_related("notes")}
    assert texts == {"a1": ["x", "y"], "a2": ["z"], "b1": [], "b3": ["w"]}
    with assert_num_queries(2):
        owners = {n.id: n.member and n.member.pk for n in Note.objects.prefetch_related("member")}
    assert owners == {1: (1, 1), 2: (1, 1), 3: (1, 2), 4: (2, 3), 9: None}
    assert set(Member.objects.in_bulk([(1, 1), (2, 3)])) == {(1, 1), (2, 3)}


def test_update_of_a_foreign_object_sets_its_own_columns():
    notes_scenario(Tenant, Member, Note)
    other = Member.objects.get(pk=(1, 2))
    assert Note.objects.filter(id__in=[1, 2]).update(member=other) == 2
    assert sorted(Note.objects.filter(member=other).values_list("id", flat=True)) == [1, 2, 3]
    with pytest.raises(ValueError, match=r"Unsaved model instance <Member: Member object \(\(None, None\)\)>"):
        Note.objects.update(member=Member())


def test_an_instance_with_a_part_unset_counts_as_unsaved():
    tenant = Tenant.objects.create(id=1)
    half = Member(tenant=tenant)  # id unset: the key is (1, None)
    with pytest.raises(ValueError, match="unsaved objects"):
        Member.objects.all().contains(half)
    with pytest.raises(ValueError, match="needs to have a primary key value"):
        half.notes.all()
