"""OpenRouter's nested types: the 19 ``openrouter:*`` output items, the 13 server tools' parameters,
the plugins, and the nested unions of the hosted tool calls, read typed from a real server and
written back in wire shape (camelCase keys kept on the wire)."""

from __future__ import annotations

import json
import subprocess
import sys
import typing
from collections.abc import AsyncIterator
from typing import Any

import attrs
import pytest

from _support import FAST
from openresponses import AsyncClient, from_dict, to_dict
from openresponses import types as t
from openresponses._request import build_request_body
from openresponses._serde import parse_event, parse_response
from openresponses._serde.kinds import plan
from openresponses.testing import LocalServer, ResponseJSON
from openresponses.types.openrouter_items import SERVER_TOOL_CALL_CLASSES
from openresponses.types.openrouter_plugins import PLUGIN_CLASSES
from openresponses.types.openrouter_tools import SERVER_TOOL_CLASSES

pytestmark = pytest.mark.anyio

SCHEMAS = "components", "schemas"


def _wire_keys(cls: type) -> set[str]:
    return {field.key for field in plan(cls)}


def _schema(spec: dict[str, Any], ref: str) -> dict[str, Any]:
    schema: dict[str, Any] = spec[SCHEMAS[0]][SCHEMAS[1]][ref.rsplit("/", 1)[-1]]
    return schema


@pytest.fixture
async def client(server: LocalServer) -> AsyncIterator[AsyncClient]:
    """A client of the session's local server, with quick retries."""
    async with AsyncClient(base_url=server.base_url, retry_policy=FAST) as c:
        yield c


# -- every documented key has an attribute


def test_each_openrouter_item_type_has_a_class_with_every_documented_key(
    openapi_specs: dict[str, Any],
) -> None:
    """The 19 openrouter:* item schemas map one to one onto classes holding all their keys."""
    spec = openapi_specs["openrouter"]
    mapping = _schema(spec, "OutputItems")["discriminator"]["mapping"]
    documented = {tag: ref for tag, ref in mapping.items() if tag.startswith("openrouter:")}
    classes = {attrs.fields_dict(cls)["type"].default: cls for cls in SERVER_TOOL_CALL_CLASSES}
    assert set(documented) == set(classes) == set(t.SERVER_TOOL_ITEM_TYPES)
    assert len(classes) == 19
    fields = 0
    for tag, ref in documented.items():
        keys = set(_schema(spec, ref)["properties"])
        assert keys <= _wire_keys(classes[tag]), tag
        fields += len(keys - {"type", "id", "status"})
    assert fields >= 64


def test_each_server_tool_has_typed_parameters_with_every_documented_key(
    openapi_specs: dict[str, Any],
) -> None:
    """The 13 openrouter:* tools: a class each, whose parameters class holds every setting."""
    spec = openapi_specs["openrouter"]
    tools = _schema(spec, "ResponsesRequest")["properties"]["tools"]["items"]["anyOf"]
    by_tag = {attrs.fields_dict(cls)["type"].default: cls for cls in SERVER_TOOL_CLASSES}
    assert set(by_tag) == set(t.SERVER_TOOL_TYPES)
    settings = 0
    for option in tools:
        schema = _schema(spec, option["$ref"]) if "$ref" in option else option
        tag = schema.get("properties", {}).get("type", {}).get("enum", [""])[0]
        if not tag.startswith("openrouter:"):
            continue
        config = _schema(spec, schema["properties"]["parameters"]["$ref"])
        parameters = typing.get_type_hints(by_tag.pop(tag))["parameters"]
        target = next(a for a in typing.get_args(parameters) if attrs.has(a))
        assert set(config.get("properties", {})) <= _wire_keys(target), tag
        settings += len(config.get("properties", {}))
    assert by_tag == {}
    assert settings >= 52


