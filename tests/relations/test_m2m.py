"""ManyToManyField: the through table, and managers on both sides.

The auto-created through table is named and shaped as Django names it
(checked against Django); explicit `through=` models may carry extra columns
filled by `through_defaults`; a symmetrical self relation writes each link
in both directions.
"""

import pytest

import oracle
import relata
from relata import exceptions, models
from relata.testing import CaptureQueries, assert_num_queries
from relata.testing.pytest_plugin import use_models

APP = "rel_m2m"


def define(m, base, label):
    class Topping(m.Model):
        name = m.CharField(max_length=50)

        class Meta(base):
            app_label = label
            ordering = ["name"]

        def __repr__(self):
            return f"<Topping {self.name}>"

    class Pizza(m.Model):
        name = m.CharField(max_length=50)
        toppings = m.ManyToManyField(Topping)
        extras = m.ManyToManyField(Topping, related_name="extra_on", db_table="pizza_extras")

        class Meta(base):
            app_label = label
            ordering = ["name"]

    class Person(m.Model):
        name = m.CharField(max_length=50)
        friends = m.ManyToManyField("self")
        follows = m.ManyToManyField("self", symmetrical=False, related_name="followers")

        class Meta(base):
            app_label = label
            ordering = ["name"]

    class Group(m.Model):
        name = m.CharField(max_length=50)
        members = m.ManyToManyField(Person, through="Membership", through_fields=("group", "person"))

        class Meta(base):
            app_label = label
            ordering = ["name"]

    class Membership(m.Model):
        group = m.ForeignKey(Group, on_delete=m.CASCADE)
        person = m.ForeignKey(Person, on_delete=m.CASCADE)
        inviter = m.ForeignKey(Person, on_delete=m.CASCADE, null=True, related_name="invites")
        role = m.CharField(max_length=20, default="member")

        class Meta(base):
            app_label = label

    return Topping, Pizza, Person, Group, Membership


Topping, Pizza, Person, Group, Membership = define(models, object, APP)
use_models(Topping, Pizza, Person, Group, Membership)


def names(qs):
    return [o.name for o in qs]


@pytest.fixture
def toppings():
    return [Topping.objects.create(name=n) for n in ("cheese", "ham", "olive")]


@pytest.fixture
def pizza():
    return Pizza.objects.create(name="margherita")


# -- the through table -------------------------------------------------------------------


DJANGO = dict(
    zip(
        ["Topping", "Pizza", "Person", "Group", "Membership"], define(oracle.models, oracle.Meta(APP), APP), strict=True
    )
)
oracle.use_django_models(*DJANGO.values())


@pytest.fixture(scope="module")
def django_side():
    return DJANGO


def describe_through(model, field_name):
    through = model._meta.get_field(field_name).remote_field.through
    columns = sorted(f.column for f in through._meta.concrete_fields)
    return through.__name__, through._meta.db_table, columns


@pytest.mark.parametrize(
    ("model", "field"),
    [("Pizza", "toppings"), ("Pizza", "extras"), ("Person", "friends"), ("Person", "follows"), ("Group", "members")],
)
def test_through_model_names_match_django(model, field, django_side):
    relata_side = {"Pizza": Pizza, "Person": Person, "Group": Group}
    assert describe_through(relata_side[model], field) == describe_through(django_side[model], field)


def test_auto_through_table_in_the_schema():
    table = Pizza._meta.get_field("toppings").remote_field.through._meta.db_table
    assert table == "rel_m2m_pizza_toppings"
    introspection = relata.connection.introspection
    assert {c.name for c in introspection.get_columns(table)} == {"id", "pizza_id", "topping_id"}
    unique = [i.columns for i in introspection.get_indexes(table) if i.unique and not i.primary_key]
    assert ("pizza_id", "topping_id") in unique


# -- forward manager ------------------------------------------------------------------


def test_add_and_read_both_sides(pizza, toppings):
    cheese, ham, _ = toppings
    pizza.toppings.add(cheese, ham)
    with assert_num_queries(1):
        assert names(pizza.toppings.all()) == ["cheese", "ham"]
    assert names(cheese.pizza_set.all()) == ["margherita"]
    assert pizza.toppings.count() == 2
    assert pizza.toppings.filter(name="ham").exists()


def test_add_by_primary_key_value(pizza, toppings):
    pizza.toppings.add(toppings[0].pk, toppings[1].pk)
    assert names(pizza.toppings.all()) == ["cheese", "ham"]


def test_add_twice_keeps_one_row(pizza, toppings):
    pizza.toppings.add(toppings[0])
    pizza.toppings.add(toppings[0], toppings[0])
    through = Pizza.toppings.through
    assert through.objects.count() == 1


def test_add_wrong_type_and_unsaved(pizza, toppings):
    with pytest.raises(TypeError, match="'Topping' instance expected"):
        pizza.toppings.add(pizza)
    with pytest.raises(ValueError, match="not saved"):
        pizza.toppings.add(Topping(name="new"))
    for method in ("add", "remove"):  # a raw value is prepared as the key's field prepares it, as in Django
        with pytest.raises(ValueError, match="Field 'id' expected a number but got 'invalid'"):
            getattr(pizza.toppings, method)("invalid")
    assert pizza.toppings.count() == 0


