"""``AsyncClient`` and its ``responses`` resource: configuration, request building, retries."""

from __future__ import annotations

import logging
import os
import ssl
import time
import warnings
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload
from urllib.parse import urlsplit

import attrs
from typing_extensions import Self, Unpack

from ._errors import (
    APIConnectionError,
    APIStatusError,
    InvalidRequestError,
)
from ._httpinfo import HTTPInfo, attach_http_info
from ._options import Timeout, TimeoutTypes, to_timeout
from ._redact import redact_headers
from ._request import build_request_body
from ._retry import Retrier, RetryPolicy
from ._serde import dumps, loads, parse_response
from ._sources import body_error, is_error_body, open_http_source
from ._sse import DEFAULT_MAX_EVENT_BYTES
from ._streaming import AsyncResponseStream
from ._transport import DEFAULT_CONNECTOR_LIMIT, DEFAULT_MAX_RESPONSE_BYTES, HTTPStream, Transport
from .types import Response, ResponseCreateParams

if TYPE_CHECKING:
    # The helpers sit above this module; their methods below import them on first use.
    from collections.abc import Iterable

    from .batch import AsyncBatchIterator, BatchRequests, BatchResult, ProgressCallback
    from .conversation import AsyncConversation, Trim
    from .parsing import ParsedResponse
    from .tools import AsyncToolRunStream, ToolRunResult
    from .types import Item

_T = TypeVar("_T")

__all__ = ["DEFAULT_BASE_URL", "AsyncClient", "AsyncResponses", "ResponseCreateArgs"]

DEFAULT_BASE_URL: Final = "https://openrouter.ai/api/v1"

logger = logging.getLogger("openresponses")


def _configure_logging() -> None:
    """``OPENRESPONSES_LOG=debug|info`` switches the ``openresponses`` logger on, to stderr."""
    level = {"debug": logging.DEBUG, "info": logging.INFO}.get(
        os.environ.get("OPENRESPONSES_LOG", "").strip().lower()
    )
    if level is None:
        return
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(level)


_configure_logging()


class ResponseCreateArgs(ResponseCreateParams, total=False):
    """Every request body field, plus the options of one call (``RequestOptions``).

    The option keys repeat ``RequestOptions`` because a ``typing.TypedDict`` cannot inherit
    from a ``typing_extensions`` one.
    """

    timeout: TimeoutTypes
    max_retries: int
    extra_headers: Mapping[str, str]
    extra_body: Mapping[str, Any]
    extra_query: Mapping[str, str]


_ENDPOINT: Final = "POST /responses"
_STREAM_HEADERS: Final[Mapping[str, str]] = {"Accept": "text/event-stream"}


