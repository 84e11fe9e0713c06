"""Expected diagnostics marked in fixture files: a trailing `# SSOT001` (or `# SSOT001 SSOT004`)."""

from __future__ import annotations

import io
import re
import tokenize
from collections import Counter
from pathlib import Path

MARKER = re.compile(r"^#\s*((?:SSOT\d{3}\s*)+)$")
FIXTURES = Path(__file__).parent / "fixtures"


def expected(path: Path) -> Counter:
    """(line, code) -> count, read from the comments of a file (tokenize, so strings never count)."""
    found: Counter = Counter()
    text = path.read_text(encoding="utf-8")
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
        comments = [(t.start[0], t.string) for t in tokens if t.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError):
        # a deliberately broken file: fall back to the last `#` on each line
        comments = [(n, "#" + line.rsplit("#", 1)[1]) for n, line in enumerate(text.splitlines(), 1) if "#" in line]
    for line, comment in comments:
        match = MARKER.match(comment.strip())
        if match:
            for code in match.group(1).split():
                found[(line, code)] += 1
    return found


def actual(diagnostics) -> Counter:
    return Counter((d.line, d.code) for d in diagnostics)


def fixture_projects() -> list[Path]:
    """Every directory under tests/fixtures holding a pyproject.toml is a project to check."""
    return sorted(p.parent for p in FIXTURES.rglob("pyproject.toml"))


def python_files(project: Path) -> list[Path]:
    return sorted(p for p in project.rglob("*.py") if "__pycache__" not in p.parts)


def describe(path: Path, missing: Counter, extra: Counter, diagnostics) -> str:
    lines = [f"{path}:"]
    for (line, code), count in sorted(missing.items()):
        lines.append(f"  missing {code} on line {line} (x{count})")
    for (line, code), count in sorted(extra.items()):
        message = next((d.message for d in diagnostics if (d.line, d.code) == (line, code)), "")
        lines.append(f"  unexpected {code} on line {line}: {message}")
    return "\n".join(lines)
