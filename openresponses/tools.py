"""Function tools from Python functions, and the loop that runs them for the model.

::

    @function_tool
    async def get_weather(city: str, unit: Literal["c", "f"] = "c") -> str:
        '''Current weather in a city.

        Args:
            city: City name, e.g. "Paris".
            unit: Temperature unit.
        '''

    result = await client.responses.run(model=..., input="Weather in Paris?", tools=[get_weather])
    result.output_text, result.steps, result.history

The loop is stateless-server friendly: every request carries the whole history (the input items,
every output item including reasoning with its ``encrypted_content``, and each
``function_call_output``), so it works on OpenRouter, which keeps no conversation state.
"""

from __future__ import annotations

import enum
import functools
import inspect
import json
import re
import typing
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, Generic, Literal, ParamSpec, TypeVar, Union, overload

import anyio
import anyio.to_thread
import attrs

from . import InvalidRequestError, OpenResponsesError
from ._schema import Field, SchemaMismatch, object_schema, parse_docstring, read_fields
from ._schema import signature_fields as _signature_fields
from .types import (
    ContentPart,
    FunctionCall,
    FunctionCallOutput,
    FunctionTool,
    InputFile,
    InputImage,
    InputText,
    Item,
    Message,
    Response,
    StreamEvent,
    Tool,
)

if TYPE_CHECKING:
    from types import TracebackType

    from . import AsyncClient

__all__ = [
    "CallableTool",
    "MaxStepsExceededError",
    "ToolArgumentsError",
    "ToolCallError",
    "ToolExecutionError",
    "ToolResult",
    "ToolRunEvent",
    "ToolRunResult",
    "AsyncToolRunStream",
    "UnknownToolError",
    "function_tool",
    "run_tools",
    "run_tools_stream",
]

P = ParamSpec("P")
R = TypeVar("R")

_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


# -- errors


class ToolCallError(OpenResponsesError):
    """A function call the loop could not answer with a result; ``call`` is the model's call.

    By default the loop sends ``str(error)`` back to the model as the call's output, so the model
    can correct itself; the error is also kept on ``ToolResult.error``.
    """

    def __init__(self, message: str, *, call: FunctionCall) -> None:
        self.message = message
        self.call = call
        super().__init__(message)


class UnknownToolError(ToolCallError):
    """The model called a tool name that is not in ``tools``."""


class ToolArgumentsError(ToolCallError):
    """The arguments were not valid JSON or did not fit the function's signature.

    ``errors`` lists ``(path, message)`` pairs, e.g. ``("$.city", "required property is missing")``.
    """

    def __init__(
        self, message: str, *, call: FunctionCall, errors: Sequence[tuple[str, str]] = ()
    ) -> None:
        super().__init__(message, call=call)
        self.errors = list(errors)


class ToolExecutionError(ToolCallError):
    """The tool raised (or timed out); the original exception is ``__cause__``.

    Raised out of the loop only with ``raise_on_tool_error=True``.
    """


class MaxStepsExceededError(OpenResponsesError):
    """The model still wanted tools after ``max_steps`` responses (``raise_on_max_steps=True``).

    ``result`` is the run so far; its ``history`` ends with the unanswered calls, and passing it
    as ``input`` to a new run answers them first and goes on.
    """

    def __init__(self, result: ToolRunResult) -> None:
        self.result = result
        names = ", ".join(call.name for call in result.pending_calls)
        super().__init__(f"stopped after {len(result.steps)} steps with calls pending: {names}")


# -- function tools


