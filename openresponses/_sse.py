"""A sans-IO Server-Sent Events decoder: bytes in, the ``data`` of each event out.

It follows WHATWG HTML §9.2.5/§9.2.6 ("Parsing/Interpreting an event stream") as far as the
``data`` of each event goes, which is all a Responses stream reads: CR, LF and CRLF end lines
(also a CR and an LF split across two chunks), one leading BOM is dropped, ``:`` lines are
comments (keep-alives), a field is split at its first colon with one leading space dropped from
the value, ``data`` lines are joined with LF, a block with no ``data`` line dispatches nothing,
and an unterminated block at the end of the stream is never dispatched. ``event``, ``id`` and
``retry`` lines are read past (the event's type is inside its JSON). ``data: [DONE]`` is not
special here: the event source decides what it means.

The transport feeds whatever ``iter_any()`` delivers. Only an unfinished line is buffered; each
chunk is searched once, so a 10 MB single-line event costs linear time. A chunk's whole lines
are decoded at once (CR and LF never occur inside a UTF-8 sequence, so this equals decoding line
by line) and one regex ``findall`` cuts out the common ``[event: E]`` + ``data: D`` blocks in C.
"""

from __future__ import annotations

import re
import sys

from ._errors import ResponseValidationError
from ._numbers import check_int

__all__ = ["DEFAULT_MAX_EVENT_BYTES", "SSEDecoder"]

DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024
_BOM = b"\xef\xbb\xbf"
_PAYLOAD_PREVIEW = 1024

# Either a whole common event block right after a blank line (group 1), or any one line (group 2;
# ``.`` is every character but LF; `` ?`` drops the one optional space).
_DATA_BLOCK = re.compile(r"(?<![^\n]\n)(?:event: ?.*\n)?data: ?(.*)\n\n|(.*\n)")
# Whole events, or any one line: findall gives the data, and "" for a line of anything else.
_PLAIN_BLOCKS = re.compile(r"(?:event: ?.*\n)?data: ?(.*)\n\n|.*\n")


