"""Durable batches: requests from a JSONL file (or an iterable), one result line per request
appended to a JSONL file as it completes, and a resume that skips what the file holds.

How it stays correct, whatever is killed when:

- Each result is one ``os.write`` of the whole line and its ``\\n`` to a file opened for
  appending, so a killed process leaves whole lines and at most one torn last line (the kernel
  keeps what was written: a kill loses nothing written). ``fsync`` runs at most once a second
  and at the end, so a power cut loses at most the last second of lines, not the file.
- A run first reads the output: every whole result line gives a ``custom_id`` done; a torn
  last line (no ``\\n``, or not a result) is cut off before anything is appended, and the lines
  of transient errors (``_batch_rows.is_done_record``) are dropped by an atomic rewrite, so a
  resume runs them again. Any other line that is not a result refuses the run: it is not our
  file. An exclusive ``flock`` on the output keeps two runs from appending to it at once.
- Before anything is sent, the whole input is read once for its ``custom_id``s alone: a
  missing, non-string or repeated one refuses the run, naming the line. The ids live in an
  ``IdSet`` (16 bytes a slot: 32 MB at 1,000,000 lines), dropped once the check is done; what
  remains is one bit a line saying whether its result is already in the output. A one-shot
  iterator cannot be read twice: it is checked as it is read, its ids kept to the end.

Then the requests are read again, one at a time, through the batch iterator (so concurrency,
the shared 429 pause, ``requests_per_minute``, progress and ``max_cost`` are those of
``batch``): what is in flight is what memory holds, the input is never loaded.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final, Union

import attrs
import orjson

from ._batch_rows import IdSet, is_done_record, request_of, result_line
from ._engine import EngineLike
from ._errors import BudgetExceededError, InvalidRequestError
from ._numbers import check_int, check_number
from .batch import AsyncBatchIterator, BatchSummary, ProgressCallback

__all__ = ["BatchFileSummary"]

BatchFileRequests = Union[str, "os.PathLike[str]", Iterable[Mapping[str, Any]]]
"""A JSONL file's path, or request mappings (each with its ``custom_id``)."""

_SYNC_EVERY: Final = 1.0  # seconds between fsyncs of the output
_DONE, _FAILED, _INPUT = IdSet.DONE, IdSet.FAILED, IdSet.INPUT


@attrs.frozen(kw_only=True)
class BatchFileSummary(BatchSummary):
    """What ``batch_to_file`` did: a ``BatchSummary`` of this run, and what it skipped.

    ``requests``, ``succeeded``, ``failed``, ``not_started`` and ``usage`` count this run alone;
    ``skipped`` counts the requests not sent because the output already held their result,
    ``skipped_failed`` those of them whose result is an error. Every line of the input has a
    successful result once ``failed``, ``not_started`` and ``skipped_failed`` are all 0::

        done = await client.responses.batch_to_file("prompts.jsonl", "results.jsonl")
        print(f"{done.succeeded} done, {done.failed} failed, {done.skipped} already there")
    """

    skipped: int = 0
    skipped_failed: int = 0


