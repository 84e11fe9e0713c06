"""The workspace in `ssot server`: the project index behind the open buffers, and the check of
every file of the workspace folders (workspace diagnostics, code lenses that count uses).

The index (`index.ProjectIndex`) answers the decisions that need another module, as in `ssot
check`, so that the editor and the command line agree on SSOT001, SSOT002 and SSOT005. The
server keeps one per tree (`src` roots) for its buffers: an edited module's summary replaces
the one on disk once the typing pauses, and when it changes what the module binds or imports,
every other open buffer is checked again in full. Its disk summaries are shared with the
workspace check's index when that check runs in this process (a small workspace).

The workspace check is `ssot check` over each workspace folder, with the same caches, from a
thread (the event loop keeps answering the editor): at start, in the background with
work-done progress, and again for each `workspace/diagnostic` request (the caches answer for
what did not change). It gives way to the editor's checks (`background.py`: a large workspace
is checked in a child process, a small one in the thread, which waits between files). Open
buffers are reported as the editor has them.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import os
import threading
from collections import Counter
from typing import Any, Callable, Sequence

from lsprotocol import types as lsp
from pygls.uris import from_fs_path, to_fs_path

from flake8_ssot.checking.runner import FileResult, with_syntax_error
from flake8_ssot.config import Config, ConfigError, config_for
from flake8_ssot.dotted import module_name
from flake8_ssot.files import SourceError, decode_source, read_bytes
from flake8_ssot.index import ProjectIndex, index_for, summarise
from flake8_ssot.server.background import BackgroundCheck
from flake8_ssot.server.renamed import RenamedClasses
from flake8_ssot.span import split_lines

logger = logging.getLogger(__name__)

# How long typing must pause before an edited module's summary replaces the one on disk: a
# summary costs a parse of the whole buffer, and only a changed one re-checks other buffers.
SUMMARY_SECONDS = 0.4
WATCH_PYTHON_ID = "ssot-python-files"
# After a save or a change on disk, how long files must stay unchanged before the workspace
# is checked again for the code lenses' counts.
RECOUNT_SECONDS = 1.0
PROGRESS_TITLE = "ssot: checking the workspace"
# The diagnostics a code lens counts: the uses of a legacy path left in the workspace.
USE_CODES = frozenset({"SSOT001", "SSOT004"})
LENS_CODES = frozenset({"SSOT001", "SSOT003"})  # imports of legacy paths, deprecated `__all__` entries


def register(server: Any, session: Any) -> None:
    """workspace/diagnostic (with textDocument/diagnostic, which LSP requires beside it) and
    textDocument/codeLens; `session.workspace_index` is this module's `WorkspaceIndex`."""
    workspace = session.workspace_index

    async def workspace_diagnostic(params: lsp.WorkspaceDiagnosticParams) -> lsp.WorkspaceDiagnosticReport:
        return await workspace.workspace_diagnostic(params)

    def document_diagnostic(params: lsp.DocumentDiagnosticParams) -> lsp.DocumentDiagnosticReport:
        return workspace.document_diagnostic(params)

    def code_lens(params: lsp.CodeLensParams) -> list[lsp.CodeLens] | None:
        return workspace.code_lens(params)

    server.feature(lsp.WORKSPACE_DIAGNOSTIC)(workspace_diagnostic)
    server.feature(lsp.TEXT_DOCUMENT_DIAGNOSTIC, lsp.DiagnosticOptions(
        identifier="ssot", inter_file_dependencies=True, workspace_diagnostics=True))(document_diagnostic)
    server.feature(lsp.TEXT_DOCUMENT_CODE_LENS, lsp.CodeLensOptions(resolve_provider=False))(code_lens)


