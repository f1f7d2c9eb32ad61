"""``client.generations.get``: OpenRouter's ``GET /generation?id=`` against the local server, typed
stats of the responses it served, refusals before sending, and the errors, retries, timeouts and
hooks of ``create``."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from _support import make_client
from openresponses import (
    APITimeoutError,
    AsyncClient,
    BadGatewayError,
    CallInfo,
    Client,
    Generation,
    GenerationProviderResponse,
    Hook,
    InvalidRequestError,
    NotFoundError,
    ResponseValidationError,
    Timeout,
    from_dict,
    http_info,
    to_dict,
)
from openresponses.testing import HTTPReply, LocalServer, ResponseJSON, Text, ToolCall, Turn

pytestmark = pytest.mark.anyio

PATH = "/v1/generation"


def _spec_data(openapi_specs: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` of the spec's example answer to ``GET /generation``."""
    operation = openapi_specs["openrouter"]["paths"]["/generation"]["get"]
    data: dict[str, Any] = operation["responses"]["200"]["content"]["application/json"]["example"][
        "data"
    ]
    return data


async def _served(client: AsyncClient, **params: Any) -> str:
    """The generation id of one response the server answers."""
    response = await client.responses.create(model="acme/model", input="one two three", **params)
    info = http_info(response)
    assert info is not None
    assert info.generation_id is not None
    return info.generation_id


async def test_stats_of_a_served_response_are_typed(server: LocalServer) -> None:
    """The stats carry the response's model, token counts and cost; one GET with ``?id=``."""
    usage = {
        "input_tokens": 7,
        "output_tokens": 4,
        "total_tokens": 11,
        "input_tokens_details": {"cached_tokens": 2},
        "output_tokens_details": {"reasoning_tokens": 1},
        "cost": 0.0021,
        "cost_details": {"upstream_inference_cost": 0.0019},
        "is_byok": True,
    }
    server.add(Turn(Text("four words of answer"), usage=usage, delay=0.05))
    async with make_client(server.base_url) as client:
        generation_id = await _served(client)
        stats = await client.generations.get(generation_id)
    assert isinstance(stats, Generation)
    assert (stats.id, stats.model, stats.provider_name) == (
        generation_id,
        "acme/model",
        "LocalServer",
    )
    assert (stats.tokens_prompt, stats.tokens_completion) == (7, 4)
    assert (stats.native_tokens_reasoning, stats.native_tokens_cached) == (1, 2)
    assert (stats.total_cost, stats.usage, stats.upstream_inference_cost) == (
        0.0021,
        0.0021,
        0.0019,
    )
    assert stats.is_byok is True
    assert (stats.finish_reason, stats.streamed, stats.cancelled) == ("stop", False, False)
    assert stats.latency == 50  # the reply's scripted delay, in milliseconds
    assert stats.upstream_id == "resp_local_1"
    request = server.requests[-1]
    assert (request.method, request.path, dict(request.query)) == (
        "GET",
        PATH,
        {"id": "gen-local-1"},
    )
    assert request.body == b""
    info = http_info(stats)
    assert info is not None
    assert info.status_code == 200


async def test_a_streamed_answer_and_how_turns_ended(server: LocalServer) -> None:
    """Streamed answers say so; a tool call ends in tool_calls, a cut answer in length."""
    server.add(ToolCall("get_weather", {"city": "Paris"}), Turn(Text("cut"), status="incomplete"))
    async with make_client(server.base_url) as client:
        called = await _served(client)
        cut = await _served(client)
        async with client.responses.stream(model="m", input="Hi there") as stream:
            await stream.final_response()
        assert stream.generation_id is not None
        streamed = await client.generations.get(stream.generation_id)
        assert (await client.generations.get(called)).finish_reason == "tool_calls"
        assert (await client.generations.get(cut)).finish_reason == "length"
    assert (streamed.streamed, streamed.finish_reason, streamed.model) == (True, "stop", "m")
    assert (streamed.tokens_prompt, streamed.tokens_completion) == (2, 4)  # "You said: Hi there"


async def test_a_local_response_reports_no_charge(server: LocalServer) -> None:
    """With no cost in the usage, the local server's stats say it charged nothing."""
    async with make_client(server.base_url) as client:
        stats = await client.generations.get(await _served(client))
    assert (stats.total_cost, stats.usage, stats.is_byok) == (0.0, 0.0, False)


