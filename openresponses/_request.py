"""Build the JSON bodies of ``POST /responses`` and ``POST /responses/compact``: refuse bad values
before sending, write wire shape.

Every limit is the most permissive of the two specs and the OpenRouter docs, so nothing a
server accepts is refused here, but for three limits of Open Responses that OpenRouter's
documents leave open: an ``input`` string of at most 10 MiB, a ``call_id`` of at most 64
characters and ``allowed_tools`` of 1 to 128 tools. An integer field takes an integral float
(``9000.0``) and sends it as an integer: OpenRouter's SDK references type them as numbers.
Checks are table-driven (one small function per field, built at import) and cheap: this runs
on every request.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from ._errors import InvalidRequestError
from ._serde import unstructure
from .types import (
    CacheControl,
    DebugOptions,
    FunctionTool,
    JsonSchemaFormat,
    Prompt,
    PromptCacheOptions,
    ProviderPreferences,
    ReasoningConfig,
    StreamOptions,
    TextConfig,
    TraceConfig,
)

__all__ = ["build_compact_body", "build_request_body"]

_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")

Check = Callable[[str, Any], Any]


def _is_sequence(value: Any) -> bool:
    if value.__class__ is list or value.__class__ is tuple:
        return True
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


def _kind(value: Any) -> str:
    return "None" if value is None else type(value).__name__


def _fail(field: str, message: str) -> InvalidRequestError:
    return InvalidRequestError(field, message)


# -- leaf checks: return the wire value or raise


def _string(max_len: int | None = None) -> Check:
    def check(field: str, value: Any) -> Any:
        if not isinstance(value, str):
            raise _fail(field, f"expected a string, got {_kind(value)}")
        if max_len is not None and len(value) > max_len:
            raise _fail(field, f"at most {max_len} characters, got {len(value)}")
        return value

    return check


def _boolean(field: str, value: Any) -> Any:
    if not isinstance(value, bool):
        raise _fail(field, f"expected a boolean, got {_kind(value)}")
    return value


def _number(low: float | None = None, high: float | None = None) -> Check:
    def check(field: str, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _fail(field, f"expected a number, got {_kind(value)}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise _fail(field, f"must be between {low} and {high}, got {value}")
        return value

    return check


def _integer(low: int | None = None, high: int | None = None) -> Check:
    def check(field: str, value: Any) -> Any:
        if value.__class__ is not int:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            elif isinstance(value, bool) or not isinstance(value, int):
                raise _fail(field, f"expected an integer, got {_kind(value)}")
        if low is not None and value < low:
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise _fail(field, f"must be {bound}, got {value}")
        if high is not None and value > high:
            raise _fail(field, f"must be between {low} and {high}, got {value}")
        return value

    return check


def _strings(field: str, value: Any) -> Any:
    if not _is_sequence(value):
        raise _fail(field, f"expected a list of strings, got {_kind(value)}")
    for index, entry in enumerate(value):
        if not isinstance(entry, str):
            raise _fail(field, f"entry {index}: expected a string, got {_kind(entry)}")
    return list(value)


def _mapping(field: str, value: Any) -> Any:
    if not isinstance(value, Mapping):
        raise _fail(field, f"expected a mapping, got {_kind(value)}")
    return value if value.__class__ is dict else dict(value)


def _model_or_mapping(*classes: type, check: Check | None = None) -> Check:
    """Accept one of the attrs ``classes`` (written in wire shape) or a plain mapping."""

    def convert(field: str, value: Any) -> Any:
        if isinstance(value, classes):
            value = unstructure(value)
        elif isinstance(value, Mapping):
            value = value if value.__class__ is dict else dict(value)
        else:
            names = " or ".join(cls.__name__ for cls in classes)
            raise _fail(field, f"expected {names} or a mapping, got {_kind(value)}")
        return check(field, value) if check is not None else value

    return convert


def _list_of(convert: Check, *, what: str, min_items: int = 0) -> Check:
    def check(field: str, value: Any) -> Any:
        if not _is_sequence(value):
            raise _fail(field, f"expected a list of {what}, got {_kind(value)}")
        if len(value) < min_items:
            raise _fail(field, f"needs at least {min_items} entries")
        return [convert(f"{field}[{index}]", entry) for index, entry in enumerate(value)]

    return check


# -- field-specific checks


def _metadata(field: str, value: Any) -> Any:
    if not isinstance(value, Mapping):
        raise _fail(field, f"expected a mapping of strings, got {_kind(value)}")
    if len(value) > 16:
        raise _fail(field, f"at most 16 pairs, got {len(value)}")
    for key, entry in value.items():
        if not isinstance(key, str) or not isinstance(entry, str):
            raise _fail(field, f"keys and values must be strings (key {key!r})")
        if len(key) > 64:
            raise _fail(field, f"key {key[:20]!r}... is longer than 64 characters")
        if "[" in key or "]" in key:
            raise _fail(field, f"key {key!r} may not contain brackets")
        if len(entry) > 512:
            raise _fail(field, f"value of {key!r} is longer than 512 characters")
    return value if value.__class__ is dict else dict(value)


def _wire(value: Any) -> Any:
    return unstructure(value) if attrs.has(value.__class__) else value


_MAX_INPUT_CHARS = 10 * 1024 * 1024
_MAX_CALL_ID = 64


def _input_item(field: str, value: Any) -> Any:
    if attrs.has(value.__class__):
        value = unstructure(value)
    elif not isinstance(value, Mapping):
        raise _fail(field, f"expected an item or a mapping, got {_kind(value)}")
    elif not ("type" in value or "role" in value or "id" in value):
        raise _fail(field, "an input item needs a 'type' (or a 'role' for a message)")
    elif value.__class__ is not dict:
        value = dict(value)
    call_id = value.get("call_id")
    if call_id.__class__ is str and len(call_id) > _MAX_CALL_ID:
        raise _fail(f"{field}.call_id", f"at most {_MAX_CALL_ID} characters, got {len(call_id)}")
    return value


def _input(field: str, value: Any) -> Any:
    if isinstance(value, str):
        if len(value) > _MAX_INPUT_CHARS:
            raise _fail(field, f"at most {_MAX_INPUT_CHARS} characters, got {len(value)}")
        return value
    if not _is_sequence(value):
        raise _fail(field, f"expected a string or a list of items, got {_kind(value)}")
    return [_input_item(f"{field}[{index}]", entry) for index, entry in enumerate(value)]


def _function_name(field: str, name: Any) -> None:
    if not isinstance(name, str) or _NAME.fullmatch(name) is None:
        raise _fail(field, f"name {name!r} must match ^[a-zA-Z0-9_-]{{1,64}}$")


def _tool(field: str, value: Any) -> Any:
    if isinstance(value, FunctionTool):
        _function_name(field, value.name)
        return unstructure(value)
    if attrs.has(value.__class__):
        return unstructure(value)
    if not isinstance(value, Mapping):
        raise _fail(field, f"expected a tool or a mapping, got {_kind(value)}")
    kind = value.get("type")
    if not isinstance(kind, str):
        raise _fail(field, "a tool needs a string 'type'")
    if kind == "function":
        _function_name(field, value.get("name"))
        parameters = value.get("parameters")
        if parameters is not None and not isinstance(parameters, Mapping):
            raise _fail(field, f"parameters must be a JSON Schema object, got {_kind(parameters)}")
    return value if value.__class__ is dict else dict(value)


def _tool_choice(field: str, value: Any) -> Any:
    if isinstance(value, str):
        return value
    if attrs.has(value.__class__):
        value = unstructure(value)
    elif isinstance(value, Mapping) and isinstance(value.get("type"), str):
        value = value if value.__class__ is dict else dict(value)
    else:
        raise _fail(
            field, f"expected 'auto', 'none', 'required' or a tool choice, got {_kind(value)}"
        )
    if value.get("type") == "allowed_tools":
        tools = value.get("tools")
        if not _is_sequence(tools) or not 1 <= len(tools) <= 128:
            got = len(tools) if _is_sequence(tools) else _kind(tools)
            raise _fail(f"{field}.tools", f"allowed_tools takes 1 to 128 tools, got {got}")
    return value


def _text(field: str, value: Any) -> Any:
    if isinstance(value, TextConfig):
        if isinstance(value.format, JsonSchemaFormat):
            _function_name(f"{field}.format", value.format.name)
        return unstructure(value)
    if not isinstance(value, Mapping):
        raise _fail(field, f"expected TextConfig or a mapping, got {_kind(value)}")
    fmt = value.get("format")
    if fmt is not None:
        fmt = _wire(fmt)
        if not isinstance(fmt, Mapping) or not isinstance(fmt.get("type"), str):
            raise _fail(f"{field}.format", "expected a format object with a 'type'")
        if fmt["type"] == "json_schema" and "name" in fmt:
            _function_name(f"{field}.format", fmt["name"])
        value = {**value, "format": fmt}
    return value if value.__class__ is dict else dict(value)


def _plugin(field: str, value: Any) -> Any:
    if attrs.has(value.__class__):
        return unstructure(value)
    if not isinstance(value, Mapping) or not isinstance(value.get("id"), str):
        raise _fail(field, "a plugin is a mapping with a string 'id'")
    return value if value.__class__ is dict else dict(value)


def _condition(field: str, value: Any) -> Any:
    if attrs.has(value.__class__):  # StopOnStepCount, ...: written in wire shape
        return unstructure(value)
    return _mapping(field, value)


# The class's fields: the spec's keys, and `experimental`, which the TypeScript SDK sends.
_PROVIDER_KEYS = frozenset(attrs.fields_dict(ProviderPreferences)) - {"extra_fields"}


_provider_value = _model_or_mapping(ProviderPreferences)


def _provider(field: str, value: Any) -> Any:
    value = _provider_value(field, value)
    unknown = sorted(set(value) - _PROVIDER_KEYS)
    if unknown:  # OpenRouter declares additionalProperties: false
        raise _fail(field, f"unknown provider preference {unknown[0]!r}")
    return value


_reasoning_value = _model_or_mapping(ReasoningConfig)
_reasoning_tokens = _integer()


def _reasoning(field: str, value: Any) -> Any:
    value = _reasoning_value(field, value)
    tokens = value.get("max_tokens")
    if tokens is not None and tokens.__class__ is not int:
        value = {**value, "max_tokens": _reasoning_tokens(f"{field}.max_tokens", tokens)}
    return value


_CHECKS: dict[str, Check] = {
    # both specs
    "model": _string(),
    "input": _input,
    "instructions": _string(),
    "tools": _list_of(_tool, what="tools"),
    "tool_choice": _tool_choice,
    "parallel_tool_calls": _boolean,
    "max_tool_calls": _integer(1),
    "text": _text,
    "reasoning": _reasoning,
    "include": _strings,
    "metadata": _metadata,
    "max_output_tokens": _integer(1),
    "temperature": _number(0, 2),
    "top_p": _number(0, 1),
    "presence_penalty": _number(-2, 2),
    "frequency_penalty": _number(-2, 2),
    "top_logprobs": _integer(0, 20),
    "truncation": _string(),
    "service_tier": _string(),
    "background": _boolean,
    "store": _boolean,
    "previous_response_id": _string(),
    # Open Responses caps these at 64; OpenRouter sets no limit, and the looser spec wins.
    "safety_identifier": _string(),
    "prompt_cache_key": _string(),
    # Open Responses only
    "stream_options": _model_or_mapping(StreamOptions),
    # OpenRouter only
    "models": _strings,
    "provider": _provider,
    "plugins": _list_of(_plugin, what="plugins"),
    "session_id": _string(256),
    "user": _string(256),
    "trace": _model_or_mapping(TraceConfig),
    "debug": _model_or_mapping(DebugOptions),
    "top_k": _integer(0),
    "modalities": _strings,
    "image_config": _mapping,
    "cache_control": _model_or_mapping(CacheControl),
    "prompt_cache_options": _model_or_mapping(PromptCacheOptions),
    "prompt": _model_or_mapping(Prompt),
    "stop_server_tools_when": _list_of(_condition, what="conditions", min_items=1),
    "route": _string(),
}

_FAST_KEYS = frozenset({"model", "input"})


def build_request_body(params: Mapping[str, Any]) -> dict[str, Any]:
    """Validate ``params`` and return the request body in wire shape (``None`` values omitted).

    Raises ``InvalidRequestError`` naming the field. ``stream`` is not set here: the client
    sets it. Unknown keys are refused: pass them in ``extra_body``.
    """
    if params.keys() <= _FAST_KEYS:
        model = params.get("model")
        text = params.get("input")
        if (model is None or model.__class__ is str) and (
            text is None or (text.__class__ is str and len(text) <= _MAX_INPUT_CHARS)
        ):
            return {k: v for k, v in params.items() if v is not None}
    body: dict[str, Any] = {}
    for key, value in params.items():
        check = _CHECKS.get(key)
        if check is None:
            if key == "stream":
                raise _fail(key, "set by the client: use responses.stream() to stream")
            raise _fail(key, "unknown parameter; pass it in extra_body")
        if value is not None:
            body[key] = check(key, value)
    return body


# -- POST /responses/compact (Open Responses only, so its own limits are the spec's)


def _model(field: str, value: Any) -> Any:
    if not isinstance(value, str) or not value:
        raise _fail(field, f"required: a non-empty model id, got {value!r:.40}")
    return value


_COMPACT_CHECKS: dict[str, Check] = {
    "model": _model,
    "input": _input,
    "instructions": _CHECKS["instructions"],
    "previous_response_id": _CHECKS["previous_response_id"],
    "prompt_cache_key": _string(64),
}


def build_compact_body(params: Mapping[str, Any]) -> dict[str, Any]:
    """Validate ``params`` and return the body of a compaction (``None`` values omitted).

    Raises ``InvalidRequestError`` naming the field: ``model`` is required, and a keyword of
    ``create`` that compaction does not take is refused (pass it in ``extra_body``).
    """
    body: dict[str, Any] = {}
    for key, value in params.items():
        check = _COMPACT_CHECKS.get(key)
        if check is None:
            known = ", ".join(_COMPACT_CHECKS)
            where = "a parameter of create only" if key in _CHECKS else "an unknown parameter"
            raise _fail(key, f"{where}; compact takes {known} (pass others in extra_body)")
        if value is not None:
            body[key] = check(key, value)
    if "model" not in body:
        raise _fail("model", "required: the model that compacts the input")
    return body
