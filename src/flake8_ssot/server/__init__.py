"""`ssot server`: the language-server front-end (LSP over standard input/output, on pygls).

It adapts `engine.check_source` to an editor: diagnostics from the unsaved buffer, quick
fixes built from `Diagnostic.fix`, `# noqa` actions, hover, and a policy that reloads when
`pyproject.toml` changes. It decides nothing about rules, and a bad configuration or an
engine failure is reported to the editor, never allowed to stop the server.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import difflib
import logging
import os
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from flake8_ssot import __version__
from flake8_ssot import baseline as baselines
from flake8_ssot.checking.runner import quiet_collector
from flake8_ssot.config import (
    Config, ConfigError, clear_caches, config_for, config_from_document, find_config_file, has_ssot_table, load_config,
    parse_toml,
)
from flake8_ssot.config.locate import locate_key, toml_error_span
from flake8_ssot.config.selection import enabled_predicate
from flake8_ssot.diagnostic import SAFE, Diagnostic, Edit
from flake8_ssot.engine import check_source
from flake8_ssot.engine.noqa import noqa_edit
from flake8_ssot.facts import collect_facts
from flake8_ssot.files import text_refusal
from flake8_ssot.paths import relative_path
from flake8_ssot.fixes import fix_text, is_fixable
from flake8_ssot.rules import BY_CODE
from flake8_ssot.rules.docs import find_rule, rule_url
from flake8_ssot.rules.lookup import entry_message as entry_message_of
from flake8_ssot.server.incremental import IncrementalChecker
from flake8_ssot.span import Span, byte_to_char_column, char_to_utf16_column, split_lines, utf16_to_char_column

try:
    from lsprotocol import types as lsp
    from pygls.lsp.server import LanguageServer
    from pygls.uris import from_fs_path, to_fs_path

    from flake8_ssot.server import navigation
    from flake8_ssot.server.transport import serve
    from flake8_ssot.server.workspace import WorkspaceIndex
    from flake8_ssot.server.workspace import register as register_workspace
except ImportError as error:  # the `server` extra is not installed; main() says so
    MISSING_EXTRA: ImportError | None = error
else:
    MISSING_EXTRA = None

logger = logging.getLogger(__name__)

SOURCE = "ssot"
CONFIG_ERROR_CODE = "SSOT000"  # the same code the flake8 plugin uses for a bad configuration
DEBOUNCE_SECONDS = 0.15
FIX_ALL_KIND = "source.fixAll.ssot"
FIX_ALL_TITLE = "Fix all safe SSOT violations in file"
FIX_ALL_COMMAND = "ssot.fixAll"
REPLACE_TITLE = "Replace with canonical import"
PYPROJECT = "pyproject.toml"
# Baselines in the editor: the initialization option `baseline` says what a baselined violation
# looks like ("hint": Hint severity and BASELINED_SUFFIX; "hide": not shown; "ignore": as any other).
BASELINE_MODES = ("hint", "hide", "ignore")
BASELINED_SUFFIX = " (baselined)"
BASELINE_KIND = "source.baseline.ssot"
ADD_TO_BASELINE_COMMAND = "ssot.addToBaseline"
REMOVE_STALE_COMMAND = "ssot.removeStaleBaselineEntries"
MISSING_EXTRA_MESSAGE = "ssot server needs the server extra: pip install 'flake8-ssot[server]'"


# --------------------------------------------------------------------------- positions

class Positions:
    """Character columns (`Span`) <-> the position encoding agreed with the client."""

    def __init__(self, lines: Sequence[str], encoding: str = "utf-16") -> None:
        self.lines, self.encoding = lines, str(encoding)

    def text(self, line: int) -> str:
        """The text of 1-based `line`, "" past the end."""
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def to_client(self, line: int, column: int) -> lsp.Position:
        text = self.text(line)
        if self.encoding == "utf-8":
            units = len(text[:column].encode("utf-8"))
        elif self.encoding == "utf-32":
            units = column
        else:
            units = char_to_utf16_column(text, column)
        return lsp.Position(line=max(line - 1, 0), character=units)

    def range(self, span: Span) -> lsp.Range:
        return lsp.Range(
            start=self.to_client(span.line, span.column),
            end=self.to_client(span.end_line, span.end_column),
        )

    def from_client(self, position: lsp.Position) -> tuple[int, int]:
        """(1-based line, character column) of a client position."""
        line = position.line + 1
        text = self.text(line)
        if self.encoding == "utf-8":
            column = byte_to_char_column(text, position.character)
        elif self.encoding == "utf-32":
            column = position.character
        else:
            column = utf16_to_char_column(text, position.character)
        return line, min(column, len(text))


def overlaps(span: Span, start: tuple[int, int], end: tuple[int, int]) -> bool:
    return (span.line, span.column) <= end and start <= (span.end_line, span.end_column)


# --------------------------------------------------------------------------- rule links

def rule_name(code: str) -> str:
    rule = BY_CODE.get(code)
    return rule.NAME if rule is not None else "pattern-rule"


def entry_message(config: Config | None, diagnostic: Diagnostic) -> str:
    """The configuration entry's own `message` for a diagnostic ("" when it has none)."""
    if config is None:
        return ""
    rule = BY_CODE.get(diagnostic.code)
    if rule is not None:
        return rule.entry_message(config, diagnostic.subject)
    return entry_message_of(config, diagnostic.subject) or ""  # a pattern rule's


# --------------------------------------------------------------------------- canonical definitions

@dataclass(frozen=True)
class Definition:
    path: str  # the file
    span: Span  # the defined name (on one line), or the start of the file for a module
    what: str  # "canonical definition of 'X'" / "canonical module 'pkg.x'"
    line_text: str = ""  # the text of the span's line, to convert its columns

    def range(self, encoding: str) -> lsp.Range:
        line = Positions([self.line_text], encoding)
        start = line.to_client(1, self.span.column).character
        end = line.to_client(1, self.span.end_column).character
        return lsp.Range(
            start=lsp.Position(line=self.span.line - 1, character=start),
            end=lsp.Position(line=self.span.line - 1, character=end),
        )