async def test_the_spec_example_reads_every_field(
    server: LocalServer, openapi_specs: dict[str, Any]
) -> None:
    """The spec's example answer reads field by field, and writes back as sent (nulls aside)."""
    data = _spec_data(openapi_specs)
    provider = {"status": 200, "provider_name": "OpenAI", "latency": 1200, "id": "chatcmpl-abc"}
    body = {"data": {**data, "provider_responses": [provider], "new_field": {"x": 1}}}
    server.add(ResponseJSON(body))
    async with make_client(server.base_url) as client:
        stats = await client.generations.get("gen-3bhGkxlo4XFrqiabUM7NDtwDzWwG")
    assert stats.model == "sao10k/l3-stheno-8b"
    assert (stats.total_cost, stats.upstream_inference_cost, stats.cache_discount) == (
        0.0015,
        0.0012,
        None,
    )
    assert (stats.latency, stats.generation_time, stats.moderation_latency) == (1250, 1200, 50)
    assert (stats.native_tokens_prompt, stats.native_tokens_completion) == (10, 25)
    assert stats.created_at == "2024-07-15T23:33:19.433273+00:00"
    assert stats.provider_responses == [
        GenerationProviderResponse(
            status=200, provider_name="OpenAI", latency=1200, id="chatcmpl-abc"
        )
    ]
    assert stats.extra_fields == {"new_field": {"x": 1}}
    sent = {key: value for key, value in body["data"].items() if value is not None}
    assert to_dict(stats) == sent


def test_generation_reads_leniently() -> None:
    """Missing fields are None, integral floats in int fields become ints, extras are kept."""
    stats = from_dict({"id": "gen-1", "tokens_prompt": 3.0, "vendor": True}, Generation)
    assert (stats.tokens_prompt, stats.total_cost, stats.model) == (3, None, None)
    assert stats.extra_fields == {"vendor": True}


@pytest.mark.parametrize("generation_id", ["", "   ", None, 17, b"gen-1"])
async def test_a_bad_id_is_refused_before_sending(server: LocalServer, generation_id: Any) -> None:
    """An id that is not a non-empty string raises InvalidRequestError naming it; nothing sent."""
    async with make_client(server.base_url) as client:
        with pytest.raises(InvalidRequestError) as caught:
            await client.generations.get(generation_id)
    assert caught.value.field == "generation_id"
    assert server.request_count == 0


async def test_an_unknown_option_is_refused_before_sending(server: LocalServer) -> None:
    """A keyword that is not an option of the call is named; nothing is sent."""
    async with make_client(server.base_url) as client:
        with pytest.raises(InvalidRequestError) as caught:
            await client.generations.get("gen-1", stream=True)  # type: ignore[call-arg]
    assert caught.value.field == "stream"
    assert server.request_count == 0


async def test_an_unknown_generation_is_not_found(server: LocalServer) -> None:
    """An id the server never served: NotFoundError with its message, not retried."""
    async with make_client(server.base_url) as client:
        with pytest.raises(NotFoundError) as caught:
            await client.generations.get("gen-never")
    assert caught.value.status_code == 404
    assert "gen-never not found" in caught.value.message
    assert server.request_count == 1


async def test_a_503_is_retried(server: LocalServer) -> None:
    """Two 503s, then the stats: three GETs, each with the id."""
    async with make_client(server.base_url) as client:
        generation_id = await _served(client)
        server.add(HTTPReply(503), times=2)
        stats = await client.generations.get(generation_id)
    assert stats.id == generation_id
    gets = [request for request in server.requests if request.method == "GET"]
    assert [dict(request.query) for request in gets] == [{"id": generation_id}] * 3


async def test_an_error_body_under_200_is_its_status(server: LocalServer) -> None:
    """OpenRouter's late error under HTTP 200 raises its status's class after the retries."""
    late = ResponseJSON({"error": {"code": 502, "message": "Provider returned error"}})
    server.add(late, times=3)
    async with make_client(server.base_url) as client:
        with pytest.raises(BadGatewayError, match="Provider returned error"):
            await client.generations.get("gen-1")
    assert server.request_count == 3


