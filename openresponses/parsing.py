"""Structured output: ask for JSON that fits an attrs class, and read it back into one.

::

    @attrs.frozen
    class Weather:
        city: str
        temperature_c: float

    parsed = await client.responses.parse(model=..., input="...", text_format=Weather)
    parsed.output_parsed        # Weather(city="Paris", temperature_c=21.5)

The request carries a strict ``json_schema`` format built from the class. The answer is read only
after the response is final, and every way it can hold no value raises a subclass of
``StructuredOutputError`` that carries the raw text and the Response: ``RefusalError``,
``IncompleteOutputError`` (e.g. ``max_output_tokens`` reached) and ``OutputParseError`` (not JSON,
or JSON that does not fit the class). No JSON or validation library error escapes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Generic, TypeVar, overload

import attrs

from ._engine import EngineLike, engine_of
from ._errors import InvalidRequestError, OpenResponsesError
from ._schema import SchemaMismatch, class_schema, parse_docstring, read_value
from .types import (
    Item,
    JsonSchemaFormat,
    Message,
    OutputText,
    Refusal,
    Response,
    TextConfig,
    Usage,
)

# What the package root re-exports (one row of its lazy table); the module's own API
# also has ``json_schema_format``, ``parse_output`` and ``parse_response``.
__all__ = [
    "IncompleteOutputError",
    "OutputParseError",
    "ParsedResponse",
    "RefusalError",
    "StructuredOutputError",
]

T = TypeVar("T")


class StructuredOutputError(OpenResponsesError):
    """The response holds no value of the requested format.

    ``response`` is the Response as received; ``text`` its raw output text (possibly empty or
    cut off). Raised as is when the response failed or was cancelled.
    """

    def __init__(self, message: str, *, response: Response, text: str) -> None:
        self.message = message
        self.response = response
        self.text = text
        super().__init__(message)


class RefusalError(StructuredOutputError):
    """The model refused; ``refusal`` is its explanation."""

    def __init__(self, refusal: str, *, response: Response, text: str) -> None:
        super().__init__(f"the model refused: {refusal}", response=response, text=text)
        self.refusal = refusal


class IncompleteOutputError(StructuredOutputError):
    """The response stopped early (``reason``: ``max_output_tokens``, ``content_filter``, ...)."""

    def __init__(self, reason: str | None, *, response: Response, text: str) -> None:
        super().__init__(
            f"the response is incomplete ({reason or 'no reason given'}); its JSON is cut off",
            response=response,
            text=text,
        )
        self.reason = reason


class OutputParseError(StructuredOutputError):
    """The text is not JSON, or the JSON does not fit the class.

    ``errors`` lists ``(path, message)`` pairs, e.g. ``("$.celsius", "expected number, ...")``.
    """

    def __init__(
        self,
        message: str,
        *,
        response: Response,
        text: str,
        errors: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(message, response=response, text=text)
        self.errors = errors or []


@attrs.frozen
class ParsedResponse(Generic[T]):
    """A final Response and the value its output text was parsed into.

    ``output_parsed`` is an instance of the ``text_format`` class (or the decoded JSON for a
    schema dict); ``output_text`` is the raw JSON text; ``response`` the whole Response, whose
    common fields are also readable here.
    """

    response: Response
    output_parsed: T
    output_text: str

    @property
    def id(self) -> str | None:
        return self.response.id

    @property
    def status(self) -> str | None:
        return self.response.status

    @property
    def model(self) -> str | None:
        return self.response.model

    @property
    def output(self) -> list[Item]:
        return self.response.output

    @property
    def usage(self) -> Usage | None:
        return self.response.usage


@overload
async def parse_response(
    client: EngineLike, *, text_format: type[T], **params: Any
) -> ParsedResponse[T]: ...
@overload
async def parse_response(
    client: EngineLike, *, text_format: Mapping[str, Any], **params: Any
) -> ParsedResponse[Any]: ...
async def parse_response(
    client: EngineLike, *, text_format: type[Any] | Mapping[str, Any], **params: Any
) -> ParsedResponse[Any]:
    """Create a response whose output must match ``text_format``, and parse it.

    ``text_format`` is an attrs class (its strict JSON schema is generated, see
    ``function_tool`` for the supported hints), a JSON schema dict (sent with ``strict: true``;
    ``title`` names it), or a whole ``{"type": "json_schema", ...}`` format dict. Other keywords
    go to ``create`` of ``client`` (an ``AsyncClient``); a ``text`` argument keeps its other
    settings (``verbosity``).
    """
    if "stream" in params:
        raise InvalidRequestError("stream", "parse does not stream; use responses.stream")
    fmt = json_schema_format(text_format)
    params["text"] = _with_format(params.get("text"), fmt)
    response = await engine_of(client).create(**params)
    return parse_output(response, text_format)


def json_schema_format(text_format: type[Any] | Mapping[str, Any]) -> JsonSchemaFormat:
    """The strict ``json_schema`` text format that asks for ``text_format``."""
    if isinstance(text_format, Mapping):
        if text_format.get("type") == "json_schema":
            return JsonSchemaFormat(
                name=str(text_format.get("name") or "output"),
                schema=text_format.get("schema"),
                description=text_format.get("description"),
                strict=text_format.get("strict", True),
            )
        return JsonSchemaFormat(
            name=_format_name(str(text_format.get("title") or "output")),
            schema=dict(text_format),
            strict=True,
        )
    if not isinstance(text_format, type):
        raise TypeError(
            f"text_format must be an attrs class or a JSON schema dict: {text_format!r}"
        )
    doc = text_format.__doc__
    description = None
    if doc and not doc.startswith(f"{text_format.__name__}("):  # attrs' generated docstring
        description = parse_docstring(doc)[0]
    return JsonSchemaFormat(
        name=_format_name(text_format.__name__),
        schema=class_schema(text_format, strict=True),
        description=description,
        strict=True,
    )


@overload
def parse_output(response: Response, text_format: type[T]) -> ParsedResponse[T]: ...
@overload
def parse_output(response: Response, text_format: Mapping[str, Any]) -> ParsedResponse[Any]: ...
def parse_output(
    response: Response, text_format: type[Any] | Mapping[str, Any]
) -> ParsedResponse[Any]:
    """Parse a final Response (e.g. a stream's ``final_response()``) into ``text_format``."""
    text, refusal = _final_message(response)
    if refusal is not None:
        raise RefusalError(refusal, response=response, text=text)
    if response.status == "incomplete" or response.incomplete_details is not None:
        reason = response.incomplete_details.reason if response.incomplete_details else None
        raise IncompleteOutputError(reason, response=response, text=text)
    if response.status in ("failed", "cancelled"):
        detail = f": {response.error.message}" if response.error and response.error.message else ""
        raise StructuredOutputError(
            f"the response {response.status}{detail}", response=response, text=text
        )
    if not text.strip():
        raise OutputParseError("the response has no output text", response=response, text=text)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise OutputParseError(
            f"the output text is not JSON ({exc})", response=response, text=text
        ) from None
    if isinstance(text_format, Mapping):
        return ParsedResponse(response=response, output_parsed=data, output_text=text)
    try:
        # An error here is final (no model to correct itself, unlike a tool call), so a key the
        # class has a default for may be missing: providers that ignore strict leave them out.
        value = read_value(data, text_format, strict=True, missing_defaults=True)
    except SchemaMismatch as exc:
        raise OutputParseError(
            f"the output does not fit {text_format.__name__}: {exc.describe()}",
            response=response,
            text=text,
            errors=exc.errors,
        ) from None
    return ParsedResponse(response=response, output_parsed=value, output_text=text)


def _final_message(response: Response) -> tuple[str, str | None]:
    """``(text, refusal)`` of the last message with content; earlier ones are preambles."""
    for item in reversed(response.output):
        if not isinstance(item, Message):
            continue
        if isinstance(item.content, str):
            return item.content, None
        texts = [part.text for part in item.content if isinstance(part, OutputText)]
        refusals = [part.refusal for part in item.content if isinstance(part, Refusal)]
        if texts or refusals:
            return "".join(texts), ("".join(refusals) if refusals else None)
    return "", None


def _with_format(text: Any, fmt: JsonSchemaFormat) -> TextConfig | dict[str, Any]:
    if text is None:
        return TextConfig(format=fmt)
    current = text.format if isinstance(text, TextConfig) else text.get("format")
    if current is not None:
        raise InvalidRequestError("text", "give either text_format or text.format, not both")
    if isinstance(text, TextConfig):
        return attrs.evolve(text, format=fmt)
    return {**text, "format": fmt}


def _format_name(name: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]", "_", name)[:64] or "output"
