"""Managers: Model.objects, custom managers, Manager.from_queryset, QuerySet.as_manager."""

import pytest

from relata import models
from relata.testing.pytest_plugin import use_models


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def titled(self, prefix):
        return self.filter(title__startswith=prefix)

    def _private(self):
        return "hidden"


class PublishedManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(published=True)


class Post(models.Model):
    title = models.CharField(max_length=30)
    published = models.BooleanField(default=False)

    objects = models.Manager()
    live = PublishedManager()
    extended = models.Manager.from_queryset(PublishedQuerySet)()
    as_qs = PublishedQuerySet.as_manager()

    class Meta:
        app_label = "m_managers"


class LiveFirst(models.Model):
    title = models.CharField(max_length=30)
    published = models.BooleanField(default=False)

    live = PublishedManager()
    everything = models.Manager()

    class Meta:
        app_label = "m_managers"


class WithManagerBase(models.Model):
    published = models.BooleanField(default=False)
    live = PublishedManager()

    class Meta:
        abstract = True


class Inherits(WithManagerBase):
    title = models.CharField(max_length=30)

    class Meta:
        app_label = "m_managers"


class Comment(models.Model):
    post = models.ForeignKey(LiveFirst, models.CASCADE)

    class Meta:
        app_label = "m_managers"


def test_custom_get_queryset_filters():
    Post.objects.create(title="draft")
    Post.objects.create(title="live", published=True)
    assert [p.title for p in Post.live.all()] == ["live"]
    assert Post.live.count() == 1
    assert Post.objects.count() == 2


def test_from_queryset_exposes_queryset_methods_on_manager_and_chain():
    Post.objects.create(title="alpha", published=True)
    Post.objects.create(title="beta", published=True)
    Post.objects.create(title="alpha draft")
    assert Post.extended.published().count() == 2
    assert Post.extended.titled("al").published().count() == 1
    assert Post.extended.filter(published=False).titled("al").count() == 1
    assert isinstance(Post.extended.all(), PublishedQuerySet)
    assert not hasattr(Post.extended, "_private")
    assert type(Post.extended).__name__ == "ManagerFromPublishedQuerySet"


def test_as_manager():
    Post.objects.create(title="x", published=True)
    assert Post.as_qs.published().count() == 1
    assert not hasattr(Post.as_qs, "delete")  # queryset_only methods stay on the QuerySet


def test_first_declared_manager_is_default_and_no_objects_is_added():
    assert LiveFirst._default_manager is LiveFirst.live
    assert not hasattr(LiveFirst, "objects")
    assert [m.name for m in LiveFirst._meta.managers] == ["live", "everything"]
    LiveFirst.everything.create(title="hidden")
    assert LiveFirst._default_manager.count() == 0
    assert LiveFirst._base_manager.count() == 1


def test_default_objects_manager_is_added():
    class Plain(models.Model):
        class Meta:
            app_label = "m_managers"

    assert isinstance(Plain.objects, models.Manager)
    assert Plain._default_manager is Plain.objects
    assert Plain.objects.model is Plain


def test_manager_inherited_from_abstract_base_binds_to_child():
    Inherits.live.create(title="a")  # create() is not filtered
    Inherits._base_manager.create(title="b", published=True)
    assert Inherits.live.model is Inherits
    assert [o.title for o in Inherits.live.all()] == ["b"]
    assert not hasattr(Inherits, "objects")


def test_abstract_model_manager_is_unavailable():
    with pytest.raises(AttributeError, match="abstract"):
        WithManagerBase.live  # noqa: B018


def test_field_named_objects_needs_a_custom_manager():
    with pytest.raises(ValueError, match="must specify a custom Manager"):

        class Clash(models.Model):
            objects = models.IntegerField()

            class Meta:
                app_label = "m_managers"


def test_manager_proxies_queryset_api_and_str():
    assert str(Post.objects) == "m_managers.Post.objects"
    for name in ("filter", "exclude", "get", "count", "values", "aggregate", "in_bulk", "bulk_create"):
        assert callable(getattr(Post.objects, name)), name


# -- which QuerySet methods a manager gets, and how it deconstructs ---------------------


