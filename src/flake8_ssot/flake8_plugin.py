"""The flake8 front-end: adapts `engine.check_source` to flake8's AST-plugin protocol.

Read-only for the checked files: flake8 hands over the tree and the lines (from disk or,
for editors, from standard input), so the file is never reread; noqa, `--select` and
`per-file-ignores` are flake8's own business. Configuration is looked up per file and cached
per process by path and modification time. A file over `files.MAX_SOURCE_BYTES` is one
`SSOT000` line saying it was skipped, as `ssot check` and the server say it. The project
index (where `ssot check` left its cache) is opened once per process, and with `--jobs` once
per run, before flake8 forks its workers. The one thing the plugin writes is there, in that
cache directory: the renamed-class names it had to compute, for the next flake8 process
(checking/names_file.py).
"""

from __future__ import annotations

from typing import Any, Iterator

from flake8_ssot import __version__
from flake8_ssot.config import ConfigError, config_for
from flake8_ssot.engine import check_source, file_module, may_match
from flake8_ssot.files import text_refusal

CONFIG_ERROR_CODE = "SSOT000"


class SsotChecker:
    name = "flake8-ssot"
    version = __version__
    config_file: str | None = None

    def __init__(self, tree: Any, filename: str, lines: list[str]) -> None:
        self.tree, self.filename, self.lines = tree, filename, lines

    @classmethod
    def add_options(cls, manager: Any) -> None:
        manager.add_option(
            "--ssot-config",
            default=None,
            parse_from_config=True,
            help="pyproject.toml holding [tool.ssot] (default: the nearest one above each file)",
        )

    @classmethod
    def parse_options(cls, options: Any) -> None:
        cls.config_file = getattr(options, "ssot_config", None)
        if _forks_workers(options):
            # flake8 parses the options in the process that forks its workers: the project
            # index opened here is opened once, not once in each worker (on #16's tree, 7.7 MB
            # of cache and a stat of 24,000 files: 0.3 s of CPU a worker).
            for config in _configurations(options.filenames or ["."], cls.config_file):
                _project_index(config)

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        try:
            config = config_for(self.filename, self.config_file)
        except ConfigError as error:
            yield 1, 0, f"{CONFIG_ERROR_CODE} bad flake8-ssot configuration: {error}", type(self)
            return
        if config.is_empty:
            return
        source = "".join(self.lines)
        refusal = text_refusal(source)
        if refusal is not None:  # as `ssot check` and the server refuse it
            yield 1, 0, f"{CONFIG_ERROR_CODE} {refusal}", type(self)
            return
        # The prefilter first: most files mention no configured name, and for them the plugin's
        # whole cost is this one text search (flake8 has already parsed the file).
        index = None
        if not may_match(source, file_module(self.filename, config)[0], config, strict=True):
            # A file spelling only a name the tree gives a factory-only class (`Context(...)`
            # after `from app.context import Context`): known when the cache's names hold.
            index = _project_index(config)
            if index is None or not _spells_a_renamed_class(source, config):
                return
        lines = [line.rstrip("\r\n") for line in self.lines]
        # fixes=False: flake8 shows no fixes, and SSOT001's fix plan may read the whole tree
        # once per worker process (who imports a name it renames); the messages do not change.
        result = check_source(source, self.filename, config, tree=self.tree, lines=lines, noqa=False, prefilter=False,
                              index=index or _project_index(config), fixes=False)
        for diagnostic in result.diagnostics:
            yield diagnostic.line, diagnostic.column, f"{diagnostic.code} {diagnostic.message}", type(self)


def _forks_workers(options: Any) -> bool:
    """Will flake8 check the files in workers forked from this process? Its own test
    (`flake8.checker.Manager`: `--jobs` above 1, not standard input, more than one file, a
    directory counting as many) on what is known before it lists the files. Workers started
    otherwise (`spawn`, `forkserver`) parse the options themselves and open the index each."""
    import multiprocessing
    import os

    jobs, paths = getattr(options, "jobs", None), getattr(options, "filenames", None) or ["."]
    if jobs is None or "-" in paths or not (len(paths) > 1 or os.path.isdir(paths[0])):
        return False
    try:
        count = (os.cpu_count() or 1) if jobs.is_auto else jobs.n_jobs
        return count > 1 and multiprocessing.get_start_method() == "fork"
    except (AttributeError, RuntimeError, ValueError):  # not the `JobsArgument` of flake8 5-7
        return False


def _configurations(paths: list[str], explicit: str | None) -> list:
    """The distinct valid, non-empty configurations of `paths` (a bad one is each of its files'
    `SSOT000` in `run`)."""
    found: dict[int, Any] = {}
    for path in paths:
        try:
            config = config_for(path, explicit)
        except ConfigError:
            continue
        if not config.is_empty:
            found.setdefault(id(config), config)
        if explicit:
            break  # the same one for every file
    return list(found.values())


# id(configuration) -> (the configuration, its project index or None), decided once per process:
# a flake8 process is one run (a configuration changed on disk loads as a new object).
_PROJECTS: dict[int, tuple[Any, Any]] = {}


def _project_index(config):
    """The project index when `ssot check` (or the server) has run here, which its cache
    directory shows; else None: flake8 sees one file at a time and the plugin then decides from
    that file alone (docs/index.md lists what differs). Asked for nearly every file (those the
    prefilter rejects too, for the renamed-class names), so looked up once per configuration."""
    known = _PROJECTS.get(id(config))
    if known is None or known[0] is not config:
        if len(_PROJECTS) > 16:  # a long-lived process whose configurations keep changing
            _PROJECTS.clear()
        known = _PROJECTS[id(config)] = (config, _open_index(config))
    return known[1]


def _open_index(config):
    import os

    from flake8_ssot.checking.cache import Cache, default_cache_dir
    from flake8_ssot.config.resolve import Overrides
    from flake8_ssot.index import index_for

    directory = default_cache_dir(config)
    if not os.path.isdir(directory):
        return None
    index = index_for(config.src)
    if not index.stored:  # once per process: the summaries `ssot check` kept, before any parse
        cache = Cache(directory, config, Overrides().key())
        _take_renamed_names(index, cache, config)
        # Only the summaries outlive this call, as text: the cache's document is 120,000 lists
        # on a 24,000-file tree, which every full garbage collection of the worker would
        # traverse for the rest of its run (more of flake8's time than the plugin's own work).
        index.stored.append(cache.detached_summaries())
    return index


def _take_renamed_names(index, cache, config) -> None:
    """The names the tree gives the factory-only classes: as `ssot check` kept them while they
    still hold (no file changed since binds a class to a new one), else as the last flake8
    process kept them while they hold, else computed here, one read of the tree, and kept for
    the next process (checking/renamed.py, checking/names_file.py). SSOT002 then resolves only calls of those names,
    as `ssot check` does, instead of every name a file imports from the classes' packages (a
    module summary each, in every flake8 worker), and a file that spells only such a name is
    checked, as `ssot check` checks it."""
    from flake8_ssot.checking.renamed import class_names, names_of_tree

    names = class_names(config)
    if not names:
        return

    try:
        index.aliases[names] = names_of_tree(index, names, cache)
    except (OSError, ValueError, RecursionError):
        return  # every called name is resolved, and such a file is not checked


def _spells_a_renamed_class(source: str, config) -> bool:
    from flake8_ssot.checking.runner import spells_a_renamed_class

    return spells_a_renamed_class(source, config)