def test_manager_on_unsaved_instance_is_value_error():
    with pytest.raises(ValueError, match='needs to have a value for field "id" before this many-to-many'):
        Pizza(name="new").toppings  # noqa: B018
    with pytest.raises(ValueError, match="before this many-to-many relationship can be used"):
        Topping(name="new").pizza_set  # noqa: B018


def test_remove_clear_set(pizza, toppings):
    cheese, ham, olive = toppings
    pizza.toppings.add(cheese, ham)
    pizza.toppings.remove(cheese)
    assert names(pizza.toppings.all()) == ["ham"]
    pizza.toppings.set([ham, olive])
    assert names(pizza.toppings.all()) == ["ham", "olive"]
    pizza.toppings.set([cheese], clear=True)
    assert names(pizza.toppings.all()) == ["cheese"]
    pizza.toppings.clear()
    assert pizza.toppings.count() == 0
    assert Topping.objects.count() == 3


def test_set_only_writes_the_difference(pizza, toppings):
    cheese, ham, olive = toppings
    pizza.toppings.add(cheese, ham)
    through = Pizza.toppings.through
    kept = through.objects.get(topping_id=ham.pk).pk
    pizza.toppings.set([ham, olive])
    assert through.objects.get(topping_id=ham.pk).pk == kept


def test_create_through_the_manager(pizza):
    topping = pizza.toppings.create(name="basil")
    assert Topping.objects.get(name="basil") == topping
    assert names(pizza.toppings.all()) == ["basil"]


def test_get_or_create_and_update_or_create(pizza, toppings):
    _, created = pizza.toppings.get_or_create(name="basil")
    assert created and names(pizza.toppings.all()) == ["basil"]
    _, created = pizza.toppings.get_or_create(name="basil")
    assert not created
    _, created = pizza.toppings.update_or_create(name="corn")
    assert created and names(pizza.toppings.all()) == ["basil", "corn"]


def test_direct_assignment_is_type_error(pizza, toppings):
    with pytest.raises(TypeError, match=r"Use toppings\.set\(\) instead"):
        pizza.toppings = toppings
    with pytest.raises(TypeError, match=r"Use pizza_set\.set\(\) instead"):
        toppings[0].pizza_set = [pizza]


def test_related_name_on_m2m(pizza, toppings):
    pizza.extras.add(toppings[2])
    assert names(toppings[2].extra_on.all()) == ["margherita"]
    assert not hasattr(toppings[2], "pizza_extras")


# -- reverse manager ------------------------------------------------------------------


def test_reverse_side_writes(toppings):
    cheese = toppings[0]
    first, second = Pizza.objects.create(name="a"), Pizza.objects.create(name="b")
    cheese.pizza_set.add(first, second)
    assert names(first.toppings.all()) == ["cheese"]
    cheese.pizza_set.remove(first)
    assert names(cheese.pizza_set.all()) == ["b"]
    cheese.pizza_set.set([first])
    assert names(cheese.pizza_set.all()) == ["a"]
    new = cheese.pizza_set.create(name="c")
    assert names(new.toppings.all()) == ["cheese"]
    cheese.pizza_set.clear()
    assert cheese.pizza_set.count() == 0


# -- self relations ------------------------------------------------------------------


def test_symmetrical_add_writes_two_rows():
    ann, bob = Person.objects.create(name="ann"), Person.objects.create(name="bob")
    with assert_num_queries(1):
        ann.friends.add(bob)
    through = Person.friends.through
    rows = sorted(through.objects.values_list("from_person_id", "to_person_id"))
    assert rows == sorted([(ann.pk, bob.pk), (bob.pk, ann.pk)])
    assert names(bob.friends.all()) == ["ann"]
    assert names(ann.friends.all()) == ["bob"]


def test_symmetrical_remove_and_clear_remove_both_rows():
    ann, bob, cy = (Person.objects.create(name=n) for n in ("ann", "bob", "cy"))
    ann.friends.add(bob, cy)
    bob.friends.remove(ann)
    assert names(ann.friends.all()) == ["cy"]
    cy.friends.clear()
    assert ann.friends.count() == 0
    assert Person.friends.through.objects.count() == 0


def test_symmetrical_set():
    ann, bob, cy = (Person.objects.create(name=n) for n in ("ann", "bob", "cy"))
    ann.friends.set([bob])
    ann.friends.set([cy])
    assert names(bob.friends.all()) == []
    assert names(cy.friends.all()) == ["ann"]


def test_non_symmetrical_self():
    ann, bob = Person.objects.create(name="ann"), Person.objects.create(name="bob")
    ann.follows.add(bob)
    assert names(ann.follows.all()) == ["bob"]
    assert names(bob.follows.all()) == []
    assert names(bob.followers.all()) == ["ann"]
    assert Person.follows.through.objects.count() == 1


# -- explicit through ----------------------------------------------------------------


