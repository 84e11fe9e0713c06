"""`ssot check --fix / --unsafe-fixes / --diff`, run for real (`python -m flake8_ssot`).

The tree is the before/after pairs of tests/fixtures_fix/ laid out as a project: each
case's before.py becomes netra_backend/app/<case>.py under the cases' own pyproject.toml, so
`ssot check --fix` must turn every file into the case's after.py (after_unsafe.py with
--unsafe-fixes) byte for byte, exactly as the engine does it in tests/test_fixes.py.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import projects
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_ssot.checking.fixing import FixMode, fix_content
from flake8_ssot.checking.runner import check_bytes
from flake8_ssot.config import load_config
from flake8_ssot.fixes import fix_bytes, is_fixable
from flake8_ssot.index import ProjectIndex

FIXTURES = Path(__file__).parent / "fixtures_fix"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "before.py").is_file())
CONFIG = load_config(str(FIXTURES / "pyproject.toml"))
OLD = 1_500_000_000_000_000_000  # a modification time long past (2017), in nanoseconds

# Files with violations but nothing any fix could change: --fix must not touch them.
UNTOUCHED = {
    # SSOT002 has no automatic fix
    "netra_backend/app/routes/threads.py": (
        "from netra_backend.app.services.user_execution_context import UserExecutionContext\n"
        "\n"
        "\n"
        "def context_for(user_id: str) -> UserExecutionContext:\n"
        "    return UserExecutionContext(user_id=user_id)\n"
    ),
    # an entry with fix = "none"
    "netra_backend/app/routes/events.py": (
        "from netra_backend.app.websocket_core.unified_manager import UnifiedManager\n"
    ),
    # nothing to report at all
    "netra_backend/app/routes/health.py": "def health() -> dict:\n    return {'status': 'ok'}\n",
}
FACTORY_CONFIG = """
[tool.ssot.factories.\"netra_backend.app.services.user_execution_context.UserExecutionContext\"]
use = "netra_backend.app.services.user_execution_context.create_defensive_user_execution_context"
"""


def ssot(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """`ssot check ARGS`, bytes in and out: line endings and encodings are what is under test."""
    return projects.ssot("check", *args, cwd=cwd, stdin=stdin, binary=True)


def text(output: bytes) -> str:
    return output.decode("utf-8")


def module(case: str) -> str:
    return f"netra_backend/app/{case}.py"


def expected(case: str, unsafe: bool) -> bytes:
    folder = FIXTURES / case
    # `ssot check` has the project index, which proves safe what one file alone cannot (a
    # rename of uses that no other module imports, issue #23): after_indexed.py, when it differs.
    if not unsafe and (folder / "after_indexed.py").is_file():
        return (folder / "after_indexed.py").read_bytes()
    if unsafe and (folder / "after_unsafe.py").is_file():
        return (folder / "after_unsafe.py").read_bytes()
    return (folder / "after.py").read_bytes()


def make_project(root: Path, copies: int = 1) -> Path:
    """The fix cases as one project (each case `copies` times), plus files --fix must leave alone."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        (FIXTURES / "pyproject.toml").read_text(encoding="utf-8") + FACTORY_CONFIG, encoding="utf-8"
    )
    for case in CASES:
        for copy in range(copies):
            name = case if copy == 0 else f"{case}_{copy:02}"
            target = root / module(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(FIXTURES / case / "before.py", target)
    for name, body in UNTOUCHED.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
    for path in root.rglob("*.py"):
        os.utime(path, ns=(OLD, OLD))
    return root


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        path.relative_to(root).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*.py")) if ".ssot_cache" not in path.parts
    }


def concise_rows(output: str) -> list[str]:
    return [line for line in output.splitlines() if re.match(r"^[\w/.]+\.py:\d+:\d+: SSOT\d{3}", line)]


