"""function_tool schemas and the tool-calling loop, over real HTTP against the local server."""

from __future__ import annotations

import asyncio
import enum
import functools
import json
import threading
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Annotated, Any, Literal, Optional, Union, get_args, get_origin

import anyio
import attrs
import jsonschema  # type: ignore[import-untyped,unused-ignore]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openresponses import (
    AsyncClient,
    CallableTool,
    Client,
    InvalidRequestError,
    MaxStepsExceededError,
    ToolArgumentsError,
    ToolExecutionError,
    ToolResult,
    ToolRunResult,
    ToolRunStream,
    UnknownToolError,
    function_tool,
    to_dict,
)
from openresponses.testing import LocalServer, Reasoning, RecordedRequest, Text, ToolCall, Turn
from openresponses.tools import run_tools, run_tools_stream
from openresponses.types import FunctionCall, FunctionCallOutput, FunctionTool, InputImage

pytestmark = pytest.mark.anyio


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@attrs.frozen
class Point:
    """A point on the plane.

    Attributes:
        x: Horizontal position.
        y: Vertical position.
    """

    x: float
    y: float = 0.0


@attrs.frozen
class Node:
    """A tree node."""

    name: str
    children: list[Node] = attrs.Factory(list)


def _schema_of(hint: Any, *, strict: bool = True) -> Any:
    return function_tool(_probe(hint), strict=strict).parameters["properties"]["x"]


_POINT_STRICT = {
    "type": "object",
    "description": "A point on the plane.",
    "properties": {
        "x": {"type": "number", "description": "Horizontal position."},
        "y": {
            "type": ["number", "null"],
            "description": "Vertical position. Use null for the default (0.0).",
        },
    },
    "required": ["x", "y"],
    "additionalProperties": False,
}
_PAIRS = {
    "type": "object",
    "properties": {"key": {"type": "string"}, "value": {"type": "integer"}},
    "required": ["key", "value"],
    "additionalProperties": False,
}

STRICT_SNAPSHOTS = [
    ("str", str, {"type": "string"}),
    ("int", int, {"type": "integer"}),
    ("float", float, {"type": "number"}),
    ("bool", bool, {"type": "boolean"}),
    ("None", None, {"type": "null"}),
    ("Optional", Optional[int], {"type": ["integer", "null"]}),
    ("Union", Union[int, str], {"type": ["integer", "string"]}),
    ("pipe-union", str | float | None, {"type": ["string", "number", "null"]}),
    ("Literal", Literal["a", "b"], {"type": "string", "enum": ["a", "b"]}),
    (
        "mixed-Literal",
        Literal[1, "a", None],
        {"type": ["integer", "string", "null"], "enum": [1, "a", None]},
    ),
    ("Enum", Color, {"type": "string", "enum": ["red", "blue"]}),
    ("list", list[int], {"type": "array", "items": {"type": "integer"}}),
    ("Sequence", Sequence[str], {"type": "array", "items": {"type": "string"}}),
    ("set", set[str], {"type": "array", "items": {"type": "string"}}),
    (
        "tuple",
        tuple[int, str],
        {
            "type": "array",
            "prefixItems": [{"type": "integer"}, {"type": "string"}],
            "minItems": 2,
            "maxItems": 2,
        },
    ),
    ("variadic-tuple", tuple[float, ...], {"type": "array", "items": {"type": "number"}}),
    ("dict", dict[str, int], {"type": "array", "items": _PAIRS}),
    ("Mapping", Mapping[str, int], {"type": "array", "items": _PAIRS}),
    ("attrs", Point, _POINT_STRICT),
    (
        "Optional-list-of-attrs",
        Optional[list[Point]],
        {"anyOf": [{"type": "array", "items": _POINT_STRICT}, {"type": "null"}]},
    ),
    ("Annotated", Annotated[int, "How many."], {"type": "integer", "description": "How many."}),
]


@pytest.mark.parametrize(
    ("hint", "expected"),
    [(hint, expected) for _, hint, expected in STRICT_SNAPSHOTS],
    ids=[name for name, _, _ in STRICT_SNAPSHOTS],
)
def test_strict_schema_snapshot(hint: Any, expected: Any) -> None:
    """Each supported hint produces exactly this strict schema."""
    assert _schema_of(hint) == expected


