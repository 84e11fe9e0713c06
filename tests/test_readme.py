"""The README cannot drift from the code: its rule table is generated from the rules'
docstrings, and CI (.ci/run) runs exactly the test command the README opens with."""

from __future__ import annotations

import re
from pathlib import Path

from flake8_ssot import docs

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_rule_table_is_the_generated_one():
    match = re.search(r"<!-- rules-table:start -->\n(.*?)<!-- rules-table:end -->", README, re.S)
    assert match, "README.md lost its rules-table markers"
    assert match.group(1) == docs.rule_table(), (
        "README.md's rule table is stale: paste the output of "
        "`python -c 'from flake8_ssot.docs import rule_table; print(rule_table())'`"
    )


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    run, test = blocks[0].strip(), blocks[1].strip()
    assert run.startswith("pip install . && ssot check examples/")
    assert test == "pip install -e '.[test]' && pytest"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in [line.strip() for line in ci.splitlines()], ".ci/run must run the README's test command as written"
