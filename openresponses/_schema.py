"""JSON schemas from Python type hints, and the strict reader that turns JSON back into those types.

``function_tool`` (a function's parameters) and structured output (an attrs class) both use it. The
schema and the reader walk the same hints, so the reader accepts what the schema allows and nothing
else: no coercion of ``"5"`` to ``5``, no unknown keys, no missing required keys (in strict mode
every key is required, a key with a default too). The leniencies a caller opts into are for
providers that ignore ``strict``: a plain JSON object for a ``dict`` (always accepted), and
``missing_defaults=True``, which lets an object leave out the keys that have defaults.

Strict mode follows the rules of strict function calling and strict ``json_schema`` output: every
object lists all its properties as required and sets ``additionalProperties: false``; a parameter
with a default becomes a nullable union (the model sends ``null`` to mean "use the default"); and
since a free-form ``dict[str, X]`` cannot be written under those rules, it travels as a list of
``{"key", "value"}`` pairs that the reader turns back into a dict.
"""

from __future__ import annotations

import collections.abc
import enum
import functools
import inspect
import json
import re
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import attrs

__all__ = [
    "REQUIRED",
    "Field",
    "SchemaMismatch",
    "attrs_fields",
    "class_schema",
    "object_schema",
    "parse_docstring",
    "read_fields",
    "read_value",
    "signature_fields",
]

_NoneType = type(None)
_PRIMITIVES: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
_ARRAYS = {
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
_MAPPINGS = {dict, collections.abc.Mapping, collections.abc.MutableMapping}
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


# -- schemas


def object_schema(
    fields: Sequence[Field], *, strict: bool, description: str | None = None
) -> dict[str, Any]:
    """The schema of an object whose properties are ``fields`` (a tool's ``parameters``)."""
    builder = _Builder(strict)
    return builder.finish(builder.object(fields, description))


def class_schema(cls: type, *, strict: bool) -> dict[str, Any]:
    """The schema of an attrs class, with the class inlined at the root (strict output needs it)."""
    if not attrs.has(cls):
        raise TypeError(f"text_format must be an attrs class or a JSON schema dict, not {cls!r}")
    builder = _Builder(strict)
    return builder.finish(builder.attrs_class(cls, root=True))


class _Builder:
    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.defs: dict[str, dict[str, Any]] = {}
        self.def_names: dict[type, str] = {}
        self.stack: list[type] = []
        self.recursive: set[type] = set()

    def finish(self, root: dict[str, Any]) -> dict[str, Any]:
        if self.defs:
            root = {**root, "$defs": self.defs}
        return root

    def object(self, fields: Sequence[Field], description: str | None) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in fields:
            try:
                schema = self.hint(field.hint)
            except TypeError as exc:
                raise TypeError(f"{field.key}: {exc}") from None
            text = field.description or schema.get("description")
            if not field.required:
                default = _json_default(field.default)
                if self.strict:
                    schema = _nullable(schema)
                    if default is not _NO_JSON and default is not None:
                        # The model must send every key in strict mode; tell it what null means.
                        note = f"Use null for the default ({json.dumps(default)})."
                        text = f"{_sentence(text)} {note}" if text else note
                elif default is not _NO_JSON:
                    schema = {**schema, "default": default}
            if text:
                schema = {**schema, "description": text}
            properties[field.key] = schema
            if field.required or self.strict:
                required.append(field.key)
        schema = {"type": "object"}
        if description:
            schema["description"] = description
        schema.update(properties=properties, required=required, additionalProperties=False)
        return schema

    def hint(self, hint: Any) -> dict[str, Any]:
        hint, description = _unwrap_annotated(hint)
        schema = self._hint(hint)
        if description:
            schema = {**schema, "description": description}
        return schema

    def _hint(self, hint: Any) -> dict[str, Any]:
        if hint is Any or hint is object:
            if self.strict:
                raise TypeError(
                    "strict mode needs a concrete type; Any, object, a bare list/dict or a "
                    "missing annotation cannot be expressed (annotate it, or pass strict=False)"
                )
            return {}
        if hint is None or hint is _NoneType:
            return {"type": "null"}
        if hint in _PRIMITIVES:
            return {"type": _PRIMITIVES[hint]}
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return _enum_schema([member.value for member in hint], hint)
        if isinstance(hint, type) and attrs.has(hint):
            return self.attrs_class(hint)
        origin, args = get_origin(hint), get_args(hint)
        if origin is Literal:
            return _enum_schema(list(args), hint)
        if origin is Union or origin is types.UnionType:
            return self.union(args)
        if origin is tuple or hint is tuple:
            return self.fixed(args)
        if origin in _ARRAYS or hint in _ARRAYS:
            return {"type": "array", "items": self.hint(args[0] if args else Any)}
        if origin in _MAPPINGS or hint in _MAPPINGS:
            key, value = args if args else (str, Any)
            return self.mapping(key, value)
        raise TypeError(
            f"unsupported type hint {hint!r} (see function_tool for the supported ones)"
        )

    def union(self, members: Sequence[Any]) -> dict[str, Any]:
        schemas = [self.hint(member) for member in members]
        simple = [s["type"] for s in schemas if set(s) == {"type"} and isinstance(s["type"], str)]
        if len(simple) == len(schemas):
            return {"type": list(dict.fromkeys(simple))}
        return {"anyOf": schemas}

    def fixed(self, args: Sequence[Any]) -> dict[str, Any]:
        if not args:
            return {"type": "array", "items": self.hint(Any)}
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": self.hint(args[0])}
        items = [self.hint(arg) for arg in args]
        return {
            "type": "array",
            "prefixItems": items,
            "minItems": len(items),
            "maxItems": len(items),
        }

    def mapping(self, key: Any, value: Any) -> dict[str, Any]:
        if _unwrap_annotated(key)[0] is not str:
            raise TypeError(f"mapping keys must be str (JSON object keys), not {key!r}")
        if not self.strict:
            return {"type": "object", "additionalProperties": self.hint(value)}
        pair = self.object([Field("key", str), Field("value", value)], None)
        return {"type": "array", "items": pair}

    def attrs_class(self, cls: type, *, root: bool = False) -> dict[str, Any]:
        name = self._def_name(cls)
        ref = {"$ref": f"#/$defs/{name}"}
        if cls in self.stack:
            # Only recursive classes go to $defs; the rest is inlined, which every provider's
            # schema translator understands (some still stumble on $ref).
            self.recursive.add(cls)
            return ref
        if cls in self.recursive and not root:
            return ref
        self.stack.append(cls)
        try:
            schema = self.object(attrs_fields(cls), _class_description(cls))
        finally:
            self.stack.pop()
        if cls in self.recursive:
            self.defs[name] = schema
            return schema if root else ref
        return schema

    def _def_name(self, cls: type) -> str:
        if cls not in self.def_names:
            base = re.sub(r"[^A-Za-z0-9_.-]", "_", cls.__name__)
            taken = set(self.def_names.values())
            name, n = base, 2
            while name in taken:
                name, n = f"{base}{n}", n + 1
            self.def_names[cls] = name
        return self.def_names[cls]


_NO_JSON = object()


def _json_default(value: Any) -> Any:
    """The default as a JSON value, or ``_NO_JSON`` when it has none (factories, objects)."""
    if value is REQUIRED or isinstance(value, attrs.Factory):  # type: ignore[arg-type]
        return _NO_JSON
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, (tuple, frozenset)):
        value = list(value)
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return _NO_JSON
    return value


