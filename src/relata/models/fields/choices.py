"""A field's choices in one shape: (value, label) pairs, a group as (name, [pairs]).

Fields take what Django takes: pairs, a dict (a nested dict is a group), an
iterator, a Choices enum class, or a callable (called again on every use, so
the choices can change). `normalize_choices` turns each into the one shape;
`flatten_choices` lists the pairs inside groups too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import zip_longest
from typing import Any

from relata.models.enums import ChoicesType

_END = object()


class BaseChoiceIterator:
    """Choices computed when iterated; equal to any iterable with the same choices."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Iterable):
            return all(a == b for a, b in zip_longest(self, other, fillvalue=_END))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __getitem__(self, index: int) -> Any:
        if isinstance(index, int) and index < 0:
            return list(self)[index]
        for position, choice in enumerate(self):
            if position == index:
                return choice
        raise IndexError("index out of range")

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must provide __iter__()")


class CallableChoiceIterator(BaseChoiceIterator):
    """`choices=get_choices`: the function's answer, normalised, each time the choices are read."""

    def __init__(self, func: Callable[[], Any]):
        self.func = func

    def __iter__(self) -> Iterator[Any]:
        yield from normalize_choices(self.func())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.func!r})"


def normalize_choices(value: Any, *, depth: int = 0) -> Any:
    """`value` as a list of (value, label) pairs and (group, [pairs]); what cannot be read stays as given.

    Leaving a malformed value alone lets the system checks name what is wrong with it.
    """
    if value is None or isinstance(value, BaseChoiceIterator | str | bytes):
        return value
    if isinstance(value, ChoicesType):
        return value.choices
    if depth < 2 and isinstance(value, Mapping):
        pairs: Any = value.items()
    elif depth < 2 and _pairs_like(value):
        pairs = value
    elif callable(value) and depth == 0:
        return CallableChoiceIterator(value)
    elif callable(value) and depth < 2:
        pairs = value()
    else:
        return value
    try:
        return [(key, normalize_choices(label, depth=depth + 1)) for key, label in pairs]
    except (TypeError, ValueError):
        return pairs if not isinstance(pairs, Iterator) else list(pairs)


def _pairs_like(value: Any) -> bool:
    """An iterator (read once, below), or an iterable that is not itself a string of choices."""
    if isinstance(value, Iterator):
        return True
    return isinstance(value, Iterable) and not any(isinstance(x, str | bytes) for x in value)


def flatten_choices(choices: Any) -> Iterator[tuple[Any, Any]]:
    """Every (value, label) pair, those inside groups included."""
    for value_or_group, label_or_pairs in choices:
        if isinstance(label_or_pairs, list | tuple):
            yield from label_or_pairs
        else:
            yield value_or_group, label_or_pairs