LOOSE_SNAPSHOTS = [
    ("dict", dict[str, int], {"type": "object", "additionalProperties": {"type": "integer"}}),
    ("Any", Any, {}),
    ("bare-list", list, {"type": "array", "items": {}}),
    (
        "attrs",
        Point,
        {
            "type": "object",
            "description": "A point on the plane.",
            "properties": {
                "x": {"type": "number", "description": "Horizontal position."},
                "y": {"type": "number", "default": 0.0, "description": "Vertical position."},
            },
            "required": ["x"],
            "additionalProperties": False,
        },
    ),
]


@pytest.mark.parametrize(
    ("hint", "expected"),
    [(hint, expected) for _, hint, expected in LOOSE_SNAPSHOTS],
    ids=[name for name, _, _ in LOOSE_SNAPSHOTS],
)
def test_non_strict_schema_snapshot(hint: Any, expected: Any) -> None:
    """With strict=False, dicts are objects, defaults are optional and Any is allowed."""
    assert _schema_of(hint, strict=False) == expected


def test_recursive_class_goes_to_defs() -> None:
    """A self-referencing attrs class is defined once in $defs and referenced by $ref."""

    def plant(root: Node) -> None:
        """Plant a tree."""

    parameters = function_tool(plant).parameters
    assert parameters["properties"]["root"] == {"$ref": "#/$defs/Node"}
    node = parameters["$defs"]["Node"]
    assert node["properties"]["children"] == {
        "type": ["array", "null"],
        "items": {"$ref": "#/$defs/Node"},
    }
    assert node["required"] == ["name", "children"]


def _strict_violations(schema: Any, path: str = "$") -> list[str]:
    """Where a schema breaks the strict rules (objects closed and fully required, no defaults)."""
    found: list[str] = []
    if isinstance(schema, dict):
        if "default" in schema:
            found.append(f"{path}: default")
        if schema.get("type") == "object" or "properties" in schema:
            if schema.get("additionalProperties") is not False:
                found.append(f"{path}: additionalProperties is not false")
            if sorted(schema.get("required", [])) != sorted(schema.get("properties", {})):
                found.append(f"{path}: not every property is required")
        for key, value in schema.items():
            found.extend(_strict_violations(value, f"{path}.{key}"))
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            found.extend(_strict_violations(value, f"{path}[{index}]"))
    return found


async def _everything(
    name: str,
    count: int,
    ratio: float,
    flag: bool,
    color: Color,
    mode: Literal["fast", "slow"],
    tags: list[str],
    pair: tuple[int, str],
    scores: dict[str, int],
    origin: Point,
    tree: Node,
    maybe: int | None,
    limit: int = 10,
    label: str | None = None,
    weights: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """Take one of everything."""
    return {"count": count, "limit": limit, "scores": scores, "origin": origin, "tree": tree}


def test_strict_schema_follows_the_strict_rules() -> None:
    """Every object is closed and fully required, optional ones nullable; the schema is valid."""
    tool = function_tool(_everything)
    assert tool.parameters["type"] == "object"
    assert _strict_violations(tool.parameters) == []
    jsonschema.Draft202012Validator.check_schema(tool.parameters)
    assert tool.parameters["properties"]["limit"]["type"] == ["integer", "null"]
    assert tool.parameters["properties"]["label"]["type"] == ["string", "null"]


EVERYTHING_ARGS = {
    "name": "n",
    "count": 2,
    "ratio": 0.5,
    "flag": True,
    "color": "blue",
    "mode": "fast",
    "tags": ["a"],
    "pair": [1, "x"],
    "scores": [{"key": "a", "value": 1}],
    "origin": {"x": 1, "y": None},
    "tree": {"name": "root", "children": [{"name": "leaf", "children": None}]},
    "maybe": None,
    "limit": None,
    "label": None,
    "weights": None,
}


async def test_strict_arguments_validate_and_null_means_default() -> None:
    """Arguments valid under the strict schema are accepted; null stands for each default."""
    tool = function_tool(_everything)
    jsonschema.validate(EVERYTHING_ARGS, tool.parameters)
    call = FunctionCall(call_id="c", name="_everything", arguments=_json(EVERYTHING_ARGS))
    result = await tool.invoke(call)
    assert result["limit"] == 10
    assert result["scores"] == {"a": 1}
    assert result["origin"] == Point(x=1.0, y=0.0)
    assert result["tree"] == Node(name="root", children=[Node(name="leaf")])


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from([0.5, 2.0, -1.25])
    | st.sampled_from(["a", "b", "red", "x", ""]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["x", "y", "key", "value", "z"]), inner, max_size=3)
    ),
    max_leaves=8,
)
AGREEMENT_HINTS = [
    int,
    float,
    bool,
    Optional[str],
    Literal["a", 1, None],
    Color,
    list[int],
    tuple[int, str],
    set[str],
    Point,
    Optional[list[Point]],
    dict[str, int],
]


