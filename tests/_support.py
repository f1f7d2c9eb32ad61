"""What several test files share: quick retries, a plain JSON answer, a client built with both."""

from __future__ import annotations

from typing import Any

from openresponses import AsyncClient, RetryPolicy

FAST = RetryPolicy(initial_delay=0.01, max_delay=0.02, jitter=0)

ANSWER: dict[str, Any] = {
    "id": "resp_1",
    "object": "response",
    "status": "completed",
    "model": "m",
    "output": [
        {
            "type": "message",
            "id": "msg_1",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": "plain answer", "annotations": []}],
        }
    ],
}


def make_client(base_url: str, **options: Any) -> AsyncClient:
    """A client with quick retries (2 by default) unless the test says otherwise."""
    options.setdefault("retry_policy", FAST)
    return AsyncClient(base_url=base_url, **options)
