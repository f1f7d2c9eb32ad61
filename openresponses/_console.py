"""What the parts of the ``openresponses`` command share: stdout written as it comes, one-line
messages on stderr, errors on one line, and the exit statuses."""

from __future__ import annotations

import json
import sys
from typing import Any, Final

from openresponses import InvalidRequestError, OpenResponsesError, to_dict

__all__ = [
    "DEFAULT_MODEL",
    "FAILED",
    "INTERRUPTED",
    "OK",
    "USAGE",
    "end_line",
    "error_line",
    "json_line",
    "out",
    "say",
    "usd",
    "write",
]

DEFAULT_MODEL: Final = "openai/o4-mini"
OK, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130


class _Stdout:
    """stdout, flushed per write, remembering whether the last line was finished."""

    at_line_start = True

    def write(self, text: str) -> None:
        if text:
            sys.stdout.write(text)
            sys.stdout.flush()
            self.at_line_start = text.endswith("\n")

    def end_line(self) -> None:
        """Finish a partly written line, so what follows (an error, the shell) starts afresh."""
        if not self.at_line_start:
            self.write("\n")


out = _Stdout()
write = out.write
end_line = out.end_line


def say(message: str) -> None:
    """One line on stderr, after the program's name."""
    sys.stderr.write(f"openresponses: {message}\n")
    sys.stderr.flush()


def json_line(value: Any) -> str:
    """A model (or any wire value) as one line of JSON."""
    return json.dumps(to_dict(value), ensure_ascii=False, separators=(",", ":"))


def usd(amount: float) -> str:
    """Dollars with the digits that matter: ``$0.0015``, ``$2.50``, ``$0.00``."""
    text = f"{amount:.8f}".rstrip("0")
    whole, _, cents = text.partition(".")
    return f"${whole}.{cents.ljust(2, '0')}"


def error_line(exc: OpenResponsesError) -> str:
    """``Class: HTTP status [code] message (generation id ...)``, on one line."""
    parts = [f"{type(exc).__name__}:"]
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        parts.append(f"HTTP {status}")
    code = getattr(exc, "code", None)
    if code is not None and code != status:
        parts.append(f"[{code}]")
    message = getattr(exc, "message", None)
    if isinstance(exc, InvalidRequestError) or not isinstance(message, str) or not message:
        message = str(exc)  # InvalidRequestError's str() names the field
    parts.append(" ".join(message.split()))
    generation_id = getattr(exc, "generation_id", None)
    if generation_id:
        parts.append(f"(generation id {generation_id})")
    return " ".join(parts)
