"""relata.dispatch.Signal on its own (no database): connecting, weak references, senders, async receivers."""

import asyncio
import gc
import logging

import pytest
from asgiref.sync import markcoroutinefunction

from relata.dispatch import Signal, receiver


class Sender:
    pass


class OtherSender:
    pass


def test_send_calls_receivers_in_connection_order_with_signal_and_sender():
    signal = Signal()
    calls = []

    def first(signal, sender, **kwargs):
        calls.append(("first", signal, sender, kwargs))
        return 1

    def second(**kwargs):
        calls.append(("second", kwargs["value"]))
        return 2

    signal.connect(first)
    signal.connect(second)
    assert signal.send(Sender, value=5) == [(first, 1), (second, 2)]
    assert calls == [("first", signal, Sender, {"value": 5}), ("second", 5)]


def test_send_without_receivers_returns_empty_list():
    assert Signal().send(Sender) == []
    assert Signal(use_caching=True).send(Sender) == []


def test_sender_filter():
    signal = Signal()
    got = []

    def only_sender(sender, **kwargs):
        got.append(("only", sender))

    def anyone(sender, **kwargs):
        got.append(("any", sender))

    signal.connect(only_sender, sender=Sender)
    signal.connect(anyone)
    signal.send(OtherSender)
    signal.send(Sender)
    assert got == [("any", OtherSender), ("only", Sender), ("any", Sender)]
    assert signal.has_listeners(Sender)
    assert signal.has_listeners(OtherSender)
    signal.disconnect(anyone)
    assert not signal.has_listeners(OtherSender)
    assert signal.has_listeners(Sender)


@pytest.mark.parametrize("use_caching", [False, True])
def test_cached_receivers_follow_connect_and_disconnect(use_caching):
    signal = Signal(use_caching=use_caching)
    got = []

    def a(**kwargs):
        got.append("a")

    def b(**kwargs):
        got.append("b")

    signal.send(Sender)  # caches "nobody" for Sender
    signal.connect(a, sender=Sender)
    signal.send(Sender)
    signal.connect(b)
    signal.send(Sender)
    signal.disconnect(a, sender=Sender)
    signal.send(Sender)
    assert got == ["a", "a", "b", "b"]


def test_connecting_twice_calls_once():
    signal = Signal()
    got = []

    def handler(**kwargs):
        got.append(1)

    signal.connect(handler)
    signal.connect(handler)
    signal.send(Sender)
    assert got == [1]
    assert len(signal.receivers) == 1


def test_dispatch_uid_deduplicates_different_receivers():
    signal = Signal()
    got = []

    def first(**kwargs):
        got.append("first")

    def second(**kwargs):
        got.append("second")

    signal.connect(first, dispatch_uid="uid")
    signal.connect(second, dispatch_uid="uid")
    signal.send(Sender)
    assert got == ["first"]
    # The same uid for another sender is another connection.
    signal.connect(second, sender=Sender, dispatch_uid="uid")
    signal.send(Sender)
    assert got == ["first", "first", "second"]
    assert signal.disconnect(dispatch_uid="uid") is True
    assert signal.disconnect(dispatch_uid="uid") is False
    assert signal.disconnect(dispatch_uid="uid", sender=Sender) is True
    assert signal.receivers == []


def test_disconnect_needs_the_sender_it_was_connected_with():
    signal = Signal()

    def handler(**kwargs):
        pass

    signal.connect(handler, sender=Sender)
    assert signal.disconnect(handler) is False
    assert signal.disconnect(handler, sender=OtherSender) is False
    assert signal.disconnect(handler, sender=Sender) is True
    assert signal.receivers == []


def test_weak_function_receiver_goes_away_when_collected():
    signal = Signal(use_caching=True)
    got = []

    def make():
        def handler(**kwargs):
            got.append(1)

        return handler

    handler = make()
    signal.connect(handler, sender=Sender)
    signal.send(Sender)
    del handler
    gc.collect()
    assert signal.send(Sender) == []
    assert not signal.has_listeners(Sender)
    assert got == [1]
    assert signal.receivers == []


def test_strong_receiver_stays_after_the_caller_drops_it():
    signal = Signal()
    got = []

    def make():
        def handler(**kwargs):
            got.append(1)

        return handler

    signal.connect(make(), weak=False)
    gc.collect()
    signal.send(Sender)
    assert got == [1]


def test_bound_method_lives_as_long_as_its_object():
    signal = Signal()

    class Listener:
        def __init__(self):
            self.calls = 0

        def on_event(self, **kwargs):
            self.calls += 1

    listener = Listener()
    # A bound method is a new object at each access: the object keeps the connection alive.
    signal.connect(listener.on_event)
    gc.collect()
    signal.send(Sender)
    assert listener.calls == 1
    assert signal.disconnect(listener.on_event) is True
    signal.connect(listener.on_event)
    del listener
    gc.collect()
    assert signal.send(Sender) == []
    assert signal.receivers == []