@attrs.frozen(eq=False)
class CallableTool(Generic[P, R]):
    """A Python function the model can call: its wire definition plus the code that runs it.

    Calling the object calls the function, so ``@function_tool`` leaves it usable as before.
    ``definition`` is the ``FunctionTool`` sent in ``tools``.
    """

    fn: Callable[P, R] = attrs.field(repr=False)
    name: str
    description: str | None
    parameters: Mapping[str, Any] = attrs.field(repr=False)
    strict: bool
    _fields: tuple[Field, ...] = attrs.field(repr=False, alias="fields")
    _positional: int = attrs.field(default=0, repr=False, alias="positional")

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.fn(*args, **kwargs)

    @property
    def definition(self) -> FunctionTool:
        return FunctionTool(
            name=self.name,
            description=self.description,
            parameters=self.parameters,
            strict=self.strict,
        )

    def parse_arguments(self, call: FunctionCall) -> dict[str, Any]:
        """The call's arguments checked against the signature; raises ``ToolArgumentsError``."""
        try:
            raw = json.loads(call.arguments) if call.arguments.strip() else {}
        except ValueError as exc:
            raise ToolArgumentsError(
                f"the arguments of {self.name} are not valid JSON ({exc}); call it again with a "
                "JSON object that matches its parameters",
                call=call,
                errors=[("$", str(exc))],
            ) from None
        try:
            return read_fields({} if raw is None else raw, self._fields, strict=self.strict)
        except SchemaMismatch as exc:
            raise ToolArgumentsError(
                f"invalid arguments for {self.name}: {exc.describe()}; call it again with "
                "arguments that match its parameters",
                call=call,
                errors=exc.errors,
            ) from None

    async def invoke(self, call: FunctionCall) -> Any:
        """Run the function on the call's arguments (sync functions in a worker thread)."""
        kwargs = self.parse_arguments(call)
        args = [
            kwargs.pop(field.key) if field.key in kwargs else field.default
            for field in self._fields[: self._positional]
        ]
        if _is_async(self.fn):
            result = await self.fn(*args, **kwargs)  # type: ignore[misc]
        else:
            bound = functools.partial(self.fn, *args, **kwargs)
            # Abandoned on cancel so a timeout returns at once; the thread finishes on its own.
            result = await anyio.to_thread.run_sync(bound, abandon_on_cancel=True)
        if inspect.isawaitable(result):
            result = await result
        return result


@overload
def function_tool(
    fn: Callable[P, R],
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool = True,
) -> CallableTool[P, R]: ...
@overload
def function_tool(
    fn: None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool = True,
) -> Callable[[Callable[P, R]], CallableTool[P, R]]: ...
def function_tool(
    fn: Callable[P, R] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool = True,
) -> CallableTool[P, R] | Callable[[Callable[P, R]], CallableTool[P, R]]:
    """Turn a sync or async function into a tool the model can call; also a decorator.

    The name defaults to the function's, the description to its docstring (text before the
    first section), and each parameter's description to its entry in a Google, NumPy or Sphinx
    style docstring (or ``Annotated[T, "text"]``). The JSON schema comes from the type hints:
    str, int, float, bool, None, Optional and unions, Literal, Enum, list/Sequence/set, tuple,
    dict/Mapping with str keys, and attrs classes (nested, even recursive). A parameter with a
    default is optional.

    ``strict=True`` produces a schema the strict rules accept: every property required
    (optional ones become nullable; ``null`` means "use the default"), ``additionalProperties``
    false everywhere, and ``dict[str, X]`` sent as a list of ``{"key", "value"}`` pairs. Hints
    strict mode cannot express (``Any``, a missing annotation) raise ``TypeError``; pass
    ``strict=False`` for those.
    """

    def wrap(func: Callable[P, R]) -> CallableTool[P, R]:
        return _build_tool(func, name=name, description=description, strict=strict)

    return wrap if fn is None else wrap(fn)


def _build_tool(
    fn: Callable[P, R], *, name: str | None, description: str | None, strict: bool
) -> CallableTool[P, R]:
    if isinstance(fn, CallableTool):
        fn = fn.fn
    if isinstance(fn, type) or not callable(fn):
        raise TypeError(f"function_tool needs a function, not {fn!r}")
    tool_name = name or getattr(fn, "__name__", None)
    if not tool_name or not _NAME.match(tool_name):
        raise ValueError(
            f"tool name {tool_name!r} must match ^[a-zA-Z0-9_-]{{1,64}}$ (pass name=...)"
        )
    doc_description, doc_params = parse_docstring(inspect.getdoc(fn))
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception as exc:
        raise TypeError(f"{tool_name}: cannot resolve the type hints: {exc}") from exc
    hints.pop("return", None)
    try:
        fields = _signature_fields(fn, hints, doc_params)
        parameters = object_schema(fields, strict=strict)
    except TypeError as exc:
        raise TypeError(f"{tool_name}: {exc}") from None
    kinds = [p.kind for p in inspect.signature(fn).parameters.values()]
    return CallableTool(
        fn=fn,
        name=tool_name,
        description=description if description is not None else doc_description,
        parameters=parameters,
        strict=strict,
        fields=tuple(fields),
        positional=kinds.count(inspect.Parameter.POSITIONAL_ONLY),
    )


def _is_async(fn: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004 - an object with an async __call__
    )


# -- the loop's results


@attrs.frozen
class ToolResult:
    """One function call the loop answered: the call, the output sent back, the error if any.

    Also a stream event (``type == "tool_result"``) in ``run_tools_stream``, after each turn's
    calls have run.
    """

    call: FunctionCall
    output: str | list[ContentPart]
    error: ToolCallError | None = None
    step: int = 0
    type: Literal["tool_result"] = "tool_result"

    @property
    def ok(self) -> bool:
        return self.error is None


