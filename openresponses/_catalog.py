"""``client.generations`` and ``client.models``: OpenRouter's generation stats and model catalogue.

Each call is one ``RequestEngine.get``, so errors, retries, timeouts and hooks are those of
``create``; what is here checks the arguments before anything is sent and reads the body's
``data``.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import Any, Final
from urllib.parse import quote

import attrs
from typing_extensions import Unpack

from ._engine import GetArgs, RequestEngine
from ._errors import InvalidRequestError, ResponseValidationError
from ._httpinfo import attach_http_info
from ._numbers import check_int, check_number
from ._serde import structure
from .types import Generation, Model, ModelListParams
from .types._base import WireModel

__all__ = ["AsyncGenerations", "AsyncModels", "ModelsListArgs"]


class ModelsListArgs(ModelListParams, GetArgs, total=False):
    """The filters of ``client.models.list``, plus the options of one call (``timeout``,
    ``max_retries``, ``extra_headers``, ``extra_query``)."""


# -- reading the envelopes: `{"data": ...}`, read through the converter so that a failure's path
# starts at the body (`$.data[2].pricing`) and carries the whole body.


@attrs.frozen(kw_only=True, repr=False, eq=False)
class _GenerationBody(WireModel):
    data: Generation | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class _ModelBody(WireModel):
    data: Model | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class _ModelsBody(WireModel):
    data: list[Model] | None = None


def _missing_data(body: Any) -> ResponseValidationError:
    return ResponseValidationError("expected an object with a `data` member", payload=body)


def parse_generation(body: Any) -> Generation:
    """The ``Generation`` of a ``GET /generation`` body."""
    data = structure(body, _GenerationBody).data
    if data is None:
        raise _missing_data(body)
    return data


def parse_model(body: Any) -> Model:
    """The ``Model`` of a ``GET /model/{author}/{slug}`` body."""
    data = structure(body, _ModelBody).data
    if data is None:
        raise _missing_data(body)
    return data


def parse_models(body: Any) -> list[Model]:
    """The models of a ``GET /models`` body."""
    data = structure(body, _ModelsBody).data
    if data is None:
        raise _missing_data(body)
    return data


# -- the filters of GET /models, by kind: "text" (a non-empty string), "names" (a string, or
# strings joined with commas), "count" (an int >= 0), "number" (>= 0), "rate" (0 to 1), "limit"
# (1 to 1000), "context" (an int >= 1), "bool" ("true"/"false"), "true" (only True)
_FILTERS: Final[Mapping[str, str]] = {
    "category": "text",
    "supported_parameters": "names",
    "output_modalities": "names",
    "input_modalities": "names",
    "q": "text",
    "sort": "text",
    "offset": "count",
    "limit": "limit",
    "context": "context",
    "min_price": "number",
    "max_price": "number",
    "min_output_price": "number",
    "max_output_price": "number",
    "arch": "text",
    "model_authors": "names",
    "providers": "names",
    "distillable": "bool",
    "zdr": "true",
    "region": "text",
    "min_age_days": "count",
    "max_age_days": "count",
    "min_intelligence_index": "number",
    "max_intelligence_index": "number",
    "min_coding_index": "number",
    "max_coding_index": "number",
    "min_agentic_index": "number",
    "max_agentic_index": "number",
    "min_tool_success_rate": "rate",
    "max_tool_success_rate": "rate",
}


def _text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(name, f"must be a non-empty string, got {value!r}")
    return value


def _query_value(name: str, kind: str, value: object) -> str:
    """``value`` of filter ``name`` as the query string writes it; bad values are refused."""
    if kind == "text":
        return _text(name, value)
    if kind == "names":
        if isinstance(value, str):
            return _text(name, value)
        if not isinstance(value, Sequence) or not value:
            raise InvalidRequestError(
                name, f"must be a string or a non-empty list of strings, got {value!r}"
            )
        return ",".join(_text(f"{name}[{index}]", item) for index, item in enumerate(value))
    if kind in ("bool", "true"):
        if kind == "true" and value is not True:
            raise InvalidRequestError(name, f"must be True (or left out), got {value!r}")
        if not isinstance(value, bool):
            raise InvalidRequestError(name, f"must be True or False, got {value!r}")
        return "true" if value else "false"
    if kind == "count":
        return str(check_int(name, value, minimum=0))
    if kind == "context":
        return str(check_int(name, value, minimum=1))
    if kind == "limit":
        number = check_int(name, value, minimum=1)
        if number > 1000:
            raise InvalidRequestError(name, f"must be at most 1000, got {number}")
        return str(number)
    maximum = 1.0 if kind == "rate" else None
    return repr(check_number(name, value, minimum=0.0, maximum=maximum))


def models_query(filters: Mapping[str, Any]) -> dict[str, str]:
    """The query string of ``GET /models`` for ``filters`` (``None`` values are left out)."""
    query: dict[str, str] = {}
    for name, value in filters.items():
        kind = _FILTERS.get(name)
        if kind is None:
            raise InvalidRequestError(
                name, "not a filter of models.list (see ModelListParams), nor an option of the call"
            )
        if value is not None:
            query[name] = _query_value(name, kind, value)
    return query


_OPTIONS: Final = frozenset(GetArgs.__annotations__)


# -- the faces


class AsyncGenerations:
    """``client.generations``: OpenRouter's stats of one generation."""

    def __init__(self, engine: RequestEngine) -> None:
        self._engine = engine

    async def get(self, generation_id: str, **options: Unpack[GetArgs]) -> Generation:
        """OpenRouter's stats of a generation: ``GET {base_url}/generation?id=...``.

        The id is ``openresponses.http_info(response).generation_id`` (``X-Generation-Id``),
        ``stream.generation_id``, or an error's ``generation_id``. OpenRouter records the stats
        a moment after the answer ends, so a ``NotFoundError`` right after it may be worth one
        more try a second later. Options, errors, retries, timeouts and hooks
        (``operation="generations.get"``) are those of ``create``::

            response = await client.responses.create(model="openai/gpt-4o", input="Hi")
            stats = await client.generations.get(openresponses.http_info(response).generation_id)
            print(stats.total_cost, stats.latency, stats.provider_name)
        """
        _text("generation_id", generation_id)
        info, generation = await self._engine.get(
            "/generation",
            parse_generation,
            operation="generations.get",
            query={"id": generation_id},
            **options,
        )
        attach_http_info(generation, info)
        return generation


