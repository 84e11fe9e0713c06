"""The plugin's own source passes flake8 under the repository's setup.cfg (max-line-length 120,
E203 ignored): a flake8 plugin that fails flake8 is a poor advertisement, and findings left to
pile up are never fixed.

flake8 runs in this process, one job (~7 s of CPU for src/, about as much as a subprocess with
its own pool: the suite's workers already keep both cores busy). Our own plugin runs too: src/
has no [tool.ssot] policy, so it stops at the empty configuration and costs nothing measurable.
"""

from __future__ import annotations

from pathlib import Path

from flake8.api import legacy
from flake8.main.options import JobsArgument

ROOT = Path(__file__).resolve().parent.parent


def test_src_has_no_flake8_findings(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)  # flake8 finds setup.cfg (and its excludes) from the current directory
    report = legacy.get_style_guide(jobs=JobsArgument("1")).check_files(["src"])
    findings = capsys.readouterr().out  # flake8 prints each finding to standard output
    assert report.total_errors == 0, f"flake8 src/ (setup.cfg's settings) reports {report.total_errors}:\n{findings}"