class Definitions:
    """Where a canonical dotted path is defined: its module's file under the `src` roots, and the
    line of `class X` / `def X` / `X = ...` / `import ... as X` in it. Open buffers win over disk.
    """

    def __init__(self, read_open: Callable[[str], tuple[Any, str] | None]) -> None:
        self.read_open = read_open  # path -> (version key, text) of an open editor buffer
        self.files: dict[str, tuple[Any, dict[str, Span], list[str]]] = {}  # path -> (stamp, names, lines)

    def clear(self) -> None:
        self.files.clear()

    def locate(self, canonical: str, roots: Sequence[str]) -> Definition | None:
        parts = canonical.split(".")
        for cut in range(len(parts), 0, -1):
            module, rest = parts[:cut], parts[cut:]
            for root in roots:
                base = os.path.join(root, *module)
                for candidate in (base + ".py", os.path.join(base, "__init__.py"), base + ".pyi"):
                    if os.path.isfile(candidate):
                        return self._in_file(candidate, ".".join(module), rest)
        return None

    def _in_file(self, path: str, module: str, rest: list[str]) -> Definition:
        names, lines = self._read(path)
        if rest:
            span = names.get(rest[0])
            if span is not None:
                text = lines[span.line - 1] if span.line <= len(lines) else ""
                return Definition(path, span, f"canonical definition of '{rest[0]}'", text)
        return Definition(path, Span(1, 0, 1, 0), f"canonical module '{module}'")

    def _read(self, path: str) -> tuple[dict[str, Span], list[str]]:
        opened = self.read_open(path)
        if opened is not None:
            stamp, text = opened
        else:
            try:
                status = os.stat(path)
                stamp = (status.st_mtime_ns, status.st_size)
                cached = self.files.get(path)
                if cached is not None and cached[0] == stamp:
                    return cached[1], cached[2]
                with open(path, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
            except OSError:
                return {}, []
        cached = self.files.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1], cached[2]
        names, lines = module_level_names(text), split_lines(text)
        self.files[path] = (stamp, names, lines)
        return names, lines


# The bindings a definition lookup lands on: what `class X`, `def X`, `X = ...`, `X: T` or an
# import writes at module level, outside loops, `with` and `finally` (`facts.bindings` kinds).
_DEFINING_KINDS = frozenset({"class", "function", "assignment", "annotation", "augmented", "import", "from"})
_DEFINING_BLOCKS = frozenset({"if", "try", "except"})


def module_level_names(source: str) -> dict[str, Span]:
    """Names bound at module level (also inside top-level `if`/`try`), first binding wins: a
    view of the binding table (`ModuleFacts.bindings`). The span is the first whole-word
    occurrence of the name on the line its binding starts (from the `def`/`class` keyword on),
    as the server has always answered: for `from datetime import datetime` that is the
    module's word, where `ModuleFacts.binding_span` gives the imported name's own."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    lines = split_lines(source)
    try:
        bindings = collect_facts(tree, "", "", False, source, lines).bindings
    except RecursionError:
        return {}
    names: dict[str, Span] = {}
    for binding in bindings:
        name, node = binding.name, binding.node
        if (binding.kind not in _DEFINING_KINDS or binding.scope != "module" or name in names
                or not _DEFINING_BLOCKS.issuperset(binding.within) or not 0 < node.lineno <= len(lines)):
            continue
        text = lines[node.lineno - 1]
        search_from = byte_to_char_column(text, node.col_offset) if binding.kind in ("class", "function") else 0
        found = re.search(rf"\b{re.escape(name)}\b", text[search_from:])
        column = search_from + found.start() if found else 0
        names[name] = Span(node.lineno, column, node.lineno, column + len(name) if found else 0)
    return names


# --------------------------------------------------------------------------- configuration problems

def problem_message(error: ConfigError) -> str:
    if error.key_path:
        return f"bad flake8-ssot configuration: {error.key_path}: {error.problem}"
    return f"bad flake8-ssot configuration: {os.path.basename(error.file)} {error.problem}"


def problem_span(error: ConfigError, text: str) -> Span:
    if error.key_path:
        return locate_key(text, error.key_path)
    return toml_error_span(text, error.problem)


# --------------------------------------------------------------------------- edits

_KEEPENDS = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def diff_edits(old: str, new: str, positions: Positions) -> list[lsp.TextEdit]:
    """Whole-line edits that turn `old` into `new`: the editor keeps cursors and folds elsewhere."""
    before, after = _KEEPENDS.findall(old), _KEEPENDS.findall(new)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return [
        lsp.TextEdit(
            range=lsp.Range(start=_line_start(before, i1, positions), end=_line_start(before, i2, positions)),
            new_text="".join(after[j1:j2]),
        )
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def _line_start(lines: Sequence[str], index: int, positions: Positions) -> lsp.Position:
    """Where line `index` (0-based) starts; past the last line, the end of the text."""
    if index < len(lines) or not lines or lines[-1].endswith(("\n", "\r")):
        return lsp.Position(line=index, character=0)
    return positions.to_client(index, len(lines[-1]))


# --------------------------------------------------------------------------- the session

@dataclass
class Outcome:
    """The last check of one open Python buffer."""

    version: int | None
    source: str
    path: str
    positions: Positions
    config: Config | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    published: list[Any] = field(default_factory=list)  # the lsp.Diagnostic of each, in order
    baseline: BaselineView | None = None  # with a baseline file: how the buffer stands against it


@dataclass
class BaselineView:
    """One buffer against the project's baseline file, keyed as `ssot check --baseline` keys it."""

    file: str  # the baseline file (absolute)
    shown: str  # its name for the user (relative to the project root)
    name: str  # the buffer's file as the baseline names it (project-root-relative)
    keys: list[Any] = field(default_factory=list)  # the key of each `Outcome.diagnostics` entry
    baselined: list[bool] = field(default_factory=list)  # ... and whether the baseline holds it
    found: list[Any] = field(default_factory=list)  # every violation's key in file order (hidden ones too)
    stale: Any = None  # Counter of the file's entries no violation uses now

    @property
    def new_keys(self) -> list[Any]:
        return [key for key, held in zip(self.keys, self.baselined) if not held]


