"""docs/fixes.md's walkthrough shows what the code prints: each ```console block of it that
runs `ssot check` with output under it is run, in order, on one copy of examples/monorepo
(the page's example: a `--fix` block changes the copy for the blocks after it), and compared.

A shown line ending in `...` stands for any line starting with what comes before the dots, and
a line that is only `...` for any number of lines (the page shortens long outputs so)."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from projects import ssot

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "fixes.md"
EXAMPLE = ROOT / "examples" / "monorepo"
CONSOLE = re.compile(r"^```console\n(.*?)^```[ \t]*$", re.S | re.M)


def _runs() -> list[tuple[str, str]]:
    """(command, shown output) of each console block that runs one `ssot check` and shows what it prints."""
    runs = []
    for block in CONSOLE.findall(PAGE.read_text(encoding="utf-8")):
        command, _, shown = block.partition("\n")
        if command.startswith("$ ssot check") and shown and not shown.startswith("$"):
            runs.append((command[2:], shown))
    return runs


def _pattern(shown: str) -> re.Pattern[str]:
    parts = []
    for line in shown.splitlines():
        if line == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        elif line.endswith("..."):
            parts.append(re.escape(line[:-3]) + r"[^\n]*\n")
        else:
            parts.append(re.escape(line) + r"\n")
    return re.compile("".join(parts))


def test_the_page_has_the_walkthrough():
    assert [shlex.split(command)[2] for command, _ in _runs()] == ["--output-format", "--diff", "--fix"]


def test_the_elision_matches_only_what_it_stands_for():
    shown = "a.py:9:40: SSOT001 legacy import ...\n...\nFound 3 errors.\n"
    assert _pattern(shown).fullmatch("a.py:9:40: SSOT001 legacy import 'x'\nb.py:1:1: SSOT005 y\nFound 3 errors.\n")
    assert not _pattern(shown).fullmatch("a.py:9:40: SSOT001 legacy import 'x'\nFound 4 errors.\n")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """What each of the page's commands prints (stdout, then stderr), run in order on one copy."""
    root = tmp_path_factory.mktemp("walkthrough") / "monorepo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".ssot_cache", "__pycache__"))
    printed = []
    for command, _ in _runs():
        args = shlex.split(command)[1:]
        result = ssot(args[0], "--no-cache", *args[1:], cwd=root)
        printed.append(result.stdout + result.stderr)
    return printed


@pytest.mark.parametrize("number", range(3))
def test_each_console_block_shows_what_the_command_prints(outputs, number):
    command, shown = _runs()[number]
    assert _pattern(shown).fullmatch(outputs[number]), (
        f"docs/fixes.md is stale: the output of `{command}` in examples/monorepo is now\n{outputs[number]}")
