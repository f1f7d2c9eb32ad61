"""A local Open Responses server for tests, demos and benchmarks: real HTTP, scripted replies.

The server speaks the spec faithfully (every streaming event in order, sequence numbers from 0, an
``event:`` line equal to each ``type``, the terminal response, ``data: [DONE]``, an
``X-Generation-Id`` on every reply) and can be scripted to misbehave the way real servers do: error
statuses in any body shape, in-band errors after HTTP 200, keep-alive comments, stalls, delays and
dropped connections.

It speaks the two other routes of the spec as well:

- WebSocket mode: ``GET /v1/responses`` upgraded to a socket. Each ``response.create`` message is
  a turn that takes the next scripted reply and gets the events its HTTP stream would carry, one
  JSON text message each, with no ``[DONE]``; turns on a socket run one after another. Faults
  follow the replies: an :class:`HTTPReply` becomes an ``error`` event with its status (the
  socket stays open), :class:`Disconnect` and ``drop_after`` close the socket with no close
  frame, stalls and delays apply, ``keepalive`` sends ``{"type": "keepalive"}`` events. Messages
  the spec refuses (not a JSON object, another ``type``, or ``stream``, ``stream_options`` or
  ``background`` keys) get a 400 ``error`` event. ``refuse_websocket()`` answers handshakes with
  an HTTP status, ``drop_websockets()`` kills open sockets.
- ``POST /v1/responses/compact``: a deterministic compaction by default (the input's user
  messages, then one ``compaction`` item sealing the rest), or the next scripted reply
  (:class:`ResponseJSON` for the answer, :class:`HTTPReply`, :class:`Disconnect`).

And OpenRouter's GETs, scripted the same way: ``/generation?id=gen-local-N`` answers the stats of
a response it served (its model and usage, the reply's scripted delays as latency), 404 for an
unknown id; ``/models`` lists its own model and the spec's example (``openai/gpt-4``) with the
query's filters applied; ``/model/{author}/{slug}`` answers one of them.

>>> import asyncio, aiohttp
>>> from openresponses.testing import LocalServer, ToolCall
>>> async def main() -> None:
...     async with LocalServer() as server, aiohttp.ClientSession() as session:
...         server.add(ToolCall("get_weather", {"city": "Paris"}))
...         url = f"{server.base_url}/responses"
...         async with session.post(url, json={"input": "Weather?"}) as r:
...             print((await r.json())["output"][0]["name"])
...         async with session.post(url, json={"input": "Hi"}) as r:
...             print((await r.json())["output"][0]["content"][0]["text"])
>>> asyncio.run(main())
get_weather
You said: Hi

Replies, queued with ``server.add(...)`` and used one per request:

- output items, alone or combined in a :class:`Turn`: :class:`Text`, :class:`ToolCall`,
  :class:`Reasoning`, :class:`RefusalMessage`, :class:`RawItem` (a plain string is a :class:`Text`);
- :class:`Turn` options for outcomes (``status``, ``stream_error=InBandError(...)``,
  ``terminal``, ``done``) and faults (``delay``, ``first_event_delay``, ``event_delay``,
  ``keepalive``, ``stall_after``/``stall_for``, ``drop_after``);
- :class:`ResponseJSON` (a whole response body), :class:`Transcript` (raw SSE, verbatim),
  :class:`HTTPReply` (any status, body and headers), :class:`Disconnect` (hang up);
- a function of the :class:`RecordedRequest` returning any of these (sync or async).

Start it in the running loop (``async with LocalServer()``), in a background thread for sync code
(``with LocalServer()``, or ``start_in_thread()``/``stop()``), or as its own process, which prints
its base URL first: ``python -m openresponses.testing --port 8080 [--fast] [--deltas N]``. With
pytest, the ``openresponses_server`` fixture gives a started :class:`LocalServer`.
"""

from __future__ import annotations

from ._items import RawItem, Reasoning, RefusalMessage, Text, ToolCall
from ._replies import Disconnect, HTTPReply, InBandError, ResponseJSON, Transcript, Turn, echo_reply
from ._script import OutputItem, RecordedRequest, Reply, ReplyFunction, ReplyLike
from ._server import LocalServer

__all__ = [
    "Disconnect",
    "HTTPReply",
    "InBandError",
    "LocalServer",
    "OutputItem",
    "RawItem",
    "Reasoning",
    "RecordedRequest",
    "RefusalMessage",
    "Reply",
    "ReplyFunction",
    "ReplyLike",
    "ResponseJSON",
    "Text",
    "ToolCall",
    "Transcript",
    "Turn",
    "echo_reply",
]