class Session:
    """State of one editor connection: open buffers' checks, debounce timers, config problems."""

    def __init__(self, server: LanguageServer) -> None:
        self.server = server
        self.outcomes: dict[str, Outcome] = {}
        self.checkers: dict[str, IncrementalChecker] = {}  # uri -> the checker of its versions
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.problems: dict[str, ConfigError] = {}  # pyproject.toml path -> its problem
        self.shown: dict[str, Any] = {}  # pyproject.toml path -> the problem published on it
        self.definitions = Definitions(self._open_buffer)
        self.workspace_index = WorkspaceIndex(self)  # the project index of the buffers; the workspace check
        self.config_buffers: dict[str, str] = {}  # pyproject.toml path -> uri, while open in the editor
        self.baseline_mode = "hint"  # initialization option `baseline`
        self.baseline_option: str | None = None  # initialization option `baselineFile` (absolute)
        self.baselines: dict[str, tuple[Any, Any]] = {}  # baseline path -> (stamp, Baseline)
        self.baseline_problems: dict[str, str] = {}  # baseline path -> the problem shown for it
        self.pieces: dict[str, dict[str, Any]] = {}  # uri -> its statements read for baseline keys, by text
        self.watched: set[str] = set()  # the baselines the editor was asked to watch

    # ---------------------------------------------------------------- documents

    def did_open(self, params: lsp.DidOpenTextDocumentParams) -> None:
        document = params.text_document
        if is_python(document.uri, document.language_id):
            self.check(document.uri)
        elif is_pyproject(document.uri):
            self.config_buffers[os.path.abspath(to_fs_path(document.uri))] = document.uri
            self.check_config_buffer(document.uri)

    def did_change(self, params: lsp.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in self.outcomes:
            self.workspace_index.edited(uri)
        if uri in self.outcomes or uri in self.config_buffers.values():
            self._cancel(uri)
            loop = asyncio.get_running_loop()
            self.pending[uri] = loop.call_later(DEBOUNCE_SECONDS, self._debounced, uri)
            self.workspace_index.yielding.expect(uri, DEBOUNCE_SECONDS)  # the workspace check stops now

    def did_save(self, params: lsp.DidSaveTextDocumentParams) -> None:
        if params.text_document.uri in self.outcomes:
            self.workspace_index.saved(params.text_document.uri)
        path = to_fs_path(params.text_document.uri)
        if path and os.path.basename(path) == PYPROJECT:
            self.reload([path])
        elif path and os.path.abspath(path) in self.baselines:
            self.refresh_baseline(os.path.abspath(path))

    def did_close(self, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        self.workspace_index.closed(uri)
        self._cancel(uri)
        self.checkers.pop(uri, None)
        self.pieces.pop(uri, None)
        if self.outcomes.pop(uri, None) is not None:
            self._publish(uri, None, [])
        path = next((path for path, opened in self.config_buffers.items() if opened == uri), None)
        if path is not None:  # the file on disk is what counts again
            del self.config_buffers[path]
            try:
                load_config(path)
            except ConfigError as error:
                self._problem(error)
            else:
                self._problem_fixed(path)

    def did_change_watched_files(self, params: lsp.DidChangeWatchedFilesParams) -> None:
        changed = [to_fs_path(change.uri) for change in params.changes]
        self.workspace_index.files_changed(changed)
        configs = [path for path in changed if path and os.path.basename(path) == PYPROJECT]
        if configs:
            self.reload(configs)
        for path in {os.path.abspath(path) for path in changed if path} & set(self.baselines):
            self.refresh_baseline(path)

    def initialize(self, params: lsp.InitializeParams) -> None:
        """Initialization options: `baseline` ("hint", "hide" or "ignore") and `baselineFile`
        (a baseline to use where `[tool.ssot]` names none, relative to the workspace root)."""
        self._options(params.initialization_options)

    def did_change_configuration(self, params: lsp.DidChangeConfigurationParams) -> None:
        """The same options as settings (`{"ssot": {"baseline": "hide"}}`), changed while the
        editor runs: every open buffer is shown again under them."""
        settings = params.settings
        if isinstance(settings, dict) and isinstance(settings.get("ssot"), dict):
            settings = settings["ssot"]
        if self._options(settings):
            for uri in list(self.outcomes):
                self._cancel(uri)
                self.check(uri)

    def _options(self, options: Any) -> bool:
        """Apply the `baseline` and `baselineFile` options; did any change?"""
        if not isinstance(options, dict):
            return False
        before = (self.baseline_mode, self.baseline_option)
        mode = options.get("baseline")
        if mode is not None:
            if mode in BASELINE_MODES:
                self.baseline_mode = mode
            else:
                logger.warning("initialization option baseline = %r: expected one of %s", mode,
                               ", ".join(BASELINE_MODES))
        file = options.get("baselineFile")
        if isinstance(file, str) and file.strip():
            root = self.server.workspace.root_path or os.getcwd()
            self.baseline_option = os.path.normpath(os.path.join(root, file))
        return (self.baseline_mode, self.baseline_option) != before

    def initialized(self, params: lsp.InitializedParams) -> None:
        capabilities = self.server.client_capabilities
        workspace = capabilities.workspace
        watched = workspace.did_change_watched_files if workspace else None
        if watched is not None and watched.dynamic_registration:
            options = lsp.DidChangeWatchedFilesRegistrationOptions(
                watchers=[lsp.FileSystemWatcher(glob_pattern=f"**/{PYPROJECT}")]
            )
            registration = lsp.Registration(
                id="ssot-pyproject", method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
            )
            self.server.client_register_capability(lsp.RegistrationParams(registrations=[registration]))
        self.workspace_index.start()

    def shutdown(self, params: Any = None) -> None:
        for uri in list(self.pending):
            self._cancel(uri)
        self.workspace_index.close()

    def _debounced(self, uri: str) -> None:
        self.pending.pop(uri, None)
        if uri in self.outcomes:
            self.check(uri)
        elif uri in self.config_buffers.values():
            self.check_config_buffer(uri)
        self.workspace_index.yielding.done(uri)

    def _cancel(self, uri: str) -> None:
        handle = self.pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
            self.workspace_index.yielding.done(uri)

    # ---------------------------------------------------------------- checking

    def check(self, uri: str) -> Outcome:
        """Check the buffer as it is now and publish its diagnostics."""
        started = time.perf_counter()
        with quiet_collector(), self.workspace_index.yielding.foreground():
            return self._check(uri, started)

    def _check(self, uri: str, started: float) -> Outcome:
        document = self.server.workspace.get_text_document(uri)
        source, path = document.source, document.path
        positions = Positions(split_lines(source), self.server.workspace.position_encoding or "utf-16")
        outcome = Outcome(document.version, source, path, positions, None)
        try:
            outcome.config = config_for(path)
        except ConfigError as error:
            self._problem(error)
        else:
            self._problem_fixed(outcome.config.file)
            outcome.diagnostics = self._diagnostics(uri, source, path, outcome.config, positions.lines)
            self._judge(uri, outcome)
        related: dict[str, list[lsp.DiagnosticRelatedInformation] | None] = {}  # canonical -> its location
        held = outcome.baseline.baselined if outcome.baseline is not None else [False] * len(outcome.diagnostics)
        outcome.published = [self._to_lsp(d, outcome, related, h) for d, h in zip(outcome.diagnostics, held)]
        self.outcomes[uri] = outcome
        self._publish(uri, document.version, outcome.published)
        checker = self.checkers.get(uri)
        logger.debug(
            "checked %s (%d lines, %d diagnostics%s) in %.1f ms",
            path, len(positions.lines) - (positions.lines[-1] == ""), len(outcome.diagnostics),
            ", incremental" if checker is not None and checker.last_was_incremental else "",
            (time.perf_counter() - started) * 1000,
        )
        if checker is not None:
            checker.read_statements()  # after publishing: what a half-typed line next needs
        return outcome

    def _diagnostics(self, uri: str, source: str, path: str, config: Config, lines: list[str]) -> list[Diagnostic]:
        if config.is_empty or config.exclude.matches(path):
            return []
        if (refusal := text_refusal(source)) is not None:  # too large: skipped, as `ssot check` says
            return [Diagnostic(CONFIG_ERROR_CODE, refusal, Span(1, 0, 1, 0))]
        index = self.workspace_index.index(config)
        try:
            if self.workspace_index.renamed.builds_unseen(source, path, config, index):
                # It spells no word of the policy but a name the tree gives a factory-only class
                # (server/renamed.py): the full check, as `ssot check` checks its file.
                self.checkers.pop(uri, None)
                return check_source(source, path, config, noqa=True, prefilter=False, index=index).diagnostics
            checker = self.checkers.setdefault(uri, IncrementalChecker())
            checker.index = index
            return checker.check(source, path, config, lines)
        except Exception:  # an engine bug must not take the editor's server down
            logger.exception("checking %s failed", path)
            self.checkers.pop(uri, None)
            return []

    def fresh(self, uri: str) -> Outcome | None:
        """The check of the buffer's current version (a pending debounced check runs now)."""
        outcome = self.outcomes.get(uri)
        if outcome is None:
            return None
        if outcome.version != self.server.workspace.get_text_document(uri).version or uri in self.pending:
            self._cancel(uri)
            outcome = self.check(uri)
        return outcome

    # ---------------------------------------------------------------- baselines

    def baseline_file(self, config: Config | None) -> str | None:
        """The baseline `ssot check` uses for this configuration: `baseline` in [tool.ssot],
        else the `baselineFile` initialization option; None with the option baseline = "ignore"."""
        if config is None or self.baseline_mode == "ignore":
            return None
        return config.baseline or self.baseline_option

    def load_baseline(self, file: str, shown: str) -> Any:
        """The baseline at `file`, read again when it changed on disk; one not written yet is
        empty. A bad one is told once (window/showMessage) and counts as none."""
        try:
            status = os.stat(file)
            stamp: Any = (status.st_mtime_ns, status.st_size)
        except OSError:
            stamp = None
        cached = self.baselines.get(file)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        if file not in self.watched:
            self.watched.add(file)
            self._watch(file)
        try:
            baseline = baselines.load_or_empty(file, shown)
        except baselines.BaselineError as error:
            baseline = None
            if self.baseline_problems.get(file) != str(error):
                self.baseline_problems[file] = str(error)
                logger.warning("%s", error)
                self.server.window_show_message(
                    lsp.ShowMessageParams(type=lsp.MessageType.Warning, message=f"flake8-ssot: {error}")
                )
        else:
            self.baseline_problems.pop(file, None)
        self.baselines[file] = (stamp, baseline)
        return baseline

    def _watch(self, file: str) -> None:
        """Ask the editor to report changes to the baseline (a checkout, `ssot check
        --write-baseline` in a terminal), as it does for pyproject.toml."""
        workspace = self.server.client_capabilities.workspace
        watched = workspace.did_change_watched_files if workspace else None
        if watched is None or not watched.dynamic_registration:
            return
        options = lsp.DidChangeWatchedFilesRegistrationOptions(
            watchers=[lsp.FileSystemWatcher(glob_pattern=f"**/{os.path.basename(file)}")]
        )
        registration = lsp.Registration(
            id=f"ssot-baseline-{file}", method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
        )
        self.server.client_register_capability(lsp.RegistrationParams(registrations=[registration]))

    def _judge(self, uri: str, outcome: Outcome) -> None:
        """Key the buffer's violations as `ssot check --baseline` does (the same keys, the
        same matching: baselines.keys and baselines.matched) and mark the baselined ones; with
        the option baseline = "hide" they are dropped from what the editor gets."""
        config = outcome.config
        file = self.baseline_file(config)
        if file is None or config is None:
            return
        shown = relative_path(file, config.root)
        baseline = self.load_baseline(file, shown)
        if baseline is None:
            return
        diagnostics = outcome.diagnostics
        order = sorted(range(len(diagnostics)), key=lambda index: diagnostics[index].sort_key())
        found = baselines.keys([diagnostics[index] for index in order], outcome.source, self._statements(uri, outcome))
        name = relative_path(outcome.path, config.root)
        judged = enabled_predicate(config, outcome.path)
        entries = Counter({k: n for k, n in baseline.files.get(name, Counter()).items() if judged(k.code)})
        flags, stale = baselines.matched(entries, found)
        view = BaselineView(file, shown, name, [None] * len(diagnostics), [False] * len(diagnostics), found, stale)
        for position, index in enumerate(order):
            view.keys[index], view.baselined[index] = found[position], flags[position]
        if self.baseline_mode == "hide" and any(view.baselined):
            kept = [index for index, held in enumerate(view.baselined) if not held]
            outcome.diagnostics = [diagnostics[index] for index in kept]
            view.keys = [view.keys[index] for index in kept]
            view.baselined = [False] * len(kept)
        outcome.baseline = view

    def _statements(self, uri: str, outcome: Outcome) -> Any:
        """The buffer's statements for its keys: read piece by piece along the top-level
        statements the checker found (only the pieces holding a violation, each read again only
        when its text changed), or whole when the buffer did not parse."""
        checker = self.checkers.get(uri)
        state = checker.state if checker is not None else None
        lines = outcome.positions.lines
        if state is None or state.chunks is None or state.lines != lines:
            return None
        pieces = baselines.Pieces(lines, [chunk.start for chunk in state.chunks], self.pieces.get(uri, {}))
        self.pieces[uri] = pieces.cache
        return pieces

    def refresh_baseline(self, file: str) -> None:
        """The baseline changed (written here, saved in the editor, changed on disk): check
        every open buffer again."""
        self.baselines.pop(file, None)
        for uri in list(self.outcomes):
            self._cancel(uri)
            self.check(uri)

    def _to_lsp(
        self, diagnostic: Diagnostic, outcome: Outcome, related: dict[str, Any], baselined: bool = False
    ) -> lsp.Diagnostic:
        canonical = diagnostic.canonical
        if canonical and canonical not in related and outcome.config is not None:
            related[canonical] = None
            definition = self.definitions.locate(canonical, outcome.config.src)
            if definition is not None and self._in_workspace(definition.path, outcome.config):
                related[canonical] = [
                    lsp.DiagnosticRelatedInformation(
                        location=lsp.Location(
                            uri=from_fs_path(definition.path), range=definition.range(outcome.positions.encoding)
                        ),
                        message=definition.what,
                    )
                ]
        if baselined:
            severity = lsp.DiagnosticSeverity.Hint
        elif diagnostic.severity == "warning":
            severity = lsp.DiagnosticSeverity.Warning
        else:
            severity = lsp.DiagnosticSeverity.Error
        return lsp.Diagnostic(
            range=outcome.positions.range(diagnostic.span),
            message=diagnostic.message + BASELINED_SUFFIX if baselined else diagnostic.message,
            severity=severity,
            code=diagnostic.code,
            code_description=lsp.CodeDescription(href=rule_url(diagnostic.code)),
            source=SOURCE,
            related_information=related.get(canonical) if canonical else None,
        )

    def _open_buffer(self, path: str) -> tuple[Any, str] | None:
        for uri in self.outcomes:
            document = self.server.workspace.get_text_document(uri)
            if document.path == path:
                return ("open", document.version), document.source
        return None

    def _in_workspace(self, path: str, config: Config) -> bool:
        workspace = self.server.workspace
        roots = [to_fs_path(folder.uri) for folder in workspace.folders.values()]
        roots = [root for root in [*roots, workspace.root_path] if root] or [config.root]
        path = os.path.abspath(path)
        return any(path.startswith(os.path.abspath(root) + os.sep) for root in roots)

    def _publish(self, uri: str, version: int | None, diagnostics: list[lsp.Diagnostic]) -> None:
        if uri in self.outcomes and self.workspace_index.instead_of_push(uri, diagnostics):
            return  # the client pulls them (textDocument/diagnostic)
        self.server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=diagnostics)
        )

    # ---------------------------------------------------------------- configuration

    def reload(self, changed: Iterable[str] = ()) -> None:
        """The policy changed on disk: forget cached configurations and check every open buffer."""
        logger.info("configuration changed: %s", ", ".join(changed) or "(unknown)")
        clear_caches()
        self.definitions.clear()
        self.problems = {}
        for path in changed:
            path = os.path.abspath(path)
            if os.path.isfile(path) and find_config_file(path) == path:
                try:
                    load_config(path)
                except ConfigError as error:
                    self._problem(error)
        for uri in list(self.outcomes):
            self._cancel(uri)
            self.check(uri)
        for path in list(self.shown):
            if path not in self.problems:
                self._problem_fixed(path)
        for uri in list(self.config_buffers.values()):
            self.check_config_buffer(uri)

    def check_config_buffer(self, uri: str) -> None:
        """Validate an open pyproject.toml as the editor holds it (saved or not) and show its
        problem at the offending key; a pyproject.toml without [tool.ssot] is not ours to judge."""
        document = self.server.workspace.get_text_document(uri)
        path, text = os.path.abspath(document.path), document.source
        data = text.encode("utf-8", errors="surrogatepass")
        try:
            if has_ssot_table(data):
                config_from_document(parse_toml(data, path), path)
        except ConfigError as error:
            self._show_problem(path, uri, error, text)
        else:
            if self.shown.pop(path, None) is not None:
                self._publish(uri, None, [])

    def _problem(self, error: ConfigError) -> None:
        """Show a bad configuration once, as a diagnostic on the file it is in (an open
        pyproject.toml shows the problems of its buffer instead: check_config_buffer)."""
        path = os.path.abspath(error.file)
        self.problems[path] = error
        if path in self.config_buffers:
            return
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                text = handle.read()
        except OSError:
            text = ""
        self._show_problem(path, from_fs_path(path), error, text)

    def _show_problem(self, path: str, uri: str, error: ConfigError, text: str) -> None:
        positions = Positions(split_lines(text), self.server.workspace.position_encoding or "utf-16")
        diagnostic = lsp.Diagnostic(
            range=positions.range(problem_span(error, text)),
            message=problem_message(error),
            severity=lsp.DiagnosticSeverity.Error,
            code=CONFIG_ERROR_CODE,
            source=SOURCE,
        )
        shown = (diagnostic.message, diagnostic.range)
        if self.shown.get(path) == shown:
            return
        self.shown[path] = shown
        logger.warning("%s", error)
        self._publish(uri, None, [diagnostic])

    def _problem_fixed(self, path: str | None) -> None:
        if path is None or os.path.abspath(path) in self.config_buffers:
            return
        if self.shown.pop(os.path.abspath(path), None) is not None:
            self._publish(from_fs_path(os.path.abspath(path)), None, [])

    # ---------------------------------------------------------------- code actions

    def code_action(self, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
        uri = params.text_document.uri
        outcome = self.fresh(uri)
        if outcome is None:
            return None
        only = params.context.only
        start = outcome.positions.from_client(params.range.start)
        end = outcome.positions.from_client(params.range.end)
        fixes, noqas, baselining = [], [], []
        view = outcome.baseline
        for index, (diagnostic, published) in enumerate(zip(outcome.diagnostics, outcome.published)):
            if not overlaps(diagnostic.span, start, end) or not wanted(lsp.CodeActionKind.QuickFix, only):
                continue
            if view is not None and not view.baselined[index]:
                baselining.append(lsp.CodeAction(
                    title=f"Add to baseline ({view.shown})",
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[published],
                    command=lsp.Command(
                        title=f"Add to baseline ({view.shown})", command=ADD_TO_BASELINE_COMMAND,
                        arguments=[{"uri": uri, "key": list(view.keys[index])}],
                    ),
                ))
            if diagnostic.fix is not None and diagnostic.fix.edits:
                fixes.append(
                    lsp.CodeAction(
                        title=fix_title(diagnostic),
                        kind=lsp.CodeActionKind.QuickFix,
                        diagnostics=[published],
                        is_preferred=diagnostic.fix.applicability == SAFE,
                        edit=self._edit(uri, outcome, self._text_edits(outcome, diagnostic.fix.edits)),
                    )
                )
            edit = noqa_edit(outcome.source, outcome.positions.lines, diagnostic)
            noqas.append(
                lsp.CodeAction(
                    title=f"Add # noqa: {diagnostic.code}",
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[published],
                    edit=self._edit(uri, outcome, self._text_edits(outcome, [edit])),
                )
            )
        actions = fixes
        if wanted(FIX_ALL_KIND, only) and any(is_fixable(d) for d in outcome.diagnostics):
            # Fixing a whole file re-checks it, maybe several times: clients that can resolve
            # an action's edit later get it only when the user picks the action.
            action = lsp.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL_KIND, data={"uri": uri})
            if not self._resolves_edits():
                action = self.resolve_code_action(action, show_refusal=False)
            if action.edit is not None or self._resolves_edits():
                actions.append(action)
        if view is not None and wanted(BASELINE_KIND, only):
            baselining.extend(self._baseline_file_actions(uri, view))
        return actions + noqas + baselining

    def _baseline_file_actions(self, uri: str, view: BaselineView) -> list[lsp.CodeAction]:
        actions = []
        new = len(view.new_keys)
        if new:
            title = f"Add {new} new SSOT violation{'' if new == 1 else 's'} in this file to baseline ({view.shown})"
            actions.append(lsp.CodeAction(title=title, kind=BASELINE_KIND, command=lsp.Command(
                title=title, command=ADD_TO_BASELINE_COMMAND, arguments=[{"uri": uri, "file": True}],
            )))
        stale = sum(view.stale.values()) if view.stale else 0
        if stale:
            title = f"Remove {stale} stale baseline entr{'y' if stale == 1 else 'ies'} of this file ({view.shown})"
            actions.append(lsp.CodeAction(title=title, kind=BASELINE_KIND, command=lsp.Command(
                title=title, command=REMOVE_STALE_COMMAND, arguments=[{"uri": uri}],
            )))
        return actions

    def add_to_baseline_command(self, *arguments: Any) -> str | None:
        """`ssot.addToBaseline` {"uri", "key": [code, path, statement]} adds the entry of one
        new violation; {"uri", "file": true} those of every new violation in the file."""
        uri, argument = _command_argument(ADD_TO_BASELINE_COMMAND, arguments)
        outcome = self.fresh(uri)
        view = outcome.baseline if outcome is not None else None
        if view is None:
            return None
        if argument.get("file"):
            keys = view.new_keys
        else:
            key = argument.get("key")
            wanted_key = baselines.Key(*key) if isinstance(key, list) and len(key) == 3 else None
            keys = [wanted_key] if wanted_key in view.new_keys else []  # still new in this version
        if not keys:
            return None
        return self._edit_baseline(view, baselines.added(keys), "added", len(keys))

    def remove_stale_command(self, *arguments: Any) -> str | None:
        """`ssot.removeStaleBaselineEntries` {"uri"}: drop the file's entries no violation uses."""
        uri, _ = _command_argument(REMOVE_STALE_COMMAND, arguments)
        outcome = self.fresh(uri)
        view = outcome.baseline if outcome is not None else None
        if view is None or outcome.config is None or not view.stale:
            return None
        change = baselines.without_stale(view.found, enabled_predicate(outcome.config, outcome.path))
        return self._edit_baseline(view, change, "removed stale", sum(view.stale.values()))

    def _edit_baseline(self, view: BaselineView, change: Callable[[Any], Any], verb: str, count: int) -> str | None:
        try:
            baselines.edit_file(view.file, view.name, change, view.shown)
        except baselines.BaselineError as error:
            self.server.window_show_message(
                lsp.ShowMessageParams(type=lsp.MessageType.Error, message=f"flake8-ssot: {error}"))
            return None
        message = f"{view.shown}: {verb} {count} entr{'y' if count == 1 else 'ies'} for {view.name}"
        logger.info("%s", message)
        self.refresh_baseline(view.file)
        return message

    def resolve_code_action(self, action: lsp.CodeAction, show_refusal: bool = True) -> lsp.CodeAction:
        uri = action.data.get("uri") if isinstance(action.data, dict) else None
        if action.kind != FIX_ALL_KIND or not isinstance(uri, str):
            return action
        outcome = self.fresh(uri)
        if outcome is not None:
            edits = self._fix_all(outcome, show_refusal)
            if edits:
                action.edit = self._edit(uri, outcome, edits)
        return action

    async def fix_all_command(self, *arguments: Any) -> None:
        """`ssot.fixAll` with a document URI (or `{"uri": ...}`): apply the safe fixes."""
        uri = arguments[0] if arguments else None
        if isinstance(uri, dict):
            uri = uri.get("uri")
        if not isinstance(uri, str):
            raise ValueError(f"{FIX_ALL_COMMAND} expects a document URI")
        outcome = self.fresh(uri)
        if outcome is None:
            return None
        edits = self._fix_all(outcome, show_refusal=True)
        if edits:
            await self.server.workspace_apply_edit_async(
                lsp.ApplyWorkspaceEditParams(edit=self._edit(uri, outcome, edits), label=FIX_ALL_TITLE)
            )
        return None

    def _fix_all(self, outcome: Outcome, show_refusal: bool) -> list[lsp.TextEdit]:
        """The safe fixes of the whole buffer, applied as `ssot check --fix` would, as edits."""
        if outcome.config is None or not any(is_fixable(d) for d in outcome.diagnostics):
            return []
        index = self.workspace_index.index(outcome.config)  # as the diagnostics' fixes were judged
        # The buffer has fixable findings: checked whatever it spells (it may build a factory
        # class only under a renamed name, which the engine's prefilter does not know).
        result = fix_text(outcome.source, outcome.path, outcome.config, index=index, prefilter=False)
        if result.refused is not None:
            logger.info("fix all in %s refused: %s", outcome.path, result.refused)
            if show_refusal:
                self.server.window_show_message(
                    lsp.ShowMessageParams(type=lsp.MessageType.Warning, message=f"flake8-ssot: {result.refused}")
                )
            return []
        if result.syntax_error is not None or result.text == outcome.source:
            return []
        return diff_edits(outcome.source, result.text, outcome.positions)

    def _resolves_edits(self) -> bool:
        document = self.server.client_capabilities.text_document
        actions = document.code_action if document else None
        support = actions.resolve_support if actions else None
        return support is not None and "edit" in support.properties

    def _text_edits(self, outcome: Outcome, edits: Iterable[Edit]) -> list[lsp.TextEdit]:
        return [lsp.TextEdit(range=outcome.positions.range(e.span), new_text=e.replacement) for e in edits]

    def _edit(self, uri: str, outcome: Outcome, edits: list[lsp.TextEdit]) -> lsp.WorkspaceEdit:
        workspace = self.server.client_capabilities.workspace
        edit_support = workspace.workspace_edit if workspace else None
        if edit_support is not None and edit_support.document_changes:
            document = lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=outcome.version)
            return lsp.WorkspaceEdit(document_changes=[lsp.TextDocumentEdit(text_document=document, edits=edits)])
        return lsp.WorkspaceEdit(changes={uri: edits})

    # ---------------------------------------------------------------- hover

    def hover(self, params: lsp.HoverParams) -> lsp.Hover | None:
        outcome = self.fresh(params.text_document.uri)
        if outcome is None:
            return None
        line, column = outcome.positions.from_client(params.position)
        view = outcome.baseline
        found = [
            (diagnostic, published, view is not None and view.baselined[index])
            for index, (diagnostic, published) in enumerate(zip(outcome.diagnostics, outcome.published))
            if diagnostic.span.contains(line, column)
        ]
        if not found:
            return None
        sections = [
            hover_text(diagnostic, outcome.config, view.shown if held and view is not None else None)
            for diagnostic, _, held in found
        ]
        return lsp.Hover(
            contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value="\n\n---\n\n".join(sections)),
            range=found[0][1].range,
        )


