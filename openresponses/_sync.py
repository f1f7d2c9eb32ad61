"""The blocking facade: ``Client`` drives an ``AsyncClient`` on an event loop in its own thread.

Nothing here retries, times out or parses: every method forwards to its async twin through the
one-line descriptors of ``_blocking``. The loop is an ``anyio`` blocking portal, one per client,
started on first use, so a call works from any thread, including one that already runs a loop
(a Jupyter cell, code inside ``asyncio.run``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Any, TypeVar, Union, cast, overload

from typing_extensions import Self, Unpack

from ._blocking import (
    BlockingStream,
    _arguments_of,
    _Blocking,
    _Forwarder,
    _Streaming,
)
from ._catalog import AsyncGenerations, AsyncModels
from ._client import AsyncClient, AsyncResponses
from ._connection import DEFAULT_HEARTBEAT, AsyncResponsesConnection
from ._engine import ResponseCreateArgs
from ._hooks import Hook
from ._options import Timeout
from ._portal import CLOSED_MESSAGE, Portal, Runtime
from ._retry import RetryPolicy
from ._streaming import AsyncResponseStream
from .batch import AsyncBatchIterator, BatchResult, BatchSummary
from .conversation import AsyncConversation, Trim
from .parsing import ParsedResponse
from .tools import AsyncToolRunStream, ToolResult, ToolRunResult
from .types import Item, Response, StreamEvent, UsageTotals

# What the package root re-exports (one row of its lazy table).
__all__ = [
    "BatchIterator",
    "Client",
    "Conversation",
    "Generations",
    "Models",
    "ResponseStream",
    "Responses",
    "ResponsesConnection",
    "ToolRunStream",
]

_T = TypeVar("_T")


def _text_deltas(stream: AsyncResponseStream) -> AsyncIterator[str]:
    return stream.text_deltas()


async def _final_response(stream: AsyncResponseStream) -> Response:
    return await stream.final_response()


class ResponseStream(BlockingStream[AsyncResponseStream, StreamEvent]):
    """The blocking twin of ``AsyncResponseStream``: ``with client.responses.stream(...) as s:``.

    Iterate it for typed events, or read ``text_deltas()``; ``final_response()`` then returns the
    Response (or raises ``StreamError`` carrying it), all exactly as the async stream does. Read a
    stream one way: events or text deltas, then its final response. Leaving the ``with`` block
    (or ``close()``, from any thread) closes the stream, and returns once the HTTP response is
    released.
    """

    __slots__ = ()

    def __init__(
        self, runtime: Runtime, manager: AbstractAsyncContextManager[AsyncResponseStream]
    ) -> None:
        super().__init__(runtime, manager, finish=_final_response)

    def text_deltas(self) -> Iterator[str]:
        """The output text deltas only (errors are raised as by the event iteration)."""
        return cast("Iterator[str]", self._read("text deltas", _text_deltas).items())

    def final_response(self) -> Response:
        """Read the rest of the stream; the Response for ``completed``/``incomplete``.

        ``StreamError`` (carrying the partial Response) for a failed, errored, cut-off or
        closed stream; ``APITimeoutError`` when a deadline passed.
        """
        return cast("Response", self._result())

    @property
    def status_code(self) -> int:
        """The HTTP status of the streaming response."""
        return self._opened().status_code

    @property
    def headers(self) -> Any:
        """The HTTP headers of the streaming response (a case-insensitive mapping)."""
        return self._opened().headers

    @property
    def generation_id(self) -> str | None:
        """``X-Generation-Id`` (OpenRouter), else ``x-request-id``."""
        return self._opened().generation_id

    @property
    def current_response(self) -> Response | None:
        """The Response rebuilt from the events read so far; ``None`` before the first one."""
        return self._opened().current_response

    def __repr__(self) -> str:
        return f"<ResponseStream {self._stream!r}>"


# -- the client ---------------------------------------------------------------------------------


class ToolRunStream(BlockingStream[AsyncToolRunStream, Union[StreamEvent, ToolResult]]):
    """The blocking twin of ``AsyncToolRunStream``: events of every turn and each ``ToolResult``."""

    __slots__ = ()

    def __init__(self, runtime: Runtime, manager: AsyncToolRunStream) -> None:
        super().__init__(runtime, manager, finish=_final_result)

    def final_result(self) -> ToolRunResult:
        """Read the rest; the run's result (or what ended it)."""
        return cast("ToolRunResult", self._result())


