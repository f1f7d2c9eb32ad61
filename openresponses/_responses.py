"""``client.responses``: ``AsyncResponses``, the engine's calls and the helpers wired on top.

``create`` and ``stream`` are the engine's own bound methods (no frame of this face per request);
``compact``, ``connect`` and the helpers (tool runs, structured output, batches) are given the
engine, or a WebSocket connection as the engine. The helper modules load on first use: importing
them would cost more than the rest of the client.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, overload

from typing_extensions import Unpack

from ._engine import CompactArgs, Engine, RequestEngine, ResponseCreateArgs
from ._streaming import AsyncResponseStream
from .types import CompactedResponse, Response

if TYPE_CHECKING:
    from ._batch_file import BatchFileRequests, BatchFileSummary
    from ._connection import AsyncResponsesConnection
    from .batch import AsyncBatchIterator, BatchRequests, BatchResults, ProgressCallback
    from .parsing import ParsedResponse
    from .tools import AsyncToolRunStream, ToolRunResult

_T = TypeVar("_T")

__all__ = ["AsyncResponses"]


class AsyncResponses:
    """``client.responses``: create a response, or stream one."""

    def __init__(self, engine: RequestEngine) -> None:
        self._engine = engine
        # The engine's bound methods answer per instance, shadowing the methods below (which
        # stay for the class: its documentation, and the blocking twins built from it), so a
        # request costs no frame of the face.
        vars(self).update(create=engine.create, stream=engine.stream)

    async def create(self, **params: Unpack[ResponseCreateArgs]) -> Response:
        return await self._engine.create(**params)

    create.__doc__ = RequestEngine.create.__doc__

    def stream(self, **params: Unpack[ResponseCreateArgs]) -> AsyncResponseStream:
        return self._engine.stream(**params)

    stream.__doc__ = RequestEngine.stream.__doc__

    async def compact(self, **params: Unpack[CompactArgs]) -> CompactedResponse:
        return await self._engine.compact(**params)

    compact.__doc__ = RequestEngine.compact.__doc__

    # -- helpers built on the engine (their modules load on first use)

    def connect(
        self,
        *,
        heartbeat: float | None = 30.0,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> AsyncResponsesConnection:
        """A WebSocket to ``{base_url}/responses`` (Open Responses WebSocket mode), opened by
        ``async with``: turns without a new HTTP request each. See ``AsyncResponsesConnection``.

        ``heartbeat``: seconds between pings that keep an idle socket alive (``None``: none);
        ``extra_headers`` and ``extra_query`` go with the handshake. OpenRouter has no WebSocket
        endpoint: use HTTP there.
        """
        from ._connection import AsyncResponsesConnection

        return AsyncResponsesConnection(
            self._engine, heartbeat=heartbeat, extra_headers=extra_headers, extra_query=extra_query
        )

    async def run(self, /, **params: Any) -> ToolRunResult:
        """Run the tool-calling loop: ``tools=[...]``, ``max_steps``, ``max_concurrency``,
        ``tool_timeout``, ``raise_on_tool_error``, ``raise_on_max_steps``, ``max_cost`` (USD),
        and every ``create`` keyword. See ``openresponses.tools.run_tools``. ``connection=``
        (from :meth:`connect`) sends every turn over that WebSocket.
        """
        from .tools import run_tools

        engine = self._engine_for(params.pop("connection", None))
        return await run_tools(engine, **params)

    def run_stream(self, /, **params: Any) -> AsyncToolRunStream:
        """The tool-calling loop, streaming each turn: ``openresponses.tools.run_tools_stream``
        (``connection=`` as for :meth:`run`)."""
        from .tools import run_tools_stream

        return run_tools_stream(self._engine_for(params.pop("connection", None)), **params)

    def _engine_for(self, connection: object) -> Engine:
        if connection is None:
            return self._engine
        from ._connection import engine_for

        return engine_for(self._engine, connection)

    @overload
    async def parse(
        self, *, text_format: type[_T], **params: Unpack[ResponseCreateArgs]
    ) -> ParsedResponse[_T]: ...
    @overload
    async def parse(
        self, *, text_format: Mapping[str, Any], **params: Unpack[ResponseCreateArgs]
    ) -> ParsedResponse[Any]: ...
    async def parse(
        self, *, text_format: type[Any] | Mapping[str, Any], **params: Unpack[ResponseCreateArgs]
    ) -> ParsedResponse[Any]:
        """Structured output parsed into ``text_format``: see ``openresponses.parsing``."""
        from .parsing import parse_response

        return await parse_response(self._engine, text_format=text_format, **params)

    async def batch(
        self,
        requests: BatchRequests,
        *,
        concurrency: int = 64,
        requests_per_minute: float | None = None,
        return_exceptions: bool = True,
        max_retries: int | None = None,
        progress: ProgressCallback | bool | None = None,
        max_cost: float | None = None,
    ) -> BatchResults:
        """Send many requests concurrently; results in input order, a ``list`` with a
        ``summary``; ``max_cost`` (USD) stops starting requests once they spent it: see
        ``openresponses.batch.run_batch``."""
        from .batch import run_batch

        return await run_batch(
            self._engine,
            requests,
            concurrency=concurrency,
            requests_per_minute=requests_per_minute,
            return_exceptions=return_exceptions,
            max_retries=max_retries,
            progress=progress,
            max_cost=max_cost,
        )

    async def batch_to_file(
        self,
        requests: BatchFileRequests,
        output: str | os.PathLike[str],
        *,
        concurrency: int = 64,
        requests_per_minute: float | None = None,
        max_retries: int | None = None,
        max_cost: float | None = None,
        progress: ProgressCallback | bool | None = None,
        defaults: Mapping[str, Any] | None = None,
    ) -> BatchFileSummary:
        """Send every request of a JSONL file (or an iterable), each with a ``custom_id``,
        appending one result line to ``output`` as each completes (OpenAI's batch output shape).

        The same call again resumes: it skips the ids ``output`` holds, except those whose error
        was transient (connection, 401/402, 408/409/429, 5xx), which run again. Duplicate or
        missing ids are refused before anything is sent (a one-shot iterator is checked as it
        is read). ``defaults``: fields for requests without them (``{"model": ...}``); the rest
        is as for :meth:`batch`. Returns a ``BatchFileSummary``."""
        from ._batch_file import run_batch_to_file

        return await run_batch_to_file(
            self._engine,
            requests,
            output,
            concurrency=concurrency,
            requests_per_minute=requests_per_minute,
            max_retries=max_retries,
            max_cost=max_cost,
            progress=progress,
            defaults=defaults,
        )

    def batch_iter(
        self,
        requests: BatchRequests,
        *,
        concurrency: int = 64,
        requests_per_minute: float | None = None,
        return_exceptions: bool = True,
        max_retries: int | None = None,
        progress: ProgressCallback | bool | None = None,
        max_cost: float | None = None,
    ) -> AsyncBatchIterator:
        """``(index, result)`` pairs as requests complete, and a live ``summary``; ``max_cost``
        as for :meth:`batch`: see ``openresponses.batch``."""
        from .batch import AsyncBatchIterator

        return AsyncBatchIterator(
            self._engine,
            requests,
            concurrency=concurrency,
            requests_per_minute=requests_per_minute,
            return_exceptions=return_exceptions,
            max_retries=max_retries,
            progress=progress,
            max_cost=max_cost,
        )
