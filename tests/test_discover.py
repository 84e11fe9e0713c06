"""`ssot discover`: policy entries from what the tree says, over a seed-shaped fixture project
(tests/fixtures_discover/project): the entries proposed with their evidence, what is only a
candidate or only reported, the conflict with the policy, `--write` keeping the rest of a
hand-formatted pyproject.toml byte for byte, and the round trip through `ssot check`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flake8_ssot.cli import main
from flake8_ssot.discover.evidence import canonical_in
from flake8_ssot.discover.write import merged

FIXTURE = Path(__file__).parent / "fixtures_discover" / "project"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("discover") / "project"
    shutil.copytree(FIXTURE, root)
    return root


def run(root: Path, *args: str, monkeypatch, capsys) -> tuple[int, str, str]:
    monkeypatch.chdir(root)
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def found(project) -> dict:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        from flake8_ssot.config import config_for
        from flake8_ssot.discover.output import render_json
        from flake8_ssot.discover.proposals import discover_policy

        discovered = discover_policy([], config_for(str(project)))
        report = json.loads(render_json(discovered, str(project)))
    return {(item["status"], item["section"], item["key"]): item for item in report["proposals"]}


@pytest.mark.parametrize(("message", "expected"), [
    ("Importing from 'pkg.ws.manager' is deprecated. Use 'from pkg.ws.canonical_import_patterns import WebSocketManager' "
     + "instead.", ("pkg.ws.canonical_import_patterns.WebSocketManager", True)),
    ("get_manager is deprecated; use pkg.ws.manager.get_websocket_manager", ("pkg.ws.manager.get_websocket_manager", False)),
    ("pkg.ws.factory moved to pkg.ws.canonical_imports.", ("pkg.ws.canonical_imports", False)),
    ("Deprecated; use `pkg.a.B` instead", ("pkg.a.B", False)),
    ("lib2to3 package is deprecated", (None, False)),
])
def test_the_replacement_is_read_from_the_message_forms_real_code_uses(message, expected):
    assert canonical_in(message) == expected


def test_proposals_with_their_evidence(found):
    proposed = {key: item["value"] for (status, section, key), item in found.items() if status == "proposed"}
    assert proposed == {
        # an import-time warning naming `from a.b import C`: the module a.b replaces the module
        "netra.ws.manager": "netra.ws.websocket_manager",
        # a warning in a function: `use a.b.C`
        "netra.ws.get_manager": "netra.ws.websocket_manager.get_websocket_manager",  # in a module __getattr__
        "netra.ws.manager_factory.create_websocket_manager": "netra.ws.canonical_imports.create_websocket_manager",
        # a typing_extensions.deprecated decorator (make_context is already in the policy)
        "netra.ctx.typed.build_context": "netra.ctx.user_context.create_defensive_user_execution_context",
        # a pure shim with aliases
        "netra.ws.compat": "netra.ws.websocket_manager",
        # a class whose docstring warns against direct construction, with its factory
        "netra.ctx.user_context.UserExecutionContext": {
            "use": "netra.ctx.user_context.create_defensive_user_execution_context"},
        # an `__all__` comment, and a name both exported and deprecated by a warning
        "netra.ws.manager_factory": ["WebSocketManagerFactory", "create_websocket_manager"],
    }
    manager = found[("proposed", "legacy", "netra.ws.manager")]
    assert manager["confidence"] == "high"
    assert manager["evidence"] == [{
        "file": "netra/ws/manager.py", "line": 7, "what": "warns at import time",
        "text": "Importing from 'netra.ws.manager' is deprecated. "
                "Use 'from netra.ws.websocket_manager import WebSocketManager' instead.",
    }, {
        "file": "netra/ws/manager.py", "line": 1, "what": "re-exports WebSocketManager only",
        "text": "Legacy location of the WebSocket manager.",
    }]
    exports = found[("proposed", "deprecated-exports", "netra.ws.manager_factory")]
    assert exports["evidence"][0]["text"] == "# DEPRECATED: Use get_websocket_manager from SSOT"


def test_what_is_only_a_candidate_a_conflict_or_reported(found):
    others = {(status, section, key): item["note"] for (status, section, key), item in found.items()
              if status != "proposed"}
    assert others == {
        ("conflict", "legacy", "netra.ws.factory"):
            "tool.ssot.legacy.\"netra.ws.factory\" says use 'netra.ws.websocket_manager'",
        ("candidate", "canonical", "netra.health.status.HealthStatus"):
            "also defined in netra.monitoring.health (0 importers, the same fields and methods)",
        ("candidate", "canonical", "netra.ws.canonical_imports.create_websocket_manager"):
            "also defined in netra.ws.manager_factory (1 importers, the same parameters)",
        ("candidate", "factories", "netra.ws.websocket_manager.WebSocketManager"):
            "every construction outside its module goes through the factory",
        ("skipped", "legacy", "netra.ws.bridge"): "re-exports another module's names but is not a pure shim",
        ("skipped", "legacy", "netra.ws.old_events.route"):
            "names 'netra.ws.events_v2.EventRouter', which the index cannot find in the tree",
    }


def test_a_deprecated_argument_and_test_files_propose_nothing(found):
    keys = {key for _, _, key in found}
    assert "netra.ws.manager_factory.connect" not in keys  # "The 'loop' argument is deprecated"
    assert not any("nowhere" in json.dumps(item) for item in found.values())  # tests/ is left out


def test_the_snippet_cites_its_evidence_and_comments_out_the_rest(project, monkeypatch, capsys):
    code, out, _ = run(project, "discover", monkeypatch=monkeypatch, capsys=capsys)
    assert code == 0
    assert ("[tool.ssot.legacy]\n"
            "# high confidence:\n"
            "#   netra/ctx/typed.py:12: is decorated @deprecated: \"@deprecated('build_context is deprecated; "
            "use netra.ctx.user_context.create_defensive_user_execution_context')\"\n"
            "\"netra.ctx.typed.build_context\" = \"netra.ctx.user_context.create_defensive_user_execution_context\"\n"
            ) in out
    assert "# [tool.ssot.canonical] \"netra.health.status.HealthStatus\" = {}\n" in out
    assert "\n\"netra.health.status.HealthStatus\"" not in out
    _, markdown, _ = run(project, "discover", "--output-format", "markdown", monkeypatch=monkeypatch, capsys=capsys)
    assert markdown.startswith("# Policy proposals (ssot discover)\n")
    assert "| `[tool.ssot.legacy]` `\"netra.ws.compat\" = \"netra.ws.websocket_manager\"` | high |" in markdown


def test_show_policy_hints(project, monkeypatch, capsys):
    _, out, _ = run(project, "check", "--show-policy", monkeypatch=monkeypatch, capsys=capsys)
    assert ("hint: netra/ws/manager.py:7: the code deprecates 'netra.ws.manager' (use 'netra.ws.websocket_manager'): "
            "not in [tool.ssot.legacy] (ssot discover --write adds it)\n") in out
    assert ("hint: netra/ws/factory.py:6: the code deprecates 'netra.ws.factory', but "
            "tool.ssot.legacy.\"netra.ws.factory\" says use 'netra.ws.websocket_manager'\n") in out
    assert "HealthStatus" not in out  # candidates are not hints


def test_write_keeps_the_file_and_the_round_trip(tmp_path, monkeypatch, capsys):
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    before = (root / "pyproject.toml").read_text()
    code, out, err = run(root, "check", "--no-cache", "--output-format", "json", monkeypatch=monkeypatch, capsys=capsys)
    assert json.loads(out) == []  # the policy knows none of the legacy paths handlers.py uses

    code, out, err = run(root, "discover", "--write", monkeypatch=monkeypatch, capsys=capsys)
    assert (code, out, err) == (0, "", "Added 7 entries to pyproject.toml.\n")
    after = (root / "pyproject.toml").read_text()
    # every byte of the hand-formatted file is still there, in order: only lines were added
    kept = iter(after.splitlines(keepends=True))
    assert all(line in kept for line in before.splitlines(keepends=True))
    assert "\n\n[tool.other]\nkeep = 'single quotes stay'\n\n[tool.ssot.factories]\n# medium confidence" in after
    assert ('"netra.ctx.typed.make_context" = { use = "netra.ctx.user_context.create_defensive_user_execution_context", '
            'fix = "unsafe" }\n# high confidence (ssot discover):\n') in after

    code, out, _ = run(root, "check", "--no-cache", "--output-format", "json", monkeypatch=monkeypatch, capsys=capsys)
    reported = {(Path(d["filename"]).relative_to(root).as_posix(), d["code"], d["location"]["row"]) for d in json.loads(out)}
    assert {("netra/app/handlers.py", "SSOT001", row) for row in (2, 3, 4, 5, 7)} <= reported
    assert ("netra/ws/manager_factory.py", "SSOT003", 9) in reported  # the export said deprecated

    code, out, _ = run(root, "discover", "--output-format", "json", monkeypatch=monkeypatch, capsys=capsys)
    assert [item for item in json.loads(out)["proposals"] if item["status"] == "proposed"] == []
    written = (root / "pyproject.toml").read_bytes()
    run(root, "discover", "--write", monkeypatch=monkeypatch, capsys=capsys)
    assert (root / "pyproject.toml").read_bytes() == written  # nothing new: the file is not touched


def test_write_creates_the_tables_a_file_lacks():
    from flake8_ssot.discover.evidence import Quote
    from flake8_ssot.discover.proposals import Proposal

    text = "[project]\nname = 'x'  # mine\n"
    proposal = Proposal("legacy", "pkg.old", "pkg.new", "high", [(Quote("/r/pkg/old.py", 3, "moved to pkg.new"), "warns")])
    result = merged(text, [proposal], "/r")
    assert result.startswith(text)
    assert result[len(text):] == (
        '\n[tool.ssot.legacy]\n# high confidence (ssot discover):\n'
        '#   pkg/old.py:3: warns: "moved to pkg.new"\n"pkg.old" = "pkg.new"\n'
    )


def test_write_keeps_windows_line_endings_and_starts_a_new_file_cleanly():
    from flake8_ssot.discover.evidence import Quote
    from flake8_ssot.discover.proposals import Proposal

    proposal = Proposal("legacy", "pkg.old", "pkg.new", "high", [(Quote("/r/pkg/old.py", 3, "moved to pkg.new"), "warns")])
    windows = merged('[project]\r\nname = "x"\r\n', [proposal], "/r")
    assert windows == ('[project]\r\nname = "x"\r\n\r\n[tool.ssot.legacy]\r\n# high confidence (ssot discover):\r\n'
                       '#   pkg/old.py:3: warns: "moved to pkg.new"\r\n"pkg.old" = "pkg.new"\r\n')
    assert merged("", [proposal], "/r").startswith("[tool.ssot.legacy]\n")


def test_the_standard_library_says_what_it_deprecates():
    """A smoke test on real code: the standard library's own deprecation warnings."""
    import sysconfig

    from flake8_ssot.config import default_config
    from flake8_ssot.discover.proposals import discover_policy

    stdlib = sysconfig.get_paths()["stdlib"]
    discovered = discover_policy([f"{stdlib}/threading.py", f"{stdlib}/urllib/parse.py"], default_config(stdlib))
    proposed = {(p.section, p.key): p.use for p in discovered.proposals if p.status == "proposed"}
    assert proposed[("legacy", "threading.currentThread")] == "threading.current_thread"
    assert proposed[("legacy", "urllib.parse.splittype")] == "urllib.parse.urlparse"


def test_config_from_outside_the_tree_resolves_src_from_the_current_directory(project, tmp_path, monkeypatch, capsys):
    """As `ssot check --config FILE`: a shared policy file elsewhere, its `src = ["."]` read from
    where the command runs, so the tree's modules are found and proposed as from inside it."""
    shared = tmp_path / "shared-policy.toml"
    shutil.copy(project / "pyproject.toml", shared)
    code, out, _ = run(project, "discover", "--config", str(shared), "--output-format", "json",
                       monkeypatch=monkeypatch, capsys=capsys)
    assert code == 0
    keys = {(item["status"], item["section"], item["key"]) for item in json.loads(out)["proposals"]}
    inside = run(project, "discover", "--output-format", "json", monkeypatch=monkeypatch, capsys=capsys)[1]
    assert keys == {(item["status"], item["section"], item["key"]) for item in json.loads(inside)["proposals"]}
    assert ("proposed", "legacy", "netra.ctx.typed.build_context") in keys
