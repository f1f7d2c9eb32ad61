"""The ``openresponses`` command: stream an answer to stdout, or take the tour (``demo``).

It uses the public surface only. The local server (``openresponses.testing``, which pulls in
``aiohttp.web``) is imported only when it is needed.

Exit status: 0 done, 1 the request failed, 2 bad usage or no API key for a remote server,
130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from openresponses import (
    AsyncClient,
    AuthenticationError,
    InvalidRequestError,
    OpenResponsesError,
    OutputTextDeltaEvent,
    RefusalDeltaEvent,
    Response,
    StreamError,
    __version__,
    function_tool,
    to_dict,
)

if TYPE_CHECKING:
    from openresponses.testing import LocalServer, RecordedRequest, Turn

__all__ = ["main"]

DEFAULT_MODEL: Final = "openai/o4-mini"
OK, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130
_KEY_HINT: Final = "export OPENROUTER_API_KEY=sk-or-... (get one at https://openrouter.ai/keys)"

_EPILOG: Final = """\
examples:
  openresponses "Write a haiku about rivers"
  git diff | openresponses -i "Review this diff" -m anthropic/claude-sonnet-4
  openresponses --json "Hi" > events.jsonl
  openresponses demo         a tour on the built-in local server: no key, no network
  openresponses -- demo      sends the word "demo" as the prompt

