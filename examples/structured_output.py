"""Structured output: the answer comes back as an instance of your attrs class.

Run it: ``python examples/structured_output.py``. With OPENROUTER_API_KEY set a real model fills
the class; with no key the SDK's local server answers with scripted JSON.
"""

from __future__ import annotations

import asyncio
import json
import os

import attrs

from openresponses import AsyncClient, StructuredOutputError

MODEL = os.environ.get("OPENRESPONSES_MODEL", "openai/o4-mini")


@attrs.frozen
class River:
    """A river, for a geography quiz.

    Attributes:
        name: The river's usual English name.
        length_km: Its length in kilometres.
        countries: Every country it flows through, in order.
    """

    name: str
    length_km: int
    countries: list[str]


async def main() -> None:
    async with AsyncClient() as client:
        try:
            parsed = await client.responses.parse(
                model=MODEL, input="Tell me about the Danube.", text_format=River
            )
        except StructuredOutputError as exc:
            # A refusal, an answer cut short, or JSON that does not fit: exc.text is the raw text.
            print(f"no River: {exc} (raw text: {exc.text!r})")
            return
    river = parsed.output_parsed
    print(f"{river.name}: {river.length_km} km through {', '.join(river.countries)}")


if __name__ == "__main__":
    configured = ("OPENROUTER_API_KEY", "OPENRESPONSES_API_KEY", "OPENRESPONSES_BASE_URL")
    if any(os.environ.get(name) for name in configured):
        asyncio.run(main())
    else:  # no key: the SDK's local server answers with the JSON a model would send
        from openresponses.testing import LocalServer

        with LocalServer() as server:
            countries = ["Germany", "Austria", "Slovakia", "Hungary", "Croatia", "Serbia"]
            server.add(json.dumps({"name": "Danube", "length_km": 2850, "countries": countries}))
            os.environ["OPENRESPONSES_BASE_URL"] = server.base_url
            asyncio.run(main())
