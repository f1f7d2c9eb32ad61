"""The blocking ``Client``: lifecycle, threads, streams, errors across threads, running loops.

Every test talks HTTP to a ``LocalServer`` running in its own thread.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import os
import subprocess
import sys
import textwrap
import threading
import time
import traceback
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from openresponses import (
    AsyncClient,
    AsyncConversation,
    AsyncResponses,
    Client,
    Conversation,
    InvalidRequestError,
    OutputTextDeltaEvent,
    RateLimitError,
    ResponseCompletedEvent,
    StreamError,
)
from openresponses._blocking import _Blocking, _Forwarder, _iterating
from openresponses.testing import HTTPReply, InBandError, LocalServer, Text, Turn

MODEL = "openresponses/local"
PORTAL = "openresponses-portal"


@pytest.fixture
def client(server: LocalServer) -> Iterator[Client]:
    """A sync client of the local server, closed after the test."""
    with Client(base_url=server.base_url, max_retries=0) as client:
        yield client


def _portal_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == PORTAL]


def _stalled(text: str = "one two three four five six", after: int = 5) -> Turn:
    """A streamed answer that stops after ``after`` events and waits until the client leaves."""
    return Turn(Text(text), stall_after=after, stall_for=None)


# -- lifecycle


def test_signature_mirrors_async_client() -> None:
    """``Client`` takes ``AsyncClient``'s arguments, and its methods the async parameters."""
    assert inspect.signature(Client) == inspect.signature(AsyncClient)
    create = inspect.signature(Client().responses.create)
    assert create.parameters == inspect.signature(AsyncClient().responses.create).parameters


def test_bad_arguments_raise_at_construction() -> None:
    """A bad argument raises from ``Client(...)`` as from ``AsyncClient(...)``, not on first use."""
    with pytest.raises(InvalidRequestError, match="timeout"):
        Client(timeout=-1)
    with pytest.raises(TypeError):
        Client(no_such_option=1)  # type: ignore[call-arg]


def test_portal_starts_on_first_use(server: LocalServer) -> None:
    """No thread exists before the first call; one portal thread serves every call after it."""
    before = len(_portal_threads())
    with Client(base_url=server.base_url) as client:
        assert len(_portal_threads()) == before
        assert "idle" in repr(client)
        assert client.responses.create(model=MODEL, input="Hi").output_text == "You said: Hi"
        client.responses.create(model=MODEL, input="Again")
        assert len(_portal_threads()) == before + 1
        assert "open" in repr(client)
    assert len(_portal_threads()) == before


def test_close_is_idempotent_and_joins_the_thread(server: LocalServer) -> None:
    """``close()`` twice is fine; after the first the portal thread is gone."""
    client = Client(base_url=server.base_url)
    client.responses.create(model=MODEL, input="Hi")
    [thread] = [t for t in _portal_threads() if t.is_alive()]
    client.close()
    assert not thread.is_alive()
    client.close()
    assert client.is_closed
    assert "closed" in repr(client)


def test_closed_client_refuses_new_calls(server: LocalServer) -> None:
    """After ``close()``, calls, streams and ``with`` raise a clear error instead of reopening."""
    client = Client(base_url=server.base_url)
    client.close()
    with pytest.raises(RuntimeError, match="closed"):
        client.responses.create(model=MODEL, input="Hi")
    with pytest.raises(RuntimeError, match="closed"):
        client.responses.stream(model=MODEL, input="Hi")
    with pytest.raises(RuntimeError, match="closed"), client:
        pass
    assert _portal_threads() == []
    assert server.request_count == 0


def test_unclosed_client_warns(server: LocalServer) -> None:
    """A used client dropped without ``close()`` gives a ResourceWarning naming ``Client``."""
    client = Client(base_url=server.base_url)
    client.responses.create(model=MODEL, input="Hi")
    portal = client._portal
    runtime, async_client = portal._runtime, portal.client
    assert runtime is not None
    with pytest.warns(ResourceWarning, match=r"unclosed openresponses\.Client"):
        del client, portal  # no reference cycle: the finalizer runs right here
    runtime.shutdown(async_client)  # what the user forgot, so that the test leaks nothing


def test_unused_client_never_warns() -> None:
    """A client that never made a call holds nothing, so dropping it is silent."""
    client = Client()
    del client
    gc.collect()  # filterwarnings turns a ResourceWarning into a failure