@functools.cache
def _shaped(hint: Any) -> st.SearchStrategy[Any]:
    """JSON following the hint's shape, with leaves that are often, not always, the right kind."""
    leaf = _JSON.filter(lambda v: not isinstance(v, (list, dict)))
    origin, args = get_origin(hint), get_args(hint)
    if origin is Union:
        return st.one_of([_shaped(arg) for arg in args])
    if origin in (list, set):
        return st.lists(_shaped(args[0]), max_size=3)
    if origin is tuple:
        return st.tuples(*[_shaped(arg) for arg in args]).map(list) | st.lists(leaf, max_size=3)
    if origin is dict:
        pair = st.fixed_dictionaries(
            {"key": st.sampled_from(["a", "b"]), "value": _shaped(args[1])}
        )
        return st.lists(pair, max_size=3)
    if attrs.has(hint):
        fields = {f.name: _shaped(f.type) for f in attrs.fields(attrs.resolve_types(hint))}
        return st.fixed_dictionaries(fields, optional={"z": leaf})
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from([m.value for m in hint]) | leaf
    if origin is Literal:
        return st.sampled_from(args) | leaf
    typed = {int: st.integers(-9, 9), float: st.floats(-9, 9), str: st.text(max_size=2)}
    return typed.get(hint, st.booleans()) | leaf


@pytest.mark.parametrize("hint", AGREEMENT_HINTS, ids=repr)
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_reader_and_schema_agree(hint: Any, data: st.DataObject) -> None:
    """Random JSON fits the strict schema exactly when the tool accepts it as arguments."""
    value = data.draw(_shaped(hint) if data.draw(st.integers(0, 3)) else _JSON)
    tool, validator = _probe_tool(hint)
    valid = validator.is_valid({"x": value})
    try:
        tool.parse_arguments(FunctionCall(call_id="c", name="probe", arguments=_json({"x": value})))
        accepted = True
    except ToolArgumentsError:
        accepted = False
    if get_origin(hint) is dict and isinstance(value, dict):
        # A model that ignores strict mode may send a plain object for a dict; it is accepted.
        assert accepted or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value.values()
        )
        return
    assert valid == accepted


@functools.cache
def _probe_tool(hint: Any) -> tuple[CallableTool[..., Any], Any]:
    tool = function_tool(_probe(hint))
    return tool, jsonschema.Draft202012Validator(tool.parameters)


def _probe(hint: Any) -> Any:
    def probe(x):  # type: ignore[no-untyped-def]
        """Probe."""

    probe.__annotations__ = {"x": hint}
    return probe


def _json(value: Any) -> str:
    return json.dumps(value)


def test_docstring_styles_give_descriptions() -> None:
    """Google, NumPy and Sphinx docstrings give the description and each parameter's text."""

    def google(city: str, days: int = 1) -> str:
        """Forecast for a city.

        Args:
            city: The city,
                spelled out.
            days (int): How many days.

        Returns:
            The forecast.
        """
        return city

    def numpy(city: str, days: int = 1) -> str:
        """Forecast for a city.

        Parameters
        ----------
        city : str
            The city,
            spelled out.
        days : int
            How many days.
        """
        return city

    def sphinx(city: str, days: int = 1) -> str:
        """Forecast for a city.

        :param city: The city,
            spelled out.
        :param int days: How many days.
        :returns: The forecast.
        """
        return city

    for fn in (google, numpy, sphinx):
        tool = function_tool(fn, strict=False)
        assert tool.description == "Forecast for a city.", fn.__name__
        properties = tool.parameters["properties"]
        assert properties["city"]["description"] == "The city, spelled out.", fn.__name__
        assert properties["days"]["description"] == "How many days.", fn.__name__


