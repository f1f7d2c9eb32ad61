"""Every script in examples/ runs as a subprocess, with no API key, and prints what it promises.

Each example runs twice: pointed at the test's LocalServer through ``OPENRESPONSES_BASE_URL``
(scripted here as a model would answer), and with no configuration at all, when it starts its
own local server: what a newcomer gets from ``python examples/<name>.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from openresponses.testing import (
    LocalServer,
    RecordedRequest,
    ReplyLike,
    Text,
    ToolCall,
    Turn,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ENV_NAMES = (
    "OPENROUTER_API_KEY",
    "OPENRESPONSES_API_KEY",
    "OPENRESPONSES_BASE_URL",
    "OPENRESPONSES_MODEL",
)


def _remember(request: RecordedRequest) -> Text:
    """Knows the name only if the client resent the first turn (the server keeps nothing)."""
    sent = json.dumps(request.json["input"])
    return Text("You are Ada, and you map rivers." if "Ada" in sent else "Who are you?")


# What the test's server answers for each example (beyond its default echo).
SCRIPTS: dict[str, list[ReplyLike]] = {
    "tool_loop.py": [
        Turn(
            ToolCall("get_weather", {"city": "Paris", "unit": "c"}),
            ToolCall("local_time", {"city": "Paris"}),
        )
    ],
    "structured_output.py": [
        Text('{"name": "Danube", "length_km": 2850, "countries": ["Germany", "Austria"]}')
    ],
    "conversation.py": ["Nice to meet you, Ada!", _remember],
    "websocket.py": [
        ToolCall("get_weather", {"city": "Paris"}),
        ToolCall("get_weather", {"city": "Oslo"}),
    ],
}

# What each example prints, in order, in both modes (the scripts above match the examples' own).
EXPECT: dict[str, list[str]] = {
    "batch.py": [
        "8 requests in",
        "Nile: You said: One sentence about the Nile.",
        "Volga: You said: One sentence about the Volga.",
        "finished #",
    ],
    "conversation.py": [
        "assistant: Nice to meet you, Ada!",
        "assistant: You are Ada, and you map rivers.",
        "history: 4 items",
        "reloaded: 4 items, model openai/o4-mini",
    ],
    "streaming.py": [
        "You said: Describe a river delta in two sentences.",
        "output tokens]",
        "status: completed, generation id: gen-local-1",
    ],
    "structured_output.py": ["Danube: 2850 km through Germany, Austria"],
    "sync_client.py": [
        "You said: Name three rivers in Africa.",
        "You said: Count to five.",
        "You said: What is 1 squared?",
        "You said: What is 4 squared?",
        "InvalidRequestError: temperature:",
    ],
    "tool_loop.py": [
        'get_weather({"city":"Paris","unit":"c"}) -> 18 °C and sunny in Paris',
        'local_time({"city":"Paris"}) -> It is 14:05 in Paris.',
        "answer (done, 2 responses): Tool said:",
    ],
    "web_service.py": [
        "GET /ask    -> {'answer': 'You said: What is a river?', 'id': 'resp_local_1'}",
        "GET /stream -> You said: And a delta?",
    ],
    "websocket.py": [
        "connected: <AsyncResponsesConnection ws://127.0.0.1:",
        'get_weather({"city":"Paris"}) -> 18 °C and sunny in Paris',
        'get_weather({"city":"Oslo"}) -> 4 °C and raining in Oslo',
        "answer (done, turns: 3): Tool said: 4 °C and raining in Oslo",
        "follow-up: You said: Pack for which?\n(done, turns: 1)",
    ],
}


def _one_socket_for_every_turn(server: LocalServer) -> None:
    # the loop's three turns and the follow-up's one
    assert [request.method for request in server.requests] == ["WEBSOCKET"] * 4
    assert server.websocket_connections == 1
    follow_up = server.requests[-1].json
    assert follow_up["input"][-1] == {"role": "user", "content": "Pack for which?"}
    assert [tool["name"] for tool in follow_up["tools"]] == ["get_weather"]


# Further checks on what an example did to the test's server.
CHECKS: dict[str, Callable[[LocalServer], None]] = {
    "websocket.py": _one_socket_for_every_turn,
}

# The examples of the ray and dask extras run in the integrations session, which installs them
# (tests/integrations/test_examples.py), never here.
EXTRA_SCRIPTS = frozenset({"ray_batch.py", "dask_batch.py"})
SCRIPT_NAMES = sorted(path.name for path in EXAMPLES.glob("*.py") if path.name not in EXTRA_SCRIPTS)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A local server in a thread, for the examples to reach through the environment."""
    with LocalServer() as local:
        yield local


def run_example(name: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python examples/<name>`` with no API key in its environment, plus ``env``."""
    clean = {key: value for key, value in os.environ.items() if key not in ENV_NAMES}
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        capture_output=True,
        text=True,
        env={**clean, **env},
        timeout=60,
    )


def assert_prints(name: str, result: subprocess.CompletedProcess[str]) -> None:
    """Exit status 0, no traceback, and the expected lines in order."""
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    position = 0
    for expected in EXPECT[name]:
        found = result.stdout.find(expected, position)
        assert found >= 0, f"{expected!r} not in the output of {name}:\n{result.stdout}"
        position = found + len(expected)


@pytest.mark.parametrize("name", SCRIPT_NAMES)
def test_example_against_the_configured_server(name: str, server: LocalServer) -> None:
    """Pointed at a server by OPENRESPONSES_BASE_URL (no key), the example talks only to it."""
    server.add(*SCRIPTS.get(name, []))
    result = run_example(name, OPENRESPONSES_BASE_URL=server.base_url)
    assert_prints(name, result)
    assert server.request_count > 0
    assert server.pending == 0
    assert all("Authorization" not in request.headers for request in server.requests)
    check = CHECKS.get(name)
    if check is not None:
        check(server)


@pytest.mark.parametrize("name", SCRIPT_NAMES)
def test_example_runs_standalone(name: str) -> None:
    """With no key and no base URL, the example starts its own local server and still works."""
    assert_prints(name, run_example(name))


def test_every_example_is_checked() -> None:
    """Each script in examples/ has expectations, and every expectation names a script."""
    assert sorted(EXPECT) == SCRIPT_NAMES
    assert set(SCRIPTS) <= set(EXPECT)
    assert set(CHECKS) <= set(EXPECT)
