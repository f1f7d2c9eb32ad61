"""``client.responses.compact``: POST /responses/compact against the local server, typed answer,
the body sent, refusals before sending, the errors, retries and timeouts of ``create``."""

from __future__ import annotations

import time
from typing import Any

import pytest

from _support import FAST, make_client
from openresponses import (
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadGatewayError,
    BadRequestError,
    Client,
    CompactedResponse,
    Compaction,
    InternalServerError,
    InvalidRequestError,
    Message,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    ServiceUnavailableError,
    Timeout,
    UnprocessableEntityError,
    Usage,
    from_dict,
    http_info,
    to_dict,
)
from openresponses.testing import Disconnect, HTTPReply, LocalServer, ResponseJSON
from openresponses.types import UnknownItem

pytestmark = pytest.mark.anyio

COMPACT_PATH = "/v1/responses/compact"
HISTORY: list[dict[str, Any]] = [
    {"type": "message", "role": "user", "content": "Plan a trip to Lyon."},
    {
        "type": "message",
        "id": "msg_a",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": "Take the train.", "annotations": []}],
    },
    {"type": "message", "role": "user", "content": "And then?"},
]


def _compacted(**extra: Any) -> dict[str, Any]:
    """A CompactResource body as the spec's example has it."""
    return {
        "id": "resp_001",
        "object": "response.compaction",
        "created_at": 1764967971,
        "output": [
            {
                "id": "msg_000",
                "type": "message",
                "status": "completed",
                "content": [{"type": "input_text", "text": "Create a landing page."}],
                "role": "user",
            },
            {"id": "cmp_001", "type": "compaction", "encrypted_content": "gAAAAABpM0Yj-...="},
        ],
        "usage": {
            "input_tokens": 139,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 438,
            "output_tokens_details": {"reasoning_tokens": 64},
            "total_tokens": 577,
        },
        **extra,
    }


# -- the answer


async def test_compact_returns_a_typed_compacted_response(server: LocalServer) -> None:
    """The local server's compaction reads as CompactedResponse: user messages kept, then one
    Compaction item, usage, created_at, and http_info as for a Response."""
    async with make_client(server.base_url) as client:
        compacted = await client.responses.compact(model="m", input=HISTORY)

    assert isinstance(compacted, CompactedResponse)
    assert (compacted.id, compacted.object) == ("resp_local_1", "response.compaction")
    assert isinstance(compacted.created_at, int)
    assert abs(compacted.created_at - time.time()) < 60
    kept, compaction = compacted.output[:-1], compacted.output[-1]
    assert [m.role for m in kept if isinstance(m, Message)] == ["user", "user"]
    assert isinstance(compaction, Compaction)
    assert compaction.id == "cmp_local_1"
    assert (compaction.encrypted_content or "").startswith("local:")
    assert isinstance(compacted.usage, Usage)
    assert compacted.usage.total_tokens == (
        compacted.usage.input_tokens + compacted.usage.output_tokens
    )
    assert compacted.usage.input_tokens > 0
    info = http_info(compacted)
    assert info is not None
    assert (info.status_code, info.generation_id) == (200, "gen-local-1")
    assert [request.path for request in server.requests] == [COMPACT_PATH]


async def test_the_spec_example_reads_every_field_and_writes_back_unchanged(
    server: LocalServer,
) -> None:
    """The spec's CompactResource example, with an extra key and an unknown item, reads into
    typed fields and to_dict() gives the same JSON back."""
    body = _compacted(acme_trace="t-1")
    body["output"].append({"type": "acme_note", "id": "n_1", "text": "kept"})
    server.add(ResponseJSON(body))
    async with make_client(server.base_url) as client:
        compacted = await client.responses.compact(model="m", input="Hi")

    assert compacted.usage is not None
    assert compacted.usage.output_tokens_details is not None
    assert compacted.usage.output_tokens_details.reasoning_tokens == 64
    assert compacted.extra_fields == {"acme_trace": "t-1"}
    assert isinstance(compacted.output[2], UnknownItem)
    assert to_dict(compacted) == body


def test_compacted_response_reads_leniently() -> None:
    """A float created_at, OpenRouter's usage cost, and missing fields read without error."""
    compacted = from_dict(
        {"object": "response.compaction", "created_at": 1.5, "usage": {"cost": 0.25}},
        CompactedResponse,
    )
    assert compacted.created_at == 1.5
    assert compacted.usage is not None
    assert compacted.usage.cost == 0.25
    assert (compacted.id, compacted.output) == (None, [])


