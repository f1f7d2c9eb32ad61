"""Read errors: a leaf's message, and the path to it as ``$.output[2].content[0].text``.

Leaf readers raise :class:`ReadError`. cattrs' detailed validation wraps it on the way up, one
exception group per class or list with a note naming the attribute or the index; the path is
read back from those notes when the error reaches the public functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._errors import ResponseValidationError


class ReadError(ValueError):
    """A value a reader cannot take; ``path`` locates it below the value that was read."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


def type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def want(value: Any, expected: str) -> ReadError:
    text = repr(value)
    short = text if len(text) <= 60 else text[:57] + "..."
    return ReadError(f"expected {expected}, got {type_name(value)} {short}")


def as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, Mapping):
        return dict(value)
    raise want(value, "an object")


def _locate(exc: BaseException) -> tuple[BaseException, list[str | int]]:
    """The first leaf error inside cattrs' exception groups, and the path down to it."""
    from cattrs.errors import AttributeValidationNote, BaseValidationError, IterableValidationNote

    path: list[str | int] = []
    while isinstance(exc, BaseValidationError) and exc.exceptions:
        exc = exc.exceptions[0]
        # The last note is the one its direct container (class or list) attached.
        for note in reversed(getattr(exc, "__notes__", ())):
            if isinstance(note, AttributeValidationNote):
                path.append(note.name)
                break
            if isinstance(note, IterableValidationNote):
                path.append(note.index)
                break
    return exc, path


def to_validation_error(exc: BaseException, payload: Any) -> ResponseValidationError:
    """``exc`` raised while reading ``payload``, as the public error with its path."""
    path: list[str | int] = []
    if not isinstance(exc, ReadError):
        exc, path = _locate(exc)
    if isinstance(exc, ReadError):
        message = exc.message
        path += exc.path
    else:
        message = f"{type(exc).__name__}: {exc}"
    where = "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in path)
    return ResponseValidationError(message, payload=payload, path="$" + where)
