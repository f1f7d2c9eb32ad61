"""The request engine: a call prepared, sent and retried, and a stream opened over its source.

``RequestEngine`` owns what every call shares (the transport, the endpoint, the client-wide
timeout and retry policy) and does the work of ``client.responses.create``, ``.stream`` and
``.compact``: ``create`` and ``stream`` are its bound methods, so a request passes through no
frame of the face.

The helpers (tools, structured output, conversations, batches) depend on ``Engine``, the small
protocol below, not on the client: whatever can create, stream and compact can run them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any, Final, Protocol, Union, cast

import attrs
from typing_extensions import Unpack

from ._errors import APIConnectionError, APIStatusError
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
    "HasEngine",
    "RequestEngine",
    "ResponseCreateArgs",
    "engine_of",
]

logger = logging.getLogger("openresponses")

_ENDPOINT: Final = "POST /responses"
_COMPACT_ENDPOINT: Final = "POST /responses/compact"
_STREAM_HEADERS: Final[Mapping[str, str]] = {"Accept": "text/event-stream"}


class ResponseCreateArgs(ResponseCreateParams, total=False):
    """Every request body field, plus the options of one call, which are not sent as such."""

    timeout: TimeoutTypes
    max_retries: int
    extra_headers: Mapping[str, str]
    extra_body: Mapping[str, Any]
    extra_query: Mapping[str, str]


class CompactArgs(CompactParams, total=False):
    """The compaction body fields, plus the options of one call (those of ``create``)."""

    timeout: TimeoutTypes
    max_retries: int
    extra_headers: Mapping[str, str]
    extra_body: Mapping[str, Any]
    extra_query: Mapping[str, str]


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
    """One prepared request: where it goes, its body and what the call's options resolved to."""

    __slots__ = ("body", "headers", "policy", "query", "timeout", "url")

    def __init__(
        self,
        url: str,
        body: bytes,
        headers: Mapping[str, str] | None,
        query: Mapping[str, str] | None,
        timeout: Timeout,
        policy: RetryPolicy,
    ) -> None:
        self.url = url
        self.body = body
        self.headers = headers
        self.query = query
        self.timeout = timeout
        self.policy = policy


class RequestEngine:
    """Sends ``POST {base_url}/responses`` (and ``/responses/compact``) through ``transport``: the
    ``Engine`` of a client."""

    __slots__ = (
        "_compact_url",
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
    ) -> None:
        self._transport = transport
        self._url = url
        self._compact_url = f"{url}/compact"
        self._timeout = timeout
        self._policy = policy
        self._policy_variants: dict[int, RetryPolicy] = {}
        self._max_event_bytes = max_event_bytes

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
        info, data = await self._post(call, _COMPACT_ENDPOINT)
        compacted = parse_compacted(data)
        attach_http_info(compacted, info)
        return compacted

    async def _post(self, call: _Call, what: str) -> tuple[HTTPInfo, Any]:
        """POST ``call`` with retries: the answer's status and headers, and its JSON object (the
        raw bytes when it is not one, for the reader's error to carry)."""
        transport = self._transport
        retrier: Retrier | None = None
        started = time.monotonic()
        while True:
            try:
                status, headers, raw = await transport.request(
                    call.url,
                    call.body,
                    headers=call.headers,
                    params=call.query,
                    timeout=call.timeout,
                )
                data = loads(raw)
                if data.__class__ is dict and is_error_body(data):
                    raise body_error(headers, transport.redact(raw))
                break
            except (APIConnectionError, APIStatusError) as exc:
                if retrier is None:
                    retrier = Retrier(call.policy, what, started=started)
                if not await retrier.backoff(exc):
                    raise
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

        return AsyncResponseStream(
            connect,
            timeout=call.timeout,
            policy=call.policy,
            what=f"{_ENDPOINT} (stream)",
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
        data = dumps(body)
        headers: Mapping[str, str] | None = _STREAM_HEADERS if stream else None
        if extra_headers:
            headers = {**headers, **extra_headers} if headers else dict(extra_headers)
        policy = self._policy
        if max_retries is not None and max_retries != policy.max_retries:
            # Batches pass the same override on every call: build each variant once.
            variant = self._policy_variants.get(max_retries)
            if variant is None:
                variant = attrs.evolve(policy, max_retries=max_retries)
                self._policy_variants[max_retries] = variant
            policy = variant
        call = _Call(
            url,
            data,
            headers,
            extra_query or None,
            self._timeout if timeout is None else to_timeout(timeout, self._timeout),
            policy,
        )
        if logger.isEnabledFor(logging.DEBUG):
            sent = dict(self._transport.default_headers)
            sent.update(headers or {})
            logger.debug(
                "%s%s to %s: %d bytes, headers %s",
                _ENDPOINT if stream is not None else _COMPACT_ENDPOINT,
                " (stream)" if stream else "",
                url,
                len(data),
                redact_headers(sent),
            )
        return call
