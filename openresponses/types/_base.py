"""The base every wire model shares: unknown keys ride along and are written back.

Every model is ``@attrs.frozen(kw_only=True, repr=False, eq=False)``: ``__repr__``, ``__eq__``
and ``__hash__`` are written once here, behaving as attrs' own, instead of being generated and
compiled for each of the ~130 classes at import (that halved the import of ``types``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

__all__ = ["EMPTY", "WireModel"]

#: The shared, immutable "no extra keys" value: a payload without unknown keys allocates nothing.
EMPTY: Mapping[str, Any] = MappingProxyType({})

# Per class: (name, repr function) of the fields repr shows, and the names eq compares.
_REPR_FIELDS: dict[type, tuple[tuple[str, Callable[[Any], str]], ...]] = {}
_EQ_NAMES: dict[type, tuple[str, ...]] = {}
_repring = threading.local()  # ids of the objects being repr'd on this thread (cycles)


def _repr_fields(cls: type) -> tuple[tuple[str, Callable[[Any], str]], ...]:
    found = _REPR_FIELDS.get(cls)
    if found is None:
        found = _REPR_FIELDS[cls] = tuple(
            (f.name, repr if f.repr is True else f.repr)
            for f in attrs.fields(cls)
            if f.repr is not False
        )
    return found


def _eq_names(cls: type) -> tuple[str, ...]:
    found = _EQ_NAMES.get(cls)
    if found is None:
        found = _EQ_NAMES[cls] = tuple(f.name for f in attrs.fields(cls) if f.eq)
    return found


@attrs.frozen(kw_only=True, repr=False, eq=False)
class WireModel:
    """Base class of every wire model.

    ``extra_fields`` holds the keys a server sent that this SDK does not model; they are
    written back unchanged (declared fields win on a clash), so nothing is lost in a round trip.
    """

    extra_fields: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False, eq=False)

    def __repr__(self) -> str:
        # attrs' format: ClassName(field=value, ...), "..." for an object already being shown.
        try:
            active: set[int] = _repring.active
        except AttributeError:
            active = _repring.active = set()
        if id(self) in active:
            return "..."
        active.add(id(self))
        try:
            cls = self.__class__
            fields = ", ".join(
                f"{name}={show(getattr(self, name))}" for name, show in _repr_fields(cls)
            )
            return f"{cls.__qualname__.rsplit('>.', 1)[-1]}({fields})"
        finally:
            active.discard(id(self))

    def __eq__(self, other: object) -> bool:
        # attrs' semantics: same class, then field by field, stopping at the first difference.
        if other.__class__ is not self.__class__:
            return NotImplemented
        result: Any = True
        for name in _eq_names(self.__class__):
            result = getattr(self, name) == getattr(other, name)
            if not result:
                return result  # type: ignore[no-any-return]
        return result  # type: ignore[no-any-return]

    def __hash__(self) -> int:
        cls = self.__class__
        return hash((cls, *[getattr(self, name) for name in _eq_names(cls)]))
