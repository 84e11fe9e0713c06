"""`ssot check --fix / --unsafe-fixes / --diff`: the fix engine (`fixes/`) applied to the files
the command line found, or to standard input, and what the summary says about fixes.

A file is first checked as `ssot check` would check it; only when a diagnostic carries a fix
that applies (safe, or unsafe with `--unsafe-fixes`) is the file fixed, so files with nothing to
fix are never rewritten. The fixed content is checked again, and that check is what gets
reported and cached: a `--fix` run reports what remains, exactly as the next `ssot check` will.
Fixing happens in the worker process that checked the file, so `--jobs` changes nothing but
the speed. `--diff` computes the same fixes and writes nothing.
"""

from __future__ import annotations

import codecs
import dataclasses
import os
from dataclasses import dataclass
from typing import Callable, Iterable, NamedTuple, Sequence

from flake8_ssot.checking.runner import FileResult, check_bytes
from flake8_ssot.config import Config
from flake8_ssot.diagnostic import Diagnostic, count_fixable, is_fixable
from flake8_ssot.files import SourceError, decode, read_bytes
from flake8_ssot.paths import display_path


@dataclass(frozen=True)
class FixMode:
    """What the command line asked for: `--fix` (write) or `--diff` (write nothing)."""

    unsafe: bool = False  # --unsafe-fixes
    write: bool = True  # False for --diff

    @classmethod
    def from_args(cls, fix: bool, unsafe_fixes: bool, diff: bool) -> FixMode | None:
        """None unless `--fix` or `--diff` was given; `--diff` wins over `--fix`, as in ruff."""
        if not (fix or diff):
            return None
        return cls(unsafe=unsafe_fixes, write=not diff)


class Applied(NamedTuple):
    """One diagnostic an applied fix resolved, as `--show-fixes` lists it."""

    code: str
    title: str  # the fix's own description ("import from the canonical module, renaming ...")
    edits: int  # the text edits of its fix (renamed uses included); 0 when an earlier diagnostic shared the fix


@dataclass(frozen=True)
class FixResult(FileResult):
    """A checked file after fixing: `diagnostics` are what remains in the fixed content."""

    fixed: int = 0  # diagnostics the applied fixes resolved
    diff: bytes = b""  # --diff: the unified diff, in the file's encoding (empty when nothing changes)
    fix_error: str | None = None  # the fixes were refused or could not be written; file unchanged
    written: bool = False  # the file on disk was rewritten
    applied: tuple[Applied, ...] = ()  # what the fixes resolved, for --show-fixes


def applied_fixes(diagnostics: Iterable[Diagnostic]) -> tuple[Applied, ...]:
    """Each diagnostic with its fix's title, and the fix's edits counted once for the
    diagnostics that share it (the names of one import statement)."""
    seen: set = set()
    applied = []
    for diagnostic in diagnostics:
        fix = diagnostic.fix
        if fix is None:
            continue
        applied.append(Applied(diagnostic.code, fix.description, 0 if fix in seen else len(fix.edits)))
        seen.add(fix)
    return tuple(applied)


def _as_fix_result(result: FileResult, **changes) -> FixResult:
    fields = {field.name: getattr(result, field.name) for field in dataclasses.fields(FileResult)}
    return FixResult(**fields, **changes)


def fix_content(
    data: bytes, path: str, config: Config, mode: FixMode, name: str
) -> tuple[FixResult, bytes]:
    """Check `data` as `path` and fix what `mode` allows: (result, content after the fixes).

    The result's diagnostics are those of the content returned; `name` heads the diff.
    """
    # The fix engine (and the engine under it) is loaded only when something is fixed.
    from flake8_ssot.fixes import fix_bytes

    checked = check_bytes(data, path, config, digest=True)
    if (
        checked.error is not None
        or checked.syntax_error is not None  # the engine never fixes a file that does not parse
        or not any(is_fixable(d, mode.unsafe) for d in checked.diagnostics)
    ):
        return _as_fix_result(checked), data
    from flake8_ssot.index import index_for

    # Checked as check_bytes decided: it found something to fix (in a file that may spell only
    # a renamed class name, which the engine's own prefilter does not know).
    outcome = fix_bytes(data, path, config, mode.unsafe, index=index_for(config.src), prefilter=False)
    if outcome.error is not None:  # refused (would not parse), or not encodable: nothing changes
        return _as_fix_result(checked, fix_error=outcome.error), data
    if not outcome.changed:
        return _as_fix_result(checked), data
    remaining = check_bytes(outcome.after, path, config, digest=True)
    diff = b"" if mode.write else _diff_bytes(data, outcome.before_text, outcome.after_text, name)
    applied = applied_fixes(outcome.applied)
    return _as_fix_result(remaining, fixed=outcome.fixed, diff=diff, applied=applied), outcome.after


