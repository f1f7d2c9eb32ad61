"""The local server's default answer to ``POST /responses/compact``: a deterministic compaction.

Every user message of the input is kept, as a finished ``message`` item; everything else
(assistant messages, tool calls and outputs, reasoning, earlier compactions) becomes one
``compaction`` item whose ``encrypted_content`` is ``local:`` and the base64 of those items' JSON.
An earlier compaction made here is unfolded into the items it stood for, so compacting twice
nests nothing. Token counts are word counts, as everywhere in the local server.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from ._wire import usage_for

__all__ = ["NOT_AN_OBJECT", "PREFIX", "TURN_ON_COMPACT", "compact", "error_body", "seal", "unseal"]

PREFIX = "local:"


def error_body(
    message: str, *, code: str, param: str | None = None, kind: str = "invalid_request_error"
) -> dict[str, Any]:
    """An error body in the spec's shape."""
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


NOT_AN_OBJECT = "The request body must be a JSON object."
TURN_ON_COMPACT = error_body(
    "LocalServer: a Turn (or output items, or text) was queued for POST /responses/compact;"
    " queue ResponseJSON(body), HTTPReply or Disconnect there, or nothing for the default"
    " compaction.",
    code="script_error",
    kind="server_error",
)


def compact(body: Any, *, number: int, created_at: int) -> tuple[int, dict[str, Any]]:
    """The status and JSON body answering a compaction request ``body`` (parsed JSON).

    >>> status, answer = compact({"model": "m", "input": "Hi"}, number=1, created_at=0)
    >>> status, [item["type"] for item in answer["output"]], answer["output"][0]["content"]
    (200, ['message', 'compaction'], [{'type': 'input_text', 'text': 'Hi'}])
    """
    if not isinstance(body, Mapping):
        return 400, error_body(NOT_AN_OBJECT, code="invalid_json")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        message = "`model` is required: the model to compact with."
        return 400, error_body(message, code="missing_required_parameter", param="model")
    value = body.get("input")
    if value is None:
        items: Sequence[Any] = []
    elif isinstance(value, str):
        items = [{"type": "message", "role": "user", "content": value}]
    elif isinstance(value, list):
        items = value
    else:
        message = "`input` must be a string or an array of items."
        return 400, error_body(message, code="invalid_type", param="input")
    kept: list[dict[str, Any]] = []
    dropped: list[Any] = []
    for item in items:
        if _is_user_message(item):
            kept.append(_message(item, f"msg_local_{number}_{len(kept)}"))
        else:
            dropped.extend(_unfold(item))
    compaction = {
        "type": "compaction",
        "id": f"cmp_local_{number}",
        "encrypted_content": seal(dropped),
    }
    output = [*kept, compaction]
    return 200, {
        "id": f"resp_local_{number}",
        "object": "response.compaction",
        "created_at": created_at,
        "output": output,
        "usage": usage_for(body, output),
    }


def seal(items: Sequence[Any]) -> str:
    """The ``encrypted_content`` standing for ``items``."""
    return PREFIX + base64.b64encode(orjson.dumps(items)).decode()


def unseal(content: Any) -> list[Any] | None:
    """The items a compaction made here stands for; ``None`` for any other content.

    >>> unseal(seal([{"type": "reasoning", "summary": []}]))
    [{'type': 'reasoning', 'summary': []}]
    """
    if not isinstance(content, str) or not content.startswith(PREFIX):
        return None
    try:
        items = orjson.loads(base64.b64decode(content[len(PREFIX) :], validate=True))
    except (binascii.Error, orjson.JSONDecodeError):
        return None
    return items if isinstance(items, list) else None


def _is_user_message(item: Any) -> bool:
    return (
        isinstance(item, Mapping)
        and item.get("type", "message") == "message"
        and item.get("role") == "user"
    )


def _message(item: Mapping[str, Any], default_id: str) -> dict[str, Any]:
    content = item.get("content")
    if isinstance(content, str):
        parts: list[Any] = [{"type": "input_text", "text": content}]
    else:
        parts = list(content) if isinstance(content, list) else []
    item_id = item.get("id")
    return {
        "type": "message",
        "id": item_id if isinstance(item_id, str) and item_id else default_id,
        "status": "completed",
        "role": "user",
        "content": parts,
    }


def _unfold(item: Any) -> list[Any]:
    if isinstance(item, Mapping) and item.get("type") == "compaction":
        items = unseal(item.get("encrypted_content"))
        if items is not None:
            return items
    return [item]