def _sentence(text: str) -> str:
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", ":")) else f"{text}."


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return schema
    if any(s.get("type") == "null" for s in schema.get("anyOf", ())):
        return schema
    if isinstance(kind, str) and "enum" not in schema:
        return {**schema, "type": [kind, "null"]}
    if isinstance(kind, list) and "enum" not in schema:
        return {**schema, "type": [*kind, "null"]}
    if "enum" in schema:
        return {**schema, "type": [*_as_list(kind), "null"], "enum": [*schema["enum"], None]}
    return {"anyOf": [schema, {"type": "null"}]}


def _as_list(kind: Any) -> list[Any]:
    return list(kind) if isinstance(kind, list) else [kind]


def _enum_schema(values: list[Any], hint: Any) -> dict[str, Any]:
    kinds: list[str] = []
    for value in values:
        kind = "null" if value is None else _PRIMITIVES.get(type(value))
        if kind is None:
            raise TypeError(f"{hint!r}: only str, int, float, bool and None values fit in JSON")
        if kind not in kinds:
            kinds.append(kind)
    if kinds == ["integer", "number"] or kinds == ["number", "integer"]:
        kinds = ["number"]
    return {"type": kinds[0] if len(kinds) == 1 else kinds, "enum": values}


def _unwrap_annotated(hint: Any) -> tuple[Any, str | None]:
    """``Annotated[X, "text"]`` -> ``(X, "text")``: the first str in the metadata describes X."""
    if get_origin(hint) is Annotated:
        inner, *metadata = get_args(hint)
        text = next((m for m in metadata if isinstance(m, str)), None)
        return inner, text
    return hint, None


# -- attrs classes


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


def _class_description(cls: type) -> str | None:
    doc = cls.__doc__
    # attrs and Enum leave generated docstrings that say nothing to a model.
    if not doc or doc.startswith(f"{cls.__name__}("):
        return None
    return parse_docstring(doc)[0]


