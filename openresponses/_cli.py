"""The ``openresponses`` command: stream an answer to stdout, list the models (``models``), run a
JSONL file of requests (``batch``, in ``_cli_batch``), or take the tour (``demo``, in
``_cli_demo``).

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
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from openresponses import (
    AsyncClient,
    AuthenticationError,
    InvalidRequestError,
    Model,
    OpenResponsesError,
    OutputTextDeltaEvent,
    RefusalDeltaEvent,
    Response,
    __version__,
)

from ._console import (
    DEFAULT_MODEL,
    FAILED,
    INTERRUPTED,
    OK,
    USAGE,
    end_line,
    error_line,
    json_line,
    out,
    say,
    usd,
    write,
)

if TYPE_CHECKING:
    from openresponses.testing import RecordedRequest, Turn

__all__ = ["main"]
_KEY_HINT: Final = "export OPENROUTER_API_KEY=sk-or-... (get one at https://openrouter.ai/keys)"

_EPILOG: Final = """\
examples:
  openresponses "Write a haiku about rivers"
  git diff | openresponses -i "Review this diff" -m anthropic/claude-sonnet-4
  openresponses --json "Hi" > events.jsonl
  openresponses --usage "Hi"     the answer, then its tokens and cost on stderr
  openresponses models claude    models whose id or name has "claude": context, prices
  openresponses batch in.jsonl -o out.jsonl
                                 every request of a JSONL file, resumable (batch --help)
  openresponses demo             a tour on the built-in local server: no key, no network
  openresponses -- demo          sends the word "demo" as the prompt

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
    out.at_line_start = True
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args[:1] == ["demo"]:
            from ._cli_demo import demo

            _demo_parser().parse_args(args[1:])
            return asyncio.run(demo())
        if args[:1] == ["models"]:
            return _models(_models_parser().parse_args(args[1:]))
        if args[:1] == ["batch"]:
            return _batch(args[1:])
        return _ask(_parser().parse_args(args))
    except SystemExit as exc:  # argparse: --help, --version, bad options
        return exc.code if isinstance(exc.code, int) else USAGE
    except _Usage as exc:
        say(str(exc))
        return USAGE
    except KeyboardInterrupt:
        end_line()
        say("interrupted")
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
    add("--usage", action="store_true", help="after the answer, print tokens and cost on stderr")
    add(
        "--allow-insecure-http",
        action="store_true",
        help="send the API key over plain http to a host that is not this machine (a trusted LAN)",
    )
    add("-V", "--version", action="version", version=f"openresponses {__version__}")
    return parser


def _demo_parser() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(
        prog="openresponses demo",
        description="A short tour of the SDK against the built-in local server (no API key, no "
        "network): a streamed answer, a tool call round trip, a concurrent batch, errors handled, "
        "two turns over one WebSocket and a compaction, and what a call cost and took.",
    )


def _models_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="openresponses models",
        description="List the models of the catalogue (GET {base_url}/models): id, context "
        "length, and prompt and completion prices in USD per million tokens. OpenRouter's "
        "catalogue needs no API key.",
    )
    add = parser.add_argument
    add("query", nargs="?", metavar="QUERY", help="only models whose id or name contains it")
    add("--base-url", metavar="URL", help="server base URL (default $OPENRESPONSES_BASE_URL)")
    add("--max-retries", type=int, metavar="N", help="retries after a failed attempt (default 2)")
    add("--json", action="store_true", help="print each model as a JSON line")
    add(
        "--allow-insecure-http",
        action="store_true",
        help="send the API key over plain http to a host that is not this machine (a trusted LAN)",
    )
    return parser


# -- one prompt


def _ask(args: argparse.Namespace) -> int:
    prompt = _read_prompt(args.prompt)
    base_url, local = _server(args.base_url, "your prompt")
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
            usage=args.usage,
            insecure=args.allow_insecure_http,
        )
    )


def _server(base_url: str | None, echoed: str) -> tuple[str | None, bool]:
    """The base URL to use, and whether the built-in local server answers (no key, no URL)."""
    base_url = base_url or os.environ.get("OPENRESPONSES_BASE_URL") or None
    if _env_key():
        return base_url, False
    if base_url is None:
        say(
            f"no API key set, so the built-in local server answers (it echoes {echoed}). "
            f"For a real model: {_KEY_HINT}"
        )
        return None, True
    if not _is_loopback(base_url):
        raise _Usage(
            f"no API key for {base_url}: {_KEY_HINT} (or OPENRESPONSES_API_KEY), "
            "or try `openresponses demo`, which needs neither a key nor the network"
        )
    return base_url, False


def _env_key() -> str | None:
    return os.environ.get("OPENROUTER_API_KEY") or os.environ.get("OPENRESPONSES_API_KEY") or None


