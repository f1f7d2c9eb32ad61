"""What the hosted tool calls carry inside: web search and computer actions, shell commands, the
environments they run in, and their outcomes.

OpenRouter's spec documents these shapes (``WebSearchCall.action``, ``ShellCall.action``, ...);
OpenAI's Responses API fills in the computer actions and the ``local`` shell environment. Each
tagged union reads an unknown ``type`` as its ``Unknown*`` class, which keeps the raw mapping
and writes it back unchanged.

>>> from openresponses import from_dict
>>> from openresponses.types import WebSearchCall
>>> call = from_dict(
...     {"type": "web_search_call", "id": "ws_1", "status": "completed",
...      "action": {"type": "search", "query": "tides", "sources": [{"type": "url", "url": "u"}]}},
...     WebSearchCall,
... )
>>> call.action.query, call.action.sources[0].url
('tides', 'u')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Union

import attrs

from ._base import WireModel

__all__ = [
    "ClickAction",
    "ComputerAction",
    "ContainerAutoEnvironment",
    "ContainerReferenceEnvironment",
    "DoubleClickAction",
    "DragAction",
    "DragPoint",
    "FindInPageAction",
    "KeypressAction",
    "LocalEnvironment",
    "LocalShellAction",
    "LocalShellExecAction",
    "MoveAction",
    "OpenPageAction",
    "ScreenshotAction",
    "ScrollAction",
    "SearchAction",
    "ShellAction",
    "ShellCommandOutput",
    "ShellEnvironment",
    "ShellExitOutcome",
    "ShellOutcome",
    "ShellTimeoutOutcome",
    "TypeAction",
    "UnknownComputerAction",
    "UnknownEnvironment",
    "UnknownLocalShellAction",
    "UnknownShellOutcome",
    "UnknownWebSearchAction",
    "WaitAction",
    "WebSearchAction",
    "WebSearchSource",
]


# -- web search (``WebSearchCall.action``, and ``openrouter:web_search`` items)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class WebSearchSource(WireModel):
    """A page the search provider returned."""

    type: Literal["url"] = "url"
    url: str


@attrs.frozen(kw_only=True, repr=False, eq=False)
class SearchAction(WireModel):
    """The model searched for ``query`` (``queries`` when it issued several)."""

    type: Literal["search"] = "search"
    query: str
    queries: list[str] | None = None
    sources: list[WebSearchSource] | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class OpenPageAction(WireModel):
    """The model opened the page at ``url``."""

    type: Literal["open_page"] = "open_page"
    url: str | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class FindInPageAction(WireModel):
    """The model looked for ``pattern`` in the page at ``url``."""

    type: Literal["find_in_page"] = "find_in_page"
    pattern: str
    url: str


@attrs.frozen(kw_only=True)
class UnknownWebSearchAction:
    """A web search action this SDK does not know; ``raw`` is written back unchanged."""

    type: str
    raw: Mapping[str, Any]


WebSearchAction = Union[SearchAction, OpenPageAction, FindInPageAction, UnknownWebSearchAction]


# -- computer use (``ComputerCall.action``)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ClickAction(WireModel):
    """Click ``button`` (``left`` | ``right`` | ``wheel`` | ``back`` | ``forward``) at (x, y)."""

    type: Literal["click"] = "click"
    button: str
    x: int
    y: int


@attrs.frozen(kw_only=True, repr=False, eq=False)
class DoubleClickAction(WireModel):
    """Double-click at (x, y)."""

    type: Literal["double_click"] = "double_click"
    x: int
    y: int


@attrs.frozen(kw_only=True, repr=False, eq=False)
class DragPoint(WireModel):
    """One point of a drag path."""

    x: int
    y: int


@attrs.frozen(kw_only=True, repr=False, eq=False)
class DragAction(WireModel):
    """Drag the pointer along ``path``."""

    type: Literal["drag"] = "drag"
    path: list[DragPoint]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class KeypressAction(WireModel):
    """Press ``keys`` together (``["CTRL", "C"]``)."""

    type: Literal["keypress"] = "keypress"
    keys: list[str]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class MoveAction(WireModel):
    """Move the pointer to (x, y)."""

    type: Literal["move"] = "move"
    x: int
    y: int


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ScreenshotAction(WireModel):
    """Take a screenshot."""

    type: Literal["screenshot"] = "screenshot"


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ScrollAction(WireModel):
    """Scroll by (scroll_x, scroll_y) with the pointer at (x, y)."""

    type: Literal["scroll"] = "scroll"
    x: int
    y: int
    scroll_x: int
    scroll_y: int


@attrs.frozen(kw_only=True, repr=False, eq=False)
class TypeAction(WireModel):
    """Type ``text``."""

    type: Literal["type"] = "type"
    text: str


@attrs.frozen(kw_only=True, repr=False, eq=False)
class WaitAction(WireModel):
    """Wait a moment."""

    type: Literal["wait"] = "wait"


@attrs.frozen(kw_only=True)
class UnknownComputerAction:
    """A computer action this SDK does not know; ``raw`` is written back unchanged."""

    type: str
    raw: Mapping[str, Any]


ComputerAction = Union[
    ClickAction,
    DoubleClickAction,
    DragAction,
    KeypressAction,
    MoveAction,
    ScreenshotAction,
    ScrollAction,
    TypeAction,
    WaitAction,
    UnknownComputerAction,
]


# -- shells (``LocalShellCall``, ``ShellCall``, ``ShellCallOutput``, ``openrouter:shell``)


@attrs.frozen(kw_only=True, repr=False, eq=False)
class LocalShellExecAction(WireModel):
    """Run ``command`` (argv) with ``env``, optionally as ``user`` in ``working_directory``."""

    type: Literal["exec"] = "exec"
    command: list[str]
    env: Mapping[str, str] = attrs.Factory(dict)
    timeout_ms: int | None = None
    user: str | None = None
    working_directory: str | None = None


@attrs.frozen(kw_only=True)
class UnknownLocalShellAction:
    """A local shell action this SDK does not know; ``raw`` is written back unchanged."""

    type: str
    raw: Mapping[str, Any]


LocalShellAction = Union[LocalShellExecAction, UnknownLocalShellAction]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ShellAction(WireModel):
    """The shell commands to run, with the output cap and timeout (``null`` for none)."""

    commands: list[str]
    max_output_length: int | None = None
    timeout_ms: int | None = None


@attrs.frozen(kw_only=True, repr=False, eq=False)
class LocalEnvironment(WireModel):
    """The shell runs on your machine."""

    type: Literal["local"] = "local"


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ContainerAutoEnvironment(WireModel):
    """OpenRouter creates (and reuses) a sandbox container."""

    type: Literal["container_auto"] = "container_auto"


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ContainerReferenceEnvironment(WireModel):
    """An existing sandbox container, by id."""

    type: Literal["container_reference"] = "container_reference"
    container_id: str


@attrs.frozen(kw_only=True)
class UnknownEnvironment:
    """An environment this SDK does not know; ``raw`` is written back unchanged."""

    type: str
    raw: Mapping[str, Any]


ShellEnvironment = Union[
    LocalEnvironment, ContainerAutoEnvironment, ContainerReferenceEnvironment, UnknownEnvironment
]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ShellExitOutcome(WireModel):
    """The command exited with ``exit_code``."""

    type: Literal["exit"] = "exit"
    exit_code: int


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ShellTimeoutOutcome(WireModel):
    """The command ran out of time."""

    type: Literal["timeout"] = "timeout"


@attrs.frozen(kw_only=True)
class UnknownShellOutcome:
    """A shell outcome this SDK does not know; ``raw`` is written back unchanged."""

    type: str
    raw: Mapping[str, Any]


ShellOutcome = Union[ShellExitOutcome, ShellTimeoutOutcome, UnknownShellOutcome]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ShellCommandOutput(WireModel):
    """What one command of a shell call printed, and how it ended."""

    stdout: str
    stderr: str
    outcome: ShellOutcome | None = None
