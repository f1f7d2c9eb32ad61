"""``openresponses batch``: a JSONL file of requests in, a JSONL file of results out, resumable.

It is ``client.responses.batch_to_file`` with a progress bar and a summary: run the same command
again after a crash or Ctrl-C and it sends only what the results file lacks. Exit status 0 only
when every line of the input has a successful result.
"""

from __future__ import annotations

import argparse
import contextlib
from typing import Final

from openresponses import (
    AsyncClient,
    BatchFileSummary,
    InvalidRequestError,
    OpenResponsesError,
)

from ._console import FAILED, OK, USAGE, error_line, say, usd

__all__ = ["batch_parser", "run_batch"]

_DESCRIPTION: Final = """\
Send every request of a JSONL file and write one result line per request to another JSONL file
as each completes. Each input line has a custom_id and is either OpenAI's batch-file shape
({"custom_id", "method": "POST", "url": "/v1/responses", "body": {...}}) or a request body with
its custom_id. Run the same command again to resume: the ids already in the results file are
skipped (transient errors, such as 429, 5xx or a lost connection, are run again)."""

_EPILOG: Final = """\
examples:
  openresponses batch prompts.jsonl -o results.jsonl -m openai/gpt-4o-mini
  openresponses batch prompts.jsonl -o results.jsonl --rpm 500 --max-cost 5

exit status: 0 every line succeeded, 1 some failed or were not started, 2 usage error,
130 interrupted (the same command resumes)
"""


def batch_parser(model: str | None) -> argparse.ArgumentParser:
    """The options of ``openresponses batch``; ``model`` is the default of ``-m``."""
    parser = argparse.ArgumentParser(
        prog="openresponses batch",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("input", help="the requests, one JSON object a line")
    add("-o", "--output", required=True, help="the results file (created, or resumed)")
    add(
        "-m",
        "--model",
        default=model,
        help="model for the lines that name none (default $OPENRESPONSES_MODEL, else none)",
    )
    add("--concurrency", type=int, default=64, metavar="N", help="requests in flight (64)")
    add("--rpm", type=float, metavar="N", help="at most N requests started per minute")
    add("--max-cost", type=float, metavar="USD", help="start no request once this was spent")
    add("--base-url", metavar="URL", help="server base URL (default $OPENRESPONSES_BASE_URL)")
    add("--max-retries", type=int, metavar="N", help="retries after a failed attempt (default 2)")
    add(
        "--allow-insecure-http",
        action="store_true",
        help="send the API key over plain http to a host that is not this machine (a trusted LAN)",
    )
    add("-q", "--quiet", action="store_true", help="no progress bar")
    return parser


async def run_batch(args: argparse.Namespace, *, base_url: str | None, local: bool) -> int:
    """Run the batch the parsed ``args`` describe; the exit status."""
    async with contextlib.AsyncExitStack() as stack:
        if local:
            from openresponses.testing import LocalServer

            base_url = (await stack.enter_async_context(LocalServer())).base_url
        try:
            client = await stack.enter_async_context(
                AsyncClient(
                    base_url=base_url,
                    max_retries=args.max_retries,
                    allow_insecure_http=args.allow_insecure_http,
                )
            )
            summary = await client.responses.batch_to_file(
                args.input,
                args.output,
                concurrency=args.concurrency,
                requests_per_minute=args.rpm,
                max_cost=args.max_cost,
                progress=not args.quiet,
                defaults={"model": args.model} if args.model else None,
            )
        except OpenResponsesError as exc:
            say(error_line(exc))
            return USAGE if isinstance(exc, InvalidRequestError) else FAILED
        except OSError as exc:
            say(f"{exc.filename or args.output}: {exc.strerror or exc}")
            return FAILED
    for line in summary_lines(summary, args.output):
        say(line)
    every_line_ok = not (summary.failed or summary.not_started or summary.skipped_failed)
    return OK if every_line_ok else FAILED


def summary_lines(summary: BatchFileSummary, output: str) -> list[str]:
    """``batch: 98 done, 2 failed, 100 skipped ...`` and ``usage: ...``."""
    counts = f"batch: {summary.succeeded} done, {summary.failed} failed"
    counts += f", {summary.skipped} skipped as already in {output}"
    if summary.skipped_failed:
        counts += f" ({summary.skipped_failed} of them failed)"
    if summary.not_started:
        counts += f", {summary.not_started} not started (max cost reached)"
    usage = summary.usage
    cost = "cost not reported" if usage.cost is None else f"cost {usd(usage.cost)}"
    return [counts, f"usage: {usage.total_tokens:,} tokens, {cost}"]
