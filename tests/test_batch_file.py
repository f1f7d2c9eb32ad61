"""Durable batches over real HTTP: a JSONL file (or iterable) in, one result line per request
out, resumes that skip what is done, torn lines cut, bad inputs refused before any request."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _support import make_client
from openresponses import BatchFileSummary, Client, InvalidRequestError
from openresponses._batch_rows import IdSet, is_done_record, request_of
from openresponses.testing import HTTPReply, LocalServer, RecordedRequest, Text, Turn

pytestmark = pytest.mark.anyio


def _line(index: int, *, shape: str = "plain", **fields: Any) -> dict[str, Any]:
    body = {"model": "m", "input": f"req {index}", **fields}
    if shape == "plain":
        return {"custom_id": f"id-{index}", **body}
    return {"custom_id": f"id-{index}", "method": "POST", "url": "/v1/responses", "body": body}


def _write(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _records(path: Path) -> list[dict[str, Any]]:
    data = path.read_bytes()
    assert data.endswith(b"\n") or not data
    return [json.loads(line) for line in data.splitlines()]


def _by_id(path: Path) -> dict[str, dict[str, Any]]:
    records = _records(path)
    by_id = {record["custom_id"]: record for record in records}
    assert len(by_id) == len(records), "a custom_id is in the output twice"
    return by_id


def _index(request: RecordedRequest) -> int:
    return int(str(request.json["input"]).split()[-1])


def _inputs(server: LocalServer) -> list[str]:
    return [str(request.json["input"]) for request in server.requests]


async def test_both_input_shapes_give_one_result_line_each(
    server: LocalServer, tmp_path: Path
) -> None:
    """Batch-file and plain rows: the bodies are sent as written (defaults under them), and
    each id gets one OpenAI-shaped line: status_code, request_id and the response body."""
    rows = [_line(0), _line(1, shape="file"), {"custom_id": "bare", "input": "req 2"}]
    source = _write(tmp_path / "in.jsonl", rows)
    output = tmp_path / "out.jsonl"
    async with make_client(server.base_url) as client:
        summary = await client.responses.batch_to_file(
            source, output, defaults={"model": "default-model", "temperature": 0.5}
        )

    assert isinstance(summary, BatchFileSummary)
    assert (summary.requests, summary.succeeded, summary.failed, summary.skipped) == (3, 3, 0, 0)
    assert summary.usage.total_tokens > 0
    sent = {str(r.json["input"]): r.json for r in server.requests}
    assert sent["req 0"]["model"] == "m"
    assert sent["req 1"]["model"] == "m"
    assert sent["req 2"]["model"] == "default-model"
    assert all(body["temperature"] == 0.5 and body["stream"] is False for body in sent.values())
    by_id = _by_id(output)
    assert set(by_id) == {"id-0", "id-1", "bare"}
    record = by_id["id-1"]
    assert record["error"] is None
    assert record["response"]["status_code"] == 200
    assert record["response"]["request_id"].startswith("gen-")
    assert record["response"]["body"]["output"][0]["content"][0]["text"] == "You said: req 1"


async def test_errors_are_written_in_place_with_type_status_code_message(
    server: LocalServer, tmp_path: Path
) -> None:
    """A 400 and a persistent 503 become error lines; the other lines succeed."""

    def reply(request: RecordedRequest) -> Any:
        index = _index(request)
        if index == 1:
            return HTTPReply(400, {"error": {"code": "invalid_model", "message": "no such model"}})
        if index == 2:
            return HTTPReply(503)
        return Turn(Text(f"ok {index}"))

    server.default = reply
    source = _write(tmp_path / "in.jsonl", [_line(index) for index in range(4)])
    output = tmp_path / "out.jsonl"
    async with make_client(server.base_url) as client:
        summary = await client.responses.batch_to_file(source, output, max_retries=1)

    assert (summary.succeeded, summary.failed) == (2, 2)
    by_id = _by_id(output)
    assert by_id["id-1"] == {
        "custom_id": "id-1",
        "response": None,
        "error": {
            "type": "BadRequestError",
            "status": 400,
            "code": "invalid_model",
            "message": "no such model",
        },
    }
    assert by_id["id-2"]["error"]["type"] == "ServiceUnavailableError"
    assert by_id["id-2"]["error"]["status"] == 503
    assert by_id["id-0"]["response"]["body"]["output"][0]["content"][0]["text"] == "ok 0"
    assert server.request_count == 4 + 1  # the 503 was retried once, the 400 not


async def test_a_resume_skips_what_is_done_and_reruns_transient_errors(
    server: LocalServer, tmp_path: Path
) -> None:
    """Run 1: a 400 (permanent) and a 503 (transient). Run 2 sends only the 503's request; the
    output then holds every id once, the 503's line replaced by its answer."""
    failing = {1: 400, 2: 503}

    def reply(request: RecordedRequest) -> Any:
        status = failing.get(_index(request))
        return HTTPReply(status) if status else Turn(Text("ok"))

    server.default = reply
    source = _write(tmp_path / "in.jsonl", [_line(index) for index in range(5)])
    output = tmp_path / "out.jsonl"
    async with make_client(server.base_url, max_retries=0) as client:
        first = await client.responses.batch_to_file(source, output)
        assert (first.succeeded, first.failed) == (3, 2)
        failing.clear()
        sent_before = server.request_count
        second = await client.responses.batch_to_file(source, output)

    assert _inputs(server)[sent_before:] == ["req 2"]
    assert (second.requests, second.succeeded, second.skipped, second.skipped_failed) == (
        1,
        1,
        4,
        1,
    )
    by_id = _by_id(output)
    assert set(by_id) == {f"id-{index}" for index in range(5)}
    assert by_id["id-1"]["error"]["status"] == 400
    assert by_id["id-2"]["error"] is None
    assert not (tmp_path / "out.jsonl.rewrite").exists()