async def run_batch_to_file(
    client: EngineLike,
    requests: BatchFileRequests,
    output: str | os.PathLike[str],
    *,
    concurrency: int = 64,
    requests_per_minute: float | None = None,
    max_retries: int | None = None,
    max_cost: float | None = None,
    progress: ProgressCallback | bool | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> BatchFileSummary:
    """Send the requests of ``requests`` and append one result line per request to ``output``
    as it completes; run it again with the same output to resume (see ``batch_to_file`` on
    ``client.responses``)."""
    check_int("concurrency", concurrency, minimum=1)
    if max_retries is not None:
        check_int("max_retries", max_retries, minimum=0)
    if requests_per_minute is not None:
        check_number("requests_per_minute", requests_per_minute, above=True)
    if max_cost is not None:
        check_number("max_cost", max_cost, above=True)
    if defaults is not None and not isinstance(defaults, Mapping):
        raise InvalidRequestError("defaults", f"must be a mapping, got {type(defaults).__name__}")
    if not isinstance(output, (str, os.PathLike)):
        raise InvalidRequestError("output", f"must be a file path, got {type(output).__name__}")
    path = os.fspath(output)
    job = _Job(_source_of(requests, path), dict(defaults or {}))
    with _Output(path) as out:
        await _prepare(job, out)
        batch = AsyncBatchIterator(
            client,
            job.requests(),
            concurrency=concurrency,
            requests_per_minute=requests_per_minute,
            max_retries=max_retries,
            progress=progress,
            max_cost=max_cost,
        )
        pending = job.pending
        async with batch:
            async for index, result in batch:
                custom_id = pending.pop(index)
                if not isinstance(result, BudgetExceededError):  # not sent: a resume sends it
                    out.write(result_line(custom_id, result))
    summary = batch.summary
    return BatchFileSummary(
        **attrs.asdict(summary, recurse=False),
        skipped=job.skipped,
        skipped_failed=job.skipped_failed,
    )


async def _prepare(job: _Job, out: _Output) -> None:
    """Read the output, check the input, repair the output: in a thread, since a million lines
    take seconds that the event loop keeps serving others. Cancelled, the thread stops at its
    next line and is waited for (it may be repairing the file)."""
    thread = asyncio.ensure_future(asyncio.to_thread(_check, job, out))
    try:
        await asyncio.shield(thread)
    except asyncio.CancelledError:
        job.stopped = True
        await asyncio.wait([thread])
        if not thread.cancelled():
            thread.exception()  # retrieved: _Stopped, or what the check found
        raise


def _check(job: _Job, out: _Output) -> None:
    job.ids = IdSet(job.source.expected())
    out.scan(job)
    job.check()
    out.repair()


class _Stopped(Exception):
    """The run was cancelled while its input was being checked."""


# -- the input


class _Source:
    """Where the requests come from: ``rows()`` gives ``(number, custom_id, body)`` each time it
    is called; ``where(number)`` names that row in errors."""

    once = False  # True: the rows can be read only once, so they are checked as they are sent

    def expected(self) -> int:
        """About how many rows there are (0: unknown)."""
        return 0

    def rows(self) -> Iterator[tuple[int, str, dict[str, Any]]]:
        raise NotImplementedError

    def where(self, number: int) -> str:
        raise NotImplementedError


class _FileSource(_Source):
    def __init__(self, path: str) -> None:
        self.path = path

    def expected(self) -> int:
        with open(self.path, "rb") as handle:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))

    def rows(self) -> Iterator[tuple[int, str, dict[str, Any]]]:
        with open(self.path, "rb") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    custom_id, body = request_of(orjson.loads(line))
                except orjson.JSONDecodeError as exc:
                    where = self.where(number)
                    raise InvalidRequestError("requests", f"{where}: not JSON ({exc})") from None
                except InvalidRequestError as exc:
                    raise InvalidRequestError("requests", f"{self.where(number)}: {exc}") from None
                yield number, custom_id, body

    def where(self, number: int) -> str:
        return f"line {number} of {os.path.basename(self.path)}"


class _IterableSource(_Source):
    def __init__(self, requests: Iterable[Mapping[str, Any]]) -> None:
        self.requests = requests
        self.once = iter(requests) is requests

    def expected(self) -> int:
        try:
            return len(self.requests)  # type: ignore[arg-type]
        except TypeError:
            return 0

    def rows(self) -> Iterator[tuple[int, str, dict[str, Any]]]:
        for index, row in enumerate(self.requests):
            try:
                custom_id, body = request_of(row)
            except InvalidRequestError as exc:
                raise InvalidRequestError("requests", f"{self.where(index)}: {exc}") from None
            yield index, custom_id, body

    def where(self, number: int) -> str:
        return f"request {number}"


def _source_of(requests: object, output: str) -> _Source:
    if isinstance(requests, (str, os.PathLike)):
        path = os.fspath(requests)
        if not isinstance(path, str) or not os.path.isfile(path):
            raise InvalidRequestError("requests", f"no such file: {path!r}")
        if os.path.exists(output) and os.path.samefile(path, output):
            raise InvalidRequestError("output", "is the input file: pick another path")
        return _FileSource(path)
    if isinstance(requests, (bytes, Mapping)) or not isinstance(requests, Iterable):
        raise InvalidRequestError(
            "requests",
            f"must be a JSONL file path or an iterable of requests, got {type(requests).__name__}",
        )
    return _IterableSource(requests)


class _Job:
    """The run's rows: which to skip, which custom_id each request in flight answers."""

    def __init__(self, source: _Source, defaults: dict[str, Any]) -> None:
        self.source = source
        self.defaults = defaults
        self.ids: IdSet | None = None  # every custom_id, until the rows are checked
        self.stopped = False  # set from the loop: the check in its thread gives up
        self.skip = bytearray()  # one bit a row: its result is in the output already
        self.count = 0
        self.skipped = self.skipped_failed = 0
        self.pending: dict[int, str] = {}  # batch index -> custom_id, while in flight

    def check(self) -> None:
        """Read every row once, before anything is sent (unless the rows can be read only once:
        then each is checked as it is sent)."""
        if self.source.once:
            return
        if self.ids is None:
            raise RuntimeError("the id set is made before the check")
        for ordinal, (number, custom_id, _body) in enumerate(self.source.rows()):
            if ordinal % 8 == 0:
                if self.stopped:
                    raise _Stopped
                self.skip.append(0)
            if self._seen(number, custom_id, self.ids):
                self.skip[ordinal >> 3] |= 1 << (ordinal & 7)
            self.count = ordinal + 1
        self.ids = None  # the ids are checked: from here on, one bit a row is enough

    def _seen(self, number: int, custom_id: str, ids: IdSet) -> bool:
        """Add an input row's id; whether its result is in the output already."""
        flags = ids.add(custom_id, _INPUT)
        if flags & _INPUT:
            raise InvalidRequestError(
                "requests",
                f"{self.source.where(number)}: custom_id {custom_id!r} is on an earlier row too",
            )
        if flags & _DONE:
            self.skipped += 1
            self.skipped_failed += bool(flags & _FAILED)
            return True
        return False

    def requests(self) -> Iterable[dict[str, Any]]:
        """The request bodies to send, in input order; sized when the rows were checked."""
        if self.source.once:
            return self._bodies()
        return _Sized(self._bodies(), self.count - self.skipped)

    def _bodies(self) -> Iterator[dict[str, Any]]:
        defaults, pending, skip, ids = self.defaults, self.pending, self.skip, self.ids
        rows = self.source.rows()
        if ids is None:  # checked: rows added to the file since are left for the next run
            rows = itertools.islice(rows, self.count)
        index = 0
        for ordinal, (number, custom_id, body) in enumerate(rows):
            if ids is not None:
                if self._seen(number, custom_id, ids):
                    continue
            elif skip[ordinal >> 3] & (1 << (ordinal & 7)):
                continue
            pending[index] = custom_id
            index += 1
            yield {**defaults, **body} if defaults else body