def test_callable_object_receiver():
    signal = Signal()

    class Counter:
        count = 0

        def __call__(self, **kwargs):
            self.count += 1
            return self.count

    counter = Counter()
    signal.connect(counter)
    assert signal.send(Sender) == [(counter, 1)]


def test_send_propagates_an_error_and_stops():
    signal = Signal()
    got = []

    def failing(**kwargs):
        raise KeyError("boom")

    def after(**kwargs):
        got.append(1)

    signal.connect(failing)
    signal.connect(after)
    with pytest.raises(KeyError):
        signal.send(Sender)
    assert got == []


def test_send_robust_returns_the_error_calls_everyone_and_logs(caplog):
    signal = Signal()
    error = ValueError("boom")

    def failing(**kwargs):
        raise error

    def after(**kwargs):
        return "ok"

    signal.connect(failing)
    signal.connect(after)
    with caplog.at_level(logging.ERROR, logger="relata.dispatch"):
        assert signal.send_robust(Sender) == [(failing, error), (after, "ok")]
    [record] = caplog.records
    assert "failing" in record.getMessage()
    assert record.exc_info[1] is error


def test_send_robust_lets_base_exceptions_through():
    signal = Signal()

    def interrupted(**kwargs):
        raise KeyboardInterrupt

    signal.connect(interrupted)
    with pytest.raises(KeyboardInterrupt):
        signal.send_robust(Sender)


def test_receiver_decorator_with_one_signal_and_a_list():
    first, second = Signal(), Signal()
    got = []

    @receiver(first, sender=Sender)
    def on_first(sender, **kwargs):
        got.append(("first", sender))

    @receiver([first, second])
    def on_both(signal, **kwargs):
        got.append(("both", signal))

    first.send(Sender)
    first.send(OtherSender)
    second.send(Sender)
    assert got == [("first", Sender), ("both", first), ("both", first), ("both", second)]
    assert on_first.__name__ == "on_first"  # the function itself is returned


def test_receiver_without_kwargs_is_refused():
    signal = Signal()

    def handler(sender):
        pass

    with pytest.raises(ValueError, match=r"must accept keyword arguments \(\*\*kwargs\).*handler"):
        signal.connect(handler)
    with pytest.raises(TypeError, match="must be callable"):
        signal.connect("not callable")
    assert signal.receivers == []


def test_a_receiver_may_disconnect_itself_while_called():
    signal = Signal(use_caching=True)
    ran = []

    class Once:
        def __call__(self, signal, sender, **kwargs):
            ran.append(self)
            signal.disconnect(self, sender=sender)

    a, b = Once(), Once()
    signal.connect(a, sender=Sender, weak=False)
    signal.connect(b, sender=Sender, weak=False)
    signal.send(Sender)
    assert ran == [a, b]
    assert signal.receivers == []
    signal.send(Sender)
    assert ran == [a, b]


# -- async receivers ----------------------------------------------------------------------


class AsyncCounter:
    def __init__(self):
        self.count = 0
        markcoroutinefunction(self)

    async def __call__(self, **kwargs):
        self.count += 1
        return self.count


def test_send_runs_async_receivers_after_the_sync_ones():
    signal = Signal()
    order = []

    async def coroutine_receiver(**kwargs):
        await asyncio.sleep(0)
        order.append("async")
        return "a"

    def plain(**kwargs):
        order.append("sync")
        return "s"

    signal.connect(coroutine_receiver)
    signal.connect(plain)
    assert signal.send(Sender) == [(plain, "s"), (coroutine_receiver, "a")]
    assert order == ["sync", "async"]


def test_asend_runs_sync_and_async_receivers():
    signal = Signal()
    counter = AsyncCounter()

    def plain(**kwargs):
        return "s"

    signal.connect(counter)
    signal.connect(plain)
    assert asyncio.run(signal.asend(Sender)) == [(plain, "s"), (counter, 1)]
    assert asyncio.run(Signal().asend(Sender)) == []


def test_async_robust_sends_return_errors():
    signal = Signal()
    error = RuntimeError("async boom")

    async def failing(**kwargs):
        raise error

    def plain(**kwargs):
        return "s"

    signal.connect(failing)
    signal.connect(plain)
    assert signal.send_robust(Sender) == [(plain, "s"), (failing, error)]
    assert asyncio.run(signal.asend_robust(Sender)) == [(plain, "s"), (failing, error)]
    with pytest.raises(RuntimeError):
        asyncio.run(signal.asend(Sender))


def test_asend_with_only_async_receivers_and_sender_filter():
    signal = Signal()
    counter = AsyncCounter()
    signal.connect(counter, sender=Sender)
    assert asyncio.run(signal.asend(OtherSender)) == []
    assert asyncio.run(signal.asend(Sender)) == [(counter, 1)]
    assert asyncio.run(signal.asend_robust(Sender)) == [(counter, 2)]
