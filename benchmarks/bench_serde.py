"""How fast typed stream events and responses are read from bytes, beside the floors.

Run: ``python -m benchmarks.bench_serde`` (or ``python benchmarks/bench_serde.py``).

Each row is the best of several timed loops (``time.perf_counter``), in microseconds per
operation. Floors: ``orjson.loads`` alone (JSON parse only). Reference: the openai SDK on its
own stream path, ``json.loads`` (what ``ServerSentEvent.json()`` does) then
``openai._models.construct_type(type_=ResponseStreamEvent, value=data)`` (what
``_process_response_data`` does with strict validation off, its default), and pydantic's
strict ``TypeAdapter.validate_json`` for completeness. "converter alone" is the same payload
read by the cattrs converter's hooks without the fast path (what a payload of a shape not
learned yet takes): the fast path of ``openresponses._serde.fast`` is there because it pays.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson

from openresponses import Response, StreamEvent
from openresponses._request import build_request_body
from openresponses._serde import dumps, parse_event, parse_response, unstructure
from openresponses._serde.hooks import structure_hook

DELTA = {
    "type": "response.output_text.delta",
    "sequence_number": 4,
    "item_id": "msg_01dba0cc1d0017a500691ad2248b808193afa1088dc35b886e",
    "output_index": 0,
    "content_index": 0,
    "delta": "Hello",
    "logprobs": [],
}


def big_response(items: int = 200) -> dict[str, Any]:
    """A completed response with ``items`` output items: reasoning, messages, tool calls."""
    output: list[dict[str, Any]] = []
    for i in range(items):
        kind = i % 4
        if kind == 0:
            output.append(
                {
                    "type": "reasoning",
                    "id": f"rs_{i}",
                    "summary": [{"type": "summary_text", "text": "Thinking about it. " * 5}],
                    "encrypted_content": "gAAAAB" + "x" * 200,
                    "status": "completed",
                }
            )
        elif kind == 3:
            output.append(
                {
                    "type": "function_call",
                    "id": f"fc_{i}",
                    "call_id": f"call_{i}",
                    "name": "get_weather",
                    "arguments": '{"city": "Paris", "unit": "celsius"}',
                    "status": "completed",
                }
            )
        else:
            output.append(
                {
                    "type": "message",
                    "id": f"msg_{i}",
                    "role": "assistant",
                    "status": "completed",
                    "content": [
                        {
                            "type": "output_text",
                            "text": "The capital of France is Paris. " * 4,
                            "annotations": [
                                {
                                    "type": "url_citation",
                                    "url": "https://en.wikipedia.org/wiki/Paris",
                                    "title": "Paris",
                                    "start_index": 0,
                                    "end_index": 30,
                                }
                            ],
                            "logprobs": [],
                        }
                    ],
                }
            )
    return {
        "id": "resp_1",
        "object": "response",
        "created_at": 1763365410,
        "completed_at": 1763365420,
        "status": "completed",
        "model": "openai/o4-mini",
        "output": output,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "metadata": {},
        "parallel_tool_calls": True,
        "temperature": 1.0,
        "top_p": 1.0,
        "tool_choice": "auto",
        "tools": [],
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "reasoning": {"effort": "medium", "summary": None},
        "usage": {
            "input_tokens": 12,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": 147,
            "output_tokens_details": {"reasoning_tokens": 128},
            "total_tokens": 159,
            "cost": 0.0012,
        },
    }


def best(fn: Callable[[], Any], *, target_s: float = 0.04, repeat: int = 25) -> float:
    """Microseconds per call: the best of ``repeat`` short loops (robust to a busy machine)."""
    fn()
    n = 1
    while True:  # calibrate the loop length
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed > target_s / 10:
            break
        n *= 4
    n = max(1, int(n * target_s / max(elapsed, 1e-9)))
    results = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        results.append((time.perf_counter() - start) / n)
    return min(results) * 1e6


def _openai_paths() -> dict[str, Callable[[bytes], Any]]:
    try:
        from openai._models import construct_type
        from openai.types.responses import Response as OpenAIResponse
        from openai.types.responses import ResponseStreamEvent
        from pydantic import TypeAdapter
    except ImportError:  # the benchmarks dependency group is not installed
        return {}
    adapter: TypeAdapter[Any] = TypeAdapter(ResponseStreamEvent)
    response_adapter: TypeAdapter[Any] = TypeAdapter(OpenAIResponse)
    return {
        "event": lambda raw: construct_type(type_=ResponseStreamEvent, value=json.loads(raw)),
        "event-strict": adapter.validate_json,
        "response": lambda raw: construct_type(type_=OpenAIResponse, value=json.loads(raw)),
        "response-strict": response_adapter.validate_json,
    }


def _converter_alone(tp: Any) -> Callable[[bytes], Any]:
    """Read with the converter's hook of ``tp``, as a payload of an unknown shape is."""
    hook = structure_hook(tp)
    return lambda raw: hook(orjson.loads(raw))


