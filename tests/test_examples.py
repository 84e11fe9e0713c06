"""examples/README.md shows the exact output of `ssot check examples/monorepo`: keep it so."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from projects import ssot

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```console\n(.*?)```", DOC, re.S)


def ssot_check(*args: str) -> subprocess.CompletedProcess:
    return ssot("check", "--no-cache", "examples/monorepo", *args, cwd=ROOT)


@pytest.mark.parametrize("args, block", [(("--statistics",), 0), ((), 1)], ids=["statistics", "full"])
def test_examples_readme_shows_the_real_output(args, block):
    result = ssot_check(*args)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    assert BLOCKS[block] == result.stdout, "examples/README.md is stale: paste the new output of ssot check"


def test_the_totals_sentence_matches_the_statistics():
    by_code = re.findall(r"^\s+(\d+)\s+(SSOT\d{3})\s+[a-z-]+$", BLOCKS[0], re.M)
    counts = {code: int(n) for n, code in by_code}
    total = sum(counts.values())
    sentence = re.search(r"In all: (\d+) findings \(([^)]*)\)", DOC)
    assert sentence and int(sentence.group(1)) == total
    assert {code: int(n) for n, code in re.findall(r"(\d+) (SSOT\d{3})", sentence.group(2))} == counts
