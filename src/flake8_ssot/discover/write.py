"""`ssot discover --write`: the proposed entries merged into `pyproject.toml` with tomlkit,
which keeps every other byte of a hand-formatted file: keys, comments, order, spacing.

Only proposals are written, never a candidate, a conflict or what is only reported. The
result is validated as a policy before the file is replaced (atomically).
"""

from __future__ import annotations

import os

import tomlkit
from tomlkit.items import InlineTable, Table

from flake8_ssot.config import config_from_document, parse_toml
from flake8_ssot.discover.output import entry_value, evidence_lines
from flake8_ssot.discover.proposals import PROPOSED, Proposal
from flake8_ssot.files import write_atomic


def merged(text: str, proposals: list[Proposal], cwd: str) -> str:
    """`text` (a pyproject.toml) with the proposals added to their `[tool.ssot.SECTION]`."""
    document = tomlkit.parse(text)
    ssot = _table(_table(document, "tool", super_table=True), "ssot")
    for proposal in proposals:
        if proposal.status != PROPOSED:
            continue
        section = _table(ssot, proposal.section)
        value = entry_value(proposal)
        if proposal.section == "deprecated-exports" and proposal.key in section:
            existing = section[proposal.key]
            names = existing.get("names") if isinstance(existing, (Table, InlineTable)) else existing
            for name in value:
                if name not in names:
                    names.append(name)
            continue
        if isinstance(section, InlineTable):
            section[proposal.key] = value  # an inline table has no room for comments
            continue
        section.add(tomlkit.comment(f"{proposal.confidence} confidence (ssot discover):"))
        for line in evidence_lines(proposal, cwd):
            section.add(tomlkit.comment(f"  {line}"))
        section.add(proposal.key, _inline(value))
    return tomlkit.dumps(document)


def _table(parent, name: str, super_table: bool = False):
    if name not in parent:
        table = tomlkit.table(is_super_table=super_table)
        parent.add(name, table)
    return parent[name]


def _inline(value: object):
    if isinstance(value, dict):
        table = tomlkit.inline_table()
        table.update(value)
        return table
    return value


def write_proposals(pyproject: str, proposals: list[Proposal], cwd: str) -> int:
    """Merge the proposals into `pyproject` (created when missing); the number of entries written."""
    chosen = [proposal for proposal in proposals if proposal.status == PROPOSED]
    if not chosen:
        return 0
    try:
        with open(pyproject, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        data = b""
    text = data.decode("utf-8")
    new_text = merged(text, chosen, cwd)
    config_from_document(parse_toml(new_text.encode("utf-8"), pyproject), os.path.abspath(pyproject))
    write_atomic(pyproject, new_text.encode("utf-8"))
    return len(chosen)
