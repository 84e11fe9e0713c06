"""The README and docs/ cannot drift from the code: the rule table is generated from the
rules' docstrings, CI (.ci/run) runs exactly the test command the README opens with, the
example run shows real output, every `[tool.ssot]` snippet loads, and every link lands."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_ssot.config import ConfigError, load_config
from flake8_ssot.rules import docs

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
LINKED_PAGES = [path for path in [*PAGES, ROOT / "CONTRIBUTING.md", ROOT / "examples" / "README.md"] if path.exists()]
# Put this comment on the line before a ```toml block that is wrong on purpose: the block must
# then fail to load, instead of load.
INVALID_MARK = "<!-- invalid-config -->"
FENCE = re.compile(r"^(`{3,})([^\n`]*)\n(.*?)^\1[ \t]*$", re.S | re.M)


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _prose(markdown: str) -> str:
    """The Markdown without its fenced code blocks (headings and links there are code)."""
    return FENCE.sub("", markdown)


def test_readme_rule_table_is_the_generated_one():
    match = re.search(r"<!-- rules-table:start -->\n(.*?)<!-- rules-table:end -->", README, re.S)
    assert match, "README.md lost its rules-table markers"
    assert match.group(1) == docs.rule_table(), (
        "README.md's rule table is stale: paste the output of "
        "`python -c 'from flake8_ssot.rules.docs import rule_table; print(rule_table())'`"
    )


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second():
    title, _, rest = README.partition("\n\n")
    assert title.startswith("# ") and rest.startswith("```sh\n"), "README.md must start with its two commands"
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    run, test = blocks[0].strip(), blocks[1].strip()
    assert run.startswith("pip install . && ssot check examples/")
    assert test == "pip install -e '.[test]' && pytest -n auto --dist loadfile"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in [line.strip() for line in ci.splitlines()], ".ci/run must run the README's test command as written"


def _anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings (duplicates get -1, -2, ...)."""
    found: set[str] = set()
    for heading in re.findall(r"^#{1,6} +(.+?)\s*$", _prose(markdown), re.M):
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
    ci = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert f"repo: {docs.PROJECT_URL}" in ci  # the pre-commit snippet


