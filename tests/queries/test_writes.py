"""Writes through the QuerySet: update, delete, create, get_or_create, update_or_create, bulk ops."""

import pytest

import oracle
import relata
from relata import exceptions, models
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

dm = oracle.models


class Account(models.Model):
    email = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=30, default="")
    balance = models.IntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        app_label = "q_writes"

    @property
    def pk_plus(self):
        return (self.pk or 0) + 1


class dj:
    class Account(dm.Model):
        email = dm.CharField(max_length=30, unique=True)
        name = dm.CharField(max_length=30, default="")
        balance = dm.IntegerField(default=0)
        active = dm.BooleanField(default=True)

        class Meta(oracle.Meta("q_writes")):
            pass

        @property
        def pk_plus(self):
            return (self.pk or 0) + 1


use_models(Account)
oracle.use_django_models(dj.Account)


def table(model=Account):
    return list(model.objects.order_by("email").values_list("email", "name", "balance", "active"))


def seed(model=Account):
    model.objects.create(email="a@x", name="A", balance=10)
    model.objects.create(email="b@x", name="B", balance=20, active=False)
    model.objects.create(email="c@x", name="C", balance=30)


# -- update -----------------------------------------------------------------------


def test_update_returns_rowcount_in_one_query():
    seed()
    with assert_num_queries(1):
        assert Account.objects.filter(active=True).update(name="Z") == 2
    assert [r[1] for r in table()] == ["Z", "B", "Z"]


def test_update_with_f_expression():
    seed()
    Account.objects.filter(email="a@x").update(balance=models.F("balance") * 2 + 1)
    assert Account.objects.get(email="a@x").balance == 21


def test_update_of_sliced_or_unknown_field_is_refused_and_changes_nothing():
    seed()
    before = table()
    with pytest.raises(TypeError, match="Cannot update a query once a slice has been taken"):
        Account.objects.all()[:1].update(name="x")
    with pytest.raises(exceptions.FieldError) as info:
        Account.objects.update(nmae="x")
    assert "nmae" in str(info.value) and "name" in str(info.value)
    with pytest.raises(exceptions.IntegrityError):
        Account.objects.update(email=None)
    with pytest.raises(exceptions.IntegrityError):
        Account.objects.update(email="same@x")  # unique: the statement fails as a whole
    assert table() == before


def test_update_none_and_empty_in_run_no_query():
    seed()
    with assert_num_queries(0):
        assert Account.objects.none().update(name="x") == 0


# -- delete -------------------------------------------------------------------------


def test_queryset_delete_returns_counts_like_django():
    seed()
    seed(dj.Account)
    ours = Account.objects.filter(balance__gte=20).delete()
    theirs = dj.Account.objects.filter(balance__gte=20).delete()
    assert ours == theirs == (2, {"q_writes.Account": 2})
    assert Account.objects.all().delete() == dj.Account.objects.all().delete()
    assert Account.objects.all().delete() == dj.Account.objects.all().delete() == (0, {})


def test_delete_refusals():
    seed()
    with pytest.raises(TypeError, match="Cannot use 'limit' or 'offset' with delete"):
        Account.objects.all()[:1].delete()
    with pytest.raises(TypeError, match=r"Cannot call delete\(\) after \.values"):
        Account.objects.values("name").delete()
    assert len(table()) == 3


# -- create / get_or_create / update_or_create -----------------------------------------


def test_create_runs_one_insert():
    with assert_num_queries(1):
        obj = Account.objects.create(email="n@x")
    assert obj.pk is not None and (obj.balance, obj.active) == (0, True)


def test_create_with_duplicate_unique_value_leaves_table_unchanged():
    seed()
    with pytest.raises(exceptions.IntegrityError):
        Account.objects.create(email="a@x")
    assert len(table()) == 3


def test_get_or_create_matches_django():
    seed()
    seed(dj.Account)
    for model in (Account, dj.Account):
        obj, created = model.objects.get_or_create(email="a@x", defaults={"name": "ignored"})
        assert (obj.name, created) == ("A", False)
        obj, created = model.objects.get_or_create(email="new@x", defaults={"name": lambda: "called"})
        assert (obj.name, created) == ("called", True)
        obj, created = model.objects.get_or_create(email__iexact="NEW2@X", defaults={"email": "new2@x"})
        assert (obj.email, created) == ("new2@x", True)
    assert table() == table(dj.Account)


def test_get_or_create_existing_runs_one_query():
    seed()
    with assert_num_queries(1):
        Account.objects.get_or_create(email="a@x")


