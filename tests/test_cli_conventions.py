"""Issue #17: `ssot check` follows the command-line conventions of ruff and flake8."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import projects
import pytest
from projects import write

POLICY = '[tool.ssot]\n[tool.ssot.legacy]\n"old.mod" = "new.mod"\n'


def ssot(*args: str, cwd: Path, stdin: str | None = None):
    return projects.ssot(*args, cwd=cwd, stdin=stdin)


def project(tmp_path: Path, policy: str = POLICY) -> Path:
    write(tmp_path, {"pyproject.toml": policy})
    write(tmp_path, {"app.py": "import old.mod\n"})
    return tmp_path


# --------------------------------------------------------------------------- 1: no policy


def test_no_policy_anywhere_is_a_configuration_error_naming_where_it_looked(tmp_path):
    write(tmp_path, {"a.py": "import os\n"})
    result = ssot("check", "--no-cache", cwd=tmp_path)
    assert result.returncode == 2
    assert "All checks passed" not in result.stdout
    assert f"no pyproject.toml with a [tool.ssot] table in {tmp_path} or above" in result.stderr


def test_no_policy_for_standard_input_is_a_configuration_error(tmp_path):
    result = ssot("check", "--stdin-filename", "a.py", cwd=tmp_path, stdin="import os\n")
    assert result.returncode == 2
    assert "[tool.ssot]" in result.stderr


def test_config_file_without_a_tool_ssot_table_is_refused(tmp_path):
    write(tmp_path, {"other.toml": '[project]\nname = "x"\n'})
    write(tmp_path, {"a.py": "import os\n"})
    result = ssot("check", "--no-cache", "--config", "other.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert "other.toml: no [tool.ssot] table" in result.stderr


def test_an_empty_tool_ssot_table_is_a_policy(tmp_path):
    write(tmp_path, {"pyproject.toml": "[tool.ssot]\n"})
    write(tmp_path, {"a.py": "import os\n"})
    result = ssot("check", "--no-cache", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------- 2: unknown selectors


def test_the_known_codes_are_the_rules_documented():
    from flake8_ssot.config import BUILTIN_CODES
    from flake8_ssot.rules.docs import builtin_docs

    assert ["SSOT000", *(doc.code for doc in builtin_docs()[:-1])] == list(BUILTIN_CODES)


def test_an_unknown_selector_on_the_command_line_is_refused_with_did_you_mean(tmp_path):
    project(tmp_path)
    result = ssot("check", "--no-cache", "--select", "SSOT01", cwd=tmp_path)
    assert result.returncode == 2
    assert "'SSOT01' is not a flake8-ssot code or prefix" in result.stderr
    assert "did you mean 'SSOT001'?" in result.stderr
    assert ssot("check", "--no-cache", "--ignore", "SSOT9", cwd=tmp_path).returncode == 2


def test_an_unknown_selector_in_the_policy_is_refused(tmp_path):
    project(tmp_path, POLICY.replace("[tool.ssot]\n", '[tool.ssot]\nignore = ["SSOT9"]\n'))
    result = ssot("check", "--no-cache", cwd=tmp_path)
    assert result.returncode == 2
    assert "tool.ssot.ignore[0]: 'SSOT9' is not a flake8-ssot code or prefix" in result.stderr


def test_a_pattern_code_must_be_declared_but_pattern_range_prefixes_are_selectors(tmp_path):
    project(tmp_path)
    undeclared = ssot("check", "--no-cache", "--extend-select", "SSOT150", cwd=tmp_path)
    assert undeclared.returncode == 2
    assert "'SSOT150' selects no rule: no pattern rule in the policy has this code" in undeclared.stderr
    for selector in ("SSO", "SSOT", "SSOT0", "SSOT001", "SSOT1", "SSOT15"):
        result = ssot("check", "--no-cache", "--select", selector, cwd=tmp_path)
        assert result.returncode in (0, 1), (selector, result.stderr)
    policy = POLICY + '[[tool.ssot.patterns]]\ncode = "SSOT150"\npattern = "f($A)"\nmessage = "no f"\n'
    project(tmp_path, policy.replace("[tool.ssot]\n", '[tool.ssot]\nignore = ["SSOT150"]\n', 1))
    assert ssot("check", "--no-cache", "--select", "SSOT150", cwd=tmp_path).returncode in (0, 1)
    project(tmp_path, policy.replace("[tool.ssot]\n", '[tool.ssot]\nignore = ["SSOT151"]\n', 1))
    result = ssot("check", "--no-cache", cwd=tmp_path)
    assert result.returncode == 2
    assert "did you mean 'SSOT150'?" in result.stderr


# --------------------------------------------------------------------------- 3: nothing found


def test_a_path_with_no_python_file_left_is_a_warning_naming_what_left_them_out(tmp_path):
    project(tmp_path, POLICY.replace("[tool.ssot]\n", '[tool.ssot]\nexclude = ["gen"]\n'))
    write(tmp_path, {"gen/g.py": "import old.mod\n", "empty/README": "", "ignored/i.py": "x = 1\n",
                     ".gitignore": "ignored/\n"})
    (tmp_path / ".git").mkdir()
    for cache in (("--no-cache",), ()):  # a warm run says it as a cold one
        for _ in range(2):
            only = ssot("check", *cache, "gen", cwd=tmp_path)
            assert only.returncode == 0
            assert "warning: No Python files found under the given path(s) (left out by `exclude`)\n" in only.stderr
    empty = ssot("check", "--no-cache", "empty", cwd=tmp_path)
    assert empty.stderr == "warning: No Python files found under the given path(s)\n"
    ignored = ssot("check", "--no-cache", "--force-exclude", "ignored/i.py", cwd=tmp_path)
    assert "(left out by `.gitignore`)" in ignored.stderr
    both = ssot("check", "--no-cache", "gen", "app.py", cwd=tmp_path)
    assert both.returncode == 1
    assert both.stderr == "warning: No Python files found under gen (left out by `exclude`)\n"
    quiet = ssot("check", "--no-cache", "-q", "gen", cwd=tmp_path)
    assert quiet.stderr == ""


def test_a_file_force_excluded_beside_checked_ones_is_no_news(tmp_path):
    project(tmp_path, POLICY.replace("[tool.ssot]\n", '[tool.ssot]\nexclude = ["gen"]\n'))
    write(tmp_path, {"gen/g.py": "import old.mod\n"})
    result = ssot("check", "--no-cache", "--force-exclude", "gen/g.py", "app.py", cwd=tmp_path)
    assert result.returncode == 1
    assert "warning" not in result.stderr


# --------------------------------------------------------------------------- 4: `-`


def test_a_dash_reads_standard_input_under_the_stdin_filename_or_as_dash(tmp_path):
    project(tmp_path)
    named = ssot("check", "--output-format", "concise", "-", "--stdin-filename", "app.py", cwd=tmp_path,
                 stdin="import old.mod\n")
    assert named.returncode == 1
    assert named.stdout.startswith("app.py:1:8: SSOT001 ")
    dash = ssot("check", "--output-format", "concise", "-", cwd=tmp_path, stdin="import old.mod\n")
    assert dash.returncode == 1
    assert dash.stdout.startswith("-:1:8: SSOT001 ")
    mixed = ssot("check", "-", "app.py", cwd=tmp_path, stdin="")
    assert mixed.returncode == 2
    assert "`-` (standard input) is checked alone" in mixed.stderr


# --------------------------------------------------------------------------- 5: noqa, as flake8


def test_noqa_codes_are_matched_as_flake8_matches_them(tmp_path):
    import subprocess
    import sys

    project(tmp_path)
    write(tmp_path, {"app.py": (
        "import old.mod  # noqa: ssot001\n"
        "import old.mod  # NOQA:SSOT001\n"
        "import old.mod  # noqa: ssot\n"
        "import old.mod  # Noqa: SSOT0\n"
        "import old.mod  # noqa: E501\n"
    )})
    ours = ssot("check", "--no-cache", "--output-format", "concise", "-q", "app.py", cwd=tmp_path)
    flake8 = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "SSO", "app.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    lines = [line.split(":")[1] for line in ours.stdout.splitlines()]
    assert lines == [line.split(":")[1] for line in flake8.stdout.splitlines()], (ours.stdout, flake8.stdout)
    assert lines == ["1", "5"]


# --------------------------------------------------------------------------- 6: mistyped options


def test_a_mistyped_option_gets_the_commands_usage_and_did_you_mean(tmp_path):
    project(tmp_path)
    result = ssot("check", "--fxi", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: ssot check ")
    assert "ssot check: error: unrecognized arguments: --fxi; did you mean '--fix'?" in result.stderr
    rule = ssot("rule", "--al", cwd=tmp_path)
    assert rule.returncode == 2
    assert "ssot rule: error: unrecognized arguments: --al; did you mean '--all'?" in rule.stderr


def test_option_abbreviations_are_refused(tmp_path):
    project(tmp_path)
    before = (tmp_path / "app.py").read_text()
    result = ssot("check", "--no-cache", "--unsafe", cwd=tmp_path)
    assert result.returncode == 2
    assert "did you mean '--unsafe-fixes'?" in result.stderr
    assert ssot("check", "--no-cache", "--fi", cwd=tmp_path).returncode == 2
    assert (tmp_path / "app.py").read_text() == before
    assert ssot("--vers", cwd=tmp_path).returncode == 2


# --------------------------------------------------------------------------- 7: ruff's options


def test_exit_non_zero_on_fix_fails_a_run_whose_fixes_changed_files(tmp_path):
    project(tmp_path)
    fixed = ssot("check", "--no-cache", "--fix", "--unsafe-fixes", "--exit-non-zero-on-fix", cwd=tmp_path)
    assert (tmp_path / "app.py").read_text() == "import new.mod\n", fixed.stderr
    assert fixed.returncode == 1
    again = ssot("check", "--no-cache", "--fix", "--unsafe-fixes", "--exit-non-zero-on-fix", cwd=tmp_path)
    assert again.returncode == 0
    project(tmp_path)
    plain = ssot("check", "--no-cache", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert plain.returncode == 0


def test_extend_exclude_adds_to_the_configured_exclude(tmp_path):
    project(tmp_path)
    write(tmp_path, {"gen/g.py": "import old.mod\n"})
    result = ssot("check", "--no-cache", "--output-format", "concise", "--extend-exclude", "app.py", cwd=tmp_path)
    assert result.returncode == 1
    assert [line.split(":")[0] for line in result.stdout.splitlines() if ": SSOT" in line] == ["gen/g.py"]
    both = ssot("check", "--extend-exclude", "app.py,gen", cwd=tmp_path)  # the cache keeps them apart
    assert both.returncode == 0, both.stdout
    assert ssot("check", "--extend-exclude", "[x", cwd=tmp_path).returncode == 2


def test_silent_prints_nothing_and_keeps_the_exit_code(tmp_path):
    project(tmp_path)
    result = ssot("check", "--no-cache", "-s", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", "")
    assert ssot("check", "--no-cache", "--silent", "--diff", "--unsafe-fixes", cwd=tmp_path).stdout == ""
    report = tmp_path / "report.json"
    ssot("check", "--no-cache", "-s", "--output-format", "json", "--output-file", str(report), cwd=tmp_path)
    assert "SSOT001" in report.read_text()


# --------------------------------------------------------------------------- 8: messages


def test_a_message_written_in_parentheses_is_not_wrapped_again(tmp_path):
    project(tmp_path, '[tool.ssot]\n[tool.ssot.legacy]\n"old.mod" = { use = "new.mod", message = "(moved in 2024)" }\n'
                      '"old.two" = { use = "new.two", message = "moved in 2025" }\n')
    write(tmp_path, {"app.py": "import old.mod\nimport old.two\n"})
    result = ssot("check", "--no-cache", "--output-format", "concise", "-q", cwd=tmp_path)
    assert result.stdout.splitlines() == [
        "app.py:1:8: SSOT001 legacy import 'old.mod': use 'new.mod' (moved in 2024)",
        "app.py:2:8: SSOT001 legacy import 'old.two': use 'new.two' (moved in 2025)",
    ]


def test_fixing_baselined_violations_does_not_call_them_new(tmp_path):
    project(tmp_path)
    assert ssot("check", "--no-cache", "--write-baseline", "b.json", cwd=tmp_path).returncode == 0
    fixed = ssot("check", "--no-cache", "--baseline", "b.json", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert fixed.returncode == 0
    assert fixed.stdout.splitlines()[0] == "Fixed 1 error (0 new remaining)."
    assert "Found" not in fixed.stdout


# --------------------------------------------------------------------------- 9: the documented options

DOCS = Path(__file__).parent.parent / "docs" / "command-line.md"
OPTION = re.compile(r"(?<![\w-])(--?[a-z][a-z-]*)")


def _parser_options(command: str) -> set[str]:
    from flake8_ssot.cli import build_parser

    parser = build_parser()
    commands = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    return {option for action in commands.choices[command]._actions for option in action.option_strings
            if option not in ("-h", "--help")}


def _section(heading: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else len(text)]


def test_every_check_option_is_in_the_docs_table_and_every_documented_one_exists():
    """docs/command-line.md's `ssot check` table and the parser agree both ways."""
    rows = [line for line in _section("## `ssot check`").splitlines() if line.startswith("| `")]
    documented = {option for row in rows for option in OPTION.findall(row.split("|")[1])}
    options = _parser_options("check")
    assert options - documented == set(), "options of `ssot check` missing from docs/command-line.md"
    assert documented - options == set(), "docs/command-line.md documents options `ssot check` does not have"