async def test_a_body_that_is_not_json_carries_the_payload(server: LocalServer) -> None:
    """An HTML page instead of JSON: ResponseValidationError with the bytes received."""
    server.add(HTTPReply(200, body="<html>maintenance</html>", content_type="text/html"))
    async with make_client(server.base_url) as client:
        with pytest.raises(ResponseValidationError) as caught:
            await client.generations.get("gen-1")
    assert b"maintenance" in caught.value.payload


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"generation": {"id": "gen-1"}}, "$"),
        ([{"id": "gen-1"}], "$"),
        ({"data": {"id": "gen-1", "latency": "slow"}}, "$.data.latency"),
    ],
    ids=["no-data", "a-list", "a-bad-field"],
)
async def test_a_body_of_the_wrong_shape_is_a_validation_error(
    server: LocalServer, body: Any, path: str
) -> None:
    """No ``data``, or a field of the wrong type: ResponseValidationError, path and body."""
    server.add(HTTPReply(200, body=body))
    async with make_client(server.base_url) as client:
        with pytest.raises(ResponseValidationError) as caught:
            await client.generations.get("gen-1")
    assert caught.value.path == path
    assert caught.value.payload == body


async def test_a_slow_answer_hits_the_total_timeout(server: LocalServer) -> None:
    """A GET slower than timeout.total raises APITimeoutError once the retries are spent."""
    server.add(HTTPReply(200, body={"data": {"id": "gen-1"}}, delay=1.0), times=2)
    async with make_client(server.base_url, max_retries=1) as client:
        with pytest.raises(APITimeoutError, match=r"timeout\.total"):
            await client.generations.get("gen-1", timeout=Timeout(total=0.2))
    assert server.request_count == 2


async def test_extra_headers_and_query_reach_the_server(server: LocalServer) -> None:
    """``extra_headers`` and ``extra_query`` go with the GET, beside ``id``."""
    async with make_client(server.base_url) as client:
        generation_id = await _served(client)
        await client.generations.get(
            generation_id, extra_headers={"X-Trace": "t1"}, extra_query={"debug": "1"}
        )
    request = server.requests[-1]
    assert dict(request.query) == {"id": generation_id, "debug": "1"}
    assert request.headers["X-Trace"] == "t1"


class _Recorder(Hook):
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str, Any]] = []

    def on_response(self, call: CallInfo, result: Any) -> None:
        self.calls.append((call.operation, call.method, call.url, result))


async def test_hooks_see_the_call_and_its_typed_result(server: LocalServer) -> None:
    """on_response gets operation generations.get, GET, the URL with the id, the Generation."""
    hook = _Recorder()
    async with make_client(server.base_url, hooks=[hook]) as client:
        generation_id = await _served(client)
        stats = await client.generations.get(generation_id)
    operation, method, url, result = hook.calls[-1]
    assert (operation, method, result) == ("generations.get", "GET", stats)
    assert url == f"{server.base_url}/generation?id={generation_id}"


def test_the_blocking_twin(server: LocalServer) -> None:
    """``Client.generations.get`` returns the same typed stats, and its errors."""
    with Client(base_url=server.base_url, max_retries=0) as client:
        response = client.responses.create(model="m", input="Hi")
        info = http_info(response)
        assert info is not None
        assert info.generation_id is not None
        stats = client.generations.get(info.generation_id)
        with pytest.raises(NotFoundError):
            client.generations.get("gen-missing")
    assert isinstance(stats, Generation)
    assert (stats.model, stats.tokens_prompt) == ("m", 1)


async def test_the_server_answers_400_without_an_id(server: LocalServer) -> None:
    """The local server: no ``id`` is a 400 in OpenRouter's error shape."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(server.base_url + "/generation") as r,
    ):
        assert r.status == 400
        body = await r.json()
    assert body == {"error": {"code": 400, "message": "`id` is required: the generation id."}}
    assert r.headers["X-Generation-Id"] == "gen-local-1"


async def test_the_server_forgets_generations_on_reset(server: LocalServer) -> None:
    """After a reset, the stats of what was served before are gone."""
    async with make_client(server.base_url) as client:
        generation_id = await _served(client)
        server.reset()
        with pytest.raises(NotFoundError):
            await client.generations.get(generation_id)
