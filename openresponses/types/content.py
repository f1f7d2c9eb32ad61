"""Content parts (what messages, reasoning items and tool outputs are made of) and annotations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Union

import attrs

from ._base import WireModel

__all__ = [
    "Annotation",
    "ContentPart",
    "EncryptedContent",
    "FileCitation",
    "FilePath",
    "InputAudio",
    "InputAudioData",
    "InputFile",
    "InputImage",
    "InputText",
    "InputVideo",
    "LogProb",
    "OutputText",
    "ReasoningText",
    "Refusal",
    "SummaryText",
    "TextContent",
    "TopLogProb",
    "UnknownAnnotation",
    "UnknownContent",
    "UrlCitation",
]


# -- annotations (on output_text parts)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class UrlCitation(WireModel):
    """A web citation: ``text[start_index:end_index]`` cites ``url``."""

    type: Literal["url_citation"] = "url_citation"
    url: str = ""
    title: str | None = None
    start_index: int | None = None
    end_index: int | None = None
    content: str | None = None  # OpenRouter: the cited snippet


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FileCitation(WireModel):
    """A citation of an uploaded file (OpenRouter / OpenAI)."""

    type: Literal["file_citation"] = "file_citation"
    file_id: str | None = None
    filename: str | None = None
    index: int | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FilePath(WireModel):
    """A path to a file produced by a tool (OpenRouter / OpenAI)."""

    type: Literal["file_path"] = "file_path"
    file_id: str | None = None
    index: int | None = None


@attrs.frozen(kw_only=True)
class UnknownAnnotation:
    """An annotation type this SDK does not know; ``raw`` is written back unchanged."""

    type: str
    raw: Mapping[str, Any]


Annotation = Union[UrlCitation, FileCitation, FilePath, UnknownAnnotation]


# -- log probabilities


@attrs.frozen(kw_only=True, repr=False, eq=False)
class TopLogProb(WireModel):
    """One alternative token and its log probability."""

    token: str = ""
    logprob: float = 0.0
    bytes: list[int] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class LogProb(WireModel):
    """The log probability of one output token, with the most likely alternatives."""

    token: str = ""
    logprob: float = 0.0
    bytes: list[int] | None = None
    top_logprobs: list[TopLogProb] | None = None


# -- content parts


@attrs.frozen(kw_only=True, repr=False, eq=False)
class InputText(WireModel):
    """Text from the user, system or developer (also echoed back in output messages)."""

    type: Literal["input_text"] = "input_text"
    text: str
    # OpenRouter: ``{"mode": "explicit"}`` marks an explicit prompt-cache breakpoint.
    prompt_cache_breakpoint: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class InputImage(WireModel):
    """An image by URL or data URL; ``detail``: ``auto`` | ``low`` | ``high`` | ``original``.

    ``detail`` defaults to ``"auto"`` because OpenRouter requires it.
    """

    type: Literal["input_image"] = "input_image"
    image_url: str | None = None
    detail: str = "auto"
    file_id: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class InputFile(WireModel):
    """A file given inline (``file_data``, base64), by URL, or by id."""

    type: Literal["input_file"] = "input_file"
    filename: str | None = None
    file_data: str | None = None
    file_url: str | None = None
    file_id: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class InputAudioData(WireModel):
    """Base64 audio and its ``format`` (``"mp3"`` | ``"wav"``)."""

    data: str = ""
    format: str = ""


@attrs.frozen(kw_only=True, repr=False, eq=False)
class InputAudio(WireModel):
    """Audio input (OpenRouter): ``{"type": "input_audio", "input_audio": {"data", "format"}}``."""

    type: Literal["input_audio"] = "input_audio"
    input_audio: InputAudioData


@attrs.frozen(kw_only=True, repr=False, eq=False)
class InputVideo(WireModel):
    """A video by URL."""

    type: Literal["input_video"] = "input_video"
    video_url: str


@attrs.frozen(kw_only=True, repr=False, eq=False)
class OutputText(WireModel):
    """Text the model wrote. ``annotations`` is always written (the specs require it on output)."""

    type: Literal["output_text"] = "output_text"
    text: str
    annotations: list[Annotation] = attrs.Factory(list)
    logprobs: list[LogProb] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class Refusal(WireModel):
    """The model declined to answer."""

    type: Literal["refusal"] = "refusal"
    refusal: str


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ReasoningText(WireModel):
    """Raw reasoning text (inside a reasoning item's ``content``)."""

    type: Literal["reasoning_text"] = "reasoning_text"
    text: str


@attrs.frozen(kw_only=True, repr=False, eq=False)
class SummaryText(WireModel):
    """A reasoning summary, safe to show to users (inside a reasoning item's ``summary``)."""

    type: Literal["summary_text"] = "summary_text"
    text: str


@attrs.frozen(kw_only=True, repr=False, eq=False)
class TextContent(WireModel):
    """The generic ``{"type": "text"}`` part of the Open Responses output unions."""

    type: Literal["text"] = "text"
    text: str


@attrs.frozen(kw_only=True, repr=False, eq=False)
class EncryptedContent(WireModel):
    """OpenRouter: an opaque part of an ``AgentMessage`` (send it back as it came)."""

    type: Literal["encrypted_content"] = "encrypted_content"
    encrypted_content: str


@attrs.frozen(kw_only=True)
class UnknownContent:
    """A content part type this SDK does not know; ``raw`` is written back unchanged."""

    type: str
    raw: Mapping[str, Any]


ContentPart = Union[
    InputText,
    InputImage,
    InputFile,
    InputAudio,
    InputVideo,
    OutputText,
    Refusal,
    ReasoningText,
    SummaryText,
    TextContent,
    EncryptedContent,
    UnknownContent,
]