def _diff_bytes(data: bytes, before: str, after: str, name: str) -> bytes:
    """The diff in the file's own bytes (encoding, BOM on the first line), so `patch` applies it."""
    from flake8_ssot.fixes import unified_diff

    encoding = decode(data, cr_line_breaks=True)[1]  # as `fix_bytes` decoded it
    if data.startswith(codecs.BOM_UTF8):
        before, after, encoding = "\ufeff" + before, "\ufeff" + after, "utf-8"
    return unified_diff(before, after, name).encode(encoding, errors="backslashreplace")


def fix_path(
    path: str, config: Config, digest: bool = True, *, mode: FixMode, cwd: str, inside: Sequence[str] = ()
) -> FixResult:
    """Read, fix and (with `--fix`) atomically rewrite one file: the runner's check function.

    `inside`: the checked paths, resolved; a file whose resolved path lies under none of them
    (a symbolic link out of the tree) is checked but never written. Empty: no such limit.
    """
    try:
        data = read_bytes(path)
    except SourceError as error:
        return FixResult(path, error=str(error))
    result, after = fix_content(data, path, config, mode, display_path(path, cwd))
    if not mode.write or after == data:
        return result
    refusal = outside(path, inside)
    if refusal is None:
        # Loaded already: `fix_content` fixed something.
        from flake8_ssot.fixes import write_atomic

        try:
            write_atomic(path, after, expected=data)
            return dataclasses.replace(result, written=True)
        except SourceError as error:
            refusal = str(error)
    unchanged = check_bytes(data, path, config, digest=True)
    return _as_fix_result(unchanged, fix_error=refusal)


def outside(path: str, inside: Sequence[str]) -> str | None:
    """Why `--fix` must not write `path`: it resolves outside every one of `inside`; else None."""
    if not inside:
        return None
    resolved = os.path.realpath(path)
    for top in inside:
        if resolved == top or resolved.startswith(top.rstrip(os.sep) + os.sep):
            return None
    return f"not fixed: the file resolves outside the checked paths (to {resolved})"


def has_fixes(result: FileResult, unsafe: bool) -> bool:
    """Would fixing change this file? (Files that do not parse are never fixed.)"""
    return result.syntax_error is None and any(is_fixable(d, unsafe) for d in result.diagnostics)


# --------------------------------------------------------------------------- reporting


def fix_marks(unsafe: bool) -> Callable[[FileResult, Diagnostic], bool]:
    """Which diagnostics the `full` and `concise` formats mark with `[*]` (fixable by `--fix`)."""

    def marked(result: FileResult, diagnostic: Diagnostic) -> bool:
        return result.syntax_error is None and is_fixable(diagnostic, unsafe)

    return marked


def fixed_count(results: Iterable[FileResult]) -> int:
    return sum(getattr(result, "fixed", 0) for result in results)


def fix_counts(results: Iterable[FileResult], unsafe: bool) -> tuple[int, int]:
    """(fixable now, fixable only with --unsafe-fixes) among the diagnostics reported."""
    fixable = hidden = 0
    for result in results:
        if result.syntax_error is None:
            now, later = count_fixable(result.diagnostics, unsafe)
            fixable, hidden = fixable + now, hidden + later
    return fixable, hidden


def _fixes(count: int) -> str:
    return "fix" if count == 1 else "fixes"


def found_line(remaining: int, fixed: int, warnings: int = 0) -> str:
    """`Found 5 errors (3 fixed, 2 remaining).`, ruff's first summary line after `--fix`;
    warnings (which do not fail the run) are counted apart: `... remaining) and 1 warning.`"""
    total = remaining + fixed
    line = f"Found {total} error{'' if total == 1 else 's'} ({fixed} fixed, {remaining} remaining)"
    return line + (f" and {warnings} warning{'' if warnings == 1 else 's'}." if warnings else ".")


def hint_line(results: Sequence[FileResult], unsafe: bool) -> str | None:
    """The summary line about fixes still available, worded as ruff words it; None if none are."""
    fixable, hidden = fix_counts(results, unsafe)
    if unsafe:
        return f"[*] {fixable} fixable with the `--fix` option." if fixable else None
    if fixable and hidden:
        verb = "fix is" if hidden == 1 else "fixes are"
        return (f"[*] {fixable} fixable with the `--fix` option "
                f"({hidden} hidden {verb} available with the `--unsafe-fixes` option).")
    if fixable:
        return f"[*] {fixable} fixable with the `--fix` option."
    if hidden:
        return f"No fixes available ({hidden} hidden {_fixes(hidden)} can be enabled with the `--unsafe-fixes` option)."
    return None