def test_explicit_through_with_through_defaults():
    ann, bob = Person.objects.create(name="ann"), Person.objects.create(name="bob")
    club = Group.objects.create(name="club")
    club.members.add(ann, through_defaults={"role": "chair", "inviter": bob})
    club.members.create(name="cy", through_defaults={"role": "guest"})
    rows = sorted(Membership.objects.values_list("person__name", "role", "inviter__name"))
    assert rows == [("ann", "chair", "bob"), ("cy", "guest", None)]
    assert names(club.members.all()) == ["ann", "cy"]
    assert names(ann.group_set.all()) == ["club"]
    club.members.set([bob], through_defaults={"role": "new"})
    assert sorted(Membership.objects.values_list("person__name", "role")) == [("bob", "new")]


def test_through_defaults_callable_values():
    ann = Person.objects.create(name="ann")
    club = Group.objects.create(name="club")
    club.members.add(ann, through_defaults={"role": lambda: "computed"})
    assert Membership.objects.get().role == "computed"


def test_through_fields_disambiguates_in_queries():
    ann, bob = Person.objects.create(name="ann"), Person.objects.create(name="bob")
    club = Group.objects.create(name="club")
    Membership.objects.create(group=club, person=ann, inviter=bob)
    assert names(Group.objects.filter(members=ann)) == ["club"]
    assert names(Group.objects.filter(members=bob)) == []
    assert names(Person.objects.filter(group__name="club")) == ["ann"]


def test_bad_through_defaults_leave_no_rows():
    ann = Person.objects.create(name="ann")
    club = Group.objects.create(name="club")
    with pytest.raises(TypeError):
        club.members.add(ann, through_defaults={"no_such_field": 1})
    assert Membership.objects.count() == 0


def test_duplicate_add_of_pk_values_and_instances_mixed(pizza, toppings):
    pizza.toppings.add(toppings[0], toppings[0].pk)
    assert Pizza.toppings.through.objects.count() == 1


def test_add_unknown_pk_is_integrity_error(pizza):
    if not relata.connection.features.supports_foreign_keys:
        pytest.skip("backend does not enforce foreign keys")
    with pytest.raises(exceptions.IntegrityError):
        pizza.toppings.add(999_999)
    assert pizza.toppings.count() == 0


# -- query counts, as Django's --------------------------------------------------------


def _writes(side):
    """add / add again / remove / set / clear / symmetrical add, each as a step."""
    pizza = side["Pizza"].objects.create(name="p")
    cheese, ham, olive = (side["Topping"].objects.create(name=n) for n in ("cheese", "ham", "olive"))
    ann, bob = side["Person"].objects.create(name="ann"), side["Person"].objects.create(name="bob")
    return [
        lambda: pizza.toppings.add(cheese, ham),
        lambda: pizza.toppings.add(cheese),
        lambda: pizza.toppings.remove(ham),
        lambda: pizza.toppings.set([ham, olive]),
        lambda: pizza.toppings.clear(),
        lambda: ann.friends.add(bob),
        lambda: ann.friends.remove(bob),
        lambda: list(pizza.toppings.all()),
        lambda: pizza.toppings.count(),
    ]


def test_write_query_counts_at_most_django():
    """Transaction statements aside, no step runs more queries than on Django.

    A symmetrical add writes both directions in one INSERT (Django uses two).
    """
    django_counts = []
    for step in _writes(DJANGO):
        with oracle.num_queries() as captured:
            step()
        django_counts.append(len([q for q in captured.captured_queries if not _is_transaction(q["sql"])]))
    relata_counts = []
    relata_side = {"Pizza": Pizza, "Topping": Topping, "Person": Person}
    for step in _writes(relata_side):
        with CaptureQueries() as captured:
            step()
        relata_counts.append(len([q for q in captured.queries if not _is_transaction(q.sql)]))
    assert all(mine <= theirs for mine, theirs in zip(relata_counts, django_counts, strict=True))
    assert relata_counts == [1, 1, 1, 3, 1, 1, 1, 1, 1]


def _is_transaction(sql):
    return sql.split(" ", 1)[0].upper() in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def test_symmetrical_add_of_many_is_one_insert_and_self_link_is_one_row():
    ann, *others = (Person.objects.create(name=n) for n in ("ann", "bob", "cy", "dee"))
    with assert_num_queries(1):
        ann.friends.add(*others, ann)
    assert Person.friends.through.objects.count() == 2 * len(others) + 1
    assert names(ann.friends.all()) == ["ann", "bob", "cy", "dee"]
    with assert_num_queries(1):
        ann.friends.remove(*others)
    assert names(ann.friends.all()) == ["ann"]
    assert all(not p.friends.exists() for p in others)


def test_explicit_through_add_skips_existing_links():
    ann = Person.objects.create(name="ann")
    club = Group.objects.create(name="club")
    club.members.add(ann, through_defaults={"role": "chair"})
    with assert_num_queries(1):
        club.members.add(ann)
    assert list(Membership.objects.values_list("role", flat=True)) == ["chair"]
