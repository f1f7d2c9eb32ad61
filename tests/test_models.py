"""``client.models``: OpenRouter's ``GET /models`` and ``GET /model/{author}/{slug}`` against the
local server: typed models, the filters sent and applied, refusals before sending, and the
errors, retries and hooks of ``create``."""

from __future__ import annotations

import math
from typing import Any

import aiohttp
import pytest

from _support import make_client
from openresponses import (
    CallInfo,
    Client,
    Hook,
    InternalServerError,
    InvalidRequestError,
    Model,
    ModelArchitecture,
    ModelPricing,
    ModelReasoning,
    ModelTopProvider,
    NotFoundError,
    ResponseValidationError,
    from_dict,
    http_info,
    to_dict,
)
from openresponses.testing import HTTPReply, LocalServer, ResponseJSON, Text

pytestmark = pytest.mark.anyio

LOCAL = "openresponses/local"
GPT4 = "openai/gpt-4"


def _without_nulls(value: Any) -> Any:
    """What a round trip writes back: the same JSON with its nulls dropped."""
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def _examples(openapi_specs: dict[str, Any]) -> list[dict[str, Any]]:
    """Every model the OpenRouter spec gives as an example."""
    spec = openapi_specs["openrouter"]
    schemas = spec["components"]["schemas"]
    listed = spec["paths"]["/models"]["get"]["responses"]["200"]["content"]
    single = spec["paths"]["/model/{author}/{slug}"]["get"]["responses"]["200"]["content"]
    return [
        schemas["Model"]["example"],
        schemas["ModelResponse"]["example"]["data"],
        *schemas["ModelsListResponse"]["example"]["data"],
        *listed["application/json"]["example"]["data"],
        single["application/json"]["example"]["data"],
    ]


async def test_list_returns_typed_models(server: LocalServer) -> None:
    """The server's model then the spec's example, typed; one GET with no query."""
    async with make_client(server.base_url) as client:
        models = await client.models.list()
    assert [model.id for model in models] == [LOCAL, GPT4]
    gpt4 = models[1]
    assert isinstance(gpt4, Model)
    assert (gpt4.name, gpt4.context_length, gpt4.created) == ("GPT-4", 8192, 1692901234)
    assert gpt4.architecture == ModelArchitecture(
        modality="text->text",
        input_modalities=["text"],
        output_modalities=["text"],
        tokenizer="GPT",
        instruct_type="chatml",
    )
    assert gpt4.pricing == ModelPricing(
        prompt="0.00003", completion="0.00006", request="0", image="0"
    )
    assert gpt4.top_provider == ModelTopProvider(
        context_length=8192, max_completion_tokens=4096, is_moderated=True
    )
    assert gpt4.supported_parameters == ["temperature", "top_p", "max_tokens"]
    assert gpt4.per_request_limits is None
    request = server.requests[-1]
    assert (request.method, request.path, dict(request.query)) == ("GET", "/v1/models", {})


async def test_the_filters_are_written_as_the_query(server: LocalServer) -> None:
    """Lists become comma-separated, booleans true/false, numbers as written; None is left out."""
    async with make_client(server.base_url) as client:
        await client.models.list(
            supported_parameters=["tools", "temperature"],
            output_modalities="all",
            input_modalities=("text", "image"),
            category=None,
            offset=0,
            limit=10,
            min_price=0.5,
            max_output_price=20,
            min_tool_success_rate=0.9,
            distillable=False,
            zdr=True,
            sort="newest",
            model_authors=["openai"],
        )
    assert dict(server.requests[-1].query) == {
        "supported_parameters": "tools,temperature",
        "output_modalities": "all",
        "input_modalities": "text,image",
        "offset": "0",
        "limit": "10",
        "min_price": "0.5",
        "max_output_price": "20",
        "min_tool_success_rate": "0.9",
        "distillable": "false",
        "zdr": "true",
        "sort": "newest",
        "model_authors": "openai",
    }


