"""The request checks that follow the specs: integral floats for integer fields, allowed_tools
bounds, the Open Responses caps on an input string and a call_id, and the provider preferences
of OpenRouter's TypeScript SDK example; refused ones are never sent."""

from __future__ import annotations

from typing import Any

import pytest

from _support import make_client
from openresponses import (
    FunctionCall,
    FunctionCallOutput,
    InvalidRequestError,
    ReasoningConfig,
    ToolChoiceAllowed,
)
from openresponses._request import build_compact_body, build_request_body
from openresponses.testing import LocalServer

pytestmark = pytest.mark.anyio

MIB = 1024 * 1024
FUNCTION = {"type": "function", "name": "f"}


async def test_integral_floats_for_integer_fields_are_sent_as_integers(server: LocalServer) -> None:
    """max_output_tokens=9000.0 (and the other integer fields) reach the server as integers."""
    async with make_client(server.base_url) as client:
        await client.responses.create(
            model="m",
            input="Hi",
            max_output_tokens=9000.0,  # type: ignore[arg-type]
            max_tool_calls=3.0,  # type: ignore[arg-type]
            top_logprobs=5.0,  # type: ignore[arg-type]
            top_k=40.0,  # type: ignore[arg-type]
            reasoning={"max_tokens": 512.0},  # type: ignore[typeddict-item]
        )
    sent = server.requests[0].json
    integers = [sent[key] for key in ("max_output_tokens", "max_tool_calls", "top_logprobs")]
    assert integers == [9000, 3, 5]
    assert [type(value) for value in integers] == [int, int, int]
    assert type(sent["top_k"]) is int
    assert sent["reasoning"] == {"max_tokens": 512}
    assert type(sent["reasoning"]["max_tokens"]) is int


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("max_output_tokens", 9000.5, "max_output_tokens"),
        ("top_k", float("inf"), "top_k"),
        ("reasoning", ReasoningConfig(max_tokens=6415.05), "reasoning.max_tokens"),  # type: ignore[arg-type]
        ("reasoning", {"max_tokens": "many"}, "reasoning.max_tokens"),
    ],
)
def test_a_fractional_number_for_an_integer_field_is_refused(
    field: str, value: Any, named: str
) -> None:
    """A float that is not integral (or not finite) is no integer: refused, naming the field."""
    with pytest.raises(InvalidRequestError, match="expected an integer") as caught:
        build_request_body({"model": "m", field: value})
    assert caught.value.field == named


def _allowed(count: int) -> list[dict[str, str]]:
    return [{"type": "function", "name": f"f{index}"} for index in range(count)]


@pytest.mark.parametrize(
    "choice",
    [
        ToolChoiceAllowed(tools=[]),
        ToolChoiceAllowed(tools=_allowed(129), mode="auto"),
        {"type": "allowed_tools", "mode": "required"},
        {"type": "allowed_tools", "tools": []},
        {"type": "allowed_tools", "tools": FUNCTION},
    ],
    ids=["typed-empty", "typed-129", "dict-missing", "dict-empty", "dict-not-a-list"],
)
async def test_allowed_tools_outside_1_to_128_are_refused_before_sending(
    server: LocalServer, choice: Any
) -> None:
    """allowed_tools with no tools, too many, or not a list: InvalidRequestError, nothing sent."""
    async with make_client(server.base_url) as client:
        with pytest.raises(InvalidRequestError, match="1 to 128 tools") as caught:
            await client.responses.create(model="m", input="Hi", tool_choice=choice)
    assert caught.value.field == "tool_choice.tools"
    assert server.request_count == 0


def test_allowed_tools_at_the_bounds_are_sent() -> None:
    """One tool and 128 tools are both valid allowed_tools lists."""
    for count in (1, 128):
        choice = ToolChoiceAllowed(tools=_allowed(count), mode="auto")
        body = build_request_body({"model": "m", "tool_choice": choice})
        assert len(body["tool_choice"]["tools"]) == count