def apply_patch(tree: dict[str, bytes], patch: bytes) -> dict[str, bytes]:
    """Apply a unified diff strictly: every context and removed line must match byte for byte."""
    result = dict(tree)
    lines = patch.splitlines(keepends=True)
    index = 0
    while index < len(lines):
        assert lines[index].startswith(b"--- "), f"unexpected line in the patch: {lines[index]!r}"
        name = lines[index][4:].rstrip(b"\r\n").decode()
        assert lines[index + 1].rstrip(b"\r\n") == b"+++ " + name.encode()
        index += 2
        old = result[name].splitlines(keepends=True)
        new: list[bytes] = []
        position = 0
        while index < len(lines) and lines[index].startswith(b"@@ "):
            header = re.match(rb"@@ -(\d+)(?:,(\d+))? \+\d+(?:,(\d+))? @@", lines[index])
            start, removed, added = (int(n) if n is not None else 1 for n in header.groups())
            first = start if removed == 0 else start - 1  # "-N,0": insert after line N
            new.extend(old[position:first])
            position = first
            index += 1
            while removed or added:
                kind, body, step = lines[index][:1], lines[index][1:], 1
                if lines[index + 1:index + 2] and lines[index + 1].startswith(b"\\ No newline"):
                    body, step = body[:-1], 2
                assert kind in (b" ", b"-", b"+"), f"{name}: bad hunk line {lines[index]!r}"
                if kind in (b" ", b"-"):
                    assert old[position] == body, f"{name}:{position + 1}: {old[position]!r} != {body!r}"
                    position += 1
                    removed -= 1
                if kind in (b" ", b"+"):
                    new.append(body)
                    added -= 1
                index += step
        new.extend(old[position:])
        result[name] = b"".join(new)
    return result


# --------------------------------------------------------------------------- --fix


def test_fix_rewrites_each_case_into_its_after_file_and_reports_what_remains(tmp_path):
    root = make_project(tmp_path / "project")
    before = snapshot(root)
    fixed = ssot("--no-cache", "--fix", "--output-format", "concise", cwd=root)
    assert text(fixed.stderr) == ""
    for case in CASES:
        assert (root / module(case)).read_bytes() == expected(case, unsafe=False), case
    after = snapshot(root)
    for name in UNTOUCHED:  # no fixable violation: not rewritten, not even touched
        assert after[name] == before[name]

    # What --fix reports is what remains: the same rows as a plain check of the fixed tree.
    again = ssot("--no-cache", "--output-format", "concise", cwd=root)
    assert concise_rows(text(fixed.stdout)) == [row.replace(" [*]", "") for row in concise_rows(text(again.stdout))]
    remaining = len(concise_rows(text(again.stdout)))
    config = load_config(str(root / "pyproject.toml"))
    index = ProjectIndex(config.src)  # as `ssot check` has it
    count = sum(
        fix_bytes((FIXTURES / case / "before.py").read_bytes(), str(root / module(case)), config, index=index).fixed
        for case in CASES
    )
    assert count > 0 and remaining > 0
    unsafe_left = sum(1 for item in json.loads(ssot("--no-cache", "--output-format", "json", cwd=root).stdout)
                      if item["fix"] is not None)
    assert text(fixed.stdout).splitlines()[-2:] == [
        f"Found {count + remaining} errors ({count} fixed, {remaining} remaining).",
        f"No fixes available ({unsafe_left} hidden fixes can be enabled with the `--unsafe-fixes` option).",
    ]
    assert fixed.returncode == 1  # violations remain

    # A second --fix finds nothing to fix and touches nothing.
    second = ssot("--no-cache", "--fix", "--output-format", "concise", cwd=root)
    assert snapshot(root) == after
    assert second.returncode == 1
    assert text(second.stdout).splitlines()[-2] == f"Found {remaining} errors."
    assert "fixed" not in text(second.stdout)


def test_unsafe_fixes_apply_the_unsafe_ones_too_and_exit_0_when_nothing_remains(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    shutil.copyfile(FIXTURES / "pyproject.toml", root / "pyproject.toml")
    for case in ("module_renamed", "split_from_import", "exports_list"):
        (root / "netra_backend" / "app").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURES / case / "before.py", root / module(case))
    safe_only = ssot("--no-cache", "--fix", cwd=root)
    assert (root / module("module_renamed")).read_bytes() == expected("module_renamed", unsafe=False)
    assert safe_only.returncode == 1
    result = ssot("--no-cache", "--fix", "--unsafe-fixes", "--output-format", "concise", cwd=root)
    for case in ("module_renamed", "split_from_import", "exports_list"):
        assert (root / module(case)).read_bytes() == expected(case, unsafe=True), case
    lines = text(result.stdout).splitlines()
    assert re.fullmatch(r"Found (\d+) errors \(\1 fixed, 0 remaining\)\.", lines[-1]), lines
    assert concise_rows(text(result.stdout)) == []
    assert result.returncode == 0


