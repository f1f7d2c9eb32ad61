"""``UsageTotals``: the usage of many responses summed (a tool run, a conversation, a batch)."""

from __future__ import annotations

import attrs

from .response import CompactedResponse, Response, Usage

__all__ = ["UsageTotals"]


@attrs.define(kw_only=True)
class UsageTotals:
    """Tokens and cost summed over responses; ``add`` one, or ``+`` two totals.

    ``requests`` counts the responses added (one whose server sent no ``usage`` included);
    the token counts are the sums of their ``usage`` fields (``reasoning_tokens`` from
    ``output_tokens_details``, ``cached_tokens`` from ``input_tokens_details``).

    ``cost`` is in USD, OpenRouter's ``usage.cost`` (with BYOK, what OpenRouter charged; the
    provider's own bill is in each response's ``cost_details``). It stays ``None`` until a
    response reports a cost: most Open Responses servers report none, and ``None`` never
    means $0. Once one does, ``cost`` is the sum of the costs reported: a response that
    reported none adds nothing to it, so over a mix of servers it is a lower bound.

    >>> from openresponses import Usage, UsageTotals
    >>> totals = UsageTotals()
    >>> totals.add(Usage(input_tokens=10, output_tokens=5, total_tokens=15))
    >>> totals.cost is None
    True
    >>> totals.add(Usage(input_tokens=4, output_tokens=1, total_tokens=5, cost=0.002))
    >>> totals.requests, totals.total_tokens, totals.cost
    (2, 20, 0.002)
    """

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    reasoning_tokens: int = 0
    cached_tokens: int = 0
    cost: float | None = None

    def add(self, usage: Response | CompactedResponse | Usage | UsageTotals | None) -> None:
        """Add one response's usage: a ``Response``, a ``CompactedResponse``, a ``Usage`` or
        ``None`` (one response that reported none); or a whole ``UsageTotals``."""
        if isinstance(usage, UsageTotals):
            self._merge(usage)
            return
        self.requests += 1
        if usage is None:
            return
        if not isinstance(usage, Usage):
            found = usage.usage
            if found is None:
                return
            usage = found
        # A lenient read may leave None (or a float) where a count was expected.
        self.input_tokens += int(usage.input_tokens or 0)
        self.output_tokens += int(usage.output_tokens or 0)
        self.total_tokens += int(usage.total_tokens or 0)
        details = usage.output_tokens_details
        if details is not None and details.reasoning_tokens:
            self.reasoning_tokens += int(details.reasoning_tokens)
        cached = usage.input_tokens_details
        if cached is not None and cached.cached_tokens:
            self.cached_tokens += int(cached.cached_tokens)
        cost = usage.cost
        if cost is not None:
            self.cost = cost if self.cost is None else self.cost + cost

    def __add__(self, other: UsageTotals) -> UsageTotals:
        if not isinstance(other, UsageTotals):
            return NotImplemented
        total = attrs.evolve(self)
        total._merge(other)
        return total

    def _merge(self, other: UsageTotals) -> None:
        self.requests += other.requests
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.total_tokens += other.total_tokens
        self.reasoning_tokens += other.reasoning_tokens
        self.cached_tokens += other.cached_tokens
        if other.cost is not None:
            self.cost = other.cost if self.cost is None else self.cost + other.cost