def diff_summary(results: Sequence[FileResult], unsafe: bool) -> str:
    """`--diff`'s one summary line: `Would fix 3 errors (1 additional fix available with ...).`"""
    fixed = fixed_count(results)
    _, hidden = fix_counts(results, unsafe)
    more = f" ({hidden} additional {_fixes(hidden)} available with `--unsafe-fixes`)" if hidden and not unsafe else ""
    if fixed:
        return f"Would fix {fixed} error{'' if fixed == 1 else 's'}{more}."
    if more:
        return f"No errors would be fixed ({hidden} {_fixes(hidden)} available with `--unsafe-fixes`)."
    return "No errors would be fixed."


def fix_errors(results: Iterable[FileResult]) -> Iterable[tuple[str, str]]:
    """(path, why) of every file whose fixes were refused or could not be written."""
    for result in results:
        error = getattr(result, "fix_error", None)
        if error is not None:
            yield result.path, error


def diffs(results: Iterable[FileResult]) -> bytes:
    """The `--diff` output: every file's diff, in the order the files were reported."""
    return b"".join(getattr(result, "diff", b"") for result in results)


# --------------------------------------------------------------------------- --show-fixes

UNSAFE_MARK = " (unsafe: "  # how a rule's fix title gives the reason it is unsafe


def show_fixes(results: Sequence[FileResult], mode: FixMode | None, unsafe: bool, cwd: str) -> list[str]:
    """`--show-fixes`, as ruff's: per file, each fix title with how many violations it resolved
    and how many text edits it made. After `--fix` (or `--diff`, which would write the same),
    what was fixed and, for what was not, why (unsafe and why, conflicting edits, not
    fixable); without either, the fixes `--fix` would apply."""
    if mode is None:
        would = {result.path: applied_fixes(d for d in result.diagnostics if is_fixable(d, unsafe))
                 for result in results if result.syntax_error is None}
        total = sum(len(applied) for applied in would.values())
        option = "`--fix --unsafe-fixes`" if unsafe else "`--fix`"
        head = f"{_errors(total)} would be fixed by {option}:" if total else f"No errors would be fixed by {option}."
        return [head, *_listing(cwd, ((path, _fixed_rows(applied)) for path, applied in would.items()))]
    fixed = fixed_count(results)
    verb = "Fixed" if mode.write else "Would fix"
    nothing = "No errors fixed." if mode.write else "No errors would be fixed."
    lines = [f"{verb} {_errors(fixed)}:" if fixed else nothing]
    lines += _listing(cwd, ((r.path, _fixed_rows(getattr(r, "applied", ()))) for r in results))
    left = [(r.path, _left_rows(r, mode.unsafe)) for r in results]
    if any(rows for _, rows in left):
        lines += ["Not fixed:" if mode.write else "Would not fix:", *_listing(cwd, left)]
    return lines


def _errors(count: int) -> str:
    return f"{count} error{'' if count == 1 else 's'}"


def _listing(cwd: str, files: Iterable[tuple[str, list[str]]]) -> list[str]:
    lines = []
    for path, rows in files:
        if rows:
            lines.append(f"- {display_path(path, cwd)}:")
            lines += [f"    {row}" for row in rows]
    return lines


def _fixed_rows(applied: Iterable[Applied]) -> list[str]:
    groups: dict[tuple[str, str], list[int]] = {}
    for item in applied:
        counts = groups.setdefault((item.code, item.title), [0, 0])
        counts[0] += 1
        counts[1] += item.edits
    return [f"{count} × {code} {title or 'fix'} ({edits} edit{'' if edits == 1 else 's'})"
            for (code, title), (count, edits) in sorted(groups.items())]


def _left_rows(result: FileResult, unsafe: bool) -> list[str]:
    """Why each violation left after fixing was not fixed, grouped: `2 × SSOT002 not fixable`."""
    groups: dict[tuple[str, str], int] = {}
    for diagnostic in result.diagnostics:
        key = (diagnostic.code, _why_not_fixed(result, diagnostic, unsafe))
        groups[key] = groups.get(key, 0) + 1
    return [f"{count} × {code} {why}" for (code, why), count in sorted(groups.items())]


def _why_not_fixed(result: FileResult, diagnostic: Diagnostic, unsafe: bool) -> str:
    """`TITLE: REASON`, or `not fixable` for a violation no fix can resolve."""
    fix = diagnostic.fix
    if fix is None or not fix.edits:
        return "not fixable"
    title, mark, reason = (fix.description or "fix").partition(UNSAFE_MARK)
    if result.syntax_error is not None:
        return f"{title}: not applied, the file does not parse"
    if not is_fixable(diagnostic, unsafe):
        why = f"unsafe ({reason[:-1]})" if mark and reason.endswith(")") else "unsafe"
        return f"{title}: {why}; `--unsafe-fixes` applies it"
    if getattr(result, "fix_error", None) is not None:
        return f"{title}: not applied (see the error above)"
    return f"{title}: conflicting edits (another fix changes the same text)"