def test_each_plugin_has_a_class_with_every_documented_setting(
    openapi_specs: dict[str, Any],
) -> None:
    """Every plugin id of the spec has its class, holding all of its settings."""
    spec = openapi_specs["openrouter"]
    mapping = _schema(spec, "ResponsesRequest")["properties"]["plugins"]["items"]["discriminator"]
    by_id = {attrs.fields_dict(cls)["id"].default: cls for cls in PLUGIN_CLASSES}
    assert set(mapping["mapping"]) == set(by_id)
    for plugin_id, ref in mapping["mapping"].items():
        assert set(_schema(spec, ref)["properties"]) <= _wire_keys(by_id[plugin_id]), plugin_id


# -- over HTTP: a response and a stream carrying them read typed


BASH = {
    "type": "openrouter:bash",
    "id": "bash_1",
    "status": "completed",
    "command": "ls",
    "exitCode": 0,
    "stdout": "a.txt\n",
    "stderr": "",
}
IMAGE = {
    "type": "openrouter:image_generation",
    "id": "ig_1",
    "status": "completed",
    "imageUrl": "https://example.com/i.png",
    "revisedPrompt": "a cat",
}
FUSION = {
    "type": "openrouter:fusion",
    "id": "fu_1",
    "status": "completed",
    "analysis": {
        "consensus": ["c"],
        "contradictions": [{"topic": "x", "stances": [{"model": "a", "stance": "yes"}]}],
        "partial_coverage": [],
        "unique_insights": [{"model": "b", "insight": "i"}],
        "blind_spots": [],
    },
    "failed_models": [{"model": "z", "error": "rate limited", "status_code": 429}],
    "sources": [{"url": "https://example.com", "title": "Example"}],
}
HOSTED = [
    {
        "type": "web_search_call",
        "id": "ws_1",
        "status": "completed",
        "action": {"type": "search", "query": "tides", "sources": [{"type": "url", "url": "u"}]},
    },
    {
        "type": "code_interpreter_call",
        "id": "ci_1",
        "status": "completed",
        "outputs": [{"type": "logs", "logs": "hi\n"}, {"type": "image", "url": "u"}],
    },
    {
        "type": "apply_patch_call",
        "id": "ap_1",
        "call_id": "c1",
        "status": "completed",
        "operation": {"type": "update_file", "path": "a.py", "diff": "@@"},
    },
    {
        "type": "shell_call",
        "id": "sh_1",
        "call_id": "c2",
        "action": {"commands": ["ls"], "timeout_ms": 1000},
        "environment": {"type": "container_reference", "container_id": "ctr_1"},
    },
    {
        "type": "shell_call_output",
        "id": "so_1",
        "call_id": "c2",
        "status": "completed",
        "output": [{"stdout": "a\n", "stderr": "", "outcome": {"type": "exit", "exit_code": 0}}],
    },
    {
        "type": "computer_call",
        "id": "cu_1",
        "call_id": "c3",
        "status": "completed",
        "action": {"type": "click", "button": "left", "x": 1, "y": 2},
        "pending_safety_checks": [{"id": "sc_1", "code": "malicious", "message": "m"}],
    },
    {
        "type": "local_shell_call",
        "id": "ls_1",
        "call_id": "c4",
        "status": "completed",
        "action": {"type": "exec", "command": ["ls"], "env": {}},
    },
    {
        "type": "mcp_list_tools",
        "id": "ml_1",
        "server_label": "s",
        "tools": [{"name": "get", "input_schema": {"type": "object"}}],
    },
    {
        "type": "file_search_call",
        "id": "fs_1",
        "status": "completed",
        "queries": ["q"],
        "results": [{"file_id": "f", "filename": "a.txt", "score": 0.5, "text": "t"}],
    },
]
METADATA = {
    "requested": "openai/gpt-5",
    "strategy": "fallback",
    "region": None,
    "summary": "2 attempts",
    "attempt": 2,
    "is_byok": False,
    "endpoints": {"total": 1, "available": [{"provider": "A", "model": "m", "selected": True}]},
    "attempts": [{"provider": "B", "model": "m", "status": 429}],
    "pipeline": [{"type": "plugin", "name": "web", "cost_usd": 0.001}],
}


