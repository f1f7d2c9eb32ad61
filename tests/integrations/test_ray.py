"""Batches on Ray Data: rows answered by actors, results and errors as columns, one job rate."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import ray
import ray.data

from _support import FAST
from openresponses import InvalidRequestError
from openresponses.ray import Responses, map_responses
from openresponses.testing import LocalServer

pytestmark = pytest.mark.usefixtures("ray_session")


def test_rows_come_back_answered_with_errors_in_place(server: LocalServer, script: Any) -> None:
    """300 rows on 2 actors: 429s and 503s retried, refused rows get their error, none is lost."""
    rows = script.rows(300)
    answered = map_responses(
        ray.data.from_items(rows),
        client_options={"base_url": server.base_url, "retry_policy": FAST},
        actors=2,
        batch_size=50,
    )
    script.check(answered.take_all(), 300)


def test_every_batch_format_and_row_shape(server: LocalServer) -> None:
    """Arrow and numpy batches: input, prompt, body (dict, JSON, batch-file shape); bad rows."""
    rows: list[dict[str, Any]] = [
        {"custom_id": "input", "input": "one", "instructions": "Be brief."},
        {"custom_id": "prompt", "prompt": "two", "model": "row/model"},
        {"custom_id": "json-body", "body": json.dumps({"input": "three", "model": "b/m"})},
        {"custom_id": "none"},
        {"custom_id": "both", "input": "x", "body": json.dumps({"input": "y"})},
        {"custom_id": "not-json", "body": "{oops"},
    ]
    batch_file = [
        {"custom_id": "file", "method": "POST", "url": "/v1/responses", "body": {"input": "four"}},
        {"custom_id": "bad-url", "method": "POST", "url": "/v1/chat", "body": {"input": "five"}},
    ]
    for batch_format, items in (("pyarrow", rows), ("numpy", batch_file)):
        dataset = ray.data.from_items(items).map_batches(
            Responses,
            fn_constructor_kwargs={
                "model": "job/model",
                "defaults": {"max_output_tokens": 50},
                "client_options": {"base_url": server.base_url},
            },
            compute=ray.data.ActorPoolStrategy(size=1),
            num_cpus=0.5,
            batch_format=batch_format,
        )
        answered = {row["custom_id"]: row for row in dataset.take_all()}
        assert len(answered) == len(items)
        for row in answered.values():
            assert (row["output_text"] is None) == (row["error"] is not None)
        errors = {key: json.loads(row["error"]) for key, row in answered.items() if row["error"]}
        if batch_format == "pyarrow":
            assert answered["input"]["output_text"] == "You said: one"
            assert answered["prompt"]["output_text"] == "You said: two"
            assert answered["json-body"]["output_text"] == "You said: three"
            assert {key: error["message"] for key, error in errors.items()} == {
                "none": "input: the row has no input, prompt or body value",
                "both": "body: a row has a body or an input (prompt), not both",
                "not-json": errors["not-json"]["message"],
            }
            assert errors["not-json"]["message"].startswith("body: is not JSON")
        else:
            assert answered["file"]["output_text"] == "You said: four"
            assert errors["bad-url"]["message"] == "url: must be /v1/responses, got '/v1/chat'"
    sent = {request.json["input"]: request.json for request in server.requests}
    assert sorted(sent) == ["four", "one", "three", "two"]  # refused rows sent nothing
    assert sent["one"] == {
        "stream": False,
        "input": "one",
        "instructions": "Be brief.",
        "max_output_tokens": 50,
        "model": "job/model",
    }
    assert sent["two"]["model"] == "row/model"
    assert sent["three"]["model"] == "b/m"


def test_the_rate_limit_holds_for_the_whole_job(
    server: LocalServer, spacing_holds: Callable[[list[float], float, int], None]
) -> None:
    """3 actors, 600 rpm for the job: the server sees one request per 0.1 s, not three."""
    dataset = ray.data.from_items([{"input": f"q{i}"} for i in range(40)]).map_batches(
        Responses,
        fn_constructor_kwargs={
            "client_options": {"base_url": server.base_url},
            "requests_per_minute": 600,
            "rate_limit_name": "test-job-rate",
        },
        compute=ray.data.ActorPoolStrategy(size=3),
        num_cpus=0.5,
        batch_size=5,
        batch_format="pandas",
    )
    assert all(row["error"] is None for row in dataset.take_all())
    spacing_holds([request.received_at for request in server.requests], 60 / 600, 40)


def test_a_second_rate_under_one_name_is_refused() -> None:
    """The job's limiter has one rate: another one under its name is refused, naming the field."""
    # Kept: a named actor lives while a handle on it does.
    first = Responses(requests_per_minute=120, rate_limit_name="test-one-rate")
    with pytest.raises(InvalidRequestError, match="runs at 120 requests per minute") as caught:
        Responses(requests_per_minute=60, rate_limit_name="test-one-rate")
    assert caught.value.field == "requests_per_minute"
    joined = Responses(requests_per_minute=120, rate_limit_name="test-one-rate")
    assert joined._limiter is not None
    assert first._limiter is not None
    # One limiter: a slot taken through the first leaves the next one half a second later.
    ray.get(first._limiter._handle.reserve.remote())
    assert 0.4 < ray.get(joined._limiter._handle.reserve.remote()) <= 0.5


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"concurrency_per_actor": 0}, "concurrency_per_actor"),
        ({"requests_per_minute": -1}, "requests_per_minute"),
        ({"max_retries": -1}, "max_retries"),
        ({"client_options": {"timeout": -5}}, "timeout"),
        ({"client_options": {"no_such_option": 1}}, "client_options"),
        ({"defaults": {"stream": True}}, "defaults"),
        ({"model": ""}, "model"),
        ({"actors": 0}, "actors"),
    ],
)
def test_bad_settings_are_refused_before_the_job_runs(
    server: LocalServer, options: dict[str, Any], field: str
) -> None:
    """map_responses checks every setting in the driver: InvalidRequestError naming it."""
    with pytest.raises(InvalidRequestError) as caught:
        map_responses(ray.data.from_items([{"input": "x"}]), **options)
    assert caught.value.field.startswith(field)
    assert server.request_count == 0