def test_unsafe_fixes_alone_only_counts_unsafe_fixes_as_applicable(tmp_path):
    root = make_project(tmp_path / "project")
    before = snapshot(root)
    plain = ssot("--no-cache", "--output-format", "concise", cwd=root)
    unsafe = ssot("--no-cache", "--unsafe-fixes", "--output-format", "concise", cwd=root)
    assert snapshot(root) == before  # nothing written without --fix
    items = json.loads(ssot("--no-cache", "--output-format", "json", cwd=root).stdout)
    safe = sum(1 for item in items if item["fix"] and item["fix"]["applicability"] == "safe")
    risky = sum(1 for item in items if item["fix"] and item["fix"]["applicability"] == "unsafe")
    assert safe and risky
    plain_rows, unsafe_rows = concise_rows(text(plain.stdout)), concise_rows(text(unsafe.stdout))
    assert sum(" [*] " in row for row in plain_rows) == safe
    assert sum(" [*] " in row for row in unsafe_rows) == safe + risky
    assert [row.replace(" [*]", "") for row in plain_rows] == [row.replace(" [*]", "") for row in unsafe_rows]
    assert text(plain.stdout).splitlines()[-1] == (
        f"[*] {safe} fixable with the `--fix` option "
        f"({risky} hidden fixes are available with the `--unsafe-fixes` option)."
    )
    assert text(unsafe.stdout).splitlines()[-1] == f"[*] {safe + risky} fixable with the `--fix` option."
    # the full format marks the same diagnostics
    full = text(ssot("--no-cache", cwd=root).stdout)
    assert len(re.findall(r"^\S+:\d+:\d+: SSOT\d{3} \[\*\] ", full, re.MULTILINE)) == safe


def test_json_carries_each_fix_with_its_applicability_message_and_edits(tmp_path):
    root = make_project(tmp_path / "project")
    items = json.loads(ssot("--no-cache", "--output-format", "json", module("split_from_import"), cwd=root).stdout)
    with_fix = [item for item in items if item["fix"]]
    assert with_fix
    for item in with_fix:
        fix = item["fix"]
        assert set(fix) == {"applicability", "message", "edits"}
        assert fix["applicability"] in ("safe", "unsafe") and fix["message"]
        for edit in fix["edits"]:
            assert set(edit) == {"content", "location", "end_location"}
            assert set(edit["location"]) == set(edit["end_location"]) == {"row", "column"}
    # Applying the edits of the safe fixes by hand gives what --fix writes.
    source = (root / module("split_from_import")).read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    edits = {
        (offsets[e["location"]["row"] - 1] + e["location"]["column"] - 1,
         offsets[e["end_location"]["row"] - 1] + e["end_location"]["column"] - 1, e["content"])
        for item in with_fix if item["fix"]["applicability"] == "safe" for e in item["fix"]["edits"]
    }
    for start, end, content in sorted(edits, reverse=True):
        source = source[:start] + content + source[end:]
    ssot("--no-cache", "--fix", module("split_from_import"), cwd=root)
    assert source.encode("utf-8") == (root / module("split_from_import")).read_bytes()


# --------------------------------------------------------------------------- --diff


