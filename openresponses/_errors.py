"""The exception tree.

::

    OpenResponsesError
    ├── InvalidRequestError (ValueError)   refused before anything was sent
    ├── APIConnectionError                 no usable HTTP response (refused, reset, truncated)
    │   └── APITimeoutError                connect, total, stream idle or stream total deadline
    ├── APIStatusError                     the server answered with a non-2xx status
    │   ├── BadRequestError 400            ├── RequestTimeoutError 408
    │   ├── AuthenticationError 401        ├── PayloadTooLargeError 413
    │   ├── PaymentRequiredError 402       ├── UnprocessableEntityError 422
    │   ├── PermissionDeniedError 403      ├── RateLimitError 429
    │   ├── NotFoundError 404              └── InternalServerError 5xx
    │   │                                      ├── BadGatewayError 502
    │   │                                      ├── ServiceUnavailableError 503
    │   │                                      ├── EdgeTimeoutError 524
    │   │                                      └── ProviderOverloadedError 529
    ├── StreamError                        HTTP 200, then an error in-band, or no terminal event
    ├── ResponseValidationError            a payload that cannot be read at all
    └── BudgetExceededError                a batch's request not started: max_cost was spent
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .types import Response

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadGatewayError",
    "BadRequestError",
    "BudgetExceededError",
    "EdgeTimeoutError",
    "InternalServerError",
    "InvalidRequestError",
    "NotFoundError",
    "OpenResponsesError",
    "PayloadTooLargeError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "ProviderOverloadedError",
    "RateLimitError",
    "RequestTimeoutError",
    "ResponseValidationError",
    "ServiceUnavailableError",
    "StreamError",
    "UnprocessableEntityError",
    "make_status_error",
    "parse_error_body",
]


class OpenResponsesError(Exception):
    """Base class of every error this SDK raises."""


class InvalidRequestError(OpenResponsesError, ValueError):
    """A request was refused before any byte was sent; ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class APIConnectionError(OpenResponsesError):
    """The server could not be reached, or the connection broke before a usable answer.

    ``response`` is the partial Response of a stream that broke off or timed out after
    ``response.created`` arrived, else ``None``.
    """

    def __init__(
        self, message: str, *, retryable: bool = True, response: Response | None = None
    ) -> None:
        self.message = message
        self.retryable = retryable
        self.response = response
        super().__init__(message)


class APITimeoutError(APIConnectionError):
    """A deadline passed: connect, total, stream idle or stream total."""


class APIStatusError(OpenResponsesError):
    """The server answered with an error status.

    ``body`` is the decoded JSON body when it parses, else the text. ``code`` and
    ``message`` are read from whichever error shape the server used.
    """

    status_code: int

    def __init__(
        self,
        *,
        status_code: int,
        headers: Mapping[str, str],
        body: Any,
        code: int | str | None,
        message: str,
        retryable: bool,
        metadata: Any = None,
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.body = body
        self.code = code
        self.message = message
        self.retryable = retryable
        self.metadata = metadata
        self.generation_id: str | None = _generation_id(headers)
        super().__init__(self._describe())

    def _describe(self) -> str:
        parts = [f"HTTP {self.status_code}"]
        if self.code is not None and self.code != self.status_code:
            parts.append(f"[{self.code}]")
        parts.append(self.message or "(no message)")
        if self.generation_id:
            parts.append(f"(generation id {self.generation_id})")
        return " ".join(parts)


class BadRequestError(APIStatusError):
    """HTTP 400."""


class AuthenticationError(APIStatusError):
    """HTTP 401: the API key is missing, wrong or revoked."""


class PaymentRequiredError(APIStatusError):
    """HTTP 402: the account has no credits left."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403: the key may not do this (moderation, region, guardrail)."""


class NotFoundError(APIStatusError):
    """HTTP 404: wrong base URL, or an unknown model."""


class RequestTimeoutError(APIStatusError):
    """HTTP 408: the server timed the request out."""


class PayloadTooLargeError(APIStatusError):
    """HTTP 413: the request body is too large."""


class UnprocessableEntityError(APIStatusError):
    """HTTP 422."""


class RateLimitError(APIStatusError):
    """HTTP 429."""


class InternalServerError(APIStatusError):
    """HTTP 5xx."""


class BadGatewayError(InternalServerError):
    """HTTP 502: the upstream provider failed."""


class ServiceUnavailableError(InternalServerError):
    """HTTP 503: no provider could serve the request."""


class EdgeTimeoutError(InternalServerError):
    """HTTP 524: the edge gave up waiting for the origin."""


class ProviderOverloadedError(InternalServerError):
    """HTTP 529: the provider is overloaded."""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: RequestTimeoutError,
    413: PayloadTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    502: BadGatewayError,
    503: ServiceUnavailableError,
    524: EdgeTimeoutError,
    529: ProviderOverloadedError,
}


