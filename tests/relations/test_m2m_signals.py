"""m2m_changed: what many-to-many managers send, on both ends, compared with Django.

Each scenario runs on relata and on Django with the same rows; the messages
(action, reverse, model, instance and the objects named by pk_set) must be
equal. Through models send no save or delete signals of their own.
"""

import pytest

import oracle
from relata import models
from relata.models import signals
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

APP = "rel_m2m_signals"


def define(m, base, label):
    class Part(m.Model):
        name = m.CharField(max_length=20)

        class Meta(base):
            app_label = label
            ordering = ["name"]

    class Car(m.Model):
        name = m.CharField(max_length=20)
        parts = m.ManyToManyField(Part)
        extras = m.ManyToManyField(Part, related_name="cars_extra")

        class Meta(base):
            app_label = label
            ordering = ["name"]

    class Person(m.Model):
        name = m.CharField(max_length=20)
        fans = m.ManyToManyField("self", related_name="idols", symmetrical=False)
        friends = m.ManyToManyField("self")

        class Meta(base):
            app_label = label
            ordering = ["name"]

    return Part, Car, Person


Part, Car, Person = define(models, object, APP)
use_models(Part, Car, Person)
DJANGO = dict(zip(["Part", "Car", "Person"], define(oracle.models, oracle.Meta(APP), APP), strict=True))
oracle.use_django_models(*DJANGO.values())
OURS = {"Part": Part, "Car": Car, "Person": Person}


class World:
    """The same rows on one side (relata or Django), and the messages m2m_changed sends there."""

    def __init__(self, side, signal):
        self.side, self.signal = side, signal
        self.messages = []
        self.car = {n: side["Car"].objects.create(name=n) for n in ("vw", "bmw", "toyota")}
        self.part = {n: side["Part"].objects.create(name=n) for n in ("doors", "engine", "wheels", "roof")}
        self.person = {n: side["Person"].objects.create(name=n) for n in ("alice", "bob", "chuck")}
        self.throughs = [
            side["Car"].parts.through,
            side["Car"].extras.through,
            side["Person"].fans.through,
            side["Person"].friends.through,
        ]

    def receive(self, signal, sender, instance, action, reverse, model, pk_set, using, **kwargs):
        named = None if pk_set is None else sorted(o.name for o in model.objects.filter(pk__in=pk_set))
        self.messages.append((sender.__name__, instance.name, action, reverse, model.__name__, named, using))

    def __enter__(self):
        for through in self.throughs:
            self.signal.connect(self.receive, sender=through)
        return self

    def __exit__(self, *exc):
        for through in self.throughs:
            assert self.signal.disconnect(self.receive, sender=through)


def both(scenario):
    """Run `scenario(world)` on relata then Django; return both message lists."""
    from django.db.models import signals as django_signals

    with World(OURS, signals.m2m_changed) as ours:
        scenario(ours)
    with World(DJANGO, django_signals.m2m_changed) as theirs:
        scenario(theirs)
    return ours.messages, theirs.messages


def forward_add_remove_clear(w):
    vw, p = w.car["vw"], w.part
    vw.parts.add(p["doors"], p["engine"])
    vw.parts.add(p["doors"], p["wheels"])  # doors is linked already: only wheels is named
    vw.parts.add()
    vw.parts.remove(p["doors"], p["roof"])  # every object given is named, linked or not
    vw.parts.remove()
    vw.parts.clear()


def reverse_side(w):
    doors = w.part["doors"]
    doors.car_set.add(w.car["bmw"], w.car["toyota"])
    doors.cars_extra.add(w.car["vw"])
    doors.car_set.remove(w.car["bmw"])
    doors.car_set.clear()


def set_and_create(w):
    vw, p = w.car["vw"], w.part
    vw.parts.set([p["doors"], p["engine"]])
    vw.parts.set([p["engine"], p["wheels"]])
    vw.parts.set([p["roof"]], clear=True)
    vw.parts.set([p["roof"]])  # nothing to change: nothing sent
    vw.parts.create(name="mirror")
    vw.extras.add(p["doors"].pk)  # by key


def self_relations(w):
    alice, bob, chuck = w.person["alice"], w.person["bob"], w.person["chuck"]
    alice.friends.add(bob, chuck)
    bob.friends.remove(alice)
    alice.fans.add(bob)
    alice.idols.add(chuck)
    chuck.fans.clear()


@pytest.mark.parametrize("scenario", [forward_add_remove_clear, reverse_side, set_and_create, self_relations])
def test_messages_match_django(scenario):
    ours, theirs = both(scenario)
    assert ours
    assert ours == theirs


def test_no_receiver_for_the_through_model_no_message(relata_backend):
    car = Car.objects.create(name="vw")
    part = Part.objects.create(name="doors")
    got = []

    def receive(**kwargs):
        got.append(kwargs["action"])

    signals.m2m_changed.connect(receive, sender=Car.extras.through)
    try:
        car.parts.add(part)
        car.extras.add(part)
    finally:
        signals.m2m_changed.disconnect(receive, sender=Car.extras.through)
    assert got == ["pre_add", "post_add"]


def test_announced_add_reads_the_existing_links_first(relata_backend):
    car = Car.objects.create(name="vw")
    part = Part.objects.create(name="doors")
    with assert_num_queries(1):
        car.parts.add(part)
    car.parts.clear()

    def receive(**kwargs):
        pass

    signals.m2m_changed.connect(receive, sender=Car.parts.through)
    try:
        with assert_num_queries(2):
            car.parts.add(part)
    finally:
        signals.m2m_changed.disconnect(receive, sender=Car.parts.through)


def test_a_failing_post_add_receiver_rolls_the_add_back(relata_backend):
    car = Car.objects.create(name="vw")
    part = Part.objects.create(name="doors")

    def refuse(action, **kwargs):
        if action == "post_add":
            raise RuntimeError("no")

    signals.m2m_changed.connect(refuse, sender=Car.parts.through)
    try:
        with pytest.raises(RuntimeError):
            car.parts.add(part)
    finally:
        signals.m2m_changed.disconnect(refuse, sender=Car.parts.through)
    # post_add failed inside the add's transaction: the link is rolled back.
    assert list(car.parts.all()) == []


def test_through_rows_send_no_save_or_delete_signals(relata_backend):
    car = Car.objects.create(name="vw")
    part = Part.objects.create(name="doors")
    got = []

    def receive(sender, **kwargs):
        got.append(sender)

    for signal in (signals.pre_save, signals.post_save, signals.pre_delete, signals.post_delete):
        signal.connect(receive)
    try:
        car.parts.add(part)
        car.parts.remove(part)
        car.parts.add(part)
        car.delete()
    finally:
        for signal in (signals.pre_save, signals.post_save, signals.pre_delete, signals.post_delete):
            signal.disconnect(receive)
    assert got == [Car, Car]
