"""The lines of a batch file, without I/O: a request row in, a result line out, and the set of
``custom_id``s a resume checks.

A request row is one of two shapes (both carry a ``custom_id``, a non-empty string):

- the batch-file shape of OpenAI and OpenRouter:
  ``{"custom_id": "q1", "method": "POST", "url": "/v1/responses", "body": {...}}``;
- a request body with its ``custom_id`` beside the fields: ``{"custom_id": "q1", "model": ...}``.

A result line follows OpenAI's batch output (``custom_id``, then ``response`` or ``error``, the
other ``null``)::

    {"custom_id": "q1", "response": {"status_code": 200, "request_id": "gen-...", "body": {...}},
     "error": null}
    {"custom_id": "q2", "response": null,
     "error": {"type": "BadRequestError", "status": 400, "code": "invalid_model", "message": "..."}}

``_batch_file`` reads and writes the files; :func:`request_of` is the row reader any other
runner of batch rows can share.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from hashlib import blake2b
from typing import Any, Final

from ._errors import InvalidRequestError, OpenResponsesError
from ._httpinfo import http_info
from ._serde import dumps
from .types import Response

__all__ = [
    "BATCH_URL",
    "IdSet",
    "error_record",
    "is_done_record",
    "request_of",
    "result_line",
]

BATCH_URL: Final = "/v1/responses"
# What a resume runs again: the failures a later attempt may well get through. Connection
# errors and timeouts; 408, 409, 429 and 5xx after the batch's own retries (a server asking to
# wait longer than the policy allows ends up here too); and 401/402, the account's state (a key
# or credits), which the user fixes between runs rather than line by line.
_TRANSIENT_TYPES: Final = frozenset({"APIConnectionError", "APITimeoutError"})
_TRANSIENT_STATUSES: Final = frozenset({401, 402, 408, 409, 429})


def request_of(row: object) -> tuple[str, dict[str, Any]]:
    """``(custom_id, request body)`` of one batch row, in either shape (see the module).

    The body is a fresh dict of ``create`` keywords. A row that is neither shape, an empty or
    non-string ``custom_id``, a ``method`` other than ``POST``, a ``url`` other than
    ``/v1/responses`` or ``"stream": true`` raise ``InvalidRequestError`` naming the field.
    """
    if not isinstance(row, Mapping):
        raise InvalidRequestError("row", f"must be a JSON object, got {type(row).__name__}")
    custom_id = row.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id:
        found = "missing" if custom_id is None else repr(custom_id)
        raise InvalidRequestError("custom_id", f"must be a non-empty string, got {found}")
    if "body" in row or "url" in row or "method" in row:
        if row.get("method") != "POST":
            raise InvalidRequestError("method", f"must be POST, got {row.get('method')!r}")
        if row.get("url") != BATCH_URL:
            raise InvalidRequestError("url", f"must be {BATCH_URL}, got {row.get('url')!r}")
        body = row.get("body")
        if not isinstance(body, Mapping):
            raise InvalidRequestError("body", f"must be a JSON object, got {type(body).__name__}")
        params = dict(body)
    else:
        params = dict(row)
        del params["custom_id"]
    if params.pop("stream", False):
        raise InvalidRequestError("stream", "is not for batches: each row gets one answer")
    return custom_id, params


def error_record(exc: BaseException) -> dict[str, Any]:
    """The ``error`` of a result line: the exception's class, HTTP status, code and message."""
    message = getattr(exc, "message", None)
    if isinstance(exc, InvalidRequestError) or not isinstance(message, str) or not message:
        message = str(exc) or type(exc).__name__
    code = getattr(exc, "code", None) if isinstance(exc, OpenResponsesError) else None
    return {
        "type": type(exc).__name__,
        "status": getattr(exc, "status_code", None),
        "code": code if isinstance(code, (str, int)) else None,
        "message": message,
    }


def result_line(custom_id: str, result: Response | BaseException) -> bytes:
    """One line of the output file, ``\\n`` included."""
    if isinstance(result, Response):
        info = http_info(result)
        response = {
            "status_code": 200 if info is None else info.status_code,
            "request_id": None if info is None else info.generation_id,
            "body": result,
        }
        record = {"custom_id": custom_id, "response": response, "error": None}
    else:
        record = {"custom_id": custom_id, "response": None, "error": error_record(result)}
    return dumps(record) + b"\n"


def is_done_record(record: Mapping[str, Any]) -> bool:
    """Whether a result line stands, or a resume runs its request again (a transient error)."""
    error = record.get("error")
    if not isinstance(error, Mapping):
        return True
    status = error.get("status")
    if error.get("type") in _TRANSIENT_TYPES or status in _TRANSIENT_STATUSES:
        return False
    return not (isinstance(status, int) and status >= 500)


# -- the custom_ids of a run

_FLAGS: Final = 0b111


class IdSet:
    """Every ``custom_id`` of a run, in 16 bytes a slot (32 MB for 1,000,000 ids; a ``set`` of the
    strings takes about 95 MB), so that a million-line file is checked in little memory.

    An id is kept as 124 bits of its BLAKE2b digest, with three flags beside: it is in the input
    (``INPUT``), it has a result line (``DONE``), which is an error (``FAILED``). Two distinct ids
    share a digest with a probability below 1e-25 for a billion ids: treated as never. Open
    addressing, linear probing, at most half full.
    """

    INPUT: Final = 1
    DONE: Final = 2
    FAILED: Final = 4

    __slots__ = ("_count", "_high", "_low", "_mask")

    def __init__(self, expected: int = 0) -> None:
        capacity = 64
        while capacity < 2 * expected:
            capacity *= 2
        self._allocate(capacity)
        self._count = 0

    def _allocate(self, capacity: int) -> None:
        self._mask = capacity - 1
        self._high = array("Q", bytes(8 * capacity))
        self._low = array("Q", bytes(8 * capacity))

    def add(self, custom_id: str, flags: int) -> int:
        """Set ``flags`` on ``custom_id`` (adding it); return the flags it had (0: new)."""
        digest = blake2b(custom_id.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        high = int.from_bytes(digest[:8], "little")
        low = (int.from_bytes(digest[8:], "little") & ~_FLAGS) | 8  # a taken slot is never 0
        highs, lows, mask = self._high, self._low, self._mask
        slot = high & mask
        while True:
            found = lows[slot]
            if not found:
                break
            if (found & ~_FLAGS) == low and highs[slot] == high:
                lows[slot] = found | flags
                return found & _FLAGS
            slot = (slot + 1) & mask
        highs[slot], lows[slot] = high, low | flags
        self._count += 1
        if 2 * self._count > mask:
            self._grow()
        return 0

    def _grow(self) -> None:
        highs, lows = self._high, self._low
        self._allocate(2 * len(highs))
        mask, new_highs, new_lows = self._mask, self._high, self._low
        for high, low in zip(highs, lows, strict=True):
            if low:
                slot = high & mask
                while new_lows[slot]:
                    slot = (slot + 1) & mask
                new_highs[slot], new_lows[slot] = high, low