@pytest.mark.parametrize(
    "item",
    [
        {"type": "compaction", "id": "cmp_1", "encrypted_content": "enc", "created_by": "u_1"},
        {"type": "compaction", "encrypted_content": "enc"},
        {"type": "context_compaction", "id": "cc_1", "encrypted_content": None, "x": 1},
    ],
    ids=["CompactionBody", "CompactionSummaryItemParam", "openrouter-context_compaction"],
)
def test_every_compaction_item_shape_reads_as_compaction_and_writes_back(
    item: dict[str, Any],
) -> None:
    """The spec's CompactionBody and CompactionSummaryItemParam, and OpenRouter's
    context_compaction, read as Compaction and write back key for key (a null dropped)."""
    read = from_dict({"output": [item]}, CompactedResponse).output[0]
    assert isinstance(read, Compaction)
    assert to_dict(read) == {k: v for k, v in item.items() if v is not None}


# -- the request


async def test_only_the_given_fields_are_sent(server: LocalServer) -> None:
    """The body holds exactly the fields given (None omitted, no stream flag); the call
    options go to the headers, the query and the body as for create."""
    async with make_client(server.base_url) as client:
        await client.responses.compact(model="m", input="Hi")
        await client.responses.compact(
            model="m",
            input=HISTORY,
            instructions="Be brief.",
            previous_response_id=None,
            prompt_cache_key="k" * 64,
            extra_headers={"X-Trace": "t1"},
            extra_query={"q": "1"},
            extra_body={"acme": True},
        )

    first, second = server.requests
    assert first.json == {"model": "m", "input": "Hi"}
    assert second.json == {
        "model": "m",
        "input": HISTORY,
        "instructions": "Be brief.",
        "prompt_cache_key": "k" * 64,
        "acme": True,
    }
    assert second.headers["X-Trace"] == "t1"
    assert second.query["q"] == "1"
    assert [r.path for r in server.requests] == [COMPACT_PATH, COMPACT_PATH]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"input": "Hi"}, "model"),
        ({"model": "", "input": "Hi"}, "model"),
        ({"model": None, "input": "Hi"}, "model"),
        ({"model": 5, "input": "Hi"}, "model"),
        ({"model": "m", "input": 5}, "input"),
        ({"model": "m", "input": [5]}, "input[0]"),
        ({"model": "m", "input": [{"content": "no type nor role"}]}, "input[0]"),
        ({"model": "m", "input": "x" * (10 * 1024 * 1024 + 1)}, "input"),
        ({"model": "m", "instructions": 5}, "instructions"),
        ({"model": "m", "previous_response_id": 7}, "previous_response_id"),
        ({"model": "m", "prompt_cache_key": "k" * 65}, "prompt_cache_key"),
        ({"model": "m", "temperature": 0.5}, "temperature"),
        ({"model": "m", "stream": True}, "stream"),
        ({"model": "m", "bogus": 1}, "bogus"),
        ({"model": "m", "timeout": -1}, "timeout"),
    ],
)
async def test_bad_arguments_are_refused_before_sending(
    server: LocalServer, params: dict[str, Any], field: str
) -> None:
    """Each bad argument raises InvalidRequestError naming its field, and nothing is sent."""
    async with make_client(server.base_url) as client:
        with pytest.raises(InvalidRequestError) as caught:
            await client.responses.compact(**params)
    assert caught.value.field == field
    assert server.request_count == 0


async def test_a_create_only_keyword_is_named_as_such(server: LocalServer) -> None:
    """A keyword create takes but compact does not says so, and lists what compact takes."""
    async with make_client(server.base_url) as client:
        with pytest.raises(InvalidRequestError, match=r"create only.*prompt_cache_key"):
            await client.responses.compact(model="m", input="Hi", tools=[])  # type: ignore[call-arg]
    assert server.request_count == 0


# -- errors, retries, timeouts


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (503, ServiceUnavailableError),
    ],
)
async def test_an_error_status_raises_its_class(
    server: LocalServer, status: int, error: type[APIStatusError]
) -> None:
    """Every status class maps as for create, with the status, the body and the message."""
    server.add(HTTPReply(status, body={"error": {"code": status, "message": "nope"}}))
    async with make_client(server.base_url, max_retries=0) as client:
        with pytest.raises(error) as caught:
            await client.responses.compact(model="m", input="Hi")
    assert type(caught.value) is error
    assert caught.value.status_code == status
    assert caught.value.message == "nope"
    assert server.request_count == 1


async def test_the_server_refusing_a_missing_model_is_a_bad_request(server: LocalServer) -> None:
    """A model nulled through extra_body gets the server's own 400: BadRequestError, body kept."""
    async with make_client(server.base_url) as client:
        with pytest.raises(BadRequestError) as caught:
            await client.responses.compact(model="m", input="Hi", extra_body={"model": None})
    assert caught.value.body["error"]["param"] == "model"
    assert server.request_count == 1


async def test_503_then_429_then_a_dropped_connection_are_retried(server: LocalServer) -> None:
    """Transient failures (Retry-After honoured, a connection lost) are retried like create's."""
    server.add(
        HTTPReply(503),
        HTTPReply(429, headers={"Retry-After": "0"}),
        Disconnect(),
    )
    async with make_client(server.base_url, max_retries=3) as client:
        compacted = await client.responses.compact(model="m", input="Hi")
    assert compacted.id == "resp_local_4"
    assert server.request_count == 4
    assert {request.path for request in server.requests} == {COMPACT_PATH}


