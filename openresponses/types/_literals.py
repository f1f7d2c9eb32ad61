"""The enum-valued request fields as ``Literal`` types: the union of both specs' values.

Editors complete them and ``mypy`` catches a typo (``ReasoningConfig(effort="hihg")``). At run
time each alias is plain ``str``: the converter reads and writes any string, because servers add
values before SDKs do (a ``Literal`` there would refuse a value a newer server sends). A value
the union lacks is still sent as it is; to type-check such a call, ``cast`` it
(``cast("ReasoningEffort", "ultra")``).

>>> from openresponses.types import ReasoningEffort
>>> effort: ReasoningEffort = "low"
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeAlias

__all__ = [
    "AllowedToolsMode",
    "CacheTTL",
    "DataCollection",
    "Includable",
    "Modality",
    "PromptCacheMode",
    "ProviderSort",
    "ProviderSortPartition",
    "Quantization",
    "ReasoningContext",
    "ReasoningEffort",
    "ReasoningMode",
    "ReasoningSummary",
    "Route",
    "ServiceTier",
    "ToolChoiceOption",
    "Truncation",
    "Verbosity",
]

if TYPE_CHECKING:
    ReasoningEffort: TypeAlias = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]
    ReasoningSummary: TypeAlias = Literal["auto", "concise", "detailed"]
    ReasoningMode: TypeAlias = Literal["standard", "pro"]
    ReasoningContext: TypeAlias = Literal["auto", "all_turns", "current_turn"]
    Verbosity: TypeAlias = Literal["low", "medium", "high", "xhigh", "max"]
    ServiceTier: TypeAlias = Literal["auto", "default", "flex", "priority", "scale", "fast"]
    Truncation: TypeAlias = Literal["auto", "disabled"]
    Includable: TypeAlias = Literal[
        "code_interpreter_call.outputs",
        "computer_call_output.output.image_url",
        "file_search_call.results",
        "message.input_image.image_url",
        "message.output_text.logprobs",
        "reasoning.encrypted_content",
    ]
    Modality: TypeAlias = Literal["text", "image"]
    ProviderSort: TypeAlias = Literal["price", "throughput", "latency", "exacto"]
    ProviderSortPartition: TypeAlias = Literal["model", "none"]
    DataCollection: TypeAlias = Literal["allow", "deny"]
    Quantization: TypeAlias = Literal[
        "int4",
        "int8",
        "fp4",
        "fp6",
        "fp8",
        "fp16",
        "bf16",
        "fp32",
        "mxfp4",
        "mxfp8",
        "nvfp4",
        "unknown",
    ]
    ToolChoiceOption: TypeAlias = Literal["auto", "none", "required"]
    AllowedToolsMode: TypeAlias = Literal["auto", "none", "required"]
    CacheTTL: TypeAlias = Literal["5m", "1h"]
    PromptCacheMode: TypeAlias = Literal["explicit"]
    Route: TypeAlias = Literal["fallback", "sort"]
else:
    ReasoningEffort = ReasoningSummary = ReasoningMode = ReasoningContext = str
    Verbosity = ServiceTier = Truncation = Includable = Modality = str
    ProviderSort = ProviderSortPartition = DataCollection = Quantization = str
    ToolChoiceOption = AllowedToolsMode = CacheTTL = PromptCacheMode = Route = str