def test_decorator_forms_and_definition() -> None:
    """Both decorator forms work, the function stays callable, and its definition is typed."""

    @function_tool
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    @function_tool(name="sum_numbers", description="Sum.", strict=False)
    def add2(a: int, b: int = 0) -> int:
        return a + b

    assert isinstance(add, CallableTool)
    assert add(2, 3) == 5
    assert add.definition == FunctionTool(
        name="add", description="Add two numbers.", parameters=add.parameters, strict=True
    )
    assert (add2.name, add2.description, add2.strict) == ("sum_numbers", "Sum.", False)
    assert function_tool(add, name="plus").name == "plus"
    assert add2.parameters["required"] == ["a"]


def test_unsupported_signatures_are_refused() -> None:
    """Hints strict mode cannot express, unknown types, non-str keys and *args raise TypeError."""

    def untyped(x):  # type: ignore[no-untyped-def]
        """No hint."""

    def raw(x: bytes) -> None:
        """Bytes."""

    def keys(x: dict[int, str]) -> None:
        """Int keys."""

    def star(*names: str) -> None:
        """Varargs."""

    with pytest.raises(TypeError, match="untyped: x: strict mode needs a concrete type"):
        function_tool(untyped)
    assert function_tool(untyped, strict=False).parameters["properties"]["x"] == {}
    with pytest.raises(TypeError, match="unsupported type hint"):
        function_tool(raw)
    with pytest.raises(TypeError, match="mapping keys must be str"):
        function_tool(keys)
    with pytest.raises(TypeError, match=r"\*args and \*\*kwargs"):
        function_tool(star)
    with pytest.raises(ValueError, match="tool name"):
        function_tool(lambda: None)


# -- the loop, over HTTP


@pytest.fixture
async def client(server: LocalServer) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(base_url=server.base_url, max_retries=0) as api:
        yield api


def _items(request: RecordedRequest) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = request.json["input"]
    return items


def _outputs(request: RecordedRequest) -> dict[str, Any]:
    return {
        item["call_id"]: item["output"]
        for item in _items(request)
        if item["type"] == "function_call_output"
    }


async def test_two_step_loop_runs_calls_in_parallel_and_resends_history(
    server: LocalServer, client: AsyncClient
) -> None:
    """Both calls of a turn run at once, and the next request carries the whole history."""
    weather_started, time_started = anyio.Event(), anyio.Event()

    @function_tool
    async def get_weather(city: str, unit: Literal["c", "f"] = "c") -> str:
        """Current weather in a city."""
        weather_started.set()
        with anyio.fail_after(5):
            await time_started.wait()  # deadlocks unless the other call runs concurrently
        return f"Sunny in {city}, 21 {unit}"

    async def get_time(city: str) -> dict[str, str]:
        """Local time in a city."""
        time_started.set()
        with anyio.fail_after(5):
            await weather_started.wait()
        return {"city": city, "time": "09:30"}

    server.add(
        Turn(
            Reasoning("Two lookups", encrypted_content="enc-1"),
            ToolCall("get_weather", {"city": "Paris", "unit": None}, call_id="call_w"),
            ToolCall("get_time", {"city": "Tokyo"}, call_id="call_t"),
        ),
        Text("Sunny in Paris; 09:30 in Tokyo."),
    )
    result = await run_tools(
        client,
        model="test/model",
        input="Weather in Paris, time in Tokyo?",
        instructions="Be brief.",
        tools=[get_weather, get_time],
    )

    assert result.output_text == "Sunny in Paris; 09:30 in Tokyo."
    assert result.stop_reason == "done"
    assert len(result.steps) == 2
    assert [r.ok for r in result.tool_results] == [True, True]
    first, second = server.requests
    assert [tool["name"] for tool in first.json["tools"]] == ["get_weather", "get_time"]
    assert first.json["tools"][0]["strict"] is True
    assert second.json["instructions"] == "Be brief."
    items = _items(second)
    assert [item["type"] for item in items] == [
        "message",
        "reasoning",
        "function_call",
        "function_call",
        "function_call_output",
        "function_call_output",
    ]
    assert items[0]["content"] == "Weather in Paris, time in Tokyo?"
    assert items[1]["encrypted_content"] == "enc-1"
    assert _outputs(second) == {
        "call_w": "Sunny in Paris, 21 c",
        "call_t": '{"city": "Tokyo", "time": "09:30"}',
    }
    assert len(result.history) == len(items) + 1
    assert result.history[-1] == result.response.output[-1]


