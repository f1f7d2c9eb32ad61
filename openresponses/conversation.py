"""Stateless conversations: the SDK keeps the history, every request carries all of it.

OpenRouter stores nothing between requests (no ``previous_response_id``), so a multi-turn chat
must resend every earlier item: the user turns, and every output item as the server returned
it, reasoning items with their ``encrypted_content`` included. ``AsyncConversation`` does that
bookkeeping on top of the engine's ``create`` and ``stream`` (an ``AsyncClient``'s own), and
compacts its history through the engine's ``compact`` when asked to.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Union

import attrs

from ._engine import EngineLike, engine_of
from ._errors import InvalidRequestError, StreamError
from ._numbers import check_int
from ._serde import structure, unstructure
from ._streaming import AsyncResponseStream
from .types import CompactedResponse, Item, Message, Response, UsageTotals

# What the package root re-exports (one row of its lazy table).
__all__ = [
    "AsyncConversation",
    "ConversationInput",
    "Trim",
    "keep_last",
    "trim_to_tokens",
]

ConversationInput = Union[str, Item, Mapping[str, Any], Iterable[Union[Item, Mapping[str, Any]]]]
"""What a turn sends: text (one user message), one item, or several items (typed or wire dicts)."""

Trim = Callable[[list[Item]], list[Item]]
"""Given the history plus the new turn, return the items to send (and to keep)."""

_ENCRYPTED_REASONING = "reasoning.encrypted_content"
# What a compaction takes from the conversation's settings and a turn's keywords (its body fields
# but the history, and the call options); the rest belongs to create alone.
_COMPACT_SETTINGS = frozenset(
    {
        "model",
        "instructions",
        "prompt_cache_key",
        "timeout",
        "max_retries",
        "extra_headers",
        "extra_query",
    }
)
_FORMAT = "openresponses.conversation"
_VERSION = 1


class AsyncConversation:
    """A multi-turn conversation whose history lives in the client process.

    ``send`` (or ``stream``) appends the new turn, sends the whole history, and on success
    appends every output item of the response: assistant messages (with id and status),
    reasoning items (with ``encrypted_content``), function calls. Send function call outputs
    as the next turn's input. A failed turn leaves the history as it was.

    ``model``, ``instructions`` and ``defaults`` (any keyword of ``create``) apply to every
    turn; keywords given to ``send`` override them for that turn. When a ``reasoning`` config
    is set and ``include`` is not, ``include=["reasoning.encrypted_content"]`` is added so
    the reasoning can be carried to the next turn; an explicit ``include`` is sent as given.

    ``trim`` is called before each turn with the history plus the new turn; what it returns
    is sent and, once the turn succeeds, becomes the history (see ``keep_last`` and
    ``trim_to_tokens``). ``history`` is a plain list: edit it between turns if you like.

    ``compact()`` replaces the history by its compaction (``POST /responses/compact``, an Open
    Responses server's; OpenRouter has none). With ``compact_at_tokens=N``, a turn compacts
    first when the last response's ``usage.input_tokens + usage.output_tokens`` reached ``N``:
    that sum is the context the next turn resends (its output is now history), which the input
    tokens alone undercount by a whole answer. A conversation compacted, loaded, or with no
    usage on its last response waits for the next response before compacting again.

    ``usage`` sums the tokens and cost of every turn since the conversation was created or
    loaded, and of its compactions.

    One turn at a time: starting a turn while another is running raises ``RuntimeError``.
    """

    def __init__(
        self,
        client: EngineLike,
        *,
        model: str | None = None,
        instructions: str | None = None,
        history: Iterable[Item | Mapping[str, Any]] = (),
        trim: Trim | None = None,
        compact_at_tokens: int | None = None,
        **defaults: Any,
    ) -> None:
        if compact_at_tokens is not None:
            check_int("compact_at_tokens", compact_at_tokens, minimum=1)
        self.client = client
        self._engine = engine_of(client)
        self.model = model
        self.instructions = instructions
        self.trim = trim
        self.compact_at_tokens = compact_at_tokens
        self.defaults: dict[str, Any] = defaults
        self.history: list[Item] = [_to_item(item) for item in history]
        self._busy = False
        # The context size the last response reported, which compact_at_tokens is held against.
        self._context_tokens: int | None = None
        self._usage = UsageTotals()

    def __repr__(self) -> str:
        return f"<AsyncConversation model={self.model!r} items={len(self.history)}>"

    @property
    def usage(self) -> UsageTotals:
        """Tokens and cost since this conversation was created or loaded (a snapshot).

        Every turn's response counts (a failed streamed turn's too, when the server reported
        its usage), and so does every compaction (``compact()`` or ``compact_at_tokens``),
        which is a request of its own. ``cost`` is ``None`` while no server reported one.
        """
        return attrs.evolve(self._usage)

    async def send(self, /, input: ConversationInput, **params: Any) -> Response:
        """Send one turn with the whole history; return the Response and record the turn."""
        with self._turn():
            await self._compact_if_due(params)
            sent, request = self._prepare(input, params)
            response = await self._engine.create(**request)
            self._record(sent, response)
            return response

    @contextlib.asynccontextmanager
    async def stream(
        self, /, input: ConversationInput, **params: Any
    ) -> AsyncIterator[AsyncResponseStream]:
        """Stream one turn: yields the stream of ``client.responses.stream``.

        The turn is recorded when the block ends and the stream has completed (events not yet
        read are read then). Otherwise the history stays as it was: when the block raises, when
        the stream fails (its ``StreamError`` is raised on leaving the block, even if the block
        already saw it), and when the block closed the stream early with ``aclose()``. A
        compaction due (``compact_at_tokens``) runs on entering the block, before the stream.
        """
        with self._turn():
            await self._compact_if_due(params)
            sent, request = self._prepare(input, params)
            async with self._engine.stream(**request) as stream:
                try:
                    yield stream
                except StreamError as exc:
                    self._count_failed(exc)
                    raise
                try:
                    response = await stream.final_response()
                except StreamError as exc:
                    self._count_failed(exc)
                    if stream.closed:
                        return  # closed on purpose: the turn is dropped, not failed
                    raise
            self._record(sent, response)

    async def compact(self, /, **overrides: Any) -> CompactedResponse:
        """Compact the whole history and carry on from the result; returns the compaction.

        Sends ``self.history`` to the engine's ``compact`` with the conversation's ``model``,
        ``instructions``, ``prompt_cache_key`` and call options (``timeout``, ``max_retries``,
        ``extra_headers``, ``extra_query``); ``overrides`` are any other ``compact`` keywords,
        or replace those. On success ``compacted.output`` (the compaction item with its
        ``encrypted_content``) becomes the history; on failure the history stays as it was::

            chat = client.conversation(model="m", compact_at_tokens=100_000)
            await chat.send("Summarise the report.")
            compacted = await chat.compact()  # or let compact_at_tokens do it before a turn
            assert chat.history == compacted.output
        """
        with self._turn():
            return await self._compact(overrides)

    def to_json(self) -> str:
        """The model, instructions, ``compact_at_tokens`` and history as JSON, items in their
        wire shape (a compaction item with its ``encrypted_content``).

        Other defaults (tools, reasoning, ...) are code rather than data: give them to ``load``.
        """
        document = {
            "format": _FORMAT,
            "version": _VERSION,
            "model": self.model,
            "instructions": self.instructions,
            "compact_at_tokens": self.compact_at_tokens,
            "history": [unstructure(item) for item in self.history],
        }
        return json.dumps(document, ensure_ascii=False, indent=1)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write ``to_json()`` to a file (UTF-8), replacing it only once fully written."""
        target = os.fspath(path)
        partial = f"{target}.partial"
        with open(partial, "w", encoding="utf-8") as file:
            file.write(self.to_json())
        os.replace(partial, target)

    @classmethod
    def from_json(
        cls, client: EngineLike, data: str | bytes, *, trim: Trim | None = None, **defaults: Any
    ) -> AsyncConversation:
        """Rebuild a conversation saved by ``to_json``; keywords override what was saved.

        Not a saved conversation: ``ValueError``; an item that cannot be read:
        ``ResponseValidationError`` naming where.
        """
        try:
            document = json.loads(data)
        except ValueError as exc:
            raise ValueError(f"not a saved openresponses conversation: {exc}") from None
        if not isinstance(document, dict) or document.get("format") != _FORMAT:
            raise ValueError("not a saved openresponses conversation")
        history = document.get("history", [])
        if not isinstance(history, list):
            raise ValueError("not a saved openresponses conversation: history is not a list")
        defaults.setdefault("model", document.get("model"))
        defaults.setdefault("instructions", document.get("instructions"))
        defaults.setdefault("compact_at_tokens", document.get("compact_at_tokens"))
        return cls(client, history=history, trim=trim, **defaults)

    @classmethod
    def load(
        cls,
        client: EngineLike,
        path: str | os.PathLike[str],
        *,
        trim: Trim | None = None,
        **defaults: Any,
    ) -> AsyncConversation:
        """Read a file written by ``save``; keywords override what was saved."""
        with open(path, encoding="utf-8") as file:
            return cls.from_json(client, file.read(), trim=trim, **defaults)

    @contextlib.contextmanager
    def _turn(self) -> Iterator[None]:
        if self._busy:
            raise RuntimeError("a turn of this conversation is already running")
        self._busy = True
        try:
            yield
        finally:
            self._busy = False

    def _record(self, sent: list[Item], response: Response) -> None:
        """A turn succeeded: its items and the response's become the history."""
        self.history = [*sent, *response.output]
        self._usage.add(response)
        usage = response.usage
        self._context_tokens = None if usage is None else usage.input_tokens + usage.output_tokens

    def _count_failed(self, error: StreamError) -> None:
        """A failed turn whose server reported its usage is paid for all the same."""
        if error.response is not None and error.response.usage is not None:
            self._usage.add(error.response)

    async def _compact_if_due(self, params: Mapping[str, Any]) -> None:
        limit, used = self.compact_at_tokens, self._context_tokens
        if limit is not None and used is not None and used >= limit:
            # The turn's own model and call options apply to the compaction it starts with.
            await self._compact({k: v for k, v in params.items() if k in _COMPACT_SETTINGS})

    async def _compact(self, overrides: Mapping[str, Any]) -> CompactedResponse:
        if "input" in overrides:
            raise InvalidRequestError("input", "a conversation compacts its own history")
        request: dict[str, Any] = {}
        if self.model is not None:
            request["model"] = self.model
        if self.instructions is not None:
            request["instructions"] = self.instructions
        request.update((k, v) for k, v in self.defaults.items() if k in _COMPACT_SETTINGS)
        request.update(overrides)
        request["input"] = list(self.history)
        compacted = await self._engine.compact(**request)
        self._usage.add(compacted)
        self.history = list(compacted.output)
        self._context_tokens = None
        return compacted

    def _prepare(
        self, input: ConversationInput, params: Mapping[str, Any]
    ) -> tuple[list[Item], dict[str, Any]]:
        """The items to send and the keyword arguments of the call."""
        items = [*self.history, *_to_items(input)]
        if self.trim is not None:
            items = list(self.trim(items))
        request: dict[str, Any] = {}
        if self.model is not None:
            request["model"] = self.model
        if self.instructions is not None:
            request["instructions"] = self.instructions
        request.update(self.defaults)
        request.update(params)
        request["input"] = items
        if request.get("reasoning") is not None and "include" not in request:
            request["include"] = [_ENCRYPTED_REASONING]
        return items, request


