"""Hooks: the public seam that sees every call (its request, each attempt, its events, its end).

A ``Hook`` is a plain object whose ``on_*`` methods the client calls inline, on its event loop.
Tracing (``openresponses.otel``) and spend accounting are built on it, as a user's own hook is.

Cost: a client whose hooks override nothing (or that has none, with none registered process-wide)
has no dispatcher at all, and a call then pays one attribute check for hooks. With hooks, only
the methods some hook overrides are called: ``on_event`` wraps a stream's event reader only when
one does. The private half is the ``HookSet`` each client holds (its own hooks, and the dispatcher
of those and the process-wide ones, rebuilt when either changes) and ``Tracker``, one call as the
hooks see it, which the engine, the stream machine and the ``Retrier`` report to.
"""

from __future__ import annotations

import inspect
import logging
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final
from urllib.parse import urlencode, urlsplit, urlunsplit

from ._errors import APIStatusError, InvalidRequestError
from ._redact import redact_headers
from .types import StreamEvent

__all__ = ["AttemptInfo", "CallInfo", "Hook", "add_hook", "remove_hook"]

logger = logging.getLogger("openresponses")

_METHODS: Final = ("on_request", "on_attempt", "on_event", "on_response", "on_error")


class CallInfo:
    """One logical call, made once when the call starts and passed to every hook method.

    - ``operation``: ``"create"``, ``"stream"``, ``"compact"``, ``"websocket"`` (one turn over
      a connection), ``"websocket.connect"`` (``connect()`` opening its socket),
      ``"generations.get"``, ``"models.list"``, ``"models.get"``.
    - ``method``: ``"POST"``, ``"GET"``, or ``"WEBSOCKET"`` for a socket.
    - ``url``: the full URL, query included (never credentials).
    - ``headers``: the call's own headers (``extra_headers``, ``Accept``). ``on_request`` may add
      to them (a ``traceparent``); they go with every attempt. A WebSocket turn's are the
      connection's handshake headers, sent only if the turn opens the socket.
    - ``body``: the JSON body in wire shape before it is encoded (``None`` for a GET; a turn's
      ``response.create`` message). ``on_request`` may add fields; they are sent.
    - ``started``: ``time.monotonic()`` when the call started; ``state``: a dict for the hooks
      (a hook keys its entries by itself, say ``call.state[self]``).
    """

    __slots__ = ("_defaults", "body", "headers", "method", "operation", "started", "state", "url")

    def __init__(
        self,
        operation: str,
        method: str,
        url: str,
        headers: dict[str, str],
        body: dict[str, Any] | None,
        defaults: Mapping[str, str],
    ) -> None:
        self.operation = operation
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.started = time.monotonic()
        self.state: dict[Any, Any] = {}
        self._defaults = defaults

    @property
    def model(self) -> str | None:
        """``body["model"]`` when it is a string."""
        model = None if self.body is None else self.body.get("model")
        return model if isinstance(model, str) else None

    @property
    def request_headers(self) -> dict[str, str]:
        """Every header sent (the client's defaults, then the call's), credentials redacted."""
        own = {name.lower() for name in self.headers}
        sent = {name: value for name, value in self._defaults.items() if name.lower() not in own}
        sent.update(self.headers)
        return redact_headers(sent)

    def __repr__(self) -> str:
        return f"<CallInfo {self.operation} {self.method} {self.url} model={self.model!r}>"


class AttemptInfo:
    """One attempt of a call, passed to ``on_attempt`` once it is answered or failed.

    - ``number``: 1 for the first attempt.
    - ``status_code``: the HTTP status (101 for a WebSocket handshake; a refusal by an error
      event carries the event's status); ``None`` when nothing answered.
    - ``headers``: the answer's headers, when one came.
    - ``elapsed``: seconds the attempt took (to the status line for a stream).
    - ``error``: what failed the attempt, ``None`` for a success.
    - ``retry_in``: seconds until the next attempt when this failed one is retried; ``None``
      when no retry follows (a success, or giving up).

    A stream attempt is reported when its status line arrives; if its events then fail before
    the first content, the retry decision is reported too, as the same attempt again (same
    ``number``, with ``error`` and ``retry_in``).
    """

    __slots__ = ("elapsed", "error", "headers", "number", "retry_in", "status_code")

    def __init__(
        self,
        *,
        number: int,
        status_code: int | None,
        headers: Mapping[str, str] | None,
        elapsed: float,
        error: BaseException | None,
        retry_in: float | None,
    ) -> None:
        self.number = number
        self.status_code = status_code
        self.headers = headers
        self.elapsed = elapsed
        self.error = error
        self.retry_in = retry_in

    def __repr__(self) -> str:
        error = None if self.error is None else type(self.error).__name__
        return (
            f"AttemptInfo(number={self.number}, status_code={self.status_code}, "
            f"elapsed={self.elapsed:.3f}, error={error}, retry_in={self.retry_in})"
        )


