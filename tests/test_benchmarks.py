"""The benchmark kit (benchmarks/): corpus generator, policy conversion, runner.

Fast (a few seconds): a tiny generated tree, one run of each measurement, tools that are
not installed are skipped by the runner and reported as skipped.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import generate_corpus  # noqa: E402
import policy  # noqa: E402
import run_benchmarks  # noqa: E402

TINY = 3000


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("corpus") / "tree"
    manifest = generate_corpus.generate(root, TINY, seed=7)
    return root, manifest


def _load_config_or_none(path: Path):
    try:
        from flake8_ssot.config import load_config
    except ImportError:
        return None
    return load_config(str(path))


# --------------------------------------------------------------------------- generator


def test_same_seed_same_bytes(tiny: tuple[Path, dict], tmp_path: Path) -> None:
    root, _ = tiny
    again = tmp_path / "again"
    generate_corpus.generate(again, TINY, seed=7)
    assert tree_digest(again) == tree_digest(root)
    other = tmp_path / "other"
    generate_corpus.generate(other, TINY, seed=8)
    assert tree_digest(other) != tree_digest(root)


def test_generate_refuses_to_overwrite_foreign_directories(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        generate_corpus.generate(tmp_path, TINY, seed=1, force=True)
    assert (tmp_path / "precious.txt").exists()


def test_tree_has_every_violation_kind_and_broken_files(tiny: tuple[Path, dict]) -> None:
    root, manifest = tiny
    assert set(manifest["planted_by_kind"]) >= set(generate_corpus.KINDS)
    assert set(manifest["expected_by_code"]) == {"SSOT001", "SSOT002", "SSOT003", "SSOT004", "SSOT005", "SSOT101"}
    assert set(manifest["legit_mentions_by_kind"]) == set(generate_corpus.LEGIT_KINDS)
    assert abs(manifest["lines"] - TINY) < 0.2 * TINY
    broken = {entry["file"] for entry in manifest["broken_files"]}
    assert len(broken) >= 2
    py_files = sorted(p for p in root.rglob("*.py"))
    assert len(py_files) == manifest["files"]
    for path in py_files:
        rel = path.relative_to(root).as_posix()
        source = path.read_text(encoding="utf-8")
        try:
            compile(source, rel, "exec", dont_inherit=True)
            parses = True
        except SyntaxError:
            parses = False
        assert parses == (rel not in broken), rel
    # every planted line is where the manifest says, and shows what it claims
    for hit in manifest["planted"]:
        line = (root / hit["file"]).read_text(encoding="utf-8").splitlines()[hit["line"] - 1]
        if hit["code"] == "SSOT003":
            assert "__all__" in line or line.strip().startswith(("'", '"')), hit
        elif hit["code"] == "SSOT005":
            assert "WebSocketManager" in line or "UserExecutionContext" in line, hit
        elif hit["kind"] == "legacy-wildcard-import":
            assert "netra_backend.app.legacy_" in line, hit
        elif hit["kind"] == "reexport-import":
            assert "WebSocketManager" in line, hit
        elif hit["code"] == "SSOT002":
            assert "Context(" in line, hit
        elif hit["code"] == "SSOT101":
            assert "get_websocket_manager_factory()" in line, hit
        elif hit["kind"] == "legacy-import-relative":
            assert line.lstrip().startswith("from ."), hit
        else:
            assert "websocket_core" in line or "factory" in line, hit


def test_pyproject_follows_the_product_schema(tiny: tuple[Path, dict]) -> None:
    root, _ = tiny
    table = policy.load_ssot_table(root / "pyproject.toml")
    assert {"legacy", "canonical", "factories", "deprecated-exports", "patterns"} <= set(table)
    ws = "netra_backend.app.websocket_core"
    assert table["legacy"][f"{ws}.factory"] == f"{ws}.canonical_imports"
    assert table["legacy"][f"{ws}.websocket_manager_factory.create_websocket_manager"]["use"] == f"{ws}.websocket_manager.get_websocket_manager"
    assert f"{ws}.websocket_manager.WebSocketManager" in table["canonical"]
    assert f"{ws}.websocket_manager_factory" in table["deprecated-exports"]
    config = _load_config_or_none(root / "pyproject.toml")  # validates like `ssot` does
    if config is not None:
        assert not config.is_empty


def test_tree_matches_the_real_monorepos_statistics(tmp_path: Path) -> None:
    """Issue #16: the shares of the real tree (TARGETS), within the noise of a small tree."""
    root = tmp_path / "mid"
    manifest = generate_corpus.generate(root, 200_000, seed=3)
    assert abs(manifest["lines"] - 200_000) < 10_000
    stats = generate_corpus.tree_stats(root)
    assert stats["files"] == manifest["files"]
    targets = generate_corpus.TARGETS
    # a small tree has fewer of the long files (the share of package __init__ files is larger)
    assert abs(stats["mean lines per file"] - targets["mean lines per file"]) < 0.3 * targets["mean lines per file"]
    assert abs(stats["mean bytes per file"] - targets["mean bytes per file"]) < 0.3 * targets["mean bytes per file"]
    p50, p90, p99, longest = stats["lines p50/p90/p99/max"]
    assert p50 < stats["mean lines per file"] < p90 < p99 <= longest  # a long tail
    for key in ("have a finding", "name the factory-only class", "do not parse (Python 3.11)"):
        assert abs(stats[key] - targets[key]) < 0.25 * targets[key], (key, stats[key])
    # the policy's words in code that never touches it: whole-word `factory` and the class
    # named far more often than it is built
    assert stats["`factory` anywhere (names too)"] > stats["`factory` as a whole word"] > 0.05
    assert stats["build it with a call"] < stats["name the factory-only class"] / 3
    if stats["pass the literal prefilter"] is not None:  # flake8-ssot's own prefilter
        assert abs(stats["pass the literal prefilter"] - targets["pass the literal prefilter"]) < 0.05
        assert stats["pass the literal prefilter"] > stats["have a finding"] * 2
        assert 0.1 < stats["broken files passing the prefilter"] < 0.45
    table = generate_corpus.format_stats(stats)
    assert "| have a finding |" in table and "| 9.5% |" in table


