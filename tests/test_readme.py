"""The README cannot drift from the code: its rule table is generated from the rules'
docstrings, and CI (.ci/run) runs exactly the test command the README opens with."""

from __future__ import annotations

import re
from pathlib import Path

from flake8_ssot.rules import docs

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_rule_table_is_the_generated_one():
    match = re.search(r"<!-- rules-table:start -->\n(.*?)<!-- rules-table:end -->", README, re.S)
    assert match, "README.md lost its rules-table markers"
    assert match.group(1) == docs.rule_table(), (
        "README.md's rule table is stale: paste the output of "
        "`python -c 'from flake8_ssot.rules.docs import rule_table; print(rule_table())'`"
    )


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    run, test = blocks[0].strip(), blocks[1].strip()
    assert run.startswith("pip install . && ssot check examples/")
    assert test == "pip install -e '.[test]' && pytest"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in [line.strip() for line in ci.splitlines()], ".ci/run must run the README's test command as written"


def _anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings (duplicates get -1, -2, ...)."""
    found: set[str] = set()
    for heading in re.findall(r"^#{1,6} +(.+?)\s*$", markdown, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        anchor, count = slug, 0
        while anchor in found:
            count += 1
            anchor = f"{slug}-{count}"
        found.add(anchor)
    return found


def test_docs_rules_md_is_the_generated_reference():
    written = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert written == docs.rules_reference(), (
        "docs/rules.md is stale: python -c 'from flake8_ssot.rules.docs import rules_reference; "
        "print(rules_reference(), end=\"\")' > docs/rules.md"
    )
    for doc in docs.builtin_docs():
        assert f"## {doc.code} {doc.name}\n" in written
        assert doc.sections["What it does"] in written


def test_every_rule_link_lands_on_a_heading_of_its_text():
    """The links editors (`ssot server`), SARIF viewers, the README table and docs/rules.md's
    own contents give each code: the project's address, then an anchor that exists."""
    rules_md = _anchors((ROOT / "docs" / "rules.md").read_text(encoding="utf-8"))
    readme = _anchors(README)
    for code in ["SSOT001", "SSOT002", "SSOT003", "SSOT004", "SSOT005", "SSOT101", "SSOT899", "SSOT000"]:
        url = docs.rule_url(code)
        if code == "SSOT000":
            assert url == f"{docs.PROJECT_URL}#{docs.POLICY_ANCHOR}" and docs.POLICY_ANCHOR in readme
            continue
        page, _, anchor = url.partition("#")
        assert page == f"{docs.PROJECT_URL}/blob/main/docs/rules.md", url
        assert anchor in rules_md, url
    assert docs.rule_url("SSOT101") == docs.rule_url("SSOT1xx-SSOT8xx")
    for target in re.findall(r"\]\(docs/rules\.md#([\w-]+)\)", README):
        assert target in rules_md, target
    for target in re.findall(r"\]\(#([\w-]+)\)", (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")):
        assert target in rules_md, target


def test_pyproject_names_the_same_project_address():
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
    assert urls["Repository"] == docs.PROJECT_URL
    assert urls["Documentation"] == f"{docs.PROJECT_URL}/blob/main/docs/rules.md"
    assert f"repo: {docs.PROJECT_URL}" in README  # the pre-commit snippet
