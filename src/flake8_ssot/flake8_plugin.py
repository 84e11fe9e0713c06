"""The flake8 front-end: adapts `engine.check_source` to flake8's AST-plugin protocol.

Read-only and stateless across runs: flake8 hands over the tree and the lines (from disk or,
for editors, from standard input), so the file is never reread; noqa, `--select` and
`per-file-ignores` are flake8's own business. Configuration is looked up per file and cached
per process by path and modification time. A file over `files.MAX_SOURCE_BYTES` is one
`SSOT000` line saying it was skipped, as `ssot check` and the server say it.
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


def _project_index(config):
    """The project index when `ssot check` (or the server) has run here, which its cache
    directory shows; else None: flake8 sees one file at a time and the plugin then decides from
    that file alone (docs/index.md lists what differs)."""
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
        index.stored.append(cache.stored_summary)
        _take_kept_names(index, cache, config)
    return index


def _take_kept_names(index, cache, config) -> None:
    """The names the tree gives the factory-only classes, as `ssot check` kept them, when they
    still hold (no file changed since binds a class to a new one: checking/renamed.py): SSOT002
    then resolves only calls of those names, as `ssot check` does, instead of every name a file
    imports from the classes' packages (a module summary each, in every flake8 worker), and a
    file that spells only such a name is checked."""
    names = frozenset(key.rpartition(".")[2] for key in config.factories.exact)
    if not names or cache.renamed is None or not names <= cache.renamed:
        return
    from flake8_ssot.checking.renamed import kept_names_hold

    try:
        if kept_names_hold(index, [cache], []):
            index.aliases[names] = cache.renamed
    except (OSError, ValueError, RecursionError):
        return


def _spells_a_renamed_class(source: str, config) -> bool:
    from flake8_ssot.checking.runner import spells_a_renamed_class

    return spells_a_renamed_class(source, config)
