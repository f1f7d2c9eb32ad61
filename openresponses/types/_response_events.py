"""The events about the response as a whole: its lifecycle, in-band errors, debug information.

``_Event`` here is the base of every typed event (``_output_events``, ``_tool_events``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from ._base import WireModel
from .response import Response

__all__ = [
    "DebugEvent",
    "ErrorEvent",
    "ResponseCompletedEvent",
    "ResponseCreatedEvent",
    "ResponseFailedEvent",
    "ResponseInProgressEvent",
    "ResponseIncompleteEvent",
    "ResponseQueuedEvent",
]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class _Event(WireModel):
    # Some servers leave sequence_number off most events, hence optional.
    sequence_number: int | None = None


# -- response lifecycle (each carries a Response snapshot)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ResponseCreatedEvent(_Event):
    """The response exists (status ``in_progress`` or ``queued``)."""

    type: Literal["response.created"] = "response.created"
    response: Response = attrs.Factory(Response)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ResponseQueuedEvent(_Event):
    """A background response is queued (Open Responses)."""

    type: Literal["response.queued"] = "response.queued"
    response: Response = attrs.Factory(Response)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ResponseInProgressEvent(_Event):
    """Generation started."""

    type: Literal["response.in_progress"] = "response.in_progress"
    response: Response = attrs.Factory(Response)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ResponseCompletedEvent(_Event):
    """Terminal: the final response, with ``output`` and ``usage``."""

    type: Literal["response.completed"] = "response.completed"
    response: Response = attrs.Factory(Response)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ResponseIncompleteEvent(_Event):
    """Terminal: the response stopped early (see ``response.incomplete_details``)."""

    type: Literal["response.incomplete"] = "response.incomplete"
    response: Response = attrs.Factory(Response)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ResponseFailedEvent(_Event):
    """Terminal: the response failed (see ``response.error``)."""

    type: Literal["response.failed"] = "response.failed"
    response: Response = attrs.Factory(Response)


# -- errors and debug information


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ErrorEvent(_Event):
    """An in-band error, read from every shape servers send.

    Flat (OpenRouter): ``{"type": "error", "code", "message", "param"}``; nested (spec):
    ``{"type": "error", "error": {"type", "code", "message", "param"}}``; and OpenRouter's
    bare frame ``{"error": {"code": 502, "message": ...}}``. ``code``, ``message`` and
    ``param`` are always filled from wherever they were; ``error`` keeps the nested object
    (when there was one) and is what gets written back.
    """

    type: Literal["error"] = "error"
    code: int | str | None = None
    message: str = ""
    param: str | None = None
    error: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class DebugEvent(_Event):
    """OpenRouter ``response.debug``: the upstream request body and timings (``debug`` option)."""

    type: Literal["response.debug"] = "response.debug"
    debug: Mapping[str, Any] | None = None
