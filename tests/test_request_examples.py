"""Every request example of the seeds and both specs, built from plain dicts and from typed
classes, serializes to JSON that validates (Draft 2020-12) against the request schema of both
specs (OpenRouter ``ResponsesRequest``, Open Responses ``CreateResponseBody``)."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from openresponses import (
    FunctionTool,
    InputText,
    Item,
    Message,
    OutputText,
    PluginConfig,
    ReasoningConfig,
    ResponseCreateParams,
    TextConfig,
    Tool,
    ToolChoice,
)
from openresponses import types as t
from openresponses._request import build_request_body
from openresponses._serde import dumps, structure

# The specs and seed documents live outside the repo, beside it.
SHARED = Path(__file__).parent / "data"
BOTH = ("openrouter", "openresponses")
OPENROUTER = ("openrouter",)

# Fields whose plain-dict value is turned into the typed class for the "typed" build.
TYPED: dict[str, Any] = {
    "tools": list[Tool],
    "tool_choice": ToolChoice,
    "text": TextConfig,
    "reasoning": ReasoningConfig,
    "provider": t.ProviderPreferences,
    "plugins": list[PluginConfig],
    "prompt": t.Prompt,
    "trace": t.TraceConfig,
    "debug": t.DebugOptions,
    "cache_control": t.CacheControl,
    "prompt_cache_options": t.PromptCacheOptions,
    "stream_options": t.StreamOptions,
    "stop_server_tools_when": list[t.StopCondition],
}


def _seed_examples() -> list[tuple[str, dict[str, Any]]]:
    """The Python ``json={...}`` request bodies of the seed documents, deduplicated."""
    found: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for path in sorted((SHARED / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        start = text.find("json={")
        while start >= 0:
            begin = start + len("json=")
            depth = 0
            for end in range(begin, len(text)):
                depth += {"{": 1, "}": -1}.get(text[end], 0)
                if depth == 0:
                    break
            body = ast.literal_eval(text[begin : end + 1])
            key = json.dumps(body, sort_keys=True)
            if key not in seen:
                seen.add(key)
                found.append((f"{path.name[:3]}#{len(found)}", body))
            start = text.find("json={", end)
    return found


# seeds/003: the TypeScript SDK example, in wire names. Adjusted to what the server accepts:
# integers where the SDK generator put floats, no previous_response_id (OpenRouter is
# stateless), no provider.experimental (ProviderPreferences forbids unknown keys).
SDK_TS_EXAMPLE: dict[str, Any] = {
    "input": [{"type": "message", "role": "user", "content": "Hello, how are you?"}],
    "instructions": "<value>",
    "metadata": {"user_id": "123", "session_id": "abc-def-ghi"},
    "tools": [
        {
            "type": "function",
            "name": "get_current_weather",
            "description": "Get the current weather in a given location",
            "strict": True,
            "parameters": {"type": "object", "properties": {"location": {"type": "string"}}},
        }
    ],
    "tool_choice": "auto",
    "parallel_tool_calls": False,
    "model": "anthropic/claude-4.5-sonnet-20250929",
    "models": ["<value 1>"],
    "text": {"format": {"type": "text"}, "verbosity": "medium"},
    "reasoning": {"effort": "medium", "summary": "auto", "max_tokens": 6415, "enabled": True},
    "max_output_tokens": 5270,
    "temperature": 0.7,
    "top_p": 0.9,
    "top_k": 5913,
    "prompt_cache_key": "<value>",
    "prompt": {
        "id": "prompt-abc123",
        "variables": {"name": {"type": "input_text", "text": "John"}},
    },
    "include": ["message.input_image.image_url"],
    "background": False,
    "safety_identifier": "<value>",
    "store": False,
    "service_tier": "auto",
    "truncation": "auto",
    "provider": {
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
            "completion": "4351.98",
            "image": "https://loremflickr.com/916/1698?lock=7420998995259402",
            "audio": "<value>",
            "request": "<value>",
        },
    },
    "plugins": [{"id": "file-parser", "pdf": {"engine": "pdf-text"}}],
    "user": "Parker.OKeefe",
}

# seeds/004: the Python SDK example (its ``format_`` alias is the wire ``format``).
SDK_PY_EXAMPLE: dict[str, Any] = {
    "input": [{"type": "message", "role": "user", "content": "Hello, how are you?"}],
    "metadata": {"user_id": "123", "session_id": "abc-def-ghi"},
    "tools": [
        {
            "type": "function",
            "name": "get_current_weather",
            "description": "Get the current weather in a given location",
            "parameters": {"type": "object", "properties": {"location": {"type": "string"}}},
        }
    ],
    "model": "anthropic/claude-4.5-sonnet-20250929",
    "text": {"format": {"type": "text"}, "verbosity": "medium"},
    "reasoning": {"summary": "auto", "enabled": True},
    "temperature": 0.7,
    "top_p": 0.9,
    "prompt": {
        "id": "<id>",
        "variables": {"key": {"type": "input_text", "text": "Hello, how can I help you?"}},
    },
    "service_tier": "auto",
    "truncation": "auto",
    "provider": {
        "data_collection": "allow",
        "zdr": True,
        "enforce_distillable_text": True,
        "order": ["OpenAI"],
        "only": ["OpenAI"],
        "ignore": ["OpenAI"],
        "quantizations": None,
        "sort": "price",
    },
}


def _openrouter_examples(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    schemas = spec["components"]["schemas"]
    request = schemas["ResponsesRequest"]
    post = spec["paths"]["/responses"]["post"]
    # One body made of every property-level example of ResponsesRequest.
    properties: dict[str, Any] = {}
    for name, prop in request["properties"].items():
        example = prop.get("example")
        if example is None and "$ref" in prop:
            example = schemas[prop["$ref"].split("/")[-1]].get("example")
        if example is not None:
            properties[name] = example
    return [
        ("openrouter:requestBody", post["requestBody"]["content"]["application/json"]["example"]),
        ("openrouter:ResponsesRequest", request["example"]),
        ("openrouter:properties", properties),
    ]


def _valid_for(body: dict[str, Any]) -> tuple[str, ...]:
    """Which specs an example belongs to: OpenRouter-only fields or values limit it."""
    openrouter_only = {
        "models",
        "provider",
        "plugins",
        "session_id",
        "user",
        "trace",
        "debug",
        "top_k",
        "modalities",
        "image_config",
        "cache_control",
        "prompt_cache_options",
        "prompt",
        "stop_server_tools_when",
        "route",
    }
    if openrouter_only & body.keys():
        return OPENROUTER
    for item in body.get("input", []) if isinstance(body.get("input"), list) else []:
        if "type" not in item:  # EasyInputMessage: the type is optional only on OpenRouter
            return OPENROUTER
    return BOTH


@pytest.fixture(scope="module")
def validators(openapi_specs: dict[str, Any]) -> dict[str, Draft202012Validator]:
    """Draft 2020-12 validators for both request schemas, $refs resolved through a Registry."""
    out: dict[str, Draft202012Validator] = {}
    for name, root in (("openrouter", "ResponsesRequest"), ("openresponses", "CreateResponseBody")):
        doc = openapi_specs[name]
        uri = f"urn:spec:{name}"
        registry: Registry[Any] = Registry().with_resource(
            uri, Resource.from_contents(doc, default_specification=DRAFT202012)
        )
        out[name] = Draft202012Validator(
            {"$ref": f"{uri}#/components/schemas/{root}"}, registry=registry
        )
    out["_examples"] = _openrouter_examples(openapi_specs["openrouter"])  # type: ignore[assignment]
    return out


def _typed(params: dict[str, Any]) -> dict[str, Any]:
    """The same params with every nested value built as the SDK's attrs classes."""
    typed = dict(params)
    for name, value in params.items():
        if value is None:
            continue
        if name == "input" and isinstance(value, list):
            typed[name] = [structure(item, Item) for item in value]  # type: ignore[arg-type]
        elif name in TYPED:
            typed[name] = structure(value, TYPED[name])
    return typed


