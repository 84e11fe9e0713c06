"""`ssot check --add-noqa`: a `# noqa: CODE` on every current violation, as ruff's option.

The comment is the one the language server's "Add # noqa" action inserts (`engine.noqa.noqa_edit`):
codes already listed in a `# noqa: X` are kept and the new one appended. A violation a comment
already silences is left as it is, so a second run changes nothing.
"""

from __future__ import annotations

from typing import Sequence

from flake8_ssot.checking.runner import FileResult
from flake8_ssot.diagnostic import Diagnostic
from flake8_ssot.engine.noqa import filter_noqa, noqa_edit
from flake8_ssot.files import SourceError, decode, read_bytes, write_atomic
from flake8_ssot.fixes import apply_edits, newline_of
from flake8_ssot.span import split_lines


def with_noqa(text: str, diagnostics: Sequence[Diagnostic]) -> tuple[str, int]:
    """`text` with a noqa comment for each diagnostic, and how many were added. One edit at a
    time: two codes on one line share one comment."""
    newline, added = newline_of(text), 0
    for diagnostic in sorted(diagnostics, key=Diagnostic.sort_key):
        if not filter_noqa([diagnostic], text):
            continue  # silenced already (by an earlier code of this run, or by the user)
        text = apply_edits(text, [noqa_edit(text, split_lines(text), diagnostic)], newline)
        added += 1
    return text, added


def add_noqa(results: Sequence[FileResult]) -> tuple[int, list[tuple[str, str]]]:
    """Write the comments into the checked files; (how many added, [(path, why not)]). A file
    that does not parse is left alone: a comment could land inside a broken string."""
    added, errors = 0, []
    for result in results:
        if not result.diagnostics or result.syntax_error is not None or result.error is not None:
            continue
        try:
            data = read_bytes(result.path)
            text, encoding = decode(data)
            changed, count = with_noqa(text, result.diagnostics)
            if count:
                write_atomic(result.path, changed.encode(encoding), in_place=True, expected=data)
                added += count
        except (OSError, SourceError, UnicodeEncodeError) as error:
            errors.append((result.path, f"cannot add noqa comments: {error}"))
    return added, errors
