"""SARIF's `%SRCROOT%` is the project root (the directory of the pyproject.toml the run's
configuration came from), not the working directory: a run from a subdirectory gives code
scanning the same artifact URIs and fingerprints as a run from the root."""

from __future__ import annotations

import json
from pathlib import Path

from projects import NETRA_POLICY, ssot, write

from flake8_ssot.checking.runner import FileResult
from flake8_ssot.config import load_config
from flake8_ssot.diagnostic import Diagnostic
from flake8_ssot.reporters import Report, render
from flake8_ssot.span import Span

AGENTS = "src/netra_backend/app/agents"


def _sarif(cwd: Path, *paths: str) -> dict:
    result = ssot("check", "--output-format", "sarif", "--no-cache", *paths, cwd=cwd)
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)["runs"][0]


def _locations(run: dict) -> list[tuple]:
    return [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
             r["partialFingerprints"]["ssotStatement/v1"]) for r in run["results"]]


def test_a_run_from_a_subdirectory_names_files_as_a_run_from_the_root(tmp_path):
    root = write(tmp_path / "netra-apex", {
        "pyproject.toml": NETRA_POLICY,
        f"{AGENTS}/supervisor_agent.py": """\
            from netra_backend.app.websocket_core.factory import WebSocketFactory

            def build(user_id: str) -> WebSocketFactory:
                return WebSocketFactory(user_id)
            """,
    })
    from_root = _sarif(root, AGENTS)
    from_agents = _sarif(root / AGENTS, ".")
    assert from_root["originalUriBaseIds"] == from_agents["originalUriBaseIds"] == {
        "%SRCROOT%": {"uri": root.resolve().as_uri() + "/"}}
    assert _locations(from_root) == _locations(from_agents)
    assert _locations(from_root)[0][:2] == (f"{AGENTS}/supervisor_agent.py", "%SRCROOT%")


def test_projects_of_one_run_share_the_directory_holding_them(tmp_path):
    write(tmp_path, {"backend/pyproject.toml": NETRA_POLICY, "frontend_api/pyproject.toml": NETRA_POLICY})
    configs = [load_config(str(tmp_path / name / "pyproject.toml")) for name in ("backend", "frontend_api")]
    diagnostic = Diagnostic("SSOT001", "legacy import", Span(1, 0, 1, 4), subject="x")
    results = [FileResult(str(tmp_path / name / "src" / "app.py"), (diagnostic,)) for name in ("backend", "frontend_api")]
    run = json.loads(render("sarif", Report(results, str(tmp_path / "backend"), configs=configs)))["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    assert [uri for uri, _, _ in _locations(run)] == ["backend/src/app.py", "frontend_api/src/app.py"]


def test_with_config_the_root_is_the_working_directory_as_for_the_policy_paths(tmp_path):
    """A policy kept in a subfolder of the repository: run from the repository root with
    `--config`, the URIs are the repository's, which is what code scanning resolves."""
    write(tmp_path, {"backend/pyproject.toml": NETRA_POLICY.replace('src = ["src"]', 'src = ["backend/src"]'),
                     "backend/src/app.py": "from netra_backend.app.websocket_core.factory import WebSocketFactory\n"})
    run = _sarif(tmp_path, "--config", "backend/pyproject.toml", "backend")
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    assert [uri for uri, _, _ in _locations(run)] == ["backend/src/app.py"]