def test_stats_command_measures_an_existing_tree(tiny: tuple[Path, dict], capsys: pytest.CaptureFixture[str]) -> None:
    root, manifest = tiny
    before = tree_digest(root)
    assert generate_corpus.main([str(root), "--stats"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| measure | generated | target (real tree) |")
    assert f"| files | {manifest['files']:,} |  |" in out
    assert tree_digest(root) == before  # measured, not regenerated


# --------------------------------------------------------------------------- policies


def test_policy_conversions(tiny: tuple[Path, dict]) -> None:
    root, _ = tiny
    table = policy.load_ssot_table(root / "pyproject.toml")
    modules = run_benchmarks.module_names(run_benchmarks.python_files(root, ["."]))
    banned, notes = policy.ruff_banned_api(table, modules)
    plain = [key for key in table["legacy"] if "*" not in key]
    assert set(plain) <= set(banned)
    assert {"netra_backend.app.legacy_events", "netra_backend.app.legacy_metrics"} <= set(banned)
    assert notes and "wildcard" in notes[0]
    ruff = tomllib.loads(policy.ruff_pyproject(banned))
    api = ruff["tool"]["ruff"]["lint"]["flake8-tidy-imports"]["banned-api"]
    assert api["netra_backend.app.websocket_core.factory"]["msg"] == "use 'netra_backend.app.websocket_core.canonical_imports'"
    lines, _ = policy.flake8_banned_modules(table)
    assert len(lines.splitlines()) == len(table["legacy"])
    assert "netra_backend.app.legacy_* = use 'netra_backend.app.core'" in lines.splitlines()
    cfg = policy.flake8_config(lines, {"select": "I251"})
    assert cfg.splitlines()[1] == "[flake8]" and "    netra_backend.app.websocket_core.factory = " in cfg


def test_stdlib_policy_is_valid(tmp_path: Path) -> None:
    text = policy.ssot_pyproject(policy.stdlib_policy("stdlib"), header="test")
    table = tomllib.loads(text)["tool"]["ssot"]
    assert table["legacy"]["imp"]["use"] == "importlib"
    assert table["legacy"]["typing.List"]["use"] == "builtins.list"
    for name in ("asyncore", "asynchat", "distutils", "optparse", "cgi", "smtpd", "typing.Dict"):
        assert name in table["legacy"]
    (tmp_path / "pyproject.toml").write_text(text)
    _load_config_or_none(tmp_path / "pyproject.toml")  # raises ConfigError if it breaks the schema


# --------------------------------------------------------------------------- runner


def test_runner_on_a_tiny_tree(tiny: tuple[Path, dict], tmp_path: Path, monkeypatch) -> None:
    root, manifest = tiny
    before = tree_digest(root)
    monkeypatch.setattr(run_benchmarks, "SETTLE_S", 0.0)  # the pause after an edit: 2.5 s per tool otherwise
    out = tmp_path / "out"
    code = run_benchmarks.main(["--tree", str(root), "--repeat", "1", "--out", str(out), "-q", "--sample-lines", "1000"])
    assert code == 0
    assert tree_digest(root) == before, "the runner must restore the file it edits"
    label = f"tree-{root.name}"
    report = json.loads((out / f"results-{label}.json").read_text())
    md = (out / f"results-{label}.md").read_text()
    assert "| ratio | value | target | met |" in md
    assert report["tree"]["files"] == manifest["files"]
    assert report["findings"]["planted_by_code"] == manifest["expected_by_code"]
    tools, runs, skipped = report["tools"], report["runs"], report["skipped"]
    for name, tool in tools.items():
        if not tool["available"]:
            assert tool["reason"]
    expectations = {
        "ruff": ["ruff_cold", "ruff_warm", "ruff_one_file_changed", "ruff_one_file_changed_settled"],
        "flake8-tidy-imports": ["flake8_tidy_sample", "flake8_tidy_whole_tree_estimate"],
        "flake8-plugin": ["flake8_default_without_plugin", "flake8_default_with_control_plugin",
                          "flake8_default_with_plugin", "flake8_plugin_only"],
    }
    for tool, names in expectations.items():
        needs_flake8 = tool != "ruff"
        if tools[tool]["available"] and (tools["flake8"]["available"] or not needs_flake8):
            for name in names:
                assert name in runs and "error" not in runs[name], (name, runs.get(name))
        else:
            assert skipped
    if tools["flake8-plugin"]["available"] and tools["flake8"]["available"]:  # the control reports nothing
        assert runs["flake8_default_with_control_plugin"]["findings"] == runs["flake8_default_without_plugin"]["findings"]
    if tools["ruff"]["available"]:
        assert runs["ruff_cold"]["findings"].get("TID251", 0) > 0
        assert runs["ruff_cold"]["peak_rss_mb"] > 0
    if tools["flake8-tidy-imports"]["available"] and tools["flake8"]["available"]:
        sample = runs["flake8_tidy_sample"]["sample"]
        assert 1000 <= sample["lines"] < manifest["lines"] and not sample["whole_tree"]
        assert runs["flake8_tidy_whole_tree_estimate"]["scale_factor"] > 1
        assert runs["flake8_tidy_sample"]["findings"].get("I251", 0) >= 0
    if not tools["ssot"]["available"]:
        assert "ssot" in skipped
        pytest.skip(f"ssot is not available yet: {tools['ssot']['reason']}")
    names = ["ssot_cold", "ssot_warm", "ssot_one_file_changed", "ssot_one_file_changed_settled"]
    if tools["flake8-tidy-imports"]["available"] and tools["flake8"]["available"]:
        names.append("ssot_cold_sample")  # ssot on flake8's sample, only when flake8 ran on it
    for name in names:
        assert name in runs and "error" not in runs[name], (name, runs.get(name))
    assert runs["ssot_cold"]["findings"].get("SSOT001", 0) > 0
    assert runs["ssot_warm"]["findings"] == runs["ssot_cold"]["findings"]
    assert any(r["ratio"] == "ssot cold / ruff cold" for r in report["ratios"])


def test_phases_profile_on_a_tiny_tree(tiny: tuple[Path, dict]) -> None:
    root, manifest = tiny
    before = tree_digest(root)
    try:
        phases = run_benchmarks.profile_phases(root)
    except ImportError as error:  # the engine's pieces moved: --phases says so too
        pytest.skip(f"flake8-ssot's engine pieces: {error}")
    assert tree_digest(root) == before
    assert phases["files"] == manifest["files"]
    assert set(phases["phases_cpu_s"]) == {"read", "module names", "prefilter", "decode", "ast.parse", "facts walk", "recovery", "rules"}
    candidates = phases["candidates"]
    assert candidates["parse"] + candidates["broken"] == candidates["files"] <= manifest["files"]
    stricter = phases["estimate_stricter_prefilter"]
    assert stricter["files"] <= candidates["files"]
    # the sketch of a stricter prefilter must keep every file the engine finds something in
    assert stricter["misses_files_with_a_finding"] == []
    assert phases["estimate_parse_only_pieces"]["mb"] <= phases["estimate_parse_only_pieces"]["of_mb"]


def test_runner_reports_missing_tools(tiny: tuple[Path, dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, _ = tiny
    missing = {
        name: {"available": False, "reason": f"{name} is not installed"}
        for name in ("ssot", "ruff", "flake8", "flake8-tidy-imports", "flake8-plugin")
    }
    monkeypatch.setattr(run_benchmarks, "find_tools", lambda ssot: missing)
    out = tmp_path / "out"
    assert run_benchmarks.main(["--tree", str(root), "--repeat", "1", "--out", str(out), "-q"]) == 0
    report = json.loads((out / f"results-tree-{root.name}.json").read_text())
    assert report["runs"] == {}
    assert {"ssot", "ruff", "flake8 + flake8-tidy-imports", "flake8 plugin overhead"} <= set(report["skipped"])
    md = (out / f"results-tree-{root.name}.md").read_text()
    assert "Skipped:" in md and "ruff is not installed" in md
    assert all(r["met"] is None for r in report["ratios"])


def test_bogus_ssot_command_is_skipped_with_its_error(tiny: tuple[Path, dict], tmp_path: Path) -> None:
    root, _ = tiny
    out = tmp_path / "out"
    run_benchmarks.main(["--tree", str(root), "--out", str(out), "-q", "--only", "ssot", "--ssot", f"{sys.executable} -c 'raise SystemExit(3)'"])
    report = json.loads((out / f"results-tree-{root.name}.json").read_text())
    assert not report["tools"]["ssot"]["available"]
    assert "check --help" in report["skipped"]["ssot"]