StopReason = Literal["done", "max_steps", "external_calls"]


@attrs.frozen(repr=False)
class ToolRunResult:
    """What a tool run did.

    ``response`` is the last Response and ``steps`` every Response in order. ``history`` is every
    item sent and received (input, output items, function call outputs): pass it as ``input`` to
    go on. ``stop_reason`` says why the loop stopped:

    - ``"done"``: the last turn had no function calls (the usual end);
    - ``"max_steps"``: ``max_steps`` responses were made and the last still called tools; those
      calls were *not* run, they are ``pending_calls`` at the end of ``history``;
    - ``"external_calls"``: the model called a tool given as a definition without a Python
      function; those calls are ``pending_calls``: append a ``FunctionCallOutput`` for each and
      run again with ``input=history``.

    A run whose ``input`` ends with unanswered calls answers them before asking the model.
    """

    response: Response
    steps: list[Response]
    history: list[Item | Mapping[str, Any]]
    tool_results: list[ToolResult]
    pending_calls: list[FunctionCall]
    stop_reason: StopReason

    @property
    def output_text(self) -> str:
        return self.response.output_text

    @property
    def max_steps_reached(self) -> bool:
        return self.stop_reason == "max_steps"

    def __repr__(self) -> str:
        return (
            f"ToolRunResult(stop_reason={self.stop_reason!r}, steps={len(self.steps)}, "
            f"tool_results={len(self.tool_results)}, pending_calls={len(self.pending_calls)}, "
            f"output_text={self.output_text!r})"
        )


ToolRunEvent = Union[StreamEvent, ToolResult]
ToolLike = Union[CallableTool[..., Any], Callable[..., Any], Tool, Mapping[str, Any]]

"""What ``tools=[...]`` takes: function tools, plain functions, and definitions without code."""


# -- the loop


async def run_tools(
    client: AsyncClient,
    *,
    tools: Iterable[ToolLike],
    max_steps: int = 10,
    max_concurrency: int = 8,
    tool_timeout: float | None = None,
    raise_on_tool_error: bool = False,
    raise_on_max_steps: bool = False,
    **params: Any,
) -> ToolRunResult:
    """Call the model, run its function calls, send the results back, until it stops calling.

    Every call of a turn runs concurrently, at most ``max_concurrency`` at a time (sync
    functions in worker threads); each is bounded by ``tool_timeout`` seconds when given.
    ``tools`` mixes ``function_tool`` objects, plain functions (converted with the defaults),
    and definitions without code (``FunctionTool`` or dicts, hosted tools).

    A tool that raises has ``"Error: ..."`` sent back as its output so the model can recover;
    ``raise_on_tool_error=True`` raises ``ToolExecutionError`` instead. Arguments that are not
    JSON or do not fit the signature, and unknown tool names, are always reported to the model.
    After ``max_steps`` responses the run returns with ``stop_reason == "max_steps"``, or raises
    ``MaxStepsExceededError`` with ``raise_on_max_steps=True``. Other keywords
    (``model``, ``input``, ``instructions``, ...) go to every ``responses.create`` call.
    """
    loop = _Loop(
        client,
        tools=tools,
        max_steps=max_steps,
        max_concurrency=max_concurrency,
        tool_timeout=tool_timeout,
        raise_on_tool_error=raise_on_tool_error,
        raise_on_max_steps=raise_on_max_steps,
        params=params,
    )
    async with aclosing(loop.events(stream=False)) as events:
        async for _ in events:
            pass
    return loop.finish()


def run_tools_stream(
    client: AsyncClient,
    *,
    tools: Iterable[ToolLike],
    max_steps: int = 10,
    max_concurrency: int = 8,
    tool_timeout: float | None = None,
    raise_on_tool_error: bool = False,
    raise_on_max_steps: bool = False,
    **params: Any,
) -> AsyncToolRunStream:
    """``run_tools``, streaming: the events of every turn, then a ``ToolResult`` per call.

    ::

        async with run_tools_stream(client, model=..., input=..., tools=[...]) as run:
            async for event in run:
                ...
            result = await run.final_result()
    """
    loop = _Loop(
        client,
        tools=tools,
        max_steps=max_steps,
        max_concurrency=max_concurrency,
        tool_timeout=tool_timeout,
        raise_on_tool_error=raise_on_tool_error,
        raise_on_max_steps=raise_on_max_steps,
        params=params,
    )
    return AsyncToolRunStream(loop)


