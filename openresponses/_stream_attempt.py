"""One attempt of a stream: the connection it reads, what its events told, the error it ends in.

``AsyncResponseStream`` (``_streaming``) makes an ``Attempt`` for each connection; a reconnect
builds a new one whole, so nothing of a failed connection carries over. The stream machine
updates the fields as events arrive; ``stream_error`` reads them once the attempt has failed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ._accumulator import ResponseAccumulator
from ._errors import APIConnectionError, StreamError
from ._retry import is_transient_code
from ._serde import loads
from ._sources import EventSource
from .types import ErrorEvent, ResponseFailedEvent

__all__ = ["Attempt"]


class Attempt:
    """What one connection knows; a reconnect builds a new one and nothing carries over."""

    __slots__ = (
        "acc",
        "batch",
        "clock",
        "error",
        "failed",
        "keepalives",
        "last",
        "parse",
        "source",
        "wind_down",
    )

    def __init__(self, source: EventSource, clock: Callable[[], float]) -> None:
        self.source = source
        self.clock = clock  # the loop's time(), for the stream's deadlines
        self.parse = source.parse
        self.acc = ResponseAccumulator()
        # The payloads last read and the keep-alive events among them (see the stream's _deadline):
        # each is parsed only when it is due, so an event the caller drops is freed at once.
        self.batch: Sequence[Any] = ()
        self.keepalives = 0
        self.last = clock()  # when the last batch with content arrived
        self.error: tuple[ErrorEvent, str] | None = None  # with its payload, for StreamError
        self.failed: ResponseFailedEvent | None = None
        self.wind_down: float | None = None  # set once the outcome is known

    def stream_error(self, cause: APIConnectionError | None) -> StreamError:
        """The ``StreamError`` this attempt ends in.

        From its ``error`` event, else its ``response.failed``, else ``cause`` (the read that
        broke; ``None`` when the events ended without a terminal event).
        """
        partial = self.acc.snapshot()
        generation_id = self.source.info.generation_id
        failed = self.failed
        # A server may echo the key in its message: the source knows it and redacts it.
        redact = self.source.redact
        if self.error is not None:
            event, data = self.error
            data = redact(data)
            try:
                payload = loads(data)
            except Exception:
                payload = data
            # The terminal `response.failed` may list no output: keep the text that arrived
            # (the snapshot has folded in the failed response's status and error).
            if failed is not None and (partial is None or not partial.output):
                partial = failed.response
            error = StreamError(
                redact(event.message or "the server reported an error in the stream"),
                response=partial,
                code=event.code,
                payload=payload,
                retryable=is_transient_code(event.code),
                generation_id=generation_id,
            )
        elif failed is not None:
            detail = failed.response.error
            error = StreamError(
                redact((detail.message if detail is not None else None) or "the response failed"),
                response=partial if partial is not None else failed.response,
                code=detail.code if detail is not None else None,
                generation_id=generation_id,
            )
        elif cause is not None:
            error = StreamError(
                f"the stream broke off before a terminal event: {cause.message}",
                response=partial,
                retryable=cause.retryable,
                generation_id=generation_id,
            )
            error.__cause__ = cause
        else:
            error = StreamError(
                "the stream ended without a terminal event",
                response=partial,
                retryable=True,
                generation_id=generation_id,
            )
        return error