def test_diff_writes_nothing_and_its_patch_gives_what_fix_writes(tmp_path):
    for unsafe in ((), ("--unsafe-fixes",)):
        root = make_project(tmp_path / f"project{len(unsafe)}")
        before = snapshot(root)
        diff = ssot("--no-cache", "--diff", *unsafe, cwd=root)
        assert snapshot(root) == before  # nothing written, nothing touched
        assert diff.returncode == 1
        patch = diff.stdout
        assert patch.startswith(b"--- netra_backend/app/")
        patched = apply_patch({name: content for name, (content, _) in before.items()}, patch)
        fixed = ssot("--no-cache", "--fix", *unsafe, cwd=root)
        assert {name: content for name, (content, _) in snapshot(root).items()} == patched
        count = re.search(r"\((\d+) fixed", text(fixed.stdout)).group(1)
        summary = text(diff.stderr).splitlines()[-1]
        if unsafe:
            assert summary == f"Would fix {count} errors."
        else:
            assert re.fullmatch(rf"Would fix {count} errors \(\d+ additional fixes available with `--unsafe-fixes`\)\.",
                                summary), summary
        # Nothing left to fix: an empty diff and exit 0.
        clean = ssot("--no-cache", "--diff", *unsafe, cwd=root)
        assert (clean.returncode, clean.stdout) == (0, b"")
        assert text(clean.stderr).splitlines()[-1].startswith("No errors would be fixed")


@pytest.mark.skipif(shutil.which("patch") is None, reason="GNU patch is not installed")
def test_the_diff_applies_with_patch(tmp_path):
    root = make_project(tmp_path / "project")
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    diff = ssot("--no-cache", "--diff", "--unsafe-fixes", cwd=root)
    subprocess.run(["patch", "-p0", "--quiet", "--forward"], cwd=copy, input=diff.stdout, check=True, timeout=60)
    ssot("--no-cache", "--fix", "--unsafe-fixes", cwd=root)
    assert {k: v for k, (v, _) in snapshot(copy).items()} == {k: v for k, (v, _) in snapshot(root).items()}


# --------------------------------------------------------------------------- no lost data


LAYOUTS = {
    "crlf-bom": lambda source: codecs.BOM_UTF8 + source.replace("\n", "\r\n").encode("utf-8"),
    "latin-1-cookie-crlf": lambda source: (
        "# -*- coding: latin-1 -*-\r\n# Générateur de gestionnaires, données héritées\r\n"
        + source.replace("\n", "\r\n")
    ).encode("latin-1"),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_crlf_bom_and_latin_1_cookie_files_round_trip(tmp_path, layout):
    encode = LAYOUTS[layout]
    root = make_project(tmp_path / "project")
    target = root / module("split_from_import")
    target.write_bytes(encode((FIXTURES / "split_from_import" / "before.py").read_text(encoding="utf-8")))
    target.chmod(0o640)
    result = ssot("--no-cache", "--fix", "--unsafe-fixes", module("split_from_import"), cwd=root)
    assert text(result.stderr) == ""
    assert target.read_bytes() == encode(expected("split_from_import", unsafe=True).decode("utf-8"))
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in target.parent.iterdir() if p.name.startswith(".")) == []  # no temporary file left


def test_stdin_round_trips_a_latin_1_crlf_file(tmp_path):
    encode = LAYOUTS["latin-1-cookie-crlf"]
    root = make_project(tmp_path / "project")
    source = encode((FIXTURES / "module_moved" / "before.py").read_text(encoding="utf-8"))
    result = ssot("--no-cache", "--fix", "--stdin-filename", module("module_moved"), cwd=root, stdin=source)
    assert result.stdout == encode(expected("module_moved", unsafe=False).decode("utf-8"))


REFUSING = """[tool.ssot]
[[tool.ssot.patterns]]
code = "SSOT190"
pattern = 'legacy_call($$$ARGS)'
message = "call canonical_call"
fix = 'canonical_call($$$ARGS'
"""


