"""An aiohttp web service that answers with a model: one AsyncClient for the app's lifetime.

The client (and its connection pool) is opened when the app starts and closed when it stops,
so every request reuses warm connections. ``GET /ask?q=...`` answers in JSON, ``GET
/stream?q=...`` passes the text through as it arrives.

Run it: ``python examples/web_service.py --serve`` serves on http://127.0.0.1:8080; without
``--serve`` it starts on a free port, asks itself two questions, prints the answers and stops.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from openresponses import APIStatusError, AsyncClient, OpenResponsesError

MODEL = os.environ.get("OPENRESPONSES_MODEL", "openai/o4-mini")
LLM = web.AppKey("llm", AsyncClient)


async def llm_client(app: web.Application) -> AsyncIterator[None]:
    async with AsyncClient(timeout=60, app_title="openresponses example") as client:
        app[LLM] = client
        yield


async def ask(request: web.Request) -> web.Response:
    client = request.app[LLM]
    try:
        response = await client.responses.create(model=MODEL, input=request.query["q"])
    except APIStatusError as exc:  # the model server said no: pass its verdict on
        return web.json_response({"error": exc.message}, status=502)
    except OpenResponsesError as exc:  # unreachable, timed out, or a bad parameter
        return web.json_response({"error": str(exc)}, status=503)
    return web.json_response({"answer": response.output_text, "id": response.id})


async def stream(request: web.Request) -> web.StreamResponse:
    client = request.app[LLM]
    reply = web.StreamResponse(headers={"Content-Type": "text/plain; charset=utf-8"})
    await reply.prepare(request)
    # If the browser goes away, aiohttp cancels this handler and the model stream closes with it.
    async with client.responses.stream(model=MODEL, input=request.query["q"]) as events:
        async for text in events.text_deltas():
            await reply.write(text.encode())
    await reply.write_eof()
    return reply


def make_app() -> web.Application:
    app = web.Application()
    app.cleanup_ctx.append(llm_client)
    app.router.add_get("/ask", ask)
    app.router.add_get("/stream", stream)
    return app


async def try_it() -> None:
    """Serve on a free port, call both endpoints, stop."""
    runner = web.AppRunner(make_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            async with http.get("/ask", params={"q": "What is a river?"}) as reply:
                print("GET /ask    ->", await reply.json())
            async with http.get("/stream", params={"q": "And a delta?"}) as reply:
                print("GET /stream ->", await reply.text())
    finally:
        await runner.cleanup()


def main() -> None:
    if "--serve" in sys.argv:
        web.run_app(make_app(), host="127.0.0.1", port=8080)
    else:
        asyncio.run(try_it())


if __name__ == "__main__":
    configured = ("OPENROUTER_API_KEY", "OPENRESPONSES_API_KEY", "OPENRESPONSES_BASE_URL")
    if any(os.environ.get(name) for name in configured):
        main()
    else:  # no key: the SDK's local server answers instead (it echoes the prompt)
        from openresponses.testing import LocalServer

        with LocalServer() as server:
            os.environ["OPENRESPONSES_BASE_URL"] = server.base_url
            main()