class StreamError(OpenResponsesError):
    """The stream reported an error after HTTP 200, failed, or ended without a terminal event.

    ``response`` is the Response accumulated so far (``None`` only when not even
    ``response.created`` arrived); ``payload`` is the raw error frame, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        response: Response | None,
        code: int | str | None = None,
        payload: Any = None,
        retryable: bool = False,
        generation_id: str | None = None,
    ) -> None:
        self.message = message
        self.response = response
        self.code = code
        self.payload = payload
        self.retryable = retryable
        self.generation_id = generation_id
        label = f"[{code}] {message}" if code is not None else message
        super().__init__(label)


class ResponseValidationError(OpenResponsesError):
    """A payload that cannot be read at all: ``payload`` is the raw data, ``path`` the place."""

    def __init__(self, message: str, *, payload: Any, path: str = "$") -> None:
        self.message = message
        self.payload = payload
        self.path = path
        super().__init__(f"{message} at {path}")


class BudgetExceededError(OpenResponsesError):
    """A batch did not start this request: its finished requests had spent ``max_cost``.

    ``max_cost`` is the cap and ``spent`` the cost (USD) reported by the batch's finished
    requests when this one was refused. Nothing was sent for it: run it again with a new budget.
    """

    def __init__(self, *, max_cost: float, spent: float) -> None:
        self.max_cost = max_cost
        self.spent = spent
        super().__init__(f"not started: the batch spent ${spent:g} of its max_cost ${max_cost:g}")


def _generation_id(headers: Mapping[str, str]) -> str | None:
    for name in ("x-generation-id", "X-Generation-Id", "x-request-id", "X-Request-Id"):
        value = headers.get(name)
        if value:
            return value
    return None


def parse_error_body(raw: bytes | str) -> tuple[Any, int | str | None, str, Any]:
    """Read ``(body, code, message, metadata)`` from any error body a server sends.

    Shapes seen: OpenRouter's ``{"error": {"code": int, "message", "metadata"}}``, the spec's
    ``{"error": {"message", "type", "param", "code"}}``, ``{"error": "text"}``,
    ``{"message"|"detail": ...}``, and plain text or HTML.
    """
    import json  # error bodies are rare: not worth loading at import

    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    try:
        body: Any = json.loads(text)
    except ValueError:
        return text, None, _snippet(text), None
    code: int | str | None = None
    message: Any = None
    metadata: Any = None
    if isinstance(body, Mapping):
        error = body.get("error")
        if isinstance(error, Mapping):
            code = error.get("code") if isinstance(error.get("code"), (int, str)) else None
            message = error.get("message")
            metadata = error.get("metadata", body.get("metadata"))
            if code is None and isinstance(error.get("type"), str):
                code = error["type"]
        elif isinstance(error, str):
            message = error
        message = message or body.get("message") or body.get("detail")
        if code is None and isinstance(body.get("code"), (int, str)):
            code = body["code"]
    if not isinstance(message, str):
        message = _snippet(text) if message is None else json.dumps(message)
    return body, code, message, metadata


def _snippet(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


def make_status_error(
    status: int, headers: Mapping[str, str], raw: bytes | str, *, retryable: bool
) -> APIStatusError:
    """Build the ``APIStatusError`` subclass for ``status`` from a raw error body."""
    body, code, message, metadata = parse_error_body(raw)
    cls = _STATUS_CLASSES.get(status)
    if cls is None:
        cls = InternalServerError if status >= 500 else APIStatusError
    return cls(
        status_code=status,
        headers=headers,
        body=body,
        code=code,
        message=message,
        retryable=retryable,
        metadata=metadata,
    )
