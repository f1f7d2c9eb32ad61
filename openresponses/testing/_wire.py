"""Wire JSON for the local server as plain dicts: response objects, items, stream events, SSE.

Nothing here depends on the SDK's typed models, so the server stays a neutral witness of the wire.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import orjson

__all__ = [
    "DONE_FRAME",
    "REASONS",
    "Splitter",
    "comment_frame",
    "encode_event",
    "input_text",
    "item_events",
    "last_user_text",
    "response_object",
    "splitter",
    "sse_frame",
    "usage_for",
    "word_count",
]

Splitter = Callable[[str], list[str]]

DONE_FRAME = b"data: [DONE]\n\n"

# The reason phrases of the statuses error replies use, for their default messages.
REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    409: "Conflict",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    524: "A timeout occurred",
    529: "Provider Overloaded",
}


def splitter(deltas: int | None = None, chunk_size: int | None = None) -> Splitter:
    """How text becomes deltas: N nearly equal pieces, fixed-size chunks, or one word each."""
    if deltas is not None and chunk_size is not None:
        raise ValueError("give deltas or chunk_size, not both")
    if deltas is not None:
        if deltas < 1:
            raise ValueError("deltas must be at least 1")
        return lambda text: _split_even(text, deltas)
    if chunk_size is not None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        return lambda text: [text[i : i + chunk_size] for i in range(0, len(text), chunk_size)]
    return _split_words


def _split_even(text: str, count: int) -> list[str]:
    count = min(count, len(text))
    if count == 0:
        return []
    size, extra = divmod(len(text), count)
    pieces, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        pieces.append(text[start:end])
        start = end
    return pieces


def _split_words(text: str) -> list[str]:
    # Each delta is a word with the whitespace before it, the way tokenizers usually cut text.
    pieces: list[str] = []
    start = 0
    length = len(text)
    while start < length:
        end = start
        while end < length and text[end].isspace():
            end += 1
        while end < length and not text[end].isspace():
            end += 1
        pieces.append(text[start:end])
        start = end
    return pieces


def word_count(text: str) -> int:
    """Words in a text: the server's stand-in for a token count."""
    return len(text.split())


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key in ("text", "output", "content", "arguments", "refusal", "summary"):
            if key in value:
                yield from _strings(value[key])
    elif isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        for element in value:
            yield from _strings(element)


def input_text(body: Mapping[str, Any]) -> str:
    """All text a request carries (instructions and input): what input tokens are counted from."""
    return " ".join([*_strings(body.get("instructions")), *_strings(body.get("input"))])


def last_user_text(body: Mapping[str, Any]) -> tuple[str, str]:
    """(kind, text) of the last input turn: ("user", text), ("tool", output) or ("none", "")."""
    value = body.get("input")
    if isinstance(value, str):
        return "user", value
    if not isinstance(value, Sequence):
        return "none", ""
    for item in reversed(value):
        if not isinstance(item, Mapping):
            continue
        if item.get("type") == "function_call_output":
            return "tool", " ".join(_strings(item.get("output")))
        if item.get("role", "user") == "user" and item.get("type", "message") == "message":
            return "user", " ".join(_strings(item.get("content")))
    return "none", ""