async def test_sync_tools_run_in_threads_concurrently(
    server: LocalServer, client: AsyncClient
) -> None:
    """Plain sync functions passed directly run in worker threads, side by side."""
    barrier = threading.Barrier(2, timeout=5)

    def left(n: int) -> int:
        """Left."""
        barrier.wait()
        return n + 1

    def right(n: int) -> int:
        """Right."""
        barrier.wait()
        return n * 10

    server.add(Turn(ToolCall("left", {"n": 1}), ToolCall("right", {"n": 2})), Text("ok"))
    result = await run_tools(client, model="m", input="go", tools=[left, right])
    assert [r.output for r in result.tool_results] == ["2", "20"]


async def test_tool_error_is_sent_to_the_model(server: LocalServer, client: AsyncClient) -> None:
    """A tool that raises sends its error text back, and the loop goes on."""

    def lookup(key: str) -> str:
        """Look a key up."""
        raise KeyError(key)

    server.add(ToolCall("lookup", {"key": "missing"}, call_id="c1"), Text("Sorry."))
    result = await run_tools(client, model="m", input="find it", tools=[lookup])
    assert result.output_text == "Sorry."
    (record,) = result.tool_results
    assert isinstance(record.error, ToolExecutionError)
    assert isinstance(record.error.__cause__, KeyError)
    assert _outputs(server.requests[1]) == {"c1": "Error: lookup raised KeyError: 'missing'"}


async def test_tool_error_raises_when_asked(server: LocalServer, client: AsyncClient) -> None:
    """raise_on_tool_error=True raises ToolExecutionError chained to the tool's exception."""

    def explode() -> str:
        """Explode."""
        raise RuntimeError("kaboom")

    server.add(ToolCall("explode", {}))
    with pytest.raises(ToolExecutionError, match="kaboom") as caught:
        await run_tools(client, model="m", input="go", tools=[explode], raise_on_tool_error=True)
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert caught.value.call.name == "explode"
    assert len(server.requests) == 1


async def test_bad_json_arguments_are_reported(server: LocalServer, client: AsyncClient) -> None:
    """Arguments that are not JSON never reach the tool; the model is told why."""
    calls: list[str] = []

    def echo(text: str) -> str:
        """Echo."""
        calls.append(text)
        return text

    server.add(ToolCall("echo", '{"text": "unterminated', call_id="c1"), Text("retrying"))
    result = await run_tools(client, model="m", input="go", tools=[echo])
    assert calls == []
    assert isinstance(result.tool_results[0].error, ToolArgumentsError)
    output = _outputs(server.requests[1])["c1"]
    assert output.startswith("Error: the arguments of echo are not valid JSON")


async def test_arguments_that_do_not_fit_are_reported(
    server: LocalServer, client: AsyncClient
) -> None:
    """Wrong types, missing and extra arguments are all listed for the model in one message."""

    def book(city: str, nights: int) -> str:
        """Book a hotel."""
        return "booked"

    server.add(
        Turn(
            ToolCall("book", {"city": 5, "nights": "two"}, call_id="wrong"),
            ToolCall("book", {"city": "Rome", "guests": 2}, call_id="shape"),
        ),
        Text("fixed"),
    )
    result = await run_tools(client, model="m", input="go", tools=[book])
    outputs = _outputs(server.requests[1])
    assert outputs["wrong"] == (
        "Error: invalid arguments for book: $.city: expected string, got integer 5; "
        '$.nights: expected integer, got string "two"; '
        "call it again with arguments that match its parameters"
    )
    assert "$.guests: unexpected property" in outputs["shape"]
    assert "$.nights: required property is missing" in outputs["shape"]
    errors = [r.error for r in result.tool_results]
    assert all(isinstance(e, ToolArgumentsError) for e in errors)
    assert isinstance(errors[0], ToolArgumentsError)
    assert errors[0].errors[0] == ("$.city", "expected string, got integer 5")


