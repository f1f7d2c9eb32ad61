"""Event sources: what an open stream attempt reads its event payloads from.

Today the HTTP answer to a stream request (SSE, or a JSON body from a server that ignores
``stream: true``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ._errors import APIStatusError, ResponseValidationError, make_status_error, parse_error_body
from ._options import Timeout
from ._retry import is_retryable_status, is_transient_code
from ._serde import dumps, loads
from ._transport import HTTPStream, Transport

__all__ = ["body_error", "is_error_body", "open_http_source"]


async def open_http_source(
    transport: Transport,
    url: str,
    body: bytes,
    *,
    headers: Mapping[str, str] | None,
    params: Mapping[str, str] | None,
    timeout: Timeout,
    deadline: float | None,
) -> HTTPStream:
    """POST a stream request; the open answer, a JSON body turned into its terminal event."""
    http = await transport.open_stream(
        url, body, headers=headers, params=params, timeout=timeout, deadline=deadline
    )
    if _is_json(http.headers):
        await _json_instead_of_events(http, transport, deadline)
    return http


def _is_json(headers: Mapping[str, str]) -> bool:
    media = headers.get("Content-Type", "").partition(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def is_error_body(data: dict[str, Any]) -> bool:
    """An error object in place of a response: ``error`` set, no ``id`` and no ``output``."""
    return bool(data.get("error")) and data.get("id") is None and not data.get("output")


def body_error(headers: Mapping[str, str], raw: bytes) -> APIStatusError:
    """The typed error for an error body that came with HTTP 200 (see ``create``)."""
    code = parse_error_body(raw)[1]
    number = code if isinstance(code, int) else None
    if isinstance(code, str) and code.strip().isdigit():
        number = int(code)
    if number is not None and 400 <= number <= 599:
        return make_status_error(
            number, headers, raw, retryable=is_retryable_status(number, number, headers)
        )
    return make_status_error(200, headers, raw, retryable=is_transient_code(code))


_TERMINAL_FOR_STATUS: Final[Mapping[str, str]] = {
    "failed": "response.failed",
    "incomplete": "response.incomplete",
}


async def _json_instead_of_events(
    http: HTTPStream, transport: Transport, deadline: float | None
) -> None:
    """A stream answered with a JSON body: turn a response into its terminal event, or raise.

    The first chunk decides, so an event stream labelled ``application/json`` still streams.
    """
    try:
        first = await http.read(deadline)
        http.push_back(first)
        if first.lstrip()[:1] != b"{":
            return
        raw = await http.read_all(transport.max_response_bytes, deadline)
        data = loads(raw)
        if data.__class__ is not dict:
            raise ResponseValidationError("expected a response object", payload=raw)
        if is_error_body(data):
            raise body_error(http.headers, transport.redact(raw))
        status = data.get("status")
        kind = "response.completed"
        if isinstance(status, str):
            kind = _TERMINAL_FOR_STATUS.get(status, kind)
        events = [*_text_deltas_of(data), {"type": kind, "response": data}]
        frames = [b"data: " + dumps(event) + b"\n\n" for event in events]
        http.push_back(b"".join(frames) + b"data: [DONE]\n\n")
    except BaseException:
        http.close()
        raise


def _text_deltas_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The output text of a JSON answer as one delta event per part, for ``text_deltas()``."""
    deltas: list[dict[str, Any]] = []
    output = data.get("output")
    for index, item in enumerate(output if isinstance(output, list) else ()):
        content = item.get("content") if isinstance(item, dict) else None
        for part_index, part in enumerate(content if isinstance(content, list) else ()):
            text = part.get("text") if isinstance(part, dict) else None
            if part.get("type") == "output_text" and isinstance(text, str) and text:
                deltas.append(
                    {
                        "type": "response.output_text.delta",
                        "item_id": item.get("id"),
                        "output_index": index,
                        "content_index": part_index,
                        "delta": text,
                    }
                )
    return deltas