def test_a_fix_that_would_break_the_file_is_refused_reported_and_the_file_left_unchanged(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text(REFUSING, encoding="utf-8")
    original = (
        "from netra_backend.app.websocket_core import legacy_call, canonical_call\r\n"
        "\r\n"
        "result = legacy_call(1, 2)\r\n"
    ).encode()
    (root / "service.py").write_bytes(original)
    (root / "other.py").write_bytes(b"value = 1\n")
    for path in root.glob("*.py"):
        os.utime(path, ns=(OLD, OLD))
    before = snapshot(root)
    refusal = (
        "error: service.py: the fix for SSOT190 on line 3 would make the file invalid Python "
        "(line 3: '(' was never closed); nothing was changed\n"
    )
    result = ssot("--no-cache", "--fix", "--unsafe-fixes", "--output-format", "concise", cwd=root)
    assert text(result.stderr) == refusal
    assert snapshot(root) == before  # byte for byte, and not even rewritten
    assert sorted(os.listdir(root)) == ["other.py", "pyproject.toml", "service.py"]
    assert text(result.stdout) == (
        "service.py:3:10: SSOT190 call canonical_call\nFound 1 error.\n[*] 1 fixable with the `--fix` option.\n"
    )
    assert result.returncode == 1
    diff = ssot("--no-cache", "--diff", "--unsafe-fixes", cwd=root)
    assert (diff.returncode, diff.stdout) == (0, b"")
    assert text(diff.stderr).splitlines()[0] == refusal.rstrip("\n")


# --------------------------------------------------------------------------- parallel, cache, stdin


def test_jobs_1_and_jobs_2_fix_identically(tmp_path):
    one = make_project(tmp_path / "one", copies=6)
    two = make_project(tmp_path / "two", copies=6)
    assert len(snapshot(one)) >= 64  # enough files for worker processes to start
    for unsafe in ((), ("--unsafe-fixes",)):
        first = ssot("--no-cache", "--fix", *unsafe, "--jobs", "1", "--output-format", "concise", cwd=one)
        second = ssot("--no-cache", "--fix", *unsafe, "--jobs", "2", "--output-format", "concise", cwd=two)
        assert (first.returncode, first.stdout, first.stderr) == (second.returncode, second.stdout, second.stderr)
        assert b" fixed, " in first.stdout
        assert {k: v for k, (v, _) in snapshot(one).items()} == {k: v for k, (v, _) in snapshot(two).items()}
    for case in CASES:
        assert (two / module(case)).read_bytes() == expected(case, unsafe=True)
    diff_one = make_project(tmp_path / "diff_one", copies=6)
    diff_two = make_project(tmp_path / "diff_two", copies=6)
    assert ssot("--no-cache", "--diff", "--jobs", "1", cwd=diff_one).stdout == \
        ssot("--no-cache", "--diff", "--jobs", "2", cwd=diff_two).stdout


def test_a_cached_fixable_file_is_still_fixed_and_the_cache_then_holds_the_new_content(tmp_path):
    root = make_project(tmp_path / "project")
    preview = ssot("--diff", cwd=root)  # --diff caches nothing it did not see on disk
    assert preview.returncode == 1
    warm = ssot("--output-format", "concise", cwd=root)  # the old mtimes make entries trusted on stat alone
    assert warm.returncode == 1 and (root / ".ssot_cache").is_dir()
    assert warm.stdout == ssot("--no-cache", "--output-format", "concise", cwd=root).stdout
    fixed = ssot("--fix", "--output-format", "concise", cwd=root)
    assert b" fixed, " in fixed.stdout
    for case in CASES:
        assert (root / module(case)).read_bytes() == expected(case, unsafe=False)
    cached = ssot("--output-format", "concise", cwd=root)
    fresh = ssot("--no-cache", "--output-format", "concise", cwd=root)
    assert cached.stdout == fresh.stdout
    entries = {}
    for cache_file in (root / ".ssot_cache").rglob("*.json"):
        entries.update(json.loads(cache_file.read_text(encoding="utf-8"))["files"])
    content = (root / module("split_from_import")).read_bytes()
    assert entries[module("split_from_import")][2] == hashlib.sha1(content).hexdigest()
    # and a warm --fix over a fixed tree rewrites nothing
    before = snapshot(root)
    time.sleep(0.01)
    ssot("--fix", cwd=root)
    assert snapshot(root) == before


def test_stdin_fix_prints_the_fixed_source_and_reports_on_stderr(tmp_path):
    root = make_project(tmp_path / "project")
    name = module("split_from_import")
    source = (FIXTURES / "split_from_import" / "before.py").read_bytes()
    on_disk = snapshot(root)
    result = ssot("--no-cache", "--fix", "--stdin-filename", name, "--output-format", "concise", cwd=root, stdin=source)
    assert result.stdout == expected("split_from_import", unsafe=False)
    report = text(result.stderr).splitlines()
    assert report[-2:] == [
        "Found 5 errors (2 fixed, 3 remaining).",
        "No fixes available (3 hidden fixes can be enabled with the `--unsafe-fixes` option).",
    ]
    assert all(row.startswith(f"{name}:") for row in report[:-2]) and len(report) == 5
    assert result.returncode == 1
    assert snapshot(root) == on_disk  # standard input never writes the file it is named after
    # with nothing to fix, the source comes back unchanged
    clean = ssot("--no-cache", "--fix", "--stdin-filename", name, cwd=root, stdin=b"import os\n")
    assert (clean.returncode, clean.stdout) == (0, b"import os\n")
    assert text(clean.stderr) == "All checks passed!\n"
    # --diff on standard input: the patch for that one file
    diff = ssot("--no-cache", "--diff", "--unsafe-fixes", "--stdin-filename", name, cwd=root, stdin=source)
    assert diff.returncode == 1
    assert apply_patch({name: source}, diff.stdout)[name] == expected("split_from_import", unsafe=True)
    assert text(diff.stderr) == "Would fix 5 errors.\n"


# --------------------------------------------------------------------------- property


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    case=st.sampled_from(CASES),
    layout=st.sampled_from([None, *sorted(LAYOUTS)]),
    unsafe=st.booleans(),
)
def test_fix_content_is_idempotent_its_diff_applies_and_it_reports_a_fresh_check(case, layout, unsafe):
    source = (FIXTURES / case / "before.py").read_text(encoding="utf-8")
    data = source.encode("utf-8") if layout is None else LAYOUTS[layout](source)
    path = str(FIXTURES / "netra_backend" / "app" / f"{case}.py")
    name = module(case)
    fixed, after = fix_content(data, path, CONFIG, FixMode(unsafe=unsafe, write=True), name)
    assert fixed.fix_error is None
    if layout is None:
        assert after == expected(case, unsafe)
    # what is reported is exactly a check of the fixed content
    assert fixed.diagnostics == check_bytes(after, path, CONFIG).diagnostics
    assert not any(is_fixable(d, unsafe) for d in fixed.diagnostics)
    # fixing the result again changes nothing
    again, same = fix_content(after, path, CONFIG, FixMode(unsafe=unsafe, write=True), name)
    assert same == after and again.fixed == 0
    # --diff computes the same fixes, and its patch turns the file into the fixed one
    preview, _ = fix_content(data, path, CONFIG, FixMode(unsafe=unsafe, write=False), name)
    assert preview.fixed == fixed.fixed and preview.diagnostics == fixed.diagnostics
    assert (preview.diff == b"") == (after == data)
    assert apply_patch({name: data}, preview.diff)[name] == after