async def test_unknown_tool_is_reported(server: LocalServer, client: AsyncClient) -> None:
    """A call to a tool that does not exist gets an error output naming the real tools."""

    def known() -> str:
        """Known."""
        return "ok"

    server.add(ToolCall("imaginary", {}, call_id="c1"), Text("ok then"))
    result = await run_tools(client, model="m", input="go", tools=[known])
    assert isinstance(result.tool_results[0].error, UnknownToolError)
    assert _outputs(server.requests[1]) == {
        "c1": "Error: there is no tool named 'imaginary'; the available tools are: known"
    }


def _always_call(request: RecordedRequest) -> Turn:
    return Turn(ToolCall("tick", {}, call_id=f"call_{len(request.json['input'])}"))


async def test_max_steps_returns_with_pending_calls(
    server: LocalServer, client: AsyncClient
) -> None:
    """At max_steps the last calls are left unrun, and a resumed run answers them first."""
    ticks: list[int] = []

    def tick() -> int:
        """Tick."""
        ticks.append(1)
        return len(ticks)

    server.default = _always_call
    result = await run_tools(client, model="m", input="go", tools=[tick], max_steps=2)
    assert result.stop_reason == "max_steps"
    assert result.max_steps_reached
    assert len(result.steps) == 2
    assert ticks == [1]
    assert [c.name for c in result.pending_calls] == ["tick"]
    assert result.history[-1] == result.pending_calls[0]

    server.default = Text("finally")
    resumed = await run_tools(client, model="m", input=result.history, tools=[tick], max_steps=1)
    assert ticks == [1, 1]
    assert resumed.stop_reason == "done"
    last_input = _items(server.requests[-1])
    assert last_input[-1]["type"] == "function_call_output"
    assert last_input[-1]["call_id"] == result.pending_calls[0].call_id


async def test_max_steps_raises_when_asked(server: LocalServer, client: AsyncClient) -> None:
    """raise_on_max_steps=True raises MaxStepsExceededError carrying the run so far."""

    def tick() -> str:
        """Tick."""
        return "tock"

    server.default = _always_call
    with pytest.raises(MaxStepsExceededError, match="stopped after 3 steps") as caught:
        await run_tools(
            client, model="m", input="go", tools=[tick], max_steps=3, raise_on_max_steps=True
        )
    assert len(caught.value.result.steps) == 3
    assert len(caught.value.result.tool_results) == 2


async def test_external_tool_stops_the_run(server: LocalServer, client: AsyncClient) -> None:
    """A definition without code stops the run with its calls pending for the caller."""
    approve = FunctionTool(name="approve", parameters={"type": "object", "properties": {}})

    def note(text: str) -> str:
        """Note."""
        return "noted"

    server.add(
        Turn(
            ToolCall("note", {"text": "x"}, call_id="n1"),
            ToolCall("approve", {}, call_id="a1"),
        ),
        Text("approved"),
    )
    result = await run_tools(client, model="m", input="go", tools=[note, approve])
    assert result.stop_reason == "external_calls"
    assert [c.call_id for c in result.pending_calls] == ["a1"]
    assert [r.call.call_id for r in result.tool_results] == ["n1"]
    resumed = await run_tools(
        client,
        model="m",
        input=[*result.history, FunctionCallOutput(call_id="a1", output="yes")],
        tools=[note, approve],
    )
    assert resumed.output_text == "approved"
    assert _outputs(server.requests[1]) == {"n1": "noted", "a1": "yes"}


async def test_tool_timeout_is_reported(server: LocalServer, client: AsyncClient) -> None:
    """A tool slower than tool_timeout is cancelled and its timeout sent to the model."""

    async def slow() -> str:
        """Slow."""
        await anyio.sleep(5)
        return "late"

    server.add(ToolCall("slow", {}, call_id="s1"), Text("gave up"))
    result = await run_tools(client, model="m", input="go", tools=[slow], tool_timeout=0.05)
    assert _outputs(server.requests[1]) == {"s1": "Error: slow timed out after 0.05 s"}
    assert isinstance(result.tool_results[0].error, ToolExecutionError)


