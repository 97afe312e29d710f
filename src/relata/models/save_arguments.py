"""save()/asave() called with positional arguments: Django 5.2 still takes them, with a deprecation warning.

`obj.save(False, False, None, ["title"])` maps onto force_insert, force_update, using and update_fields.
"""

from __future__ import annotations

import warnings
from typing import Any

from relata.deprecation import RemovedInDjango60Warning

NAMES = ("force_insert", "force_update", "using", "update_fields")
DEFAULTS = (False, False, None, None)


def from_positional(method: str, args: tuple[Any, ...], given: tuple[Any, ...], stacklevel: int) -> tuple[Any, ...]:
    """The four arguments, `args` filling them in order; `given` are the keyword values (defaults when not given).

    A keyword that differs from its default while a positional argument also fills it is a conflict.
    """
    warnings.warn(
        f"Passing positional arguments to {method}() is deprecated: name them ({', '.join(NAMES)}).",
        RemovedInDjango60Warning,
        stacklevel=stacklevel + 1,
    )
    if len(args) > len(NAMES):
        raise TypeError(f"Model.{method}() takes from 1 to 5 positional arguments but {len(args) + 1} were given")
    values = list(given)
    for index, value in enumerate(args):
        if given[index] is not DEFAULTS[index] and given[index] != DEFAULTS[index]:
            raise TypeError(f"Model.{method}() got multiple values for argument '{NAMES[index]}'")
        values[index] = value
    return tuple(values)