class AsyncModels:
    """``client.models``: OpenRouter's model catalogue."""

    def __init__(self, engine: RequestEngine) -> None:
        self._engine = engine

    async def get(self, model_id: str, **options: Unpack[GetArgs]) -> Model:
        """One model by its id (``"openai/gpt-4o"``, ``"openai/gpt-4o:free"``): ``GET
        {base_url}/model/{author}/{slug}``. An unknown model raises ``NotFoundError``; options,
        errors, retries, timeouts and hooks (``operation="models.get"``) are those of ``create``.
        """
        author, _, slug = _text("model_id", model_id).partition("/")
        if not author or not slug:
            raise InvalidRequestError("model_id", f"must be author/slug, got {model_id!r}")
        path = f"/model/{quote(author, safe='')}/{quote(slug, safe=':')}"
        info, model = await self._engine.get(path, parse_model, operation="models.get", **options)
        attach_http_info(model, info)
        return model

    async def list(self, **filters: Unpack[ModelsListArgs]) -> builtins.list[Model]:
        """The models of the catalogue that pass ``filters``: ``GET {base_url}/models``.

        The filters are those of OpenRouter's query (``ModelListParams`` documents each):
        ``category``, ``supported_parameters``, ``output_modalities``, ``input_modalities``,
        ``q``, ``sort``, ``offset``, ``limit``, ``context``, prices, ``model_authors``,
        ``providers``, ... Lists may be sequences or comma-separated strings. A bad value raises
        ``InvalidRequestError`` naming the filter before anything is sent. Options, errors,
        retries, timeouts and hooks (``operation="models.list"``) are those of ``create``::

            for model in await client.models.list(supported_parameters=["tools"]):
                print(model.id, model.context_length, model.pricing.price("prompt"))
        """
        given: dict[str, Any] = dict(filters)
        options = {name: given.pop(name) for name in list(given) if name in _OPTIONS}
        query = models_query(given)
        _, models = await self._engine.get(
            "/models", parse_models, operation="models.list", query=query or None, **options
        )
        return models