async def test_tools_own_timeout_error_is_a_plain_tool_error(
    server: LocalServer, client: AsyncClient
) -> None:
    """A TimeoutError raised by the tool itself (no tool_timeout set) is reported as raised."""

    async def fetch() -> str:
        """Fetch."""
        raise TimeoutError("upstream took too long")

    server.add(ToolCall("fetch", {}, call_id="f1"), Text("ok"))
    await run_tools(client, model="m", input="go", tools=[fetch])
    assert _outputs(server.requests[1]) == {
        "f1": "Error: fetch raised TimeoutError: upstream took too long"
    }


async def test_return_values_become_outputs(server: LocalServer, client: AsyncClient) -> None:
    """Text stays text, content parts pass through, attrs/enums/None are sent as JSON."""

    def where() -> Point:
        """Where."""
        return Point(x=1.5)

    def color() -> list[Color]:
        """Color."""
        return [Color.RED]

    def nothing() -> None:
        """Nothing."""

    def picture() -> InputImage:
        """Picture."""
        return InputImage(image_url="https://example.test/cat.png")

    server.add(
        Turn(
            ToolCall("where", {}, call_id="w"),
            ToolCall("color", {}, call_id="c"),
            ToolCall("nothing", {}, call_id="n"),
            ToolCall("picture", {}, call_id="p"),
        ),
        Text("seen"),
    )
    await run_tools(client, model="m", input="go", tools=[where, color, nothing, picture])
    outputs = _outputs(server.requests[1])
    assert outputs["w"] == '{"x": 1.5, "y": 0.0}'
    assert outputs["c"] == '["red"]'
    assert outputs["n"] == "null"
    assert outputs["p"] == [
        {"type": "input_image", "image_url": "https://example.test/cat.png", "detail": "auto"}
    ]


async def test_streaming_run_yields_every_turn_and_tool_results(
    server: LocalServer, client: AsyncClient
) -> None:
    """The streaming variant yields both turns' events and a ToolResult between them."""

    def add(a: int, b: int) -> int:
        """Add."""
        return a + b

    server.add(ToolCall("add", {"a": 2, "b": 3}, call_id="c1"), Text("It is 5.", deltas=2))
    async with run_tools_stream(client, model="m", input="2+3?", tools=[add]) as run:
        kinds = [event.type async for event in run]
        result = await run.final_result()
    assert kinds.count("response.created") == 2
    assert kinds.count("response.completed") == 2
    tool_index = kinds.index("tool_result")
    assert kinds.index("response.completed") < tool_index < len(kinds) - 1
    assert kinds.count("response.output_text.delta") == 2
    assert result.output_text == "It is 5."
    assert all(r.stream for r in server.requests)
    assert _outputs(server.requests[1]) == {"c1": "5"}


async def test_streaming_run_without_the_client_method(
    server: LocalServer, client: AsyncClient
) -> None:
    """run_tools_stream works on any AsyncClient and final_result drains the events left."""
    server.add(Text("plain answer"))
    async with run_tools_stream(client, model="m", input="hi", tools=[]) as run:
        result = await run.final_result()
    assert result.output_text == "plain answer"
    assert "tools" not in server.requests[0].json
    assert result.tool_results == []


async def test_invalid_loop_settings_are_refused(client: AsyncClient) -> None:
    """max_steps, max_concurrency and duplicate tool names are checked before any request."""

    def dup() -> None:
        """Dup."""

    with pytest.raises(InvalidRequestError, match="max_steps"):
        await run_tools(client, model="m", input="x", tools=[], max_steps=0)
    with pytest.raises(InvalidRequestError, match="max_concurrency"):
        await run_tools(client, model="m", input="x", tools=[], max_concurrency=0)
    with pytest.raises(InvalidRequestError, match="two tools are named 'dup'"):
        await run_tools(client, model="m", input="x", tools=[dup, function_tool(dup)])


# -- the loop as client methods, on AsyncClient and on the blocking Client

MODEL = "openresponses/local"


def _parallel_tools() -> list[CallableTool[..., Any]]:
    """``add`` and ``mul``, each waiting until both have started: run one after the other, the
    first times out and the model is sent an error instead of its result."""
    started: list[str] = []
    both = asyncio.Event()

    async def meet(name: str) -> None:
        started.append(name)
        if len(started) == 2:
            both.set()
        await asyncio.wait_for(both.wait(), timeout=2)

    @function_tool
    async def add(a: int, b: int) -> int:
        """Add two integers."""
        await meet("add")
        return a + b

    @function_tool
    async def mul(a: int, b: int) -> int:
        """Multiply two integers."""
        await meet("mul")
        return a * b

    return [add, mul]