class Hook:
    """Subclass and override what you need; every method here does nothing.

    Methods run on the client's event loop, inline: they must not block, and may not be
    ``async`` (such a hook is refused when given). A hook that raises is logged (logger
    ``"openresponses"``, with the traceback) and the call goes on as if it had returned. Only
    the methods a subclass overrides are called::

        class Timer(openresponses.Hook):
            def on_response(self, call, result):
                print(call.operation, call.model, time.monotonic() - call.started)

        client = openresponses.AsyncClient(hooks=[Timer()])

    For each call: ``on_request`` first, ``on_attempt`` after each attempt, ``on_event`` for each
    stream event, then exactly one of ``on_response`` and ``on_error``.
    """

    def on_request(self, call: CallInfo) -> None:
        """Before the first attempt: the one place to add to ``call.headers`` or ``call.body``."""

    def on_attempt(self, call: CallInfo, attempt: AttemptInfo) -> None:
        """After each attempt, with its status, timing, error and the retry decision."""

    def on_event(self, call: CallInfo, event: StreamEvent) -> None:
        """Each event of a stream or a WebSocket turn, as it is read."""

    def on_response(self, call: CallInfo, result: Any) -> None:
        """The call's result: a ``Response`` (``create``, a stream's or a turn's final one), a
        ``CompactedResponse``, a ``Generation``, the models; once per call, and then
        ``on_error`` is never called."""

    def on_error(self, call: CallInfo, error: BaseException) -> None:
        """The call failed for good (after retries), or a stream broke or was closed or
        cancelled before its terminal event (``StreamError``, or ``asyncio.CancelledError``)."""


_Handlers = tuple[tuple[Hook, Callable[..., None]], ...]


def _overrides(hook: Hook) -> list[str]:
    cls = type(hook)
    return [name for name in _METHODS if getattr(cls, name) is not getattr(Hook, name)]


def check_hook(hook: object, field: str = "hooks") -> Hook:
    """``hook`` if it is a ``Hook`` whose overrides are plain methods, else refuse it."""
    if not isinstance(hook, Hook):
        raise InvalidRequestError(
            field, f"expected an openresponses.Hook, got {type(hook).__name__}"
        )
    for name in _overrides(hook):
        method = getattr(type(hook), name)
        if inspect.iscoroutinefunction(method) or inspect.isasyncgenfunction(method):
            raise InvalidRequestError(
                field,
                f"{type(hook).__qualname__}.{name} is async; hook methods run inline on the "
                "event loop and must be plain methods (start a task from one if needed)",
            )
    return hook


def check_hooks(hooks: object) -> tuple[Hook, ...]:
    """A client's ``hooks=``: a sequence of ``Hook`` (``None``: none), as a tuple."""
    if hooks is None:
        return ()
    if isinstance(hooks, Hook):
        raise InvalidRequestError("hooks", "expected a sequence of hooks: write hooks=[hook]")
    if not isinstance(hooks, Sequence) or isinstance(hooks, (str, bytes)):
        raise InvalidRequestError(
            "hooks", f"expected a sequence of openresponses.Hook, got {type(hooks).__name__}"
        )
    return tuple(check_hook(hook) for hook in hooks)


def _run(handlers: _Handlers, name: str, *args: Any) -> None:
    for hook, method in handlers:
        # Each hook is isolated from the next: one that raises must not silence the others.
        try:
            method(*args)
        except Exception:  # noqa: PERF203
            logger.exception(
                "hook %s.%s raised; the call goes on as if it had returned",
                type(hook).__qualname__,
                name,
            )


class Dispatcher:
    """The overriding methods of a set of hooks, bound, in order: one tuple per method."""

    __slots__ = ("on_attempt", "on_error", "on_event", "on_request", "on_response")

    def __init__(self, hooks: Sequence[Hook]) -> None:
        found: dict[str, list[tuple[Hook, Callable[..., None]]]] = {name: [] for name in _METHODS}
        for hook in hooks:
            for name in _overrides(hook):
                found[name].append((hook, getattr(hook, name)))
        self.on_request: _Handlers = tuple(found["on_request"])
        self.on_attempt: _Handlers = tuple(found["on_attempt"])
        self.on_event: _Handlers = tuple(found["on_event"])
        self.on_response: _Handlers = tuple(found["on_response"])
        self.on_error: _Handlers = tuple(found["on_error"])


def _dispatcher(hooks: tuple[Hook, ...]) -> Dispatcher | None:
    """``None`` when no hook overrides anything: such hooks are never called."""
    dispatcher = Dispatcher(hooks)
    if any(getattr(dispatcher, name) for name in _METHODS):
        return dispatcher
    return None


# The process-wide hooks, and every client's HookSet (to rebuild their dispatchers on a change).
_lock = threading.Lock()
_process_hooks: tuple[Hook, ...] = ()
_hook_sets: weakref.WeakSet[HookSet] = weakref.WeakSet()


class HookSet:
    """A client's hooks (``hooks``) and the dispatcher of those and the process-wide ones
    (``dispatcher``, ``None`` when nothing is to be called)."""

    __slots__ = ("__weakref__", "dispatcher", "hooks")

    def __init__(self, hooks: tuple[Hook, ...] = ()) -> None:
        self.hooks = hooks
        with _lock:
            self.dispatcher = _dispatcher(hooks + _process_hooks)
            _hook_sets.add(self)