def test_get_or_create_bad_field_and_multiple_results():
    seed()
    with pytest.raises(exceptions.FieldError) as info:
        Account.objects.get_or_create(email="z@x", defaults={"nope": 1})
    theirs = oracle.error_of(dj.Account.objects.get_or_create, email="z@x", defaults={"nope": 1})
    assert str(info.value) == str(theirs)
    with pytest.raises(Account.MultipleObjectsReturned):
        Account.objects.get_or_create(active=True)
    assert len(table()) == 3


def test_get_or_create_reads_defaults_only_when_it_creates():
    class Untouchable(dict):
        def __getattribute__(self, name):
            raise AssertionError(f"defaults read ({name}) though the row exists")

        def __bool__(self):
            raise AssertionError("defaults read (bool) though the row exists")

    seed()
    obj, created = Account.objects.get_or_create(email="a@x", defaults=Untouchable())
    assert (obj.name, created) == ("A", False)
    made = []
    obj, created = Account.objects.get_or_create(email="n@x", defaults={"name": lambda: made.append(1) or "lazy"})
    assert (obj.name, created, made) == ("lazy", True, [1])


def test_a_property_without_a_setter_is_no_default():
    theirs = oracle.error_of(dj.Account.objects.get_or_create, email="z@x", defaults={"pk_plus": 1})
    ours = oracle.error_of(Account.objects.get_or_create, email="z@x", defaults={"pk_plus": 1})
    assert type(ours).__name__ == type(theirs).__name__ == "FieldError"
    assert str(ours) == str(theirs)
    assert len(table()) == 0


def test_get_or_create_integrity_error_propagates_when_no_row_matches():
    seed()
    # The lookup matches nothing, but the insert hits the unique email: re-raised, nothing written.
    with pytest.raises(exceptions.IntegrityError):
        Account.objects.get_or_create(name="nobody", defaults={"email": "a@x"})
    assert len(table()) == 3


def test_update_or_create_matches_django():
    seed()
    seed(dj.Account)
    for model in (Account, dj.Account):
        obj, created = model.objects.update_or_create(email="a@x", defaults={"balance": 99})
        assert (obj.balance, created) == (99, False)
        obj, created = model.objects.update_or_create(
            email="z@x", defaults={"balance": 1}, create_defaults={"balance": 5, "name": "new"}
        )
        assert (obj.balance, obj.name, created) == (5, "new", True)
    assert table() == table(dj.Account)


def test_update_or_create_updates_only_the_defaults():
    seed()
    obj = Account.objects.get(email="a@x")
    Account.objects.filter(pk=obj.pk).update(name="changed elsewhere")
    with assert_num_queries(2) as captured:  # SELECT, UPDATE (in one transaction)
        Account.objects.update_or_create(email="a@x", defaults={"balance": 5})
    writes = [q.sql for q in captured if q.sql.startswith("UPDATE")]
    assert len(writes) == 1 and '"name"' not in writes[0]
    assert Account.objects.get(email="a@x").name == "changed elsewhere"


# -- bulk_create / bulk_update ----------------------------------------------------------


def test_bulk_create_sets_pks_in_one_query():
    objs = [Account(email=f"{i}@x", balance=i) for i in range(5)]
    with assert_num_queries(1):
        created = Account.objects.bulk_create(objs)
    assert created == objs
    assert all(o.pk is not None and not o._state.adding for o in objs)
    assert sorted(o.pk for o in objs) == sorted(Account.objects.values_list("pk", flat=True))


def test_bulk_create_batches():
    objs = [Account(email=f"{i}@x") for i in range(7)]
    with assert_num_queries(3):
        Account.objects.bulk_create(objs, batch_size=3)
    assert Account.objects.count() == 7


def test_bulk_create_failure_writes_nothing():
    seed()
    objs = [Account(email="new1@x"), Account(email="a@x"), Account(email="new2@x")]
    with pytest.raises(exceptions.IntegrityError):
        Account.objects.bulk_create(objs, batch_size=1)
    assert len(table()) == 3


def test_bulk_create_ignore_conflicts():
    seed()
    Account.objects.bulk_create([Account(email="a@x", name="dup"), Account(email="d@x")], ignore_conflicts=True)
    assert [r[:2] for r in table()] == [("a@x", "A"), ("b@x", "B"), ("c@x", "C"), ("d@x", "")]


def test_bulk_create_update_conflicts():
    seed()
    # MySQL finds the conflicting key itself and, as in Django, takes no unique_fields.
    target = {"unique_fields": ["email"]} if relata.connection.features.supports_update_conflicts_with_target else {}
    Account.objects.bulk_create(
        [Account(email="a@x", name="new A")], update_conflicts=True, update_fields=["name"], **target
    )
    assert Account.objects.get(email="a@x").name == "new A"