def test_which_errors_a_resume_runs_again() -> None:
    """Connection errors, timeouts, 401, 402, 408, 409, 429 and 5xx are run again; the rest
    (and every response) stand."""
    rerun = [
        {"type": "APIConnectionError", "status": None},
        {"type": "APITimeoutError", "status": None},
        *({"type": "APIStatusError", "status": status} for status in (401, 402, 408, 409, 429)),
        {"type": "InternalServerError", "status": 500},
        {"type": "ProviderOverloadedError", "status": 529},
    ]
    stand = [
        {"type": "BadRequestError", "status": 400},
        {"type": "NotFoundError", "status": 404},
        {"type": "InvalidRequestError", "status": None},
        {"type": "ResponseValidationError", "status": None},
    ]
    assert not any(is_done_record({"custom_id": "x", "error": error}) for error in rerun)
    assert all(is_done_record({"custom_id": "x", "error": error}) for error in stand)
    assert is_done_record({"custom_id": "x", "response": {"body": {}}, "error": None})


@pytest.mark.parametrize(
    "tail",
    [b'{"custom_id": "id-3", "response": {"status_co', b"not json at all\n", b"\x00\x00\x00"],
    ids=["torn", "whole-but-not-json", "zeros"],
)
async def test_a_torn_last_line_is_cut_before_appending(
    server: LocalServer, tmp_path: Path, tail: bytes
) -> None:
    """A last line cut short (or not a result) is dropped, its request runs again, and the
    file ends up with whole lines only, each id once."""
    source = _write(tmp_path / "in.jsonl", [_line(index) for index in range(5)])
    output = tmp_path / "out.jsonl"
    async with make_client(server.base_url) as client:
        await client.responses.batch_to_file(source, output)
        lines = output.read_bytes().splitlines(keepends=True)
        kept = [line for line in lines if b'"id-3"' not in line and b'"id-4"' not in line]
        output.write_bytes(b"".join(kept) + tail)
        summary = await client.responses.batch_to_file(source, output)

    assert sorted(_inputs(server)[5:]) == ["req 3", "req 4"]
    assert summary.skipped == 3
    assert set(_by_id(output)) == {f"id-{index}" for index in range(5)}


