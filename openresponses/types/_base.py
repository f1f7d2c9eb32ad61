"""The base every wire model shares: unknown keys ride along and are written back."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

__all__ = ["EMPTY", "WireModel"]

#: The shared, immutable "no extra keys" value: a payload without unknown keys allocates nothing.
EMPTY: Mapping[str, Any] = MappingProxyType({})


@attrs.frozen(kw_only=True)
class WireModel:
    """Base class of every wire model.

    ``extra_fields`` holds the keys a server sent that this SDK does not model; they are
    written back unchanged (declared fields win on a clash), so nothing is lost in a round trip.
    """

    extra_fields: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False, eq=False)
