"""Files Python cannot parse are reported, not sprayed (#16): one summary line by default, none
with -q, each file an SSOT000 violation with --show-syntax-errors, in every output format,
chosen by --select/--ignore, silenced by noqa and recorded by baselines like any code."""

from __future__ import annotations

import json

import pytest

import projects
from projects import APP_LEGACY_POLICY, write

from flake8_ssot.reporters import FORMATS, TEXT_FORMATS

BROKEN = "import app.ws.factory\n\nprint 'hello'\n"  # line 3: Python 2's print
CLEAN_BROKEN = "x = (\n"  # no policy word: never parsed, so never counted
MESSAGE = (
    "syntax error: Missing parentheses in call to 'print'. Did you mean print(...)? (checked with error recovery)"
)
SUMMARY_ONE = "1 file with a syntax error was checked with error recovery (--show-syntax-errors to list them)"


@pytest.fixture
def tree(tmp_path):
    return write(tmp_path, {
        "pyproject.toml": APP_LEGACY_POLICY,
        "src/app/broken.py": BROKEN,
        "src/app/other.py": CLEAN_BROKEN,
    })


def check(root, *args):
    return projects.ssot("check", *args, cwd=root)


def test_by_default_one_summary_line_and_nothing_per_file(tree):
    result = check(tree, "--no-cache", "--output-format", "concise")
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "src/app/broken.py:1:8: SSOT001 legacy import 'app.ws.factory': use 'app.ws.canonical_imports'",
        "Found 1 error.",
        SUMMARY_ONE,
    ]


def test_the_summary_line_counts_every_broken_file(tmp_path):
    root = write(tmp_path, {
        "pyproject.toml": APP_LEGACY_POLICY,
        **{f"src/app/b{n}.py": BROKEN for n in range(3)},
    })
    result = check(root, "--no-cache", "--output-format", "concise")
    assert result.stdout.splitlines()[-1] == (
        "3 files with syntax errors were checked with error recovery (--show-syntax-errors to list them)"
    )


@pytest.mark.parametrize("cache", [("--no-cache",), ()], ids=["cold", "cache"])
def test_quiet_prints_no_syntax_error_line_cold_or_warm(tree, cache):
    for _ in range(2):  # the second run with the cache is a warm one
        result = check(tree, *cache, "-q", "--output-format", "concise")
        assert result.stderr == ""
        assert result.stdout == (
            "src/app/broken.py:1:8: SSOT001 legacy import 'app.ws.factory': use 'app.ws.canonical_imports'\n"
        )


def test_a_warm_run_prints_the_same_summary_and_no_per_file_line(tree):
    cold = check(tree, "--output-format", "concise")
    warm = check(tree, "--output-format", "concise")
    assert (warm.stdout, warm.stderr) == (cold.stdout, "")
    assert warm.stdout.splitlines()[-1] == SUMMARY_ONE
    listed = check(tree, "--output-format", "concise", "--show-syntax-errors")  # warm too
    assert f"src/app/broken.py:3:1: SSOT000 {MESSAGE}" in listed.stdout.splitlines()


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f not in TEXT_FORMATS])
def test_machine_formats_keep_stdout_parseable_the_summary_goes_to_stderr(tree, fmt):
    result = check(tree, "--no-cache", "--output-format", fmt)
    assert "SSOT000" not in result.stdout and "syntax" not in result.stdout
    assert result.stderr == SUMMARY_ONE + "\n"
    quiet = check(tree, "--no-cache", "-q", "--output-format", fmt)
    assert quiet.stderr == "" and quiet.stdout == result.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_show_syntax_errors_lists_each_file_in_every_format(tree, fmt):
    result = check(tree, "--no-cache", "--show-syntax-errors", "--output-format", fmt)
    assert result.returncode == 1
    assert result.stderr == ""
    assert "SSOT000" in result.stdout and "Missing parentheses in call to 'print'" in result.stdout
    assert "--show-syntax-errors to list them" not in result.stdout
    if fmt == "json":
        [found] = [d for d in json.loads(result.stdout) if d["code"] == "SSOT000"]
        assert found["location"] == {"row": 3, "column": 1}
        assert found["message"] == MESSAGE


def test_show_syntax_errors_concise_and_statistics(tree):
    result = check(tree, "--no-cache", "--show-syntax-errors", "--output-format", "concise")
    assert result.stdout.splitlines()[:3] == [
        "src/app/broken.py:1:8: SSOT001 legacy import 'app.ws.factory': use 'app.ws.canonical_imports'",
        f"src/app/broken.py:3:1: SSOT000 {MESSAGE}",
        "Found 2 errors.",
    ]  # other.py names nothing in the policy: it is never parsed, so never listed
    stats = check(tree, "--no-cache", "--show-syntax-errors", "--statistics")
    assert "  1  SSOT000  invalid-syntax" in stats.stdout.splitlines()


def test_ssot000_is_selected_ignored_and_silenced_like_any_code(tree):
    ignored = check(tree, "--no-cache", "--show-syntax-errors", "--ignore", "SSOT000", "--output-format", "concise")
    assert "SSOT000" not in ignored.stdout
    only = check(tree, "--no-cache", "--show-syntax-errors", "--select", "SSOT000", "--output-format", "concise")
    assert only.stdout.splitlines()[:2] == [f"src/app/broken.py:3:1: SSOT000 {MESSAGE}", "Found 1 error."]
    (tree / "src/app/broken.py").write_text(BROKEN.replace("'hello'\n", "'hello'  # noqa: SSOT000\n"))
    silenced = check(tree, "--no-cache", "--show-syntax-errors", "--output-format", "concise")
    assert "SSOT000" not in silenced.stdout


def test_a_baseline_records_ssot000(tree):
    written = check(tree, "--no-cache", "--show-syntax-errors", "--write-baseline", "baseline.json")
    assert written.returncode == 0, written.stderr
    entries = json.loads((tree / "baseline.json").read_text())
    assert "SSOT000" in json.dumps(entries)
    again = check(tree, "--no-cache", "--show-syntax-errors", "--baseline", "baseline.json",
                  "--output-format", "concise")
    assert again.returncode == 0, again.stdout
    assert "SSOT000" not in again.stdout.replace("(--show-syntax-errors", "")