def _send(params: dict[str, Any], stream: Any) -> dict[str, Any]:
    body = build_request_body(params)
    if stream is not None:
        body["stream"] = stream  # the client's job; here only so the body is complete
    decoded: dict[str, Any] = orjson.loads(dumps(body))
    return decoded


def _check(validators: dict[str, Draft202012Validator], name: str, example: dict[str, Any]) -> None:
    params = dict(example)
    stream = params.pop("stream", None)
    plain = _send(params, stream)
    typed = _send(_typed(params), stream)
    assert plain == {**{k: v for k, v in example.items() if v is not None}}
    for spec in _valid_for(example):
        for label, body in (("plain", plain), ("typed", typed)):
            errors = [e.message for e in validators[spec].iter_errors(body)]
            assert errors == [], f"{name} ({label}) vs {spec}: {errors[:3]}"
    # The typed build says the same thing; it drops nested nulls (plain dicts are sent as
    # given) and may add an explicit default (a message's type tag).
    for key, value in plain.items():
        if key != "input" or not isinstance(value, list):
            assert typed[key] == _drop_nulls(value), key
    if isinstance(plain.get("input"), list):
        for sent, built in zip(plain["input"], typed["input"], strict=True):
            assert {**sent, "type": built["type"]} == built


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


@pytest.mark.parametrize(("name", "example"), _seed_examples(), ids=lambda v: str(v)[:12])
def test_seed_examples_validate_against_both_request_schemas(
    validators: dict[str, Draft202012Validator], name: str, example: dict[str, Any]
) -> None:
    """Each Python request body of the seeds, plain and typed, validates in both specs."""
    _check(validators, name, example)


