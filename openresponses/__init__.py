"""openresponses: an asyncio-first SDK for the OpenRouter Responses API and any Open Responses server."""

from __future__ import annotations

# -- errors
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadGatewayError,
    BadRequestError,
    EdgeTimeoutError,
    InternalServerError,
    InvalidRequestError,
    NotFoundError,
    OpenResponsesError,
    PayloadTooLargeError,
    PaymentRequiredError,
    PermissionDeniedError,
    ProviderOverloadedError,
    RateLimitError,
    RequestTimeoutError,
    ResponseValidationError,
    ServiceUnavailableError,
    StreamError,
    UnprocessableEntityError,
)

# -- options
from ._options import Timeout

__version__ = "0.1.0"

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadGatewayError",
    "BadRequestError",
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
    "Timeout",
    "UnprocessableEntityError",
    "__version__",
]
