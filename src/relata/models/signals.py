"""The model signals: pre/post_init, pre/post_save, pre/post_delete, m2m_changed, class_prepared.

A model signal's sender may be named before the model exists ("app.Model");
the connection is made when the model is registered. The senders themselves
(persistence, deletion, related managers, __init__ and row loading) test
`signal.receivers` first, so nothing here runs while nobody listens.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from relata.dispatch import Signal
from relata.models.instance_state import DEFERRED
from relata.models.registry import apps as default_apps

__all__ = [
    "class_prepared",
    "m2m_changed",
    "post_delete",
    "post_init",
    "post_save",
    "pre_delete",
    "pre_init",
    "pre_save",
]


class ModelSignal(Signal):
    """A signal whose sender may also be given as "app_label.ModelName", resolved once the model is registered."""

    def __init__(self) -> None:
        super().__init__(use_caching=True)

    def connect(  # type: ignore[override]
        self, receiver: Any, sender: Any = None, weak: bool = True, dispatch_uid: Any = None, apps: Any = None
    ) -> None:
        self._for_sender(super().connect, apps, receiver, sender, weak=weak, dispatch_uid=dispatch_uid)

    def disconnect(  # type: ignore[override]
        self, receiver: Any = None, sender: Any = None, dispatch_uid: Any = None, apps: Any = None
    ) -> bool | None:
        """As Signal.disconnect(); None for a sender given by name (the disconnect may happen later)."""
        return self._for_sender(super().disconnect, apps, receiver, sender, dispatch_uid=dispatch_uid)

    def _for_sender(self, method: Any, apps: Any, receiver: Any, sender: Any, **kwargs: Any) -> Any:
        call = partial(method, receiver, **kwargs)
        if not isinstance(sender, str):
            return call(sender)
        (apps or default_apps).lazy_model_operation(call, _model_key(sender))
        return None


def _model_key(reference: str) -> tuple[str, str]:
    app_label, _, model_name = reference.partition(".")
    if not app_label or not model_name or "." in model_name:
        raise ValueError(
            f"Invalid model reference '{reference}'. String model references must be of the form 'app_label.ModelName'."
        )
    return app_label, model_name.lower()


class InitSignal(ModelSignal):
    """pre_init / post_init: connecting one drops the generated `__init__`s, which do not send them.

    Model.__init__ builds a model's fast `__init__` only while nobody listens
    to this model's construction; a new receiver sends every model back there.
    """

    def _receivers_changed(self) -> None:
        super()._receivers_changed()
        _drop_generated_inits()


def _drop_generated_inits() -> None:
    from relata.models.base import Model  # cold path: runs when an init receiver connects

    pending = Model.__subclasses__()
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if getattr(vars(model).get("__init__"), "generated_for", None) is not None:
            model.__init__ = Model.__init__  # its own again: deleting it would expose a parent's generated one


#: sender=the model class; args, kwargs as given to the constructor (kwargs is emptied as fields take their values).
pre_init = InitSignal()
#: sender=the model class; instance.
post_init = InitSignal()
#: sender=the model class the instance was made from; instance, raw, using, update_fields (a frozenset or None).
pre_save = ModelSignal()
#: as pre_save, plus created.
post_save = ModelSignal()
#: sender=the model; instance, using, origin (the instance or queryset whose delete() started it).
pre_delete = ModelSignal()
#: as pre_delete; sent after the row is gone (the instance keeps its pk until the whole delete is done).
post_delete = ModelSignal()
#: sender=the through model; instance, action ("pre_add", "post_add", "pre_remove", "post_remove",
#: "pre_clear", "post_clear"), reverse, model, pk_set (None for the clears), using.
m2m_changed = ModelSignal()
#: sender=the model class, once it is ready (not sent for abstract models).
class_prepared = Signal()


def init_listened(model: type) -> bool:
    """Whether constructing `model` (or loading one from a row) must send pre_init or post_init."""
    return pre_init.has_listeners(model) or post_init.has_listeners(model)


def delete_listened(model: type) -> bool:
    """Whether deleting rows of `model` must send pre_delete or post_delete (no fast delete then)."""
    return pre_delete.has_listeners(model) or post_delete.has_listeners(model)


def row_init_args(model: type, loaded: dict[str, Any]) -> tuple[Any, ...]:
    """pre_init's `args` for an instance made from a row: each concrete field's value, DEFERRED where not loaded."""
    return tuple(loaded.get(f.attname, DEFERRED) for f in model._meta.concrete_fields)  # type: ignore[attr-defined]
