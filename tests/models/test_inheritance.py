"""Multi-table inheritance: parent links, parent fields on the child, saves, updates and deletes across tables."""

import pytest

import oracle
from relata import exceptions, models
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

dm = oracle.models


class Place(models.Model):
    name = models.CharField(max_length=50)
    address = models.CharField(max_length=80, default="")

    class Meta:
        app_label = "m_mti"
        ordering = ["name"]


class Restaurant(Place):
    serves_pizza = models.BooleanField(default=False)
    chef = models.ForeignKey("Chef", models.SET_NULL, null=True, related_name="restaurants")

    class Meta:
        app_label = "m_mti"


class ItalianRestaurant(Restaurant):
    serves_gnocchi = models.BooleanField(default=False)

    class Meta:
        app_label = "m_mti"


class Chef(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        app_label = "m_mti"


class Review(models.Model):
    place = models.ForeignKey(Place, models.CASCADE, related_name="reviews")
    stars = models.IntegerField(default=3)

    class Meta:
        app_label = "m_mti"


class Rating(models.Model):
    rating_id = models.AutoField(primary_key=True)
    score = models.IntegerField(default=0)

    class Meta:
        app_label = "m_mti"


class RatedRestaurant(Restaurant, Rating):
    """Two concrete parents: the second is linked by a non-key rating_ptr."""

    class Meta:
        app_label = "m_mti"


class Supplier(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        app_label = "m_mti"


class Shop(Supplier):
    supplier = models.OneToOneField(Supplier, models.CASCADE, parent_link=True, primary_key=True)
    street = models.CharField(max_length=50, default="")

    class Meta:
        app_label = "m_mti"


use_models(Chef, Place, Restaurant, ItalianRestaurant, Review, Rating, RatedRestaurant, Supplier, Shop)


class dj:
    class Place(dm.Model):
        name = dm.CharField(max_length=50)
        address = dm.CharField(max_length=80, default="")

        class Meta(oracle.Meta("m_mti")):
            ordering = ["name"]

    class Restaurant(Place):
        serves_pizza = dm.BooleanField(default=False)

        class Meta(oracle.Meta("m_mti")):
            pass

    class ItalianRestaurant(Restaurant):
        serves_gnocchi = dm.BooleanField(default=False)

        class Meta(oracle.Meta("m_mti")):
            pass


oracle.use_django_models(dj.Place, dj.Restaurant, dj.ItalianRestaurant)


# -- the class -------------------------------------------------------------------


def test_child_gets_a_parent_link_as_primary_key():
    link = Restaurant._meta.pk
    assert link.name == "place_ptr" and link.one_to_one and link.remote_field.parent_link
    assert link.auto_created and link.related_model is Place
    assert Restaurant._meta.parents == {Place: link}
    assert [f.name for f in Restaurant._meta.fields] == [f.name for f in dj.Restaurant._meta.fields] + ["chef"]
    assert [f.name for f in Restaurant._meta.local_fields] == ["place_ptr", "serves_pizza", "chef"]
    assert [f.name for f in ItalianRestaurant._meta.concrete_fields] == [
        "id",
        "name",
        "address",
        "place_ptr",
        "serves_pizza",
        "chef",
        "restaurant_ptr",
        "serves_gnocchi",
    ]


def test_meta_parent_api():
    assert ItalianRestaurant._meta.get_parent_list() == [Restaurant, Place]
    assert ItalianRestaurant._meta.get_ancestor_link(Place) is ItalianRestaurant._meta.pk
    assert ItalianRestaurant._meta.get_base_chain(Place) == [Restaurant, Place]
    path = ItalianRestaurant._meta.get_path_to_parent(Place)
    assert [(s.from_model, s.to_model) for s in path] == [(ItalianRestaurant, Restaurant), (Restaurant, Place)]
    assert ItalianRestaurant._meta.get_path_to_parent(ItalianRestaurant) == []
    own = {f.name for f in Restaurant._meta.get_fields(include_parents=False)}
    assert {"place_ptr", "serves_pizza", "chef", "italianrestaurant"} <= own
    assert "name" not in own and "reviews" not in own
    every = {f.name for f in Restaurant._meta.get_fields()}
    assert {"name", "address", "reviews"} <= every
    # The parent's link to its child is not a field of the child.
    assert "restaurant" not in every
    with pytest.raises(TypeError, match="include_parents"):
        Restaurant._meta.get_fields(include_parents=None)


def test_explicit_parent_link_is_the_link():
    assert Shop._meta.pk.name == "supplier"
    assert Shop._meta.parents == {Supplier: Shop._meta.get_field("supplier")}
    assert not any(f.name == "supplier_ptr" for f in Shop._meta.fields)


def test_multiple_parents_link_the_second_by_a_non_key_field():
    link = RatedRestaurant._meta.parents[Rating]
    assert link.name == "rating_ptr" and not link.primary_key
    assert RatedRestaurant._meta.pk.name == "restaurant_ptr"
    assert issubclass(RatedRestaurant.DoesNotExist, Restaurant.DoesNotExist)
    assert issubclass(RatedRestaurant.DoesNotExist, Rating.DoesNotExist)


def test_meta_ordering_is_inherited_db_table_is_not():
    assert Restaurant._meta.ordering == ["name"] == dj.Restaurant._meta.ordering
    assert Restaurant._meta.db_table == "m_mti_restaurant"


def test_child_does_not_exist_is_the_parents():
    assert issubclass(Restaurant.DoesNotExist, Place.DoesNotExist)
    assert issubclass(Restaurant.MultipleObjectsReturned, Place.MultipleObjectsReturned)


def test_field_clashing_with_a_concrete_parents_is_refused():
    with pytest.raises(exceptions.FieldError, match="Local field 'name' in class 'Bad' clashes"):

        class Bad(Place):
            name = models.CharField(max_length=10)

            class Meta:
                app_label = "m_mti_bad"


def test_declared_field_named_like_the_link_is_refused():
    with pytest.raises(exceptions.FieldError, match="Auto-generated field 'place_ptr'"):

        class Bad2(Place):
            place_ptr = models.IntegerField()

            class Meta:
                app_label = "m_mti_bad"


def test_checks_report_parents_clashing_with_each_other():
    from relata import checks

    class Left(models.Model):
        size = models.IntegerField()

        class Meta:
            app_label = "m_mti_chk"

    class Right(models.Model):
        size = models.IntegerField()

        class Meta:
            app_label = "m_mti_chk"

    class Both(Left, Right):
        class Meta:
            app_label = "m_mti_chk"

    try:
        messages = Both.check()
        # Both parents have an `id` and a `size` (Django reports each pair).
        assert [m.id for m in messages] == ["models.E005", "models.E005"]
        assert messages[1].msg == (
            "The field 'size' from parent model 'm_mti_chk.left' clashes with the field 'size' "
            "from parent model 'm_mti_chk.right'."
        )
        assert checks.run_checks(app_labels=["m_mti_chk"]) == messages
    finally:
        for model in (Both, Left, Right):
            model._meta.apps.unregister_model(model)


# -- rows -------------------------------------------------------------------------


def test_create_writes_the_parent_row_first(relata_backend):
    with assert_num_queries(2) as captured:
        r = Restaurant.objects.create(name="Demon Dogs", address="944 W. Fullerton", serves_pizza=True)
    assert "m_mti_place" in captured[0].sql and "m_mti_restaurant" in captured[1].sql
    assert r.pk == r.id == r.place_ptr_id is not None
    assert Place.objects.get(pk=r.pk).name == "Demon Dogs"


def test_three_levels(relata_backend):
    with assert_num_queries(3):
        i = ItalianRestaurant.objects.create(name="Ristorante Miron", serves_gnocchi=True)
    assert i.pk == i.id == i.place_ptr_id == i.restaurant_ptr_id
    loaded = ItalianRestaurant.objects.get(name="Ristorante Miron")
    assert (loaded.name, loaded.serves_pizza, loaded.serves_gnocchi) == ("Ristorante Miron", False, True)
    assert list(Restaurant.objects.values_list("name", flat=True)) == ["Ristorante Miron"]
    assert list(Place.objects.all()) == [Place.objects.get(pk=i.pk)]


def test_parent_fields_filter_order_and_values(relata_backend):
    Restaurant.objects.create(name="B", address="x", serves_pizza=True)
    Restaurant.objects.create(name="A", address="y")
    Place.objects.create(name="C")
    assert [r.name for r in Restaurant.objects.all()] == ["A", "B"]
    assert [r.name for r in Restaurant.objects.order_by("-address")] == ["A", "B"]
    assert list(Restaurant.objects.filter(name__startswith="B").values("name", "serves_pizza")) == [
        {"name": "B", "serves_pizza": True}
    ]
    assert Restaurant.objects.filter(address="y").count() == 1
    assert Restaurant.objects.exclude(name="A").get().name == "B"


def test_same_answers_as_django(relata_backend):
    for shop in (Restaurant, dj.Restaurant):
        shop.objects.create(name="B", address="x", serves_pizza=True)
        shop.objects.create(name="A", address="y")
    for query in (
        lambda m: list(m.objects.values_list("name", "serves_pizza")),
        lambda m: list(m.objects.filter(serves_pizza=False).values("name", "address")),
        lambda m: list(m.objects.order_by("-name").values_list("address", flat=True)),
    ):
        assert query(Restaurant) == query(dj.Restaurant)
    place_model = Place if Restaurant else None
    assert list(place_model.objects.filter(restaurant__serves_pizza=True).values_list("name", flat=True)) == list(
        dj.Place.objects.filter(restaurant__serves_pizza=True).values_list("name", flat=True)
    )


def test_parent_link_and_reverse_accessor(relata_backend):
    r = Restaurant.objects.create(name="Demon Dogs")
    r = Restaurant.objects.get(pk=r.pk)
    with assert_num_queries(0):
        place = r.place_ptr
    assert type(place) is Place and place.pk == r.pk and place.name == "Demon Dogs"
    place = Place.objects.get(pk=r.pk)
    with assert_num_queries(1):
        assert place.restaurant == r
    with assert_num_queries(0):
        assert place.restaurant.place_ptr is place


def test_parent_without_child_raises_child_does_not_exist(relata_backend):
    place = Place.objects.create(name="Just a place")
    with pytest.raises(Restaurant.DoesNotExist, match="Place has no restaurant"):
        _ = place.restaurant
    with pytest.raises(AttributeError):
        _ = place.restaurant
    assert not hasattr(place, "restaurant")


def test_filter_parent_by_child_and_child_by_parent_relation(relata_backend):
    r = Restaurant.objects.create(name="Demon Dogs")
    Place.objects.create(name="Other")
    Review.objects.create(place=r, stars=5)
    assert list(Place.objects.filter(restaurant__isnull=False)) == [Place.objects.get(pk=r.pk)]
    assert list(Restaurant.objects.filter(reviews__stars=5)) == [r]
    assert [rv.stars for rv in r.reviews.all()] == [5]


def test_save_loaded_child_updates_both_tables(relata_backend):
    r = Restaurant.objects.create(name="Demon Dogs")
    r = Restaurant.objects.get(pk=r.pk)
    r.name, r.serves_pizza = "Demon Puppies", True
    with assert_num_queries(2):
        r.save()
    again = Restaurant.objects.get(pk=r.pk)
    assert (again.name, again.serves_pizza) == ("Demon Puppies", True)


def test_update_fields_writes_only_the_tables_that_hold_them(relata_backend):
    r = Restaurant.objects.create(name="Demon Dogs")
    r.name = "Renamed"
    with assert_num_queries(1) as captured:
        r.save(update_fields=["name"])
    assert "m_mti_place" in captured[0].sql
    r.serves_pizza = True
    with assert_num_queries(1) as captured:
        r.save(update_fields=["serves_pizza"])
    assert "m_mti_restaurant" in captured[0].sql
    r.name, r.serves_pizza = "Both", False
    with assert_num_queries(2):
        r.save(update_fields=["name", "serves_pizza"])
    assert Restaurant.objects.values_list("name", "serves_pizza").get() == ("Both", False)


def test_force_insert_with_parents(relata_backend):
    place = Place.objects.create(name="Existing")
    # force_insert=True inserts the child's own row only; the parent row is updated.
    r = Restaurant(place_ptr=place, name="Existing", serves_pizza=True)
    with assert_num_queries(2):
        r.save(force_insert=True)
    assert Place.objects.count() == 1 and Restaurant.objects.get().serves_pizza
    # A tuple of bases inserts those bases' rows too.
    with pytest.raises(exceptions.IntegrityError):
        Restaurant(pk=place.pk, name="Again").save(force_insert=(Place,))
    with pytest.raises(TypeError, match="must be a base of Restaurant"):
        Restaurant(name="x").save(force_insert=(Chef,))
    with pytest.raises(TypeError, match="bool or tuple"):
        Restaurant(name="x").save(force_insert=[Place])


def test_queryset_update_spans_tables(relata_backend):
    Restaurant.objects.create(name="Demon Dogs", serves_pizza=True)
    Restaurant.objects.create(name="Other")
    rows = Restaurant.objects.filter(serves_pizza=True, name__contains="D").update(
        name="Demon Puppies", serves_pizza=False
    )
    assert rows == 1
    assert Restaurant.objects.filter(name="Demon Puppies", serves_pizza=False).count() == 1
    assert ItalianRestaurant.objects.update(name="none") == 0


def test_update_through_a_second_parent(relata_backend):
    RatedRestaurant.objects.create(name="R", score=4)
    Rating.objects.create(score=1)
    assert RatedRestaurant.objects.update(score=5) == 1
    assert sorted(Rating.objects.values_list("score", flat=True)) == [1, 5]
    rated = RatedRestaurant.objects.get()
    assert (rated.score, rated.name, rated.rating_id == rated.rating_ptr_id) == (5, "R", True)


def test_delete_child_deletes_parent_rows(relata_backend):
    i = ItalianRestaurant.objects.create(name="Ristorante")
    Review.objects.create(place=i)
    deleted = i.delete()
    assert deleted == (
        4,
        {"m_mti.ItalianRestaurant": 1, "m_mti.Restaurant": 1, "m_mti.Place": 1, "m_mti.Review": 1},
    )
    assert Place.objects.count() == Review.objects.count() == 0


def test_delete_keep_parents(relata_backend):
    r = Restaurant.objects.create(name="Kept")
    Review.objects.create(place=r)
    assert r.delete(keep_parents=True) == (1, {"m_mti.Restaurant": 1})
    assert Place.objects.get().name == "Kept" and Review.objects.count() == 1


def test_delete_parent_deletes_child_rows(relata_backend):
    i = ItalianRestaurant.objects.create(name="Ristorante")
    Place.objects.create(name="Lonely")
    count, per_model = Place.objects.filter(name="Ristorante").delete()
    assert count == 3 and per_model["m_mti.ItalianRestaurant"] == 1
    assert not Restaurant.objects.filter(pk=i.pk).exists()
    assert Place.objects.get().name == "Lonely"


def test_queryset_delete_of_children(relata_backend):
    Restaurant.objects.create(name="A")
    Restaurant.objects.create(name="B")
    Place.objects.create(name="C")
    assert Restaurant.objects.filter(name="A").delete()[1] == {"m_mti.Restaurant": 1, "m_mti.Place": 1}
    assert list(Place.objects.values_list("name", flat=True)) == ["B", "C"]


def test_bulk_create_is_refused_for_multi_table_models(relata_backend):
    with pytest.raises(ValueError, match="Can't bulk create a multi-table inherited model"):
        Restaurant.objects.bulk_create([Restaurant(name="x")])
    with pytest.raises(ValueError, match="multi-table"):
        Restaurant.objects.bulk_create([])


def test_select_related_through_parent_fields(relata_backend):
    chef = Chef.objects.create(name="Gordon")
    Restaurant.objects.create(name="Hell's", chef=chef)
    with assert_num_queries(1):
        r = Restaurant.objects.select_related("chef").get()
        assert r.chef.name == "Gordon" and r.name == "Hell's"
    ItalianRestaurant.objects.create(name="Italian", chef=chef)
    with assert_num_queries(1):
        i = ItalianRestaurant.objects.select_related("chef").get()
        assert i.chef.name == "Gordon"
    with assert_num_queries(1):
        places = list(Place.objects.select_related("restaurant").order_by("name"))
        assert [p.restaurant.name for p in places] == ["Hell's", "Italian"]


def test_prefetch_related_through_parents(relata_backend):
    chef = Chef.objects.create(name="Gordon")
    r = Restaurant.objects.create(name="A", chef=chef)
    Review.objects.create(place=r, stars=4)
    with assert_num_queries(2):
        [got] = Restaurant.objects.prefetch_related("reviews")
        assert [rv.stars for rv in got.reviews.all()] == [4]
    with assert_num_queries(2):
        [cook] = Chef.objects.prefetch_related("restaurants")
        assert [x.name for x in cook.restaurants.all()] == ["A"]


def test_only_and_defer_across_tables(relata_backend):
    r = Restaurant.objects.create(name="A", address="street", serves_pizza=True)
    got = Restaurant.objects.only("name").get()
    assert got.get_deferred_fields() == {"id", "address", "serves_pizza", "chef_id"}
    with assert_num_queries(0):
        assert got.id == r.pk  # the parent's key is the link's value
    with assert_num_queries(1):
        assert got.address == "street"
    assert Restaurant.objects.defer("name").get().get_deferred_fields() == {"name"}


def test_refresh_and_unique_checks_use_the_tables(relata_backend):
    r = Restaurant.objects.create(name="A")
    Place.objects.filter(pk=r.pk).update(name="changed")
    r.refresh_from_db()
    assert r.name == "changed"
    with assert_num_queries(0):
        r.clean_fields(exclude=["address", "chef"])  # the parent link is valid without a query for its row


def test_a_copy_by_clearing_the_keys(relata_backend):
    r = Restaurant.objects.create(name="A", serves_pizza=True)
    r.pk = r.id = None
    r._state.adding = True
    r.save()
    assert Restaurant.objects.count() == 2 and Place.objects.count() == 2


def test_setting_the_parent_link_moves_the_inherited_keys(relata_backend):
    a = Place.objects.create(name="a")
    r = Restaurant(name="r")
    r.place_ptr = a
    assert r.pk == r.id == a.pk
    r.place_ptr = None
    assert r.pk is None and r.id is None


def test_plain_models_pay_nothing():
    assert not Chef._meta.multi_table and not Chef._meta.parents
    assert Chef._meta.concrete_fields == Chef._meta.local_concrete_fields
    assert Restaurant._meta.multi_table and not Place._meta.multi_table


def test_migrations_create_the_parent_table_first():
    from relata.migrations.autodetector import MigrationAutodetector
    from relata.migrations.graph import MigrationGraph
    from relata.migrations.state import ModelState, ProjectState

    state = ProjectState()
    for model in (ItalianRestaurant, Restaurant, Chef, Place):
        state.add_model(ModelState.from_model(model))
    rendered = state.apps.get_model("m_mti", "restaurant")
    assert rendered._meta.pk.name == "place_ptr" and [f.name for f in rendered._meta.local_fields] == [
        "place_ptr",
        "serves_pizza",
        "chef",
    ]
    [migration] = MigrationAutodetector(ProjectState(), state).changes(MigrationGraph())["m_mti"]
    created = [op.name for op in migration.operations if type(op).__name__ == "CreateModel"]
    assert created.index("Place") < created.index("Restaurant") < created.index("ItalianRestaurant")


def test_pk_none_clears_the_keys_of_parents_linked_by_other_fields(relata_backend):
    rated = RatedRestaurant.objects.create(name="R", score=4)
    copy = RatedRestaurant.objects.get(pk=rated.pk)
    copy.pk = None
    assert copy.rating_id is None and copy.id is not None  # the primary link's parent keeps its key
    # As in Django, each parent's key is cleared by hand (Restaurant's is place_ptr, Place's is id).
    copy.id = copy.place_ptr_id = copy.rating_ptr_id = None
    copy.save()
    assert RatedRestaurant.objects.count() == 2 and Rating.objects.count() == 2


def test_raw_save_writes_only_the_childs_own_table(relata_backend):
    place = Place(name="Guido's")
    place.save_base(raw=True)
    r = Restaurant(place_ptr=place, serves_pizza=True)
    with assert_num_queries(2):  # UPDATE finds no row, then INSERT: the Place row is left alone
        r.save_base(raw=True)
    assert Place.objects.get().name == "Guido's" and Restaurant.objects.get().serves_pizza


def test_post_save_for_a_child_says_whether_its_row_was_created(relata_backend):
    from relata.models.signals import post_save

    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((sender, created))

    post_save.connect(receiver, sender=Restaurant)
    try:
        r = Restaurant.objects.create(name="a")
        r.save()
    finally:
        post_save.disconnect(receiver, sender=Restaurant)
    assert seen == [(Restaurant, True), (Restaurant, False)]


def test_saving_a_deferred_child_writes_only_what_was_loaded(relata_backend):
    chef = Chef.objects.create(name="c")
    r = Restaurant.objects.create(name="A", chef=chef)
    loaded = Restaurant.objects.only("name").get(pk=r.pk)
    loaded.name = "B"
    with assert_num_queries(1):  # the parent's UPDATE; nothing of the child's table was loaded
        loaded.save()
    assert Restaurant.objects.values_list("name", "chef_id").get() == ("B", chef.pk)


def test_select_related_without_names_skips_parent_links_and_deferred_keys(relata_backend):
    chef = Chef.objects.create(name="c")
    Review.objects.create(place=Restaurant.objects.create(name="A", chef=chef))
    with assert_num_queries(1) as captured:
        review = Review.objects.select_related().get()
        assert review.place.name == "A"
    assert captured[0].sql.count("JOIN") == 1
    with assert_num_queries(1):
        assert Restaurant.objects.select_related().only("name").get().name == "A"


def test_contains_takes_the_same_rows_through_a_proxy_or_parent(relata_backend):
    r = Restaurant.objects.create(name="A")
    place = Place.objects.get(pk=r.pk)
    assert Place.objects.contains(place)
    assert not Restaurant.objects.contains(place)  # another model's rows, as Django answers