@pytest.mark.parametrize(
    ("filters", "ids"),
    [
        ({"category": "programming"}, [GPT4]),
        ({"category": "legal"}, []),
        ({"supported_parameters": ["tools", "temperature"]}, [LOCAL]),
        ({"supported_parameters": "temperature,top_p"}, [LOCAL, GPT4]),
        ({"output_modalities": "image"}, []),
        ({"output_modalities": ["image", "text"]}, [LOCAL, GPT4]),
        ({"q": "GPT"}, [GPT4]),
        ({"context": 10_000}, [LOCAL]),
        ({"model_authors": "openai"}, [GPT4]),
        ({"offset": 1}, [GPT4]),
        ({"limit": 1}, [LOCAL]),
    ],
)
async def test_the_local_server_applies_the_filters(
    server: LocalServer, filters: dict[str, Any], ids: list[str]
) -> None:
    """Each filter narrows the local catalogue as OpenRouter's would."""
    async with make_client(server.base_url) as client:
        models = await client.models.list(**filters)
    assert [model.id for model in models] == ids


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"limit": True}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": "1"}, "offset"),
        ({"context": 0}, "context"),
        ({"category": ""}, "category"),
        ({"category": 5}, "category"),
        ({"supported_parameters": []}, "supported_parameters"),
        ({"supported_parameters": ["tools", ""]}, "supported_parameters[1]"),
        ({"output_modalities": [3]}, "output_modalities[0]"),
        ({"min_price": -1}, "min_price"),
        ({"max_price": math.nan}, "max_price"),
        ({"min_tool_success_rate": 1.5}, "min_tool_success_rate"),
        ({"distillable": "yes"}, "distillable"),
        ({"zdr": False}, "zdr"),
        ({"colour": "blue"}, "colour"),
        ({"max_retries": -1}, "max_retries"),
    ],
)
async def test_bad_filters_are_refused_before_sending(
    server: LocalServer, filters: dict[str, Any], field: str
) -> None:
    """A bad filter or option raises InvalidRequestError naming it; nothing is sent."""
    async with make_client(server.base_url) as client:
        with pytest.raises(InvalidRequestError) as caught:
            await client.models.list(**filters)
    assert caught.value.field == field
    assert server.request_count == 0


async def test_get_one_model(server: LocalServer) -> None:
    """``models.get`` reads ``GET /model/{author}/{slug}``; a ``:variant`` suffix is kept."""
    async with make_client(server.base_url) as client:
        model = await client.models.get(GPT4)
        variant = await client.models.get("openai/gpt-4:free")
    assert model.id == GPT4
    assert model.top_provider is not None
    assert model.top_provider.max_completion_tokens == 4096
    assert variant.id == GPT4
    assert [request.path for request in server.requests] == [
        "/v1/model/openai/gpt-4",
        "/v1/model/openai/gpt-4:free",
    ]
    info = http_info(model)
    assert info is not None
    assert info.status_code == 200


async def test_an_unknown_model_is_not_found(server: LocalServer) -> None:
    """A model the catalogue does not have: NotFoundError, not retried."""
    async with make_client(server.base_url) as client:
        with pytest.raises(NotFoundError, match="acme/nothing not found"):
            await client.models.get("acme/nothing")
    assert server.request_count == 1


@pytest.mark.parametrize("model_id", ["gpt-4", "openai/", "/gpt-4", "", None, 4])
async def test_a_bad_model_id_is_refused_before_sending(server: LocalServer, model_id: Any) -> None:
    """An id that is not ``author/slug`` raises InvalidRequestError naming model_id."""
    async with make_client(server.base_url) as client:
        with pytest.raises(InvalidRequestError) as caught:
            await client.models.get(model_id)
    assert caught.value.field == "model_id"
    assert server.request_count == 0


def test_every_spec_example_reads_and_writes_back(openapi_specs: dict[str, Any]) -> None:
    """Each example model of the spec reads with no extras and writes back as given."""
    examples = _examples(openapi_specs)
    assert len(examples) == 5
    for example in examples:
        model = from_dict(example, Model)
        assert model.extra_fields == {}
        assert to_dict(model) == _without_nulls(example)
    reasoning = from_dict(examples[0], Model).reasoning
    assert reasoning == ModelReasoning(
        mandatory=False,
        default_enabled=True,
        default_effort="medium",
        supported_efforts=["high", "medium", "low", "minimal"],
    )


async def test_a_model_reads_leniently(server: LocalServer) -> None:
    """Unknown keys are kept, missing ones are None, a null list is empty."""
    model = {
        "id": "acme/new",
        "supported_parameters": None,
        "pricing": {"prompt": "0.000001", "completion": "0.000002", "audio_cache": "0.5"},
        "benchmarks": {"artificial_analysis": {"coding_index": 63.2}, "design_arena": []},
        "vendor_flag": True,
    }
    server.add(ResponseJSON({"data": [model], "total_count": 1, "links": {"next": None}}))
    async with make_client(server.base_url) as client:
        (found,) = await client.models.list()
    assert found.extra_fields == {"vendor_flag": True}
    assert (found.name, found.context_length, found.supported_parameters) == (None, None, [])
    assert found.benchmarks is not None
    assert found.benchmarks.artificial_analysis is not None
    assert found.benchmarks.artificial_analysis.coding_index == 63.2
    assert found.pricing is not None
    assert found.pricing.extra_fields == {"audio_cache": "0.5"}