class AsyncResponses:
    """``client.responses``: create a response, or stream one."""

    __slots__ = ("_client",)

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

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
        client = self._client
        call = client._prepare(params, stream=False)
        transport = client._transport
        retrier: Retrier | None = None
        started = time.monotonic()
        while True:
            try:
                status, headers, raw = await transport.request(
                    client._url,
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
                    retrier = Retrier(call.policy, _ENDPOINT, started=started)
                if not await retrier.backoff(exc):
                    raise
        info = HTTPInfo(status, headers)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s: HTTP %d, generation %s", _ENDPOINT, status, info.generation_id)
        # A non-object keeps the raw bytes as the error's payload.
        response = parse_response(data if data.__class__ is dict else raw)
        attach_http_info(response, info)
        return response

    def stream(self, **params: Unpack[ResponseCreateArgs]) -> AsyncResponseStream:
        """Stream a response: ``async with client.responses.stream(...) as stream:``.

        The request is sent when the ``async with`` block is entered; a refused request raises
        there (after retries). Bad parameters raise here, before anything is sent.

        A server that ignores ``stream: true`` and answers with a JSON body is understood: a
        response is delivered as its terminal event (``response.completed``, or ``.incomplete``
        / ``.failed`` after its status), so :meth:`AsyncResponseStream.final_response` works;
        an error body raises the ``APIStatusError`` that :meth:`create` would.
        """
        client = self._client
        call = client._prepare(params, stream=True)
        transport = client._transport
        url = client._url

        async def connect(deadline: float | None) -> HTTPStream:
            return await open_http_source(
                transport,
                url,
                call.body,
                headers=call.headers,
                params=call.query,
                timeout=call.timeout,
                deadline=deadline,
            )

        return AsyncResponseStream(
            connect,
            timeout=call.timeout,
            policy=call.policy,
            what=f"{_ENDPOINT} (stream)",
            max_event_bytes=client._max_event_bytes,
        )

    # -- helpers built on create and stream (their modules load on first use)

    async def run(self, /, **params: Any) -> ToolRunResult:
        """Run the tool-calling loop: ``tools=[...]``, ``max_steps``, ``max_concurrency``,
        ``tool_timeout``, ``raise_on_tool_error``, ``raise_on_max_steps``, and every ``create``
        keyword. See ``openresponses.tools.run_tools``.
        """
        from .tools import run_tools

        return await run_tools(self._client, **params)

    def run_stream(self, /, **params: Any) -> AsyncToolRunStream:
        """The tool-calling loop, streaming each turn: ``openresponses.tools.run_tools_stream``."""
        from .tools import run_tools_stream

        return run_tools_stream(self._client, **params)

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

        return await parse_response(self._client, text_format=text_format, **params)

    async def batch(
        self,
        requests: BatchRequests,
        *,
        concurrency: int = 64,
        requests_per_minute: float | None = None,
        return_exceptions: bool = True,
        max_retries: int | None = None,
        progress: ProgressCallback | bool | None = None,
    ) -> list[BatchResult]:
        """Send many requests concurrently; results in input order: see ``openresponses.batch``."""
        from .batch import run_batch

        return await run_batch(
            self._client,
            requests,
            concurrency=concurrency,
            requests_per_minute=requests_per_minute,
            return_exceptions=return_exceptions,
            max_retries=max_retries,
            progress=progress,
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
    ) -> AsyncBatchIterator:
        """``(index, result)`` pairs as requests complete: see ``openresponses.batch``."""
        from .batch import AsyncBatchIterator

        return AsyncBatchIterator(
            self._client,
            requests,
            concurrency=concurrency,
            requests_per_minute=requests_per_minute,
            return_exceptions=return_exceptions,
            max_retries=max_retries,
            progress=progress,
        )


class _Call:
    """One prepared request: its body and what the call's options resolved to."""

    __slots__ = ("body", "headers", "policy", "query", "timeout")

    def __init__(
        self,
        body: bytes,
        headers: Mapping[str, str] | None,
        query: Mapping[str, str] | None,
        timeout: Timeout,
        policy: RetryPolicy,
    ) -> None:
        self.body = body
        self.headers = headers
        self.query = query
        self.timeout = timeout
        self.policy = policy


class AsyncClient:
    """The asyncio client of the Responses API (OpenRouter by default, any Open Responses server).

    ``api_key``: the argument, else ``OPENROUTER_API_KEY``, else ``OPENRESPONSES_API_KEY``; with no
    key no ``Authorization`` header is sent. ``base_url``: the argument, else
    ``OPENRESPONSES_BASE_URL``, else OpenRouter's; requests go to ``{base_url}/responses``.

    ``timeout`` is seconds or a ``Timeout``; ``max_retries`` (default 2) or a whole
    ``retry_policy`` bound retries. ``app_url`` and ``app_title`` become OpenRouter's attribution
    headers (``HTTP-Referer``, ``X-OpenRouter-Title``). ``connector_limit`` caps the connection
    pool (default 256), ``verify`` takes ``False``, a CA bundle path or an ``ssl.SSLContext``,
    ``proxy`` a proxy URL (``trust_env=True`` reads the ``*_PROXY`` variables instead), and
    ``trace_configs`` aiohttp ``TraceConfig`` objects. A non-streaming body larger than
    ``max_response_bytes`` (64 MiB) is refused, and so is one stream event larger than
    ``max_event_bytes`` (16 MiB; ``None`` for no limit).

    With an API key, plain ``http://`` is refused (``InvalidRequestError`` naming ``base_url``)
    unless the host is loopback (``localhost``, ``127.0.0.0/8``, ``::1``) or
    ``allow_insecure_http=True`` is passed: the key would cross the network unencrypted.

    Use it as ``async with AsyncClient() as client:`` or call :meth:`aclose`; the connection pool
    is opened on the first request, inside the running event loop, and belongs to that loop.
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: TimeoutTypes = None,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        default_headers: Mapping[str, str] | None = None,
        app_url: str | None = None,
        app_title: str | None = None,
        connector_limit: int = DEFAULT_CONNECTOR_LIMIT,
        connector_limit_per_host: int = 0,
        verify: bool | str | ssl.SSLContext = True,
        proxy: str | None = None,
        trust_env: bool = False,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_event_bytes: int | None = DEFAULT_MAX_EVENT_BYTES,
        trace_configs: Sequence[Any] | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        from . import __version__

        if api_key is None:
            api_key = os.environ.get("OPENROUTER_API_KEY") or os.environ.get(
                "OPENRESPONSES_API_KEY"
            )
        if base_url is None:
            base_url = os.environ.get("OPENRESPONSES_BASE_URL") or DEFAULT_BASE_URL
        self._base_url = base_url.rstrip("/")
        self._url = _endpoint(self._base_url)
        self._timeout = to_timeout(timeout, Timeout())
        policy = retry_policy if retry_policy is not None else RetryPolicy()
        if max_retries is not None:
            policy = attrs.evolve(policy, max_retries=max_retries)
        self._policy = policy
        self._policy_variants: dict[int, RetryPolicy] = {}
        _check_positive("connector_limit", connector_limit, allow_zero=True)
        _check_positive("connector_limit_per_host", connector_limit_per_host, allow_zero=True)
        _check_positive("max_response_bytes", max_response_bytes, allow_zero=False)
        if max_event_bytes is not None:
            _check_positive("max_event_bytes", max_event_bytes, allow_zero=False)
        self._max_event_bytes = max_event_bytes

        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        if app_url:
            headers["HTTP-Referer"] = app_url
        if app_title:
            headers["X-OpenRouter-Title"] = app_title
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        if default_headers:
            headers.update(default_headers)
        self._has_key = bool(api_key)
        self._transport = Transport(
            headers=headers,
            user_agent=f"openresponses/{__version__}",
            connector_limit=connector_limit,
            connector_limit_per_host=connector_limit_per_host,
            verify=verify,
            trust_env=trust_env,
            proxy=proxy,
            max_response_bytes=max_response_bytes,
            trace_configs=trace_configs,
        )
        if self._transport.has_credentials and not allow_insecure_http:
            _refuse_plain_http(self._url)
        self.responses = AsyncResponses(self)

    # -- configuration

    @property
    def base_url(self) -> str:
        """The base URL requests go under (no trailing slash)."""
        return self._base_url

    @property
    def timeout(self) -> Timeout:
        """The client-wide deadlines."""
        return self._timeout

    @property
    def max_retries(self) -> int:
        """Retries after a failed first attempt, client-wide."""
        return self._policy.max_retries

    @property
    def retry_policy(self) -> RetryPolicy:
        """The client-wide retry policy."""
        return self._policy

    @property
    def is_closed(self) -> bool:
        """Whether :meth:`aclose` ran; a closed client refuses calls."""
        return self._transport.closed

    def __repr__(self) -> str:
        return f"<AsyncClient base_url={self._base_url!r}>"

    # -- lifecycle

    def conversation(
        self,
        *,
        history: Iterable[Item | Mapping[str, Any]] = (),
        trim: Trim | None = None,
        **defaults: Unpack[ResponseCreateArgs],
    ) -> AsyncConversation:
        """A conversation that resends its whole history each turn (``model``, ``instructions``
        and any other ``create`` keyword become its defaults): see ``openresponses.conversation``.
        """
        from .conversation import AsyncConversation

        return AsyncConversation(self, history=history, trim=trim, **defaults)

    async def __aenter__(self) -> Self:
        if self._transport.closed:
            raise RuntimeError("this AsyncClient is closed; create a new one")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool; idempotent. Later calls raise ``RuntimeError``.

        Calls under way (a ``create`` waiting, a stream being read) end at once with
        ``APIConnectionError("the client was closed")``, not retried.
        """
        await self._transport.aclose()

    def __del__(self) -> None:
        transport = getattr(self, "_transport", None)
        if transport is not None and transport.opened and not transport.closed:
            warnings.warn(
                f"unclosed {self!r}: use `async with AsyncClient() as client` or "
                "`await client.aclose()`",
                ResourceWarning,
                source=self,
                stacklevel=1,
            )

    # -- requests

    def _prepare(self, params: ResponseCreateArgs, *, stream: bool) -> _Call:
        """Split the call options off ``params`` (a fresh kwargs dict) and build the body."""
        if self._transport.closed:
            raise RuntimeError("this AsyncClient is closed; create a new one")
        timeout = params.pop("timeout", None)
        max_retries = params.pop("max_retries", None)
        extra_headers = params.pop("extra_headers", None)
        extra_body = params.pop("extra_body", None)
        extra_query = params.pop("extra_query", None)
        body = build_request_body(params)
        if extra_body:
            body.update(extra_body)
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
                _ENDPOINT,
                " (stream)" if stream else "",
                self._url,
                len(data),
                redact_headers(sent),
            )
        return call