def test_warnings_are_counted_apart_and_do_not_fail_the_run_after_fix(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        "[tool.ssot.legacy]\n"
        '"netra_backend.app.websocket_core.compat.utils" = "netra_backend.app.websocket_core.utils"\n'
        '"netra_backend.app.websocket_core.unified_emitter" = '
        '{ use = "netra_backend.app.websocket_core.emitter", severity = "warning", fix = "none" }\n',
        encoding="utf-8",
    )
    (root / "bridge.py").write_text(
        "from netra_backend.app.websocket_core.compat.utils import format_ws_message\n"
        "from netra_backend.app.websocket_core.unified_emitter import UnifiedWebSocketEmitter\n",
        encoding="utf-8",
    )
    result = ssot("--no-cache", "--fix", "--output-format", "concise", cwd=root)
    assert text(result.stdout) == (
        "bridge.py:2:1: SSOT001 [warning] legacy import 'netra_backend.app.websocket_core.unified_emitter': "
        "use 'netra_backend.app.websocket_core.emitter'\n"
        "Found 1 error (1 fixed, 0 remaining) and 1 warning.\n"
    )
    assert result.returncode == 0
    assert (root / "bridge.py").read_text(encoding="utf-8").startswith(
        "from netra_backend.app.websocket_core.utils import format_ws_message\n"
    )