def _script_tool_run(server: LocalServer) -> None:
    server.add(
        Turn(
            ToolCall("add", {"a": 2, "b": 3}, call_id="c_add"),
            ToolCall("mul", {"a": 4, "b": 5}, call_id="c_mul"),
        ),
        Text("5 and 20"),
    )


def _check_tool_run(result: ToolRunResult, server: LocalServer, *, stream: bool) -> None:
    assert result.stop_reason == "done"
    assert result.output_text == "5 and 20"
    assert len(result.steps) == 2
    assert [(r.call.call_id, r.output, r.ok) for r in result.tool_results] == [
        ("c_add", "5", True),
        ("c_mul", "20", True),
    ]
    first, second = (request.json for request in server.requests)
    assert [first["stream"], second["stream"]] == [stream, stream]
    assert [tool["name"] for tool in second["tools"]] == ["add", "mul"]
    assert first["input"] == [{"type": "message", "role": "user", "content": "Compute"}]
    # The stateless second turn resends everything: the user turn, both calls as the server
    # returned them, and one function_call_output per call.
    calls = [to_dict(item) for item in result.steps[0].output]
    assert second["input"] == [
        *first["input"],
        *calls,
        {"type": "function_call_output", "call_id": "c_add", "output": "5"},
        {"type": "function_call_output", "call_id": "c_mul", "output": "20"},
    ]
    assert [to_dict(item) for item in result.history] == [
        *second["input"],
        *(to_dict(item) for item in result.response.output),
    ]


async def test_run_answers_parallel_calls_async(client: AsyncClient, server: LocalServer) -> None:
    """``AsyncClient.responses.run`` runs both calls concurrently and resends the whole history."""
    _script_tool_run(server)
    result = await client.responses.run(model=MODEL, input="Compute", tools=_parallel_tools())
    _check_tool_run(result, server, stream=False)


def test_run_answers_parallel_calls_sync(server: LocalServer) -> None:
    """``Client.responses.run`` runs both calls concurrently and resends the whole history."""
    _script_tool_run(server)
    with Client(base_url=server.base_url, max_retries=0) as client:
        result = client.responses.run(model=MODEL, input="Compute", tools=_parallel_tools())
    _check_tool_run(result, server, stream=False)


def _check_run_events(events: list[Any]) -> None:
    kinds = [event.type for event in events]
    assert kinds.count("response.created") == 2
    assert kinds.count("response.completed") == 2
    assert kinds.count("response.function_call_arguments.done") == 2
    assert "response.output_text.delta" in kinds
    # Turn one's events, then one ToolResult per call, then turn two's events.
    first_done = kinds.index("response.completed")
    second_start = kinds.index("response.created", first_done)
    between = events[first_done + 1 : second_start]
    assert [(type(e), e.call.call_id) for e in between] == [
        (ToolResult, "c_add"),
        (ToolResult, "c_mul"),
    ]
    assert not any(isinstance(event, ToolResult) for event in events[second_start:])


async def test_run_stream_yields_every_turn_async(client: AsyncClient, server: LocalServer) -> None:
    """``run_stream`` gives the events of both turns, the tool results between, the result."""
    _script_tool_run(server)
    async with client.responses.run_stream(
        model=MODEL, input="Compute", tools=_parallel_tools()
    ) as run:
        events = [event async for event in run]
        result = await run.final_result()
    _check_run_events(events)
    _check_tool_run(result, server, stream=True)


def test_run_stream_yields_every_turn_sync(server: LocalServer) -> None:
    """The blocking ``run_stream`` gives the same events of both turns, then the run's result."""
    _script_tool_run(server)
    with (
        Client(base_url=server.base_url, max_retries=0) as client,
        client.responses.run_stream(model=MODEL, input="Compute", tools=_parallel_tools()) as run,
    ):
        assert isinstance(run, ToolRunStream)
        events = list(run)
        result = run.final_result()
    _check_run_events(events)
    _check_tool_run(result, server, stream=True)
