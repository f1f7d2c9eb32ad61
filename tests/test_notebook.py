"""``examples/notebook.ipynb`` runs in a real Jupyter kernel against the local server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from openresponses.testing import HTTPReply, LocalServer, RecordedRequest, Reply, echo_reply

NOTEBOOK = Path(__file__).parent.parent / "examples" / "notebook.ipynb"
MISSING_MODEL = "openresponses/no-such-model"


def _reply(request: RecordedRequest) -> Reply:
    """Echo, except for the model the notebook's error cell asks for."""
    if request.json.get("model") == MISSING_MODEL:
        return HTTPReply(404, body={"error": {"code": 404, "message": "No such model"}})
    return echo_reply(request)


@pytest.fixture
def notebook_server(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> LocalServer:
    """The shared local server answering as ``_reply``, its URL in the kernel's environment."""
    server.default = _reply
    monkeypatch.setenv("OPENRESPONSES_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENRESPONSES_MODEL", "openresponses/local")
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.delenv("OPENRESPONSES_API_KEY", raising=False)
    return server


def _stdout(cell: Any) -> str:
    assert all(output["output_type"] != "error" for output in cell.outputs), cell.outputs
    return "".join(o["text"] for o in cell.outputs if o.get("name") == "stdout")


def test_notebook_runs_in_a_kernel(notebook_server: LocalServer, tmp_path: Path) -> None:
    """Every cell runs in a real kernel (inside its event loop): create, stream, error, close."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]
    NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=60,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    outputs = [_stdout(cell) for cell in notebook.cells if cell.cell_type == "code"]
    setup, loop, create, stream, error, close = outputs
    assert setup == f"base URL: {notebook_server.base_url}\n"
    assert loop == "this cell runs inside an event loop\n"
    assert create == "status: completed\nYou said: Say hello in five words.\n"
    assert stream == "You said: Count from one to five.\nstatus: completed\n"
    assert error == "NotFoundError (HTTP 404): No such model\n"
    assert close == "closed: True\n"
    assert [request.stream for request in notebook_server.requests] == [False, True, False]
    assert notebook_server.requests[0].json["model"] == "openresponses/local"