async def test_an_output_that_is_not_a_results_file_is_refused(
    server: LocalServer, tmp_path: Path
) -> None:
    """A line that is not a result, with lines after it: refused, naming the output, unchanged."""
    source = _write(tmp_path / "in.jsonl", [_line(0)])
    output = tmp_path / "notes.txt"
    output.write_bytes(b"my notes\nmore notes\n")
    async with make_client(server.base_url) as client:
        with pytest.raises(InvalidRequestError) as caught:
            await client.responses.batch_to_file(source, output)

    assert caught.value.field == "output"
    assert "line 1" in str(caught.value)
    assert output.read_bytes() == b"my notes\nmore notes\n"
    assert server.request_count == 0


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([_line(0), _line(1), _line(0)], "line 53 of in.jsonl: custom_id 'id-0' is on an earlier"),
        ([_line(0), {"input": "no id"}], "line 52 of in.jsonl: custom_id: must be a non-empty"),
        ([{"custom_id": 7, "input": "x"}], "line 51 of in.jsonl: custom_id: must be a non-empty"),
        ([{"custom_id": "", "input": "x"}], "line 51 of in.jsonl: custom_id: must be a non-empty"),
        ([{**_line(0, shape="file"), "url": "/v1/chat/completions"}], "url: must be /v1/resp"),
        (
            [{**_line(0, shape="file"), "method": "GET"}],
            "line 51 of in.jsonl: method: must be POST",
        ),
        ([_line(0, stream=True)], "line 51 of in.jsonl: stream: is not for batches"),
        (["just a string"], "line 51 of in.jsonl: row: must be a JSON object"),
    ],
    ids=["duplicate", "missing", "not-a-string", "empty", "url", "method", "stream", "not-object"],
)
async def test_bad_rows_are_refused_before_any_request(
    server: LocalServer, tmp_path: Path, rows: list[Any], message: str
) -> None:
    """After 50 good lines, a duplicate, a missing or non-string id, another url or method:
    refused, naming the line, with nothing sent and no output file created."""
    source = _write(tmp_path / "in.jsonl", [_line(index + 10) for index in range(50)] + rows)
    output = tmp_path / "out.jsonl"
    async with make_client(server.base_url) as client:
        with pytest.raises(InvalidRequestError) as caught:
            await client.responses.batch_to_file(source, output)

    assert caught.value.field == "requests"
    assert message in str(caught.value)
    assert server.request_count == 0
    assert not output.exists()


async def test_a_line_that_is_not_json_is_refused_naming_it(
    server: LocalServer, tmp_path: Path
) -> None:
    """Invalid JSON on line 2: refused before any request; blank lines are allowed."""
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(_line(0)) + "\n\n{not json\n", encoding="utf-8")
    async with make_client(server.base_url) as client:
        with pytest.raises(InvalidRequestError, match=r"line 3 of in\.jsonl: not JSON"):
            await client.responses.batch_to_file(source, tmp_path / "out.jsonl")
    assert server.request_count == 0


async def test_bad_arguments_are_refused_naming_the_field(
    server: LocalServer, tmp_path: Path
) -> None:
    """Options, paths and the input's type are checked before anything is read or sent."""
    source = _write(tmp_path / "in.jsonl", [_line(0)])
    output = tmp_path / "out.jsonl"
    cases: list[tuple[str, Any, Any, dict[str, Any]]] = [
        ("concurrency", source, output, {"concurrency": 0}),
        ("max_cost", source, output, {"max_cost": -1}),
        ("requests_per_minute", source, output, {"requests_per_minute": 0}),
        ("max_retries", source, output, {"max_retries": -1}),
        ("defaults", source, output, {"defaults": ["model"]}),
        ("output", source, 42, {}),
        ("output", source, source, {}),
        ("output", source, tmp_path / "missing-dir" / "out.jsonl", {}),
        ("requests", tmp_path / "missing.jsonl", output, {}),
        ("requests", 42, output, {}),
    ]
    async with make_client(server.base_url) as client:
        for field, requests, out, options in cases:
            with pytest.raises(InvalidRequestError) as caught:
                await client.responses.batch_to_file(requests, out, **options)
            assert caught.value.field == field, (field, caught.value)
    assert server.request_count == 0
    assert not output.exists()


