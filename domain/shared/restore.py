"""Entities read back from a store, built without running their checks again.

A store hands back what an entity's constructor accepted when the entity was written. Checking
every field of every row again on each read is not free: a frozen dataclass sets each field
through ``object.__setattr__`` and then ``__post_init__`` re-validates, which came to a quarter
of an asset list's time in the benchmark's profile. ``restore`` fills the slots of a frozen,
slotted dataclass directly instead, as pydantic's ``model_construct`` does for trusted data.
Only for values that come out of a store this code wrote; everything else goes through the
constructor.
"""

from collections.abc import Callable
from dataclasses import fields
from typing import Any

type _Setters = tuple[Callable[[object, object], None], ...]
_SETTERS: dict[type[Any], _Setters] = {}


def _setters(cls: type[Any]) -> _Setters:
    found = _SETTERS.get(cls)
    if found is None:
        if "__slots__" not in cls.__dict__:
            raise TypeError(f"{cls.__name__} is not a slotted dataclass")
        found = _SETTERS[cls] = tuple(getattr(cls, field.name).__set__ for field in fields(cls))
    return found


def restore[T](cls: type[T], *values: object) -> T:
    """An instance of ``cls`` holding ``values``, one per field in declaration order."""
    setters = _setters(cls)
    if len(values) != len(setters):
        raise TypeError(f"{cls.__name__} has {len(setters)} fields, got {len(values)} values")
    instance = object.__new__(cls)
    for set_field, value in zip(setters, values, strict=True):
        set_field(instance, value)
    return instance
