"""JSON read back into the types a schema was written from, strictly (see the package docstring)."""

from __future__ import annotations

import collections.abc
import enum
import json
import types
from collections.abc import Iterable, Sequence
from typing import Any, Literal, Union, get_args, get_origin

import attrs

from .fields import (
    ARRAYS,
    MAPPINGS,
    PRIMITIVES,
    Field,
    NoneType,
    SchemaMismatch,
    attrs_fields,
    unwrap_annotated,
)

__all__ = ["read_fields", "read_value"]


def read_value(value: Any, hint: Any, *, strict: bool, missing_defaults: bool = False) -> Any:
    """``value`` (decoded JSON) checked against ``hint`` and built into it, or SchemaMismatch.

    ``missing_defaults=True`` accepts objects without the keys that have defaults, which the
    strict schema requires.
    """
    return _Reader(strict, missing_defaults).read(value, hint, "$")


def read_fields(
    value: Any, fields: Sequence[Field], *, strict: bool, missing_defaults: bool = False
) -> dict[str, Any]:
    """A JSON object checked against ``fields``; returns keyword arguments (defaults left out)."""
    return _Reader(strict, missing_defaults).object(value, fields, "$")


class _Reader:
    def __init__(self, strict: bool, missing_defaults: bool = False) -> None:
        self.strict = strict
        # Strict schemas list every key as required: a key with a default may be left out
        # only when the caller asks for it (or the schema is not strict).
        self.complete = strict and not missing_defaults

    def read(self, value: Any, hint: Any, path: str) -> Any:
        hint = unwrap_annotated(hint)[0]
        if hint is Any or hint is object:
            return value
        if hint is None or hint is NoneType:
            if value is None:
                return None
            raise _mismatch(path, "null", value)
        if hint in PRIMITIVES:
            return _primitive(value, hint, path)
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            for member in hint:
                if _same(member.value, value):
                    return member
            raise _mismatch(path, _describe(hint), value)
        if isinstance(hint, type) and attrs.has(hint):
            kwargs = self.object(value, attrs_fields(hint), path)
            try:
                return hint(**kwargs)
            except (TypeError, ValueError) as exc:  # the class's own validators said no
                raise SchemaMismatch([(path, str(exc))]) from None
        origin, args = get_origin(hint), get_args(hint)
        if origin is Literal:
            for literal in args:
                if _same(literal, value):
                    return literal
            raise _mismatch(path, _describe(hint), value)
        if origin is Union or origin is types.UnionType:
            return self.union(value, args, hint, path)
        if origin is tuple or hint is tuple:
            return self.fixed(value, args, path)
        if origin in ARRAYS or hint in ARRAYS:
            items = self.array(value, args[0] if args else Any, path)
            if origin is frozenset:
                return frozenset(items)
            if origin in (set, collections.abc.Set, collections.abc.MutableSet):
                return set(items)
            return items
        if origin in MAPPINGS or hint in MAPPINGS:
            return self.mapping(value, args[1] if args else Any, path)
        raise TypeError(f"unsupported type hint {hint!r}")

    def attempt(self, value: Any, hint: Any, path: str, errors: list[tuple[str, str]]) -> Any:
        """``read``, but a mismatch is added to ``errors`` (returning ``_INVALID``) so siblings
        are still checked and the model hears about every problem at once."""
        try:
            return self.read(value, hint, path)
        except SchemaMismatch as exc:
            errors.extend(exc.errors)
            return _INVALID

    def fields(
        self, value: Any, fields: Sequence[Field], path: str, errors: list[tuple[str, str]]
    ) -> Any:
        """``object``, collecting its errors into ``errors`` like ``attempt``."""
        try:
            return self.object(value, fields, path)
        except SchemaMismatch as exc:
            errors.extend(exc.errors)
            return _INVALID

    def union(self, value: Any, members: Sequence[Any], hint: Any, path: str) -> Any:
        failures: list[list[tuple[str, str]]] = []
        for member in members:
            errors: list[tuple[str, str]] = []
            result = self.attempt(value, member, path, errors)
            if result is not _INVALID:
                return result
            failures.append(errors)
        # When only one member has the value's JSON kind, its detailed errors are the useful ones.
        fitting = [f for m, f in zip(members, failures, strict=True) if _kind_fits(m, value)]
        if len(fitting) == 1:
            raise SchemaMismatch(fitting[0])
        raise _mismatch(path, _describe(hint), value)

    def fixed(self, value: Any, args: Sequence[Any], path: str) -> tuple[Any, ...]:
        if not args or (len(args) == 2 and args[1] is Ellipsis):
            return tuple(self.array(value, args[0] if args else Any, path))
        if not isinstance(value, list) or len(value) != len(args):
            raise _mismatch(path, f"array of {len(args)} items", value)
        return tuple(self.items(zip(value, args, strict=True), path))

    def array(self, value: Any, item: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            raise _mismatch(path, "array", value)
        return self.items(((v, item) for v in value), path)

    def items(self, pairs: Iterable[tuple[Any, Any]], path: str) -> list[Any]:
        errors: list[tuple[str, str]] = []
        out = [
            self.attempt(value, hint, f"{path}[{index}]", errors)
            for index, (value, hint) in enumerate(pairs)
        ]
        if errors:
            raise SchemaMismatch(errors)
        return out

    def mapping(self, value: Any, item: Any, path: str) -> dict[str, Any]:
        errors: list[tuple[str, str]] = []
        if self.strict and isinstance(value, list):
            pair = [Field("key", str), Field("value", item)]
            pairs = [self.fields(v, pair, f"{path}[{i}]", errors) for i, v in enumerate(value)]
            out = {} if errors else {entry["key"]: entry["value"] for entry in pairs}
        elif isinstance(value, dict):
            out = {k: self.attempt(v, item, f"{path}.{k}", errors) for k, v in value.items()}
        else:
            raise _mismatch(path, "array of key/value pairs" if self.strict else "object", value)
        if errors:
            raise SchemaMismatch(errors)
        return out

    def object(self, value: Any, fields: Sequence[Field], path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _mismatch(path, "object", value)
        known = {field.key for field in fields}
        errors = [(f"{path}.{key}", "unexpected property") for key in value if key not in known]
        out: dict[str, Any] = {}
        for field in fields:
            where = f"{path}.{field.key}"
            if field.key not in value:
                if field.required or self.complete:
                    errors.append((where, "required property is missing"))
                continue
            entry = value[field.key]
            if entry is None and not field.required and not _admits_none(field.hint):
                continue  # null stands for the default (strict mode sends every key)
            out[field.kwarg or field.key] = self.attempt(entry, field.hint, where, errors)
        if errors:
            raise SchemaMismatch(errors)
        return out


_INVALID = object()


def _primitive(value: Any, hint: type, path: str) -> Any:
    if isinstance(value, bool):
        if hint is bool:
            return value
    elif hint is int:
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif hint is float:
        if isinstance(value, (int, float)):
            return float(value)
    elif hint is str and isinstance(value, str):
        return value
    raise _mismatch(path, PRIMITIVES[hint], value)


def _admits_none(hint: Any) -> bool:
    hint = unwrap_annotated(hint)[0]
    if hint is None or hint is NoneType or hint is Any or hint is object:
        return True
    origin = get_origin(hint)
    if origin is Union or origin is types.UnionType:
        return any(_admits_none(member) for member in get_args(hint))
    if origin is Literal:
        return None in get_args(hint)
    return False


def _same(expected: Any, value: Any) -> bool:
    """JSON equality that keeps ``True`` apart from ``1`` and lets ``1.0`` match ``1``."""
    if isinstance(expected, bool) or isinstance(value, bool):
        return expected is value
    return bool(expected == value) and (value is None) == (expected is None)


def _kind_fits(hint: Any, value: Any) -> bool:
    hint = unwrap_annotated(hint)[0]
    origin = get_origin(hint) or hint
    if isinstance(value, dict):
        return (isinstance(hint, type) and attrs.has(hint)) or origin in MAPPINGS
    if isinstance(value, list):
        return origin in ARRAYS or origin is tuple or origin in MAPPINGS
    return False


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _mismatch(path: str, expected: str, value: Any) -> SchemaMismatch:
    shown = json.dumps(value, default=repr)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return SchemaMismatch([(path, f"expected {expected}, got {_json_kind(value)} {shown}")])


def _describe(hint: Any) -> str:
    hint = unwrap_annotated(hint)[0]
    if hint is None or hint is NoneType:
        return "null"
    if hint in PRIMITIVES:
        return PRIMITIVES[hint]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return "one of " + ", ".join(json.dumps(member.value) for member in hint)
    if isinstance(hint, type) and attrs.has(hint):
        return f"object ({hint.__name__})"
    origin = get_origin(hint)
    if origin is Literal:
        return "one of " + ", ".join(json.dumps(value) for value in get_args(hint))
    if origin is Union or origin is types.UnionType:
        return " or ".join(_describe(member) for member in get_args(hint))
    if origin in ARRAYS or origin is tuple:
        return "array"
    if origin in MAPPINGS:
        return "object"
    return str(getattr(hint, "__name__", hint))