class OptQuerySet(models.QuerySet):
    def _opted_in(self):
        return "in"

    _opted_in.queryset_only = False

    def kept_on_querysets(self):
        return "qs"

    kept_on_querysets.queryset_only = True


OptManager = models.Manager.from_queryset(OptQuerySet)


class ArgsManager(OptManager):
    def __init__(self, *args, **kwargs):
        super().__init__()
        self.init_args = (args, kwargs)


def test_queryset_only_decides_which_methods_a_manager_gets():
    manager = OptManager()
    assert manager._opted_in.__name__ == "_opted_in"
    with pytest.raises(AttributeError, match="kept_on_querysets"):
        manager.kept_on_querysets  # noqa: B018
    assert not hasattr(OptManager, "_private")


def test_deconstruct_names_the_class_and_its_arguments():
    assert ArgsManager("a", 2, flag=True).deconstruct() == (
        False,
        f"{__name__}.ArgsManager",
        None,
        ("a", 2),
        {"flag": True},
    )
    assert OptQuerySet.as_manager().deconstruct() == (True, None, f"{__name__}.OptQuerySet", None, None)


def test_deconstruct_of_an_unimportable_manager_class_says_how_to_fix_it():
    with pytest.raises(ValueError, match="inherit from managers you dynamically generated with 'from_queryset"):
        OptManager().deconstruct()


# -- related managers built on a filtering default manager only remove what they show ---


class Shelf(models.Model):
    name = models.CharField(max_length=20)

    class Meta:
        app_label = "m_managers"


class Volume(models.Model):
    title = models.CharField(max_length=20)
    published = models.BooleanField(default=False)
    shelf = models.ForeignKey(Shelf, models.SET_NULL, null=True, related_name="volumes")
    readers = models.ManyToManyField(Shelf, related_name="read_volumes")

    objects = PublishedManager()
    everything = models.Manager()

    class Meta:
        app_label = "m_managers"
        base_manager_name = "everything"


# One call per module: it sets the module's tables.
use_models(Post, LiveFirst, Inherits, Comment, Shelf, Volume)


@pytest.mark.parametrize("bulk", [True, False])
def test_reverse_fk_remove_and_clear_leave_rows_the_manager_hides(bulk):
    shelf = Shelf.objects.create(name="s")
    shown = Volume.everything.create(title="shown", published=True, shelf=shelf)
    hidden = Volume.everything.create(title="hidden", shelf=shelf)
    shelf.volumes.remove(hidden, bulk=bulk)
    assert sorted(Volume.everything.filter(shelf=shelf).values_list("title", flat=True)) == ["hidden", "shown"]
    shelf.volumes.remove(shown, bulk=bulk)
    shown.shelf = shelf
    shown.save()
    shelf.volumes.clear(bulk=bulk)
    assert list(Volume.everything.filter(shelf=shelf).values_list("title", flat=True)) == ["hidden"]


def test_m2m_remove_and_clear_leave_links_the_manager_hides():
    shelf = Shelf.objects.create(name="s")
    shown = Volume.everything.create(title="shown", published=True)
    hidden = Volume.everything.create(title="hidden")
    shown.readers.add(shelf)
    hidden.readers.add(shelf)
    shelf.read_volumes.remove(hidden)
    assert Volume.readers.through.objects.count() == 2
    shelf.read_volumes.clear()
    assert [link.volume.title for link in Volume.readers.through.objects.all()] == ["hidden"]
    shelf.read_volumes(manager="everything").clear()
    assert Volume.readers.through.objects.count() == 0


def test_meta_changed_at_run_time_is_obeyed_after_expire_cache():
    """The forward relation reads through the base manager; naming a filtering one (and expiring the
    cached options, as Django's _expire_cache) hides the unpublished target."""
    hidden = LiveFirst.everything.create(title="draft", published=False)
    comment = Comment.objects.create(post=hidden)
    assert Comment.objects.get(pk=comment.pk).post == hidden
    LiveFirst._meta.base_manager_name = "live"
    LiveFirst._meta._expire_cache()
    try:
        with pytest.raises(LiveFirst.DoesNotExist):
            Comment.objects.get(pk=comment.pk).post  # noqa: B018
    finally:
        LiveFirst._meta.base_manager_name = None
        LiveFirst._meta._expire_cache()
    assert Comment.objects.get(pk=comment.pk).post == hidden