def test_bulk_create_bad_input():
    with pytest.raises(ValueError, match="Batch size must be a positive integer"):
        Account.objects.bulk_create([Account(email="x")], batch_size=0)
    with pytest.raises(TypeError, match="expected Account instances"):
        Account.objects.bulk_create([{"email": "x"}])
    assert Account.objects.bulk_create([]) == []
    assert Account.objects.count() == 0


def test_bulk_update_in_one_query():
    seed()
    objs = list(Account.objects.order_by("email"))
    for obj in objs:
        obj.balance += 1
        obj.name = obj.name.lower()
    with assert_num_queries(1):
        assert Account.objects.bulk_update(objs, ["balance", "name"]) == 3
    assert table() == [("a@x", "a", 11, True), ("b@x", "b", 21, False), ("c@x", "c", 31, True)]


@pytest.mark.parametrize("bump", [1, 5])
def test_bulk_update_with_expressions_matches_django(bump):
    """Each object's value may be an expression over its own row (F, arithmetic, functions), mixed with plain
    values; run twice with different values so a cached statement cannot serve the first call's."""
    from django.db.models.functions import Upper as DUpper

    from relata.models.functions import Upper

    for model, m, upper in ((Account, models, Upper), (dj.Account, dm, DUpper)):
        seed(model)
        objs = list(model.objects.order_by("email"))
        objs[0].balance, objs[1].balance, objs[2].balance = m.F("balance") + bump, 7 * bump, m.F("balance") * bump
        objs[0].name, objs[1].name, objs[2].name = upper(m.F("email")), "plain", m.F("name")
        model.objects.bulk_update(objs, ["balance", "name"])
    assert table() == table(dj.Account)
    assert table()[0] == ("a@x", "A@X", 10 + bump, True)


def test_bulk_update_with_expressions_on_a_filtered_queryset_changes_matching_rows_only():
    seed()
    objs = list(Account.objects.order_by("email"))
    for obj in objs:
        obj.balance = models.F("balance") + 100
    Account.objects.filter(active=True).bulk_update(objs, ["balance"])
    assert [row[2] for row in table()] == [110, 20, 130]


def test_bulk_update_bad_input_changes_nothing():
    seed()
    objs = list(Account.objects.all())
    for obj in objs:
        obj.balance = 0
    before = table()
    with pytest.raises(ValueError, match="Field names must be given"):
        Account.objects.bulk_update(objs, [])
    with pytest.raises(ValueError, match="primary key"):
        Account.objects.bulk_update(objs, ["id"])
    with pytest.raises(exceptions.FieldDoesNotExist):
        Account.objects.bulk_update(objs, ["nope"])
    with pytest.raises(ValueError, match="must have a primary key set"):
        Account.objects.bulk_update([Account(email="q")], ["balance"])
    objs[0].email = objs[1].email
    with pytest.raises(exceptions.IntegrityError):
        Account.objects.bulk_update(objs, ["email", "balance"])
    assert table() == before


# -- expressions in new rows --------------------------------------------------------------------


def _functions(m):
    if m is models:
        from relata.models import functions
    else:
        from django.db.models import functions
    return functions


@pytest.mark.parametrize("suffix", ["X", "Yy"])
def test_create_and_bulk_create_take_expressions_that_read_no_column(suffix):
    """Run twice with different values: the INSERT of an expression is built for its own call."""
    for model, m in ((Account, models), (dj.Account, dm)):
        fn = _functions(m)
        model.objects.create(email="a@x", name=fn.Lower(m.Value("NAME" + suffix)), balance=m.Value(3) * 2)
        model.objects.bulk_create(
            [
                model(email="b@x", name="plain"),
                model(email=fn.Concat(m.Value("c@"), m.Value(suffix)), name=fn.Upper(m.Value("c"))),
            ]
        )
    assert table() == table(dj.Account)
    assert table()[0][1:3] == ("name" + suffix.lower(), 6)


def test_an_expression_saved_into_a_new_row_reads_back_from_the_database():
    from relata.models.functions import Lower

    account = Account.objects.create(email="a@x", name=Lower(models.Value("MIXED")))
    assert account.name == "mixed"  # loaded on first access: only the database knew the value
    made = Account.objects.bulk_create([Account(email="b@x", name=Lower(models.Value("BULK")))])
    assert made[0].name == "bulk"


@pytest.mark.parametrize(
    "build",
    [
        lambda M, m: M.objects.create(email="a@x", name=m.F("email")),
        lambda M, m: M.objects.bulk_create([M(email="a@x"), M(email="b@x", name=m.F("email"))]),
    ],
)
def test_a_new_row_may_not_read_a_column(build):
    ours = oracle.error_of(build, Account, models)
    theirs = oracle.error_of(build, dj.Account, dm)
    assert type(ours).__name__ == type(theirs).__name__
    assert "F() expressions can only be used to update, not to insert" in str(ours)
    assert table() == []