# -- reading JSON back


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
        hint = _unwrap_annotated(hint)[0]
        if hint is Any or hint is object:
            return value
        if hint is None or hint is _NoneType:
            if value is None:
                return None
            raise _mismatch(path, "null", value)
        if hint in _PRIMITIVES:
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
        if origin in _ARRAYS or hint in _ARRAYS:
            items = self.array(value, args[0] if args else Any, path)
            if origin is frozenset:
                return frozenset(items)
            if origin in (set, collections.abc.Set, collections.abc.MutableSet):
                return set(items)
            return items
        if origin in _MAPPINGS or hint in _MAPPINGS:
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
    raise _mismatch(path, _PRIMITIVES[hint], value)


def _admits_none(hint: Any) -> bool:
    hint = _unwrap_annotated(hint)[0]
    if hint is None or hint is _NoneType or hint is Any or hint is object:
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
    hint = _unwrap_annotated(hint)[0]
    origin = get_origin(hint) or hint
    if isinstance(value, dict):
        return (isinstance(hint, type) and attrs.has(hint)) or origin in _MAPPINGS
    if isinstance(value, list):
        return origin in _ARRAYS or origin is tuple or origin in _MAPPINGS
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
    hint = _unwrap_annotated(hint)[0]
    if hint is None or hint is _NoneType:
        return "null"
    if hint in _PRIMITIVES:
        return _PRIMITIVES[hint]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return "one of " + ", ".join(json.dumps(member.value) for member in hint)
    if isinstance(hint, type) and attrs.has(hint):
        return f"object ({hint.__name__})"
    origin = get_origin(hint)
    if origin is Literal:
        return "one of " + ", ".join(json.dumps(value) for value in get_args(hint))
    if origin is Union or origin is types.UnionType:
        return " or ".join(_describe(member) for member in get_args(hint))
    if origin in _ARRAYS or origin is tuple:
        return "array"
    if origin in _MAPPINGS:
        return "object"
    return str(getattr(hint, "__name__", hint))


# -- docstrings

_PARAM_SECTIONS = {
    "args",
    "arguments",
    "parameters",
    "params",
    "keyword args",
    "keyword arguments",
    "other parameters",
    "attributes",
}
_HEADER = re.compile(
    r"^(args|arguments|parameters|params|keyword args|keyword arguments|other parameters|"
    r"attributes|returns?|yields?|raises|examples?|notes?|warnings?|see also|references|todo)"
    r"\s*:\s*$",
    re.IGNORECASE,
)
_GOOGLE_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")
_NUMPY_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?::.*)?$")
_SPHINX_PARAM = re.compile(
    r"^:(?:param|parameter|arg|argument|key|keyword|ivar|var)\s+(?:[^:]*?\s)?\*{0,2}(\w+)\s*:\s*(.*)$"
)


def parse_docstring(doc: str | None) -> tuple[str | None, dict[str, str]]:
    """``(description, {parameter: text})`` from a Google, NumPy or Sphinx style docstring.

    The description is the text before the first section; section bodies other than
    parameters and attributes (returns, raises, examples) are left out.
    """
    if not doc:
        return None, {}
    lines = inspect.cleandoc(doc).splitlines()
    description: list[str] = []
    params: dict[str, str] = {}
    section: str | None = None
    style = ""
    current: str | None = None
    entry_indent = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        index += 1
        if indent == 0 and stripped and len(following) >= 3 and set(following) == {"-"}:
            section, style, current = stripped.lower(), "numpy", None
            index += 1
            continue
        if indent == 0 and _HEADER.match(stripped):
            section, style, current = stripped[:-1].strip().lower(), "google", None
            continue
        if indent == 0 and stripped.startswith(":"):
            section, style, current = "sphinx", "sphinx", None
            match = _SPHINX_PARAM.match(stripped)
            if match:
                current = match[1]
                params[current] = match[2].strip()
            continue
        if section is None:
            description.append(line)
            continue
        if not stripped:
            continue
        if style == "sphinx" or section not in _PARAM_SECTIONS:
            if style == "sphinx" and current and indent > 0:
                params[current] = f"{params[current]} {stripped}".strip()
            continue
        entry = None
        if style == "numpy" and indent == 0:
            entry = _NUMPY_ENTRY.match(stripped)
        elif style == "google" and (current is None or indent <= entry_indent):
            entry = _GOOGLE_ENTRY.match(stripped)
        if entry:
            current, entry_indent = entry[1], indent
            params[current] = entry[2].strip() if style == "google" else ""
        elif current:
            params[current] = f"{params[current]} {stripped}".strip()
    text = "\n".join(description).strip()
    return (text or None), params


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
