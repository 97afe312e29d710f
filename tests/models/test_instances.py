"""Model instances: repr/str, equality, DoesNotExist, save(), delete(), refresh_from_db()."""

import pickle

import pytest

import oracle
from relata import exceptions, models
from relata.testing import CaptureQueries, assert_num_queries
from relata.testing.pytest_plugin import use_models

dm = oracle.models


class Author(models.Model):
    name = models.CharField(max_length=50)
    age = models.IntegerField(default=30)
    rating = models.FloatField(null=True)

    class Meta:
        app_label = "m_inst"


class Tag(models.Model):
    slug = models.SlugField(primary_key=True)
    uses = models.IntegerField(default=0)

    class Meta:
        app_label = "m_inst"


class Named(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        app_label = "m_inst"

    def __str__(self):
        return self.name


class Careful(models.Model):
    """Meta.select_on_save: save() asks whether the row exists before it updates it."""

    name = models.CharField(max_length=50)

    class Meta:
        app_label = "m_inst"
        select_on_save = True


use_models(Author, Tag, Named, Careful)


class dj:
    class Author(dm.Model):
        name = dm.CharField(max_length=50)
        age = dm.IntegerField(default=30)
        rating = dm.FloatField(null=True)

        class Meta(oracle.Meta("m_inst")):
            pass


oracle.use_django_models(dj.Author)


def rows(model):
    return sorted(model.objects.values_list(flat=False).order_by("pk"))


# -- repr, str, equality ----------------------------------------------------------


def test_default_repr_and_str_match_django():
    ours, theirs = Author(id=1, name="a"), dj.Author(id=1, name="a")
    assert repr(ours) == repr(theirs) == "<Author: Author object (1)>"
    assert str(ours) == str(theirs) == "Author object (1)"
    assert repr(Author(name="x")) == repr(dj.Author(name="x")) == "<Author: Author object (None)>"
    assert repr(Named(name="Ann")) == "<Named: Ann>"


def test_equality_is_by_model_and_pk():
    assert Author(id=1) == Author(id=1)
    assert Author(id=1) != Author(id=2)
    assert Author(id=1) != Named(id=1)
    unsaved = Author()
    assert unsaved == unsaved
    assert unsaved != Author()
    assert Author(id=1) != 1


def test_hash_is_by_pk_and_unsaved_is_unhashable():
    assert hash(Author(id=7)) == hash(Author(id=7))
    assert len({Author(id=7), Author(id=7), Author(id=8)}) == 2
    with pytest.raises(TypeError, match="unhashable") as info:
        hash(Author())
    assert str(info.value) == str(oracle.error_of(hash, dj.Author()))


def test_instance_pickles():
    a = Author.objects.create(name="p")
    again = pickle.loads(pickle.dumps(a))
    assert again == a and again.name == "p" and not again._state.adding


# -- constructor ----------------------------------------------------------------


def test_defaults_and_positional_args():
    a = Author(None, "n")
    assert (a.id, a.name, a.age, a.rating) == (None, "n", 30, None)
    assert Named().name == ""


def test_unknown_keyword_is_a_type_error_naming_the_fields():
    with pytest.raises(TypeError) as info:
        Author(nmae="x")
    assert "nmae" in str(info.value) and "name" in str(info.value)


def test_too_many_positional_args():
    with pytest.raises(IndexError):
        Author(1, "a", 3, 4.0, 5)


def test_managers_not_reachable_from_instances():
    with pytest.raises(AttributeError, match="Manager isn't accessible via Author instances"):
        Author().objects  # noqa: B018


# -- DoesNotExist / MultipleObjectsReturned ----------------------------------------


def test_does_not_exist_is_per_model_and_matches_django_message():
    assert issubclass(Author.DoesNotExist, exceptions.ObjectDoesNotExist)
    assert Author.DoesNotExist is not Named.DoesNotExist
    assert not issubclass(Author.DoesNotExist, Named.DoesNotExist)
    with pytest.raises(Author.DoesNotExist) as info:
        Author.objects.get(name="ghost")
    theirs = oracle.error_of(dj.Author.objects.get, name="ghost")
    assert str(info.value) == str(theirs) == "Author matching query does not exist."
    assert Author.DoesNotExist.__qualname__ == "Author.DoesNotExist"


def test_multiple_objects_returned_matches_django_message():
    for _i in range(3):
        Author.objects.create(name="dup")
        dj.Author.objects.create(name="dup")
    with pytest.raises(Author.MultipleObjectsReturned) as info:
        Author.objects.get(name="dup")
    assert issubclass(Author.MultipleObjectsReturned, exceptions.MultipleObjectsReturned)
    assert str(info.value) == str(oracle.error_of(dj.Author.objects.get, name="dup"))


# -- save -----------------------------------------------------------------------


def test_save_inserts_then_updates():
    a = Author(name="a")
    assert a._state.adding
    with assert_num_queries(1) as captured:
        a.save()
    assert captured[0].sql.startswith("INSERT")
    assert a.pk is not None and not a._state.adding and a._state.db == "default"
    a.name = "b"
    with assert_num_queries(1) as captured:
        a.save()
    assert captured[0].sql.startswith("UPDATE")
    assert Author.objects.get(pk=a.pk).name == "b"
    assert Author.objects.count() == 1


def test_save_with_explicit_pk_of_missing_row_inserts():
    a = Author(id=4242, name="x")
    with assert_num_queries(2):  # UPDATE matched nothing, then INSERT (as Django)
        a.save()
    assert Author.objects.get(pk=4242).name == "x"


def test_save_with_explicit_pk_of_existing_row_updates():
    a = Author.objects.create(name="x")
    Author(id=a.pk, name="y").save()
    assert Author.objects.get().name == "y"


def test_update_fields_writes_only_those_columns():
    a = Author.objects.create(name="a", age=1)
    Author.objects.filter(pk=a.pk).update(age=99)
    a.name = "renamed"
    a.age = 2
    with assert_num_queries(1) as captured:
        a.save(update_fields=["name"])
    assert '"age"' not in captured[0].sql
    fresh = Author.objects.get(pk=a.pk)
    assert (fresh.name, fresh.age) == ("renamed", 99)


def test_update_fields_empty_does_nothing():
    a = Author.objects.create(name="a")
    with assert_num_queries(0):
        a.save(update_fields=[])


def test_update_fields_unknown_name_is_rejected_before_any_query():
    a = Author.objects.create(name="a")
    with assert_num_queries(0), pytest.raises(ValueError) as info:
        a.save(update_fields=["nmae"])
    theirs = dj.Author.objects.create(name="a")
    assert str(info.value) == str(oracle.error_of(theirs.save, update_fields=["nmae"]))
    with pytest.raises(ValueError, match="primary keys"):
        a.save(update_fields=["id"])


def test_update_fields_on_missing_row_raises_database_error():
    a = Author(id=999, name="a")
    a._state.adding = False
    with pytest.raises(exceptions.DatabaseError, match="did not affect any rows"):
        a.save(update_fields=["name"])
    assert Author.objects.count() == 0


def test_force_insert_on_existing_pk_is_integrity_error_and_leaves_row():
    a = Author.objects.create(name="orig")
    dup = Author(id=a.pk, name="dup")
    with pytest.raises(exceptions.IntegrityError):
        dup.save(force_insert=True)
    assert rows(Author) == [(a.pk, "orig", 30, None)]


def test_force_insert_runs_a_single_insert():
    with assert_num_queries(1) as captured:
        Author(id=5, name="x").save(force_insert=True)
    assert captured[0].sql.startswith("INSERT")


def test_force_update_on_missing_row_raises():
    with pytest.raises(exceptions.DatabaseError, match="Forced update did not affect any rows"):
        Author(id=77, name="x").save(force_update=True)
    assert Author.objects.count() == 0


def test_force_insert_with_force_update_or_update_fields_is_rejected():
    with pytest.raises(ValueError, match="Cannot force both insert and updating"):
        Author(name="x").save(force_insert=True, force_update=True)
    with pytest.raises(ValueError, match="Cannot force both insert and updating"):
        Author(name="x").save(force_insert=True, update_fields=["name"])
    assert Author.objects.count() == 0


def test_non_auto_primary_key_save_and_update():
    t = Tag(slug="py")
    t.save()
    t.uses = 3
    t.save()
    assert list(Tag.objects.values_list("slug", "uses")) == [("py", 3)]


def test_save_after_only_writes_loaded_fields():
    Author.objects.create(name="a", age=5)
    a = Author.objects.only("name").get()
    a.name = "b"
    with CaptureQueries() as captured:
        a.save()
    assert len(captured) == 1 and '"age"' not in captured[0].sql
    assert Author.objects.values_list("name", "age").get() == ("b", 5)


# -- delete ---------------------------------------------------------------------


def test_delete_returns_counts_like_django():
    a = Author.objects.create(name="a")
    theirs = dj.Author.objects.create(name="a")
    assert a.delete() == theirs.delete() == (1, {"m_inst.Author": 1})
    assert Author.objects.count() == 0


def test_delete_unsaved_instance_is_rejected():
    with pytest.raises(ValueError) as info:
        Author(name="x").delete()
    assert str(info.value) == str(oracle.error_of(dj.Author(name="x").delete))


# -- refresh_from_db ------------------------------------------------------------


def test_refresh_from_db_reloads_all_fields():
    a = Author.objects.create(name="a", age=1)
    Author.objects.filter(pk=a.pk).update(name="z", age=2)
    with assert_num_queries(1):
        a.refresh_from_db()
    assert (a.name, a.age) == ("z", 2)


def test_refresh_from_db_some_fields():
    a = Author.objects.create(name="a", age=1)
    Author.objects.filter(pk=a.pk).update(name="z", age=2)
    a.refresh_from_db(fields=["age"])
    assert (a.name, a.age) == ("a", 2)


def test_refresh_from_db_of_deleted_row_raises_does_not_exist():
    a = Author.objects.create(name="a")
    Author.objects.all().delete()
    with pytest.raises(Author.DoesNotExist):
        a.refresh_from_db()


def test_refresh_from_db_rejects_lookups_in_fields():
    a = Author.objects.create(name="a")
    with pytest.raises(ValueError, match='Found "__" in fields'):
        a.refresh_from_db(fields=["name__lower"])


def test_deferred_field_loads_on_access():
    Author.objects.create(name="a", age=9)
    a = Author.objects.defer("age").get()
    assert a.get_deferred_fields() == {"age"}
    with assert_num_queries(1):
        assert a.age == 9
    with assert_num_queries(0):
        assert a.age == 9


def test_update_fields_given_as_a_string_is_refused_as_in_django(relata_backend):
    # Django iterates a string as one-letter names; relata says what to write instead.
    author = Author.objects.create(name="Sara")
    with pytest.raises(
        ValueError, match=r"non-concrete fields: a, e, m, n update_fields takes a list of names"
    ) as info:
        author.save(update_fields="name")
    assert "update_fields=['name']" in str(info.value)
    theirs = dj.Author.objects.create(name="Sara")
    with pytest.raises(ValueError, match="non-concrete fields: "):
        theirs.save(update_fields="name")


def test_select_on_save_checks_for_the_row_before_updating_it():
    careful = Careful.objects.create(name="a")
    careful.name = "b"
    with CaptureQueries() as queries:
        careful.save()
    assert [q.sql.split()[0] for q in queries] == ["SELECT", "UPDATE"]
    assert Careful.objects.get().name == "b"
    with assert_num_queries(1):
        careful.save(force_update=True)
    Careful.objects.all().delete()
    with assert_num_queries(1), pytest.raises(exceptions.DatabaseError, match="did not affect any rows"):
        careful.save(force_update=True)
    with CaptureQueries() as queries:
        careful.save()  # no row any more: SELECT, then INSERT
    assert [q.sql.split()[0] for q in queries] == ["SELECT", "INSERT"]
    assert Careful.objects.get().name == "b"
    author = Author.objects.create(name="x")
    with assert_num_queries(1):
        author.save()  # without the option: one UPDATE


@pytest.mark.parametrize("make", [lambda M: M(), lambda M: M(id=None), lambda M: M(id=0), lambda M: M(id=5)])
def test_is_pk_set_as_django(make):
    assert make(Author)._is_pk_set() is make(dj.Author)._is_pk_set()


def test_positional_save_arguments_work_and_warn_as_in_django_5_2():
    from relata.deprecation import RemovedInDjango60Warning

    author = Author.objects.create(name="original")
    author.name = "changed"
    with pytest.warns(RemovedInDjango60Warning, match="Passing positional arguments to save"):
        author.save(False, False, None, ["age"])  # update_fields=["age"]: the name is not written
    author.refresh_from_db()
    assert author.name == "original"
    with pytest.warns(RemovedInDjango60Warning), pytest.raises(TypeError, match="takes from 1 to 5"):
        author.save(False, False, None, None, None)
    with pytest.warns(RemovedInDjango60Warning), pytest.raises(TypeError, match="multiple values for argument 'using'"):
        author.save(False, False, "default", using="other")


def test_positional_asave_arguments_warn_from_the_callers_line():
    import warnings

    from asgiref.sync import async_to_sync

    from relata.deprecation import RemovedInDjango60Warning

    author = Author.objects.create(name="a")

    async def call():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            await author.asave(False, False, None, ["name"])
        return caught

    caught = async_to_sync(call)()  # thread-sensitive calls come back to this thread's connection
    assert [w.category for w in caught] == [RemovedInDjango60Warning]
    assert caught[0].filename == __file__
