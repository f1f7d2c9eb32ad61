"""Batches on Dask: DataFrame and Bag partitions answered in worker processes, one job rate."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import dask.bag
import dask.dataframe
import pandas as pd
import pytest

from _support import FAST
from openresponses import InvalidRequestError
from openresponses.dask import Responses, map_responses
from openresponses.testing import HTTPReply, LocalServer


def _records(frame: Any) -> list[dict[str, Any]]:
    """A computed DataFrame's rows, with pandas' missing values as None."""
    return [
        {key: None if value is pd.NA else value for key, value in row.items()}
        for row in frame.astype(object).to_dict("records")
    ]


def test_dataframe_rows_come_back_answered_with_errors_in_place(
    server: LocalServer, script: Any, dask_client: Any
) -> None:
    """300 rows in 6 partitions on 2 workers: retries, errors in place, typed result columns."""
    frame = dask.dataframe.from_pandas(pd.DataFrame(script.rows(300)), npartitions=6)
    answered = map_responses(
        frame, client_options={"base_url": server.base_url, "retry_policy": FAST}
    )
    computed = answered.compute(scheduler=dask_client)
    assert {name: str(dtype) for name, dtype in computed.dtypes.items()} == {
        name: str(dtype) for name, dtype in answered.dtypes.items()
    }
    assert str(computed.dtypes["total_tokens"]) == "Int64"
    script.check(_records(computed), 300)


def test_bag_rows_come_back_answered_with_errors_in_place(
    server: LocalServer, script: Any, dask_client: Any
) -> None:
    """The Bag twin: dicts in, the same dicts with the result keys out, failures in place."""
    bag = dask.bag.from_sequence(script.rows(120), npartitions=4)
    answered = bag.map_partitions(
        Responses(client_options={"base_url": server.base_url, "retry_policy": FAST})
    )
    script.check(answered.compute(scheduler=dask_client), 120)


def test_the_rate_limit_holds_for_the_whole_job(
    server: LocalServer,
    dask_client: Any,
    spacing_holds: Callable[[list[float], float, int], None],
) -> None:
    """2 worker processes, 900 rpm for the job: one request per 1/15 s, not two; both worked."""
    frame = dask.dataframe.from_pandas(
        pd.DataFrame({"input": [f"q{i}" for i in range(40)]}), npartitions=4
    )
    answer = Responses(client_options={"base_url": server.base_url}, requests_per_minute=900)
    answered = frame.map_partitions(answer, meta=answer.meta(frame)).compute(scheduler=dask_client)
    assert answered["error"].isna().all()
    spacing_holds([request.received_at for request in server.requests], 60 / 900, 40)
    token = answer._token

    def served_here() -> bool:
        import openresponses.dask

        process = openresponses.dask._process
        return process is not None and token in process.workers

    assert list(dask_client.run(served_here).values()) == [True, True]  # both processes sent


def test_a_shared_rate_has_one_value(server: LocalServer, dask_client: Any) -> None:
    """Jobs sharing a rate_limit_name share its rate; another rate under it is refused."""
    bag = dask.bag.from_sequence([{"input": "x"}], npartitions=1)
    options = {"client_options": {"base_url": server.base_url}, "rate_limit_name": "test-shared"}
    first = map_responses(bag, requests_per_minute=600, **options).compute(scheduler=dask_client)
    assert first[0]["error"] is None
    with pytest.raises(InvalidRequestError, match="runs at 600 requests per minute"):
        map_responses(bag, requests_per_minute=300, **options).compute(scheduler=dask_client)
    assert server.request_count == 1


def test_without_a_cluster_the_process_keeps_the_rate(
    server: LocalServer, spacing_holds: Callable[[list[float], float, int], None]
) -> None:
    """The threaded scheduler: every partition in this process, the limit and a 429 pause kept."""
    server.add(HTTPReply(429, headers={"Retry-After": "0.5"}))
    bag = dask.bag.from_sequence([{"input": f"q{i}"} for i in range(20)], npartitions=4)
    answered = map_responses(
        bag,
        client_options={"base_url": server.base_url, "retry_policy": FAST},
        requests_per_minute=1200,
    ).compute(scheduler="threads")
    assert [row["error"] for row in answered] == [None] * 20
    times = sorted(request.received_at for request in server.requests)
    # The first request's 429 paused the job: no request started in the next half second.
    assert times[1] - times[0] >= 0.5 - 0.01
    spacing_holds(times[1:], 60 / 1200, 20)


def test_rows_of_every_shape(server: LocalServer) -> None:
    """input with instructions, prompt, a body in JSON or the batch-file shape; bad rows refused."""
    rows = [
        {"custom_id": "a", "input": "one", "instructions": "Be brief."},
        {"custom_id": "b", "prompt": "two"},
        {"custom_id": "c", "body": json.dumps({"input": "three", "model": "b/m"})},
        {"custom_id": "d", "method": "POST", "url": "/v1/responses", "body": {"input": "four"}},
        {"custom_id": "e", "method": "GET", "url": "/v1/responses", "body": {"input": "five"}},
        {"custom_id": "f", "input": None},
    ]
    answered = {
        row["custom_id"]: row
        for row in Responses(model="job/model", client_options={"base_url": server.base_url})(rows)
    }
    assert [answered[key]["output_text"] for key in "abcd"] == [
        "You said: one",
        "You said: two",
        "You said: three",
        "You said: four",
    ]
    assert json.loads(answered["e"]["error"])["message"] == "method: must be POST, got 'GET'"
    assert json.loads(answered["f"]["error"])["type"] == "InvalidRequestError"
    models = sorted(request.json["model"] for request in server.requests)
    assert models == ["b/m", "job/model", "job/model", "job/model"]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"concurrency_per_worker": 0}, "concurrency_per_worker"),
        ({"requests_per_minute": 0}, "requests_per_minute"),
        ({"client_options": {"no_such_option": 1}}, "client_options"),
        ({"defaults": ["not", "a", "mapping"]}, "defaults"),
        ({"rate_limit_name": ""}, "rate_limit_name"),
    ],
)
def test_bad_settings_are_refused_before_anything_runs(
    server: LocalServer, options: dict[str, Any], field: str
) -> None:
    """Responses and map_responses check every setting: InvalidRequestError naming it."""
    bag = dask.bag.from_sequence([{"input": "x"}])
    with pytest.raises(InvalidRequestError) as caught:
        map_responses(bag, **options)
    assert caught.value.field == field
    with pytest.raises(InvalidRequestError, match="collection"):
        map_responses([{"input": "x"}])  # type: ignore[type-var]
    assert server.request_count == 0