def _answer() -> dict[str, Any]:
    return {
        "id": "resp_1",
        "object": "response",
        "status": "completed",
        "model": "m",
        "output": [BASH, IMAGE, FUSION, *HOSTED],
        "openrouter_metadata": METADATA,
    }


def _expected_types(response: t.Response) -> None:
    bash, image, fusion, search, code, patch, shell, shell_out, computer, local, mcp, files = (
        response.output
    )
    assert isinstance(bash, t.BashServerToolCall)
    assert isinstance(bash, t.ServerToolCall)
    assert (bash.command, bash.exit_code, bash.stdout) == ("ls", 0, "a.txt\n")
    assert isinstance(image, t.ImageGenerationServerToolCall)
    assert (image.image_url, image.revised_prompt) == ("https://example.com/i.png", "a cat")
    assert isinstance(fusion, t.FusionServerToolCall)
    assert fusion.analysis is not None
    assert fusion.analysis.contradictions[0].stances[0].stance == "yes"  # type: ignore[index]
    assert fusion.failed_models[0].status_code == 429  # type: ignore[index]
    assert isinstance(search, t.WebSearchCall)
    assert isinstance(search.action, t.SearchAction)
    assert search.action.sources[0].url == "u"  # type: ignore[index]
    assert isinstance(code, t.CodeInterpreterCall)
    assert [type(o) for o in code.outputs or []] == [t.CodeInterpreterLogs, t.CodeInterpreterImage]
    assert isinstance(patch, t.ApplyPatchCall)
    assert isinstance(patch.operation, t.UpdateFileOperation)
    assert patch.operation.diff == "@@"
    assert isinstance(shell, t.ShellCall)
    assert isinstance(shell.action, t.ShellAction)
    assert isinstance(shell.environment, t.ContainerReferenceEnvironment)
    assert isinstance(shell_out, t.ShellCallOutput)
    assert isinstance(shell_out.output[0].outcome, t.ShellExitOutcome)
    assert isinstance(computer, t.ComputerCall)
    assert isinstance(computer.action, t.ClickAction)
    assert computer.pending_safety_checks[0].code == "malicious"  # type: ignore[index]
    assert isinstance(local, t.LocalShellCall)
    assert isinstance(local.action, t.LocalShellExecAction)
    assert isinstance(mcp, t.McpListTools)
    assert mcp.tools[0].name == "get"
    assert isinstance(files, t.FileSearchCall)
    assert files.results[0].score == 0.5  # type: ignore[index]
    metadata = response.openrouter_metadata
    assert isinstance(metadata, t.OpenRouterMetadata)
    assert metadata.attempts[0].status == 429  # type: ignore[index]
    assert metadata.pipeline[0].cost_usd == 0.001  # type: ignore[index]
    assert metadata.endpoints.available[0].selected is True  # type: ignore[union-attr]


async def test_create_reads_every_nested_type(client: AsyncClient, server: LocalServer) -> None:
    """A response with openrouter:* items, hosted calls and metadata reads typed, no extras."""
    server.add(ResponseJSON(_answer()))
    response = await client.responses.create(model="m", input="go")
    _expected_types(response)
    for item in response.output:
        assert item.extra_fields == {}, item  # type: ignore[union-attr]
    assert to_dict(response)["output"] == _answer()["output"]


async def test_a_stream_reads_the_same_types(client: AsyncClient, server: LocalServer) -> None:
    """Streamed, the same items arrive typed in output_item events and the final response."""
    server.add(ResponseJSON(_answer()))
    async with client.responses.stream(model="m", input="go") as stream:
        done = [e.item async for e in stream if isinstance(e, t.OutputItemDoneEvent)]
        final = await stream.final_response()
    assert isinstance(done[0], t.BashServerToolCall)
    assert done[0].exit_code == 0
    _expected_types(final)


