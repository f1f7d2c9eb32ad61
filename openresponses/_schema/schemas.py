"""JSON schemas written from type hints: tool parameters, or an attrs class to answer in."""

from __future__ import annotations

import enum
import json
import re
import types
from collections.abc import Sequence
from typing import Any, Literal, Union, get_args, get_origin

import attrs

from .docstrings import parse_docstring
from .fields import (
    ARRAYS,
    MAPPINGS,
    PRIMITIVES,
    REQUIRED,
    Field,
    NoneType,
    attrs_fields,
    unwrap_annotated,
)

__all__ = ["class_schema", "object_schema"]


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
        hint, description = unwrap_annotated(hint)
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
        if hint is None or hint is NoneType:
            return {"type": "null"}
        if hint in PRIMITIVES:
            return {"type": PRIMITIVES[hint]}
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
        if origin in ARRAYS or hint in ARRAYS:
            return {"type": "array", "items": self.hint(args[0] if args else Any)}
        if origin in MAPPINGS or hint in MAPPINGS:
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
        if unwrap_annotated(key)[0] is not str:
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
        kind = "null" if value is None else PRIMITIVES.get(type(value))
        if kind is None:
            raise TypeError(f"{hint!r}: only str, int, float, bool and None values fit in JSON")
        if kind not in kinds:
            kinds.append(kind)
    if kinds == ["integer", "number"] or kinds == ["number", "integer"]:
        kinds = ["number"]
    return {"type": kinds[0] if len(kinds) == 1 else kinds, "enum": values}


def _class_description(cls: type) -> str | None:
    doc = cls.__doc__
    # attrs and Enum leave generated docstrings that say nothing to a model.
    if not doc or doc.startswith(f"{cls.__name__}("):
        return None
    return parse_docstring(doc)[0]