def keep_last(turns: int) -> Trim:
    """A trim hook keeping the last ``turns`` turns.

    A turn starts at a user message and runs up to the next one, so a function call stays
    with its output and reasoning items with the answer they belong to. System and developer
    messages at the head of the history are always kept.
    """
    if turns < 1:
        raise ValueError(f"turns must be >= 1, got {turns!r}")

    def trim(items: list[Item]) -> list[Item]:
        head, body = _split_turns(items)
        return [*head, *(item for turn in body[-turns:] for item in turn)]

    return trim


def trim_to_tokens(max_tokens: int, *, estimate: Callable[[Item], int] | None = None) -> Trim:
    """A trim hook dropping the oldest turns until the history fits ``max_tokens``.

    ``estimate(item)`` counts an item's tokens; the default is a rough one (four characters of
    the item's JSON per token). The newest turn and the head's system messages are always kept,
    even if they alone exceed the budget.
    """
    count = estimate or _estimate_tokens

    def trim(items: list[Item]) -> list[Item]:
        head, body = _split_turns(items)
        sizes = [sum(count(item) for item in turn) for turn in body]
        budget = max_tokens - sum(count(item) for item in head)
        start = len(body) - 1 if body else 0
        used = sizes[start] if body else 0
        while start > 0 and used + sizes[start - 1] <= budget:
            start -= 1
            used += sizes[start]
        return [*head, *(item for turn in body[start:] for item in turn)]

    return trim


