"""Optional tool arguments the model leaves out or sends as null take the function's defaults
(providers behind OpenRouter often ignore ``strict``); only what cannot be called goes back to
the model. Over real HTTP against the local server."""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest

from _support import make_client
from openresponses import ToolArgumentsError, function_tool
from openresponses.testing import LocalServer, RecordedRequest, Text, ToolCall, Turn

pytestmark = pytest.mark.anyio


@attrs.frozen
class Stay:
    city: str
    nights: int = 1


def _outputs(request: RecordedRequest) -> dict[str, Any]:
    items = request.json["input"]
    return {
        item["call_id"]: item["output"]
        for item in items
        if item.get("type") == "function_call_output"
    }


async def test_missing_optional_arguments_take_the_signature_defaults(server: LocalServer) -> None:
    """A strict tool called without its optional keys runs with its defaults, no error sent."""
    seen: list[tuple[str, str, int]] = []

    @function_tool
    def weather(city: str, unit: str = "c", days: int = 1) -> str:
        """Weather."""
        seen.append((city, unit, days))
        return f"{city}: sunny ({unit}, {days} days)"

    server.add(ToolCall("weather", {"city": "Paris"}, call_id="c1"), Text("done"))
    async with make_client(server.base_url) as client:
        result = await client.responses.run(model="m", input="go", tools=[weather])
    assert seen == [("Paris", "c", 1)]
    assert result.tool_results[0].error is None
    assert _outputs(server.requests[1]) == {"c1": "Paris: sunny (c, 1 days)"}


async def test_null_and_missing_keys_of_a_nested_object_take_defaults(server: LocalServer) -> None:
    """Null optional arguments and a nested class's missing defaulted field both use defaults."""
    seen: list[tuple[Stay, str]] = []

    def book(stay: Stay, note: str = "none", /) -> str:
        """Book."""
        seen.append((stay, note))
        return "booked"

    server.add(
        Turn(
            ToolCall("book", {"stay": {"city": "Rome"}}, call_id="missing"),
            ToolCall(
                "book", {"stay": {"city": "Oslo", "nights": None}, "note": None}, call_id="null"
            ),
        ),
        Text("done"),
    )
    async with make_client(server.base_url) as client:
        result = await client.responses.run(model="m", input="go", tools=[book])
    assert sorted(seen, key=lambda pair: pair[0].city) == [
        (Stay(city="Oslo"), "none"),
        (Stay(city="Rome"), "none"),
    ]
    assert [r.error for r in result.tool_results] == [None, None]


async def test_what_cannot_be_called_is_still_sent_back(server: LocalServer) -> None:
    """A missing required argument or a wrong type is reported to the model; nothing runs."""
    calls: list[str] = []

    @function_tool
    def weather(city: str, unit: str = "c") -> str:
        """Weather."""
        calls.append(city)
        return "sunny"

    server.add(
        Turn(
            ToolCall("weather", {"unit": "f"}, call_id="required"),
            ToolCall("weather", {"city": "Paris", "unit": 3}, call_id="type"),
        ),
        Text("done"),
    )
    async with make_client(server.base_url) as client:
        result = await client.responses.run(model="m", input="go", tools=[weather])
    assert calls == []
    assert all(isinstance(r.error, ToolArgumentsError) for r in result.tool_results)
    outputs = _outputs(server.requests[1])
    assert "$.city: required property is missing" in outputs["required"]
    assert "$.unit: expected string, got integer 3" in outputs["type"]


def test_the_strict_schema_still_lists_every_key_as_required() -> None:
    """Reading leniently does not loosen what is sent: strict mode requires every property."""

    @function_tool
    def weather(city: str, unit: str = "c") -> str:
        """Weather."""
        return "sunny"

    assert weather.parameters["required"] == ["city", "unit"]
    assert json.loads(json.dumps(weather.parameters))["additionalProperties"] is False