async def test_retries_run_out_on_the_last_status(server: LocalServer) -> None:
    """max_retries per call bounds the attempts; the last error is raised."""
    server.add(HTTPReply(503), times=3)
    async with make_client(server.base_url) as client:
        with pytest.raises(ServiceUnavailableError):
            await client.responses.compact(model="m", input="Hi", max_retries=1)
    assert server.request_count == 2


async def test_an_error_body_under_http_200_raises_or_is_retried(server: LocalServer) -> None:
    """HTTP 200 with {"error": ...}: a transient code is retried, a named one raises
    APIStatusError(200) with the body, as for create."""
    server.add(HTTPReply(200, body={"error": {"code": 502, "message": "upstream"}}))
    refusal = {"error": {"code": "invalid_prompt", "message": "no"}}
    server.add(HTTPReply(200, body=refusal))
    async with make_client(server.base_url) as client:
        with pytest.raises(APIStatusError) as caught:
            await client.responses.compact(model="m", input="Hi")
        assert server.request_count == 2
        compacted = await client.responses.compact(model="m", input="Hi")
    assert type(caught.value) is APIStatusError
    assert (caught.value.status_code, caught.value.code) == (200, "invalid_prompt")
    assert caught.value.body == refusal
    assert isinstance(compacted.output[-1], Compaction)


async def test_a_transient_error_body_under_200_exhausting_retries_is_its_status(
    server: LocalServer,
) -> None:
    """Three 200 bodies with code 502 raise BadGatewayError after the retries."""
    server.add(HTTPReply(200, body={"error": {"code": 502, "message": "upstream"}}), times=3)
    async with make_client(server.base_url) as client:
        with pytest.raises(BadGatewayError):
            await client.responses.compact(model="m", input="Hi")
    assert server.request_count == 3


async def test_a_slow_answer_hits_the_total_timeout(server: LocalServer) -> None:
    """A compaction slower than timeout.total raises APITimeoutError, retried as create."""
    server.add(HTTPReply(200, body=_compacted(), delay=2.0), times=2)
    async with make_client(server.base_url, max_retries=1) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match=r"timeout\.total"):
            await client.responses.compact(model="m", input="Hi", timeout=Timeout(total=0.2))
    assert 0.4 <= time.monotonic() - started < 1.5
    assert server.request_count == 2


@pytest.mark.parametrize(
    ("body", "payload", "path"),
    [
        (b"[1, 2]", b"[1, 2]", None),
        (b"not json", b"not json", None),
        (b'{"output": 5}', {"output": 5}, "$.output"),
        (b'{"output": [{"type": "compaction", "id": []}]}', None, "$.output[0].id"),
    ],
    ids=["array", "not-json", "output-not-a-list", "bad-item"],
)
async def test_a_bad_body_raises_response_validation_error_with_the_payload(
    server: LocalServer, body: bytes, payload: Any, path: str | None
) -> None:
    """An answer that is not a compaction raises ResponseValidationError carrying what came
    (and where it went wrong), not retried."""
    server.add(HTTPReply(200, body=body, content_type="application/json"))
    async with make_client(server.base_url) as client:
        with pytest.raises(ResponseValidationError) as caught:
            await client.responses.compact(model="m", input="Hi")
    if payload is not None:
        assert caught.value.payload == payload
    if path is not None:
        assert caught.value.path == path
    assert server.request_count == 1


# -- the output as the next input


async def test_the_output_is_valid_input_to_the_next_create_as_it_is(server: LocalServer) -> None:
    """compacted.output, alone and mixed with dicts, is sent by create exactly as the
    compaction answer had it: the compaction item and its encrypted_content unchanged."""
    server.add(ResponseJSON(_compacted()))
    async with make_client(server.base_url) as client:
        compacted = await client.responses.compact(model="m", input=HISTORY)
        follow_up = {"type": "message", "role": "user", "content": "Go on."}
        response = await client.responses.create(model="m", input=[*compacted.output, follow_up])

    assert response.output_text == "You said: Go on."
    compact_request, create_request = server.requests
    assert (compact_request.path, create_request.path) == (COMPACT_PATH, "/v1/responses")
    assert create_request.json["input"] == [*_compacted()["output"], follow_up]


def test_the_blocking_twin_compacts(server: LocalServer) -> None:
    """Client.responses.compact blocks and returns the same typed answer, with http_info."""
    with Client(base_url=server.base_url, retry_policy=FAST) as client:
        compacted = client.responses.compact(model="m", input="Hi", instructions="sys")
    assert isinstance(compacted, CompactedResponse)
    assert isinstance(compacted.output[-1], Compaction)
    info = http_info(compacted)
    assert info is not None
    assert info.status_code == 200
    assert server.requests[0].json == {"model": "m", "input": "Hi", "instructions": "sys"}