def test_every_rule_and_registry_option_is_documented_and_every_documented_one_exists():
    section = _section("## Rules and the registry")
    documented = set(OPTION.findall(section))
    options = _parser_options("rule") | _parser_options("registry")
    assert options - documented == set() and documented - options == set()


# --------------------------------------------------------------------------- 10: --config from outside the tree

OUTSIDE_POLICY = """\
[tool.ssot]
src = ["src"]
exclude = ["src/netra_backend/generated"]

[tool.ssot.legacy]
"netra_backend.app.websocket_core.factory" = "netra_backend.app.websocket_core.canonical_imports"

[tool.ssot.deprecated-exports]
"netra_backend.app.websocket_core" = ["create_websocket_manager"]
"""
OUTSIDE_TREE = {
    "policies/pyproject.toml": OUTSIDE_POLICY,
    "repo/src/netra_backend/__init__.py": "",
    "repo/src/netra_backend/app/__init__.py": "",
    "repo/src/netra_backend/app/websocket_core/__init__.py": (
        "from .canonical_imports import WebSocketManager, create_websocket_manager\n\n"
        '__all__ = ["WebSocketManager", "create_websocket_manager"]\n'
    ),
    "repo/src/netra_backend/app/websocket_core/canonical_imports.py": (
        "class WebSocketManager:\n    pass\n\n\ndef create_websocket_manager():\n    return WebSocketManager()\n"
    ),
    "repo/src/netra_backend/app/agents/__init__.py": "",
    "repo/src/netra_backend/app/agents/notifier.py": (
        "from ..websocket_core.factory import create_websocket_manager\n\n\n"
        "def notify(user_id):\n    return create_websocket_manager()\n"
    ),
    "repo/src/netra_backend/generated/client.py": "from netra_backend.app.websocket_core.factory import x\n",
}
OUTSIDE_FOUND = [
    "src/netra_backend/app/agents/notifier.py:1:1: SSOT001",  # a relative import: the module name is right
    "src/netra_backend/app/websocket_core/__init__.py:3:32: SSOT003",  # the module the policy names is found
]