def hover_text(diagnostic: Diagnostic, config: Config | None, baselined_in: str | None = None) -> str:
    """Markdown: the canonical path, the configuration entry's message, the rule and its link,
    the rule's own text (rules/docs.py), the fix and whether `--fix` applies it, and the
    baseline that holds the violation, if one does."""
    parts = []
    if diagnostic.canonical:
        parts.append(f"**Canonical path:** `{diagnostic.canonical}`")
    message = entry_message(config, diagnostic)
    if message:
        parts.append(message)
    parts.append(
        f"[{diagnostic.code}]({rule_url(diagnostic.code)}) ({rule_name(diagnostic.code)}): {diagnostic.message}"
    )
    doc = find_rule(diagnostic.code, config)
    if doc is not None:
        why = doc.sections.get("Why is this bad?", "").strip().split("\n\n")[0]
        summary = doc.summary[:1].upper() + doc.summary[1:]
        parts.append(f"**Rule:** {summary}.{' ' + ' '.join(why.split()) if why else ''}")
    parts.append(fix_applicability(diagnostic))
    if baselined_in:
        parts.append(f"**Baselined** in `{baselined_in}`: `ssot check` does not fail on it.")
    return "\n\n".join(parts)


def fix_applicability(diagnostic: Diagnostic) -> str:
    """The fix and who applies it; an unsafe fix's description says why it is unsafe where
    the rule knows (`import 'x' (unsafe: ...)`)."""
    fix = diagnostic.fix
    if fix is None or not fix.edits:
        return "**Fix:** none; this one is migrated by hand."
    what = f" ({fix.description})" if fix.description else ""
    if fix.applicability == SAFE:
        return f"**Fix:** safe{what}: the quick fix, *Fix all* and `ssot check --fix` apply it."
    return (f"**Fix:** unsafe{what}: review it before applying; the quick fix offers it, "
            "`ssot check --fix --unsafe-fixes` applies it.")


