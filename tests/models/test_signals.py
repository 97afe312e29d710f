"""Model signals: what init, save and delete send, with which arguments, and what they cost when nobody listens.

Arguments and order follow Django 5.2 (checked against Django where the
scenario allows it). The deletion collector falls back from its fast deletes
when a model has delete receivers, and stays fast otherwise (query counts).
"""

import contextlib
import gc

import pytest

import oracle
from relata import models
from relata.dispatch import Signal
from relata.models import signals
from relata.models.instance_state import DEFERRED
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

dm = oracle.models
APP = "m_signals"


class Writer(models.Model):
    name = models.CharField(max_length=50)
    age = models.IntegerField(default=40)

    class Meta:
        app_label = APP

    def __str__(self):
        return self.name


class Novel(models.Model):
    title = models.CharField(max_length=50)
    writer = models.ForeignKey(Writer, on_delete=models.CASCADE, related_name="novels")

    class Meta:
        app_label = APP

    def __str__(self):
        return self.title


class Chapter(models.Model):
    novel = models.ForeignKey(Novel, on_delete=models.CASCADE)
    number = models.IntegerField()

    class Meta:
        app_label = APP


class Shelf(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        app_label = APP


class Slot(models.Model):
    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE)
    label = models.CharField(max_length=50)

    class Meta:
        app_label = APP


