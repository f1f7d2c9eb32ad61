"""Reading and writing the wire: read any real server leniently, write strictly.

Reading (``structure``, ``parse_event``, ``parse_response``, ``parse_compacted``): missing keys
and ``null`` take the field default, integral floats in int fields become ints, unknown keys go
to ``extra_fields``, unknown tagged types become ``Unknown*`` objects holding the raw mapping.
Writing (``unstructure``, ``dumps``): ``None`` is omitted, the tag is always written,
``extra_fields`` are merged under the declared fields and ``Unknown*`` objects give back their
raw mapping unchanged.

The package, one concern a module: ``errors`` (a failure's path, as ``ResponseValidationError``),
``leaves`` (the lenient scalar readers), ``kinds`` (what each field is to a reader), ``unions``
(the tag dispatch and its fallbacks), ``hooks`` (the cattrs converter and its hook factories:
every read and write), ``fast`` (hooks shaped by the payloads a server repeats: the streamed
events and the responses, falling back to the converter for anything else).

Normalisations a round trip makes (documented, tested): explicit ``null`` values are dropped;
a missing field that has a non-None default (``OutputText.annotations``, ``Message.content``,
``InputImage.detail``, the ``type`` tag, ...) is written with that default; a bare OpenRouter
error frame gains ``"type": "error"``; integral floats in int fields are written as ints.

cattrs is imported, and the converter built, by the first write, ``structure`` or payload the
fast path does not read (``converter`` is also importable, built on first access): ``import
openresponses`` does not pay for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import orjson

from .._errors import InvalidRequestError, ResponseValidationError
from ..types import CompactedResponse, Response, StreamEvent
from .errors import to_validation_error, type_name
from .fast import Reader

if TYPE_CHECKING:
    from cattrs import Converter

__all__ = [
    "dumps",
    "loads",
    "parse_compacted",
    "parse_event",
    "parse_response",
    "structure",
    "unstructure",
]

T = TypeVar("T")

_READER = Reader()
# The stream's dispatch table, {tag: [hook]}, read directly by parse_event.
_EVENT_TABLE = _READER.table(StreamEvent)
_RESPONSE = _READER.cell(Response)
_orjson_loads = orjson.loads


def __getattr__(name: str) -> Converter:
    if name == "converter":
        from .hooks import converter

        return converter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _first_plain(obj: Any) -> Any:
    # unstructure is on the request path: the converter is imported once, not on every call.
    global _plain
    from .hooks import plain

    _plain = plain
    return plain(obj)


_plain: Callable[[Any], Any] = _first_plain


def loads(data: bytes | str) -> Any:
    """Parse JSON; invalid JSON raises ``ResponseValidationError`` with the raw payload."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ResponseValidationError(f"invalid JSON: {exc}", payload=data) from None


def _default(value: Any) -> Any:
    if attrs.has(value.__class__):
        return _plain(value)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (Sequence, set, frozenset)) and not isinstance(value, (str, bytes)):
        return list(value)
    raise TypeError(f"cannot serialize {type(value).__name__} to JSON")


class _UnwritableError(InvalidRequestError, TypeError):
    """A value JSON cannot hold; still a ``TypeError``, as ``json.dumps`` callers expect."""


def dumps(obj: Any) -> bytes:
    """Serialize to JSON bytes; attrs models anywhere inside are written in wire shape.

    A value JSON cannot hold (an int beyond 64 bits, an unknown type) raises
    ``InvalidRequestError`` (field ``body``, also a ``TypeError``): what is written here is a
    request.
    """
    try:
        return orjson.dumps(obj, default=_default)
    except orjson.JSONEncodeError as exc:
        raise _UnwritableError("body", f"cannot be written as JSON: {exc}") from None


def structure(data: Any, cl: type[T]) -> T:
    """Read ``data`` (decoded JSON) as ``cl``; failures raise ``ResponseValidationError``."""
    from .hooks import converter

    try:
        return converter.structure(data, cl)
    except Exception as exc:
        raise to_validation_error(exc, data) from None


def unstructure(obj: Any) -> Any:
    """Write a model (or a list / dict of them) as plain JSON data, in wire shape."""
    return _plain(obj)


def parse_event(data: bytes | str) -> StreamEvent:
    """Read one SSE ``data`` payload as a typed event (the hot path of every stream)."""
    try:
        # A known event that reads cleanly: the common case, in the fewest steps.
        d = _orjson_loads(data)
        return _EVENT_TABLE[d["type"]][0](d)  # type: ignore[no-any-return]
    except Exception:
        return _parse_event(data)


def _parse_event(data: bytes | str) -> StreamEvent:
    """:func:`parse_event` for all the rest: unknown types, and what does not read."""
    try:
        d = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ResponseValidationError(f"invalid JSON in event: {exc}", payload=data) from None
    if d.__class__ is not dict:
        raise ResponseValidationError(f"expected an event object, got {type_name(d)}", payload=data)
    from .hooks import structure_hook

    try:
        return structure_hook(StreamEvent)(d)  # type: ignore[no-any-return]
    except Exception as exc:
        raise to_validation_error(exc, d) from None


def parse_response(data: bytes | str | Mapping[str, Any]) -> Response:
    """Read a Response from JSON bytes / text or from an already decoded mapping."""
    d = data if isinstance(data, Mapping) else loads(data)
    if not isinstance(d, Mapping):
        raise ResponseValidationError(
            f"expected a response object, got {type_name(d)}", payload=data
        )
    try:
        return _RESPONSE[0](d)  # type: ignore[no-any-return]
    except Exception as exc:
        raise to_validation_error(exc, d) from None


def parse_compacted(data: bytes | str | Mapping[str, Any]) -> CompactedResponse:
    """Read what ``POST /responses/compact`` returned, as :func:`parse_response` reads a Response.

    Through the converter alone: one compaction per many turns is not worth a shaped hook.
    """
    d = data if isinstance(data, Mapping) else loads(data)
    if not isinstance(d, Mapping):
        raise ResponseValidationError(
            f"expected a compacted response object, got {type_name(d)}", payload=data
        )
    return structure(d, CompactedResponse)