def fix_title(diagnostic: Diagnostic) -> str:
    fix = diagnostic.fix
    if diagnostic.code in BY_CODE or fix is None or not fix.description:
        title = REPLACE_TITLE
    else:
        title = fix.description[:1].upper() + fix.description[1:]
    return title if fix is None or fix.applicability == SAFE else f"{title} (unsafe)"


def _command_argument(command: str, arguments: Sequence[Any]) -> tuple[str, dict]:
    argument = arguments[0] if arguments else None
    if isinstance(argument, str):
        argument = {"uri": argument}
    if not isinstance(argument, dict) or not isinstance(argument.get("uri"), str):
        raise ValueError(f"{command} expects a document URI")
    return argument["uri"], argument


def wanted(kind: str, only: Sequence[str] | None) -> bool:
    """Does a client's `context.only` (hierarchical kinds) ask for actions of `kind`?"""
    return not only or any(kind == want or kind.startswith(f"{want}.") for want in only)


def is_python(uri: str, language_id: str | None) -> bool:
    return language_id == "python" or uri.endswith((".py", ".pyi"))


def is_pyproject(uri: str) -> bool:
    path = to_fs_path(uri)
    return bool(path) and os.path.basename(path) == PYPROJECT


# --------------------------------------------------------------------------- wiring and entry point