async def _final_result(stream: AsyncToolRunStream) -> ToolRunResult:
    return await stream.final_result()


class BatchIterator(BlockingStream[AsyncBatchIterator, tuple[int, BatchResult]]):
    """The blocking twin of ``AsyncBatchIterator``: ``(index, result)`` pairs as they complete."""

    __slots__ = ("_batch",)

    def __init__(self, runtime: Runtime, manager: AsyncBatchIterator) -> None:
        super().__init__(runtime, manager)
        self._batch = manager

    @property
    def summary(self) -> BatchSummary:
        """What the batch did so far (see ``AsyncBatchIterator.summary``)."""
        return self._batch.summary


class Responses(_Forwarder[AsyncResponses]):
    """``client.responses``: create a response, or stream one (blocking)."""

    __slots__ = ()

    create = _Blocking(AsyncResponses.create)
    stream = _Streaming(AsyncResponses.stream, ResponseStream)
    compact = _Blocking(AsyncResponses.compact)
    batch = _Blocking(AsyncResponses.batch)
    batch_to_file = _Blocking(AsyncResponses.batch_to_file)
    batch_iter = _Streaming(AsyncResponses.batch_iter, BatchIterator)

    # Spelled out: an overloaded method passes only its first overload through a ParamSpec.
    @overload
    def parse(
        self, *, text_format: type[_T], **params: Unpack[ResponseCreateArgs]
    ) -> ParsedResponse[_T]: ...
    @overload
    def parse(
        self, *, text_format: Mapping[str, Any], **params: Unpack[ResponseCreateArgs]
    ) -> ParsedResponse[Any]: ...
    def parse(
        self, *, text_format: type[Any] | Mapping[str, Any], **params: Unpack[ResponseCreateArgs]
    ) -> ParsedResponse[Any]:
        """Structured output parsed into ``text_format``: see ``openresponses.parsing``."""
        runtime, responses = self._target()
        return runtime.call(_parse, responses, text_format, params)

    def connect(
        self,
        *,
        heartbeat: float | None = DEFAULT_HEARTBEAT,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> ResponsesConnection:
        connection = self._portal.client.responses.connect(
            heartbeat=heartbeat, extra_headers=extra_headers, extra_query=extra_query
        )
        return ResponsesConnection(self._portal, lambda _client: connection)

    connect.__doc__ = AsyncResponses.connect.__doc__

    # run and run_stream take a blocking connection: the async loop gets its async one.
    def run(self, /, **params: Any) -> ToolRunResult:
        runtime, responses = self._target()
        return runtime.call(responses.run, **_with_async_connection(params))

    run.__doc__ = AsyncResponses.run.__doc__

    def run_stream(self, /, **params: Any) -> ToolRunStream:
        runtime, responses = self._target()
        return ToolRunStream(runtime, responses.run_stream(**_with_async_connection(params)))

    run_stream.__doc__ = AsyncResponses.run_stream.__doc__


async def _parse(
    responses: AsyncResponses, text_format: Any, params: ResponseCreateArgs
) -> ParsedResponse[Any]:
    return await responses.parse(text_format=text_format, **params)


class ResponsesConnection(_Forwarder[AsyncResponsesConnection]):
    """The blocking twin of ``AsyncResponsesConnection``: one WebSocket, turns without a new
    HTTP request each.

    ::

        with Client() as client, client.responses.connect() as conn:
            first = conn.create(model="m", input="Hi")
            with conn.stream(model="m", input="And then?") as stream:
                for text in stream.text_deltas():
                    print(text, end="")

    One turn at a time: a call from another thread waits for the turn under way; one from the
    thread whose stream of this connection is still open raises ``RuntimeError`` at once (it
    would wait for itself). The tool loop and conversations run their turns on the client's
    loop thread, so do not start one over this connection inside an open stream of it: it would
    wait for that stream. Leaving the ``with`` block (or :meth:`close`) closes the socket.
    """

    __slots__ = ()

    compact = _Blocking(AsyncResponsesConnection.compact)

    # Spelled out rather than forwarded by descriptors: the turn's owner is the calling thread,
    # so that a second turn from the thread of an open stream fails instead of waiting forever.
    def create(self, **params: Unpack[ResponseCreateArgs]) -> Response:
        """One turn, read to its final Response (see ``AsyncResponsesConnection.create``)."""
        runtime, connection = self._target()
        return runtime.call(connection._create, params, threading.get_ident())

    def stream(self, **params: Unpack[ResponseCreateArgs]) -> ResponseStream:
        """One turn, streamed: ``with conn.stream(...) as stream:`` (see
        ``AsyncResponsesConnection.stream``)."""
        runtime, connection = self._target()
        return ResponseStream(runtime, connection._stream(params, threading.get_ident())[0])

    @property
    def connection(self) -> AsyncResponsesConnection:
        """The async connection this forwards to."""
        return self._locate(self._portal.client)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` ran; a closed connection refuses turns."""
        return self.connection.closed

    def __enter__(self) -> Self:
        runtime, connection = self._target()
        runtime.call(connection.open)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the socket and wait for the close (idempotent; a closed client closed it)."""
        if self._portal.state == "closed":
            return
        runtime, connection = self._target()
        runtime.call(connection.aclose)

    def __repr__(self) -> str:
        return repr(self.connection).replace("AsyncResponsesConnection", "ResponsesConnection", 1)


# The blocking spelling of `connection=` (see AsyncClient.conversation).
Connection = ResponsesConnection


def _async_connection(connection: object) -> Any:
    """A blocking connection's async one (anything else is left to the async check)."""
    return connection.connection if isinstance(connection, ResponsesConnection) else connection


def _with_async_connection(params: dict[str, Any]) -> dict[str, Any]:
    if "connection" in params:
        params["connection"] = _async_connection(params["connection"])
    return params


class Conversation(_Forwarder[AsyncConversation]):
    """The blocking twin of ``openresponses.AsyncConversation`` (from ``Client.conversation``).

    ``send`` and ``stream`` block; ``history``, ``to_json`` and ``save`` are the async
    conversation's own, which do no I/O on the loop (so they work before the first turn and
    after the client is closed). ``load`` and ``from_json`` read a saved conversation back.
    """

    __slots__ = ()

    send = _Blocking(AsyncConversation.send)
    stream = _Streaming(AsyncConversation.stream, ResponseStream)
    compact = _Blocking(AsyncConversation.compact)

    @classmethod
    def from_json(
        cls, client: Client, data: str | bytes, *, trim: Trim | None = None, **defaults: Any
    ) -> Conversation:
        """Rebuild a conversation saved by ``to_json``, on ``client`` (see the async twin)."""
        portal = client._portal
        conversation = AsyncConversation.from_json(portal.client, data, trim=trim, **defaults)
        return cls(portal, lambda _client: conversation)

    @classmethod
    def load(
        cls,
        client: Client,
        path: str | os.PathLike[str],
        *,
        trim: Trim | None = None,
        **defaults: Any,
    ) -> Conversation:
        """Read a file written by ``save``, on ``client``; keywords override what was saved."""
        portal = client._portal
        conversation = AsyncConversation.load(portal.client, path, trim=trim, **defaults)
        return cls(portal, lambda _client: conversation)

    @property
    def conversation(self) -> AsyncConversation:
        """The async conversation this forwards to (history, defaults, ``to_json``, ``save``)."""
        # Not through _target(): reading the history must not start (or need) the loop.
        return self._locate(self._portal.client)

    @property
    def history(self) -> list[Any]:
        """Every item sent and received so far (a plain list: edit it between turns)."""
        return self.conversation.history

    @history.setter
    def history(self, items: list[Any]) -> None:
        self.conversation.history = items

    @property
    def usage(self) -> UsageTotals:
        """Tokens and cost since the conversation was created or loaded, compactions included
        (see ``openresponses.AsyncConversation.usage``)."""
        return self.conversation.usage

    def to_json(self) -> str:
        """The conversation as JSON (see ``openresponses.AsyncConversation.to_json``)."""
        return self.conversation.to_json()

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write ``to_json()`` to a file."""
        self.conversation.save(path)


def _responses(client: AsyncClient) -> AsyncResponses:
    return client.responses


class Generations(_Forwarder[AsyncGenerations]):
    """``client.generations``: OpenRouter's stats of one generation (blocking)."""

    __slots__ = ()

    get = _Blocking(AsyncGenerations.get)


class Models(_Forwarder[AsyncModels]):
    """``client.models``: OpenRouter's model catalogue (blocking)."""

    __slots__ = ()

    get = _Blocking(AsyncModels.get)
    list = _Blocking(AsyncModels.list)


def _generations(client: AsyncClient) -> AsyncGenerations:
    return client.generations


def _models(client: AsyncClient) -> AsyncModels:
    return client.models


class Client:
    """The blocking twin of ``AsyncClient``: the same arguments, methods, results and errors.

    ``with Client() as client: client.responses.create(...)``. Its event loop thread starts on
    first use and stops in :meth:`close`. One client may serve many threads at once, and code
    that runs an event loop already (Jupyter); not code running on its own loop thread.
    """

    @_arguments_of(AsyncClient.__init__)
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._portal = Portal(AsyncClient(*args, **kwargs))
        self.responses = Responses(self._portal, _responses)
        self.generations = Generations(self._portal, _generations)
        self.models = Models(self._portal, _models)

    def conversation(
        self,
        *,
        history: Iterable[Item | Mapping[str, Any]] = (),
        trim: Trim | None = None,
        compact_at_tokens: int | None = None,
        connection: Connection | None = None,
        **defaults: Unpack[ResponseCreateArgs],
    ) -> Conversation:
        """A conversation that resends its whole history each turn (blocking twin of
        ``AsyncClient.conversation``); with ``connection``, its turns go over that WebSocket."""
        conversation = self._portal.client.conversation(
            history=history,
            trim=trim,
            compact_at_tokens=compact_at_tokens,
            connection=_async_connection(connection),
            **defaults,
        )
        return Conversation(self._portal, lambda _client: conversation)

    @property
    def base_url(self) -> str:
        """The base URL requests go under (no trailing slash)."""
        return self._portal.client.base_url

    @property
    def timeout(self) -> Timeout:
        """The client-wide deadlines."""
        return self._portal.client.timeout

    @property
    def max_retries(self) -> int:
        """Retries after a failed first attempt, client-wide."""
        return self._portal.client.max_retries

    @property
    def retry_policy(self) -> RetryPolicy:
        """The client-wide retry policy."""
        return self._portal.client.retry_policy

    @property
    def hooks(self) -> tuple[Hook, ...]:
        """This client's own hooks (see ``AsyncClient.hooks``); they run on its loop thread."""
        return self._portal.client.hooks

    @property
    def is_closed(self) -> bool:
        """Whether :meth:`close` ran; a closed client refuses calls."""
        return self._portal.state == "closed"

    def close(self) -> None:
        """Close the open streams and the connection pool, then stop the loop thread; idempotent."""
        self._portal.close()

    def __enter__(self) -> Self:
        if self.is_closed:
            raise RuntimeError(CLOSED_MESSAGE)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Client base_url={self.base_url!r} {self._portal.state}>"
