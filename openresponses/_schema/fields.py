"""What the schema and the reader both walk: fields (a parameter or an attribute) and hint kinds."""

from __future__ import annotations

import collections.abc
import functools
import inspect
import typing
from collections.abc import Mapping
from typing import Annotated, Any, get_args, get_origin

import attrs

from .docstrings import parse_docstring

__all__ = [
    "ARRAYS",
    "MAPPINGS",
    "PRIMITIVES",
    "REQUIRED",
    "Field",
    "NoneType",
    "SchemaMismatch",
    "attrs_fields",
    "signature_fields",
    "unwrap_annotated",
]

NoneType = type(None)
PRIMITIVES: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
ARRAYS = {
    list,
    set,
    frozenset,
    collections.abc.Sequence,
    collections.abc.MutableSequence,
    collections.abc.Set,
    collections.abc.MutableSet,
    collections.abc.Iterable,
    collections.abc.Collection,
}
MAPPINGS = {dict, collections.abc.Mapping, collections.abc.MutableMapping}
_MAX_ERRORS = 12


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


@attrs.frozen
class Field:
    """One property of an object schema: a function parameter or an attrs attribute."""

    key: str
    hint: Any
    description: str | None = None
    default: Any = REQUIRED
    kwarg: str = ""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


class SchemaMismatch(Exception):
    """JSON that does not fit the hints; ``errors`` lists ``(path, message)`` pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors[:_MAX_ERRORS]
        super().__init__(self.describe())

    def describe(self) -> str:
        return "; ".join(f"{path}: {message}" for path, message in self.errors)


def unwrap_annotated(hint: Any) -> tuple[Any, str | None]:
    """``Annotated[X, "text"]`` -> ``(X, "text")``: the first str in the metadata describes X."""
    if get_origin(hint) is Annotated:
        inner, *metadata = get_args(hint)
        text = next((m for m in metadata if isinstance(m, str)), None)
        return inner, text
    return hint, None


@functools.lru_cache(maxsize=256)
def attrs_fields(cls: type) -> tuple[Field, ...]:
    """The init fields of an attrs class, with hints resolved and per-field docs (cached)."""
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except Exception as exc:
        raise TypeError(f"cannot resolve the type hints of {cls.__qualname__}: {exc}") from exc
    docs = parse_docstring(cls.__doc__)[1]
    fields = []
    for attribute in attrs.fields(cls):
        if not attribute.init:
            continue
        description = attribute.metadata.get("description") or docs.get(attribute.name)
        if description is None and attribute.alias:
            description = docs.get(attribute.alias)
        fields.append(
            Field(
                key=attribute.name,
                hint=hints.get(attribute.name, Any),
                description=description,
                default=REQUIRED if attribute.default is attrs.NOTHING else attribute.default,
                kwarg=attribute.alias or attribute.name,
            )
        )
    return tuple(fields)


def signature_fields(fn: Any, hints: Mapping[str, Any], docs: Mapping[str, str]) -> list[Field]:
    """Fields for the parameters of ``fn`` (``*args``/``**kwargs`` are refused)."""
    fields = []
    for parameter in inspect.signature(fn).parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            raise TypeError(
                f"{getattr(fn, '__qualname__', fn)!r}: *args and **kwargs cannot be described "
                "as tool parameters; list the parameters explicitly"
            )
        fields.append(
            Field(
                key=parameter.name,
                hint=hints.get(parameter.name, Any),
                description=docs.get(parameter.name),
                default=REQUIRED if parameter.default is parameter.empty else parameter.default,
                kwarg=parameter.name,
            )
        )
    return fields
