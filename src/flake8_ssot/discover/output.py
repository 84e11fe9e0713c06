"""The proposals as a user reads them: a `[tool.ssot]` TOML snippet with the evidence in a
comment above each entry (candidates and conflicts commented out), JSON, or Markdown.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from flake8_ssot.config import inline_toml, quote_key
from flake8_ssot.discover.proposals import (
    CANDIDATE,
    CONFLICT,
    PROPOSED,
    SKIPPED,
    Discovered,
    Proposal,
)
from flake8_ssot.paths import display_path

FORMATS = ("toml", "json", "markdown")
_HEADINGS = {
    PROPOSED: "Proposed",
    CANDIDATE: "Candidates: judge each one before adding it",
    CONFLICT: "Conflicts with the policy",
    SKIPPED: "Found, not proposed",
}


def entry_value(proposal: Proposal) -> object:
    """What the entry's key is set to in `[tool.ssot.SECTION]`."""
    if proposal.section == "deprecated-exports":
        return sorted(proposal.names)
    if proposal.section == "canonical":
        return {}
    if proposal.section == "factories":
        return {"use": proposal.use}
    if proposal.use is None:
        return {"message": proposal.message}
    return proposal.use


def entry_line(proposal: Proposal) -> str:
    if proposal.status == SKIPPED and proposal.use is None and proposal.section != "deprecated-exports":
        return quote_key(proposal.key)  # a module that is not a pure shim, a class without a factory
    return f"{quote_key(proposal.key)} = {inline_toml(entry_value(proposal))}"


def evidence_lines(proposal: Proposal, cwd: str) -> list[str]:
    lines = []
    for quote, what in proposal.evidence:
        text = json.dumps(quote.text, ensure_ascii=False)
        lines.append(f"{display_path(quote.file, cwd)}:{quote.line}: {what}: {text}")
    return lines


def render_toml(discovered: Discovered, cwd: str) -> str:
    proposed = [p for p in discovered.proposals if p.status == PROPOSED]
    out = [(f"# ssot discover: {len(proposed)} proposed from {discovered.files} files "
            f"({_count(discovered.proposals, CANDIDATE)} candidates, {_count(discovered.proposals, CONFLICT)} "
            f"conflicts, {_count(discovered.proposals, SKIPPED)} found but not proposed, below as comments)")]
    section = None
    for proposal in proposed:
        if proposal.section != section:
            section = proposal.section
            out += ["", f"[tool.ssot.{section}]"]
        out.append(f"# {proposal.confidence} confidence:")
        out += [f"#   {line}" for line in evidence_lines(proposal, cwd)]
        out.append(entry_line(proposal))
    for status in (CONFLICT, CANDIDATE, SKIPPED):
        chosen = [p for p in discovered.proposals if p.status == status]
        if not chosen:
            continue
        out += ["", f"# {_HEADINGS[status]}:"]
        for proposal in chosen:
            out.append(f"# [tool.ssot.{proposal.section}] {entry_line(proposal)}")
            if proposal.note:
                out.append(f"#   {proposal.note}")
            out += [f"#   {line}" for line in evidence_lines(proposal, cwd)]
    return "\n".join(out) + "\n"


def _count(proposals: Sequence[Proposal], status: str) -> int:
    return sum(1 for proposal in proposals if proposal.status == status)


def render_json(discovered: Discovered, cwd: str) -> str:
    items = [{
        "status": p.status,
        "section": p.section,
        "key": p.key,
        "value": entry_value(p),
        "confidence": p.confidence,
        "note": p.note,
        "evidence": [{"file": display_path(q.file, cwd), "line": q.line, "what": what, "text": q.text}
                     for q, what in p.evidence],
    } for p in discovered.proposals]
    return json.dumps({"files": discovered.files, "proposals": items}, indent=2, ensure_ascii=False) + "\n"


def render_markdown(discovered: Discovered, cwd: str) -> str:
    out = ["# Policy proposals (ssot discover)", "",
           (f"From {discovered.files} files. Proposed entries can be added with `ssot discover --write`; "
            "candidates, conflicts and the rest need a person's judgement."), ""]
    for status in (PROPOSED, CONFLICT, CANDIDATE, SKIPPED):
        chosen = [p for p in discovered.proposals if p.status == status]
        if not chosen:
            continue
        out += [f"## {_HEADINGS[status]}", "", "| entry | confidence | evidence | note |", "|---|---|---|---|"]
        for p in chosen:
            evidence = "<br>".join(_cell(line) for line in evidence_lines(p, cwd))
            out.append(f"| `[tool.ssot.{p.section}]` `{_cell(entry_line(p))}` | {p.confidence} | {evidence} "
                       f"| {_cell(p.note)} |")
        out.append("")
    if len(out) == 4:
        out.append("Nothing to propose: the policy already has everything the code says.")
    return "\n".join(out).rstrip() + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


RENDERERS = {"toml": render_toml, "json": render_json, "markdown": render_markdown}