def usage_for(body: Mapping[str, Any], output: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Plausible usage: words in the request as input tokens, words in the output as output."""
    reasoning = sum(
        word_count(s) for item in output if item.get("type") == "reasoning" for s in _strings(item)
    )
    produced = sum(
        word_count(s) for item in output if item.get("type") != "reasoning" for s in _strings(item)
    )
    input_tokens = word_count(input_text(body))
    output_tokens = produced + reasoning
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": input_tokens + output_tokens,
    }


def _response_tools(tools: Any) -> list[Any]:
    if not isinstance(tools, Sequence) or isinstance(tools, str):
        return []
    echoed: list[Any] = []
    for tool in tools:
        if isinstance(tool, Mapping) and tool.get("type") == "function":
            # A response-side function tool has every key, null where the request left it out.
            echoed.append(
                {
                    "type": "function",
                    "name": tool.get("name", ""),
                    "description": tool.get("description"),
                    "parameters": tool.get("parameters"),
                    "strict": tool.get("strict"),
                }
            )
        else:
            echoed.append(tool)
    return echoed


def response_object(
    body: Mapping[str, Any],
    *,
    response_id: str,
    created_at: int,
    status: str,
    model: str,
    output: list[dict[str, Any]],
    usage: Mapping[str, Any] | None,
    completed_at: int | None = None,
    error: Mapping[str, Any] | None = None,
    incomplete_details: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A response object with all 31 keys the spec requires, echoing the request's settings."""

    def get(key: str, default: Any) -> Any:
        value = body.get(key)
        return default if value is None else value

    reasoning = body.get("reasoning")
    return {
        "id": response_id,
        "object": "response",
        "created_at": created_at,
        "completed_at": completed_at,
        "status": status,
        "incomplete_details": dict(incomplete_details) if incomplete_details else None,
        "model": model,
        "previous_response_id": body.get("previous_response_id"),
        "instructions": body.get("instructions")
        if isinstance(body.get("instructions"), str)
        else None,
        "output": output,
        "error": dict(error) if error else None,
        "tools": _response_tools(body.get("tools")),
        "tool_choice": get("tool_choice", "auto"),
        "truncation": get("truncation", "disabled"),
        "parallel_tool_calls": get("parallel_tool_calls", True),
        "text": get("text", {"format": {"type": "text"}}),
        "top_p": get("top_p", 1.0),
        "presence_penalty": get("presence_penalty", 0.0),
        "frequency_penalty": get("frequency_penalty", 0.0),
        "top_logprobs": get("top_logprobs", 0),
        "temperature": get("temperature", 1.0),
        "reasoning": (
            {"effort": reasoning.get("effort"), "summary": reasoning.get("summary")}
            if isinstance(reasoning, Mapping)
            else None
        ),
        "usage": dict(usage) if usage is not None else None,
        "max_output_tokens": body.get("max_output_tokens"),
        "max_tool_calls": body.get("max_tool_calls"),
        "store": get("store", False),
        "background": get("background", False),
        "service_tier": get("service_tier", "default"),
        "metadata": get("metadata", {}),
        "safety_identifier": body.get("safety_identifier"),
        "prompt_cache_key": body.get("prompt_cache_key"),
    }


def _empty_part(part: Mapping[str, Any]) -> dict[str, Any]:
    kind = part.get("type")
    if kind == "output_text":
        return {"type": "output_text", "text": "", "annotations": []}
    if kind == "refusal":
        return {"type": "refusal", "refusal": ""}
    if kind in ("reasoning_text", "summary_text"):
        return {"type": kind, "text": ""}
    return dict(part)


def _split_text(split: Splitter, text: Any) -> list[str]:
    # A test may hand over a body no client can read (text that is not a string): it is sent
    # as it is, in the done events, for the client to refuse.
    return split(text) if isinstance(text, str) else []


def _parts(value: Any) -> list[tuple[int, Mapping[str, Any]]]:
    """The object parts of a part list, by index: a part that is not an object gets no events
    of its own and reaches the client in the item's done event, as the body gave it."""
    parts = value if isinstance(value, list) else []
    return [(index, part) for index, part in enumerate(parts) if isinstance(part, Mapping)]


def _message_events(item: Mapping[str, Any], index: int, split: Splitter) -> list[dict[str, Any]]:
    item_id = item.get("id", "")
    events: list[dict[str, Any]] = []
    for content_index, part in _parts(item.get("content")):
        where = {"item_id": item_id, "output_index": index, "content_index": content_index}
        events.append({"type": "response.content_part.added", **where, "part": _empty_part(part)})
        if part.get("type") == "output_text":
            text = part.get("text", "")
            events.extend(
                {"type": "response.output_text.delta", **where, "delta": delta, "logprobs": []}
                for delta in _split_text(split, text)
            )
            for annotation_index, annotation in enumerate(part.get("annotations") or []):
                events.append(
                    {
                        "type": "response.output_text.annotation.added",
                        **where,
                        "annotation_index": annotation_index,
                        "annotation": annotation,
                    }
                )
            events.append(
                {"type": "response.output_text.done", **where, "text": text, "logprobs": []}
            )
        elif part.get("type") == "refusal":
            refusal = part.get("refusal", "")
            events.extend(
                {"type": "response.refusal.delta", **where, "delta": delta}
                for delta in _split_text(split, refusal)
            )
            events.append({"type": "response.refusal.done", **where, "refusal": refusal})
        events.append({"type": "response.content_part.done", **where, "part": copy.deepcopy(part)})
    return events


def _function_call_events(
    item: Mapping[str, Any], index: int, split: Splitter
) -> list[dict[str, Any]]:
    where = {"item_id": item.get("id", ""), "output_index": index}
    arguments = item.get("arguments", "")
    events: list[dict[str, Any]] = [
        {"type": "response.function_call_arguments.delta", **where, "delta": delta}
        for delta in split(arguments)
    ]
    # OpenRouter requires `name` on the done event; the spec allows the extra key.
    events.append(
        {
            "type": "response.function_call_arguments.done",
            **where,
            "arguments": arguments,
            "name": item.get("name", ""),
        }
    )
    return events


def _reasoning_events(
    item: Mapping[str, Any], index: int, split: Splitter, reasoning_prefix: str
) -> list[dict[str, Any]]:
    item_id = item.get("id", "")
    events: list[dict[str, Any]] = []
    for summary_index, part in _parts(item.get("summary")):
        where = {"item_id": item_id, "output_index": index, "summary_index": summary_index}
        text = part.get("text", "")
        events.append(
            {"type": "response.reasoning_summary_part.added", **where, "part": _empty_part(part)}
        )
        events.extend(
            {"type": "response.reasoning_summary_text.delta", **where, "delta": delta}
            for delta in _split_text(split, text)
        )
        events.append({"type": "response.reasoning_summary_text.done", **where, "text": text})
        events.append(
            {"type": "response.reasoning_summary_part.done", **where, "part": copy.deepcopy(part)}
        )
    for content_index, part in _parts(item.get("content")):
        where = {"item_id": item_id, "output_index": index, "content_index": content_index}
        text = part.get("text", "")
        events.append({"type": "response.content_part.added", **where, "part": _empty_part(part)})
        events.extend(
            {"type": f"{reasoning_prefix}.delta", **where, "delta": delta}
            for delta in _split_text(split, text)
        )
        events.append({"type": f"{reasoning_prefix}.done", **where, "text": text})
        events.append({"type": "response.content_part.done", **where, "part": copy.deepcopy(part)})
    return events


def _in_progress(item: Mapping[str, Any]) -> dict[str, Any]:
    kind = item.get("type")
    started = copy.deepcopy(dict(item))
    started["status"] = "in_progress"
    if kind == "message":
        started["content"] = []
    elif kind == "function_call":
        started["arguments"] = ""
    elif kind == "reasoning":
        started["summary"] = []
        started.pop("content", None)
        started.pop("encrypted_content", None)
    elif "status" not in item:
        del started["status"]
    return started


def item_events(
    item: Mapping[str, Any],
    index: int,
    split: Splitter,
    reasoning_prefix: str = "response.reasoning",
) -> list[dict[str, Any]]:
    """The events that stream one finished item at output_index `index`, in the spec's order."""
    kind = item.get("type")
    events: list[dict[str, Any]] = [
        {"type": "response.output_item.added", "output_index": index, "item": _in_progress(item)}
    ]
    if kind == "message":
        events.extend(_message_events(item, index, split))
    elif kind == "function_call":
        events.extend(_function_call_events(item, index, split))
    elif kind == "reasoning":
        events.extend(_reasoning_events(item, index, split, reasoning_prefix))
    events.append(
        {
            "type": "response.output_item.done",
            "output_index": index,
            "item": copy.deepcopy(dict(item)),
        }
    )
    return events


def encode_event(event: Mapping[str, Any]) -> bytes:
    """One SSE frame: an `event:` line equal to the JSON `type` (if any), then the `data:` line."""
    return sse_frame(event.get("type"), orjson.dumps(event))


def sse_frame(kind: Any, data: bytes) -> bytes:
    """The SSE frame of an event's JSON `data`, with an `event:` line when `kind` is a string."""
    if isinstance(kind, str):
        return b"event: " + kind.encode() + b"\ndata: " + data + b"\n\n"
    return b"data: " + data + b"\n\n"


def comment_frame(text: str) -> bytes:
    """An SSE comment (`: text`): a keep-alive every client must skip."""
    return b"".join(b": " + line.encode() + b"\n" for line in (text.splitlines() or [""])) + b"\n"
