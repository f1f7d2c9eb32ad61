"""A Dask DataFrame of prompts answered on Dask workers: results and errors as columns.

Run it: ``python examples/dask_batch.py`` (it needs ``pip install 'openresponses[dask]'``). It
starts a local cluster of two worker processes; each keeps one client and many requests in
flight, and ``requests_per_minute`` holds for the whole job (the scheduler keeps the slots). A
row that fails gets its ``error`` column filled and its partition goes on. A Bag of dicts works
the same way.
"""

from __future__ import annotations

import os

import dask.bag
import dask.dataframe
import pandas as pd  # type: ignore[import-untyped]
from distributed import Client, LocalCluster

from openresponses.dask import map_responses

MODEL = os.environ.get("OPENRESPONSES_MODEL", "openai/o4-mini")
RIVERS = ["Nile", "Amazon", "Yangtze", "Mississippi", "Danube", "Ganges", "Mekong", "Volga"]


def main() -> None:
    # The worker processes start from this one's environment, configuration included.
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    with cluster, Client(cluster):
        prompts = pd.DataFrame(
            {
                "custom_id": [river.lower() for river in RIVERS] + ["empty"],
                "input": [f"One sentence about the {river}." for river in RIVERS] + [None],
            }
        )
        frame = dask.dataframe.from_pandas(prompts, npartitions=3)
        answered = map_responses(
            frame,
            model=MODEL,
            defaults={"max_output_tokens": 200},
            requests_per_minute=600,  # the whole job's rate, across both workers
        ).compute()
        for row in answered.sort_values("custom_id").itertuples():
            if pd.isna(row.error):
                print(f"{row.custom_id}: {row.output_text} ({row.total_tokens} tokens)")
            else:
                print(f"{row.custom_id}: error {row.error}")

        bag = dask.bag.from_sequence([{"input": "Name a river in Asia."}], npartitions=1)
        (result,) = map_responses(bag, model=MODEL).compute()
        print(f"bag: {result['output_text']}")


if __name__ == "__main__":
    configured = ("OPENROUTER_API_KEY", "OPENRESPONSES_API_KEY", "OPENRESPONSES_BASE_URL")
    if any(os.environ.get(name) for name in configured):
        main()
    else:  # no key: the SDK's local server answers, here in this process, over HTTP
        from openresponses.testing import LocalServer

        with LocalServer() as server:
            os.environ["OPENRESPONSES_BASE_URL"] = server.base_url
            main()
