"""Go to definition and go to declaration in `ssot server`: from a legacy name to its canonical home.

In a Python buffer, a name a rule reports with a canonical path (an import of a legacy path,
a legacy reference, a construction of a factory-only class, a deprecated `__all__` entry)
leads to where that canonical path is defined, followed by the project index through
re-exports to the module that really defines it. A line silenced by `# noqa` or held by the
baseline leads there too. In `pyproject.toml`, a quoted dotted path under the cursor leads
the same way: a legacy key to the definition of its `use` target, any other path (a `use`, a
canonical or factory key) to its own. Anywhere else the server answers nothing, and the
editor keeps what its other language servers answer.
"""

from __future__ import annotations

import os
import re
from typing import Any

from lsprotocol import types as lsp
from pygls.uris import from_fs_path, to_fs_path

from flake8_ssot.config import Config, ConfigError, load_config
from flake8_ssot.engine import check_source
from flake8_ssot.index import DEFINITION, MODULE
from flake8_ssot.span import split_lines

PYPROJECT = "pyproject.toml"
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'')
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


def register(server: Any, session: Any) -> None:
    """textDocument/definition and textDocument/declaration (the same answer: the canonical
    path's definition is its declaration)."""

    def definition(params: lsp.DefinitionParams) -> list[lsp.Location] | None:
        return canonical_location(session, params.text_document.uri, params.position)

    def declaration(params: lsp.DeclarationParams) -> list[lsp.Location] | None:
        return canonical_location(session, params.text_document.uri, params.position)

    server.feature(lsp.TEXT_DOCUMENT_DEFINITION)(definition)
    server.feature(lsp.TEXT_DOCUMENT_DECLARATION)(declaration)


def canonical_location(session: Any, uri: str, position: lsp.Position) -> list[lsp.Location] | None:
    path = to_fs_path(uri)
    if not path:
        return None
    if os.path.basename(path) == PYPROJECT:
        found = _policy_target(session, uri, path, position)
    else:
        found = _python_target(session, uri, position)
    if found is None:
        return None
    target, config = found
    index = session.workspace_index.index(config)
    index.begin()  # the files as they are now
    origin = index.resolve(target)
    if origin.kind in (DEFINITION, MODULE):
        target = origin.path  # through re-exports, to the module that defines it
    definition = session.definitions.locate(target, config.src)
    if definition is None:
        return None
    encoding = session.server.workspace.position_encoding or "utf-16"
    return [lsp.Location(uri=from_fs_path(definition.path), range=definition.range(encoding))]


def _python_target(session: Any, uri: str, position: lsp.Position) -> tuple[str, Config] | None:
    """The canonical path of a diagnostic under the cursor, noqa comments and baseline aside."""
    outcome = session.fresh(uri)
    if outcome is None or outcome.config is None or outcome.config.is_empty:
        return None
    line, column = outcome.positions.from_client(position)
    index = session.workspace_index.index(outcome.config)
    try:
        found = check_source(outcome.source, outcome.path, outcome.config, noqa=False, index=index).diagnostics
    except Exception:  # an engine bug costs the jump, never the server
        return None
    for diagnostic in found:
        if diagnostic.canonical and diagnostic.span.contains(line, column):
            return diagnostic.canonical, outcome.config
    return None


def _policy_target(session: Any, uri: str, path: str, position: lsp.Position) -> tuple[str, Config] | None:
    """The dotted path in quotes under the cursor in pyproject.toml, as the policy means it."""
    from flake8_ssot.server import Positions  # the session's module, loaded by now

    document = session.server.workspace.get_text_document(uri)
    positions = Positions(split_lines(document.source), session.server.workspace.position_encoding or "utf-16")
    line, column = positions.from_client(position)
    text = positions.text(line)
    dotted = None
    for quoted in _QUOTED.finditer(text):
        if quoted.start() <= column <= quoted.end():
            value = quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
            if _DOTTED.fullmatch(value):
                dotted = value
            break
    if dotted is None:
        return None
    try:
        config = load_config(os.path.abspath(path))  # the policy as saved: what the checks use
    except ConfigError:
        return None
    entry = config.legacy.get_exact(dotted)
    if entry is not None:
        return (entry.use, config) if entry.use else None  # a banned path has no canonical home
    return dotted, config