async def test_typed_tools_plugins_and_conditions_are_sent_in_wire_shape(
    client: AsyncClient, server: LocalServer
) -> None:
    """Typed server tools, plugins and stop conditions reach the server as their wire dicts,
    beside a plain dict of the same shape."""
    location = t.UserLocation(city="Paris")
    server.add("ok")
    await client.responses.create(
        model="m",
        input="go",
        tools=[
            t.WebSearchServerTool(
                parameters=t.WebSearchParameters(max_results=3, user_location=location)
            ),
            t.BashServerTool(parameters=t.BashParameters(environment=t.ContainerAutoEnvironment())),
            t.DatetimeServerTool(parameters={"timezone": "UTC"}),
            t.ServerTool(type="openrouter:files", parameters=t.FilesParameters()),
        ],
        plugins=[t.ParetoRouterPlugin(min_coding_score=0.8), {"id": "moderation"}],
    )
    body = server.requests[0].json
    assert body["tools"] == [
        {
            "type": "openrouter:web_search",
            "parameters": {
                "max_results": 3,
                "user_location": {"type": "approximate", "city": "Paris"},
            },
        },
        {"type": "openrouter:bash", "parameters": {"environment": {"type": "container_auto"}}},
        {"type": "openrouter:datetime", "parameters": {"timezone": "UTC"}},
        {"type": "openrouter:files", "parameters": {}},
    ]
    assert body["plugins"] == [
        {"id": "pareto-router", "min_coding_score": 0.8},
        {"id": "moderation"},
    ]


def test_stop_conditions_typed_or_plain_build_the_same_body() -> None:
    """stop_server_tools_when takes the typed conditions or their dicts, with the same body."""
    typed = build_request_body(
        {"model": "m", "stop_server_tools_when": [t.StopOnStepCount(step_count=3)]}
    )
    plain = build_request_body(
        {"model": "m", "stop_server_tools_when": [{"type": "step_count_is", "step_count": 3}]}
    )
    assert typed == plain


# -- reading: camelCase keys, fallbacks


def test_camel_case_keys_are_attributes_and_stay_camel_case_on_the_wire() -> None:
    """exitCode reads as exit_code and writes back as exitCode; a snake_case key is an extra."""
    item = t.BashServerToolCall(command="ls", exit_code=2, status="completed")
    assert to_dict(item) == {
        "type": "openrouter:bash",
        "status": "completed",
        "command": "ls",
        "exitCode": 2,
    }
    odd: Any = from_dict({**BASH, "exit_code": 7}, t.Item)  # type: ignore[arg-type]
    assert isinstance(odd, t.BashServerToolCall)
    assert (odd.exit_code, odd.extra_fields) == (0, {"exit_code": 7})
    assert to_dict(odd) == {**BASH, "exit_code": 7}


def test_an_unknown_openrouter_item_type_still_falls_back() -> None:
    """A future openrouter:* item type reads as UnknownItem and is written back unchanged."""
    raw = {"type": "openrouter:teleport", "id": "tp_1", "status": "completed", "toX": 1}
    item: Any = from_dict(raw, t.Item)  # type: ignore[arg-type]
    assert isinstance(item, t.UnknownItem)
    assert to_dict(item) == raw


def test_an_unknown_plugin_reads_as_plugin() -> None:
    """A plugin id the SDK does not know reads as the generic Plugin, settings kept."""
    plugin: Any = from_dict({"id": "new-plugin", "level": 3}, t.PluginConfig)  # type: ignore[arg-type]
    assert type(plugin) is t.Plugin
    assert plugin.extra_fields == {"level": 3}
    known: Any = from_dict({"id": "auto-router", "cost_tier": "low"}, t.PluginConfig)  # type: ignore[arg-type]
    assert isinstance(known, t.AutoRouterPlugin)
    assert known.cost_tier == "low"


UNKNOWN_NESTED = [
    ("web_search_call", "action", {"type": "scroll_page", "by": 3}, t.UnknownWebSearchAction),
    ("computer_call", "action", {"type": "teleport", "x": 1}, t.UnknownComputerAction),
    ("local_shell_call", "action", {"type": "spawn"}, t.UnknownLocalShellAction),
    ("shell_call", "environment", {"type": "vm", "id": "v"}, t.UnknownEnvironment),
    ("apply_patch_call", "operation", {"type": "rename_file", "to": "b"}, t.UnknownPatchOperation),
]


