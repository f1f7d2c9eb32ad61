"""A Ray Dataset of prompts answered on Ray actors: results and errors as columns, one job rate.

Run it: ``python examples/ray_batch.py`` (it needs ``pip install 'openresponses[ray]'``). It
starts a local Ray of two CPUs; each of the two actors keeps one client and many requests in
flight, and ``requests_per_minute`` holds for the whole job, whichever actor sends. A row that
fails gets its ``error`` column filled and its block goes on.
"""

from __future__ import annotations

import os

import ray
import ray.data

from openresponses.ray import map_responses

MODEL = os.environ.get("OPENRESPONSES_MODEL", "openai/o4-mini")
RIVERS = ["Nile", "Amazon", "Yangtze", "Mississippi", "Danube", "Ganges", "Mekong", "Volga"]
# The workers are other processes: the client's configuration travels in the job's environment.
CONFIGURATION = (
    "OPENROUTER_API_KEY",
    "OPENRESPONSES_API_KEY",
    "OPENRESPONSES_BASE_URL",
    "OPENRESPONSES_MODEL",
)


def main() -> None:
    env_vars = {name: os.environ[name] for name in CONFIGURATION if name in os.environ}
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        object_store_memory=100 * 1024 * 1024,
        runtime_env={"env_vars": env_vars},
    )
    ray.data.DataContext.get_current().enable_progress_bars = False
    rows = [
        {"custom_id": river.lower(), "input": f"One sentence about the {river}."}
        for river in RIVERS
    ]
    rows.append({"custom_id": "empty"})  # no input: answered with an error, sends nothing
    answered = map_responses(
        ray.data.from_items(rows),
        model=MODEL,
        defaults={"max_output_tokens": 200},
        requests_per_minute=600,  # the whole job's rate, across both actors
        actors=2,
        batch_size=4,
    )
    for row in sorted(answered.take_all(), key=lambda row: str(row["custom_id"])):
        if row["error"] is None:
            print(f"{row['custom_id']}: {row['output_text']} ({row['total_tokens']} tokens)")
        else:
            print(f"{row['custom_id']}: error {row['error']}")
    ray.shutdown()


if __name__ == "__main__":
    configured = ("OPENROUTER_API_KEY", "OPENRESPONSES_API_KEY", "OPENRESPONSES_BASE_URL")
    if any(os.environ.get(name) for name in configured):
        main()
    else:  # no key: the SDK's local server answers, here in this process, over HTTP
        from openresponses.testing import LocalServer

        with LocalServer() as server:
            os.environ["OPENRESPONSES_BASE_URL"] = server.base_url
            main()
