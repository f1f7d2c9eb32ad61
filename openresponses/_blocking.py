"""The blocking twins of async objects: ``_sync`` states each twin in one line with these.

``_Blocking``/``_Streaming`` are descriptors that turn an async method into its blocking twin:
a coroutine method becomes a call on the client's loop thread (``_portal.Runtime.call``), and a
method returning an async stream a ``BlockingStream`` that one ``Pump`` task reads. The twins
keep the method's name, docstring and parameters, for ``help()`` and for mypy alike.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Any, Concatenate, Final, Generic, ParamSpec, TypeVar, cast, overload

from typing_extensions import Self

from ._client import AsyncClient
from ._portal import Portal, Pump, Runtime, Source

__all__ = ["BlockingIterator", "BlockingStream"]

_A = TypeVar("_A")
_S = TypeVar("_S")
_T = TypeVar("_T")
_W = TypeVar("_W")
_Y = TypeVar("_Y")
_P = ParamSpec("_P")

_NOT_ENTERED: Final = "use the stream inside `with client.responses.stream(...) as stream:`"


# -- blocking streams and iterators -------------------------------------------------------------


def _aiter(target: Any) -> AsyncIterator[Any]:
    return cast("AsyncIterator[Any]", target.__aiter__())


class BlockingStream(Generic[_S, _Y]):
    """Base of the blocking twins of async streams: ``with twin as stream: for item in stream:``.

    ``_S`` is the async stream (an async context manager and iterator), ``_Y`` what it yields.
    One pump task enters and reads it on the loop. Leaving the ``with`` block (or ``close()``,
    from any thread) closes it, and returns once it has cleaned up. A subclass adds the
    stream's other ways of reading (``_read``) and its final result (``finish``, ``_result``).
    """

    __slots__ = ("_pump", "_reading", "_stream")

    def __init__(
        self,
        runtime: Runtime,
        manager: AbstractAsyncContextManager[_S],
        *,
        finish: Callable[[_S], Awaitable[Any]] | None = None,
    ) -> None:
        self._pump = Pump(runtime, manager, finish=finish)
        self._stream: _S | None = None
        self._reading: str | None = None

    def __enter__(self) -> Self:
        if self._stream is not None:
            raise RuntimeError("this stream has been entered already")
        self._stream = self._pump.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the stream now (idempotent); iteration then ends."""
        self._pump.close()

    def __iter__(self) -> Iterator[_Y]:
        return cast("Iterator[_Y]", self._read("events", _aiter).items())

    def _read(self, how: str, source: Source) -> Pump[_S]:
        """The pump, reading ``source(stream)``; one way of reading per stream."""
        if self._stream is None:
            raise RuntimeError(_NOT_ENTERED)
        if self._reading is None:
            self._reading = how
            self._pump.demand(source)
        elif self._reading != how and not self._pump.ended:
            raise RuntimeError(f"this stream is being read as {self._reading} already")
        return self._pump

    def _result(self) -> Any:
        """Read the rest; what ``finish`` returned, or what it (or the reading) raised."""
        pump = self._read("its result", None) if self._reading is None else self._pump
        return pump.outcome()

    def _opened(self) -> _S:
        if self._stream is None:
            raise RuntimeError(_NOT_ENTERED)
        return self._stream


class _Closing(Generic[_Y]):
    """``contextlib.aclosing`` for any async iterator (``aclose`` is optional)."""

    __slots__ = ("_iterator",)

    def __init__(self, iterator: AsyncIterator[_Y]) -> None:
        self._iterator = iterator

    async def __aenter__(self) -> AsyncIterator[_Y]:
        return self._iterator

    async def __aexit__(self, *exc_info: object) -> None:
        aclose = getattr(self._iterator, "aclose", None)
        if aclose is not None:
            await aclose()


class BlockingIterator(BlockingStream[AsyncIterator[_Y], _Y]):
    """The blocking twin of an async iterator: ``with twin(...) as items: for item in items:``.

    Leaving the ``with`` block closes the async iterator (``aclose``) and waits until it has
    cleaned up.
    """

    __slots__ = ()

    def __init__(self, runtime: Runtime, iterator: AsyncIterator[_Y]) -> None:
        super().__init__(runtime, _Closing(iterator))


# -- forwarding ---------------------------------------------------------------------------------


