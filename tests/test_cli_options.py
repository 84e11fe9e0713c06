"""Issue #17: the options of `ssot check` that ruff has (SARIF fingerprints, --show-files,
--show-settings, --add-noqa, --config KEY = VALUE, --verbose, --watch)."""

from __future__ import annotations

import json
from pathlib import Path

import projects
from projects import write
from sarif_schema import assert_valid_sarif

POLICY = '[tool.ssot]\n[tool.ssot.legacy]\n"old.mod" = "new.mod"\n'


def ssot(*args: str, cwd: Path, stdin: str | None = None):
    return projects.ssot(*args, cwd=cwd, stdin=stdin)


# --------------------------------------------------------------------------- SARIF fingerprints


def fingerprints(tmp_path: Path, source: str) -> list[str]:
    write(tmp_path, {"pyproject.toml": POLICY, "app.py": source})
    result = ssot("check", "--no-cache", "--output-format", "sarif", cwd=tmp_path)
    document = json.loads(result.stdout)
    assert_valid_sarif(document)
    return [r["partialFingerprints"]["ssotStatement/v1"] for r in document["runs"][0]["results"]]


def test_sarif_fingerprint_survives_moving_code_and_follows_the_statement(tmp_path):
    before = fingerprints(tmp_path, "import old.mod\n")
    assert len(before) == 1
    moved = fingerprints(tmp_path, "\n\n# a comment\nimport os\n\n\nimport  old.mod  # reformatted\n")
    assert moved == before
    parenthesised = fingerprints(tmp_path, "from old.mod import (\n    a,\n    b,\n)\n")
    assert fingerprints(tmp_path, "\nfrom old.mod import a, b\n") == parenthesised  # as a formatter joins it
    changed = fingerprints(tmp_path, "import old.mod as other\n")
    assert len(changed) == 1 and changed != before


def test_sarif_fingerprint_is_the_baseline_key(tmp_path):
    """Two equal violations in one file differ by their occurrence, as baseline entries do."""
    prints = fingerprints(tmp_path, "import old.mod\nimport old.mod\n")
    assert len(set(prints)) == 2


# --------------------------------------------------------------------------- --show-files, --show-settings


