"""The baseline API the language server uses (#19): keys read piece by piece agree with keys
read from the whole file, matching is `compare`'s, and edits of one file's entries keep the
file's format (a one-line diff for one entry)."""

from __future__ import annotations

import ast
import difflib
import json
from collections import Counter
from pathlib import Path

import pytest

from flake8_ssot.baseline import (
    Baseline, BaselineError, Current, Key, Pieces, Statements, added, compare, dumps, edit_file, keys, load,
    matched, save, without_stale,
)
from flake8_ssot.diagnostic import Diagnostic
from flake8_ssot.server.incremental import chunks_of
from flake8_ssot.span import Span, split_lines

TESTS = Path(__file__).parent
# Seed-shaped fixture code (the other fixture trees repeat these shapes).
CORPUS = sorted(path for tree in ("fixtures", "fixtures_migration", "fixtures_strings") for path in (TESTS / tree).rglob("*.py"))


def chunk_starts(source: str) -> list[int] | None:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    return [chunk.start for chunk in chunks_of(tree.body, split_lines(source), 0)]


def test_pieces_read_every_position_as_the_whole_file_does():
    """Every line of every fixture file (seed-shaped code: decorators, `a; b`, multi-line
    strings and calls, comments between definitions), at its first token and mid-line."""
    compared = 0
    for path in CORPUS:
        source = path.read_text(encoding="utf-8")
        starts = chunk_starts(source)
        if starts is None:
            continue
        lines = split_lines(source)
        whole, pieces = Statements(source), Pieces(lines, starts, {})
        for number, line in enumerate(lines, start=1):
            # the first token; and inside brackets, where a key is the statement's head and one element
            for column in {len(line) - len(line.lstrip()), *([len(line) // 2] if "(" in line or "[" in line else [])}:
                assert pieces.text_at(number, column) == whole.text_at(number, column), (path, number, column)
                compared += 1
    assert compared > 3000


def test_pieces_reuse_what_did_not_change():
    source = "import os\n\n\ndef f():\n    return UserExecutionContext(user_id=1)\n\n\ndef g():\n    return 2\n"
    lines = split_lines(source)
    first = Pieces(lines, chunk_starts(source), {})
    assert first.text_at(5, 11) == "return UserExecutionContext(user_id = 1)"
    assert len(first.cache) == 1  # only the piece asked about was read
    edited = source.replace("return 2", "return 3")
    second = Pieces(split_lines(edited), chunk_starts(edited), first.cache)
    assert second.text_at(5, 11) == "return UserExecutionContext(user_id = 1)"
    assert second.cache[next(iter(second.cache))] is first.cache[next(iter(first.cache))]


def diagnostic(code: str, line: int, subject: str) -> Diagnostic:
    return Diagnostic(code, "m", Span(line, 4, line, 10), subject=subject)


def test_matched_is_compares_matching():
    source = "x = make()\ny = make()\nx = make()\nz = other()\n"
    diagnostics = [diagnostic("SSOT002", n, "pkg.Make") for n in (1, 2, 3, 4)]
    found = keys(diagnostics, source)
    entries = Counter({found[0]: 1, found[1]: 1, Key("SSOT002", "pkg.Make", "w = make()"): 2})
    flags, stale = matched(entries, found)
    assert flags == [True, True, False, False]
    assert stale == Counter({Key("SSOT002", "pkg.Make", "w = make()"): 2})
    comparison = compare(Baseline({"a.py": entries}), {"a.py": Current(diagnostics, found)})
    assert comparison.baselined == [d for d, flag in zip(diagnostics, flags) if flag]
    assert comparison.stale == {"a.py": stale}


ENTRY_A = Key("SSOT001", "netra_backend.app.websocket_core.factory",
              "from netra_backend.app.websocket_core.factory import create_websocket_manager")
ENTRY_B = Key("SSOT002", "netra_backend.app.services.user_execution_context.UserExecutionContext",
              "context = UserExecutionContext(user_id = user_id)")
ENTRY_C = Key("SSOT101", "SSOT101", "manager = get_websocket_manager_factory(user_id)")


def test_edit_file_adds_one_line_and_removes_one_line(tmp_path):
    file = tmp_path / "ssot-baseline.json"
    other = {"src/app/other.py": Counter({ENTRY_A: 2})}
    save(str(file), Baseline({**other, "src/app/routes.py": Counter({ENTRY_A: 1, ENTRY_C: 1})}))
    before = file.read_text()
    edit_file(str(file), "src/app/routes.py", added([ENTRY_B]))
    after = file.read_text()
    diff = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    entry = {"code": ENTRY_B.code, "path": ENTRY_B.path, "occurrence": 0, "statement": ENTRY_B.statement}
    assert diff == ["+      " + json.dumps(entry) + ","]
    assert after == dumps(load(str(file)))  # the format `--write-baseline` writes

    # The same key again: a second occurrence, one more line.
    edit_file(str(file), "src/app/routes.py", added([ENTRY_A]))
    assert load(str(file)).files["src/app/routes.py"][ENTRY_A] == 2
    # Stale: no violation of the file uses B now; C's code is not judged here and stays.
    source = "from netra_backend.app.websocket_core.factory import create_websocket_manager\n"
    found = keys([diagnostic("SSOT001", 1, ENTRY_A.path)], source)
    edit_file(str(file), "src/app/routes.py", without_stale(found, lambda code: code != "SSOT101"))
    assert load(str(file)).files == {**other, "src/app/routes.py": Counter({ENTRY_A: 1, ENTRY_C: 1})}
    # Emptied: the file's list goes; a new baseline file is created by the first edit.
    edit_file(str(file), "src/app/routes.py", lambda entries: Counter())
    assert load(str(file)).files == other
    fresh = tmp_path / "new" / "baseline.json"
    edit_file(str(fresh), "a.py", added([ENTRY_C]))
    assert load(str(fresh)).files == {"a.py": Counter({ENTRY_C: 1})}
    assert [p.name for p in fresh.parent.iterdir()] == ["baseline.json"]  # no temporary left


def test_edit_file_refuses_a_bad_baseline_and_leaves_it(tmp_path):
    file = tmp_path / "ssot-baseline.json"
    file.write_text('{"version": 2, "tool": "flake8-ssot", "files": {}}\n')
    with pytest.raises(BaselineError, match="unknown baseline version 2"):
        edit_file(str(file), "a.py", added([ENTRY_A]))
    assert file.read_text() == '{"version": 2, "tool": "flake8-ssot", "files": {}}\n'