class CustomInit(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        app_label = APP

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.made_by_custom_init = True


use_models(Writer, Novel, Chapter, Shelf, Slot, CustomInit)


@contextlib.contextmanager
def listening(signal, sender=None, **connect_options):
    """Record every send of `signal` (for `sender`) as (sender, kwargs without `signal`); disconnect after."""
    calls = []

    def record(signal, sender, **kwargs):
        calls.append((sender, kwargs))

    signal.connect(record, sender=sender, **connect_options)
    try:
        yield calls
    finally:
        signal.disconnect(record, sender=sender, dispatch_uid=connect_options.get("dispatch_uid"))


def test_model_signals_are_signals_with_django_names():
    for name in ("pre_init", "post_init", "pre_save", "post_save", "pre_delete", "post_delete", "m2m_changed"):
        signal = getattr(signals, name)
        assert isinstance(signal, Signal)
        assert signal.use_caching
    assert isinstance(signals.class_prepared, Signal)
    assert models.signals is signals


# -- pre_init / post_init -------------------------------------------------------------------


def test_init_signals_on_construction():
    with listening(signals.pre_init, Writer) as pre, listening(signals.post_init, Writer) as post:
        writer = Writer(name="Le Guin")
    [(sender, sent)] = pre
    assert sender is Writer
    assert sent["args"] == ()
    # As in Django, kwargs is the dict the constructor consumed: emptied by now.
    assert sent["kwargs"] == {}
    assert post == [(Writer, {"instance": writer})]


def test_pre_init_sees_keyword_arguments_before_they_are_consumed():
    seen = []

    def remember(sender, args, kwargs, **extra):
        seen.append((args, dict(kwargs)))

    signals.pre_init.connect(remember, sender=Writer)
    try:
        Writer(name="Tolkien")
        Writer(None, "Pratchett", 66)
    finally:
        signals.pre_init.disconnect(remember, sender=Writer)
    assert seen == [((), {"name": "Tolkien"}), ((None, "Pratchett", 66), {})]


def test_a_receiver_connected_after_the_first_construction_is_still_called():
    Writer(name="first")  # the model now has its generated __init__
    assert getattr(vars(Writer).get("__init__"), "generated_for", None) is Writer._meta
    with listening(signals.post_init, Writer) as post:
        writer = Writer(name="second")
        Novel(title="unlistened")
    assert post == [(Writer, {"instance": writer})]


def test_a_receiver_for_another_model_leaves_this_model_fast():
    with listening(signals.post_init, Novel) as post:
        writer = Writer(name="fast")
        assert getattr(vars(Writer).get("__init__"), "generated_for", None) is Writer._meta
        assert writer.name == "fast"
    assert post == []


def test_init_signals_with_a_custom_init():
    with listening(signals.post_init, CustomInit) as post:
        obj = CustomInit(name="x")
    assert obj.made_by_custom_init
    assert post == [(CustomInit, {"instance": obj})]


def test_bad_keyword_sends_pre_init_but_not_post_init():
    with (
        listening(signals.pre_init, Writer) as pre,
        listening(signals.post_init, Writer) as post,
        pytest.raises(TypeError, match="unexpected keyword"),
    ):
        Writer(nme="typo")
    assert len(pre) == 1
    assert post == []


def test_init_signals_for_loaded_rows_and_select_related_objects(relata_backend):
    writer = Writer.objects.create(name="Banks", age=54)
    novel = Novel.objects.create(title="Excession", writer=writer)
    with listening(signals.pre_init, Writer) as pre, listening(signals.post_init) as post:
        loaded = list(Writer.objects.all())
        [with_writer] = Novel.objects.select_related("writer")
        deferred = Writer.objects.only("name").get(pk=writer.pk)
    assert [s for s, _ in pre] == [Writer, Writer, Writer]
    assert pre[0][1] == {"args": (writer.pk, "Banks", 54), "kwargs": {}}
    assert pre[2][1]["args"] == (writer.pk, "Banks", DEFERRED)
    assert [(s, kw["instance"]) for s, kw in post] == [
        (Writer, loaded[0]),
        (Novel, with_writer),
        (Writer, with_writer.__dict__["writer"]),
        (Writer, deferred),
    ]
    assert with_writer == novel


def test_from_db_sends_init_signals():
    with listening(signals.post_init, Writer) as post:
        writer = Writer.from_db("default", ["id", "name", "age"], (1, "x", 3))
    assert post == [(Writer, {"instance": writer})]


def test_init_signals_by_model_name_resolve_when_the_model_is_defined(relata_backend):
    got = []
    label = f"m_signals_late_{relata_backend}"  # a model no earlier run registered

    def remember(sender, instance, **kwargs):
        got.append(instance)

    signals.post_init.connect(remember, sender=f"{label}.Late", weak=False)

    class Late(models.Model):
        class Meta:
            app_label = label

    try:
        late = Late()
        assert got == [late]
        # By name the answer is None, as in Django: the disconnect may only happen later.
        assert signals.post_init.disconnect(remember, sender=f"{label}.Late") is None
        assert signals.post_init.disconnect(remember, sender=Late) is False
    finally:
        signals.post_init.disconnect(remember, sender=Late)
        models.registry.apps.unregister_model(Late)


def test_a_bad_model_reference_is_refused():
    def remember(**kwargs):
        pass

    with pytest.raises(ValueError, match=r"Invalid model reference 'nodot'.*'app_label\.ModelName'"):
        signals.pre_save.connect(remember, sender="nodot")


def test_class_prepared_is_sent_for_each_concrete_model():
    got = []

    def remember(sender, **kwargs):
        got.append(sender)

    signals.class_prepared.connect(remember)
    try:

        class Base(models.Model):
            class Meta:
                abstract = True
                app_label = "m_signals_prepared"

        class Prepared(Base):
            class Meta:
                app_label = "m_signals_prepared"

    finally:
        signals.class_prepared.disconnect(remember)
    assert got == [Prepared]


# -- pre_save / post_save -------------------------------------------------------------------


def test_save_signals_created_then_updated(relata_backend):
    with listening(signals.pre_save, Writer) as pre, listening(signals.post_save, Writer) as post:
        writer = Writer.objects.create(name="Atwood")
        writer.age = 80
        writer.save()
        writer.save(update_fields=["age"])
    expected_pre = {"instance": writer, "raw": False, "using": "default", "update_fields": None}
    assert pre == [
        (Writer, expected_pre),
        (Writer, expected_pre),
        (Writer, {**expected_pre, "update_fields": frozenset({"age"})}),
    ]
    assert [(kw["created"], kw["update_fields"]) for _, kw in post] == [
        (True, None),
        (False, None),
        (False, frozenset({"age"})),
    ]
    assert all(kw["raw"] is False and kw["using"] == "default" for _, kw in post)


def test_post_save_sees_the_saved_state_and_pre_save_can_change_the_row(relata_backend):
    states = []

    def shout(sender, instance, **kwargs):
        instance.name = instance.name.upper()

    def check(sender, instance, created, **kwargs):
        states.append((instance.pk is not None, instance._state.adding, created))

    signals.pre_save.connect(shout, sender=Writer)
    signals.post_save.connect(check, sender=Writer)
    try:
        writer = Writer.objects.create(name="quiet")
    finally:
        signals.pre_save.disconnect(shout, sender=Writer)
        signals.post_save.disconnect(check, sender=Writer)
    assert states == [(True, False, True)]
    assert Writer.objects.get(pk=writer.pk).name == "QUIET"


def test_save_with_a_chosen_key_is_created_then_updated(relata_backend):
    with listening(signals.post_save, Writer) as post:
        writer = Writer(id=777, name="chosen")
        writer.save()
        writer.save()
    assert [kw["created"] for _, kw in post] == [True, False]


def test_saving_a_deferred_instance_names_the_loaded_fields(relata_backend):
    writer = Writer.objects.create(name="Herbert", age=65)
    partial = Writer.objects.only("name").get(pk=writer.pk)
    with listening(signals.pre_save, Writer) as pre:
        partial.save()
    assert pre[0][1]["update_fields"] == frozenset({"name"})


def test_empty_update_fields_sends_nothing(relata_backend):
    writer = Writer.objects.create(name="x")
    with listening(signals.pre_save) as pre, listening(signals.post_save) as post:
        writer.save(update_fields=[])
    assert pre == post == []


def test_save_base_raw_is_announced(relata_backend):
    writer = Writer.objects.create(name="raw")
    with listening(signals.pre_save, Writer) as pre, listening(signals.post_save, Writer) as post:
        writer.save_base(raw=True)
    assert pre[0][1]["raw"] is True
    assert post[0][1]["raw"] is True


def test_a_failing_pre_save_receiver_stops_the_save(relata_backend):
    def refuse(sender, instance, **kwargs):
        raise RuntimeError("not today")

    signals.pre_save.connect(refuse, sender=Writer)
    try:
        with pytest.raises(RuntimeError), assert_num_queries(0):
            Writer(name="never").save()
    finally:
        signals.pre_save.disconnect(refuse, sender=Writer)
    assert Writer.objects.count() == 0


def test_bulk_writes_send_no_save_signals(relata_backend):
    # As in Django: bulk_create() and update() bypass save().
    with listening(signals.pre_save) as pre, listening(signals.post_save) as post:
        Writer.objects.bulk_create([Writer(name="a"), Writer(name="b")])
        Writer.objects.update(age=1)
    assert pre == post == []


def test_reverse_manager_add_without_bulk_saves_each_object(relata_backend):
    writer = Writer.objects.create(name="w")
    other = Writer.objects.create(name="o")
    novel = Novel.objects.create(title="n", writer=other)
    with listening(signals.post_save, Novel) as post:
        writer.novels.add(novel, bulk=False)
        writer.novels.add(novel)
    sent = {"instance": novel, "created": False, "update_fields": None, "raw": False, "using": "default"}
    assert post == [(Novel, sent)]


# -- pre_delete / post_delete ---------------------------------------------------------------


def test_delete_signals_for_an_instance_and_its_cascade(relata_backend):
    writer = Writer.objects.create(name="Wolfe")
    novels = [Novel.objects.create(title=f"t{i}", writer=writer) for i in range(2)]
    order = []

    def before(sender, instance, origin, using, **kwargs):
        order.append(("pre", sender, instance.pk, origin, using, instance.pk is None))

    def after(sender, instance, origin, using, **kwargs):
        order.append(("post", sender, instance.pk, origin, using, instance.pk is None))

    writer_pk = writer.pk
    signals.pre_delete.connect(before)
    signals.post_delete.connect(after)
    try:
        writer.delete()
    finally:
        signals.pre_delete.disconnect(before)
        signals.post_delete.disconnect(after)
    first, second = sorted(n.pk for n in novels)
    # Dependents first; pre_delete by ascending key, post_delete in deletion order (descending), as Django.
    assert order == [
        ("pre", Novel, first, writer, "default", False),
        ("pre", Novel, second, writer, "default", False),
        ("pre", Writer, writer_pk, writer, "default", False),
        ("post", Novel, second, writer, "default", False),
        ("post", Novel, first, writer, "default", False),
        ("post", Writer, writer_pk, writer, "default", False),
    ]
    assert writer.pk is None  # only after every receiver ran
    assert Novel.objects.count() == 0


def test_queryset_delete_origin_is_the_queryset(relata_backend):
    Writer.objects.create(name="a")
    Writer.objects.create(name="b")
    queryset = Writer.objects.all()
    with listening(signals.pre_delete, Writer) as pre, listening(signals.post_delete, Writer) as post:
        queryset.delete()
    assert [kw["origin"] for _, kw in pre + post] == [queryset] * 4
    assert sorted(kw["instance"].name for _, kw in pre) == ["a", "b"]


def test_a_failing_pre_delete_receiver_leaves_the_rows(relata_backend):
    writer = Writer.objects.create(name="kept")
    Novel.objects.create(title="kept too", writer=writer)

    def refuse(sender, instance, **kwargs):
        raise RuntimeError("keep it")

    signals.pre_delete.connect(refuse, sender=Writer)
    try:
        with pytest.raises(RuntimeError):
            writer.delete()
    finally:
        signals.pre_delete.disconnect(refuse, sender=Writer)
    assert writer.pk is not None
    assert Writer.objects.count() == 1
    assert Novel.objects.count() == 1


def _shelf_with_slots():
    shelf = Shelf.objects.create(name="top")
    Slot.objects.create(shelf=shelf, label="a")
    Slot.objects.create(shelf=shelf, label="b")
    return shelf


def test_without_delete_receivers_the_cascade_is_one_delete_per_table(relata_backend):
    shelf = _shelf_with_slots()
    # Someone listens, but not to these models.
    with listening(signals.pre_delete, Writer), assert_num_queries(2):
        assert Shelf.objects.filter(pk=shelf.pk).delete() == (3, {f"{APP}.Slot": 2, f"{APP}.Shelf": 1})
    shelf = _shelf_with_slots()
    with assert_num_queries(2):
        shelf.delete()


def test_a_delete_receiver_on_the_dependent_loads_whole_dependents(relata_backend):
    shelf = _shelf_with_slots()
    seen = []

    def remember(sender, instance, **kwargs):
        seen.append((instance.label, instance.get_deferred_fields()))

    signals.pre_delete.connect(remember, sender=Slot)
    try:
        # The shelves' keys, the slots (whole rows), then one DELETE per table.
        with assert_num_queries(4):
            assert Shelf.objects.filter(pk=shelf.pk).delete() == (3, {f"{APP}.Slot": 2, f"{APP}.Shelf": 1})
    finally:
        signals.pre_delete.disconnect(remember, sender=Slot)
    assert sorted(seen) == [("a", set()), ("b", set())]
    assert Slot.objects.count() == 0


def test_a_delete_receiver_on_the_model_itself_loads_its_rows(relata_backend):
    shelf = _shelf_with_slots()
    # The shelves (whole rows), then the slots in one DELETE and the shelf.
    with listening(signals.post_delete, Shelf) as post, assert_num_queries(3):
        Shelf.objects.filter(pk=shelf.pk).delete()
    [(sender, sent)] = post
    assert sender is Shelf
    assert sent["instance"].name == "top"
    assert sent["instance"].get_deferred_fields() == set()


def test_a_delete_receiver_on_a_model_without_dependents(relata_backend):
    Slot.objects.create(shelf=Shelf.objects.create(name="s"), label="x")
    with assert_num_queries(1):
        Slot.objects.filter(label="x").delete()
    Slot.objects.create(shelf=Shelf.objects.create(name="s"), label="y")
    with listening(signals.pre_delete, Slot) as pre, assert_num_queries(2):
        Slot.objects.filter(label="y").delete()
    assert [kw["instance"].label for _, kw in pre] == ["y"]


def test_many_to_many_through_rows_send_no_delete_signals(relata_backend):
    writer = Writer.objects.create(name="w")
    Novel.objects.create(title="n", writer=writer)
    with listening(signals.pre_delete) as pre:
        writer.delete()
    assert [sender for sender, _ in pre] == [Novel, Writer]


# -- nobody listening -----------------------------------------------------------------------


MODEL_SIGNALS = ("pre_init", "post_init", "pre_save", "post_save", "pre_delete", "post_delete")


@contextlib.contextmanager
def nobody_listening():
    """No receiver at all for the block: other test modules' models may listen (an ImageField with
    dimension fields connects post_init for its model, as in Django)."""
    saved = {}
    for name in MODEL_SIGNALS:
        signal = getattr(signals, name)
        with signal.lock:
            saved[name], signal.receivers = signal.receivers, []
            signal._receivers_changed()
    try:
        yield
    finally:
        for name, receivers in saved.items():
            signal = getattr(signals, name)
            with signal.lock:
                signal.receivers = receivers + signal.receivers
                signal._receivers_changed()


def test_nothing_is_sent_or_asked_while_nobody_listens(relata_backend, monkeypatch):
    for name in MODEL_SIGNALS:
        assert not getattr(signals, name).has_listeners(Writer) and not getattr(signals, name).has_listeners(Novel)

    def refuse(*args, **kwargs):
        raise AssertionError("the signal machinery was called while nobody listens")

    with nobody_listening():
        monkeypatch.setattr(Signal, "send", refuse)
        monkeypatch.setattr(Signal, "has_listeners", refuse)
        writer = Writer.objects.create(name="quiet")
        novel = Novel.objects.create(title="q", writer=writer)
        writer.save()
        list(Novel.objects.select_related("writer"))
        Writer.objects.get(pk=writer.pk)
        novel.delete()
        Writer.objects.all().delete()
        monkeypatch.undo()


def test_weak_receivers_of_model_signals_go_away(relata_backend):
    got = []

    def make():
        def handler(sender, **kwargs):
            got.append(sender)

        return handler

    handler = make()
    signals.post_save.connect(handler, sender=Writer)
    Writer.objects.create(name="a")
    del handler
    gc.collect()
    Writer.objects.create(name="b")
    assert got == [Writer]
    assert not signals.post_save.has_listeners(Writer)


# -- compared with Django -------------------------------------------------------------------


class ours_namespace:
    Writer, Novel = Writer, Novel


class dj:
    class Writer(dm.Model):
        name = dm.CharField(max_length=50)
        age = dm.IntegerField(default=40)

        class Meta(oracle.Meta(APP)):
            pass

    class Novel(dm.Model):
        title = dm.CharField(max_length=50)
        writer = dm.ForeignKey("Writer", on_delete=dm.CASCADE, related_name="novels")

        class Meta(oracle.Meta(APP)):
            pass


oracle.use_django_models(dj.Writer, dj.Novel)


def _story(m, signal_module):
    """Create, update, partially load and save, delete with a cascade; record (signal, sender name, details)."""
    log = []

    def record(signal, sender, **kwargs):
        names = ("pre_save", "post_save", "pre_delete", "post_delete")
        name = next(n for n in names if getattr(signal_module, n) is signal)
        details = {k: v for k, v in kwargs.items() if k in ("created", "update_fields", "raw", "using")}
        log.append((name, sender.__name__, details))

    wanted = [signal_module.pre_save, signal_module.post_save, signal_module.pre_delete, signal_module.post_delete]
    for signal in wanted:
        signal.connect(record)
    try:
        writer = m.Writer.objects.create(name="a")
        m.Novel.objects.create(title="t", writer=writer)
        writer.age = 3
        writer.save(update_fields=["age"])
        m.Writer.objects.only("age").get(pk=writer.pk).save()
        writer.delete()
    finally:
        for signal in wanted:
            signal.disconnect(record)
    return log


def test_the_same_story_sends_what_django_sends(relata_backend):
    from django.db.models import signals as django_signals

    ours = _story(ours_namespace, signals)
    theirs = _story(dj, django_signals)
    assert ours == theirs
