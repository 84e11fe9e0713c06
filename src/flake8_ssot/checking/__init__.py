"""Checking a tree: discovery, reading and decoding files, the worker pool, the per-file and
run-level caches, and the fix loop. It calls the engine; it decides no rule.

This module is the one loop over files that `ssot check` and `ssot check --fix/--diff` share:
the run-level answer, discovery, the per-file cache, the workers, the cache's update.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from functools import partial
from typing import Callable, Sequence

from flake8_ssot.checking.cache import Cache, RunCaches, any_takes, now_ns
from flake8_ssot.checking.fixing import FixMode, fix_content, fix_path, has_fixes
from flake8_ssot.checking.mentions import KnownMentions
from flake8_ssot.checking.renamed import RenamedNames
from flake8_ssot.checking.runner import (
    SAME,
    CheckFunction,
    FileResult,
    Progress,
    Task,
    check_bytes,
    check_file,
    run_tasks,
)
from flake8_ssot.checking.runstate import Changed, DamagedState, RunState, StateResults
from flake8_ssot.config import Config
from flake8_ssot.config.resolve import Configurations
from flake8_ssot.dotted import module_name
from flake8_ssot.files import SourceError, decode_source, size_refusal
from flake8_ssot.index import index_for
from flake8_ssot.paths import display_path


@dataclasses.dataclass
class Outcome:
    results: list[FileResult]  # every file checked, in output order
    problems: list[str]  # paths that do not exist, directories that cannot be listed
    configs: list[Config]
    fix: FixMode | None = None  # --fix or --diff
    output: bytes | None = None  # standard input after --fix, printed on standard output
    baselined: list | None = None  # with a baseline: the violations it holds (not in results)
    notes: list[str] = dataclasses.field(default_factory=list)  # summary lines about the baseline
    warnings: list[str] = dataclasses.field(default_factory=list)  # for standard error: paths with no file checked
    cached: int = 0  # results the cache gave without reading the file (for --verbose)
    proof: tuple | None = None  # what the run-level state watched, for a replay record (replay.py)
    # (check_paths with `lazy`) The replay record of this very command, made from the run-level
    # state whose results this run found again (`StateResults.same`): its output is this run's.
    recorded: object | None = None


def check_stdin(
    filename: str, configurations: Configurations, sources: dict[str, str], fix: FixMode | None = None
) -> Outcome:
    path = os.path.abspath(filename)
    config = configurations.configs[configurations.index_for_file(path)]
    data = sys.stdin.buffer.read()
    refusal = size_refusal(len(data))
    if refusal is not None:  # the limit of files on disk holds for standard input too
        result = FileResult(path, error=refusal)
    elif fix is None:
        result = check_bytes(data, path, config)
    else:
        result, data = fix_content(data, path, config, fix, display_path(path, os.getcwd()))
    try:
        sources[path] = decode_source(data)
    except SourceError:
        pass
    output = data if fix is not None and fix.write else None
    return Outcome([result], [], configurations.configs, fix=fix, output=output)


def _summaries_from(caches: RunCaches) -> None:
    """Each configuration's index asks its cache for a summary before parsing a module (set
    before the workers start: they inherit it). Only this run's caches: the process (the
    language server) may run many."""
    by_roots: dict[tuple[str, ...], list] = {}
    for cache in caches.opened.values():
        if cache is not None:
            by_roots.setdefault(tuple(cache.config.src), []).append(cache.stored_summary)
    for roots, sources in by_roots.items():
        index_for(roots).stored[:] = sources


def _check_tasks(tasks: list[Task], configurations: Configurations, caches: RunCaches, jobs: int,
                 check: CheckFunction, fixing: bool, progress: Callable[[int, int], None] | None) -> list:
    _summaries_from(caches)
    terminal = Progress() if progress is None else None
    digest = fixing or bool(caches)
    outputs = run_tasks(tasks, configurations.configs, jobs, digest=digest, check=check, progress=progress or terminal)
    if terminal is not None:
        terminal.finish()
    return outputs


def check_paths(
    paths: Sequence[str],
    configurations: Configurations,
    root: str,
    jobs: int,
    cache_dir: str | None,
    force_exclude: bool = False,
    check: CheckFunction = check_file,
    fix: FixMode | None = None,
    progress: Callable[[int, int], None] | None = None,
    lazy: bool = False,
) -> Outcome:
    """Discover and check (or fix) files. `cache_dir`: None disables the cache, "" means each
    configuration's default (`cache-dir`, else `.ssot_cache` beside its pyproject.toml).
    `progress`: see `check_files`. `lazy`: when a run after files changed in place finds the
    run-level state's results again, and a failed replay of this command recorded their
    output, the outcome's results are a `StateResults` (a sequence built when first read) and
    its `recorded` that replay record."""
    run = None
    if fix is None and cache_dir is not None and check is check_file:
        run = RunState.for_run(paths, configurations, root, cache_dir, force_exclude, jobs)
        if run is not None:
            answer = run.answer()
            if answer is not None:  # nothing the last run saw has changed: its results stand
                checked = [result.path for result in answer]
                warnings = _empty_path_warnings(paths, configurations, root, force_exclude, checked)
                return Outcome(answer, [], configurations.configs, fix=fix, warnings=warnings, cached=len(answer),
                               proof=run.proof)
    observed: list | None = [] if run is not None else None
    inside = tuple(os.path.realpath(path) for path in paths)
    hits: list[str] = []
    taken: dict = {}  # path -> stat, taken once this run (checking and the run-level state share them)
    used_renamed: dict = {}  # the renamed-class names the results were computed with (the state keeps them)
    changed = run.changed if run is not None else None
    recorded = None
    from_state: StateResults | None = None
    if changed is not None:
        # Only files changed in place since the state: discovery would find its files (none
        # named on the command line is missing, no directory unreadable: it saved none such),
        # and each unchanged file's stat is the one it recorded.
        files, walked, problems = changed.files, changed.walked, []
        warnings = _empty_path_warnings(paths, configurations, root, force_exclude, files)
        taken.update((files[position], status) for position, status in changed.now.items())
        try:
            results = check_files(files, configurations, jobs, cache_dir, check, observed, fix, inside, hits,
                                  progress, taken=taken, in_place=changed, used_renamed=used_renamed)
            if type(results) is StateResults:
                from_state = results  # the state's, but those checked again: `save` writes just those
                if results.same and lazy and run.record is not None:
                    recorded = run.record
                else:
                    results = results.list()
        except DamagedState:  # a crafted state (its checksum holds): the run goes the full way
            changed = from_state = None
    if changed is None:
        # Imported here: a warm run, answered above, is spared discovery's import.
        from flake8_ssot.checking.discovery import discover

        walked = [] if run is not None else None
        found = discover(paths, configurations.for_directory, boundary=root, force_exclude=force_exclude, walked=walked)
        files = found.files
        warnings = no_files_warnings(found.empty, bool(found.files))
        problems = [f"{path}: no such file or directory" for path in found.missing]
        problems += [f"{directory}: cannot list the directory: {reason}" for directory, reason in found.unreadable]
        results = check_files(files, configurations, jobs, cache_dir, check, observed, fix, inside, hits, progress,
                              taken=taken, used_renamed=used_renamed)
    if run is not None and not problems:
        run.save(files, observed, results if from_state is None else from_state, walked, taken, used_renamed,
                 carried=changed)
    return Outcome(results, problems, configurations.configs, fix=fix, warnings=warnings, cached=len(hits),
                   proof=run.proof if run is not None else None, recorded=recorded)


def no_files_warnings(empty: Sequence[tuple[str, list[str]]], any_files: bool) -> list[str]:
    """ruff's warning when nothing is checked, naming what left the files out; with files
    checked, one line per named directory without any (a file that --force-exclude leaves
    out is no news then: pre-commit names every changed file)."""
    def why(reasons: Sequence[str]) -> str:
        return f" (left out by {', '.join(reasons)})" if reasons else ""

    if not empty:
        return []
    if not any_files:
        reasons = sorted({reason for _, found in empty for reason in found})
        return [f"warning: No Python files found under the given path(s){why(reasons)}"]
    return [
        f"warning: No Python files found under {given}{why(reasons)}"
        for given, reasons in empty
        if os.path.isdir(given)
    ]


def _empty_path_warnings(
    paths: Sequence[str], configurations: Configurations, root: str, force_exclude: bool,
    files: Sequence[str],
) -> list[str]:
    """The warnings of a run that took its files from the run-level state: discovery again,
    only for the paths with no file under them."""
    inside = [os.path.normpath(os.path.abspath(path)) for path in paths]
    empty = [
        given for given, absolute in zip(paths, inside)
        if not any(file == absolute or file.startswith(absolute.rstrip(os.sep) + os.sep) for file in files)
    ]
    if not empty:
        return []
    from flake8_ssot.checking.discovery import discover

    found = discover(empty, configurations.for_directory, boundary=root, force_exclude=force_exclude)
    return no_files_warnings(found.empty, bool(files))


def check_files(
    files: Sequence[str],
    configurations: Configurations,
    jobs: int,
    cache_dir: str | None,
    check: CheckFunction = check_file,
    observed: list | None = None,
    fix: FixMode | None = None,
    inside: Sequence[str] = (),
    hits: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    taken: dict | None = None,
    in_place: Changed | None = None,
    used_renamed: dict | None = None,
) -> list[FileResult]:
    """Results in the order of `files`: cached ones straight away, the rest from the runner.

    `observed`, if given, receives each file's `os.stat` taken before it was read (None for a
    file without a cache), for the run-level cache. With `fix`, the cache answers only for
    files whose cached diagnostics have nothing to fix; every other file is read, fixed and
    checked again. A rewritten file's entry is stored with its new content's digest and
    modification time; `--diff` stores nothing it did not see on disk. `inside`: the checked
    paths, resolved; `--fix` writes no file that resolves outside them. `hits`, if given,
    receives each file the cache answered for (unchanged, so not checked again). `progress`
    (done, total) replaces the terminal's "Checked N/M files" (the language server's
    work-done progress). `taken`: path -> stat, the stats this run has taken (each file is
    stat'ed once: here, by the caches, or by the run-level state before the run); `in_place`:
    only files changed in place since the run-level state (checking/runstate.py `Changed`),
    whose stats are in `taken`: the project indexes take the tree the state proved, and only
    the files the state names as possibly changed are looked up (the others' results are the
    state's), unless the renamed-class names are not those the state's results used.
    `used_renamed`, if given, receives those of this run's results: configuration number ->
    the names (sorted), or None.

    The project index takes the module summaries the caches kept (a worker then parses no
    module a previous run summarised), and the caches keep the ones the checks had to build.
    """
    for config in configurations.configs:
        # The process's index of a tree outlives a run (a program calling this twice, the
        # language server): what it knew of the tree's files (the list, who holds a name, the
        # renamed names) is read again; its summaries stay, each checked against its file.
        if not config.is_empty:
            index_for(config.src).files_changed()
    taken = {} if taken is None else taken
    caches = RunCaches(configurations, cache_dir, taken)
    kept: Changed | None = None
    recheck: set[int] = set()
    resized: set[int] = set()
    if in_place is not None:
        for roots, tree, directories in in_place.trees:
            index_for(roots).adopt_tree(tree, directories)
        kept, recheck, resized = in_place, _recheck(in_place, configurations), in_place.resized
        caches.as_recorded = set(files).difference(files[position] for position in in_place.changed)
    checked_at = now_ns()
    from_state = False  # did the last plan keep the state's results?

    def plan(stale: set[int]) -> tuple[list, list[Task], list]:
        """The cache's answers, and the files to check (all of those of `stale` configurations)."""
        nonlocal from_state
        results: list[FileResult | None] = [None] * len(files)
        tasks: list[Task] = []
        slots: list[tuple[int, os.stat_result | None, Cache | None]] = []
        for target in (observed, hits):
            if target is not None:
                del target[:]
        trusted = kept is not None and not stale  # the renamed names grew: no result of before stands
        from_state = trusted
        stats = observed
        if trusted:
            # The state's results (`StateResults`, below) and stats (the state records them:
            # `Changed.stats`) for all; the files to check again go through the cache as in a
            # full run.
            stats = None
            if hits is not None:
                hits[:] = [path for position, path in enumerate(files) if position not in recheck]
        for position, path in enumerate(files) if not trusted else ((n, files[n]) for n in sorted(recheck)):
            results[position] = None
            index = configurations.index_for_file(path)
            cache = caches.of(index)
            status = None
            expected = None
            if cache is not None:
                status = taken.get(path)
                if status is None:
                    try:
                        status = taken[path] = os.stat(path)
                    except OSError:
                        status = None
                if stats is not None:
                    stats.append(status)
                if position in resized:
                    pass  # of another size than the state saw: checked without asking its entry (a miss, or older)
                elif status is not None and index not in stale:
                    state, cached = cache.lookup(path, status)
                    if state == "hit" and (fix is None or not has_fixes(cached, fix.unsafe)):
                        results[position] = cached
                        if hits is not None:
                            hits.append(path)
                        continue
                    if state == "verify" and fix is None:  # a file about to be fixed is read anyway
                        expected = cache.digest(path)
            elif stats is not None:
                stats.append(None)
            tasks.append(Task(path, index, expected))
            slots.append((position, status, cache))
        return results, tasks, slots

    results, tasks, slots = plan(set())
    mentions = KnownMentions(configurations, caches)
    if mentions.grow(tasks):  # a changed file now holds a renamed name: who imports it may differ
        recheck.update(in_place.depends if in_place is not None else ())  # every result that asked
        results, tasks, slots = plan(set())
    renamed = RenamedNames(configurations, caches, stable=fix is None and check is check_file, jobs=jobs)
    if fix is not None:
        check = partial(fix_path, mode=fix, cwd=os.getcwd(), inside=inside)
    try:
        stale = renamed.stale(tasks, len(files))
        if kept is not None and _renamed_of(caches) != in_place.renamed:
            # The state's results were computed with other renamed-class names than the cache's
            # entries (a run since, which could not save a state, learned new ones): the cache
            # answers for every file, as in a full run.
            kept = None
            results, tasks, slots = plan(stale)
            if mentions.grow(tasks):
                results, tasks, slots = plan(stale)
        elif stale:  # a file now renames a factory class: entries computed without that name go
            results, tasks, slots = plan(stale)
        if fix is None:  # a fix changes which files hold a name as it goes
            mentions.provide(files, tasks)
        outputs = _check_tasks(tasks, configurations, caches, jobs, check, fix is not None, progress)
        renamed.keep()
        if used_renamed is not None:
            used_renamed.update(_renamed_of(caches))
    finally:
        renamed.close()
        mentions.close()
    for (position, status, cache), task, output in zip(slots, tasks, outputs):
        if output == SAME and cache is not None:
            cached = cache.result(task.path)
            if cached is not None:
                cache.confirm(task.path, status, checked_at)
                results[position] = cached
                if hits is not None:
                    hits.append(task.path)
                continue
            output = check(task.path, configurations.configs[task.config], True)
        results[position] = output
        if cache is None:
            continue
        cache.store_summaries(getattr(output, "depends", ()))
        if getattr(output, "written", False):
            cache.forget_groups()  # the fix may have put a name in a file its group lacks
            try:
                status = os.stat(task.path)
            except OSError:
                status = None
        elif getattr(output, "diff", b""):
            continue  # the diagnostics are those of content that is not on disk
        cache.store(task.path, status, checked_at, output)
    if in_place is None or len(tasks) > FEW_CHECKED or caches.must_save():
        caches.save()
    if from_state:
        return StateResults(in_place, {position: results[position] for position in recheck})
    return [result for result in results if result is not None]


def _recheck(changed: Changed, configurations: Configurations) -> set[int]:
    """The positions of the files a run after files changed in place checks again (through the
    per-file cache): the state's `recheck`; each result that heard "no module takes the name"
    from a group of files one of which changed and now takes it from the result's module (the
    per-file cache's own proof: `Cache._group_unchanged`); and every result that asked about a
    name a changed file holds now but did not in the state's group (the per-file cache's
    groups may have grown since, in a run that could not save a state: `KnownMentions.grow`
    compares with those, this with the state's)."""
    from flake8_ssot.index.importers import as_python_reads

    recheck = set(changed.recheck)
    files = changed.files
    if changed.asked:
        for position in sorted(changed.changed):
            try:
                with open(files[position], "rb") as handle:
                    data = as_python_reads(handle.read())
            except OSError:
                continue  # checked below: its error is the result, and no state is saved
            for name, members, askers in changed.asked:
                if position not in members and name.encode() in data:
                    recheck.update(askers)
    verdicts: dict[tuple[str, str, str], bool] = {}
    for position, name, moved in changed.proofs:
        if position in recheck:
            continue
        asker = files[position]
        config = configurations.configs[configurations.index_for_file(asker)]
        if any_takes(config.src, [files[member] for member in moved], name, module_name(asker, config.src)[0],
                     verdicts):
            recheck.add(position)
    return recheck


def _renamed_of(caches: RunCaches) -> dict[int, list[str] | None]:
    """The renamed-class names the entries of each opened cache of a configuration with
    factory classes were computed with (`RenamedNames` opens all of those)."""
    return {number: None if cache.renamed is None else sorted(cache.renamed)
            for number, cache in caches.opened.items() if cache is not None and cache.config.factories.exact}


# A run after files changed in place that checked at most this many files leaves the per-file
# cache as it was: rewriting its entries (the 24k of #16's tree: 0.1-0.2 s) costs more than
# checking those files again next time, which the cache, comparing each file's stat with its
# entry's, does by itself; the run-level state it saves answers for them meanwhile.
FEW_CHECKED = 16