def check_in_process(capsys, monkeypatch, cwd: Path, *args: str) -> tuple[int, str, str]:
    from flake8_ssot.cli import main

    monkeypatch.chdir(cwd)
    code = main(["check", "--no-cache", "--output-format", "concise", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_config_from_outside_the_tree_resolves_its_paths_against_the_current_directory(
    tmp_path, capsys, monkeypatch
):
    """As ruff: with --config, `src`, `exclude` and `baseline` are the current directory's, and
    the default path to check is the current directory (it was the config file's)."""
    write(tmp_path, OUTSIDE_TREE)
    repo = tmp_path / "repo"
    code, out, err = check_in_process(capsys, monkeypatch, repo, "--config", "../policies/pyproject.toml")
    assert code == 1, err
    assert [line.split(" ")[0] + " " + line.split(" ")[1] for line in out.splitlines()[:-2]] == OUTSIDE_FOUND
    assert "generated" not in out and "note:" not in out  # exclude is relative to here too
    # a `KEY = VALUE` on top keeps the file's paths relative to here; baseline too
    code, _, _ = check_in_process(capsys, monkeypatch, repo, "--config", "../policies/pyproject.toml",
                                  "--write-baseline", "ssot-baseline.json")
    assert code == 0 and (repo / "ssot-baseline.json").is_file()
    code, out, _ = check_in_process(capsys, monkeypatch, repo, "--config", "../policies/pyproject.toml",
                                    "--config", 'baseline = "ssot-baseline.json"')
    assert code == 0 and out.splitlines()[-1] == "2 baselined violations not shown (ssot-baseline.json)."


def test_files_under_no_src_root_get_module_names_from_their_packages_and_a_summary_line(
    tmp_path, capsys, monkeypatch
):
    write(tmp_path, OUTSIDE_TREE)
    repo = tmp_path / "repo"
    code, out, _ = check_in_process(capsys, monkeypatch, repo, "--config", "../policies/pyproject.toml",
                                    "--config", 'src = ["lib"]')
    assert code == 1
    lines = out.splitlines()
    assert [line.split(" ")[0] + " " + line.split(" ")[1] for line in lines[:2]] == OUTSIDE_FOUND
    notes = [line for line in lines if line.startswith("note:")]
    assert notes == ["note: 6 files checked lie under no `src` root (lib), e.g. src/netra_backend/__init__.py: "
                     "module names come from their packages' __init__.py files; "
                     "set `src` in [tool.ssot] if that is not right"]
    _, quiet, _ = check_in_process(capsys, monkeypatch, repo, "--config", "../policies/pyproject.toml",
                                   "--config", 'src = ["lib"]', "-q")
    assert "note:" not in quiet


@pytest.mark.parametrize("command, page", [("server", "editors.md"), ("progress", "progress.md"),
                                           ("discover", "discover.md")])
def test_every_option_of_the_other_commands_is_on_their_docs_page(command, page):
    documented = set(OPTION.findall((DOCS.parent / page).read_text(encoding="utf-8")))
    assert _parser_options(command) - documented == set(), f"options of `ssot {command}` missing from docs/{page}"
