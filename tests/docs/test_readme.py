"""Every ```python block of README.md runs, unchanged, against a local server.

A block runs as a user with a key would run it, except that ``OPENRESPONSES_BASE_URL`` points at a
``LocalServer`` and no API key is set. The server is scripted per block (a tool call for the tools
section, JSON for structured output) and each block's output is checked. A block that defines
pytest tests is run by pytest; a block that builds an aiohttp app is served and queried.
"""

from __future__ import annotations

import asyncio
import inspect
import linecache
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from aiohttp import ClientSession, web

from openresponses.testing import (
    HTTPReply,
    LocalServer,
    Reasoning,
    ReplyLike,
    Text,
    ToolCall,
    Turn,
)

README = Path(__file__).resolve().parents[2] / "README.md"
ENV_NAMES = ("OPENROUTER_API_KEY", "OPENRESPONSES_API_KEY", "OPENRESPONSES_BASE_URL")


@attrs.frozen
class Block:
    """One ```python block: the section it is in, its id, its first line number and its code."""

    id: str
    line: int
    code: str


def _slug(heading: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")


def read_blocks(text: str) -> list[Block]:
    """The python blocks, each named after its ``##`` section (``-2`` for a second one)."""
    blocks: list[Block] = []
    section = "top"
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("## "):
            section = _slug(line[3:])
        elif line.strip() == "```python":
            start = index + 1
            end = lines.index("```", start)
            count = sum(block.id.startswith(section) for block in blocks)
            name = section if count == 0 else f"{section}-{count + 1}"
            blocks.append(Block(name, start + 1, "\n".join(lines[start:end]) + "\n"))
            index = end
        index += 1
    return blocks


BLOCKS = read_blocks(README.read_text(encoding="utf-8"))

_PRICED = {"input_tokens": 6, "output_tokens": 2, "total_tokens": 8, "cost": 0.0004}

# What the local server answers for each block (beyond its default echo, "You said: ...").
SCRIPTS: dict[str, list[ReplyLike]] = {
    "streaming-with-match": [Turn(Reasoning("Erosion on the outer bank."), Text("They erode."))],
    "errors-and-retries": [HTTPReply(429, headers={"Retry-After": "0"})],
    "tools": [ToolCall("get_weather", {"city": "Paris", "unit": "c"})],
    "hooks": [HTTPReply(503, headers={"Retry-After": "0"})],
    # 1,000 answers at $0.0004 each: $0.40 spent, under the block's $0.50 cap.
    "what-it-costs": [Turn(Text("A fact."), usage=_PRICED)] * 1000,
    "structured-output": [
        Text('{"name": "Danube", "length_km": 2850, "countries": ["Germany", "Austria"]}')
    ],
    "websocket-mode": [
        Text("The Nile."),
        Text("One, two, three, four, five."),
        ToolCall("get_weather", {"city": "Paris"}),
    ],
}

# What each block prints (stdout), in order.
EXPECT: dict[str, list[str]] = {
    "quickstart-an-async-web-service": ["GET /ask -> You said: What is a river?"],
    "quickstart-many-requests-at-once": [
        "Nile -> You said: One line about the Nile.",
        "Mekong -> You said: One line about the Mekong.",
    ],
    "quickstart-the-blocking-client-in-a-notebook": [
        "You said: Name three rivers in Asia.",
        "You said: Count to five.",
    ],
    "streaming-with-match": ["They erode.", "[7 output tokens]", "completed gen-local-1"],
    "errors-and-retries": ["You said: Hi\nYou said: Hi\n"],
    "timeouts": ["You said: Hi"],
    "onerouter-and-any-open-responses-server": [],
    "tools": ["get_weather", "-> 18 °C and sunny in Paris", "Tool said: 18 °C and sunny in Paris"],
    "structured-output": ["River(name='Danube', length_km=2850, countries=['Germany', 'Austria'])"],
    "conversations": [
        "You said: My name is Ada.",
        "You said: What is my name?",
        "4 items in the history",
    ],
    "websocket-mode": [
        "The Nile.",
        "One, two, three, four, five.",
        "Tool said: 18 °C and sunny in Paris",
        "You said: What is my name?",
    ],
    "compaction": [
        "['message', 'compaction']",
        "You said: Where does it end?",
        "True",
        "You said: How long is it?",
    ],
    "testing-your-own-code": ["2 passed"],
    "durable-batches-to-a-file-resumable": [
        "4 done, 0 failed, 0 skipped",
        "0 done, 0 failed, 4 skipped",
        "Danube -> You said: One line about the Danube.",
    ],
    "hooks": [
        "create attempt 1: HTTP 503, retry in",
        "create attempt 2: HTTP 200",
        "create openai/o4-mini done",
    ],
    "tracing-with-opentelemetry": [
        '"name": "chat openai/o4-mini"',
        '"gen_ai.usage.output_tokens"',
        "GET /ask -> You said: What is a river?",
    ],
    "what-it-costs": [
        "1000 answered, 0 failed, 0 over budget",
        "8000 tokens, cost $0.4000",
        "0 slots hold a budget error",
    ],
    "testing-your-own-code-2": ["502 Provider disconnected 'Half'"],
}


def _requests_made(count: int) -> Callable[[LocalServer, dict[str, Any]], None]:
    def check(server: LocalServer, namespace: dict[str, Any]) -> None:
        assert server.request_count == count

    return check


def _conversation_resends_history(server: LocalServer, namespace: dict[str, Any]) -> None:
    second = server.requests[1].json["input"]
    assert [item.get("role") for item in second] == ["user", "assistant", "user"]


def _every_turn_over_one_socket(server: LocalServer, namespace: dict[str, Any]) -> None:
    # create, stream, the two turns of the tool loop, the two of the conversation
    assert [request.method for request in server.requests] == ["WEBSOCKET"] * 6
    assert server.websocket_connections == 1
    assert [item.get("role") for item in server.requests[-1].json["input"]] == [
        "user",
        "assistant",
        "user",
    ]


def _compacted_items_go_back_as_input(server: LocalServer, namespace: dict[str, Any]) -> None:
    create, compact = "/v1/responses", "/v1/responses/compact"
    assert [request.path for request in server.requests] == [create, compact, create] * 2
    for sent in (server.requests[2].json["input"], server.requests[-1].json["input"]):
        assert [item.get("type", "message") for item in sent] == [
            "message",
            "compaction",
            "message",
        ]
        assert sent[1]["encrypted_content"].startswith("local:")


def _defines_a_coroutine_function(server: LocalServer, namespace: dict[str, Any]) -> None:
    assert inspect.iscoroutinefunction(namespace["ask_onerouter"])
    assert server.request_count == 0


def _tag_sent_with_every_attempt(server: LocalServer, namespace: dict[str, Any]) -> None:
    assert [r.headers.get("X-Request-Tag") for r in server.requests] == ["docs", "docs"]


# Further checks on what a block did to the server.
CHECKS: dict[str, Callable[[LocalServer, dict[str, Any]], None]] = {
    "errors-and-retries": _requests_made(3),  # the 429, its retry, then the stream
    "quickstart-many-requests-at-once": _requests_made(4),
    "conversations": _conversation_resends_history,
    "hooks": _tag_sent_with_every_attempt,
    "what-it-costs": _requests_made(1000),
    "durable-batches-to-a-file-resumable": _requests_made(4),
    "websocket-mode": _every_turn_over_one_socket,
    "compaction": _compacted_items_go_back_as_input,
    "onerouter-and-any-open-responses-server": _defines_a_coroutine_function,
}


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    """A local server in a thread, named by OPENRESPONSES_BASE_URL; no API key anywhere."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    with LocalServer() as local:
        monkeypatch.setenv("OPENRESPONSES_BASE_URL", local.base_url)
        yield local


async def _ask_app(app: web.Application) -> None:
    """Serve an aiohttp app on a free port and print its answer to one question."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with ClientSession() as http:
            url = f"http://127.0.0.1:{port}/ask"
            async with http.get(url, params={"q": "What is a river?"}) as reply:
                assert reply.status == 200
                print("GET /ask ->", (await reply.json())["answer"])
    finally:
        await runner.cleanup()


def _run_tests(code: str, tmp_path: Path) -> None:
    """Run a block of pytest tests in a fresh pytest, with the plugin's fixture; print its tail."""
    path = tmp_path / "test_readme_block.py"
    path.write_text(code, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    print(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("block", BLOCKS, ids=[block.id for block in BLOCKS])
def test_block_runs(
    block: Block,
    server: LocalServer,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The block runs with no key against the local server and prints what the README implies."""
    monkeypatch.chdir(tmp_path)  # a block may write files (a saved conversation)
    server.add(*SCRIPTS.get(block.id, []))
    namespace: dict[str, Any] = {"__name__": "readme_block"}
    if "def test_" in block.code:
        _run_tests(block.code, tmp_path)
    else:
        filename = f"README.md:{block.line}"
        # Tracebacks then quote the README's lines.
        linecache.cache[filename] = (len(block.code), None, block.code.splitlines(True), filename)
        exec(compile(block.code, filename, "exec"), namespace)
        app = namespace.get("app")
        if isinstance(app, web.Application):
            asyncio.run(_ask_app(app))
    out = capsys.readouterr().out
    position = 0
    for expected in EXPECT[block.id]:
        found = out.find(expected, position)
        assert found >= 0, f"{expected!r} not in the output of {block.id}:\n{out}"
        position = found + len(expected)
    check = CHECKS.get(block.id)
    if check is not None:
        check(server, namespace)


def test_every_block_is_checked() -> None:
    """Each README block has expectations, and no expectation names a block that is gone."""
    assert len(BLOCKS) >= 10
    assert sorted(EXPECT) == sorted(block.id for block in BLOCKS)
    assert set(SCRIPTS) <= set(EXPECT)
    assert set(CHECKS) <= set(EXPECT)


def test_readme_opens_with_the_two_commands() -> None:
    """The first code block is the install-and-stream command, then the CI test command."""
    text = README.read_text(encoding="utf-8")
    first = re.search(r"```sh\n(.*?)```", text, re.S)
    assert first is not None
    assert first.group(1).splitlines() == [
        'python3 -m pip install . && openresponses "Write a haiku about rivers"',
        "python3 -m pip install -U 'nox[uv]' && python3 -m nox",
    ]
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m pip install -q -U 'nox[uv]' && python3 -m nox" in ci


def test_the_configuration_table_names_every_variable() -> None:
    """The configuration section documents each environment variable the SDK reads."""
    section = README.read_text(encoding="utf-8").split("## Configuration", 1)[1].split("\n## ")[0]
    for name in (*ENV_NAMES, "OPENRESPONSES_LOG"):
        assert f"`{name}`" in section
