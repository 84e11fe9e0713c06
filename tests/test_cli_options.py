"""Issue #17: the options of `ssot check` that ruff has (SARIF fingerprints, --show-files,
--show-settings, --add-noqa, --config KEY = VALUE, --verbose)."""

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
