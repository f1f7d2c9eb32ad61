"""What each field of a wire model is to a reader: its kind, nested type and empty value.

Both readers (the cattrs hooks and the fast path) work from these plans, so a null or missing
key takes the same value on either. The kinds: ``"tag"`` (the ``type: Literal[...]``), a leaf
kind (see :mod:`.leaves`), ``"model"`` (an attrs class or one of the unions of
:mod:`.unions`), ``"models"`` (a list of those), ``"str|model"`` and ``"str|models"``
(OpenRouter's string shortcuts: ``content``, ``input``, ``output``, ``sort``), ``"model|any"``
(a tagged union where the spec allows any value: a value that is not an object is kept).

A field's ``key`` is its name on the wire: the attribute name, or the ``"wire"`` entry of its
attrs metadata (OpenRouter's camelCase keys, ``exitCode`` for ``exit_code``).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, NamedTuple, Union, get_args, get_origin

import attrs

from ..types._base import WireModel
from .unions import is_registered

_FACTORY: Any = type(attrs.Factory(list))


class Field(NamedTuple):
    """One field of a wire model, as the readers and the writer see it."""

    name: str
    kind: str
    target: Any  # the nested type ("model", "str|model") or list element type ("...models")
    empty: Any  # what null (or a missing "required" key) reads as ...
    factory: Callable[[], Any] | None  # ... or a fresh value from this, for a factory default
    key: str  # the name on the wire


def is_union(tp: Any) -> bool:
    return get_origin(tp) is Union or isinstance(tp, types.UnionType)


def is_list(tp: Any) -> bool:
    return get_origin(tp) in (list, Sequence)


def is_wire_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, WireModel)


def strip_optional(tp: Any) -> tuple[Any, bool]:
    """``tp`` without ``None``, and whether it had it."""
    if is_union(tp):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) != len(get_args(tp)):
            return (args[0] if len(args) == 1 else Union[tuple(args)]), True
    return tp, False


def _holds_model(tp: Any) -> bool:
    return (isinstance(tp, type) and attrs.has(tp)) or any(_holds_model(a) for a in get_args(tp))


def leaf_kind(tp: Any) -> str | None:
    """The leaf kind of a type with no model inside; ``None`` for the others."""
    if tp is Any or tp is object:
        return "any"
    if tp in (str, int, float, bool):
        return str(tp.__name__)
    origin = get_origin(tp)
    if origin in (dict, Mapping) or tp in (dict, Mapping):
        return "map"
    if origin in (list, Sequence):
        return None if _holds_model(get_args(tp)[0]) else "list"
    if is_union(tp):
        kinds = {leaf_kind(arg) for arg in get_args(tp)}
        if None in kinds:
            return None
        if kinds <= {"int", "float"}:
            return "float"
        if kinds <= {"int", "float", "str"}:
            return "scalar"
        return "any"
    return None


def _kind(tp: Any) -> tuple[str, Any]:
    if get_origin(tp) is Literal:
        return "tag", None
    base, _ = strip_optional(tp)
    leaf = leaf_kind(base)
    if leaf is not None:
        return leaf, None
    if (isinstance(base, type) and attrs.has(base)) or is_registered(base):
        return "model", base
    if is_union(base) and Any in get_args(base):
        # A tagged union or anything (a field the spec leaves open): objects read as the union.
        rest: Any = Union[tuple(a for a in get_args(base) if a is not Any)]
        if is_registered(rest):
            return "model|any", rest
    if is_union(base) and any(leaf_kind(a) == "map" for a in get_args(base)):
        # A model or a plain mapping (ServerTool.parameters): a read makes the model, a write
        # takes either. Several models, not a tagged union: a read keeps the mapping.
        models = [a for a in get_args(base) if leaf_kind(a) != "map"]
        if len(models) == 1:
            return _kind(models[0])
        return "map", None
    if is_list(base):
        return "models", get_args(base)[0]
    others = [a for a in get_args(base) if a is not str] if is_union(base) else []
    if len(others) == 1 and str in get_args(base):
        if is_list(others[0]):
            return "str|models", get_args(others[0])[0]
        return "str|model", others[0]
    raise TypeError(f"no reader for {tp!r}")  # a bug in types/, seen by the tests


def _empty(field: attrs.Attribute[Any]) -> tuple[Any, Callable[[], Any] | None]:
    default = field.default
    if isinstance(default, _FACTORY):
        return None, default.factory
    if default is not attrs.NOTHING:
        return default, None
    # A "required" field the server left out: an empty value of its type.
    base, optional = strip_optional(field.type)
    if optional:
        return None, None
    if is_list(base) or (is_union(base) and any(is_list(a) for a in get_args(base))):
        return None, list  # Message.content, FunctionCallOutput.output: no parts
    return ("" if base is str else None), None


_PLANS: dict[type, tuple[Field, ...]] = {}


def plan(cls: type) -> tuple[Field, ...]:
    """The fields of wire model ``cls`` (``extra_fields`` aside), in declaration order."""
    found = _PLANS.get(cls)
    if found is None:
        attrs.resolve_types(cls)
        found = tuple(
            Field(
                field.name,
                *_kind(field.type),
                *_empty(field),
                field.metadata.get("wire", field.name),
            )
            for field in attrs.fields(cls)
            if field.name != "extra_fields"
        )
        found = _PLANS.setdefault(cls, found)
    return found