class AsyncToolRunStream:
    """The handle of a streaming tool run: iterate it for events, then ``await final_result()``.

    Events are the typed stream events of each turn (``response.created`` ...
    ``response.completed``) followed by one ``ToolResult`` per function call run in that turn.
    Leaving the ``async with`` block (or ``aclose()``) stops the run and releases the stream.
    """

    def __init__(self, loop: _Loop) -> None:
        self._loop = loop
        self._events = loop.events(stream=True)

    async def __aenter__(self) -> AsyncToolRunStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __aiter__(self) -> AsyncIterator[ToolRunEvent]:
        return self._events

    async def final_result(self) -> ToolRunResult:
        """The run's result, consuming whatever events are left."""
        async for _ in self._events:
            pass
        return self._loop.finish()

    async def aclose(self) -> None:
        await self._events.aclose()


class _Loop:
    def __init__(
        self,
        client: AsyncClient,
        *,
        tools: Iterable[ToolLike],
        max_steps: int,
        max_concurrency: int,
        tool_timeout: float | None,
        raise_on_tool_error: bool,
        raise_on_max_steps: bool,
        params: dict[str, Any],
    ) -> None:
        if max_steps < 1:
            raise InvalidRequestError("max_steps", "must be at least 1")
        if max_concurrency < 1:
            raise InvalidRequestError("max_concurrency", "must be at least 1")
        if tool_timeout is not None and not tool_timeout > 0:
            raise InvalidRequestError("tool_timeout", "must be a positive number of seconds")
        if "stream" in params:
            raise InvalidRequestError("stream", "use run_tools_stream to stream a tool run")
        self.client = client
        self.definitions, self.local, self.external = _prepare_tools(tools)
        self.max_steps = max_steps
        self.max_concurrency = max_concurrency
        self.limiter: anyio.CapacityLimiter | None = None  # made in the loop: it needs one
        self.tool_timeout = tool_timeout
        self.raise_on_tool_error = raise_on_tool_error
        self.raise_on_max_steps = raise_on_max_steps
        self.params = params
        self.history: list[Item | Mapping[str, Any]] = _initial_history(params.pop("input", None))
        self.steps: list[Response] = []
        self.tool_results: list[ToolResult] = []
        self.pending: list[FunctionCall] = []
        self.stop_reason: StopReason | None = None

    async def events(self, *, stream: bool) -> AsyncGenerator[ToolRunEvent, None]:
        unanswered = _unanswered_calls(self.history)
        if unanswered:
            for result in await self.answer(unanswered, step=0):
                yield result
        for step in range(1, self.max_steps + 1):
            request = {**self.params, "input": list(self.history)}
            if self.definitions:
                request["tools"] = self.definitions
            if stream:
                async with self.client.responses.stream(**request) as turn:
                    async for event in turn:
                        yield event
                    response = await turn.final_response()
            else:
                response = await self.client.responses.create(**request)
            self.steps.append(response)
            self.history.extend(response.output)
            calls = [item for item in response.output if isinstance(item, FunctionCall)]
            if not calls:
                self.stop_reason = "done"
                return
            if step == self.max_steps:
                self.pending, self.stop_reason = calls, "max_steps"
                return
            external = [call for call in calls if call.name in self.external]
            runnable = [call for call in calls if call.name not in self.external]
            for result in await self.answer(runnable, step=step):
                yield result
            if external:
                self.pending, self.stop_reason = external, "external_calls"
                return

    def finish(self) -> ToolRunResult:
        if self.stop_reason is None or not self.steps:
            raise RuntimeError("the tool run has not finished")
        result = ToolRunResult(
            response=self.steps[-1],
            steps=list(self.steps),
            history=list(self.history),
            tool_results=list(self.tool_results),
            pending_calls=list(self.pending),
            stop_reason=self.stop_reason,
        )
        if self.raise_on_max_steps and result.max_steps_reached:
            raise MaxStepsExceededError(result)
        return result

    async def answer(self, calls: Sequence[FunctionCall], *, step: int) -> list[ToolResult]:
        """Run ``calls`` concurrently; their outputs join the history in call order."""
        results: list[ToolResult | None] = [None] * len(calls)
        if self.limiter is None:
            self.limiter = anyio.CapacityLimiter(self.max_concurrency)
        limiter = self.limiter

        async def run_one(index: int, call: FunctionCall) -> None:
            async with limiter:
                results[index] = await self.run_call(call, step)

        async with anyio.create_task_group() as group:
            for index, call in enumerate(calls):
                group.start_soon(run_one, index, call)
        done = [result for result in results if result is not None]
        for result in done:
            if self.raise_on_tool_error and isinstance(result.error, ToolExecutionError):
                raise result.error
            self.history.append(
                FunctionCallOutput(call_id=result.call.call_id, output=result.output)
            )
        self.tool_results.extend(done)
        return done

    async def run_call(self, call: FunctionCall, step: int) -> ToolResult:
        tool = self.local.get(call.name)
        value: Any = None
        try:
            if tool is None:
                known = ", ".join(sorted(self.local)) or "none"
                raise UnknownToolError(
                    f"there is no tool named {call.name!r}; the available tools are: {known}",
                    call=call,
                )
            with anyio.move_on_after(self.tool_timeout) as scope:
                value = await tool.invoke(call)
            if scope.cancelled_caught:
                raise ToolExecutionError(
                    f"{call.name} timed out after {self.tool_timeout:g} s", call=call
                )
        except ToolCallError as exc:
            return ToolResult(call=call, output=f"Error: {exc}", error=exc, step=step)
        except Exception as exc:
            error = ToolExecutionError(f"{call.name} raised {type(exc).__name__}: {exc}", call=call)
            error.__cause__ = exc
            return ToolResult(call=call, output=f"Error: {error}", error=error, step=step)
        return ToolResult(call=call, output=_to_output(value), step=step)


