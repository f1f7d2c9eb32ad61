"""Many requests at once on one client: bounded concurrency, results in order, errors per request.

Run it: ``python examples/batch.py``. A 429 from the server pauses every worker together (and
``Retry-After`` is honoured); a request that still fails comes back as its exception, in its
slot, without stopping the others.
"""

from __future__ import annotations

import asyncio
import os
import time

from openresponses import AsyncClient

MODEL = os.environ.get("OPENRESPONSES_MODEL", "openai/o4-mini")
RIVERS = ["Nile", "Amazon", "Yangtze", "Mississippi", "Danube", "Ganges", "Mekong", "Volga"]


async def main() -> None:
    requests = [
        {"model": MODEL, "input": f"One sentence about the {river}.", "max_output_tokens": 200}
        for river in RIVERS
    ]
    async with AsyncClient() as client:
        started = time.monotonic()
        # progress=True draws a bar on stderr (tqdm or rich when installed, else a status line).
        results = await client.responses.batch(requests, concurrency=4, progress=True)
        print(f"{len(results)} requests in {time.monotonic() - started:.2f} s")
        for river, result in zip(RIVERS, results, strict=True):
            if isinstance(result, Exception):
                print(f"{river}: failed: {result}")
            else:
                print(f"{river}: {result.output_text}")

        # As they complete instead, with the index of each request:
        async with client.responses.batch_iter(requests[:3], concurrency=3) as results_so_far:
            async for index, result in results_so_far:
                print(f"finished #{index}: {'error' if isinstance(result, Exception) else 'ok'}")


if __name__ == "__main__":
    configured = ("OPENROUTER_API_KEY", "OPENRESPONSES_API_KEY", "OPENRESPONSES_BASE_URL")
    if any(os.environ.get(name) for name in configured):
        asyncio.run(main())
    else:  # no key: the SDK's local server answers, each reply taking 0.2 s like a slow model
        from openresponses.testing import LocalServer, RecordedRequest, Turn, echo_reply

        def slow_echo(request: RecordedRequest) -> Turn:
            return Turn(*echo_reply(request).items, delay=0.2)

        with LocalServer(default=slow_echo) as server:
            os.environ["OPENRESPONSES_BASE_URL"] = server.base_url
            asyncio.run(main())