class SSEDecoder:
    """Incremental SSE decoder: feed it raw bytes as they arrive, get the data of each event.

    ``max_event_bytes`` bounds one line and the data of one event (``None``: no bound); above
    it :meth:`feed_data` raises ``ResponseValidationError`` and the decoder must be dropped.
    """

    __slots__ = ("_buf", "_data", "_limit", "_size", "_skip_lf", "_started", "max_event_bytes")

    def __init__(self, max_event_bytes: int | None = DEFAULT_MAX_EVENT_BYTES) -> None:
        if max_event_bytes is not None:
            check_int("max_event_bytes", max_event_bytes, minimum=1)
        self.max_event_bytes = max_event_bytes
        self._limit = sys.maxsize if max_event_bytes is None else max_event_bytes
        self._buf = bytearray()  # the unfinished line; never holds a CR or LF
        self._skip_lf = False  # the previous chunk ended in CR: a leading LF belongs to it
        self._started = False  # the BOM check has been done
        self._data: list[str] | None = None  # None until the block has a data line
        self._size = 0  # bytes of data held for the current block

    def feed_data(self, chunk: bytes) -> list[str]:
        """Consume ``chunk`` (any boundary); the ``data`` of each event it completes, in order."""
        out: list[str] = []
        got = self._text(chunk)
        if got is None:
            return out
        text, tail, big = got
        start = 0
        if self._data is not None:
            start = self._finish_pending(text, out)
        if start >= 0 and not big:
            # The whole events first, in one C call; an empty string means a line that was not
            # a plain event (or empty data): then the general loop below reads them all.
            end = text.rfind("\n\n", start) + 2
            if end > start + 2:
                datas = _PLAIN_BLOCKS.findall(text, start, end)
                if "" not in datas:
                    out += datas
                    start = end  # what is left: the lines of an unfinished event
        if start >= 0:
            # One C-level findall cuts the rest into the common "[event: E\n]data: D\n\n"
            # blocks and single other lines, contiguously (the line alternative matches at every
            # line start). A block is taken whole only right after a blank line, where nothing
            # is pending.
            for data, line in _DATA_BLOCK.findall(text, start):
                if line:
                    dispatched = self._line(line[:-1])
                    if dispatched is not None:
                        out.append(dispatched)
                else:
                    if big:
                        self._check_data(data)
                    out.append(data)
        if tail:  # held only now, so the size check sees what is still pending
            self._hold(tail)
        return out

    def _text(self, chunk: bytes) -> tuple[str, bytes, bool] | None:
        """The whole lines ``chunk`` completes, decoded; the unfinished rest; over the limit?

        ``None`` when no line ended. The rest must be held (``_hold``) after the lines are
        interpreted, so that the size check sees what is still pending then.
        """
        if not chunk:
            return None
        if self._skip_lf:
            self._skip_lf = False
            if chunk[0] == 0x0A:
                chunk = chunk[1:]
                if not chunk:
                    return None
        if 0x0D in chunk:  # an int needle is a plain memchr, 10x cheaper than b"\r"
            # Rare in practice: normalise to LF. A trailing CR ends a line now and
            # swallows an LF at the start of the next chunk.
            self._skip_lf = chunk[-1] == 0x0D
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        # ``region`` is whole lines, the last LF included; the rest waits in _buf.
        tail = b""
        if chunk[-1] == 0x0A:
            region = chunk
        else:
            end = chunk.rfind(b"\n") + 1
            if not end:
                self._hold(chunk)
                return None
            region = chunk[:end]
            tail = chunk[end:]
        if self._buf:
            region = b"".join((self._buf, region))
            self._buf.clear()
        if not self._started:
            self._started = True
            if region.startswith(_BOM):
                region = region[3:]
        big = len(region) > self._limit
        if big:
            self._check_lines(region)
        return region.decode("utf-8", "replace"), tail, big

    def _finish_pending(self, text: str, out: list[str]) -> int:
        """Finish an event begun in an earlier chunk line by line; where blocks resume, or -1."""
        if text[0] == "\n":
            blank = 0
        else:
            blank = text.find("\n\n") + 1
            if not blank:
                for line in text[:-1].split("\n"):
                    self._line(line)  # no blank line, so nothing dispatches
                return -1
            for line in text[: blank - 1].split("\n"):
                self._line(line)
        dispatched = self._line("")
        if dispatched is not None:
            out.append(dispatched)
        return blank + 1

    def _line(self, line: str) -> str | None:
        """Interpret one line (§9.2.6); the data of the event a blank line dispatches."""
        if not line:
            data = self._data
            if data is None:
                return None
            self._data = None
            self._size = 0
            return "\n".join(data)
        field, _, value = line.partition(":")  # a comment has the field ""
        if field == "data":
            if value[:1] == " ":
                value = value[1:]
            if self._data is None:
                self._data = [value]
            else:
                self._data.append(value)
            self._size += (len(value) if value.isascii() else len(value.encode())) + 1
            if self._size > self._limit:
                self._too_large("\n".join(self._data)[:_PAYLOAD_PREVIEW])
        return None

    def _hold(self, part: bytes) -> None:
        self._buf += part
        if len(self._buf) + self._size > self._limit:
            self._too_large(bytes(self._buf[:_PAYLOAD_PREVIEW]).decode("utf-8", "replace"))

    def _check_data(self, data: str) -> None:
        size = (len(data) if data.isascii() else len(data.encode())) + 1
        if size > self._limit:
            self._too_large(data[:_PAYLOAD_PREVIEW])

    def _check_lines(self, region: bytes) -> None:
        # Only reached when one chunk holds more than the limit: keep the
        # per-line bound independent of how the bytes were chunked.
        for line in region.split(b"\n"):
            if len(line) > self._limit:
                self._too_large(line[:_PAYLOAD_PREVIEW].decode("utf-8", "replace"))

    def _too_large(self, preview: str) -> None:
        raise ResponseValidationError(
            f"server-sent event larger than max_event_bytes={self.max_event_bytes}",
            payload=preview,
            path="$",
        )