@pytest.mark.parametrize(("kind", "field", "value", "cls"), UNKNOWN_NESTED)
def test_an_unknown_nested_type_is_kept_raw(
    kind: str, field: str, value: dict[str, Any], cls: type
) -> None:
    """A nested union's unknown tag reads as its Unknown* class and is written back as sent."""
    raw = {"type": kind, "id": "x", field: value}
    item: Any = from_dict(raw, t.Item)  # type: ignore[arg-type]
    assert isinstance(getattr(item, field), cls)
    assert to_dict(item) == raw


def test_unknown_outputs_outcomes_and_conditions_are_kept_raw() -> None:
    """Code interpreter outputs, shell outcomes and stop conditions fall back the same way."""
    raw = {"type": "code_interpreter_call", "outputs": [{"type": "video", "url": "v"}]}
    call: Any = from_dict(raw, t.Item)  # type: ignore[arg-type]
    assert isinstance(call.outputs[0], t.UnknownCodeInterpreterOutput)
    out = {"stdout": "", "stderr": "", "outcome": {"type": "killed", "signal": 9}}
    command = from_dict(out, t.ShellCommandOutput)
    assert isinstance(command.outcome, t.UnknownShellOutcome)
    condition: Any = from_dict({"type": "max_turns", "n": 2}, t.StopCondition)  # type: ignore[arg-type]
    assert isinstance(condition, t.UnknownStopCondition)
    assert (to_dict(call), to_dict(command), to_dict(condition)) == (
        raw,
        out,
        {"type": "max_turns", "n": 2},
    )


def test_an_open_field_keeps_a_value_that_is_not_an_object() -> None:
    """computer_call.action and shell_call.environment, which the spec leaves open, keep a
    non-object value as sent."""
    raw = {"type": "computer_call", "call_id": "c", "action": "screenshot"}
    call: Any = from_dict(raw, t.Item)  # type: ignore[arg-type]
    assert call.action == "screenshot"
    assert to_dict(call) == raw


def test_reasoning_summary_part_events_carry_any_content_part() -> None:
    """A reasoning_summary_part event reads its part by type, not forced to SummaryText."""
    for part, cls in (
        ({"type": "summary_text", "text": "s"}, t.SummaryText),
        ({"type": "input_text", "text": "i"}, t.InputText),
        ({"type": "output_text", "text": "o", "annotations": []}, t.OutputText),
    ):
        event = parse_event(
            json.dumps(
                {
                    "type": "response.reasoning_summary_part.added",
                    "sequence_number": 1,
                    "item_id": "rs_1",
                    "output_index": 0,
                    "summary_index": 0,
                    "part": part,
                }
            )
        )
        assert isinstance(event, t.ReasoningSummaryPartAddedEvent)
        assert type(event.part) is cls
        assert event.part.extra_fields == {}


def test_a_reference_with_a_null_type_is_an_item_reference() -> None:
    """{"id": ..., "type": null} (the spec allows the null) reads as an ItemReference."""
    response = parse_response({"object": "response", "output": [{"id": "msg_1", "type": None}]})
    assert response.output == [t.ItemReference(id="msg_1")]


# -- loading: the request-side classes wait for their first use


def test_lazy_rows_of_types_are_their_modules_all() -> None:
    """Each module openresponses.types loads on first use lists exactly its row's names."""
    import importlib

    for module, names in t._LAZY.items():
        loaded = importlib.import_module(f"openresponses.types.{module}")
        assert sorted(loaded.__all__) == sorted(names), module
        assert set(names) <= set(t.__all__)


def test_server_tools_and_plugins_load_on_first_use() -> None:
    """import openresponses leaves the server tools and plugins unloaded until one is named."""
    code = (
        "import sys, openresponses\n"
        "lazy = [f'openresponses.types.openrouter_{m}' for m in ('tools', 'plugins')]\n"
        "before = [m in sys.modules for m in lazy]\n"
        "openresponses.FusionPlugin\n"
        "print(before, [m in sys.modules for m in lazy])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[False, False] [True, True]"