def test_allowed_tools_cannot_be_built_without_tools() -> None:
    """ToolChoiceAllowed() has no default tools: building it empty-handed is a TypeError."""
    with pytest.raises(TypeError, match="tools"):
        ToolChoiceAllowed()  # type: ignore[call-arg]


async def test_an_input_string_over_10_mib_is_refused_before_sending(server: LocalServer) -> None:
    """input of 10 MiB + 1 characters is refused (fast path included), naming input."""
    async with make_client(server.base_url) as client:
        with pytest.raises(InvalidRequestError, match="at most 10485760 characters") as caught:
            await client.responses.create(model="m", input="x" * (10 * MIB + 1))
        with pytest.raises(InvalidRequestError, match="at most 10485760"):
            await client.responses.create(model="m", input="x" * (10 * MIB + 1), temperature=1)
    assert caught.value.field == "input"
    assert server.request_count == 0


def test_an_input_string_of_10_mib_is_accepted() -> None:
    """Exactly 10 MiB of input passes, on the fast path and the checked one."""
    text = "x" * (10 * MIB)
    assert build_request_body({"model": "m", "input": text})["input"] is text
    assert build_request_body({"model": "m", "input": text, "top_p": 1})["input"] is text
    assert build_compact_body({"model": "m", "input": text})["input"] is text


@pytest.mark.parametrize(
    "item",
    [
        FunctionCallOutput(call_id="c" * 65, output="sunny"),
        FunctionCall(call_id="c" * 65, name="f", arguments="{}"),
        {"type": "function_call_output", "call_id": "c" * 65, "output": "sunny"},
    ],
    ids=["typed-output", "typed-call", "dict-output"],
)
async def test_a_call_id_over_64_characters_is_refused_before_sending(
    server: LocalServer, item: Any
) -> None:
    """An input item whose call_id is 65 characters long: refused, naming that item's call_id."""
    async with make_client(server.base_url) as client:
        with pytest.raises(InvalidRequestError, match="at most 64 characters") as caught:
            await client.responses.create(
                model="m", input=[{"role": "user", "content": "Hi"}, item]
            )
        with pytest.raises(InvalidRequestError, match="at most 64 characters"):
            await client.responses.compact(model="m", input=[item])
    assert caught.value.field == "input[1].call_id"
    assert server.request_count == 0


def test_a_call_id_of_64_characters_is_accepted() -> None:
    """64 characters is the limit itself."""
    item = FunctionCallOutput(call_id="c" * 64, output="sunny")
    assert build_request_body({"model": "m", "input": [item]})["input"][0]["call_id"] == "c" * 64


# seeds/003 (OpenRouter's TypeScript SDK reference), its `provider` object in wire names.
SDK_TS_PROVIDER: dict[str, Any] = {
    "allow_fallbacks": False,
    "require_parameters": True,
    "data_collection": "deny",
    "zdr": True,
    "order": ["Moonshot AI"],
    "only": ["<value>"],
    "ignore": ["<value>"],
    "quantizations": ["bf16"],
    "sort": "price",
    "max_price": {
        "prompt": "<value>",
        "completion": 4351.98,
        "image": "https://loremflickr.com/916/1698?lock=7420998995259402",
        "audio": "<value>",
        "request": "<value>",
    },
    "experimental": {},
}


async def test_the_typescript_sdk_example_provider_preferences_are_sent(
    server: LocalServer,
) -> None:
    """The seed example's provider object (experimental included) is accepted and sent as is."""
    async with make_client(server.base_url) as client:
        await client.responses.create(model="m", input="Hi", provider=SDK_TS_PROVIDER)
    assert server.requests[0].json["provider"] == SDK_TS_PROVIDER


def test_an_unknown_provider_preference_is_still_refused() -> None:
    """A key neither the spec nor the SDK references know is refused (additionalProperties)."""
    with pytest.raises(InvalidRequestError, match="unknown provider preference 'experimentl'"):
        build_request_body({"model": "m", "provider": {"experimentl": {}}})