environment:
  OPENROUTER_API_KEY         API key (OPENRESPONSES_API_KEY is read too); with no key and no
                             base URL, the built-in local server answers
  OPENRESPONSES_BASE_URL     server base URL (default https://openrouter.ai/api/v1)
  OPENRESPONSES_MODEL        default model (default %(model)s)
  OPENRESPONSES_LOG          debug or info: log requests and retries to stderr

exit status: 0 done, 1 the request failed, 2 usage error or missing API key, 130 interrupted
"""


class _Usage(Exception):
    """A problem with how the command was called: one line on stderr, exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    _out.at_line_start = True
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args[:1] == ["demo"]:
            _demo_parser().parse_args(args[1:])
            return asyncio.run(_demo())
        return _ask(_parser().parse_args(args))
    except SystemExit as exc:  # argparse: --help, --version, bad options
        return exc.code if isinstance(exc.code, int) else USAGE
    except _Usage as exc:
        _say(str(exc))
        return USAGE
    except KeyboardInterrupt:
        _end_line()
        _say("interrupted")
        return INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python from complaining at exit.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return FAILED


def _parser() -> argparse.ArgumentParser:
    model = os.environ.get("OPENRESPONSES_MODEL") or DEFAULT_MODEL
    parser = argparse.ArgumentParser(
        prog="openresponses",
        description="Stream a model's answer to a prompt. With no API key and no base URL set, "
        "the built-in local server answers (it echoes the prompt), so this works offline.",
        epilog=_EPILOG % {"model": DEFAULT_MODEL},
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("prompt", nargs="?", help="the prompt; '-' or none reads it from stdin")
    add("-m", "--model", default=model, help=f"model to ask (default {model})")
    add("-i", "--instructions", help="system instructions")
    add(
        "-r",
        "--reasoning-effort",
        metavar="EFFORT",
        help="none, minimal, low, medium, high or xhigh",
    )
    add("--max-output-tokens", type=int, metavar="N", help="cap on the answer's tokens")
    add("-t", "--temperature", type=float, metavar="T", help="sampling temperature, 0 to 2")
    add("--base-url", metavar="URL", help="server base URL (default $OPENRESPONSES_BASE_URL)")
    add("--max-retries", type=int, metavar="N", help="retries after a failed attempt (default 2)")
    add("--json", action="store_true", help="print every event (or the response) as JSON lines")
    add("--no-stream", action="store_true", help="wait for the whole answer, then print it")
    add("-V", "--version", action="version", version=f"openresponses {__version__}")
    return parser


def _demo_parser() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(
        prog="openresponses demo",
        description="A short tour of the SDK against the built-in local server (no API key, no "
        "network): a streamed answer, a tool call round trip, a concurrent batch, errors handled, "
        "two turns over one WebSocket and a compaction.",
    )


# -- one prompt


def _ask(args: argparse.Namespace) -> int:
    prompt = _read_prompt(args.prompt)
    key = _env_key()
    base_url: str | None = args.base_url or os.environ.get("OPENRESPONSES_BASE_URL") or None
    local = False
    if not key:
        if base_url is None:
            local = True
            _say(
                "no API key set, so the built-in local server answers (it echoes your prompt). "
                f"For a real model: {_KEY_HINT}"
            )
        elif not _is_loopback(base_url):
            raise _Usage(
                f"no API key for {base_url}: {_KEY_HINT} (or OPENRESPONSES_API_KEY), "
                "or try `openresponses demo`, which needs neither a key nor the network"
            )
    params: dict[str, Any] = {"model": args.model, "input": prompt}
    if args.instructions is not None:
        params["instructions"] = args.instructions
    if args.reasoning_effort is not None:
        params["reasoning"] = {"effort": args.reasoning_effort}
    if args.max_output_tokens is not None:
        params["max_output_tokens"] = args.max_output_tokens
    if args.temperature is not None:
        params["temperature"] = args.temperature
    return asyncio.run(
        _ask_async(
            params,
            base_url=base_url,
            local=local,
            max_retries=args.max_retries,
            json_lines=args.json,
            stream=not args.no_stream,
        )
    )


def _env_key() -> str | None:
    return os.environ.get("OPENROUTER_API_KEY") or os.environ.get("OPENRESPONSES_API_KEY") or None


def _read_prompt(prompt: str | None) -> str:
    if prompt is not None and prompt != "-":
        text = prompt
    else:
        if sys.stdin is None:
            raise _Usage("no prompt: give one as an argument, or pipe it in")
        if sys.stdin.isatty():
            _say("reading the prompt from stdin; end it with Ctrl-D")
        text = sys.stdin.read().rstrip("\r\n")
    if not text.strip():
        raise _Usage("the prompt is empty")
    return text


def _is_loopback(base_url: str) -> bool:
    """Whether the URL names this machine (a local server needs no key)."""
    try:
        host = urlsplit(base_url).hostname or ""
    except ValueError:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


async def _ask_async(
    params: dict[str, Any],
    *,
    base_url: str | None,
    local: bool,
    max_retries: int | None,
    json_lines: bool,
    stream: bool,
) -> int:
    status = OK
    async with contextlib.AsyncExitStack() as stack:
        if local:
            from openresponses.testing import LocalServer

            server = await stack.enter_async_context(LocalServer(default=_echo_slowly))
            base_url = server.base_url
        try:
            client = await stack.enter_async_context(
                AsyncClient(base_url=base_url, max_retries=max_retries)
            )
            if stream:
                response = await _stream(client, params, json_lines=json_lines)
            else:
                response = await client.responses.create(**params)
                _write(_json(response) if json_lines else _answer_text(response))
                _end_line()
            status = _outcome(response)
        except OpenResponsesError as exc:
            _end_line()
            line = _error_line(exc)
            if isinstance(exc, AuthenticationError):
                sent = not local and _env_key() is not None
                line += (
                    " - check OPENROUTER_API_KEY" if sent else f" - no API key sent: {_KEY_HINT}"
                )
            _say(line)
            status = USAGE if isinstance(exc, InvalidRequestError) else FAILED
    return status


async def _stream(client: AsyncClient, params: Mapping[str, Any], *, json_lines: bool) -> Response:
    async with client.responses.stream(**params) as stream:
        async for event in stream:
            if json_lines:
                _write(_json(event) + "\n")
                continue
            match event:
                case OutputTextDeltaEvent(delta=text) | RefusalDeltaEvent(delta=text):
                    _write(text)
                case _:
                    pass
        response = await stream.final_response()
    _end_line()
    return response


def _outcome(response: Response) -> int:
    """Say on stderr when the answer is not the whole story."""
    if response.status == "incomplete":
        reason = response.incomplete_details.reason if response.incomplete_details else None
        _say(f"the answer is incomplete ({reason or 'no reason given'})")
    elif response.status == "failed":
        error = response.error
        detail = f"[{error.code}] {error.message}" if error is not None else "no error given"
        _say(f"the response failed: {detail}")
        return FAILED
    return OK


def _answer_text(response: Response) -> str:
    text = response.output_text
    if text:
        return text
    refusals = [
        part.refusal
        for item in response.output
        for part in getattr(item, "content", None) or ()
        if isinstance(getattr(part, "refusal", None), str)
    ]
    return "\n".join(refusals)


def _echo_slowly(request: RecordedRequest) -> Turn:
    """The built-in server's answer: the echo, paced like a model so the stream is visible."""
    from openresponses.testing import Turn, echo_reply

    return Turn(*echo_reply(request).items, event_delay=0.015)


# -- output


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


_out = _Stdout()
_write = _out.write
_end_line = _out.end_line


def _say(message: str) -> None:
    sys.stderr.write(f"openresponses: {message}\n")
    sys.stderr.flush()


def _json(value: Any) -> str:
    return json.dumps(to_dict(value), ensure_ascii=False, separators=(",", ":"))


def _error_line(exc: OpenResponsesError) -> str:
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


# -- the tour

_HAIKU: Final = "Rivers carve the stone,\npatient water, endless song:\nthe sea calls them home."


async def _demo() -> int:
    from openresponses.testing import LocalServer

    _write("openresponses demo: a tour on the built-in local server (no API key, no network)\n")
    async with (
        LocalServer() as server,
        # A placeholder key: the local server needs none, and a real one should not go there.
        AsyncClient(api_key="local", base_url=server.base_url) as client,
    ):
        for step in (_demo_stream, _demo_tools, _demo_batch, _demo_errors, _demo_websocket):
            await step(server, client)
    _write(
        '\nNext: `openresponses "your prompt"` (set OPENROUTER_API_KEY for a real model), '
        "and the README's quickstarts.\n"
    )
    return OK


def _heading(number: int, title: str, code: str) -> None:
    _write(f"\n{number}. {title}\n   {code}\n   ")


async def _demo_stream(server: LocalServer, client: AsyncClient) -> None:
    from openresponses.testing import Text, Turn

    _heading(1, "A streamed answer", "async for text in stream.text_deltas(): print(text)")
    server.add(Turn(Text(_HAIKU), event_delay=0.03))
    async with client.responses.stream(model=DEFAULT_MODEL, input="A haiku about rivers") as stream:
        async for text in stream.text_deltas():
            _write(text.replace("\n", "\n   "))
        response = await stream.final_response()
    usage = response.usage
    tokens = f", {usage.output_tokens} output tokens" if usage is not None else ""
    _write(f"\n   ({response.status}, generation id {stream.generation_id}{tokens})\n")


async def _demo_tools(server: LocalServer, client: AsyncClient) -> None:
    from openresponses.testing import ToolCall

    _heading(2, "A tool call round trip", "await client.responses.run(..., tools=[get_weather])")

    @function_tool
    async def get_weather(city: str) -> str:
        """The current weather in a city.

        Args:
            city: City name, e.g. "Paris".
        """
        return f"18 °C and sunny in {city}"

    # The model asks for the tool; the default reply then answers with what the tool said.
    server.add(ToolCall("get_weather", {"city": "Paris"}))
    result = await client.responses.run(
        model=DEFAULT_MODEL, input="What's the weather in Paris?", tools=[get_weather]
    )
    for tool_result in result.tool_results:
        call = tool_result.call
        _write(f"the model called {call.name}({call.arguments}) -> {tool_result.output!r}\n   ")
    _write(f"answer after {len(result.steps)} responses: {result.output_text}\n")


async def _demo_batch(server: LocalServer, client: AsyncClient) -> None:
    from openresponses.testing import Turn, echo_reply

    count, latency = 8, 0.25
    _heading(3, "A concurrent batch", "await client.responses.batch(requests, concurrency=8)")

    def slow(request: RecordedRequest) -> Turn:
        return Turn(*echo_reply(request).items, delay=latency)

    def progress(done: int, total: int | None) -> None:
        # Rewritten in place on a terminal; elsewhere only the last count is worth a line.
        if sys.stdout.isatty():
            _write(f"\r   batch: {done}/{total} done")
        elif done == total:
            _write(f"batch: {done}/{total} done")

    server.add(slow, times=count)
    requests = [{"model": DEFAULT_MODEL, "input": f"Question {n}"} for n in range(count)]
    started = time.monotonic()
    results = await client.responses.batch(requests, concurrency=count, progress=progress)
    elapsed = time.monotonic() - started
    answered = sum(isinstance(result, Response) for result in results)
    _write(
        f"\n   {answered} answers in {elapsed:.2f} s, each taking {latency} s on the server "
        f"(one after another: {count * latency:.1f} s)\n"
    )


async def _demo_errors(server: LocalServer, client: AsyncClient) -> None:
    from openresponses.testing import HTTPReply, InBandError, Text, Turn

    _heading(4, "Errors, handled", "except RateLimitError / AuthenticationError / StreamError")
    # A 429 is retried for you (Retry-After honoured); the caller sees only the answer.
    server.add(HTTPReply(429, headers={"Retry-After": "0"}))
    before = server.request_count
    response = await client.responses.create(model=DEFAULT_MODEL, input="Are you there?")
    tries = server.request_count - before
    _write(f"429 Too Many Requests, retried: {response.output_text!r} after {tries} requests\n   ")
    # A 401 is not retried: one typed error with the server's message and generation id.
    server.add(
        HTTPReply(401, body={"error": {"code": 401, "message": "No auth credentials found"}})
    )
    try:
        await client.responses.create(model=DEFAULT_MODEL, input="Hi")
    except AuthenticationError as exc:
        _write(f"{_error_line(exc)}, retryable={exc.retryable}\n   ")
    # An error after HTTP 200, mid-stream: StreamError keeps what had arrived.
    broken = InBandError(code=502, message="Provider disconnected", shape="openrouter")
    server.add(
        Turn(Text("Half an answer, then"), stream_error=broken, error_after=7, terminal=False)
    )
    try:
        async with client.responses.stream(model=DEFAULT_MODEL, input="Go on") as stream:
            await stream.final_response()
    except StreamError as exc:
        partial = exc.response.output_text if exc.response is not None else ""
        _write(f"{_error_line(exc)}; partial text kept: {partial!r}\n")


async def _demo_websocket(server: LocalServer, client: AsyncClient) -> None:
    from openresponses.testing import Text, Turn

    _heading(
        5,
        "Two turns over one WebSocket, then a compaction",
        "async with client.responses.connect() as conn: client.conversation(connection=conn)",
    )
    server.add(
        Text("Nice to meet you, Ada."),
        Turn(Text("You are Ada, as you said one turn ago."), event_delay=0.03),
    )
    before = server.request_count
    async with client.responses.connect() as conn:
        chat = client.conversation(model=DEFAULT_MODEL, connection=conn)
        _write("> My name is Ada.\n   ")
        _write(f"{(await chat.send('My name is Ada.')).output_text}\n   ")
        _write("> Who am I?\n   ")
        async with chat.stream("Who am I?") as stream:
            async for text in stream.text_deltas():
                _write(text)
        turns = server.request_count - before
        _write(f"\n   ({turns} turns, {server.websocket_connections} WebSocket handshake)\n   ")
        # Compaction is a plain POST /responses/compact, even for a conversation on a socket.
        length = len(chat.history)
        compacted = await chat.compact()
    kinds = ", ".join(item.type for item in compacted.output)
    _write(f"await chat.compact() (POST /responses/compact): {length} history items -> {kinds}\n")