@pytest.mark.parametrize(
    ("pricing", "name", "price"),
    [
        ({"prompt": "0.00003"}, "prompt", 0.00003),
        ({"prompt": "0"}, "prompt", 0.0),
        ({"prompt": "-1"}, "prompt", -1.0),
        ({"prompt": "n/a"}, "prompt", None),
        ({"prompt": "inf"}, "prompt", None),
        ({"prompt": "0.1"}, "web_search", None),
        ({"audio_cache": "0.5"}, "audio_cache", 0.5),
        ({"audio_cache": True}, "audio_cache", None),
    ],
)
def test_a_price_reads_as_a_float(pricing: dict[str, Any], name: str, price: float | None) -> None:
    """``price(name)``: the wire's decimal string as a float, None when absent or not a number."""
    assert from_dict(pricing, ModelPricing).price(name) == price


async def test_a_503_is_retried(server: LocalServer) -> None:
    """A 503 then the list: two GETs with the same query."""
    server.add(HTTPReply(503))
    async with make_client(server.base_url) as client:
        models = await client.models.list(limit=1)
    assert [model.id for model in models] == [LOCAL]
    assert [dict(request.query) for request in server.requests] == [{"limit": "1"}] * 2


async def test_a_body_that_is_not_json_carries_the_payload(server: LocalServer) -> None:
    """An RSS page instead of JSON: ResponseValidationError with the bytes received."""
    rss = "<rss><channel><title>OpenRouter Models</title></channel></rss>"
    server.add(HTTPReply(200, body=rss, content_type="application/rss+xml"))
    async with make_client(server.base_url) as client:
        with pytest.raises(ResponseValidationError) as caught:
            await client.models.list()
    assert caught.value.payload == rss.encode()


async def test_a_model_of_the_wrong_shape_names_its_place(server: LocalServer) -> None:
    """A bad field in the second model: ResponseValidationError at ``$.data[1].context_length``."""
    body = {"data": [{"id": "a"}, {"id": "b", "context_length": "long"}]}
    server.add(HTTPReply(200, body=body))
    async with make_client(server.base_url) as client:
        with pytest.raises(ResponseValidationError) as caught:
            await client.models.list()
    assert caught.value.path == "$.data[1].context_length"
    assert caught.value.payload == body


class _Recorder(Hook):
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str, Any]] = []

    def on_response(self, call: CallInfo, result: Any) -> None:
        self.calls.append((call.operation, call.method, call.url, result))


async def test_hooks_see_both_calls(server: LocalServer) -> None:
    """on_response: models.list with the list, models.get with the model, GET and their URLs."""
    hook = _Recorder()
    async with make_client(server.base_url, hooks=[hook]) as client:
        models = await client.models.list(q="gpt")
        model = await client.models.get(GPT4)
    assert hook.calls == [
        ("models.list", "GET", f"{server.base_url}/models?q=gpt", models),
        ("models.get", "GET", f"{server.base_url}/model/openai/gpt-4", model),
    ]


def test_the_blocking_twins(server: LocalServer) -> None:
    """``Client.models.list`` and ``.get`` give the same typed answers, and refuse the same."""
    with Client(base_url=server.base_url) as client:
        models = client.models.list(category="programming")
        model = client.models.get(LOCAL)
        with pytest.raises(InvalidRequestError):
            client.models.list(limit=0)
    assert [found.id for found in models] == [GPT4]
    assert model.id == LOCAL
    assert model.pricing is not None
    assert model.pricing.price("prompt") == 0.0


async def test_the_server_refuses_a_bad_limit(server: LocalServer) -> None:
    """The local server answers 400 to a limit the spec refuses, in OpenRouter's shape."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{server.base_url}/models", params={"limit": "5000"}) as response,
    ):
        assert response.status == 400
        body = await response.json()
    assert body == {"error": {"code": 400, "message": "`limit` must be at most 1000."}}


async def test_the_server_pages_and_counts(server: LocalServer) -> None:
    """The local server's list says how many models matched and links to the next page."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{server.base_url}/models", params={"limit": "1"}) as response,
    ):
        body = await response.json()
    assert [model["id"] for model in body["data"]] == [LOCAL]
    assert body["total_count"] == 2
    assert body["links"] == {"next": "/api/v1/models?offset=1&limit=1"}


async def test_a_turn_queued_for_a_get_is_a_script_error(server: LocalServer) -> None:
    """Output items queued for a catalogue GET are a script bug: a 500 that says so."""
    server.add(Text("not a catalogue"))
    async with make_client(server.base_url, max_retries=0) as client:
        with pytest.raises(InternalServerError, match="queued for GET /v1/models"):
            await client.models.list()
