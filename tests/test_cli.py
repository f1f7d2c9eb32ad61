"""The ``openresponses`` command, run in-process (``main(argv)``) and as a subprocess."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from openresponses import __version__
from openresponses.__main__ import main
from openresponses.testing import HTTPReply, InBandError, LocalServer, ResponseJSON, Text, Turn

ENV_NAMES = (
    "OPENROUTER_API_KEY",
    "OPENRESPONSES_API_KEY",
    "OPENRESPONSES_BASE_URL",
    "OPENRESPONSES_MODEL",
    "OPENRESPONSES_LOG",
)


@pytest.fixture(autouse=True)
def no_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no key, base URL, model or log level in the environment."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a subprocess: ours minus any configuration, plus ``extra``."""
    env = {key: value for key, value in os.environ.items() if key not in ENV_NAMES}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def run_cli(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m openresponses ARGS`` in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "openresponses", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=clean_env(**env),
        timeout=60,
    )


def test_streams_the_answer_to_stdout(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A prompt argument is streamed: the answer on stdout, one streaming request sent."""
    assert main(["--base-url", server.base_url, "Hello there"]) == 0
    out, err = capsys.readouterr()
    assert out == "You said: Hello there\n"
    assert err == ""
    body = server.requests[0].json
    assert body["stream"] is True
    assert body["input"] == "Hello there"
    assert body["model"] == "openai/o4-mini"


def test_options_reach_the_request(server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    """-m, -i, -r, --max-output-tokens and -t become the request's fields."""
    argv = ["--base-url", server.base_url, "-m", "acme/model", "-i", "Be brief."]
    argv += ["-r", "low", "--max-output-tokens", "50", "-t", "0.5", "Hi"]
    assert main(argv) == 0
    body = server.requests[0].json
    assert body["model"] == "acme/model"
    assert body["instructions"] == "Be brief."
    assert body["reasoning"] == {"effort": "low"}
    assert body["max_output_tokens"] == 50
    assert body["temperature"] == 0.5
    assert capsys.readouterr().out == "You said: Hi\n"


def test_model_defaults_from_the_environment(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OPENRESPONSES_MODEL sets the default model, and OPENRESPONSES_BASE_URL the server."""
    monkeypatch.setenv("OPENRESPONSES_MODEL", "acme/default")
    monkeypatch.setenv("OPENRESPONSES_BASE_URL", server.base_url)
    assert main(["Hi"]) == 0
    assert server.requests[0].json["model"] == "acme/default"


def test_json_prints_every_event_as_a_json_line(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json: one JSON object per line, from response.created to response.completed."""
    server.add(Text("one two three"))
    assert main(["--base-url", server.base_url, "--json", "Hi"]) == 0
    lines = capsys.readouterr().out.splitlines()
    events = [json.loads(line) for line in lines]
    assert events[0]["type"] == "response.created"
    assert events[-1]["type"] == "response.completed"
    deltas = [e["delta"] for e in events if e["type"] == "response.output_text.delta"]
    assert "".join(deltas) == "one two three"
    assert events[-1]["response"]["output"][0]["content"][0]["text"] == "one two three"


def test_no_stream_prints_the_whole_answer(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """--no-stream sends a plain request and prints its output text."""
    assert main(["--base-url", server.base_url, "--no-stream", "Hi"]) == 0
    assert capsys.readouterr().out == "You said: Hi\n"
    assert server.requests[0].json["stream"] is False


def test_no_stream_json_prints_the_response(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """--no-stream --json prints the Response as one JSON line."""
    assert main(["--base-url", server.base_url, "--no-stream", "--json", "Hi"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    response = json.loads(line)
    assert response["status"] == "completed"
    assert response["output"][0]["content"][0]["text"] == "You said: Hi"


@pytest.mark.parametrize("argv", [["-"], []], ids=["dash", "no-prompt"])
def test_reads_the_prompt_from_stdin(
    server: LocalServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
) -> None:
    """'-' or no prompt reads stdin (trailing newlines dropped)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("piped question\n"))
    assert main(["--base-url", server.base_url, *argv]) == 0
    assert server.requests[0].json["input"] == "piped question"
    assert capsys.readouterr().out == "You said: piped question\n"


def test_an_empty_prompt_is_a_usage_error(
    server: LocalServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blank stdin exits 2 with one line, and nothing is sent."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("  \n"))
    assert main(["--base-url", server.base_url]) == 2
    assert capsys.readouterr().err == "openresponses: the prompt is empty\n"
    assert server.request_count == 0


def test_rate_limit_prints_one_error_line(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 429 that outlasts the retries: one stderr line with class, status, message, id; exit 1."""
    server.add(HTTPReply(429, headers={"Retry-After": "0"}), times=2)
    assert main(["--base-url", server.base_url, "--max-retries", "1", "Hi"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "openresponses: RateLimitError: HTTP 429 Too Many Requests (generation id gen-local-2)\n"
    )
    assert server.request_count == 2


def test_unauthorized_says_how_to_set_a_key(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 401 with no key sent names the class and status, and how to set OPENROUTER_API_KEY."""
    body = {"error": {"code": 401, "message": "No auth credentials found"}}
    server.add(HTTPReply(401, body=body))
    assert main(["--base-url", server.base_url, "Hi"]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(
        "openresponses: AuthenticationError: HTTP 401 No auth credentials found "
        "(generation id gen-local-1)"
    )
    assert "OPENROUTER_API_KEY" in line


def test_an_error_mid_stream_keeps_the_partial_text(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """An in-band error after HTTP 200: the text so far, a finished line, a StreamError line."""
    broken = InBandError(code=502, message="Provider disconnected", shape="openrouter")
    server.add(
        Turn(Text("partial answer here"), stream_error=broken, error_after=6, terminal=False)
    )
    assert main(["--base-url", server.base_url, "Hi"]) == 1
    out, err = capsys.readouterr()
    assert out == "partial answer\n"
    assert err == (
        "openresponses: StreamError: [502] Provider disconnected (generation id gen-local-1)\n"
    )


def test_an_incomplete_answer_is_flagged(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A response cut short by max_output_tokens prints its text and says why on stderr."""
    server.add(Turn(Text("The river"), status="incomplete"))
    assert main(["--base-url", server.base_url, "Hi"]) == 0
    out, err = capsys.readouterr()
    assert out == "The river\n"
    assert err == "openresponses: the answer is incomplete (max_output_tokens)\n"


def test_a_bad_parameter_is_refused_before_sending(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """An out-of-range temperature exits 2 naming the field; no request is made."""
    assert main(["--base-url", server.base_url, "-t", "5", "Hi"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("openresponses: InvalidRequestError: temperature: ")
    assert server.request_count == 0


def test_an_unreachable_server_is_a_connection_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A closed port: one APIConnectionError line, exit 1, no traceback."""
    with LocalServer() as closed:
        base_url = closed.base_url
    assert main(["--base-url", base_url, "--max-retries", "0", "Hi"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("openresponses: APIConnectionError: ")
    assert err.count("\n") == 1


def test_a_key_is_sent_to_a_loopback_server(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With OPENROUTER_API_KEY set, the request carries it as a bearer token."""
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-test")
    assert main(["--base-url", server.base_url, "Hi"]) == 0
    assert server.requests[0].headers["Authorization"] == "Bearer sk-or-test"


def test_allow_insecure_http_lets_a_key_go_to_a_plain_http_host(
    server: LocalServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A keyed user's plain-http host that is not loopback is refused, and answered with
    --allow-insecure-http (0.0.0.0 is no loopback address to the check; Linux connects it here)."""
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-test")
    lan = f"http://0.0.0.0:{server.port}/v1"
    assert main(["--base-url", lan, "Hi"]) == 2
    assert "allow_insecure_http" in capsys.readouterr().err
    assert server.request_count == 0
    assert main(["--allow-insecure-http", "--base-url", lan, "Hi"]) == 0
    assert "You said: Hi" in capsys.readouterr().out
    assert server.requests[0].headers["Authorization"] == "Bearer sk-or-test"


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_no_key_for_a_remote_server_exits_2(
    how: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No key and a remote base URL: say how to set one or try the demo, exit 2, send nothing."""
    remote = "https://openrouter.ai/api/v1"
    argv = ["Hi"]
    if how == "argument":
        argv = ["--base-url", remote, "Hi"]
    else:
        monkeypatch.setenv("OPENRESPONSES_BASE_URL", remote)
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"openresponses: no API key for {remote}: export OPENROUTER_API_KEY=")
    assert "openresponses demo" in err
    assert err.count("\n") == 1


def test_no_key_and_no_base_url_uses_the_built_in_server() -> None:
    """The first README command on a fresh machine: a streamed answer and one note on stderr."""
    result = run_cli("Write a haiku about rivers")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "You said: Write a haiku about rivers\n"
    (note,) = result.stderr.splitlines()
    assert "built-in local server" in note
    assert "OPENROUTER_API_KEY" in note


def test_stdin_through_a_pipe() -> None:
    """``echo ... | openresponses`` reads the piped prompt (built-in server)."""
    result = run_cli(stdin="from a pipe\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "You said: from a pipe\n"


# `python -m openresponses ARGS` with Ctrl-C handled as at a terminal: a suite started in the
# background of a non-interactive shell passes SIGINT down ignored, and Python keeps it so.
_WITH_SIGINT = (
    "import runpy, signal, sys\n"
    "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
    "sys.argv[0] = 'openresponses'\n"
    "runpy.run_module('openresponses', run_name='__main__', alter_sys=True)\n"
)


def test_ctrl_c_stops_a_stream_cleanly(server: LocalServer) -> None:
    """SIGINT mid-stream: exit 130, 'interrupted' on stderr, no traceback, connection dropped."""
    server.add(Turn(Text("first words then a stall"), stall_after=6))
    process = subprocess.Popen(
        [sys.executable, "-c", _WITH_SIGINT, "--base-url", server.base_url, "Hi"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
    )
    assert process.stdout is not None
    first = process.stdout.read(5)  # wait for the stream to start
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    assert first == b"first"
    assert process.returncode == 130
    assert err.decode() == "openresponses: interrupted\n"
    server.wait_disconnects_blocking(1)


def test_demo_tours_the_sdk_offline() -> None:
    """``openresponses demo`` streams, runs a tool, batches with progress, handles errors, and
    runs two conversation turns over one WebSocket before compacting them over HTTP."""
    started = time.monotonic()
    result = run_cli("demo", OPENROUTER_API_KEY="sk-or-never-sent")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Rivers carve the stone," in out
    assert 'the model called get_weather({"city":"Paris"}) -> \'18 °C and sunny in Paris\'' in out
    assert "Tool said: 18 °C and sunny in Paris" in out
    assert "batch: 8/8 done" in out
    assert "8 answers in" in out
    assert "429 Too Many Requests, retried: 'You said: Are you there?' after 2 requests" in out
    assert "AuthenticationError: HTTP 401 No auth credentials found" in out
    assert "StreamError: [502] Provider disconnected" in out
    websocket = out.split("5. Two turns over one WebSocket", 1)[1]
    assert "Nice to meet you, Ada.\n   > Who am I?\n   You are Ada," in websocket
    assert "(2 turns, 1 WebSocket handshake)" in websocket  # counted by the server
    assert "4 history items -> message, message, compaction" in websocket
    catalogue = out.split("6. What a call cost and took", 1)[1]
    assert "generation gen-local-19: 12 + 5 tokens, $0.00021, 200 ms, served by LocalServer" in (
        catalogue
    )
    assert "openai/gpt-4: 8,192 tokens of context, $30.00 per million input tokens" in catalogue
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 20


def test_usage_prints_tokens_and_cost_after_the_answer(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """--usage: the answer on stdout, then one stderr line with the tokens and the cost."""
    usage = {
        "input_tokens": 12,
        "output_tokens": 30,
        "total_tokens": 42,
        "output_tokens_details": {"reasoning_tokens": 8},
        "cost": 0.0015,
    }
    server.add(Turn(Text("The answer."), usage=usage))
    assert main(["--base-url", server.base_url, "--usage", "Hi"]) == 0
    out, err = capsys.readouterr()
    assert out == "The answer.\n"
    assert err == (
        "openresponses: usage: 12 input + 30 output = 42 tokens (8 reasoning), cost $0.0015\n"
    )


def test_usage_without_a_cost_says_only_the_tokens(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """--usage --no-stream with a server that reports no cost: tokens only, never a $0."""
    assert main(["--base-url", server.base_url, "--usage", "--no-stream", "Hi"]) == 0
    out, err = capsys.readouterr()
    assert out == "You said: Hi\n"
    assert err == "openresponses: usage: 1 input + 3 output = 4 tokens\n"


def test_usage_not_reported(server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    """--usage with an answer carrying no usage says so rather than printing zeros."""
    body = {"id": "resp_1", "object": "response", "status": "completed", "output": []}
    server.add(ResponseJSON(body))
    assert main(["--base-url", server.base_url, "--usage", "--no-stream", "Hi"]) == 0
    assert capsys.readouterr().err == "openresponses: usage: not reported by the server\n"


def test_models_lists_ids_context_and_prices(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """``models``: a header, then each model's id, context and prices per million tokens."""
    assert main(["models", "--base-url", server.base_url]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "MODEL                  CONTEXT  PROMPT $/M  COMPLETION $/M",
        "openresponses/local    131,072        free            free",
        "openai/gpt-4             8,192       30.00           60.00",
    ]
    assert err == ""
    request = server.requests[0]
    assert (request.method, request.path) == ("GET", "/v1/models")


def test_models_query_filters_case_insensitively(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """``models QUERY`` keeps the models whose id or name contains it, in any case."""
    assert main(["models", "gpt-4", "--base-url", server.base_url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["MODEL", "openai/gpt-4"]
    assert main(["models", "LOCALSERVER", "--base-url", server.base_url]) == 0  # by name
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["MODEL", "openresponses/local"]


def test_models_with_no_match_exits_1(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A query no model matches: nothing on stdout, one line on stderr, exit 1."""
    assert main(["models", "claude", "--base-url", server.base_url]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "openresponses: no model matches 'claude'\n"


def test_models_json_prints_one_model_per_line(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """``models --json``: each model as it came, one JSON object per line."""
    assert main(["models", "--json", "--base-url", server.base_url]) == 0
    models = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [model["id"] for model in models] == ["openresponses/local", "openai/gpt-4"]
    assert models[1]["pricing"] == {
        "prompt": "0.00003",
        "completion": "0.00006",
        "request": "0",
        "image": "0",
    }


def test_models_prices_that_vary_or_are_missing(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """The auto router's -1 reads "varies", a missing price "-", a tiny one keeps its digits."""
    models = [
        {"id": "openrouter/auto", "context_length": 2000000, "pricing": {"prompt": "-1"}},
        {"id": "acme/cheap", "pricing": {"prompt": "0.0000000015", "completion": "0.0000001"}},
    ]
    server.add(ResponseJSON({"data": models}))
    assert main(["models", "--base-url", server.base_url]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "openrouter/auto  2,000,000      varies               -",
        "acme/cheap               -      0.0015            0.10",
    ]


def test_models_error_is_one_line(server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    """A refused listing: the error on one stderr line, exit 1."""
    server.add(HTTPReply(403, body={"error": {"code": 403, "message": "Forbidden here"}}))
    assert main(["models", "--base-url", server.base_url]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "openresponses: PermissionDeniedError: HTTP 403 Forbidden here "
        "(generation id gen-local-1)\n"
    )


def test_version_help_and_python_m() -> None:
    """``python -m openresponses`` runs the same command: --version, and --help naming the demo."""
    version = run_cli("--version")
    assert version.returncode == 0
    assert version.stdout == f"openresponses {__version__}\n"
    usage = run_cli("--help")
    assert usage.returncode == 0
    assert "openresponses demo" in usage.stdout
    assert "openresponses models" in usage.stdout
    assert "--usage" in usage.stdout
    assert "OPENROUTER_API_KEY" in usage.stdout


def test_importing_the_cli_leaves_the_local_server_out() -> None:
    """The CLI module does not import openresponses.testing (aiohttp.web) until it needs it."""
    code = "import sys, openresponses._cli; print('openresponses.testing' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=clean_env(), timeout=60
    )
    assert result.stdout == "False\n", result.stderr


# -- openresponses batch


def _batch_input(path: Path, count: int, **extra: Any) -> Path:
    rows = [{"custom_id": f"c{i}", "input": f"req {i}", **extra} for i in range(count)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _ids(path: Path) -> list[str]:
    data = path.read_bytes()
    assert data.endswith(b"\n")
    return sorted(json.loads(line)["custom_id"] for line in data.splitlines())


def test_batch_writes_results_and_prints_a_summary(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`batch in -o out -m M`: a result line per request, -m for the lines without a model, a
    summary on stderr, exit 0; run again, everything is skipped."""
    source = _batch_input(tmp_path / "in.jsonl", 3)
    output = tmp_path / "out.jsonl"
    argv = ["batch", str(source), "-o", str(output), "--base-url", server.base_url, "-q"]
    assert main([*argv, "-m", "acme/model"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"openresponses: batch: 3 done, 0 failed, 0 skipped as already in {output}\n"
        "openresponses: usage: 18 tokens, cost not reported\n"
    )
    assert _ids(output) == ["c0", "c1", "c2"]
    assert {request.json["model"] for request in server.requests} == {"acme/model"}

    assert main(argv) == 0
    assert "batch: 0 done, 0 failed, 3 skipped" in capsys.readouterr().err
    assert server.request_count == 3


def test_batch_exits_1_while_a_line_has_failed(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 400 on one line: exit 1, and again on a resume, which says the skipped line failed;
    the cost is summed when the server reports one."""
    usage = {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3, "cost": 0.25}

    def reply(request: Any) -> Any:
        if request.json["input"] == "req 1":
            return HTTPReply(400)
        return Turn(Text("ok"), usage=usage)

    server.default = reply
    source = _batch_input(tmp_path / "in.jsonl", 3, model="m")
    argv = ["batch", str(source), "-o", str(tmp_path / "o.jsonl"), "--base-url", server.base_url]
    assert main([*argv, "-q"]) == 1
    err = capsys.readouterr().err
    assert "batch: 2 done, 1 failed, 0 skipped" in err
    assert "usage: 6 tokens, cost $0.50" in err
    assert main([*argv, "-q"]) == 1
    assert "3 skipped as already in" in (err := capsys.readouterr().err)
    assert "(1 of them failed)" in err
    assert server.request_count == 3


def test_batch_refuses_a_bad_input_with_exit_2(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A duplicate custom_id: one error line naming the line, exit 2, nothing sent."""
    source = tmp_path / "in.jsonl"
    row = json.dumps({"custom_id": "same", "model": "m", "input": "x"})
    source.write_text(f"{row}\n{row}\n", encoding="utf-8")
    argv = ["batch", str(source), "-o", str(tmp_path / "o.jsonl"), "--base-url", server.base_url]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "openresponses: InvalidRequestError: requests: line 2 of in.jsonl: custom_id 'same' is "
        "on an earlier row too\n"
    )
    assert server.request_count == 0


def test_batch_ctrl_c_leaves_a_file_that_resumes(server: LocalServer, tmp_path: Path) -> None:
    """SIGINT mid-batch: exit 130 with a resume hint, whole lines only; the same command then
    finishes the rest, each id once."""
    server.default = lambda request: Turn(Text("ok"), delay=0.05)
    source = _batch_input(tmp_path / "in.jsonl", 60, model="m")
    output = tmp_path / "out.jsonl"
    argv = ["batch", str(source), "-o", str(output), "--base-url", server.base_url]
    process = subprocess.Popen(
        [sys.executable, "-c", _WITH_SIGINT, *argv, "--concurrency", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
    )
    deadline = time.monotonic() + 20
    while not (output.exists() and output.stat().st_size) and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 130, err.decode()
    assert err.decode().endswith(
        f"openresponses: interrupted: {output} keeps every result written; the same command "
        "resumes\n"
    )
    written = _ids(output)
    assert 0 < len(written) < 60

    assert main([*argv, "-q"]) == 0
    assert _ids(output) == sorted(f"c{i}" for i in range(60))
