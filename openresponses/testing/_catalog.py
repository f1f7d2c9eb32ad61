"""The local server's OpenRouter GETs: generation stats and the model catalogue.

- ``GET /v1/generation?id=gen-local-N``: the stats of a response the server served over HTTP or
  a WebSocket (model, the token counts of its ``usage``, its cost when the usage reports one,
  else 0: the local server charges nothing), with a deterministic latency: the reply's scripted
  delays, in milliseconds. An unknown id gets a 404, no ``id`` a 400, in OpenRouter's error
  shape (``{"error": {"code", "message"}}``).
- ``GET /v1/models``: the server's own model, then the spec's example model (``openai/gpt-4``),
  with the filters ``category``, ``supported_parameters`` (every one), ``output_modalities``
  (any; ``text`` by default, ``all`` for every model), ``input_modalities`` (any), ``q``,
  ``context``, ``model_authors``, ``offset`` and ``limit`` applied; other filters are accepted
  and ignored. The local catalogue files ``openai/gpt-4`` under ``programming`` and
  ``technology``, its own model under no category.
- ``GET /v1/model/{author}/{slug}``: one model of that list (a ``:variant`` suffix ignored).

Each takes the next queued reply first, as ``/responses/compact`` does: :class:`ResponseJSON`
is served as the body, :class:`HTTPReply` and :class:`Disconnect` as usual, a :class:`Turn` is a
script bug (500).
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

import orjson
from aiohttp import web

from ._replies import ResponseJSON, Turn
from ._script import RecordedRequest, _Plan

if TYPE_CHECKING:
    from ._server import LocalServer

__all__ = ["SPEC_MODEL", "Catalog", "model_entry"]

# The example model of the spec's `GET /models` answer, verbatim.
SPEC_MODEL: Final[Mapping[str, Any]] = {
    "architecture": {
        "input_modalities": ["text"],
        "instruct_type": "chatml",
        "modality": "text->text",
        "output_modalities": ["text"],
        "tokenizer": "GPT",
    },
    "canonical_slug": "openai/gpt-4",
    "context_length": 8192,
    "created": 1692901234,
    "default_parameters": None,
    "description": "GPT-4 is a large multimodal model that can solve difficult problems with "
    "greater accuracy.",
    "expiration_date": None,
    "id": "openai/gpt-4",
    "knowledge_cutoff": None,
    "links": {"details": "/api/v1/models/openai/gpt-4/endpoints"},
    "name": "GPT-4",
    "per_request_limits": None,
    "pricing": {"completion": "0.00006", "image": "0", "prompt": "0.00003", "request": "0"},
    "supported_parameters": ["temperature", "top_p", "max_tokens"],
    "supported_voices": None,
    "top_provider": {"context_length": 8192, "is_moderated": True, "max_completion_tokens": 4096},
}
_CATEGORIES: Final[Mapping[str, frozenset[str]]] = {
    "openai/gpt-4": frozenset({"programming", "technology"}),
}
_CONTEXT: Final = 131072
_MAX_GENERATIONS: Final = 4096  # the stats kept: the most recent generations'


def model_entry(model: str) -> dict[str, Any]:
    """The server's own model, as ``GET /models`` lists it: free, text in and out."""
    return {
        "id": model,
        "canonical_slug": model,
        "name": f"LocalServer: {model}",
        "created": 1735689600,
        "description": "The local test server's model: it answers as its script says, else "
        "echoes the prompt.",
        "context_length": _CONTEXT,
        "architecture": {
            "modality": "text->text",
            "input_modalities": ["text"],
            "output_modalities": ["text"],
            "tokenizer": "Other",
            "instruct_type": None,
        },
        "pricing": {"prompt": "0", "completion": "0", "request": "0", "image": "0"},
        "top_provider": {
            "context_length": _CONTEXT,
            "max_completion_tokens": None,
            "is_moderated": False,
        },
        "per_request_limits": None,
        "supported_parameters": [
            "max_tokens",
            "reasoning",
            "temperature",
            "tool_choice",
            "tools",
            "top_p",
        ],
        "default_parameters": None,
        "supported_voices": None,
        "expiration_date": None,
        "knowledge_cutoff": None,
        "links": {"details": f"/api/v1/models/{model}/endpoints"},
    }


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": {"code": status, "message": message}}, status=status)


class _BadQuery(Exception):
    """A query parameter the spec refuses: answered 400."""


