"""``UsageTracker``: a hook that sums the usage and cost of every response a client receives."""

from __future__ import annotations

import threading
from typing import Any

import attrs

from ._hooks import CallInfo, Hook
from .types import CompactedResponse, Response, UsageTotals

# What the package root re-exports (one row of its lazy table).
__all__ = ["UsageTracker"]


class UsageTracker(Hook):
    """Tokens and cost of every response, summed: a ``Hook`` for one client or for all.

    Each ``Response`` (``create``, a stream's, a WebSocket turn's, a tool run's or a
    conversation's steps, a batch's) and each ``CompactedResponse`` is added to ``totals``,
    and to ``by_model`` under the model that answered (else the model asked for). A failed call
    whose error carries a response with its usage (a stream ended by ``response.failed``) is
    counted too: the server reported it spent that. ``cost`` stays ``None`` until a server
    reports one (see ``UsageTotals``)::

        tracker = UsageTracker()
        async with AsyncClient(hooks=[tracker]) as client:  # or openresponses.add_hook(tracker)
            await client.responses.batch(requests)
        print(tracker.totals.total_tokens, tracker.totals.cost)

    Process-wide (``add_hook``), it counts the calls of every client, in any thread: reading
    ``totals`` or ``by_model`` gives a consistent snapshot from any thread.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._totals = UsageTotals()
        self._by_model: dict[str | None, UsageTotals] = {}

    @property
    def totals(self) -> UsageTotals:
        """Everything counted so far (a snapshot)."""
        with self._lock:
            return attrs.evolve(self._totals)

    @property
    def by_model(self) -> dict[str | None, UsageTotals]:
        """The same, per model (``None``: neither the response nor the request named one)."""
        with self._lock:
            return {model: attrs.evolve(totals) for model, totals in self._by_model.items()}

    def on_response(self, call: CallInfo, result: Any) -> None:
        """Count a Response or CompactedResponse (generations and model lists cost nothing)."""
        if isinstance(result, (Response, CompactedResponse)):
            self._count(call, result)

    def on_error(self, call: CallInfo, error: BaseException) -> None:
        """Count the response a failed call carries, when the server reported its usage."""
        response = getattr(error, "response", None)
        if isinstance(response, Response) and response.usage is not None:
            self._count(call, response)

    def _count(self, call: CallInfo, result: Response | CompactedResponse) -> None:
        model = (result.model if isinstance(result, Response) else None) or call.model
        with self._lock:
            self._totals.add(result)
            per_model = self._by_model.get(model)
            if per_model is None:
                per_model = self._by_model[model] = UsageTotals()
            per_model.add(result)

    def __repr__(self) -> str:
        totals = self.totals
        return (
            f"<UsageTracker requests={totals.requests} tokens={totals.total_tokens} "
            f"cost={totals.cost!r}>"
        )
