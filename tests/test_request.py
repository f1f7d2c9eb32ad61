"""build_request_body: every documented limit refused before sending, wire shape written."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import orjson
import pytest

from openresponses import (
    AsyncClient,
    CacheControl,
    FileParserPlugin,
    FunctionCallOutput,
    FunctionTool,
    InputImage,
    InputText,
    InvalidRequestError,
    JsonSchemaFormat,
    Message,
    OutputText,
    Prompt,
    ProviderPreferences,
    ReasoningConfig,
    ResponseCreateParams,
    ServerTool,
    TextConfig,
    ToolChoiceAllowed,
    ToolChoiceFunction,
    WebPlugin,
)
from openresponses._request import build_request_body
from openresponses._serde import dumps
from openresponses.testing import LocalServer


def _wire(params: Mapping[str, Any]) -> Any:
    return orjson.loads(dumps(build_request_body(params)))


# -- conversion


def test_fast_path_returns_the_plain_body() -> None:
    """model + string input come back as a new dict, nothing added."""
    params: ResponseCreateParams = {"model": "openai/o4-mini", "input": "Hi"}
    body = build_request_body(params)
    assert body == {"model": "openai/o4-mini", "input": "Hi"}
    assert body is not params


def test_none_values_are_omitted() -> None:
    """A None parameter is not sent at all (never as null)."""
    assert build_request_body({"model": "m", "input": "x", "temperature": None}) == {
        "model": "m",
        "input": "x",
    }
    assert build_request_body({"model": "m", "input": None}) == {"model": "m"}


def test_typed_values_are_written_in_wire_shape() -> None:
    """attrs values anywhere in the params become wire dicts; None fields inside are omitted."""
    body = _wire(
        {
            "model": "m",
            "input": [
                Message(role="system", content="Be brief."),
                Message(role="user", content=[InputText(text="Look"), InputImage(image_url="u")]),
                {"type": "message", "role": "assistant", "content": [OutputText(text="ok")]},
            ],
            "tools": [
                FunctionTool(name="get_weather", parameters={"type": "object"}, strict=True),
                ServerTool(type="openrouter:web_search", parameters={"max_results": 3}),
            ],
            "tool_choice": ToolChoiceFunction(name="get_weather"),
            "text": TextConfig(format=JsonSchemaFormat(name="answer", schema={"type": "object"})),
            "reasoning": ReasoningConfig(effort="high", summary="auto"),
            "provider": ProviderPreferences(order=["openai"], allow_fallbacks=False),
            "plugins": [WebPlugin(max_results=2), FileParserPlugin(pdf={"engine": "pdf-text"})],
            "prompt": Prompt(id="p", variables={"name": InputText(text="John")}),
            "cache_control": CacheControl(ttl="1h"),
        }
    )
    assert body == {
        "model": "m",
        "input": [
            {"type": "message", "role": "system", "content": "Be brief."},
            {
                "type": "message",
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "Look"},
                    {"type": "input_image", "image_url": "u", "detail": "auto"},
                ],
            },
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": "ok", "annotations": []}],
            },
        ],
        "tools": [
            {
                "type": "function",
                "name": "get_weather",
                "parameters": {"type": "object"},
                "strict": True,
            },
            {"type": "openrouter:web_search", "parameters": {"max_results": 3}},
        ],
        "tool_choice": {"type": "function", "name": "get_weather"},
        "text": {"format": {"type": "json_schema", "name": "answer", "schema": {"type": "object"}}},
        "reasoning": {"effort": "high", "summary": "auto"},
        "provider": {"order": ["openai"], "allow_fallbacks": False},
        "plugins": [
            {"id": "web", "max_results": 2},
            {"id": "file-parser", "pdf": {"engine": "pdf-text"}},
        ],
        "prompt": {"id": "p", "variables": {"name": {"type": "input_text", "text": "John"}}},
        "cache_control": {"type": "ephemeral", "ttl": "1h"},
    }


ALLOWED = ({"type": "function", "name": "f"},)


def test_plain_mappings_pass_through_in_wire_shape() -> None:
    """Plain dicts are sent as given; read-only mappings and tuples are accepted too."""
    body = build_request_body(
        {
            "model": "m",
            "input": ({"role": "user", "content": "hi"},),
            "reasoning": MappingProxyType({"effort": "low"}),
            "tool_choice": {"type": "allowed_tools", "mode": "auto", "tools": ALLOWED},
            "metadata": {"user_id": "123"},
        }
    )
    assert body == {
        "model": "m",
        "input": [{"role": "user", "content": "hi"}],
        "reasoning": {"effort": "low"},
        "tool_choice": {"type": "allowed_tools", "mode": "auto", "tools": ALLOWED},
        "metadata": {"user_id": "123"},
    }


def test_every_tool_choice_form_is_accepted() -> None:
    """Strings, typed choices and dict choices are all valid tool_choice values."""
    for choice in (
        "auto",
        "none",
        "required",
        ToolChoiceFunction(name="f"),
        ToolChoiceAllowed(mode="required", tools=[{"type": "function", "name": "f"}]),
        {"type": "web_search_preview"},
        {"type": "apply_patch"},
    ):
        assert "tool_choice" in build_request_body({"tool_choice": choice})


# -- refusals


def test_unknown_parameter_points_to_extra_body() -> None:
    """An unknown keyword is refused with a hint to use extra_body."""
    with pytest.raises(InvalidRequestError, match="pass it in extra_body") as info:
        build_request_body({"model": "m", "temprature": 1})
    assert info.value.field == "temprature"
    assert isinstance(info.value, ValueError)


def test_stream_is_left_to_the_client() -> None:
    """stream is not a body parameter here: the client sets it."""
    with pytest.raises(InvalidRequestError, match=r"responses\.stream") as info:
        build_request_body({"model": "m", "input": "x", "stream": True})
    assert info.value.field == "stream"


LIMITS: list[tuple[str, Any, str]] = [
    ("input", 123, "string or a list of items"),
    ("input", b"bytes", "string or a list of items"),
    ("input", [1], "an item or a mapping"),
    ("input", [{"content": "no role"}], "needs a 'type'"),
    ("model", 5, "expected a string"),
    ("instructions", ["x"], "expected a string"),
    ("tools", {"type": "function"}, "list of tools"),
    ("tools", ["get_weather"], "a tool or a mapping"),
    ("tools", [{"name": "f"}], "string 'type'"),
    ("tools", [{"type": "function", "name": "bad name!"}], "must match"),
    ("tools", [{"type": "function", "name": "x" * 65}], "must match"),
    ("tools", [{"type": "function", "name": ""}], "must match"),
    ("tools", [FunctionTool(name="dots.not.allowed")], "must match"),
    ("tools", [{"type": "function", "name": "f", "parameters": "{}"}], "JSON Schema object"),
    ("tool_choice", 1, "tool choice"),
    ("tool_choice", {"name": "f"}, "tool choice"),
    ("text", "json", "TextConfig or a mapping"),
    ("text", {"format": "json"}, "format object"),
    ("text", {"format": {"type": "json_schema", "name": "a b", "schema": {}}}, "must match"),
    ("text", TextConfig(format=JsonSchemaFormat(name="no spaces please", schema={})), "must match"),
    ("reasoning", "high", "ReasoningConfig or a mapping"),
    ("include", "reasoning.encrypted_content", "list of strings"),
    ("include", [1], "expected a string"),
    ("metadata", ["a"], "mapping of strings"),
    ("metadata", {f"k{i}": "v" for i in range(17)}, "at most 16 pairs"),
    ("metadata", {"k" * 65: "v"}, "longer than 64"),
    ("metadata", {"a[0]": "v"}, "brackets"),
    ("metadata", {"a]": "v"}, "brackets"),
    ("metadata", {"k": "v" * 513}, "longer than 512"),
    ("metadata", {"k": 1}, "must be strings"),
    ("metadata", {1: "v"}, "must be strings"),
    ("user", "u" * 257, "at most 256"),
    ("user", 42, "expected a string"),
    ("session_id", "s" * 257, "at most 256"),
    ("temperature", -0.1, "between 0 and 2"),
    ("temperature", 2.01, "between 0 and 2"),
    ("temperature", "hot", "expected a number"),
    ("temperature", True, "expected a number"),
    ("top_p", 1.5, "between 0 and 1"),
    ("top_p", -1, "between 0 and 1"),
    ("presence_penalty", 2.5, "between -2 and 2"),
    ("frequency_penalty", -3, "between -2 and 2"),
    ("max_output_tokens", 0, "at least 1"),
    ("max_output_tokens", 10.5, "expected an integer"),
    ("max_output_tokens", True, "expected an integer"),
    ("max_tool_calls", 0, "at least 1"),
    ("top_logprobs", 21, "between 0 and 20"),
    ("top_logprobs", -1, "between 0 and 20"),
    ("top_k", -1, "at least 0"),
    ("parallel_tool_calls", "yes", "expected a boolean"),
    ("background", 1, "expected a boolean"),
    ("store", "false", "expected a boolean"),
    ("models", "openai/gpt-4o", "list of strings"),
    ("modalities", ["text", 2], "expected a string"),
    ("provider", {"sortt": "price"}, "unknown provider preference"),
    ("provider", ["openai"], "ProviderPreferences or a mapping"),
    ("plugins", [{"enabled": True}], "string 'id'"),
    ("plugins", {"id": "web"}, "list of plugins"),
    ("stop_server_tools_when", [], "at least 1"),
    ("stop_server_tools_when", ["step"], "expected a mapping"),
    ("image_config", [], "expected a mapping"),
    ("safety_identifier", 7, "expected a string"),
    ("prompt_cache_key", 7, "expected a string"),
    ("prompt", "p", "Prompt or a mapping"),
    ("trace", "t", "TraceConfig or a mapping"),
    ("stream_options", True, "StreamOptions or a mapping"),
]


@pytest.mark.parametrize(("field", "value", "message"), LIMITS)
def test_bad_values_are_refused_naming_the_field(field: str, value: Any, message: str) -> None:
    """Each documented limit and type rule raises InvalidRequestError for its field."""
    with pytest.raises(InvalidRequestError, match=message) as info:
        build_request_body({"model": "m", field: value})
    assert re.split(r"[.\[]", info.value.field)[0] == field


def test_list_errors_name_the_entry() -> None:
    """A bad entry in a list parameter is named with its index."""
    with pytest.raises(InvalidRequestError) as info:
        build_request_body({"input": [{"role": "user", "content": "a"}, 5]})
    assert info.value.field == "input[1]"


ACCEPTED: list[tuple[str, Any]] = [
    ("temperature", 0),
    ("temperature", 2),
    ("top_p", 0.0),
    ("top_p", 1),
    ("presence_penalty", -2),
    ("frequency_penalty", 2.0),
    ("max_output_tokens", 1),  # Open Responses says >= 16, OpenRouter sets no minimum
    ("max_tool_calls", 1),
    ("top_logprobs", 0),
    ("top_logprobs", 20),
    ("user", "u" * 256),  # OpenRouter's current limit (older docs said 128)
    ("session_id", "s" * 256),
    ("safety_identifier", "s" * 200),  # Open Responses caps it at 64; OpenRouter does not
    ("prompt_cache_key", "k" * 200),
    ("metadata", {f"k{i}": "v" * 512 for i in range(16)}),
    ("metadata", {"k" * 64: ""}),
    ("tools", [{"type": "function", "name": "A-b_9" * 12 + "abcd"}]),
    ("tools", [{"type": "openrouter:datetime"}, {"type": "acme:custom_search"}]),
    ("service_tier", "fast"),  # unknown enum values are the server's to judge
    ("truncation", "auto"),
    ("store", False),
    ("previous_response_id", "resp_1"),
    ("include", ["reasoning.encrypted_content"]),
    ("route", "fallback"),
]


@pytest.mark.parametrize(("field", "value"), ACCEPTED)
def test_values_a_server_accepts_are_not_refused(field: str, value: Any) -> None:
    """Boundary values and the looser of two spec limits pass through unchanged."""
    body = build_request_body({"model": "m", field: value})
    assert body[field] == value


def test_function_output_and_typed_items_round_trip_into_input() -> None:
    """Typed tool outputs with part lists are written in wire shape."""
    body = _wire(
        {
            "input": [
                FunctionCallOutput(
                    call_id="c1", output=[InputText(text="42"), InputImage(image_url="data:")]
                )
            ]
        }
    )
    assert body["input"] == [
        {
            "type": "function_call_output",
            "call_id": "c1",
            "output": [
                {"type": "input_text", "text": "42"},
                {"type": "input_image", "image_url": "data:", "detail": "auto"},
            ],
        }
    ]


def test_every_declared_parameter_has_a_check() -> None:
    """The validation table and ResponseCreateParams name exactly the same fields."""
    from openresponses._request import _CHECKS

    assert set(_CHECKS) == set(ResponseCreateParams.__annotations__)


def test_any_sequence_is_accepted_for_list_parameters() -> None:
    """input, tools and include take any sequence, written as a JSON array."""
    from collections import UserList

    body = _wire(
        {
            "input": UserList([{"role": "user", "content": "hi"}]),
            "include": ("reasoning.encrypted_content",),
        }
    )
    assert body == {
        "input": [{"role": "user", "content": "hi"}],
        "include": ["reasoning.encrypted_content"],
    }


@pytest.mark.anyio
async def test_an_unwritable_value_in_a_request_is_an_invalid_request_error(
    server: LocalServer,
) -> None:
    """An int beyond 64 bits in extra_body: InvalidRequestError("body"), nothing sent."""
    async with AsyncClient(base_url=server.base_url, max_retries=0) as client:
        with pytest.raises(InvalidRequestError) as caught:
            await client.responses.create(model="m", input="Hi", extra_body={"seed": 2**70})
    assert caught.value.field == "body"
    assert server.request_count == 0