def test_show_files_lists_the_files_a_check_would_read_sorted_and_exits_0(tmp_path):
    policy = POLICY.replace("[tool.ssot]\n", '[tool.ssot]\nexclude = ["skipped/*"]\n')
    write(tmp_path, {"pyproject.toml": policy, "b.py": "import old.mod\n", "a/z.py": "", "skipped/s.py": "",
                     "notes.txt": ""})
    result = ssot("check", "--show-files", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{tmp_path / 'a' / 'z.py'}\n{tmp_path / 'b.py'}\n"
    assert not (tmp_path / ".ssot_cache").exists()  # nothing was checked


def test_show_settings_says_where_each_value_came_from(tmp_path):
    write(tmp_path, {"pyproject.toml": POLICY.replace("[tool.ssot]\n", '[tool.ssot]\nignore = ["SSOT003"]\n'),
                     "app.py": "import old.mod\n"})
    result = ssot("check", "--show-settings", "--extend-select", "SSOT002", "app.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == ["Settings for: app.py", "Configuration file: pyproject.toml"]
    assert 'legacy = { "old.mod" = "new.mod" }  # pyproject.toml' in lines
    assert 'ignore = ["SSOT003"]  # pyproject.toml' in lines
    assert 'select = ["SSOT"]  # default' in lines
    assert 'extend-select = ["SSOT002"]  # default + command line' in lines
    assert "# baseline (not set)  # default" in lines
    selected = ssot("check", "--show-settings", "--select", "SSOT001", cwd=tmp_path).stdout.splitlines()
    assert 'select = ["SSOT001"]  # command line' in selected
    assert "ignore = []  # command line" in selected  # as ruff, --select replaces the configured ignore


# --------------------------------------------------------------------------- --add-noqa


def test_add_noqa_silences_every_violation_keeping_existing_codes(tmp_path):
    source = "import old.mod  # noqa: E501\r\nimport os\r\nx = old.mod.f()\r\nimport old.mod, old.mod\r\n"
    write(tmp_path, {"pyproject.toml": POLICY})
    (tmp_path / "app.py").write_bytes(source.encode())
    result = ssot("check", "--add-noqa", "--no-cache", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "Added 3 noqa directives." in result.stderr
    assert (tmp_path / "app.py").read_bytes().decode() == (
        "import old.mod  # noqa: E501, SSOT001\r\nimport os\r\nx = old.mod.f()  # noqa: SSOT004\r\n"
        "import old.mod, old.mod  # noqa: SSOT001\r\n"
    )
    assert ssot("check", "--no-cache", cwd=tmp_path).returncode == 0
    again = ssot("check", "--add-noqa", "--no-cache", cwd=tmp_path)
    assert again.returncode == 0 and "Added" not in again.stderr


def test_add_noqa_refuses_fix_and_standard_input(tmp_path):
    write(tmp_path, {"pyproject.toml": POLICY, "app.py": "import old.mod\n"})
    assert ssot("check", "--add-noqa", "--fix", cwd=tmp_path).returncode == 2
    assert ssot("check", "--add-noqa", "-", cwd=tmp_path, stdin="import old.mod\n").returncode == 2
    assert (tmp_path / "app.py").read_text() == "import old.mod\n"


# --------------------------------------------------------------------------- --config 'KEY = VALUE'


def test_config_key_value_overrides_the_tool_ssot_setting(tmp_path):
    write(tmp_path, {"pyproject.toml": POLICY, "app.py": "import old.mod\nx = old.mod.f()\n"})
    both = ssot("check", "--no-cache", "--output-format", "concise", "-q", cwd=tmp_path)
    assert "SSOT001" in both.stdout and "SSOT004" in both.stdout
    only = ssot("check", "--no-cache", "--output-format", "concise", "-q",
                "--config", 'select = ["SSOT004"]', cwd=tmp_path)
    assert only.returncode == 1, only.stderr
    assert "SSOT004" in only.stdout and "SSOT001" not in only.stdout
    with_file = ssot("check", "--no-cache", "--output-format", "concise", "-q", "--config", "pyproject.toml",
                     "--config", 'ignore = ["SSOT004"]', cwd=tmp_path)
    assert "SSOT001" in with_file.stdout and "SSOT004" not in with_file.stdout
    shown = ssot("check", "--show-settings", "--config", 'select = ["SSOT004"]', cwd=tmp_path).stdout
    assert 'select = ["SSOT004"]  # command line' in shown.splitlines()


def test_config_value_that_is_neither_a_file_nor_a_setting_is_a_usage_error(tmp_path):
    write(tmp_path, {"pyproject.toml": POLICY, "app.py": "import old.mod\n"})
    result = ssot("check", "--no-cache", "--config", "nonsense", cwd=tmp_path)
    assert result.returncode == 2
    assert "invalid value 'nonsense' for --config" in result.stderr
    assert "KEY = VALUE" in result.stderr
    typo = ssot("check", "--no-cache", "--config", 'selct = ["SSOT001"]', cwd=tmp_path)
    assert typo.returncode == 2 and "did you mean 'select'?" in typo.stderr
    wrong = ssot("check", "--no-cache", "--config", 'select = "SSOT001"', cwd=tmp_path)
    assert wrong.returncode == 2
    assert "--config: tool.ssot.select: must be a list of strings" in wrong.stderr


# --------------------------------------------------------------------------- -v/--verbose


def test_verbose_names_the_configuration_counts_files_and_cache_hits_on_standard_error(tmp_path):
    write(tmp_path, {"pyproject.toml": POLICY, "app.py": "import old.mod\n", "b.py": "import os\n"})
    first = ssot("check", "-v", "--output-format", "json", cwd=tmp_path)
    json.loads(first.stdout)  # the report stays parseable
    lines = first.stderr.splitlines()
    assert "Configuration: pyproject.toml" in lines
    assert any(line.startswith("Checked 2 files (0 from the cache) in ") and line.endswith("s") for line in lines)
    second = ssot("check", "--verbose", cwd=tmp_path)
    assert any(line.startswith("Checked 2 files (2 from the cache)") for line in second.stderr.splitlines())
    assert "Checked" not in ssot("check", cwd=tmp_path).stderr


# --------------------------------------------------------------------------- colour


ANSI = __import__("re").compile(r"\x1b\[[0-9;]*m")


def test_colour_follows_color_no_color_and_force_color_and_changes_nothing_else(tmp_path, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    write(tmp_path, {"pyproject.toml": POLICY, "app.py": "import old.mod\n"})
    for output_format in ("full", "concise"):
        plain = ssot("check", "--no-cache", "--output-format", output_format, cwd=tmp_path).stdout
        assert "\x1b[" not in plain  # piped: no colour
        assert ssot("check", "--no-cache", "--output-format", output_format, "--color", "never",
                    cwd=tmp_path).stdout == plain
        always = ssot("check", "--no-cache", "--output-format", output_format, "--color", "always", cwd=tmp_path)
        assert "\x1b[1mapp.py\x1b[0m" in always.stdout and "\x1b[1;31mSSOT001\x1b[0m" in always.stdout
        assert ANSI.sub("", always.stdout) == plain
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in ssot("check", "--no-cache", cwd=tmp_path).stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in ssot("check", "--no-cache", cwd=tmp_path).stdout
    assert "\x1b[" in ssot("check", "--no-cache", "--color", "always", cwd=tmp_path).stdout
    json_output = ssot("check", "--no-cache", "--output-format", "json", "--color", "always", cwd=tmp_path).stdout
    assert "\x1b[" not in json_output


def run_in_process(capsys, monkeypatch, cwd: Path, *args: str) -> tuple[int, str, str]:
    """`ssot ARGS` in this process (no interpreter start-up): (exit code, stdout, stderr)."""
    from flake8_ssot.cli import main

    monkeypatch.chdir(cwd)
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_config_key_value_baseline_is_the_baseline_of_the_run(tmp_path, capsys, monkeypatch):
    """`--config 'baseline = "FILE"'` reads FILE as `baseline` in [tool.ssot] would (it was ignored)."""
    write(tmp_path, {"pyproject.toml": POLICY, "app.py": "import old.mod\n"})
    code, _, _ = run_in_process(capsys, monkeypatch, tmp_path, "check", "--no-cache", "--write-baseline", "b.json")
    assert code == 0 and (tmp_path / "b.json").is_file()
    code, out, err = run_in_process(capsys, monkeypatch, tmp_path, "check", "--no-cache",
                                    "--config", 'baseline = "b.json"')
    assert code == 0, out + err
    assert out.splitlines()[-1] == "1 baselined violation not shown (b.json)."
    code, out, _ = run_in_process(capsys, monkeypatch, tmp_path, "check", "--no-cache")
    assert code == 1 and "SSOT001" in out  # without it, the violation is new


# --------------------------------------------------------------------------- --watch


def test_watch_checks_again_when_a_file_changes_and_ctrl_c_exits_0(tmp_path):
    """A real `ssot check --watch`: its first report, an edit, the second report, then SIGINT."""
    import os
    import queue
    import signal
    import subprocess
    import sys
    import threading

    write(tmp_path, {"pyproject.toml": POLICY, "netra_backend/app/handlers.py": "import old.mod\n",
                     ".ssot_cache/x.py": ""})
    process = subprocess.Popen(
        [sys.executable, "-m", "flake8_ssot", "check", "-qw", "--output-format", "concise"], cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUTF8": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # a shell's background job ignores it
    )
    news: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [news.put(line) for line in process.stderr], daemon=True).start()

    def next_watching() -> list[str]:
        lines = []
        while not lines or not lines[-1].endswith("Watching for file changes.\n"):
            lines.append(news.get(timeout=30))
        return lines

    try:
        first = next_watching()
        assert first[0].endswith("Starting linter in watch mode...\n"), first
        (tmp_path / ".ssot_cache" / "x.py").write_text("import old.mod\n")  # the cache is not watched
        (tmp_path / "netra_backend/app/handlers.py").write_text("import old.mod\nfrom old.mod import f\n")
        second = next_watching()
        assert second[0].endswith(f"File change detected ({os.path.join('netra_backend', 'app', 'handlers.py')})...\n")
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0
    reports = [line for line in out.splitlines() if "SSOT001" in line]
    assert reports == ["netra_backend/app/handlers.py:1:8: SSOT001 legacy import 'old.mod': use 'new.mod'",
                       "netra_backend/app/handlers.py:1:8: SSOT001 legacy import 'old.mod': use 'new.mod'",
                       "netra_backend/app/handlers.py:2:1: SSOT001 [*] legacy import 'old.mod': use 'new.mod'"]


def test_watch_runs_the_command_line_without_it_and_refuses_standard_input(tmp_path, capsys, monkeypatch):
    from flake8_ssot.cli.watch import child_arguments

    write(tmp_path, {"pyproject.toml": POLICY})
    code, _, err = run_in_process(capsys, monkeypatch, tmp_path, "check", "--watch", "-")
    assert code == 2 and "--watch checks files again as they change" in err

    assert child_arguments(["check", "-w", "--fix", "src"]) == ["check", "--fix", "src"]
    from watchfiles import Change

    from flake8_ssot.cli.watch import Relevant, watched_places

    write(tmp_path, {"app/handlers.py": "", "app/sub/x.py": "", "other/y.py": ""})
    app, config = str(tmp_path / "app"), str(tmp_path / "pyproject.toml")
    # a named file is watched through its directory (editors save by renaming over it)
    assert watched_places([str(tmp_path / "app/handlers.py"), str(tmp_path / "app/sub")], []) == [app]
    relevant = Relevant([app], [config], [str(tmp_path / ".ssot_cache")])
    assert relevant(Change.modified, str(tmp_path / "app/sub/x.py")) and relevant(Change.modified, config)
    assert not relevant(Change.modified, str(tmp_path / "other/y.py"))  # not a checked path
    assert not relevant(Change.modified, str(tmp_path / "app/notes.txt"))
    assert not relevant(Change.added, str(tmp_path / ".ssot_cache/app.py"))
    assert child_arguments(["check", "-qw", "--watch", "--", "-w"]) == ["check", "-q", "--", "-w"]