class _Forwarder(Generic[_A]):
    """Base of the blocking twins: the client's portal and a way to the async counterpart."""

    __slots__ = ("_locate", "_portal")

    def __init__(self, portal: Portal, locate: Callable[[AsyncClient], _A]) -> None:
        self._portal = portal
        self._locate = locate

    def _target(self) -> tuple[Runtime, _A]:
        portal = self._portal
        return portal.runtime(), self._locate(portal.client)


class _Twin(Generic[_A, _P, _T]):
    """A descriptor: the blocking twin, on a ``_Forwarder[_A]``, of a method of ``_A``.

    Subclasses say how one call is forwarded; the twin keeps the method's name, docstring and
    (for mypy, through the ParamSpec) its exact parameters.
    """

    def __init__(self, method: Callable[Concatenate[_A, _P], Any]) -> None:
        self._method = method
        self.__doc__ = method.__doc__
        signature = inspect.signature(method)
        self._signature = signature.replace(parameters=list(signature.parameters.values())[1:])

    @overload
    def __get__(self, obj: None, owner: type[Any] | None = None) -> Self: ...
    @overload
    def __get__(self, obj: _Forwarder[_A], owner: type[Any] | None = None) -> Callable[_P, _T]: ...
    def __get__(
        self, obj: _Forwarder[_A] | None, owner: type[Any] | None = None
    ) -> Self | Callable[_P, _T]:
        if obj is None:
            return self
        forward = self._bind(obj)
        forward.__name__ = forward.__qualname__ = self._method.__name__
        forward.__doc__ = self._method.__doc__
        forward.__signature__ = self._signature  # type: ignore[attr-defined]
        return forward

    def _bind(self, obj: _Forwarder[_A]) -> Callable[_P, _T]:
        raise NotImplementedError


class _Blocking(_Twin[_A, _P, _T]):
    """``name = _Blocking(AsyncThing.name)``: a coroutine method, awaited on the loop."""

    def __init__(self, method: Callable[Concatenate[_A, _P], Awaitable[_T]]) -> None:
        super().__init__(method)

    def _bind(self, obj: _Forwarder[_A]) -> Callable[_P, _T]:
        method = cast("Callable[Concatenate[_A, _P], Awaitable[_T]]", self._method)

        def forward(*args: _P.args, **kwargs: _P.kwargs) -> _T:
            runtime, target = obj._target()
            return runtime.call(method, target, *args, **kwargs)

        return forward


class _Streaming(_Twin[_A, _P, _W]):
    """``name = _Streaming(AsyncThing.name, Twin)``: a method returning an async stream, whose
    blocking twin class (a ``BlockingStream``) is built from it.

    The method runs in the caller's thread, so bad parameters raise at the call as in async:
    building a stream sends nothing (the request goes out when the ``with`` block is entered).
    """

    def __init__(
        self,
        method: Callable[Concatenate[_A, _P], _S],
        twin: Callable[[Runtime, _S], _W],
    ) -> None:
        super().__init__(method)
        self._twin = twin
        # help() and inspect show what the twin returns, not the async stream.
        self._signature = self._signature.replace(
            return_annotation=getattr(twin, "__name__", inspect.Signature.empty)
        )

    def _bind(self, obj: _Forwarder[_A]) -> Callable[_P, _W]:
        method = self._method
        twin = self._twin

        def forward(*args: _P.args, **kwargs: _P.kwargs) -> _W:
            runtime, target = obj._target()
            return twin(runtime, method(target, *args, **kwargs))

        return forward


def _iterating(
    method: Callable[Concatenate[_A, _P], AsyncIterator[_Y]],
) -> _Streaming[_A, _P, BlockingIterator[_Y]]:
    """``name = _iterating(AsyncThing.name)``: a method returning an async iterator (or an async
    generator), as a ``BlockingIterator``."""
    return _Streaming(method, BlockingIterator)


def _arguments_of(
    source: Callable[Concatenate[Any, _P], None],
) -> Callable[[Callable[Concatenate[_S, ...], None]], Callable[Concatenate[_S, _P], None]]:
    """Give an ``__init__(self, *args, **kwargs)`` the parameters of ``source``, for mypy."""

    def apply(init: Callable[Concatenate[_S, ...], None]) -> Callable[Concatenate[_S, _P], None]:
        init.__signature__ = inspect.signature(source)  # type: ignore[attr-defined]
        return init

    return apply