class Catalog:
    """The stats of the generations a server served, and its answers to the catalogue's GETs."""

    def __init__(self, server: LocalServer) -> None:
        self._server = server
        # generation id -> (request, the bytes holding the response, latency, generation time)
        self._served: dict[str, tuple[RecordedRequest, bytes | None, int, int]] = {}

    def forget(self) -> None:
        """Forget every generation (a reset)."""
        self._served.clear()

    def record(self, recorded: RecordedRequest, plan: _Plan) -> None:
        """Remember a generation served by ``plan``: what its stats need, read only if asked."""
        if plan.kind == "disconnect" or plan.status != 200:
            return
        if plan.kind == "http":
            payload: bytes | None = plan.body
        else:
            payload = plan.payloads[-1] if plan.payloads else None
        generating = plan.first_event_delay + plan.event_delay * len(plan.frames)
        latency = round((plan.delay + generating) * 1000)
        served = self._served
        served[recorded.generation_id] = (recorded, payload, latency, round(generating * 1000))
        if len(served) > _MAX_GENERATIONS:
            del served[next(iter(served))]

    # -- the handlers

    async def generation(self, request: web.Request) -> web.StreamResponse:
        """``GET /v1/generation?id=...``."""
        return await self._answer(request, self._generation)

    async def models(self, request: web.Request) -> web.StreamResponse:
        """``GET /v1/models``."""
        return await self._answer(request, self._models)

    async def model(self, request: web.Request) -> web.StreamResponse:
        """``GET /v1/model/{author}/{slug}``."""
        return await self._answer(request, self._model)

    async def _answer(
        self, request: web.Request, answer: Callable[[web.Request], web.Response]
    ) -> web.StreamResponse:
        server = self._server
        epoch = server._epoch
        received = await server._receive(request)
        if received is None:
            return web.Response(status=499)  # begun before a reset: it belongs to no test now
        recorded, number = received
        headers = {"X-Generation-Id": recorded.generation_id}
        scripted = server._next_reply()
        if scripted is None:
            try:
                response: web.Response = answer(request)
            except _BadQuery as exc:
                response = _error(400, str(exc))
            response.headers.update(headers)
            return response
        reply = await server._resolve(scripted, recorded)
        if isinstance(reply, ResponseJSON):
            plan = reply._json_plan(dict(reply.body))
        elif isinstance(reply, Turn):
            message = (
                f"LocalServer: a Turn (or output items, or text) was queued for GET "
                f"{request.path}; queue ResponseJSON(body), HTTPReply or Disconnect there."
            )
            response = _error(500, message)
            response.headers.update(headers)
            return response
        else:
            plan = reply._plan(server._context(recorded, number))
        return await server._send(request, plan, {**headers, **plan.headers}, epoch)

    def _generation(self, request: web.Request) -> web.Response:
        generation_id = request.query.get("id", "")
        if not generation_id:
            raise _BadQuery("`id` is required: the generation id.")
        entry = self._served.get(generation_id)
        if entry is None:
            return _error(404, f"Generation {generation_id} not found")
        return web.json_response({"data": self._stats(generation_id, *entry)})

    def _stats(
        self,
        generation_id: str,
        recorded: RecordedRequest,
        payload: bytes | None,
        latency: int,
        generating: int,
    ) -> dict[str, Any]:
        response = _response_in(payload)
        body = _mapping(recorded.json)
        usage = _mapping(response.get("usage"))
        details = _mapping(usage.get("output_tokens_details"))
        cached = _mapping(usage.get("input_tokens_details"))
        cost_details = _mapping(usage.get("cost_details"))
        cost = usage.get("cost")
        spent = float(cost) if isinstance(cost, (int, float)) else 0.0
        model = response.get("model") or body.get("model") or self._server.model
        finish = _finish_reason(response, payload)
        headers = recorded.headers
        created = datetime.datetime.fromtimestamp(recorded.timestamp, datetime.timezone.utc)
        return {
            "id": generation_id,
            "model": model,
            "provider_name": "LocalServer",
            "router": None,
            "created_at": created.isoformat(),
            "total_cost": spent,
            "usage": spent,
            "upstream_inference_cost": cost_details.get("upstream_inference_cost"),
            "cache_discount": None,
            "is_byok": bool(usage.get("is_byok")),
            "tokens_prompt": usage.get("input_tokens", 0),
            "tokens_completion": usage.get("output_tokens", 0),
            "native_tokens_prompt": usage.get("input_tokens", 0),
            "native_tokens_completion": usage.get("output_tokens", 0),
            "native_tokens_completion_images": 0,
            "native_tokens_reasoning": details.get("reasoning_tokens", 0),
            "native_tokens_cached": cached.get("cached_tokens", 0),
            "latency": latency,
            "generation_time": generating,
            "moderation_latency": 0,
            "finish_reason": finish,
            "native_finish_reason": finish,
            "streamed": recorded.stream,
            "cancelled": False,
            "num_media_prompt": 0,
            "num_input_audio_prompt": 0,
            "num_media_completion": 0,
            "num_search_results": 0,
            "num_fetches": 0,
            "web_search_engine": None,
            "api_type": "completions",
            "app_id": None,
            "origin": headers.get("Origin", ""),
            "http_referer": headers.get("HTTP-Referer"),
            "user_agent": headers.get("User-Agent"),
            "external_user": body.get("user"),
            "session_id": body.get("session_id"),
            "request_id": f"req-{generation_id}",
            "upstream_id": response.get("id"),
            "preset_id": None,
            "workspace_id": None,
            "data_region": "global",
            "service_tier": response.get("service_tier"),
            "provider_responses": None,
        }

    def catalogue(self) -> list[dict[str, Any]]:
        """Every model the server lists, before filters."""
        own = model_entry(self._server.model)
        if own["id"] == SPEC_MODEL["id"]:
            return [own]
        return [own, copy.deepcopy(dict(SPEC_MODEL))]

    def _models(self, request: web.Request) -> web.Response:
        query = request.query
        offset = _count(query, "offset", 0)
        limit = _count(query, "limit", 1)
        if limit is not None and limit > 1000:
            raise _BadQuery("`limit` must be at most 1000.")
        found = [model for model in self.catalogue() if _passes(model, query)]
        total = len(found)
        if offset is not None or limit is not None:
            start = offset or 0
            end = start + (limit if limit is not None else 500)
            found = found[start:end]
            following = f"/api/v1/models?offset={end}&limit={end - start}" if end < total else None
        else:
            following = None
        return web.json_response(
            {"data": found, "total_count": total, "links": {"next": following}}
        )

    def _model(self, request: web.Request) -> web.Response:
        wanted = f"{request.match_info['author']}/{request.match_info['slug']}"
        for model in self.catalogue():
            if model["id"] in (wanted, wanted.partition(":")[0]):
                return web.json_response({"data": model})
        return _error(404, f"Model {wanted} not found")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _response_in(payload: bytes | None) -> Mapping[str, Any]:
    """The response object a reply's body or terminal event holds; ``{}`` when none."""
    try:
        data = orjson.loads(payload) if payload else None
    except orjson.JSONDecodeError:
        return {}
    if not isinstance(data, dict):
        return {}
    inner = data.get("response")
    if isinstance(inner, dict):
        return inner
    return data if data.get("object") == "response" or "output" in data else {}