def _read_prompt(prompt: str | None) -> str:
    if prompt is not None and prompt != "-":
        text = prompt
    else:
        if sys.stdin is None:
            raise _Usage("no prompt: give one as an argument, or pipe it in")
        if sys.stdin.isatty():
            say("reading the prompt from stdin; end it with Ctrl-D")
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
    usage: bool,
    insecure: bool,
) -> int:
    status = OK
    async with contextlib.AsyncExitStack() as stack:
        if local:
            from openresponses.testing import LocalServer

            server = await stack.enter_async_context(LocalServer(default=_echo_slowly))
            base_url = server.base_url
        try:
            client = await stack.enter_async_context(
                AsyncClient(
                    base_url=base_url, max_retries=max_retries, allow_insecure_http=insecure
                )
            )
            if stream:
                response = await _stream(client, params, json_lines=json_lines)
            else:
                response = await client.responses.create(**params)
                write(json_line(response) if json_lines else _answer_text(response))
                end_line()
            status = _outcome(response)
            if usage:
                say(_usage_line(response))
        except OpenResponsesError as exc:
            end_line()
            line = error_line(exc)
            if isinstance(exc, AuthenticationError):
                sent = not local and _env_key() is not None
                line += (
                    " - check OPENROUTER_API_KEY" if sent else f" - no API key sent: {_KEY_HINT}"
                )
            say(line)
            status = USAGE if isinstance(exc, InvalidRequestError) else FAILED
    return status


async def _stream(client: AsyncClient, params: Mapping[str, Any], *, json_lines: bool) -> Response:
    async with client.responses.stream(**params) as stream:
        async for event in stream:
            if json_lines:
                write(json_line(event) + "\n")
                continue
            match event:
                case OutputTextDeltaEvent(delta=text) | RefusalDeltaEvent(delta=text):
                    write(text)
                case _:
                    pass
        response = await stream.final_response()
    end_line()
    return response


def _outcome(response: Response) -> int:
    """Say on stderr when the answer is not the whole story."""
    if response.status == "incomplete":
        reason = response.incomplete_details.reason if response.incomplete_details else None
        say(f"the answer is incomplete ({reason or 'no reason given'})")
    elif response.status == "failed":
        error = response.error
        detail = f"[{error.code}] {error.message}" if error is not None else "no error given"
        say(f"the response failed: {detail}")
        return FAILED
    return OK


def _usage_line(response: Response) -> str:
    """``usage: 12 input + 30 output = 42 tokens (8 reasoning), cost $0.0015``."""
    usage = response.usage
    if usage is None:
        return "usage: not reported by the server"
    line = (
        f"usage: {usage.input_tokens} input + {usage.output_tokens} output = "
        f"{usage.total_tokens} tokens"
    )
    details = usage.output_tokens_details
    if details is not None and details.reasoning_tokens:
        line += f" ({details.reasoning_tokens} reasoning)"
    if usage.cost is not None:
        line += f", cost {usd(usage.cost)}"
    return line


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


# -- a batch file


def _batch(argv: list[str]) -> int:
    from ._cli_batch import batch_parser, run_batch

    args = batch_parser(os.environ.get("OPENRESPONSES_MODEL") or None).parse_args(argv)
    base_url, local = _server(args.base_url, "each request")
    try:
        return asyncio.run(run_batch(args, base_url=base_url, local=local))
    except KeyboardInterrupt:
        end_line()
        say(f"interrupted: {args.output} keeps every result written; the same command resumes")
        return INTERRUPTED


# -- the catalogue


def _models(args: argparse.Namespace) -> int:
    base_url: str | None = args.base_url or os.environ.get("OPENRESPONSES_BASE_URL") or None
    return asyncio.run(
        _list_models(
            base_url,
            args.query or "",
            max_retries=args.max_retries,
            json_lines=args.json,
            insecure=args.allow_insecure_http,
        )
    )


async def _list_models(
    base_url: str | None, query: str, *, max_retries: int | None, json_lines: bool, insecure: bool
) -> int:
    try:
        async with AsyncClient(
            base_url=base_url, max_retries=max_retries, allow_insecure_http=insecure
        ) as client:
            models = await client.models.list()
    except OpenResponsesError as exc:
        say(error_line(exc))
        return USAGE if isinstance(exc, InvalidRequestError) else FAILED
    wanted = query.casefold()
    shown = [m for m in models if wanted in m.id.casefold() or wanted in (m.name or "").casefold()]
    if not shown:
        say(f"no model matches {query!r}" if query else "the server lists no model")
        return FAILED
    if json_lines:
        for model in shown:
            write(json_line(model) + "\n")
        return OK
    rows = [("MODEL", "CONTEXT", "PROMPT $/M", "COMPLETION $/M")]
    rows += [
        (
            model.id,
            "-" if model.context_length is None else f"{model.context_length:,}",
            _per_million(model, "prompt"),
            _per_million(model, "completion"),
        )
        for model in shown
    ]
    width = max(len(row[0]) for row in rows)
    for name, context, prompt, completion in rows:
        write(f"{name:<{width}}  {context:>9}  {prompt:>10}  {completion:>14}\n")
    return OK


def _per_million(model: Model, name: str) -> str:
    """A per-token price as USD per million tokens: ``30.00``, ``0.075``, ``free``, ``varies``."""
    price = model.pricing.price(name) if model.pricing is not None else None
    if price is None:
        return "-"
    if price < 0:
        return "varies"  # the auto router's "-1": the price of the model it picks
    if price == 0:
        return "free"
    per_million = price * 1_000_000
    return f"{per_million:,.2f}" if per_million >= 0.01 else f"{per_million:.2g}"