# -- threads and running loops


def test_eight_threads_share_one_client(client: Client, server: LocalServer) -> None:
    """Eight threads calling and streaming at once each get their own answers, through one loop."""
    results: dict[int, list[str]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work(n: int) -> None:
        try:
            start.wait()
            answers = [
                client.responses.create(model=MODEL, input=f"t{n}-{i}").output_text
                for i in range(4)
            ]
            with client.responses.stream(model=MODEL, input=f"s{n}") as stream:
                answers.append("".join(stream.text_deltas()))
            results[n] = answers
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert results == {
        n: [*(f"You said: t{n}-{i}" for i in range(4)), f"You said: s{n}"] for n in range(8)
    }
    assert len(_portal_threads()) == 1
    assert server.request_count == 40


def test_calls_inside_a_running_event_loop(client: Client) -> None:
    """Inside ``asyncio.run`` (as in a Jupyter cell), calls and streams work and return normally."""

    async def cell() -> tuple[str, str]:
        asyncio.get_running_loop()  # raises if no loop is running here
        created = client.responses.create(model=MODEL, input="from a loop")
        with client.responses.stream(model=MODEL, input="streamed") as stream:
            streamed = "".join(stream.text_deltas())
        return created.output_text, streamed

    assert asyncio.run(cell()) == ("You said: from a loop", "You said: streamed")


def test_call_from_its_own_loop_thread_is_refused(client: Client) -> None:
    """Code running on the client's loop thread gets an error instead of a deadlock."""

    async def on_the_loop() -> None:
        client.responses.create(model=MODEL, input="Hi")

    async def close_on_the_loop() -> None:
        client.close()

    client.responses.create(model=MODEL, input="start the loop")
    runtime = client._portal.runtime()
    with pytest.raises(RuntimeError, match="own event loop thread"):
        runtime.call(on_the_loop)
    with pytest.raises(RuntimeError, match="own event loop thread"):
        runtime.call(close_on_the_loop)
    assert not client.is_closed


# -- streams


def test_stream_events_then_final_response(client: Client) -> None:
    """Iterating gives the typed events in order; ``final_response()`` then gives the Response."""
    with client.responses.stream(model=MODEL, input="Hello there") as stream:
        assert stream.status_code == 200
        assert stream.generation_id is not None
        events = list(stream)
        final = stream.final_response()
    assert events[0].type == "response.created"
    assert isinstance(events[-1], ResponseCompletedEvent)
    deltas = [e.delta for e in events if isinstance(e, OutputTextDeltaEvent)]
    assert "".join(deltas) == "You said: Hello there"
    assert final.output_text == "You said: Hello there"
    assert final.status == "completed"


def test_iteration_resumes_after_a_break(client: Client) -> None:
    """A second loop over the same stream continues where the first one broke off."""
    with client.responses.stream(model=MODEL, input="a b c") as stream:
        first = []
        for event in stream:
            first.append(event.type)
            if len(first) == 3:
                break
        rest = [event.type for event in stream]
    assert first == ["response.created", "response.in_progress", "response.output_item.added"]
    assert rest[0] == "response.content_part.added"
    assert rest[-1] == "response.completed"
    assert len(first) + len(rest) == 13  # 3 + 1 part + 5 deltas + 3 done events + completed


def test_final_response_without_iterating(client: Client) -> None:
    """``final_response()`` alone reads the whole stream, as the async one does."""
    with client.responses.stream(model=MODEL, input="just the end") as stream:
        assert stream.final_response().output_text == "You said: just the end"
        assert list(stream) == []


def test_text_deltas(client: Client, server: LocalServer) -> None:
    """``text_deltas()`` gives the text pieces as sent, then ``final_response()`` still works."""
    server.add(Text("alpha beta gamma", deltas=3))
    with client.responses.stream(model=MODEL, input="Hi") as stream:
        assert list(stream.text_deltas()) == ["alpha ", "beta ", "gamma"]
        assert stream.final_response().output_text == "alpha beta gamma"


def test_one_way_of_reading_per_stream(client: Client) -> None:
    """Switching from events to text deltas mid-stream is refused rather than losing events."""
    with client.responses.stream(model=MODEL, input="one two three") as stream:
        next(iter(stream))
        with pytest.raises(RuntimeError, match="events"):
            stream.text_deltas()
        assert stream.final_response().output_text == "You said: one two three"


def test_stream_used_outside_with_is_refused(client: Client, server: LocalServer) -> None:
    """Reading a stream that was never entered says how to use it; nothing is sent."""
    stream = client.responses.stream(model=MODEL, input="Hi")
    with pytest.raises(RuntimeError, match=r"with client\.responses\.stream"):
        list(stream)
    stream.close()  # returns at once: there is nothing to release
    assert server.request_count == 0


def test_early_break_closes_the_connection(client: Client, server: LocalServer) -> None:
    """Breaking out of a stream that would never end closes it: the server sees the hang-up."""
    server.add(_stalled())
    started = time.monotonic()
    with client.responses.stream(model=MODEL, input="Hi") as stream:
        for event in stream:
            assert event.type == "response.created"
            break
    assert time.monotonic() - started < 5
    assert stream._pump.finished.is_set()  # released before the with block returned
    server.wait_disconnects_blocking(1)
    with pytest.raises(StreamError) as caught:
        stream.final_response()
    assert caught.value.response is not None


def test_close_from_another_thread_ends_a_blocked_stream(
    client: Client, server: LocalServer
) -> None:
    """``client.close()`` from another thread ends a stream blocked on a silent server."""
    server.add(_stalled(after=2))
    seen: list[str] = []
    with client.responses.stream(model=MODEL, input="Hi") as stream:
        timer = threading.Timer(0.3, client.close)
        timer.start()
        seen.extend(event.type for event in stream)  # blocks until the close
        timer.join()
    assert seen == ["response.created", "response.in_progress"]
    assert client.is_closed
    server.wait_disconnects_blocking(1)


# -- errors


def _frames(exc: BaseException) -> list[str]:
    return [Path(frame.filename).name for frame in traceback.extract_tb(exc.__traceback__)]


def test_status_error_keeps_its_class_and_traceback(client: Client, server: LocalServer) -> None:
    """A 429 reaches the sync caller as ``RateLimitError``, frames from the async layer kept."""
    server.add(HTTPReply(429, headers={"Retry-After": "0"}))
    with pytest.raises(RateLimitError) as caught:
        client.responses.create(model=MODEL, input="Hi")
    assert caught.value.status_code == 429
    frames = _frames(caught.value)
    assert frames[0] == "test_sync.py"
    assert "_responses.py" in frames
    assert "_transport.py" in frames


def test_stream_refused_at_open_raises_at_with(client: Client, server: LocalServer) -> None:
    """A refused stream raises its status error when the ``with`` block is entered."""
    server.add(HTTPReply(429, headers={"Retry-After": "0"}))
    stream = client.responses.stream(model=MODEL, input="Hi")
    with pytest.raises(RateLimitError) as caught, stream:
        pytest.fail("the block must not run")
    assert "_streaming.py" in _frames(caught.value)


def test_stream_error_carries_the_partial_response(client: Client, server: LocalServer) -> None:
    """An in-band error raises ``StreamError`` with ``.response``, from iteration and the end."""
    server.add(Turn(Text("partial answer"), stream_error=InBandError(message="boom")))
    with client.responses.stream(model=MODEL, input="Hi") as stream:
        with pytest.raises(StreamError, match="boom") as caught:
            for _ in stream:
                pass
        assert caught.value.response is not None
        assert caught.value.response.output_text == "partial answer"
        with pytest.raises(StreamError) as again:
            stream.final_response()
    assert again.value is caught.value
    assert "_streaming.py" in _frames(caught.value)


def test_bad_parameters_raise_at_the_call(client: Client, server: LocalServer) -> None:
    """Invalid parameters raise ``InvalidRequestError`` from the call itself; nothing is sent."""
    with pytest.raises(InvalidRequestError, match="temperature"):
        client.responses.create(model=MODEL, input="Hi", temperature=7)
    with pytest.raises(InvalidRequestError, match="temperature"):
        client.responses.stream(model=MODEL, input="Hi", temperature=7)
    with pytest.raises(InvalidRequestError, match="extra_body"):
        client.responses.create(model=MODEL, input="Hi", colour="red")  # type: ignore[call-arg]
    assert server.request_count == 0


# -- forwarding


class _Echoes:
    """An async helper built on the client, standing for the helpers later issues add."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client
        self.closed_streams = 0

    async def answer(self, text: str) -> str:
        return (await self._client.responses.create(model=MODEL, input=text)).output_text

    async def words(self, text: str) -> AsyncIterator[str]:
        try:
            async with self._client.responses.stream(model=MODEL, input=text) as stream:
                async for delta in stream.text_deltas():
                    yield delta.strip()
        finally:
            self.closed_streams += 1


class _SyncEchoes(_Forwarder[_Echoes]):
    answer = _Blocking(_Echoes.answer)
    words = _iterating(_Echoes.words)


def test_one_line_twins_of_new_helpers(client: Client, server: LocalServer) -> None:
    """Coroutine and async-generator methods get blocking twins from one line each."""
    helper: list[_Echoes] = []

    def locate(async_client: AsyncClient) -> _Echoes:
        if not helper:
            helper.append(_Echoes(async_client))
        return helper[0]

    echoes = _SyncEchoes(client._portal, locate)
    assert echoes.answer("ping") == "You said: ping"
    with echoes.words("a b c") as words:
        assert list(words) == ["You", "said:", "a", "b", "c"]
    server.add(_stalled("x y z w", after=5))
    with echoes.words("ignored") as words:
        assert next(iter(words)) == "x"
    # The generator's `async with` (and its cancel scopes) never left its task, and closed.
    assert helper[0].closed_streams == 2
    server.wait_disconnects_blocking(1)


# -- interpreter exit


def _run_script(script: str, server: LocalServer) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENRESPONSES_BASE_URL": server.base_url}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_interpreter_exits_with_an_unclosed_client(server: LocalServer) -> None:
    """A script that never closes its client (a stream left open) still exits at once, cleanly."""
    server.add(Text("ok"), _stalled())
    result = _run_script(
        """
        from openresponses import Client
        client = Client()
        print(client.responses.create(model="m", input="Hi").output_text)
        stream = client.responses.stream(model="m", input="Hi").__enter__()
        print(next(iter(stream)).type, flush=True)
        """,
        server,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ok", "response.created"]
    assert "Traceback" not in result.stderr


def test_ctrl_c_in_a_stream_closes_it_cleanly(server: LocalServer) -> None:
    """Ctrl-C while blocked in a stream raises KeyboardInterrupt there; the client then closes."""
    server.add(_stalled(after=2))
    result = _run_script(
        """
        import os, signal, threading
        from openresponses import Client
        # As at a terminal, even when the suite runs as a background job (SIGINT ignored).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        with Client() as client:
            with client.responses.stream(model="m", input="Hi") as stream:
                threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
                try:
                    for event in stream:
                        pass
                except KeyboardInterrupt:
                    print("interrupted", flush=True)
            print("stream closed", flush=True)
        print("client closed", flush=True)
        """,
        server,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["interrupted", "stream closed", "client closed"]
    server.wait_disconnects_blocking(1)


# -- the blocking twins mirror the async methods


def _parameters(method: Any, *, drop_first: bool) -> list[inspect.Parameter]:
    parameters = list(inspect.signature(method).parameters.values())
    return parameters[1:] if drop_first else parameters


def _public(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_")}


def test_sync_twins_mirror_the_async_signatures() -> None:
    """Every public method of ``AsyncResponses`` has a blocking twin with the same parameters,
    and so do ``conversation`` and the conversation's methods."""
    sync = Client(base_url="http://127.0.0.1:9/v1")
    try:
        assert _public(type(sync.responses)) == _public(AsyncResponses)
        for name in sorted(_public(AsyncResponses)):
            twin = getattr(sync.responses, name)
            original = getattr(AsyncResponses, name)
            assert _parameters(twin, drop_first=False) == _parameters(original, drop_first=True)
            assert twin.__doc__ == original.__doc__, name
        assert _parameters(sync.conversation, drop_first=False) == _parameters(
            AsyncClient.conversation, drop_first=True
        )
        conv = sync.conversation(model=MODEL)
        for name in ("send", "stream"):
            assert _parameters(getattr(conv, name), drop_first=False) == _parameters(
                getattr(AsyncConversation, name), drop_first=True
            )
        for name in ("load", "from_json"):
            # Both take their client first: the async one an AsyncClient, the twin a Client.
            assert _parameters(getattr(Conversation, name), drop_first=True) == _parameters(
                getattr(AsyncConversation, name), drop_first=True
            )
        stream = inspect.signature(sync.responses.run_stream).return_annotation
        assert stream == "ToolRunStream"
    finally:
        sync.close()
