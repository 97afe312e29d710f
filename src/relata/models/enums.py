"""Enumerated choices: `Choices`, `IntegerChoices` and `TextChoices`, as Django's.

    class Suit(models.IntegerChoices):
        HEART = 1, "Heart"
        SPADE = 2          # label "Spade", made from the name

A member is its value (Suit.HEART == 1) with a `label`; the class gives
`choices`, `labels`, `values` and `names`, and `choices=Suit` on a field
takes them. An `__empty__` attribute adds a (None, label) choice in front.
"""

from __future__ import annotations

import enum
from typing import Any

__all__ = ["Choices", "ChoicesType", "IntegerChoices", "TextChoices"]


class ChoicesType(enum.EnumMeta):
    """The metaclass: splits each member's label from its value and makes the class-level lists."""

    def __new__(metacls, classname: str, bases: tuple[type, ...], classdict: Any, **kwds: Any) -> Any:
        labels = []
        for key in list(classdict._member_names):
            value = classdict[key]
            if isinstance(value, list | tuple) and len(value) > 1 and isinstance(value[-1], str):
                *parts, label = value
                value = tuple(parts)
            else:
                label = key.replace("_", " ").title()
            labels.append(label)
            # The enum class body refuses a second assignment to a member name; this is the value without its label.
            dict.__setitem__(classdict, key, value)
        cls = super().__new__(metacls, classname, bases, classdict, **kwds)
        for member, label in zip(cls.__members__.values(), labels, strict=False):
            member._label_ = label
        return enum.unique(cls)

    def __contains__(cls, member: object) -> bool:
        if not isinstance(member, enum.Enum):
            return any(choice.value == member for choice in cls)  # `1 in Suit` asks about values
        return super().__contains__(member)

    @property
    def names(cls) -> list[str]:
        empty = ["__empty__"] if hasattr(cls, "__empty__") else []
        return empty + [member.name for member in cls]

    @property
    def choices(cls) -> list[tuple[Any, str]]:
        empty = [(None, cls.__empty__)] if hasattr(cls, "__empty__") else []
        return empty + [(member.value, member.label) for member in cls]

    @property
    def labels(cls) -> list[str]:
        return [label for _value, label in cls.choices]

    @property
    def values(cls) -> list[Any]:
        return [value for value, _label in cls.choices]


class Choices(enum.Enum, metaclass=ChoicesType):
    """Base of enumerated choices; mix in a type (int, str, datetime.date...) for the values."""

    do_not_call_in_templates = enum.nonmember(True)

    @enum.property
    def label(self) -> str:
        return self._label_

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}.{self._name_}"


class IntegerChoices(Choices, enum.IntEnum):
    """Choices whose values are integers."""


class TextChoices(Choices, enum.StrEnum):
    """Choices whose values are strings; `auto()` gives the member's name."""

    @staticmethod
    def _generate_next_value_(name: str, start: int, count: int, last_values: list[Any]) -> str:
        return name