def _finish_reason(response: Mapping[str, Any], payload: bytes | None) -> str | None:
    status = response.get("status")
    if status == "completed":
        output = response.get("output") or []
        calls = any(
            isinstance(item, Mapping) and item.get("type") == "function_call" for item in output
        )
        return "tool_calls" if calls else "stop"
    if status == "incomplete":
        details = response.get("incomplete_details") or {}
        reason = details.get("reason") if isinstance(details, Mapping) else None
        return "length" if reason in (None, "max_output_tokens") else str(reason)
    if status == "failed" or (payload and not response):
        return "error"
    return None


def _count(query: Mapping[str, str], name: str, minimum: int) -> int | None:
    value = query.get(name)
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise _BadQuery(f"`{name}` must be an integer, got {value!r}.") from None
    if number < minimum:
        raise _BadQuery(f"`{name}` must be at least {minimum}, got {number}.")
    return number


def _names(query: Mapping[str, str], name: str) -> set[str] | None:
    value = query.get(name)
    if not value:
        return None
    return {part.strip() for part in value.split(",") if part.strip()}


def _passes(model: Mapping[str, Any], query: Mapping[str, str]) -> bool:
    """Whether ``model`` passes the filters of ``query`` that the local server applies."""
    architecture = model.get("architecture") or {}
    category = query.get("category")
    if category and category not in _CATEGORIES.get(model["id"], ()):
        return False
    wanted = _names(query, "supported_parameters")
    if wanted and not wanted <= set(model.get("supported_parameters") or ()):
        return False
    outputs = _names(query, "output_modalities") or {"text"}
    if "all" not in outputs and not outputs & set(architecture.get("output_modalities") or ()):
        return False
    inputs = _names(query, "input_modalities")
    if inputs and not inputs & set(architecture.get("input_modalities") or ()):
        return False
    text = query.get("q", "").strip().lower()
    if text and text not in model["id"].lower() and text not in str(model.get("name")).lower():
        return False
    context = _count(query, "context", 1)
    if context is not None and (model.get("context_length") or 0) < context:
        return False
    authors = _names(query, "model_authors")
    return not authors or model["id"].partition("/")[0] in authors
