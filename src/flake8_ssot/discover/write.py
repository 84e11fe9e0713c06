"""`ssot discover --write`: the proposed entries merged into `pyproject.toml` with tomlkit,
which keeps every other byte of a hand-formatted file: keys, comments, order, spacing.

Only proposals are written, never a candidate, a conflict or what is only reported. The
result is validated as a policy before the file is replaced (atomically).
"""

from __future__ import annotations

import os
import re

import tomlkit
from tomlkit.items import InlineTable, Table, Whitespace

from flake8_ssot.config import config_from_document, inline_toml, parse_toml, quote_key
from flake8_ssot.discover.output import entry_value, evidence_lines
from flake8_ssot.discover.proposals import PROPOSED, Proposal
from flake8_ssot.files import write_atomic


def merged(text: str, proposals: list[Proposal], cwd: str) -> str:
    """`text` (a pyproject.toml) with the proposals added: to the end of their existing
    `[tool.ssot.SECTION]` table (before its trailing blank lines), or in new tables appended
    at the end of the file. Everything else stays byte for byte."""
    document = tomlkit.parse(text)
    ssot = document.get("tool", {}).get("ssot", {})
    appended: dict[str, list[str]] = {}
    for proposal in proposals:
        if proposal.status != PROPOSED:
            continue
        value = entry_value(proposal)
        comments = [f"{proposal.confidence} confidence (ssot discover):"]
        comments += [f"  {line}" for line in evidence_lines(proposal, cwd)]
        section = ssot.get(proposal.section)
        if section is None:
            lines = appended.setdefault(proposal.section, [])
            lines += [f"# {comment}" for comment in comments]
            lines.append(f"{quote_key(proposal.key)} = {inline_toml(value)}")
            continue
        if proposal.section == "deprecated-exports" and proposal.key in section:
            existing = section[proposal.key]
            names = existing.get("names") if isinstance(existing, (Table, InlineTable)) else existing
            names.extend(name for name in value if name not in names)
            continue
        if isinstance(section, InlineTable):
            section[proposal.key] = value  # an inline table has no room for comments
            continue
        _add_before_trailing_space(section, comments, proposal.key, _inline(value))
    result = tomlkit.dumps(document)
    if appended:
        if result and not result.endswith("\n"):
            result += "\n"
        for name, lines in appended.items():
            result += ("\n" if result else "") + f"[tool.ssot.{name}]\n" + "\n".join(lines) + "\n"
    if "\r\n" in text and "\n" not in text.replace("\r\n", ""):
        result = re.sub(r"(?<!\r)\n", "\r\n", result)  # a Windows file keeps its line endings
    return result


def _add_before_trailing_space(table: Table, comments: list[str], key: str, value: object) -> None:
    """tomlkit adds after a table's trailing blank lines; they belong before the next table."""
    body = table.value.body
    trailing = []
    while body and body[-1][0] is None and isinstance(body[-1][1], Whitespace):
        trailing.insert(0, body.pop()[1])
    for comment in comments:
        table.add(tomlkit.comment(comment))
    table.add(key, value)
    for space in trailing:
        table.add(space)


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
