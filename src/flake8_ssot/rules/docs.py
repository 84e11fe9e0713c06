"""Rule documentation, read from each rule module's docstring (its only copy): `ssot rule`,
SARIF rule help, the README's rule table and `docs/rules.md` (which editors and SARIF
viewers link to) are all rendered from here.

A docstring starts with "CODE name: summary", then Markdown sections (`## What it does`,
`## Why is this bad?`, `## Example`, `## Use instead`, `## Options`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from types import ModuleType
from typing import Mapping

from flake8_ssot.config import Config, PatternRule, inline_toml
from flake8_ssot.rules import RULES
from flake8_ssot.rules import patterns as pattern_rules

_HEADING = re.compile(r"^## +(.+?)\s*$", re.MULTILINE)

# The project's home; `[project.urls]` in pyproject.toml says the same (tests/test_readme.py).
PROJECT_URL = "https://github.com/flake8-ssot/flake8-ssot"
RULES_DOCUMENT = "docs/rules.md"
POLICY_ANCHOR = "the-policy-toolssot"  # README.md's "## The policy: `[tool.ssot]`"


@dataclass(frozen=True)
class RuleDoc:
    code: str
    name: str
    summary: str  # one line: what the rule flags
    body: str  # the Markdown sections
    sections: Mapping[str, str] = field(default_factory=dict)

    @property
    def what_it_does(self) -> str:
        return self.sections.get("What it does", self.summary)

    def markdown(self) -> str:
        return (
            f"# {self.code} {self.name}\n\n{self.summary[:1].upper()}{self.summary[1:]}.\n\n{self.body}".rstrip() + "\n"
        )

    def text(self) -> str:
        """Plain text for terminals and SARIF `help.text`: headings underlined, fences dropped."""
        lines = [f"{self.code} {self.name}: {self.summary}", ""]
        for raw in self.body.splitlines():
            heading = _HEADING.match(raw)
            if heading:
                lines.extend([heading.group(1), "-" * len(heading.group(1))])
            elif raw.startswith("```"):
                continue
            else:
                lines.append(raw)
        return "\n".join(lines).rstrip() + "\n"


def parse_docstring(code: str, name: str, docstring: str) -> RuleDoc:
    docstring = (docstring or "").strip()
    first, _, body = docstring.partition("\n")
    summary = first.split(":", 1)[1].strip() if ":" in first else first.strip()
    summary = summary.rstrip(".")
    body = body.strip("\n")
    sections: dict[str, str] = {}
    matches = list(_HEADING.finditer(body))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(body)
        sections[match.group(1)] = body[match.end() : end].strip()
    return RuleDoc(code=code, name=name, summary=summary, body=body, sections=sections)


def module_doc(module: ModuleType) -> RuleDoc:
    return parse_docstring(module.CODE, module.NAME, module.__doc__ or "")


def builtin_docs() -> list[RuleDoc]:
    """SSOT001-SSOT005, then the pattern-rules family."""
    return [module_doc(rule) for rule in RULES] + [module_doc(pattern_rules)]


def pattern_doc(rule: PatternRule) -> RuleDoc:
    """A user pattern rule has no docstring; its documentation is its configuration."""
    family = module_doc(pattern_rules)
    shape = rule.rule.get("pattern") if isinstance(rule.rule, Mapping) else None
    lines = ["## What it does"]
    if isinstance(shape, str):
        lines.append(f"Flags code matching the ast-grep pattern `{shape}` (declared in `[[tool.ssot.patterns]]`).")
    else:
        lines.append(
            f"Flags code matching the ast-grep rule `rule = {inline_toml(rule.rule)}` "
            "(declared in `[[tool.ssot.patterns]]`)."
        )
    if rule.fix is not None:
        lines.extend(["", "## Use instead", f"The fix rewrites a match to `{rule.fix}`."])
    lines.extend(["", "## Why is this bad?", family.sections.get("Why is this bad?", "")])
    body = "\n".join(lines)
    return parse_docstring(rule.code, f"pattern-{rule.code.lower()}", f"{rule.code} pattern: {rule.message}\n\n{body}")


def find_rule(code: str, config: Config | None = None) -> RuleDoc | None:
    code = code.strip().upper()
    for doc in builtin_docs()[:-1]:
        if doc.code == code or doc.name == code.lower():
            return doc
    if config is not None:
        for rule in config.patterns:
            if rule.code == code:
                return pattern_doc(rule)
    if re.fullmatch(r"SSOT[1-8]\d\d", code) or code in ("SSOT1XX-SSOT8XX", "PATTERN-RULES"):
        return module_doc(pattern_rules)
    return None


def rule_docs_for(codes, config: Config | None = None) -> list[RuleDoc]:
    """Documentation for each code in `codes` (SARIF's `rules[]`), in the order given."""
    docs = []
    for code in codes:
        doc = find_rule(code, config)
        docs.append(doc if doc is not None else RuleDoc(code, code.lower(), f"rule {code}", ""))
    return docs


def rule_table() -> str:
    """The README's rule table, generated so it never drifts from the docstrings."""
    rows = ["| code | name | what it flags |", "|---|---|---|"]
    for doc in builtin_docs():
        summary = doc.summary.replace("|", "\\|")
        rows.append(f"| [{doc.code}]({RULES_DOCUMENT}#{_slug(doc)}) | {doc.name} | {summary} |")
    return "\n".join(rows) + "\n"


def rules_reference() -> str:
    """`docs/rules.md`: every rule's full text, one section each (what `ssot rule` prints)."""
    parts = [
        "# Rules\n",
        "<!-- Generated from the rules' docstrings by flake8_ssot.rules.docs.rules_reference(); "
        "tests/test_readme.py keeps it current. -->\n",
        "What each rule flags, why, an example, what to write instead and the options that "
        "tune it. `ssot rule CODE` prints the same text in a terminal.\n",
        "\n".join(f"- [{doc.code} {doc.name}](#{_slug(doc)}): {doc.summary}" for doc in builtin_docs()) + "\n",
    ]
    for doc in builtin_docs():
        body = re.sub(r"^## ", "### ", doc.body, flags=re.MULTILINE)
        parts.append(f"## {doc.code} {doc.name}\n\n{doc.summary[:1].upper()}{doc.summary[1:]}.\n\n{body.strip()}\n")
    return "\n".join(parts)


@lru_cache(maxsize=None)
def rule_url(code: str) -> str:
    """Where a rule's text is read on the web: its section of `docs/rules.md`. Every pattern
    rule code (SSOT100-SSOT899, a user's own rules) links to the pattern rules' section, and
    SSOT000 (a bad configuration) to the README's section on the policy."""
    if code == "SSOT000":
        return f"{PROJECT_URL}#{POLICY_ANCHOR}"
    docs = builtin_docs()
    doc = next((doc for doc in docs[:-1] if doc.code == code), docs[-1])
    return f"{PROJECT_URL}/blob/main/{RULES_DOCUMENT}#{_slug(doc)}"


def _slug(doc: RuleDoc) -> str:
    """The anchor GitHub gives the heading `## CODE name`: lower case, punctuation other than
    `-` and `_` dropped, spaces turned into `-`."""
    return re.sub(r"[^\w\- ]", "", f"{doc.code} {doc.name}".lower()).replace(" ", "-")