def _prepare_tools(
    tools: Iterable[ToolLike],
) -> tuple[list[Any], dict[str, CallableTool[..., Any]], set[str]]:
    """Wire definitions, the tools with code (by name), and the names of those without."""
    definitions: list[Any] = []
    local: dict[str, CallableTool[..., Any]] = {}
    external: set[str] = set()
    for tool in tools:
        name: str | None = None
        definition: Any
        if isinstance(tool, CallableTool):
            local[tool.name] = tool
            name, definition = tool.name, tool.definition
        elif isinstance(tool, FunctionTool):
            name, definition = tool.name, tool
            external.add(name)
        elif isinstance(tool, Mapping):
            definition = tool
            if tool.get("type") == "function":
                name = str(tool.get("name"))
                external.add(name)
        elif attrs.has(type(tool)):
            definition = tool  # a hosted or server tool: the server runs it
        elif callable(tool) and not isinstance(tool, type):
            converted = function_tool(tool)
            local[converted.name] = converted
            name, definition = converted.name, converted.definition
        else:
            raise TypeError(f"tools: cannot use {tool!r} as a tool")
        if name is not None and any(_tool_name(d) == name for d in definitions):
            raise InvalidRequestError("tools", f"two tools are named {name!r}")
        definitions.append(definition)
    return definitions, local, external


def _tool_name(definition: Any) -> str | None:
    if isinstance(definition, FunctionTool):
        return definition.name
    if isinstance(definition, Mapping) and definition.get("type") == "function":
        return str(definition.get("name"))
    return None


def _initial_history(value: Any) -> list[Item | Mapping[str, Any]]:
    if value is None:
        return []
    if isinstance(value, str):
        return [Message(role="user", content=value)]
    if isinstance(value, Mapping) or attrs.has(type(value)):
        return [value]
    return list(value)


def _unanswered_calls(history: Sequence[Item | Mapping[str, Any]]) -> list[FunctionCall]:
    """Function calls in ``history`` that no ``function_call_output`` answers yet."""
    calls: dict[str, FunctionCall] = {}
    answered: set[str] = set()
    for item in history:
        if isinstance(item, FunctionCall):
            calls[item.call_id] = item
        elif isinstance(item, FunctionCallOutput):
            answered.add(item.call_id)
        elif isinstance(item, Mapping) and item.get("type") == "function_call":
            call_id = str(item.get("call_id", ""))
            arguments = item.get("arguments")
            calls[call_id] = FunctionCall(
                call_id=call_id,
                name=str(item.get("name", "")),
                arguments=arguments if isinstance(arguments, str) else json.dumps(arguments),
            )
        elif isinstance(item, Mapping) and item.get("type") == "function_call_output":
            answered.add(str(item.get("call_id", "")))
    return [call for call_id, call in calls.items() if call_id not in answered]


_PART_TYPES = (InputText, InputImage, InputFile)


def _to_output(value: Any) -> str | list[ContentPart]:
    """A tool's return value as a function call output: text as is, content parts as is
    (an image tool can return ``[InputImage(...)]``), anything else as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, _PART_TYPES):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, _PART_TYPES) for v in value):
        return list(value)
    return json.dumps(value, default=_jsonable, ensure_ascii=False)


def _jsonable(value: Any) -> Any:
    if attrs.has(type(value)):
        return attrs.asdict(value, recurse=False)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return list(value)
    return str(value)
