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

The loop lives here; the tools it runs (``function_tool``, ``CallableTool`` and the errors of a
call) come from ``_function_tools`` and are exported here too. The loop needs only an engine's
``create`` and ``stream``: ``run_tools(client, ...)`` takes an ``AsyncClient``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Mapping, Sequence
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, Literal, Union

import anyio
import attrs

from ._engine import Engine, EngineLike, engine_of
from ._errors import InvalidRequestError, OpenResponsesError
from ._function_tools import (
    CallableTool,
    ToolArgumentsError,
    ToolCallError,
    ToolExecutionError,
    ToolLike,
    UnknownToolError,
    function_tool,
    prepare_tools,
    to_output,
)
from ._numbers import check_int, check_number
from .types import (
    ContentPart,
    FunctionCall,
    FunctionCallOutput,
    Item,
    Message,
    Response,
    StreamEvent,
    UsageTotals,
)

if TYPE_CHECKING:
    from types import TracebackType

# What the package root re-exports (one row of its lazy table); the module's own API
# also has ``run_tools`` and ``run_tools_stream``.
__all__ = [
    "AsyncToolRunStream",
    "CallableTool",
    "MaxStepsExceededError",
    "ToolArgumentsError",
    "ToolCallError",
    "ToolExecutionError",
    "ToolResult",
    "ToolRunEvent",
    "ToolRunResult",
    "UnknownToolError",
    "function_tool",
]

logger = logging.getLogger("openresponses")


class MaxStepsExceededError(OpenResponsesError):
    """The model still wanted tools after ``max_steps`` responses (``raise_on_max_steps=True``).

    ``result`` is the run so far; its ``history`` ends with the unanswered calls, and passing it
    as ``input`` to a new run answers them first and goes on.
    """

    def __init__(self, result: ToolRunResult) -> None:
        self.result = result
        names = ", ".join(call.name for call in result.pending_calls)
        super().__init__(f"stopped after {len(result.steps)} steps with calls pending: {names}")


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


StopReason = Literal["done", "max_steps", "external_calls", "max_cost"]


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
      run again with ``input=history``;
    - ``"max_cost"``: the steps had spent ``max_cost`` before the next one; the last turn's
      calls were run and their outputs end ``history``, so a new run with ``input=history``
      goes on from there.

    ``usage`` sums every step's usage: tokens, and the cost the server reported.

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

    @property
    def usage(self) -> UsageTotals:
        """Tokens and cost summed over every step (``cost`` is ``None`` when no step reported
        one; see ``UsageTotals``)."""
        totals = UsageTotals()
        for response in self.steps:
            totals.add(response)
        return totals

    def __repr__(self) -> str:
        return (
            f"ToolRunResult(stop_reason={self.stop_reason!r}, steps={len(self.steps)}, "
            f"tool_results={len(self.tool_results)}, pending_calls={len(self.pending_calls)}, "
            f"output_text={self.output_text!r})"
        )


ToolRunEvent = Union[StreamEvent, ToolResult]


# -- the loop


