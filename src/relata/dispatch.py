"""Signals: a sender announces an event and every connected receiver is called.

Owns `Signal` (connect, disconnect, send, send_robust, asend, asend_robust,
has_listeners) and the `receiver` decorator. Receivers are held weakly by
default and vanish when collected; async receivers run from `send` and sync
ones from `asend` through asgiref. Imports nothing else from relata.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync, iscoroutinefunction, sync_to_async

logger = logging.getLogger("relata.dispatch")

__all__ = ["Signal", "receiver"]


def _identity(target: Any) -> Any:
    """What tells two receivers or senders apart: a bound method by its object and function, else by id."""
    if hasattr(target, "__func__") and hasattr(target, "__self__"):
        return (id(target.__self__), id(target.__func__))
    return id(target)


_ANY_SENDER = _identity(None)


@dataclass(frozen=True, slots=True)
class _Connection:
    """One connected receiver."""

    #: (receiver identity or dispatch_uid, sender identity): a second connect with the same key is ignored.
    key: tuple[Any, Any]
    #: The receiver, or a weak reference to it when connected with weak=True.
    target: Any
    weak: bool
    is_async: bool

    def resolve(self) -> Any:
        """The receiver, or None once a weakly held one has been collected."""
        return self.target() if self.weak else self.target


class Signal:
    """A named event: `connect()` receivers to it, `send()` it with a sender and keyword arguments.

    Each receiver is called as `receiver(signal=signal, sender=sender, **named)`
    and must accept `**kwargs`, so that signals can grow arguments later.
    `use_caching` remembers the receivers of each sender until the next
    connect or disconnect: model signals use it, as their senders are classes.
    """

    def __init__(self, use_caching: bool = False):
        #: The live connections in the order they were made; empty when nobody listens,
        #: which is what the hot paths test before anything else.
        self.receivers: list[_Connection] = []
        self.lock = threading.Lock()
        self.use_caching = use_caching
        # sender -> its connections, or () for none: classes as keys, dropped with them.
        self.sender_receivers_cache: Any = weakref.WeakKeyDictionary() if use_caching else {}
        # Set by a weak reference's callback; the list is swept at the next look.
        self._dead_receivers = False

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {len(self.receivers)} receiver(s)>"

    # -- connecting -----------------------------------------------------------------

    def connect(self, receiver: Any, sender: Any = None, weak: bool = True, dispatch_uid: Any = None) -> None:
        """Call `receiver` whenever this signal is sent (by `sender` only, when one is given).

        With `weak` (the default) the signal does not keep the receiver alive: a
        function or bound method that is garbage collected stops receiving. A
        second connect with the same receiver (or `dispatch_uid`) and sender is ignored.
        """
        _check_receiver(receiver)
        key = (dispatch_uid if dispatch_uid is not None else _identity(receiver), _identity(sender))
        is_async = iscoroutinefunction(receiver)
        target = self._weak_reference(receiver) if weak else receiver
        with self.lock:
            self._clear_dead_receivers()
            if not any(connection.key == key for connection in self.receivers):
                self.receivers.append(_Connection(key, target, weak, is_async))
            self._receivers_changed()

    def disconnect(self, receiver: Any = None, sender: Any = None, dispatch_uid: Any = None) -> bool:
        """Stop calling `receiver` (or the one connected with `dispatch_uid`) for `sender`.

        Returns whether a receiver was disconnected. The sender must be the one
        given to connect(): a receiver connected for every sender is not
        disconnected by naming one of them.
        """
        key = (dispatch_uid if dispatch_uid is not None else _identity(receiver), _identity(sender))
        with self.lock:
            self._clear_dead_receivers()
            for index, connection in enumerate(self.receivers):
                if connection.key == key:
                    del self.receivers[index]
                    self._receivers_changed()
                    return True
        return False

    def has_listeners(self, sender: Any = None) -> bool:
        """Whether sending now (with `sender`) would call any receiver."""
        if not self.receivers:
            return False
        sync_receivers, async_receivers = self._live_receivers(sender)
        return bool(sync_receivers or async_receivers)

    def _weak_reference(self, receiver: Any) -> Any:
        # A bound method is made afresh at each attribute access: refer to its object
        # and function instead, so it lives as long as the object does.
        if hasattr(receiver, "__self__") and hasattr(receiver, "__func__"):
            return weakref.WeakMethod(receiver, self._receiver_collected)
        return weakref.ref(receiver, self._receiver_collected)

    def _receiver_collected(self, _reference: Any = None) -> None:
        # Runs inside the garbage collector: only mark; the next look under the lock sweeps.
        self._dead_receivers = True

    def _clear_dead_receivers(self) -> None:
        """Drop the connections whose receiver was collected (the caller holds `lock`)."""
        if not self._dead_receivers:
            return
        self._dead_receivers = False
        self.receivers = [c for c in self.receivers if not (c.weak and c.target() is None)]
        self._receivers_changed()

    def _receivers_changed(self) -> None:
        """The connections changed (the caller holds `lock`): forget the per-sender cache."""
        self.sender_receivers_cache.clear()

    # -- sending --------------------------------------------------------------------

    def send(self, sender: Any, **named: Any) -> list[tuple[Any, Any]]:
        """Call every receiver for `sender`; return [(receiver, response), ...].

        An exception from a receiver propagates and the receivers after it are
        not called. Async receivers run too (all at once, in an event loop
        asgiref provides), after the sync ones, whose responses come first.
        """
        if not self.receivers:
            return []
        sync_receivers, async_receivers = self._live_receivers(sender)
        responses = [(r, r(signal=self, sender=sender, **named)) for r in sync_receivers]
        if async_receivers:

            async def gather() -> list[Any]:
                return await asyncio.gather(*(r(signal=self, sender=sender, **named) for r in async_receivers))

            responses.extend(zip(async_receivers, async_to_sync(gather)(), strict=True))
        return responses

    def send_robust(self, sender: Any, **named: Any) -> list[tuple[Any, Any]]:
        """Like send(), but an exception from a receiver (an Exception subclass) becomes its response.

        Every receiver is called whatever the others raise; each error is logged
        on the "relata.dispatch" logger with its traceback.
        """
        if not self.receivers:
            return []
        sync_receivers, async_receivers = self._live_receivers(sender)
        responses = [(r, self._call_robustly(r, sender, named)) for r in sync_receivers]
        if async_receivers:

            async def gather() -> list[Any]:
                return await asyncio.gather(*(self._acall_robustly(r, sender, named) for r in async_receivers))

            responses.extend(zip(async_receivers, async_to_sync(gather)(), strict=True))
        return responses

    async def asend(self, sender: Any, **named: Any) -> list[tuple[Any, Any]]:
        """send() for async code: the sync receivers run in a thread (sync_to_async), the async ones
        concurrently with them; sync responses come first."""
        if not self.receivers:
            return []
        sync_receivers, async_receivers = self._live_receivers(sender)

        def call_sync() -> list[tuple[Any, Any]]:
            return [(r, r(signal=self, sender=sender, **named)) for r in sync_receivers]

        sync_part = sync_to_async(call_sync)() if sync_receivers else _nothing()
        async_part = asyncio.gather(*(r(signal=self, sender=sender, **named) for r in async_receivers))
        responses, async_responses = await asyncio.gather(sync_part, async_part)
        responses.extend(zip(async_receivers, async_responses, strict=True))
        return responses

    async def asend_robust(self, sender: Any, **named: Any) -> list[tuple[Any, Any]]:
        """asend() where each receiver's exception becomes its response, as in send_robust()."""
        if not self.receivers:
            return []
        sync_receivers, async_receivers = self._live_receivers(sender)

        def call_sync() -> list[tuple[Any, Any]]:
            return [(r, self._call_robustly(r, sender, named)) for r in sync_receivers]

        sync_part = sync_to_async(call_sync)() if sync_receivers else _nothing()
        async_part = asyncio.gather(*(self._acall_robustly(r, sender, named) for r in async_receivers))
        responses, async_responses = await asyncio.gather(sync_part, async_part)
        responses.extend(zip(async_receivers, async_responses, strict=True))
        return responses

    def _call_robustly(self, receiver: Any, sender: Any, named: dict[str, Any]) -> Any:
        try:
            return receiver(signal=self, sender=sender, **named)
        except Exception as error:
            self._log_failure(receiver, error)
            return error

    async def _acall_robustly(self, receiver: Any, sender: Any, named: dict[str, Any]) -> Any:
        try:
            return await receiver(signal=self, sender=sender, **named)
        except Exception as error:
            self._log_failure(receiver, error)
            return error

    def _log_failure(self, receiver: Any, error: Exception) -> None:
        name = getattr(receiver, "__qualname__", repr(receiver))
        logger.error("Error calling %s in Signal.send_robust() (%s)", name, error, exc_info=error)

    def _live_receivers(self, sender: Any) -> tuple[list[Any], list[Any]]:
        """(sync receivers, async receivers) for `sender`, in connection order, collected ones left out."""
        cacheable = self.use_caching and isinstance(sender, type)
        connections = self.sender_receivers_cache.get(sender) if cacheable and not self._dead_receivers else None
        if connections is None:
            sender_id = _identity(sender)
            with self.lock:
                self._clear_dead_receivers()
                connections = tuple(c for c in self.receivers if c.key[1] in (_ANY_SENDER, sender_id))
                if cacheable:
                    self.sender_receivers_cache[sender] = connections
        sync_receivers: list[Any] = []
        async_receivers: list[Any] = []
        for connection in connections:
            receiver = connection.resolve()
            if receiver is not None:
                (async_receivers if connection.is_async else sync_receivers).append(receiver)
        return sync_receivers, async_receivers


async def _nothing() -> list[tuple[Any, Any]]:
    return []


def _check_receiver(receiver: Any) -> None:
    if not callable(receiver):
        raise TypeError(f"Signal receivers must be callable; got {receiver!r}.")
    try:
        parameters = inspect.signature(receiver).parameters.values()
    except (TypeError, ValueError):
        return  # a callable without a signature (some builtins): nothing to check
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        name = getattr(receiver, "__qualname__", repr(receiver))
        raise ValueError(
            f"Signal receivers must accept keyword arguments (**kwargs): {name} does not. "
            f"Add **kwargs to its parameters, so that the signal can pass `signal`, `sender` and more."
        )


def receiver(signal: Signal | list[Signal] | tuple[Signal, ...], **kwargs: Any) -> Callable[[Any], Any]:
    """Decorator connecting the function to `signal` (or to each of a list), with connect()'s keyword arguments.

    @receiver(post_save, sender=Book)
    def remember(sender, instance, **kwargs): ...
    """

    def decorate(func: Any) -> Any:
        for each in signal if isinstance(signal, list | tuple) else (signal,):
            each.connect(func, **kwargs)
        return func

    return decorate