async def test_an_iterable_of_requests_is_checked_first_and_resumed(
    server: LocalServer, tmp_path: Path
) -> None:
    """A list: a duplicate refuses it before any request; then a clean list runs, and a second
    run with more requests sends only the new ones."""
    output = tmp_path / "out.jsonl"
    async with make_client(server.base_url) as client:
        with pytest.raises(InvalidRequestError, match="request 2: custom_id 'id-0'"):
            await client.responses.batch_to_file([_line(0), _line(1), _line(0)], output)
        assert server.request_count == 0
        await client.responses.batch_to_file([_line(0), _line(1, shape="file")], output)
        summary = await client.responses.batch_to_file([_line(i) for i in range(4)], output)

    assert (summary.requests, summary.skipped) == (2, 2)
    assert sorted(_inputs(server)) == ["req 0", "req 1", "req 2", "req 3"]
    assert set(_by_id(output)) == {f"id-{index}" for index in range(4)}


async def test_a_generator_is_checked_as_it_is_read(server: LocalServer, tmp_path: Path) -> None:
    """A one-shot iterator cannot be read twice: a duplicate in it ends the batch when reached,
    the results before it written, and the file resumes cleanly."""

    def rows() -> Iterator[dict[str, Any]]:
        yield from (_line(index) for index in range(3))
        yield _line(1)
        yield _line(3)

    output = tmp_path / "out.jsonl"
    async with make_client(server.base_url) as client:
        with pytest.raises(InvalidRequestError, match="request 3: custom_id 'id-1'"):
            await client.responses.batch_to_file(rows(), output, concurrency=1)
        assert set(_by_id(output)) == {"id-0", "id-1", "id-2"}
        summary = await client.responses.batch_to_file((_line(index) for index in range(5)), output)

    assert (summary.requests, summary.skipped) == (2, 3)
    assert set(_by_id(output)) == {f"id-{index}" for index in range(5)}


async def test_the_input_is_read_as_the_workers_need_it(
    server: LocalServer, tmp_path: Path
) -> None:
    """While the first requests wait on the server, no more rows than the workers hold have
    been read from the input (a generator counting its rows)."""
    read = 0
    read_at_first_request: list[int] = []

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal read
        for index in range(200):
            read += 1
            yield _line(index)

    def reply(request: RecordedRequest) -> Turn:
        if not read_at_first_request:
            read_at_first_request.append(read)
        return Turn(Text("ok"), delay=0.05 * (_index(request) < 4))

    server.default = reply
    async with make_client(server.base_url) as client:
        summary = await client.responses.batch_to_file(rows(), tmp_path / "o.jsonl", concurrency=4)

    assert summary.succeeded == 200
    assert read_at_first_request[0] <= 4


async def test_max_cost_stops_starting_and_a_resume_runs_the_rest(
    server: LocalServer, tmp_path: Path
) -> None:
    """$0.25 a request, a $0.5 cap, one worker: two lines written, three not started (and not
    written); a resume with a new budget sends only those three."""
    usage = {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2, "cost": 0.25}
    server.default = lambda request: Turn(Text("ok"), usage=usage)
    source = _write(tmp_path / "in.jsonl", [_line(index) for index in range(5)])
    output = tmp_path / "out.jsonl"
    async with make_client(server.base_url) as client:
        first = await client.responses.batch_to_file(source, output, concurrency=1, max_cost=0.5)
        assert (first.succeeded, first.not_started, first.usage.cost) == (2, 3, 0.5)
        assert set(_by_id(output)) == {"id-0", "id-1"}
        second = await client.responses.batch_to_file(source, output, max_cost=5.0)

    assert (second.succeeded, second.skipped, second.not_started) == (3, 2, 0)
    assert server.request_count == 5
    assert set(_by_id(output)) == {f"id-{index}" for index in range(5)}


async def test_progress_counts_only_the_requests_run(server: LocalServer, tmp_path: Path) -> None:
    """On a resume the progress total is the lines left to run, not the whole input."""
    source = _write(tmp_path / "in.jsonl", [_line(index) for index in range(6)])
    output = tmp_path / "out.jsonl"
    _write(output, [])
    seen: list[tuple[int, int | None]] = []
    async with make_client(server.base_url) as client:
        await client.responses.batch_to_file([_line(0), _line(1)], output)
        await client.responses.batch_to_file(
            source, output, progress=lambda done, total: seen.append((done, total))
        )

    assert seen[0] == (0, 4)
    assert seen[-1] == (4, 4)