class _Sized(Iterable[dict[str, Any]]):
    """An iterator with a length, so that the progress display knows the total."""

    def __init__(self, iterator: Iterator[dict[str, Any]], length: int) -> None:
        self._iterator = iterator
        self._length = length

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self._iterator

    def __len__(self) -> int:
        return self._length


# -- the output


class _Output:
    """The results file: locked, read for what is done, repaired, then appended to."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd = -1
        self._whole = 0  # bytes of whole result lines at the start of the file
        self._transient = 0  # lines a resume drops (and runs again)
        self._synced = time.monotonic()

    def __enter__(self) -> _Output:
        directory = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(directory):
            raise InvalidRequestError("output", f"no such directory: {directory}")
        # A new file is created only by repair(), once the input has passed its check.
        if os.path.exists(self.path):
            self._fd = _open_locked(self.path)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._fd < 0:
            return
        try:
            os.fsync(self._fd)
        finally:
            os.close(self._fd)

    def scan(self, job: _Job) -> None:
        """Read the results there: the ids done go to the job's; where the whole lines end."""
        if self._fd < 0:
            return
        bad = 0
        ids = job.ids
        if ids is None:
            raise RuntimeError("the id set is made before the scan")
        with open(self.path, "rb") as handle:
            for number, line in enumerate(handle, 1):
                if job.stopped:
                    raise _Stopped
                if bad:
                    raise InvalidRequestError(
                        "output",
                        f"line {bad} of {self.path} is not a result line, and more follow: "
                        "this is not a batch output file (pick another path)",
                    )
                if not line.endswith(b"\n"):
                    break  # a torn last line
                if line.strip():
                    record = _record(line)
                    if record is None:
                        bad = number  # cut off as torn, unless more lines follow
                        continue
                    if not is_done_record(record):
                        self._transient += 1
                    else:
                        ids.add(record["custom_id"], _DONE | (_FAILED if record["error"] else 0))
                self._whole += len(line)

    def repair(self) -> None:
        """Cut a torn last line; drop the lines of transient errors (one atomic rewrite)."""
        if self._fd < 0:
            self._fd = _open_locked(self.path)
        elif self._transient:
            self._rewrite()
        elif os.fstat(self._fd).st_size > self._whole:
            os.ftruncate(self._fd, self._whole)

    def _rewrite(self) -> None:
        temporary = f"{self.path}.rewrite"
        with open(self.path, "rb") as source, open(temporary, "wb") as target:
            kept = 0
            while kept < self._whole:
                line = source.readline()
                kept += len(line)
                record = _record(line)
                if record is None or is_done_record(record):
                    target.write(line)
            target.flush()
            os.fsync(target.fileno())
        os.replace(temporary, self.path)
        _sync_directory(self.path)
        fd, self._fd = self._fd, _open_locked(self.path)
        os.close(fd)

    def write(self, line: bytes) -> None:
        """Append one whole line: one ``write`` (a partial one, on a full disk, is finished or
        raises, leaving a torn last line for the next run to cut)."""
        fd = self._fd
        written = os.write(fd, line)
        if written != len(line):
            view = memoryview(line)[written:]
            while view:
                view = view[os.write(fd, view) :]
        now = time.monotonic()
        if now - self._synced >= _SYNC_EVERY:
            os.fsync(fd)
            self._synced = now


def _record(line: bytes) -> dict[str, Any] | None:
    """A result line's record, or ``None`` when it is not one."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if (
        record.__class__ is not dict
        or not isinstance(record.get("custom_id"), str)
        or ("response" not in record and "error" not in record)
    ):
        return None
    record.setdefault("error", None)
    return record


def _open_locked(path: str) -> int:
    """The output opened for appending (created if need be), locked against a second run."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
    if sys.platform != "win32":
        import fcntl

        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise InvalidRequestError(
                "output", f"{path} is being written by another batch run"
            ) from None
    return fd


def _sync_directory(path: str) -> None:
    """Make a rename durable (POSIX: the directory entry is the directory's data)."""
    if sys.platform == "win32":
        return
    fd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