def test_the_pre_commit_snippet_names_hooks_this_repository_offers():
    offered = re.findall(r"^- id: (\S+)$", (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"), re.M)
    used = re.findall(r"^\s+- id: (\S+)$", (ROOT / "docs" / "ci.md").read_text(encoding="utf-8"), re.M)
    assert used and set(used) <= set(offered), (used, offered)


# --------------------------------------------------------------------------- links


def _links(markdown: str) -> list[str]:
    """Link targets in the prose: not in code blocks, not in `inline code`."""
    prose = re.sub(r"(`+).*?\1", "", _prose(markdown), flags=re.S)
    return re.findall(r"\]\(([^)\s]+)\)", prose)


@pytest.mark.parametrize("page", LINKED_PAGES, ids=_name)
def test_every_relative_link_and_anchor_lands(page: Path):
    markdown = page.read_text(encoding="utf-8")
    broken = []
    for target in _links(markdown):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:: not ours to check
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target}: no such file")
        elif anchor and (file.suffix != ".md" or anchor not in _anchors(file.read_text(encoding="utf-8"))):
            broken.append(f"{target}: no heading with anchor #{anchor}")
    assert not broken, f"{_name(page)}: " + "; ".join(broken)


def test_the_link_checker_sees_links_and_anchors():
    """The check above would pass vacuously if `_links` found nothing."""
    links = [target for page in PAGES for target in _links(page.read_text(encoding="utf-8"))]
    assert "docs/configuration.md" in links and "fixes.md#fixing-ssot-check---fix" in links
    assert _links("`[a](b.md)` and\n```\n[c](d.md)\n```\n[e](f.md#g)") == ["f.md#g"]
    assert _anchors("# A `x.y` b\n## A x.y b\n```\n# not a heading\n```") == {"a-xy-b", "a-xy-b-1"}


# --------------------------------------------------------------------------- config snippets


def _tool_ssot_blocks(markdown: str) -> list[tuple[str, bool]]:
    """Each ```toml block that configures `[tool.ssot]`, and whether it is marked invalid."""
    blocks = []
    for match in FENCE.finditer(markdown):
        if match.group(2).strip() != "toml" or not re.search(r"^\[{1,2}tool\.ssot[\].]", match.group(3), re.M):
            continue  # not TOML, or another tool's (Helix's languages.toml)
        blocks.append((match.group(3), markdown[: match.start()].rstrip().endswith(INVALID_MARK)))
    return blocks


def _config_snippets() -> list:
    return [
        pytest.param(toml, invalid, id=f"{_name(page)}:toml{number}")
        for page in PAGES
        for number, (toml, invalid) in enumerate(_tool_ssot_blocks(page.read_text(encoding="utf-8")))
    ]


SNIPPETS = _config_snippets()


@pytest.mark.parametrize("toml, invalid", SNIPPETS)
def test_every_tool_ssot_snippet_loads(toml: str, invalid: bool, tmp_path: Path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(toml, encoding="utf-8")
    if invalid:
        with pytest.raises(ConfigError):
            load_config(str(pyproject))
    else:
        config = load_config(str(pyproject))
        assert config.file == str(pyproject)


def test_the_snippets_include_the_readme_policy_and_every_docs_page_with_config():
    ids = [snippet.id for snippet in SNIPPETS]
    assert any(id_.startswith("README.md:") for id_ in ids)
    for page in ("configuration.md", "patterns.md", "baselines.md", "rules.md"):
        assert any(id_.startswith(f"docs/{page}:") for id_ in ids), page
    marked = f"{INVALID_MARK}\n```toml\n[tool.ssot]\nfixx = 1\n```\n```toml\n[tool.other]\n```\n```toml\n[tool.ssot.legacy]\n```"
    assert _tool_ssot_blocks(marked) == [("[tool.ssot]\nfixx = 1\n", True), ("[tool.ssot.legacy]\n", False)]


# --------------------------------------------------------------------------- the example run


def test_readme_example_run_shows_the_real_output():
    """The README's example run is its first command on examples/, and its output is real."""
    runs = re.findall(r"```console\n\$ (ssot check examples/[^\n]*)\n(.*?)```", README, re.S)
    assert len(runs) == 1, "README.md should show one example run: ```console, then $ ssot check examples/..."
    command, shown = runs[0]
    first = re.findall(r"```sh\n(.*?)\n```", README, re.S)[0]
    assert command.startswith(first.split("&&")[1].strip()), (command, first)
    args = shlex.split(command)[1:]
    env = {**os.environ, "PYTHONUTF8": "1"}
    result = subprocess.run([sys.executable, "-m", "flake8_ssot", args[0], "--no-cache", *args[1:]],
                            cwd=ROOT, capture_output=True, encoding="utf-8", env=env, timeout=120)
    assert result.returncode == 1, result.stderr
    assert shown == result.stdout, "README.md's example run is stale: paste the new output of " + command


# --------------------------------------------------------------------------- architecture


def test_architecture_page_shows_the_layers_contract_and_every_package():
    """docs/architecture.md draws the layers of pyproject.toml's contract and says what each
    package or module owns: a new one (tests/test_layers.py makes it join the contract) needs
    its row here too."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    contract = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = [[name.strip().removeprefix("flake8_ssot.") for name in layer.split("|")]
              for layer in contract["contracts"][0]["layers"]]
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawn = re.search(r"## The layers contract\n.*?```text\n(.*?)```", page, re.S)
    assert drawn, "docs/architecture.md lost its drawing of the layers"
    assert drawn.group(1) == "".join(" | ".join(layer) + "\n" for layer in layers)
    package = ROOT / "src" / "flake8_ssot"
    for name in (name for layer in layers for name in layer):
        row = f"| `{name}/` |" if (package / name).is_dir() else f"| `{name}.py` |"
        assert row in page, f"docs/architecture.md has no row for {row}"