def main() -> None:
    delta = orjson.dumps(DELTA)
    response_body = big_response()
    response = orjson.dumps(response_body)
    parsed = parse_response(response)
    openai = _openai_paths()
    event_alone, response_alone = _converter_alone(StreamEvent), _converter_alone(Response)
    assert unstructure(parse_event(delta)) == unstructure(event_alone(delta))
    assert unstructure(parsed) == unstructure(response_alone(response))

    rows: list[tuple[str, str, float]] = []

    def row(group: str, label: str, fn: Callable[[], Any]) -> float:
        value = best(fn)
        rows.append((group, label, value))
        return value

    floor = row("delta event", "orjson.loads (floor)", lambda: orjson.loads(delta))
    ours = row("delta event", "openresponses parse_event", lambda: parse_event(delta))
    row("delta event", "converter alone (cattrs hooks) + orjson", lambda: event_alone(delta))
    if openai:
        row("delta event", "openai construct_type + json.loads", lambda: openai["event"](delta))
        row(
            "delta event", "openai TypeAdapter.validate_json", lambda: openai["event-strict"](delta)
        )
    big_floor = row("200-item Response", "orjson.loads (floor)", lambda: orjson.loads(response))
    big_ours = row(
        "200-item Response", "openresponses parse_response", lambda: parse_response(response)
    )
    row(
        "200-item Response",
        "converter alone (cattrs hooks) + orjson",
        lambda: response_alone(response),
    )
    if openai:
        row(
            "200-item Response",
            "openai construct_type + json.loads",
            lambda: openai["response"](response),
        )
        row(
            "200-item Response",
            "openai TypeAdapter.validate_json",
            lambda: openai["response-strict"](response),
        )
    row("write path", "unstructure(200-item Response)", lambda: unstructure(parsed))
    row("write path", "dumps(200-item Response)", lambda: dumps(parsed))
    row(
        "write path",
        "build_request_body(model, input str)",
        lambda: build_request_body({"model": "m", "input": "Hi"}),
    )
    row(
        "write path",
        "build_request_body(200 output items)",
        lambda: build_request_body({"model": "m", "input": parsed.output, "temperature": 0.5}),
    )

    print(f"Python {sys.version.split()[0]}; best of 25 loops; microseconds per operation\n")
    print(f"{'group':<18} {'path':<40} {'µs/op':>10} {'x floor':>8} {'x ours':>8}")
    print("-" * 88)
    for group, label, value in rows:
        base = floor if group == "delta event" else big_floor
        mine = ours if group == "delta event" else big_ours
        ratio_floor = f"{value / base:.2f}" if group != "write path" else ""
        ratio_ours = f"{value / mine:.2f}" if group != "write path" else ""
        print(f"{group:<18} {label:<40} {value:>10.2f} {ratio_floor:>8} {ratio_ours:>8}")
    verdict = "within" if ours <= 3.0 else "OVER"
    print(f"\nparse_event: {ours:.2f} µs per delta event ({verdict} the 3 µs target)")


if __name__ == "__main__":
    main()