async def test_a_second_run_on_the_same_output_is_refused_while_one_runs(
    server: LocalServer, tmp_path: Path
) -> None:
    """Two runs appending to one file would break exactly-once: the second is refused."""
    server.default = lambda request: Turn(Text("ok"), delay=0.3)
    source = _write(tmp_path / "in.jsonl", [_line(index) for index in range(2)])
    output = tmp_path / "out.jsonl"
    _write(output, [])
    async with make_client(server.base_url) as client:
        first = asyncio.create_task(client.responses.batch_to_file(source, output))
        await asyncio.sleep(0.15)  # the first run holds the file: its requests are in flight
        with pytest.raises(InvalidRequestError, match="another batch run") as caught:
            await client.responses.batch_to_file(source, output)
        assert caught.value.field == "output"
        assert (await first).succeeded == 2
    assert server.request_count == 2


def test_the_blocking_twin_writes_and_resumes(server: LocalServer, tmp_path: Path) -> None:
    """Client.responses.batch_to_file: the same file, the same summary, in blocking code."""
    source = _write(tmp_path / "in.jsonl", [_line(index) for index in range(3)])
    output = tmp_path / "out.jsonl"
    with Client(base_url=server.base_url) as client:
        first = client.responses.batch_to_file(source, output, concurrency=2)
        second = client.responses.batch_to_file(str(source), os.fspath(output))

    assert (first.succeeded, second.skipped, second.requests) == (3, 3, 0)
    assert set(_by_id(output)) == {"id-0", "id-1", "id-2"}
    assert server.request_count == 3


def test_request_of_reads_either_shape() -> None:
    """The row reader other runners share: (custom_id, a fresh body) from either shape."""
    plain = {"custom_id": "a", "model": "m", "input": "hi"}
    custom_id, body = request_of(plain)
    assert (custom_id, body) == ("a", {"model": "m", "input": "hi"})
    body["input"] = "changed"
    assert plain["input"] == "hi"
    assert request_of(_line(4, shape="file")) == ("id-4", {"model": "m", "input": "req 4"})
    with pytest.raises(InvalidRequestError) as caught:
        request_of({"custom_id": "a", "url": "/v1/responses", "method": "POST", "body": "x"})
    assert caught.value.field == "body"


def test_the_id_set_finds_every_id_and_its_flags() -> None:
    """30,000 ids through several growths: each found once, with the flags set on it."""
    ids = IdSet()
    for index in range(30_000):
        flags = IdSet.DONE | (IdSet.FAILED if index % 3 == 0 else 0)
        assert ids.add(f"id-{index}", flags) == 0
    for index in range(30_000):
        expected = IdSet.DONE | (IdSet.FAILED if index % 3 == 0 else 0)
        assert ids.add(f"id-{index}", IdSet.INPUT) == expected
    assert ids.add("id-7", 0) == IdSet.DONE | IdSet.INPUT
    assert ids.add("new", IdSet.INPUT) == 0
    assert ids.add("\ud800 lone surrogate", IdSet.INPUT) == 0


async def test_the_loop_keeps_serving_while_a_large_input_is_checked(
    server: LocalServer, tmp_path: Path
) -> None:
    """The first pass over 500,000 lines runs off the event loop: a ticker keeps ticking, and a
    cancellation during it stops the run with nothing sent and no output created."""
    source = tmp_path / "in.jsonl"
    row = '{"custom_id": "id-%d", "model": "m", "input": "req %d"}\n'
    source.write_text("".join(row % (index, index) for index in range(500_000)), encoding="utf-8")
    output = tmp_path / "out.jsonl"
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async with make_client(server.base_url) as client:
        ticking = asyncio.create_task(ticker())
        run = asyncio.create_task(client.responses.batch_to_file(source, output))
        await asyncio.sleep(0.2)  # the check of 500,000 lines takes about a second
        run.cancel()
        with pytest.raises(asyncio.CancelledError):
            await run
        ticking.cancel()

    assert ticks >= 3
    assert server.request_count == 0
    assert not output.exists()