def test_there_are_seed_examples() -> None:
    """The seed extraction finds the documented bodies (string, messages, multi-turn, stream)."""
    bodies = [body for _, body in _seed_examples()]
    assert len(bodies) >= 5
    assert any(body.get("stream") is True for body in bodies)
    assert any(isinstance(body["input"], list) and len(body["input"]) == 3 for body in bodies)


@pytest.mark.parametrize(
    ("name", "example"), [("seed-003", SDK_TS_EXAMPLE), ("seed-004", SDK_PY_EXAMPLE)]
)
def test_sdk_examples_validate_against_openrouter(
    validators: dict[str, Draft202012Validator], name: str, example: dict[str, Any]
) -> None:
    """The OpenRouter SDK reference examples (TypeScript and Python) validate, plain and typed."""
    _check(validators, name, example)


def test_openrouter_spec_examples_validate(validators: dict[str, Draft202012Validator]) -> None:
    """The request examples in OpenRouter's OpenAPI document validate, plain and typed."""
    examples: list[tuple[str, dict[str, Any]]] = validators["_examples"]  # type: ignore[assignment]
    assert len(examples) == 3
    for name, example in examples:
        _check(validators, name, example)


def test_hand_typed_multi_turn_validates_in_both_specs(
    validators: dict[str, Draft202012Validator],
) -> None:
    """A conversation written with the SDK's classes is valid for both servers."""
    params: ResponseCreateParams = {
        "model": "openai/o4-mini",
        "input": [
            Message(role="user", content=[InputText(text="What is the capital of France?")]),
            Message(
                role="assistant",
                id="msg_abc123",
                status="completed",
                content=[OutputText(text="The capital of France is Paris.")],
            ),
            Message(role="user", content="What is the population of that city?"),
        ],
        "tools": [FunctionTool(name="lookup", parameters={"type": "object"}, strict=True)],
        "tool_choice": "auto",
        "reasoning": ReasoningConfig(effort="high", summary="auto"),
        "text": TextConfig(
            format=t.JsonSchemaFormat(name="city", schema={"type": "object"}, strict=True),
            verbosity="low",
        ),
        "include": ["reasoning.encrypted_content"],
        "max_output_tokens": 9000,
        "metadata": {"user_id": "123"},
        "truncation": "auto",
        "store": False,
    }
    body = _send(dict(params), True)
    for spec in BOTH:
        errors = [e.message for e in validators[spec].iter_errors(body)]
        assert errors == [], f"{spec}: {errors[:3]}"


def test_validators_reject_a_broken_body(validators: dict[str, Draft202012Validator]) -> None:
    """The schema check itself has teeth: a wrong type fails in both specs."""
    check: Callable[[str], list[Any]] = lambda spec: list(  # noqa: E731
        validators[spec].iter_errors({"model": "m", "input": 123, "temperature": "hot"})
    )
    assert check("openrouter")
    assert check("openresponses")