class WorkspaceIndex:
    """The project indexes of one editor connection's buffers and the last workspace check."""

    def __init__(self, session: Any) -> None:
        self.session = session  # server.Session: its buffers, checks and diagnostics
        self.server = session.server
        self.indexes: dict[tuple[str, ...], ProjectIndex] = {}
        self.results: dict[str, FileResult] = {}  # path -> the workspace check's result
        self.reported: dict[str, str] = {}  # uri -> result id of its last non-empty workspace report
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.building: asyncio.Task | None = None
        self.lock: asyncio.Lock | None = None
        self.seconds: float | None = None  # how long the last workspace check took
        self.recount: asyncio.TimerHandle | None = None
        self.pulled: dict[str, str] = {}  # uri -> result id of the diagnostics the client last pulled
        self.refreshing = False  # a workspace/diagnostic/refresh is on its way
        self._tokens = itertools.count(1)
        # The session's checks come first: the workspace check gives way to them (background.py).
        self.background = BackgroundCheck()
        self.yielding = self.background.yielding
        # The names the tree gives the factory-only classes: a buffer spelling only one of
        # them is checked (server/renamed.py).
        self.renamed = RenamedClasses()

    # ---------------------------------------------------------------- the index of the buffers

    def index(self, config: Config) -> ProjectIndex:
        """The index the checks of `config`'s buffers consult."""
        roots = tuple(config.src)
        index = self.indexes.get(roots)
        if index is None:
            index = self.indexes[roots] = ProjectIndex(roots, shared=index_for(roots))
        return index

    def edited(self, uri: str) -> None:
        self._cancel(uri)
        self.timers[uri] = asyncio.get_running_loop().call_later(SUMMARY_SECONDS, self._buffer_changed, uri)

    def saved(self, uri: str) -> None:
        self._cancel(uri)
        self._buffer_changed(uri)
        self._recount_later()

    def closed(self, uri: str) -> None:
        """The buffer's unsaved text is gone: the module is what is on disk again."""
        self._cancel(uri)
        path = to_fs_path(uri)
        changed = False
        for index in self.indexes.values():
            changed |= index.buffers.pop(path, None) is not None
        if changed:
            self._recheck_others(uri)

    def files_changed(self, paths: Sequence[str | None]) -> None:
        """Python files changed on disk outside the editor (a checkout, a generator). A saved
        buffer's own file is `saved`'s business: its watcher event changes nothing more."""
        open_paths = {outcome.path for outcome in self.session.outcomes.values()}
        if not any(path and path.endswith((".py", ".pyi")) and path not in open_paths for path in paths):
            return
        self.renamed.files_changed(paths)  # before the buffers' checks below
        for roots, index in self.indexes.items():
            index.files_changed()
            index_for(roots).files_changed()  # the workspace check's: its list of files too
        self._recheck_others(None)
        self._recount_later()

    def close(self) -> None:
        """`shutdown`: no summary or recount is due any more (a timer that fired after `exit`
        would publish to a closed output), and the workspace check's process ends."""
        for uri in list(self.timers):
            self._cancel(uri)
        if self.recount is not None:
            self.recount.cancel()
            self.recount = None
        self.background.close()

    def _cancel(self, uri: str) -> None:
        timer = self.timers.pop(uri, None)
        if timer is not None:
            timer.cancel()

    def _buffer_changed(self, uri: str) -> None:
        self.timers.pop(uri, None)
        with self.yielding.foreground():  # a parse of the whole buffer, maybe checks of the others
            self._summarise(uri)

    def _summarise(self, uri: str) -> None:
        document = self.server.workspace.get_text_document(uri)
        path = document.path
        try:
            config = config_for(path)
        except ConfigError:
            return  # the session shows the problem on pyproject.toml
        if config.is_empty:
            return
        module, is_package = module_name(os.path.abspath(path), config.src)
        summary = _summary(document.source, path, module, is_package)
        if summary is None:
            return  # half-typed: what the module binds is what it bound before
        index = self.index(config)
        index.begin()
        if index.summary(module) == summary:
            return
        index.buffers[path] = summary
        logger.debug("the summary of %s changed: checking the other open buffers again", path)
        self._recheck_others(uri)

    def _recheck_others(self, uri: str | None) -> None:
        """Every other open buffer, in full: what it imports may mean something else now."""
        session = self.session
        for other in list(session.outcomes):
            if other != uri:
                session.checkers.pop(other, None)
                session.check(other)
        if self.pulls:
            self._refresh_diagnostics()

    # ---------------------------------------------------------------- the workspace check

    def start(self) -> None:
        """At `initialized`: watch Python files, and check the workspace in the background."""
        capabilities = self.server.client_capabilities
        workspace = capabilities.workspace
        watched = workspace.did_change_watched_files if workspace else None
        if watched is not None and watched.dynamic_registration:
            options = lsp.DidChangeWatchedFilesRegistrationOptions(
                watchers=[lsp.FileSystemWatcher(glob_pattern="**/*.py")])
            self.server.client_register_capability(lsp.RegistrationParams(registrations=[lsp.Registration(
                id=WATCH_PYTHON_ID, method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options)]))
        self.building = asyncio.get_running_loop().create_task(self._build())

    def _recount_later(self) -> None:
        """Check the workspace again once files stop changing, for the code lenses' counts
        (quietly: the caches answer for all but the changed files)."""
        loop = asyncio.get_running_loop()
        if self.recount is not None:
            self.recount.cancel()
        self.recount = loop.call_later(RECOUNT_SECONDS, self._recount)

    def _recount(self) -> None:
        self.building = asyncio.get_running_loop().create_task(self._build(progress=False))

    async def _build(self, progress: bool = True) -> None:
        self.recount = None
        token = None
        window = self.server.client_capabilities.window
        if progress and window is not None and window.work_done_progress:
            token = f"ssot-workspace-{next(self._tokens)}"
            try:
                await self.server.work_done_progress.create_async(token)
            except Exception:  # the client refused the token: check without showing progress
                token = None
        try:
            await self.check_workspace(token)
        except Exception:
            logger.exception("checking the workspace failed")
        if self.session.outcomes and self.pulls:
            self._refresh_diagnostics()
        self._refresh_lenses()

    async def check_workspace(self, token: lsp.ProgressToken | None) -> dict[str, FileResult]:
        """`ssot check` over the workspace folders (one check at a time), with progress on
        `token` when there is one."""
        if self.lock is None:
            self.lock = asyncio.Lock()
        async with self.lock:
            loop = asyncio.get_running_loop()
            report = _Progress(self.server, token, loop)
            started = loop.time()
            number = self.renamed.check_starts()
            results = await _in_thread(loop, self.background.run, self.folders(), report, loop)
            if self.background.closed:
                return self.results  # shut down in the middle: what it sent is not the workspace
            self.seconds = loop.time() - started
            report.end(f"{len(results)} files checked in {self.seconds:.1f}s")
            self.results = results
            logger.info("checked the workspace: %d files in %.2f s", len(results), self.seconds)
            if self.renamed.took(self.background.renamed, number):
                logger.debug("the names the tree gives the factory classes changed: checking the open buffers again")
                self._recheck_others(None)
            return results

    def folders(self) -> list[str]:
        workspace = self.server.workspace
        folders = [to_fs_path(folder.uri) for folder in workspace.folders.values()]
        folders = [folder for folder in folders if folder] or [workspace.root_path]
        return [os.path.abspath(folder) for folder in folders if folder]

    # ---------------------------------------------------------------- pull diagnostics

    @property
    def pulls(self) -> bool:
        """Does the client pull diagnostics (LSP 3.17)? It then gets none pushed for its
        Python buffers: one list per file, not two of the same."""
        document = self.server.client_capabilities.text_document
        return document is not None and document.diagnostic is not None

    async def workspace_diagnostic(self, params: lsp.WorkspaceDiagnosticParams) -> lsp.WorkspaceDiagnosticReport:
        if self.building is not None and not self.building.done():
            await asyncio.shield(self.building)
        results = await self.check_workspace(params.work_done_token)
        previous = {item.uri: item.value for item in params.previous_result_ids or ()}
        items: list[Any] = []
        session = self.session
        open_paths = {outcome.path: uri for uri, outcome in session.outcomes.items()}
        reported: dict[str, str] = {}
        for path, result in sorted(results.items()):
            uri = open_paths.get(path) or from_fs_path(path)
            if uri in session.outcomes:
                outcome = session.fresh(uri)
                version, published = outcome.version, outcome.published
            else:
                version, published = None, self._published(result)
            if not published and uri not in self.reported:
                continue  # clean, and never reported otherwise: nothing for the client to clear
            result_id = _result_id(published)
            if published:
                reported[uri] = result_id
            if previous.get(uri) == result_id:
                items.append(lsp.WorkspaceUnchangedDocumentDiagnosticReport(uri=uri, result_id=result_id,
                                                                            version=version))
            else:
                items.append(lsp.WorkspaceFullDocumentDiagnosticReport(uri=uri, items=published, version=version,
                                                                       result_id=result_id))
        self.reported = reported
        return lsp.WorkspaceDiagnosticReport(items=items)

    def document_diagnostic(self, params: lsp.DocumentDiagnosticParams) -> lsp.DocumentDiagnosticReport:
        """A pull for one document: the buffer's check, the same list that would be pushed."""
        outcome = self.session.fresh(params.text_document.uri)
        published = outcome.published if outcome is not None else []
        result_id = _result_id(published)
        self.pulled[params.text_document.uri] = result_id
        if params.previous_result_id == result_id:
            return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return lsp.RelatedFullDocumentDiagnosticReport(items=published, result_id=result_id)

    def _published(self, result: FileResult) -> list[lsp.Diagnostic]:
        """A file's result from the workspace check, as the session would publish it."""
        if not result.diagnostics and result.syntax_error is None:
            return []
        try:
            source = decode_source(read_bytes(result.path))
        except SourceError:
            return []
        from flake8_ssot.server import Outcome, Positions  # the session's own module, loaded by now

        session = self.session
        try:
            config = config_for(result.path)
        except ConfigError:
            return []
        positions = Positions(split_lines(source), self.server.workspace.position_encoding or "utf-16")
        outcome = Outcome(None, source, result.path, positions, config)
        outcome.diagnostics = list(with_syntax_error(result, config, source).diagnostics)
        session._judge(from_fs_path(result.path), outcome)  # against the baseline, as an open buffer
        held = outcome.baseline.baselined if outcome.baseline is not None else [False] * len(outcome.diagnostics)
        related: dict[str, Any] = {}
        return [session._to_lsp(d, outcome, related, h) for d, h in zip(outcome.diagnostics, held)]

    def instead_of_push(self, uri: str, diagnostics: Sequence[lsp.Diagnostic]) -> bool:
        """Does the client pull this buffer's diagnostics (so the session pushes none)? When a
        check the client did not ask for (a policy reload, a baseline change) finds other
        diagnostics than it last pulled, it is asked to pull again."""
        if not self.pulls:
            return False
        pulled = self.pulled.get(uri)
        if pulled is not None and pulled != _result_id(diagnostics) and not self.refreshing:
            self.refreshing = True
            asyncio.get_running_loop().call_soon(self._refresh_diagnostics)
        return True

    def _refresh_diagnostics(self) -> None:
        self.refreshing = False
        workspace = self.server.client_capabilities.workspace
        support = workspace.diagnostics if workspace else None
        if support is not None and support.refresh_support:
            self.server.workspace_diagnostic_refresh(None)

    # ---------------------------------------------------------------- code lenses

    def code_lens(self, params: lsp.CodeLensParams) -> list[lsp.CodeLens] | None:
        """Above an import of a legacy path and a deprecated `__all__` entry: how many uses of
        that legacy path the workspace still has (from the last workspace check and the open
        buffers)."""
        outcome = self.session.fresh(params.text_document.uri)
        if outcome is None or outcome.config is None:
            return None
        uses = self.uses()
        lenses = []
        for diagnostic, published in zip(outcome.diagnostics, outcome.published):
            if diagnostic.code not in LENS_CODES:
                continue
            subject = diagnostic.subject
            if diagnostic.code == "SSOT003":  # an export's path: count the uses of its legacy key
                match = outcome.config.legacy.lookup(subject)
                subject = match.key if match is not None else subject
            count = uses.get(subject, 0)
            title = f"{count} use{'' if count == 1 else 's'} of '{subject}' left in the workspace"
            if self.building is not None and not self.building.done():
                title += " (counting)"
            lenses.append(lsp.CodeLens(range=published.range, command=lsp.Command(title=title, command="")))
        return lenses

    def uses(self) -> Counter:
        """Legacy key -> uses (SSOT001, SSOT004) in the workspace, open buffers as edited."""
        outcomes = self.session.outcomes
        open_paths = {outcome.path for outcome in outcomes.values()}
        counted = Counter(d.subject for path, result in self.results.items() if path not in open_paths
                          for d in result.diagnostics if d.code in USE_CODES)
        counted.update(d.subject for outcome in outcomes.values() for d in outcome.diagnostics if d.code in USE_CODES)
        return counted

    def _refresh_lenses(self) -> None:
        workspace = self.server.client_capabilities.workspace
        support = workspace.code_lens if workspace else None
        if support is not None and support.refresh_support:
            self.server.workspace_code_lens_refresh(None)


