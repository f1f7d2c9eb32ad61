"""How LocalServer sends a planned reply: a body, or a stream with its delays, stalls and drops.

:func:`pace` times a stream's frames for HTTP and for a WebSocket alike.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from ._script import _Plan
from ._wire import DONE_FRAME, comment_frame

__all__ = ["Dropped", "pace", "send_body", "send_stream"]


class Dropped(Exception):
    """The reply closes the connection on purpose (not the client going away)."""

    def __init__(self, response: web.StreamResponse | None = None) -> None:
        super().__init__()
        self.response = response


async def send_body(
    request: web.Request, plan: _Plan, headers: Mapping[str, str]
) -> web.StreamResponse:
    """A plain reply; with ``drop_after``, half of the body and then a hang-up."""
    if plan.drop_after is None:
        return web.Response(status=plan.status, body=plan.body, headers=headers)
    response = web.StreamResponse(status=plan.status, headers=headers)
    response.content_length = len(plan.body)
    await response.prepare(request)
    await response.write(plan.body[: len(plan.body) // 2])
    raise Dropped(response)


async def send_stream(
    request: web.Request, plan: _Plan, headers: Mapping[str, str]
) -> web.StreamResponse:
    """An event stream, timed as the plan says: delays, keep-alive comments, stalls, a drop."""
    response = web.StreamResponse(
        status=plan.status, headers={"Cache-Control": "no-cache", **headers}
    )
    await response.prepare(request)
    simple = not (
        plan.first_event_delay
        or plan.event_delay
        or plan.stall_after is not None
        or plan.drop_after is not None
    )
    if simple:
        # Nothing to time: one write, so the server costs as little as possible.
        await response.write(b"".join((*plan.frames, DONE_FRAME if plan.done else b"")))
        await response.write_eof()
        return response
    keepalive = comment_frame(plan.keepalive_comment)
    frames = plan.frames
    try:
        await pace(
            plan, lambda index: response.write(frames[index]), lambda: response.write(keepalive)
        )
    except Dropped:
        raise Dropped(response) from None
    if plan.done:
        await response.write(DONE_FRAME)
    await response.write_eof()
    return response


async def pace(
    plan: _Plan,
    send: Callable[[int], Awaitable[None]],
    keepalive: Callable[[], Awaitable[None]],
) -> None:
    """Send the plan's frames by index, timed as it says: delays, keep-alives, a stall, a drop.

    Raises :class:`Dropped` where the plan drops the connection; the caller closes it.
    """
    count = len(plan.frames)
    await _wait(plan, plan.first_event_delay, keepalive)
    for index in range(count):
        if index == plan.drop_after:
            raise Dropped
        if index == plan.stall_after:
            await _wait(plan, plan.stall_for, keepalive)
        if index and plan.event_delay:
            await _wait(plan, plan.event_delay, keepalive)
        await send(index)
    if plan.drop_after is not None and plan.drop_after >= count:
        raise Dropped
    if plan.stall_after is not None and plan.stall_after >= count:
        await _wait(plan, plan.stall_for, keepalive)


async def _wait(
    plan: _Plan, seconds: float | None, keepalive: Callable[[], Awaitable[None]]
) -> None:
    """Sleep (``None``: until cancelled), sending keep-alives at the plan's interval."""
    if seconds is not None and seconds <= 0:
        return
    if plan.keepalive is None:
        await asyncio.sleep(seconds if seconds is not None else 1e9)
        return
    deadline = None if seconds is None else asyncio.get_running_loop().time() + seconds
    while True:
        now = asyncio.get_running_loop().time()
        step = plan.keepalive if deadline is None else min(plan.keepalive, deadline - now)
        if step <= 0:
            return
        await asyncio.sleep(step)
        if deadline is not None and asyncio.get_running_loop().time() >= deadline:
            return
        await keepalive()
