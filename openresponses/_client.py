"""The client face: ``AsyncClient``, its configuration and lifecycle.

``AsyncClient`` checks its configuration, builds the transport, the hooks and the request engine,
and closes them. ``client.responses`` is an ``AsyncResponses`` (``_responses``);
``client.conversation(...)`` wires in conversations, ``client.generations`` and
``client.models`` the catalogue. Those modules load on first use.
"""

from __future__ import annotations

import functools
import logging
import os
import ssl
import warnings
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

import attrs
from typing_extensions import Self, Unpack

from ._engine import RequestEngine, ResponseCreateArgs
from ._errors import InvalidRequestError
from ._hooks import Hook, HookSet, check_hooks
from ._numbers import check_int
from ._options import Timeout, TimeoutTypes, to_timeout
from ._responses import AsyncResponses
from ._retry import RetryPolicy
from ._sse import DEFAULT_MAX_EVENT_BYTES
from ._transport import (
    DEFAULT_CONNECTOR_LIMIT,
    DEFAULT_MAX_HEADER_BYTES,
    DEFAULT_MAX_RESPONSE_BYTES,
    Transport,
)
from ._version import __version__

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ._catalog import AsyncGenerations, AsyncModels
    from ._connection import AsyncResponsesConnection as Connection
    from .conversation import AsyncConversation, Trim
    from .types import Item


__all__ = ["DEFAULT_BASE_URL", "AsyncClient", "AsyncResponses"]  # AsyncResponses: re-exported

DEFAULT_BASE_URL: Final = "https://openrouter.ai/api/v1"

logger = logging.getLogger("openresponses")


@functools.cache
def _configure_logging() -> None:
    """``OPENRESPONSES_LOG=debug|info`` switches the ``openresponses`` logger on, to stderr.

    Run by the first client built, not at import: importing a library should not touch logging.
    """
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


