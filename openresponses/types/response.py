"""The Response object and its usage / error parts, and ``CompactedResponse`` (a compaction)."""

from __future__ import annotations

from typing import Any, Literal

import attrs

from ._base import WireModel
from .content import OutputText
from .items import Item, Message
from .openrouter_metadata import OpenRouterMetadata
from .request import Prompt, PromptCacheOptions, ReasoningConfig, TextConfig
from .tools import Tool, ToolChoice

__all__ = [
    "CompactedResponse",
    "CostDetails",
    "IncompleteDetails",
    "InputTokensDetails",
    "OutputTokensDetails",
    "Response",
    "ResponseError",
    "ServerToolUseDetails",
    "Usage",
]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class InputTokensDetails(WireModel):
    """Cached prompt tokens (read) and, on OpenRouter, tokens written to the cache."""

    cached_tokens: int | None = None
    cache_write_tokens: int | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class OutputTokensDetails(WireModel):
    """Tokens the model spent reasoning."""

    reasoning_tokens: int | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class CostDetails(WireModel):
    """OpenRouter: what the upstream provider charged, in USD."""

    upstream_inference_cost: float | None = None
    upstream_inference_input_cost: float | None = None
    upstream_inference_output_cost: float | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ServerToolUseDetails(WireModel):
    """OpenRouter: how many server-tool calls were requested and executed."""

    tool_calls_executed: int | None = None
    tool_calls_requested: int | None = None
    web_search_requests: int | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Usage(WireModel):
    """Token counts, and on OpenRouter the ``cost`` in USD with its breakdown."""

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    input_tokens_details: InputTokensDetails | None = None
    output_tokens_details: OutputTokensDetails | None = None
    cost: float | None = None
    cost_details: CostDetails | None = None
    is_byok: bool | None = None
    server_tool_use_details: ServerToolUseDetails | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ResponseError(WireModel):
    """Why a response failed: a ``code`` (a string, or an HTTP-like int) and a ``message``."""

    code: int | str | None = None
    message: str = ""


@attrs.frozen(kw_only=True, repr=False, eq=False)
class IncompleteDetails(WireModel):
    """Why a response stopped early: ``max_output_tokens`` | ``content_filter`` | ..."""

    reason: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Response(WireModel):
    """A model response: ``output`` items, ``status``, ``usage`` and the request settings echoed.

    ``status``: ``queued`` | ``in_progress`` | ``completed`` | ``incomplete`` | ``failed`` |
    ``cancelled`` (any other string is kept). ``created_at`` may be a float on some servers.
    OpenRouter's own ``output_text`` key is kept in ``extra_fields``; the ``output_text``
    property computes the same thing from ``output``. ``openrouter_metadata`` (OpenRouter) says
    how the request was routed.
    """

    id: str | None = None
    object: Literal["response"] = "response"
    created_at: int | float | None = None
    completed_at: int | float | None = None
    status: str | None = None
    model: str | None = None
    output: list[Item] = attrs.Factory(list)
    error: ResponseError | None = None
    error_type: str | None = None
    incomplete_details: IncompleteDetails | None = None
    usage: Usage | None = None
    instructions: str | list[Item] | None = None
    metadata: Any = None
    previous_response_id: str | None = None
    tools: list[Tool] | None = None
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    max_tool_calls: int | None = None
    max_output_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_logprobs: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    text: TextConfig | None = None
    reasoning: ReasoningConfig | None = None
    truncation: str | None = None
    store: bool | None = None
    background: bool | None = None
    service_tier: str | None = None
    safety_identifier: str | None = None
    prompt_cache_key: str | None = None
    user: str | None = None
    prompt: Prompt | None = None
    prompt_cache_options: PromptCacheOptions | None = None
    openrouter_metadata: OpenRouterMetadata | None = None

    @property
    def output_text(self) -> str:
        """All ``output_text`` parts of all message items, joined."""
        return "".join(
            part.text
            for item in self.output
            if isinstance(item, Message) and not isinstance(item.content, str)
            for part in item.content
            if isinstance(part, OutputText)
        )


@attrs.frozen(kw_only=True, repr=False, eq=False)
class CompactedResponse(WireModel):
    """What ``POST /responses/compact`` returns: the history to carry on with, compacted.

    ``output`` holds items of the same union as ``Response.output`` (typically the user messages
    kept, then a ``Compaction`` item whose ``encrypted_content`` stands for the rest); they are
    valid ``input`` to the next ``create`` as they are. ``usage`` counts the compaction pass.
    ``created_at`` may be a float on some servers.

    >>> from openresponses import from_dict
    >>> compacted = from_dict(
    ...     {"id": "resp_1", "object": "response.compaction", "created_at": 1,
    ...      "output": [{"type": "compaction", "id": "cmp_1", "encrypted_content": "enc"}],
    ...      "usage": {"input_tokens": 9, "output_tokens": 2, "total_tokens": 11}},
    ...     CompactedResponse,
    ... )
    >>> compacted.output[0].encrypted_content, compacted.usage.total_tokens
    ('enc', 11)
    """

    id: str | None = None
    object: Literal["response.compaction"] = "response.compaction"
    created_at: int | float | None = None
    output: list[Item] = attrs.Factory(list)
    usage: Usage | None = None