# --------------------------------------------------------------------------- helpers of the check

def _in_thread(loop: asyncio.AbstractEventLoop, function: Callable, *arguments: Any) -> asyncio.Future:
    """`function(*arguments)` in a daemon thread: `exit` must not wait for a long check
    (`asyncio.to_thread`'s pool threads are joined when the interpreter exits)."""
    future = loop.create_future()

    def run() -> None:
        try:
            result = function(*arguments)
        except BaseException as error:  # handed to the awaiting coroutine
            loop.call_soon_threadsafe(_settle, future, None, error)
        else:
            loop.call_soon_threadsafe(_settle, future, result, None)

    threading.Thread(target=run, name="ssot-workspace-check", daemon=True).start()
    return future


def _settle(future: asyncio.Future, result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _summary(source: str, path: str, module: str, is_package: bool):
    import ast
    import warnings

    from flake8_ssot.facts import collect_facts

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=path)
        return summarise(collect_facts(tree, path, module, is_package, source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _result_id(published: Sequence[lsp.Diagnostic]) -> str:
    text = repr([(d.range, d.code, d.message, d.severity) for d in published])
    return hashlib.sha1(text.encode("utf-8", "surrogateescape"), usedforsecurity=False).hexdigest()[:16]


class _Progress:
    """Work-done progress from the check's thread: at most ten reports a second."""

    def __init__(self, server: Any, token: lsp.ProgressToken | None, loop: asyncio.AbstractEventLoop) -> None:
        self.server, self.token, self.loop = server, token, loop
        self.last = 0.0
        if token is not None:
            server.work_done_progress.begin(token, lsp.WorkDoneProgressBegin(
                title=PROGRESS_TITLE, cancellable=False, percentage=0))

    def __call__(self, done: int, total: int) -> None:
        if self.token is None:
            return
        now = self.loop.time()
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        value = lsp.WorkDoneProgressReport(message=f"{done}/{total} files", percentage=done * 100 // max(total, 1))
        self.loop.call_soon_threadsafe(self.server.work_done_progress.report, self.token, value)

    def end(self, message: str) -> None:
        if self.token is not None:
            self.server.work_done_progress.end(self.token, lsp.WorkDoneProgressEnd(message=message))