async def run_tools(
    client: EngineLike,
    *,
    tools: Iterable[ToolLike],
    max_steps: int = 10,
    max_concurrency: int = 8,
    tool_timeout: float | None = None,
    raise_on_tool_error: bool = False,
    raise_on_max_steps: bool = False,
    max_cost: float | None = None,
    **params: Any,
) -> ToolRunResult:
    """Call the model, run its function calls, send the results back, until it stops calling.

    Every call of a turn runs concurrently, at most ``max_concurrency`` at a time (sync
    functions in worker threads); each is bounded by ``tool_timeout`` seconds when given.
    ``tools`` mixes ``function_tool`` objects, plain functions (converted with the defaults),
    and definitions without code (``FunctionTool`` or dicts, hosted tools).

    A tool that raises has ``"Error: ..."`` sent back as its output so the model can recover;
    ``raise_on_tool_error=True`` raises ``ToolExecutionError`` instead. An optional argument
    the model leaves out (or sends as ``null``) takes the function's default; arguments that are
    not JSON or cannot be called (a required one missing, a wrong type), and unknown tool names,
    are always reported to the model.
    After ``max_steps`` responses the run returns with ``stop_reason == "max_steps"``, or raises
    ``MaxStepsExceededError`` with ``raise_on_max_steps=True``. With ``max_cost`` (USD), no
    step starts once the earlier ones cost that much: the run returns with ``stop_reason ==
    "max_cost"``. Only a cost the server reports counts: when a step reports none (most Open
    Responses servers), one warning is logged, since the cap cannot see what it cost. Other
    keywords (``model``, ``input``, ``instructions``, ...) go to every ``responses.create`` call.
    """
    loop = _Loop(
        engine_of(client),
        tools=tools,
        max_steps=max_steps,
        max_concurrency=max_concurrency,
        tool_timeout=tool_timeout,
        raise_on_tool_error=raise_on_tool_error,
        raise_on_max_steps=raise_on_max_steps,
        max_cost=max_cost,
        params=params,
    )
    async with aclosing(loop.events(stream=False)) as events:
        async for _ in events:
            pass
    return loop.finish()


def run_tools_stream(
    client: EngineLike,
    *,
    tools: Iterable[ToolLike],
    max_steps: int = 10,
    max_concurrency: int = 8,
    tool_timeout: float | None = None,
    raise_on_tool_error: bool = False,
    raise_on_max_steps: bool = False,
    max_cost: float | None = None,
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
        engine_of(client),
        tools=tools,
        max_steps=max_steps,
        max_concurrency=max_concurrency,
        tool_timeout=tool_timeout,
        raise_on_tool_error=raise_on_tool_error,
        raise_on_max_steps=raise_on_max_steps,
        max_cost=max_cost,
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
        engine: Engine,
        *,
        tools: Iterable[ToolLike],
        max_steps: int,
        max_concurrency: int,
        tool_timeout: float | None,
        raise_on_tool_error: bool,
        raise_on_max_steps: bool,
        max_cost: float | None,
        params: dict[str, Any],
    ) -> None:
        check_int("max_steps", max_steps, minimum=1)
        check_int("max_concurrency", max_concurrency, minimum=1)
        if tool_timeout is not None:
            check_number("tool_timeout", tool_timeout, above=True)
        if max_cost is not None:
            check_number("max_cost", max_cost, above=True)
        if "stream" in params:
            raise InvalidRequestError("stream", "use run_tools_stream to stream a tool run")
        self.engine = engine
        self.definitions, self.local, self.external = prepare_tools(tools)
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
        self.max_cost = max_cost
        self.spent: float | None = None  # the cost the steps reported, for max_cost
        self.warned_no_cost = False

    async def events(self, *, stream: bool) -> AsyncGenerator[ToolRunEvent, None]:
        unanswered = _unanswered_calls(self.history)
        if unanswered:
            for result in await self.answer(unanswered, step=0):
                yield result
        for step in range(1, self.max_steps + 1):
            if self.max_cost is not None and self.spent is not None and self.spent >= self.max_cost:
                self.stop_reason = "max_cost"
                return
            request = {**self.params, "input": list(self.history)}
            if self.definitions:
                request["tools"] = self.definitions
            if stream:
                async with self.engine.stream(**request) as turn:
                    async for event in turn:
                        yield event
                    response = await turn.final_response()
            else:
                response = await self.engine.create(**request)
            self.steps.append(response)
            if self.max_cost is not None:
                self.count_cost(response, step)
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

    def count_cost(self, response: Response, step: int) -> None:
        """Add a step's cost to what ``max_cost`` is held against; warn once of a step without."""
        cost = None if response.usage is None else response.usage.cost
        if cost is not None:
            self.spent = cost if self.spent is None else self.spent + cost
        elif not self.warned_no_cost:
            self.warned_no_cost = True
            logger.warning(
                "tool run: step %d reported no cost, so max_cost=%g cannot count it "
                "(the cap counts only the costs servers report)",
                step,
                self.max_cost,
            )

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
        return ToolResult(call=call, output=to_output(value), step=step)


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