# --------------------------------------------------------------------------- --show-fixes

SHOW_FIXES_PROJECT = {
    "pyproject.toml": (
        "[tool.ssot]\n"
        'src = ["."]\n\n'
        "[tool.ssot.legacy]\n"
        '"netra_backend.app.websocket_core.compat.utils" = "netra_backend.app.websocket_core.utils"\n'
        '"netra_backend.app.websocket_core.factory" = "netra_backend.app.websocket_core.canonical_imports"\n'
        '"netra_backend.app.websocket_core.unified_manager" = '
        '{ use = "netra_backend.app.websocket_core.websocket_manager", fix = "none" }\n'
    ),
    "netra_backend/__init__.py": "",
    "netra_backend/app/__init__.py": "",
    "netra_backend/app/websocket_core/__init__.py": "",
    "netra_backend/app/websocket_core/utils.py": (
        "def format_ws_message(message):\n    return message\n\n\n"
        "def is_websocket_connected(ws):\n    return True\n"
    ),
    "netra_backend/app/websocket_core/canonical_imports.py": "def create_websocket_manager():\n    return None\n",
    "netra_backend/app/routes/__init__.py": "",
    "netra_backend/app/routes/websocket.py": (
        '"""WebSocket routes."""\n\n'
        "from netra_backend.app.websocket_core.compat.utils import format_ws_message, is_websocket_connected  # #1126\n"
        "from netra_backend.app.websocket_core import factory\n"
        "from netra_backend.app.websocket_core.unified_manager import UnifiedManager\n\n\n"
        "def send(ws, message):\n"
        "    if is_websocket_connected(ws):\n"
        "        ws.send(format_ws_message(message))\n"
        "    return factory.create_websocket_manager(), UnifiedManager\n"
    ),
    "netra_backend/app/routes/health.py": (
        "from netra_backend.app.websocket_core.compat.utils import format_ws_message\n\n\n"
        "def health() -> str:\n    return format_ws_message('ok')\n"
    ),
}
ROUTES = "netra_backend/app/routes"
UNSAFE_ROW = re.compile(r"    1 × SSOT001 import from the canonical module.*: unsafe.*; `--unsafe-fixes` applies it")


