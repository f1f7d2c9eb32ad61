"""Credentials out of logs and errors: header redaction, and secrets echoed back by a server."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["REDACTED", "redact_bytes", "redact_headers", "redact_text", "secrets_of"]

_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie"}
)


# What a credential echoed back by a server (in an error body or message) is replaced with.
REDACTED = "sk-...redacted"


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` safe to log: credentials replaced by a marker."""
    return {k: ("<redacted>" if k.lower() in _SECRET_HEADERS else v) for k, v in headers.items()}


def secrets_of(headers: Mapping[str, str]) -> tuple[str, ...]:
    """The credentials in ``headers`` (the token of ``Bearer <token>``), longest first."""
    found: set[str] = set()
    for name, value in headers.items():
        if name.lower() not in _SECRET_HEADERS or not value:
            continue
        _scheme, _, token = value.strip().partition(" ")
        secret = token.strip() or value.strip()
        # Too short to be a key: replacing it would mangle ordinary text.
        if len(secret) >= 8:
            found.add(secret)
    return tuple(sorted(found, key=len, reverse=True))


def redact_text(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def redact_bytes(raw: bytes, secrets: tuple[str, ...]) -> bytes:
    for secret in secrets:
        encoded = secret.encode("utf-8", "replace")
        if encoded in raw:
            raw = raw.replace(encoded, REDACTED.encode())
    return raw
