"""The blocking client, for scripts and notebooks: same methods, results and errors as AsyncClient.

``Client`` runs its own event loop in a background thread, so it also works inside Jupyter,
where a loop is already running. Run it: ``python examples/sync_client.py``.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from openresponses import Client, OpenResponsesError

MODEL = os.environ.get("OPENRESPONSES_MODEL", "openai/o4-mini")


def main() -> None:
    with Client() as client:
        response = client.responses.create(model=MODEL, input="Name three rivers in Africa.")
        print(response.output_text)

        with client.responses.stream(model=MODEL, input="Count to five.") as stream:
            for text in stream.text_deltas():
                print(text, end="", flush=True)
        print()

        # One client serves many threads at once, over one connection pool.
        questions = [f"What is {n} squared?" for n in range(1, 5)]
        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = pool.map(
                lambda q: client.responses.create(model=MODEL, input=q).output_text, questions
            )
            for answer in answers:
                print(answer)

        try:
            client.responses.create(model=MODEL, input="Hi", temperature=7)
        except OpenResponsesError as exc:  # refused before sending: temperature is out of range
            print(f"{type(exc).__name__}: {exc}")


if __name__ == "__main__":
    configured = ("OPENROUTER_API_KEY", "OPENRESPONSES_API_KEY", "OPENRESPONSES_BASE_URL")
    if any(os.environ.get(name) for name in configured):
        main()
    else:  # no key: the SDK's local server answers instead (it echoes the prompt)
        from openresponses.testing import LocalServer

        with LocalServer() as server:
            os.environ["OPENRESPONSES_BASE_URL"] = server.base_url
            main()
