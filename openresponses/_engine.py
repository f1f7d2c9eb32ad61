"""The request engine: a call prepared, sent and retried, and a stream opened over its source.

``RequestEngine`` owns what every call shares (the transport, the endpoint, the client-wide
timeout and retry policy, the hooks) and does the work of ``client.responses.create``, ``.stream``
and ``.compact``, and of the GETs of other resources (``get``): ``create`` and ``stream`` are its
bound methods, so a request passes through no frame of the face.

Hooks (``_hooks``): with none to call, a call reads one attribute for them and encodes its body
at once. With some, the body stays a dict until the call starts (``_begin``: at once for a plain
call, when the stream opens for a stream), so that ``on_request`` can add to it and its headers.

The helpers (tools, structured output, conversations, batches) depend on ``Engine``, the small
protocol below, not on the client: whatever can create, stream and compact can run them.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, Final, Protocol, TypedDict, TypeVar, Union, cast

import attrs
from typing_extensions import Unpack

from ._errors import APIConnectionError, APIStatusError, InvalidRequestError
from ._hooks import Dispatcher, HookSet, Tracker, call_url, start_call
from ._httpinfo import HTTPInfo, attach_http_info
from ._options import Timeout, TimeoutTypes, to_timeout
from ._redact import redact_headers
from ._request import build_compact_body, build_request_body
from ._retry import Retrier, RetryPolicy
from ._serde import dumps, loads, parse_compacted, parse_response
from ._sources import EventSource, body_error, is_error_body, open_http_source
from ._streaming import AsyncResponseStream
from ._transport import Transport
from .types import CompactedResponse, CompactParams, Response, ResponseCreateParams

__all__ = [
    "CompactArgs",
    "Engine",
    "EngineLike",
    "GetArgs",
    "HasEngine",
    "RequestEngine",
    "ResponseCreateArgs",
    "engine_of",
]

T = TypeVar("T")

logger = logging.getLogger("openresponses")

_ENDPOINT: Final = "POST /responses"
_COMPACT_ENDPOINT: Final = "POST /responses/compact"
_STREAM_WHAT: Final = f"{_ENDPOINT} (stream)"
_STREAM_HEADERS: Final[Mapping[str, str]] = {"Accept": "text/event-stream"}


class GetArgs(TypedDict, total=False):
    """The options of one call, which are not sent as such (all of them, for a GET)."""

    timeout: TimeoutTypes
    max_retries: int
    extra_headers: Mapping[str, str]
    extra_query: Mapping[str, str]


class ResponseCreateArgs(ResponseCreateParams, GetArgs, total=False):
    """Every request body field, the options of one call, and ``extra_body``."""

    extra_body: Mapping[str, Any]


class CompactArgs(CompactParams, GetArgs, total=False):
    """The compaction body fields, the options of one call, and ``extra_body``."""

    extra_body: Mapping[str, Any]


class Engine(Protocol):
    """What the helpers use: create a response, stream one, compact a history, and the retry
    policy in force (``RequestEngine`` documents each)."""

    @property
    def retry_policy(self) -> RetryPolicy: ...

    async def create(self, **params: Unpack[ResponseCreateArgs]) -> Response: ...

    def stream(self, **params: Unpack[ResponseCreateArgs]) -> AsyncResponseStream: ...

    async def compact(self, **params: Unpack[CompactArgs]) -> CompactedResponse: ...


class HasEngine(Protocol):
    """What holds an engine: an ``AsyncClient``, which users hand to the helpers."""

    @property
    def _engine(self) -> Engine: ...


EngineLike = Union[Engine, HasEngine]
"""What the helpers accept: an ``AsyncClient``, or an engine itself."""


def engine_of(client: EngineLike) -> Engine:
    """The engine behind ``client``: an ``AsyncClient``'s own, else ``client`` itself."""
    return cast("Engine", getattr(client, "_engine", client))


class _Call:
    """One prepared request: where it goes, its body and what the call's options resolved to.

    ``body`` is the encoded body, or, while ``hooks`` wait for the call to start, the dict (and
    ``None`` for a GET).
    """

    __slots__ = ("body", "headers", "hooks", "method", "policy", "query", "timeout", "url")

    def __init__(
        self,
        method: str,
        url: str,
        body: Any,
        headers: Mapping[str, str] | None,
        query: Mapping[str, str] | None,
        timeout: Timeout,
        policy: RetryPolicy,
        hooks: Dispatcher | None,
    ) -> None:
        self.method = method
        self.url = url
        self.body = body
        self.headers = headers
        self.query = query
        self.timeout = timeout
        self.policy = policy
        self.hooks = hooks


