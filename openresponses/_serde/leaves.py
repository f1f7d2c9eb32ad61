"""Lenient scalar readers: what a field with no model inside accepts, and what it keeps.

A leaf value of the expected class is kept as it is (a mapping or a list is not copied, nor are
its elements checked). Otherwise: ``null`` takes the field's empty value, an integral float in
an int field becomes an int, an int is a valid float, and anything else raises ``ReadError``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .errors import want

#: Per leaf kind, the classes kept as they are; the fast path compares a value's class with them.
KEEP: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (float, int),
    "bool": (bool,),
    "map": (dict,),
    "list": (list,),
    "scalar": (str, int, float),
}


def read_int(value: Any) -> Any:
    if value.__class__ is float:
        # Lenient: 3.0 -> 3; a fractional value is kept as sent rather than refused, and so is
        # one beyond the 64 bits orjson can write (it reads 2**64 as a float), so it goes back.
        if value.is_integer() and -(2**63) <= value < 2**64:
            return int(value)
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    raise want(value, "an integer")


def read_float(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    raise want(value, "a number")


def read_str(value: Any) -> Any:
    if isinstance(value, str):
        return str(value)
    raise want(value, "a string")


def read_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    raise want(value, "a boolean")


def read_map(value: Any) -> Any:
    if isinstance(value, Mapping):
        return value
    raise want(value, "an object")


def read_list(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return value
    raise want(value, "an array")


def read_scalar(value: Any) -> Any:
    if isinstance(value, (str, int, float)):
        return value
    raise want(value, "a string or a number")


_SLOW: dict[str, Callable[[Any], Any]] = {
    "str": read_str,
    "int": read_int,
    "float": read_float,
    "bool": read_bool,
    "map": read_map,
    "list": read_list,
    "scalar": read_scalar,
}


def leaf_hook(kind: str, empty: Any, factory: Callable[[], Any] | None) -> Callable[..., Any]:
    """A cattrs structure hook for a leaf of ``kind`` whose ``null`` reads as ``empty``
    (or as ``factory()``): one call per field, the common case first."""
    if kind == "any":
        if factory is not None:
            return lambda v, _=None: factory() if v is None else v
        return lambda v, _=None: empty if v is None else v
    keep, slow = KEEP[kind], _SLOW[kind]
    if factory is not None:

        def read_or_make(v: Any, _: Any = None) -> Any:
            if v.__class__ in keep:
                return v
            return factory() if v is None else slow(v)

        return read_or_make

    def read(v: Any, _: Any = None) -> Any:
        if v.__class__ in keep:
            return v
        return empty if v is None else slow(v)

    return read