class AsyncClient:
    """The asyncio client of the Responses API (OpenRouter by default, any Open Responses server).

    ``api_key``: the argument, else ``OPENROUTER_API_KEY``, else ``OPENRESPONSES_API_KEY``; with no
    key no ``Authorization`` header is sent. ``base_url``: the argument, else
    ``OPENRESPONSES_BASE_URL``, else OpenRouter's; requests go to ``{base_url}/responses``.
    ``client.generations`` and ``client.models`` read OpenRouter's generation stats and model
    catalogue.

    ``timeout`` is seconds or a ``Timeout``; ``max_retries`` (default 2) or a whole
    ``retry_policy`` bound retries. ``app_url`` and ``app_title`` become OpenRouter's attribution
    headers (``HTTP-Referer``, ``X-OpenRouter-Title``). ``connector_limit`` caps the connection
    pool (default 256), ``verify`` takes ``False``, a CA bundle path or an ``ssl.SSLContext``,
    ``proxy`` a proxy URL (``trust_env=True`` reads the ``*_PROXY`` variables instead), and
    ``trace_configs`` aiohttp ``TraceConfig`` objects. A non-streaming body larger than
    ``max_response_bytes`` (64 MiB) is refused, and so is one stream event larger than
    ``max_event_bytes`` (16 MiB; ``None`` for no limit) and a response header line longer than
    ``max_header_bytes`` (64 KiB; aiohttp alone stops at 8 KiB).

    With an API key, plain ``http://`` is refused (``InvalidRequestError`` naming ``base_url``)
    unless the host is loopback (``localhost``, ``127.0.0.0/8``, ``::1``) or
    ``allow_insecure_http=True`` is passed: the key would cross the network unencrypted.

    ``hooks``: ``openresponses.Hook`` objects called for every call of this client (its request,
    each attempt, stream events, its result or error), before the process-wide ones
    (``openresponses.add_hook``). ``tracing=True`` adds ``openresponses.otel.OpenTelemetryHook()``
    after them: one span per call on the global tracer provider (``pip install
    'openresponses[otel]'``).

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
        max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES,
        trace_configs: Sequence[Any] | None = None,
        allow_insecure_http: bool = False,
        hooks: Sequence[Hook] | None = None,
        tracing: bool = False,
    ) -> None:
        _configure_logging()
        own_hooks = check_hooks(hooks)
        if tracing is not False:
            own_hooks += (_tracing_hook(tracing),)
        if api_key is None:
            api_key = os.environ.get("OPENROUTER_API_KEY") or os.environ.get(
                "OPENRESPONSES_API_KEY"
            )
        if base_url is None:
            base_url = os.environ.get("OPENRESPONSES_BASE_URL") or DEFAULT_BASE_URL
        self._base_url = base_url.rstrip("/")
        url = _endpoint(self._base_url)
        deadlines = to_timeout(timeout, Timeout())
        policy = retry_policy if retry_policy is not None else RetryPolicy()
        if max_retries is not None:
            policy = attrs.evolve(policy, max_retries=max_retries)
        check_int("connector_limit", connector_limit, minimum=0)
        check_int("connector_limit_per_host", connector_limit_per_host, minimum=0)
        check_int("max_response_bytes", max_response_bytes, minimum=1)
        check_int("max_header_bytes", max_header_bytes, minimum=1)
        if max_event_bytes is not None:
            check_int("max_event_bytes", max_event_bytes, minimum=1)

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
        self._transport = Transport(
            headers=headers,
            user_agent=f"openresponses/{__version__}",
            connector_limit=connector_limit,
            connector_limit_per_host=connector_limit_per_host,
            verify=verify,
            trust_env=trust_env,
            proxy=proxy,
            max_response_bytes=max_response_bytes,
            max_header_bytes=max_header_bytes,
            trace_configs=trace_configs,
        )
        if self._transport.has_credentials and not allow_insecure_http:
            _refuse_plain_http(url)
        self._engine = RequestEngine(
            self._transport,
            url,
            timeout=deadlines,
            policy=policy,
            max_event_bytes=max_event_bytes,
            hooks=HookSet(own_hooks),
        )
        self.responses = AsyncResponses(self._engine)

    # -- OpenRouter's generation stats and model catalogue (their module loads on first use)

    @functools.cached_property
    def generations(self) -> AsyncGenerations:
        """``client.generations.get(id)``: OpenRouter's stats of a generation (``Generation``)."""
        from ._catalog import AsyncGenerations

        return AsyncGenerations(self._engine)

    @functools.cached_property
    def models(self) -> AsyncModels:
        """``client.models.list(...)`` and ``.get(id)``: OpenRouter's model catalogue."""
        from ._catalog import AsyncModels

        return AsyncModels(self._engine)

    # -- configuration

    @property
    def base_url(self) -> str:
        """The base URL requests go under (no trailing slash)."""
        return self._base_url

    @property
    def timeout(self) -> Timeout:
        """The client-wide deadlines."""
        return self._engine.timeout

    @property
    def max_retries(self) -> int:
        """Retries after a failed first attempt, client-wide."""
        return self._engine.retry_policy.max_retries

    @property
    def retry_policy(self) -> RetryPolicy:
        """The client-wide retry policy."""
        return self._engine.retry_policy

    @property
    def hooks(self) -> tuple[Hook, ...]:
        """This client's own hooks (``hooks=``, then the tracing hook); the process-wide ones
        (``openresponses.add_hook``) are called after them."""
        return self._engine.hooks.hooks

    @property
    def is_closed(self) -> bool:
        """Whether :meth:`aclose` ran; a closed client refuses calls."""
        return self._transport.closed

    def __repr__(self) -> str:
        return f"<AsyncClient base_url={self._base_url!r}>"

    # -- conversations

    def conversation(
        self,
        *,
        history: Iterable[Item | Mapping[str, Any]] = (),
        trim: Trim | None = None,
        compact_at_tokens: int | None = None,
        connection: Connection | None = None,
        **defaults: Unpack[ResponseCreateArgs],
    ) -> AsyncConversation:
        """A conversation that resends its whole history each turn (``model``, ``instructions``
        and any other ``create`` keyword become its defaults): see ``openresponses.conversation``.
        ``compact_at_tokens`` compacts the history before a turn once the last response's
        tokens reached it (see ``AsyncConversation``). With ``connection`` (from
        ``client.responses.connect()``) its turns go over that socket.
        """
        # `Connection` is AsyncResponsesConnection here and ResponsesConnection in the blocking
        # twin: one spelling, so the two signatures read alike.
        from .conversation import AsyncConversation

        engine = self if connection is None else self.responses._engine_for(connection)
        return AsyncConversation(
            engine, history=history, trim=trim, compact_at_tokens=compact_at_tokens, **defaults
        )

    # -- lifecycle

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


def _tracing_hook(tracing: object) -> Hook:
    """``tracing=True``: the OpenTelemetry hook (its module, and OpenTelemetry, load only now)."""
    if tracing is not True:
        raise InvalidRequestError("tracing", f"expected True or False, got {tracing!r}")
    try:
        from .otel import OpenTelemetryHook
    except ImportError as exc:
        raise InvalidRequestError(
            "tracing", "needs opentelemetry-api: pip install 'openresponses[otel]'"
        ) from exc
    return OpenTelemetryHook()


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