class RequestEngine:
    """Sends ``POST {base_url}/responses`` (and ``/responses/compact``, and the GETs of ``get``)
    through ``transport``: the ``Engine`` of a client."""

    __slots__ = (
        "_base_url",
        "_compact_url",
        "_hooks",
        "_max_event_bytes",
        "_policy",
        "_policy_variants",
        "_timeout",
        "_transport",
        "_url",
    )

    def __init__(
        self,
        transport: Transport,
        url: str,
        *,
        timeout: Timeout,
        policy: RetryPolicy,
        max_event_bytes: int | None,
        hooks: HookSet | None = None,
    ) -> None:
        self._transport = transport
        self._url = url
        self._base_url = url.removesuffix("/responses")
        self._compact_url = f"{url}/compact"
        self._timeout = timeout
        self._policy = policy
        self._policy_variants: dict[int, RetryPolicy] = {}
        self._max_event_bytes = max_event_bytes
        self._hooks = HookSet() if hooks is None else hooks

    @property
    def timeout(self) -> Timeout:
        """The deadlines of a call that sets none."""
        return self._timeout

    @property
    def transport(self) -> Transport:
        """The client's transport (a WebSocket connection opens on its session)."""
        return self._transport

    @property
    def url(self) -> str:
        """``{base_url}/responses``."""
        return self._url

    @property
    def max_event_bytes(self) -> int | None:
        """The bound on one stream event (``None``: none)."""
        return self._max_event_bytes

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy of a call that sets no ``max_retries``."""
        return self._policy

    @property
    def hooks(self) -> HookSet:
        """The client's hooks, and the dispatcher of those and the process-wide ones."""
        return self._hooks

    async def create(self, **params: Unpack[ResponseCreateArgs]) -> Response:
        """Create a response and wait for all of it.

        Every request field is a keyword argument (attrs objects or wire-shaped dicts); the
        per-call options are ``timeout``, ``max_retries``, ``extra_headers``, ``extra_body`` and
        ``extra_query``. ``openresponses.http_info(response)`` gives the HTTP status and headers.

        An HTTP 200 whose body is an error (``{"error": ...}`` with no ``id`` nor ``output``, as
        OpenRouter sends when an upstream fails late) raises an ``APIStatusError``: a numeric
        ``error.code`` of 400-599 picks the subclass for that status (``status_code`` is that
        code, ``BadGatewayError`` for 502, ...) and the retry policy treats it as that status,
        so transient ones are retried; any other code gives a plain ``APIStatusError`` with
        ``status_code`` 200, retried only for the transient in-band codes (``server_error``,
        ``rate_limit_exceeded``, ...). ``.body`` holds the body either way.
        """
        call = self._prepare(params, False)
        if call.hooks is not None:
            return (await self._hooked(call, "create", _ENDPOINT, parse_response, True))[1]
        info, data = await self._post(call, _ENDPOINT)
        response = parse_response(data)
        attach_http_info(response, info)
        return response

    async def compact(self, **params: Unpack[CompactArgs]) -> CompactedResponse:
        """Compact a history: ``POST {base_url}/responses/compact`` (Open Responses; OpenRouter
        has no such endpoint).

        ``model`` is required; ``input`` (what ``create`` takes), ``instructions``,
        ``previous_response_id`` and ``prompt_cache_key`` are the other fields, and the per-call
        options are those of ``create``. Bad values raise ``InvalidRequestError`` before anything
        is sent; statuses, error bodies under HTTP 200, retries and timeouts are as for
        ``create``, and so is ``openresponses.http_info(compacted)``. The items of
        ``compacted.output`` are valid ``input`` to the next ``create`` as they are::

            compacted = await client.responses.compact(model="m", input=history)
            next_turn = {"role": "user", "content": "Go on."}
            await client.responses.create(model="m", input=[*compacted.output, next_turn])
        """
        call = self._prepare(params, None)
        if call.hooks is not None:
            hooked = self._hooked(call, "compact", _COMPACT_ENDPOINT, parse_compacted, True)
            return (await hooked)[1]
        info, data = await self._post(call, _COMPACT_ENDPOINT)
        compacted = parse_compacted(data)
        attach_http_info(compacted, info)
        return compacted

    async def get(
        self,
        path: str,
        parse: Callable[[Any], T],
        *,
        operation: str,
        query: Mapping[str, str] | None = None,
        **options: Unpack[GetArgs],
    ) -> tuple[HTTPInfo, T]:
        """``GET {base_url}{path}``: the answer's status and headers, and ``parse`` of its JSON
        value.

        ``operation`` names the call to the hooks (``"models.list"``); ``query`` is the query
        string, which ``extra_query`` adds to. The options are ``timeout``, ``max_retries``,
        ``extra_headers`` and ``extra_query``; errors (statuses, an error body under HTTP 200),
        retries and ``timeout.total`` are as for ``create``, and a body that is not JSON raises
        ``ResponseValidationError`` carrying it. The hooks' ``on_response`` gets what ``parse``
        returned.
        """
        call = self._prepare_get(path, query, cast("dict[str, Any]", options))
        what = f"GET {path}"

        def read(data: Any) -> T:
            # _post hands back the bytes of an answer that is not an object: decode them.
            return parse(data if data.__class__ is dict else loads(data))

        if call.hooks is not None:
            return await self._hooked(call, operation, what, read, False)
        info, data = await self._post(call, what)
        return info, read(data)

    async def _hooked(
        self, call: _Call, operation: str, what: str, parse: Callable[[Any], T], attach: bool
    ) -> tuple[HTTPInfo, T]:
        """A plain call with hooks: start it, send it, parse the answer, report its end."""
        tracker = self._begin(call, operation, what)
        try:
            info, data = await self._post(call, what, tracker)
            result = parse(data)
            if attach:
                attach_http_info(result, info)
        except BaseException as exc:
            tracker.fail(exc)
            raise
        tracker.finish(result)
        return info, result

    async def _post(
        self, call: _Call, what: str, tracker: Tracker | None = None
    ) -> tuple[HTTPInfo, Any]:
        """Send ``call`` with retries: the answer's status and headers, and its JSON object (the
        raw bytes when it is not one, for the reader's error to carry)."""
        transport = self._transport
        retrier: Retrier | None = None
        started = time.monotonic()
        while True:
            if tracker is not None:
                tracker.attempt()
            try:
                status, headers, raw = await transport.request(
                    call.url,
                    call.body,
                    headers=call.headers,
                    params=call.query,
                    timeout=call.timeout,
                    method=call.method,
                )
                if tracker is not None:
                    tracker.answered(status, headers)
                data = loads(raw)
                if data.__class__ is dict and is_error_body(data):
                    raise body_error(headers, transport.redact(raw))
                break
            except (APIConnectionError, APIStatusError) as exc:
                if retrier is None:
                    retrier = Retrier(call.policy, what, started=started, observer=tracker)
                if not await retrier.backoff(exc):
                    raise
        if tracker is not None:
            tracker.succeeded()
        info = HTTPInfo(status, headers)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s: HTTP %d, generation %s", what, status, info.generation_id)
        return info, data if data.__class__ is dict else raw

    def stream(self, **params: Unpack[ResponseCreateArgs]) -> AsyncResponseStream:
        """Stream a response: ``async with client.responses.stream(...) as stream:``.

        The request is sent when the ``async with`` block is entered; a refused request raises
        there (after retries). Bad parameters raise here, before anything is sent.

        A server that ignores ``stream: true`` and answers with a JSON body is understood: a
        response is delivered as its terminal event (``response.completed``, or ``.incomplete``
        / ``.failed`` after its status), so :meth:`AsyncResponseStream.final_response` works;
        an error body raises the ``APIStatusError`` that :meth:`create` would.
        """
        call = self._prepare(params, True)
        transport = self._transport
        url = self._url

        async def connect(deadline: float | None) -> EventSource:
            return await open_http_source(
                transport,
                url,
                call.body,
                headers=call.headers,
                params=call.query,
                timeout=call.timeout,
                deadline=deadline,
                max_event_bytes=self._max_event_bytes,
            )

        # With hooks, the call starts (and its body is encoded) when the stream opens.
        start = None
        if call.hooks is not None:
            start = functools.partial(self._begin, call, "stream", _STREAM_WHAT)
        return AsyncResponseStream(
            connect, timeout=call.timeout, policy=call.policy, what=_STREAM_WHAT, start=start
        )

    def _prepare(self, params: Any, stream: bool | None) -> _Call:
        """Split the call options off ``params`` (a fresh kwargs dict) and build the body.

        ``stream`` is the flag of a ``POST /responses`` body; ``None`` builds a compaction's.
        """
        if self._transport.closed:
            raise RuntimeError("this AsyncClient is closed; create a new one")
        timeout = params.pop("timeout", None)
        max_retries = params.pop("max_retries", None)
        extra_headers = params.pop("extra_headers", None)
        extra_body = params.pop("extra_body", None)
        extra_query = params.pop("extra_query", None)
        if stream is None:
            url, body = self._compact_url, build_compact_body(params)
        else:
            url, body = self._url, build_request_body(params)
        if extra_body:
            body.update(extra_body)
        if stream is not None:
            body["stream"] = stream
        headers: Mapping[str, str] | None = _STREAM_HEADERS if stream else None
        if extra_headers:
            headers = {**headers, **extra_headers} if headers else dict(extra_headers)
        policy = self._policy
        if max_retries is not None and max_retries != policy.max_retries:
            policy = self._policy_variant(max_retries)
        hooks = self._hooks.dispatcher
        call = _Call(
            "POST",
            url,
            body if hooks is not None else dumps(body),
            headers,
            extra_query or None,
            self._timeout if timeout is None else to_timeout(timeout, self._timeout),
            policy,
            hooks,
        )
        if hooks is None and logger.isEnabledFor(logging.DEBUG):
            what = _ENDPOINT if stream is not None else _COMPACT_ENDPOINT
            self._log_request(f"{what} (stream)" if stream else what, call)
        return call

    def _prepare_get(
        self, path: str, query: Mapping[str, str] | None, options: dict[str, Any]
    ) -> _Call:
        """A GET's call: its options checked (an unknown one is refused, naming it)."""
        if self._transport.closed:
            raise RuntimeError("this AsyncClient is closed; create a new one")
        timeout = options.pop("timeout", None)
        max_retries = options.pop("max_retries", None)
        extra_headers = options.pop("extra_headers", None)
        extra_query = options.pop("extra_query", None)
        for name in options:
            raise InvalidRequestError(
                name,
                "not an option of this call (timeout, max_retries, extra_headers, extra_query)",
            )
        policy = self._policy
        if max_retries is not None and max_retries != policy.max_retries:
            policy = self._policy_variant(max_retries)
        if extra_query:
            query = {**query, **extra_query} if query else dict(extra_query)
        return _Call(
            "GET",
            f"{self._base_url}{path}",
            None,
            dict(extra_headers) if extra_headers else None,
            query or None,
            self._timeout if timeout is None else to_timeout(timeout, self._timeout),
            policy,
            self._hooks.dispatcher,
        )

    def _policy_variant(self, max_retries: int) -> RetryPolicy:
        # Batches pass the same override on every call: build each variant once.
        variant = self._policy_variants.get(max_retries)
        if variant is None:
            variant = attrs.evolve(self._policy, max_retries=max_retries)
            self._policy_variants[max_retries] = variant
        return variant

    def _begin(self, call: _Call, operation: str, what: str) -> Tracker:
        """Start a call with hooks: ``on_request``, then encode the body it may have added to."""
        hooks = call.hooks
        if hooks is None:  # the callers start a call this way only when hooks are set
            raise RuntimeError("a call without hooks has nothing to start")
        tracker = start_call(
            hooks,
            operation,
            call.method,
            call_url(call.url, call.query),
            dict(call.headers) if call.headers else {},
            call.body,
            self._transport.default_headers,
        )
        info = tracker.call
        try:
            call.headers = info.headers or None
            call.body = None if info.body is None else dumps(info.body)
        except BaseException as exc:
            tracker.fail(exc)
            raise
        if logger.isEnabledFor(logging.DEBUG):
            self._log_request(what, call)
        return tracker

    def _log_request(self, what: str, call: _Call) -> None:
        sent = dict(self._transport.default_headers)
        sent.update(call.headers or {})
        size = 0 if call.body is None else len(call.body)
        logger.debug("%s to %s: %d bytes, headers %s", what, call.url, size, redact_headers(sent))