def _endpoint(base_url: str) -> str:
    """``{base_url}/responses``; ``base_url`` must be an absolute http(s) URL.

    ``urllib.parse`` checks it: yarl, which aiohttp parses URLs with, loads with aiohttp on the
    first request. The two agree on the scheme and the host, and both refuse a bad port.
    """
    try:
        url = urlsplit(base_url)
        url.port  # noqa: B018 -- reading it raises ValueError for a bad port
    except (TypeError, ValueError) as exc:
        raise InvalidRequestError("base_url", f"not a URL: {base_url!r}") from exc
    if url.scheme not in ("http", "https") or not url.hostname:
        raise InvalidRequestError("base_url", f"must be an absolute http(s) URL, got {base_url!r}")
    return f"{base_url}/responses"


def _refuse_plain_http(endpoint: str) -> None:
    """Plain http with a key: only to this machine (anything else may be sniffed on the way)."""
    url = urlsplit(endpoint)
    if url.scheme != "http":
        return
    host = (url.hostname or "").strip("[]").rstrip(".").lower()
    if host == "localhost":
        return
    import ipaddress  # only plain-http clients with a key get here

    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass  # a host name: only `localhost` is trusted (resolving it here would be too late)
    raise InvalidRequestError(
        "base_url",
        f"plain http to {host} would send the API key unencrypted; use https, or pass "
        "allow_insecure_http=True",
    )


def _check_positive(name: str, value: object, *, allow_zero: bool) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < 0
        or (value == 0 and not allow_zero)
    ):
        raise InvalidRequestError(
            name, f"must be a {'non-negative' if allow_zero else 'positive'} int"
        )