def create_server() -> LanguageServer:
    server = LanguageServer("ssot", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
    session = Session(server)
    handlers = {
        lsp.INITIALIZE: session.initialize,
        lsp.INITIALIZED: session.initialized,
        lsp.TEXT_DOCUMENT_DID_OPEN: session.did_open,
        lsp.TEXT_DOCUMENT_DID_CHANGE: session.did_change,
        lsp.TEXT_DOCUMENT_DID_SAVE: session.did_save,
        lsp.TEXT_DOCUMENT_DID_CLOSE: session.did_close,
        lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES: session.did_change_watched_files,
        lsp.WORKSPACE_DID_CHANGE_CONFIGURATION: session.did_change_configuration,
        lsp.SHUTDOWN: session.shutdown,
        lsp.TEXT_DOCUMENT_HOVER: session.hover,
    }
    for method, handler in handlers.items():
        server.feature(method)(_plain(handler))
    server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(
            code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL_KIND, BASELINE_KIND], resolve_provider=True
        ),
    )(_plain(session.code_action))
    server.feature(lsp.CODE_ACTION_RESOLVE)(_plain(session.resolve_code_action))

    # No annotation on *arguments: pygls calls issubclass() on the first parameter's
    # annotation, and typing.Any is not a class before Python 3.11.
    async def fix_all(*arguments) -> None:  # type: ignore[no-untyped-def]
        return await session.fix_all_command(*arguments)

    server.command(FIX_ALL_COMMAND)(fix_all)
    navigation.register(server, session)
    register_workspace(server, session)

    def add_to_baseline(*arguments):  # type: ignore[no-untyped-def]
        return session.add_to_baseline_command(*arguments)

    def remove_stale(*arguments):  # type: ignore[no-untyped-def]
        return session.remove_stale_command(*arguments)

    server.command(ADD_TO_BASELINE_COMMAND)(add_to_baseline)
    server.command(REMOVE_STALE_COMMAND)(remove_stale)
    return server


def _plain(method: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A function around a bound method: pygls sets attributes on its handlers."""

    def handler(params: Any) -> Any:
        return method(params)

    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Serve LSP on standard input/output until the client says `exit`."""
    if argv is None:
        argv = sys.argv[1:]
        if argv[:1] == ["server"]:  # called from `ssot server` without its arguments
            argv = argv[1:]
    parser = argparse.ArgumentParser(prog="ssot server", description=main.__doc__)
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=("error", "warning", "info", "debug"),
        help="what to log on standard error (default: warning)",
    )
    parser.add_argument("--log-file", help="log here instead of standard error")
    options = parser.parse_args(list(argv))
    if MISSING_EXTRA is not None:
        print(MISSING_EXTRA_MESSAGE, file=sys.stderr)
        return 2
    handler = logging.FileHandler(options.log_file) if options.log_file else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("flake8_ssot").setLevel(options.log_level.upper())
    return serve(create_server())  # not pygls's start_io: see server/transport.py