def _split_turns(items: Sequence[Item]) -> tuple[list[Item], list[list[Item]]]:
    """(leading system/developer messages, turns), each turn opened by user messages."""
    index = 0
    while index < len(items) and _role(items[index]) in ("system", "developer"):
        index += 1
    head = list(items[:index])
    turns: list[list[Item]] = []
    for item in items[index:]:
        if not turns or (_role(item) == "user" and _role(turns[-1][-1]) != "user"):
            turns.append([])
        turns[-1].append(item)
    return head, turns


def _role(item: Item) -> str | None:
    return item.role if isinstance(item, Message) else None


def _estimate_tokens(item: Item) -> int:
    return len(json.dumps(unstructure(item), ensure_ascii=False)) // 4 + 1


def _to_items(input: ConversationInput) -> list[Item]:
    if isinstance(input, str):
        return [Message(role="user", content=input)]
    if isinstance(input, Mapping) or not isinstance(input, Iterable):
        return [_to_item(input)]
    return [_to_item(item) for item in input]


def _to_item(item: Item | Mapping[str, Any]) -> Item:
    """Typed items pass through; a wire dict is read into its typed class."""
    if isinstance(item, Mapping):
        # ``Item`` is a union alias, which the ``type[T]`` of ``structure`` does not spell.
        return structure(item, Item)  # type: ignore[arg-type]
    if not attrs.has(type(item)):
        raise TypeError(f"expected an item or a wire dict, got {type(item).__name__}")
    return item