def check_in_process(capsys, monkeypatch, root: Path, *args: str) -> tuple[int, str, str]:
    """`ssot check ARGS` in this process: (exit code, stdout, stderr)."""
    from flake8_ssot.cli import main

    monkeypatch.chdir(root)
    code = main(["check", "--no-cache", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_show_fixes_after_fix_lists_each_files_fixes_and_why_the_rest_was_not_fixed(tmp_path, capsys, monkeypatch):
    root = projects.write(tmp_path, SHOW_FIXES_PROJECT)
    code, out, _ = check_in_process(capsys, monkeypatch, root, "--fix", "--show-fixes", "--output-format", "concise")
    assert code == 1
    lines = out.splitlines()
    start = lines.index("Fixed 2 errors:")
    assert lines[start - 1] == "" and lines[start:start + 9] == [
        "Fixed 2 errors:",
        f"- {ROUTES}/health.py:",
        "    1 × SSOT001 import from the canonical module (1 edit)",
        f"- {ROUTES}/websocket.py:",
        "    1 × SSOT001 import from the canonical module (1 edit)",
        "Not fixed:",
        f"- {ROUTES}/websocket.py:",
        lines[start + 7],
        "    1 × SSOT001 not fixable",
    ]
    assert UNSAFE_ROW.fullmatch(lines[start + 7]), lines[start + 7]
    assert lines[start + 9:] == ["", "Found 4 errors (2 fixed, 2 remaining).", lines[-1]]
    assert (root / ROUTES / "health.py").read_text().startswith("from netra_backend.app.websocket_core.utils import")
    # -q keeps the listing the user asked for and drops the summary; -s prints nothing
    code, out, _ = check_in_process(capsys, monkeypatch, root, "--fix", "--show-fixes", "-q")
    assert out.splitlines()[-5:] == ["No errors fixed.", "Not fixed:", f"- {ROUTES}/websocket.py:",
                                     out.splitlines()[-2], "    1 × SSOT001 not fixable"]
    assert check_in_process(capsys, monkeypatch, root, "--fix", "--show-fixes", "-s")[1] == ""


def test_show_fixes_without_fix_lists_what_fix_would_apply(tmp_path, capsys, monkeypatch):
    root = projects.write(tmp_path, SHOW_FIXES_PROJECT)
    before = snapshot(root)
    code, out, _ = check_in_process(capsys, monkeypatch, root, "--show-fixes", "--output-format", "concise")
    assert code == 1 and snapshot(root) == before
    listing = out.split("\n\n")[1].splitlines()
    assert listing == [
        "2 errors would be fixed by `--fix`:",
        f"- {ROUTES}/health.py:",
        "    1 × SSOT001 import from the canonical module (1 edit)",
        f"- {ROUTES}/websocket.py:",
        "    1 × SSOT001 import from the canonical module (1 edit)",
    ]
    _, out, _ = check_in_process(capsys, monkeypatch, root, "--show-fixes", "--unsafe-fixes", "-q")
    assert "3 errors would be fixed by `--fix --unsafe-fixes`:" in out.splitlines()
    # a machine format stays parseable: the listing goes to standard error
    _, out, err = check_in_process(capsys, monkeypatch, root, "--show-fixes", "--output-format", "json")
    assert len(json.loads(out)) == 4 and err.splitlines()[0] == "2 errors would be fixed by `--fix`:"


def test_show_fixes_with_diff_keeps_standard_output_a_patch(tmp_path, capsys, monkeypatch):
    root = projects.write(tmp_path, SHOW_FIXES_PROJECT)
    before = snapshot(root)
    code, out, err = check_in_process(capsys, monkeypatch, root, "--diff", "--show-fixes")
    assert code == 1 and snapshot(root) == before
    assert out.startswith(f"--- {ROUTES}/health.py\n") and "Would fix" not in out
    lines = err.splitlines()
    assert lines[:3] == ["Would fix 2 errors:", f"- {ROUTES}/health.py:",
                         "    1 × SSOT001 import from the canonical module (1 edit)"]
    assert "Would not fix:" in lines and lines[-1].startswith("Would fix 2 errors (1 additional fix")


def test_show_fixes_counts_each_fixs_edits_once_and_names_conflicting_edits():
    """A fix shared by the names of one statement counts its edits once; a fix with several
    edits (an import and the renamed uses) counts them all; a fixable violation left after
    --fix was crowded out by another fix's edits."""
    from flake8_ssot.checking.fixing import FixResult, applied_fixes, show_fixes
    from flake8_ssot.diagnostic import Diagnostic, Edit, Fix
    from flake8_ssot.span import Span

    def edit(line: int) -> Edit:
        return Edit(Span(line, 0, line, 4), "new")

    shared = Fix((edit(1),), description="import from the canonical module")
    renaming = Fix((edit(2), edit(7), edit(9)), description="import from the canonical module, renaming 'a' to 'b'")
    resolved = [Diagnostic("SSOT001", "m", Span(1, 0, 1, 4), fix=shared),
                Diagnostic("SSOT001", "m", Span(1, 6, 1, 9), fix=shared),
                Diagnostic("SSOT001", "m", Span(2, 0, 2, 4), fix=renaming)]
    crowded = Diagnostic("SSOT004", "m", Span(3, 0, 3, 4), fix=Fix((edit(3),), description="use 'b.c'"))
    result = FixResult("/p/app.py", diagnostics=(crowded,), fixed=3, applied=applied_fixes(resolved))
    assert show_fixes([result], FixMode(), False, "/p") == [
        "Fixed 3 errors:",
        "- app.py:",
        "    2 × SSOT001 import from the canonical module (1 edit)",
        "    1 × SSOT001 import from the canonical module, renaming 'a' to 'b' (3 edits)",
        "Not fixed:",
        "- app.py:",
        "    1 × SSOT004 use 'b.c': conflicting edits (another fix changes the same text)",
    ]