def _changed(hooks: tuple[Hook, ...]) -> None:
    global _process_hooks
    _process_hooks = hooks
    for hook_set in list(_hook_sets):
        hook_set.dispatcher = _dispatcher(hook_set.hooks + hooks)


def add_hook(hook: Hook) -> None:
    """Register ``hook`` for every client, existing and future, called after each client's own
    hooks (from any thread). Adding a hook registered already does nothing::

        tracker = openresponses.UsageTracker()
        openresponses.add_hook(tracker)

    ``InvalidRequestError`` (field ``hook``) for anything but a ``Hook`` with plain methods.
    """
    check_hook(hook, "hook")
    with _lock:
        if hook not in _process_hooks:
            _changed((*_process_hooks, hook))


def remove_hook(hook: Hook) -> None:
    """Unregister a hook given to :func:`add_hook` (one not registered is ignored); calls
    under way may still report to it."""
    with _lock:
        if hook in _process_hooks:
            _changed(tuple(known for known in _process_hooks if known is not hook))


def call_url(url: str, query: Mapping[str, str] | None) -> str:
    """``url`` with its query string, and without credentials (``user:password@``)."""
    if "@" in url:
        parts = urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
        url = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return f"{url}?{urlencode(query)}" if query else url


class Tracker:
    """One call as the hooks see it: its ``CallInfo``, its attempts, and its end, reported once.

    The caller numbers the attempts (:meth:`attempt`), notes each answer (:meth:`answered`) and
    success (:meth:`succeeded`); a ``Retrier`` given the tracker as its observer reports each
    failure with the retry decision. :meth:`finish` and :meth:`fail` end the call: the first of
    them counts, and nothing is reported after it.
    """

    __slots__ = ("_answer", "_begun", "_open", "_settled", "call", "dispatcher", "number")

    def __init__(self, dispatcher: Dispatcher, call: CallInfo) -> None:
        self.dispatcher = dispatcher
        self.call = call
        self.number = 0
        self._begun = 0.0
        self._answer: tuple[int, Mapping[str, str]] | None = None
        self._open = False  # an attempt began and was not reported yet
        self._settled = False

    def attempt(self) -> None:
        """A new attempt starts now."""
        self.number += 1
        self._begun = time.monotonic()
        self._answer = None
        self._open = True

    def answered(self, status: int, headers: Mapping[str, str]) -> None:
        """The attempt got its status line (reported with its success or its failure)."""
        self._answer = (status, headers)

    def succeeded(self) -> None:
        """The attempt succeeded (for a stream: its events started)."""
        self._report(None, None)

    def __call__(self, error: BaseException, retry_in: float | None) -> None:
        """A ``Retrier``'s observer: the attempt failed with ``error``; ``retry_in`` is the wait
        before the next one, ``None`` if there is none."""
        self._report(error, retry_in)

    def _report(self, error: BaseException | None, retry_in: float | None) -> None:
        self._open = False
        handlers = self.dispatcher.on_attempt
        if not handlers or self._settled:
            return
        answer = self._answer
        if answer is not None:
            status: int | None = answer[0]
            headers: Mapping[str, str] | None = answer[1]
        elif isinstance(error, APIStatusError):
            status, headers = error.status_code, error.headers
        else:
            status = headers = None
        attempt = AttemptInfo(
            number=self.number,
            status_code=status,
            headers=headers,
            elapsed=time.monotonic() - self._begun,
            error=error,
            retry_in=retry_in,
        )
        _run(handlers, "on_attempt", self.call, attempt)

    def wrap(self, parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """``parse`` reporting each event to ``on_event`` (``parse`` itself when no hook
        overrides ``on_event``)."""
        handlers = self.dispatcher.on_event
        if not handlers:
            return parse
        call = self.call

        def parse_and_report(payload: Any, /) -> Any:
            event = parse(payload)
            if not self._settled:
                _run(handlers, "on_event", call, event)
            return event

        return parse_and_report

    def finish(self, result: Any) -> None:
        """The call's result (``on_response``), unless the call was settled already."""
        if self._settled:
            return
        self._settled = True
        _run(self.dispatcher.on_response, "on_response", self.call, result)

    def fail(self, error: BaseException) -> None:
        """The call failed (``on_error``, after its unreported attempt), unless it was settled."""
        if self._settled:
            return
        if self._open:
            self._report(error, None)
        self._settled = True
        _run(self.dispatcher.on_error, "on_error", self.call, error)


def start_call(
    dispatcher: Dispatcher,
    operation: str,
    method: str,
    url: str,
    headers: dict[str, str],
    body: dict[str, Any] | None,
    defaults: Mapping[str, str],
) -> Tracker:
    """Start a call: its ``CallInfo``, and ``on_request``. Read back ``tracker.call.headers``
    and ``.body`` after it: the hooks may have added to them."""
    tracker = Tracker(dispatcher, CallInfo(operation, method, url, headers, body, defaults))
    _run(dispatcher.on_request, "on_request", tracker.call)
    return tracker
