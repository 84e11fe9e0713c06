"""`ssot progress` run: choose the commits, walk them with a progress bar on standard error
(quiet when it is not a terminal), write the report and the page."""

from __future__ import annotations

import argparse
import os
import sys

from flake8_ssot.config import ConfigError
from flake8_ssot.config.resolve import Overrides
from flake8_ssot.files import SourceError, read_bytes
from flake8_ssot.progress.findings import FindingCache, PolicyReader, Selection, default_cache_dir, load_policy
from flake8_ssot.progress.history import (
    BlobReader,
    HistoryError,
    first_parent_commits,
    has_commits,
    repository_root,
    sample,
    shallow_note,
)
from flake8_ssot.progress.report import RENDERERS
from flake8_ssot.progress.walk import walk

EXIT_CLEAN = 0


def run(args: argparse.Namespace, cwd: str) -> int:
    root = repository_root(cwd)
    notes = []
    commits = []
    if has_commits(root):
        shallow = shallow_note(root)
        if shallow:
            notes.append(shallow)
        commits = sample(first_parent_commits(root, args.rev_range, args.since, args.until), args.every)
    elif args.rev_range:
        raise HistoryError("--rev-range: the repository has no commits yet")
    if not commits and args.no_working_tree:
        raise HistoryError("no commits to count: widen --since/--until/--rev-range, or drop --no-working-tree")
    explicit = None
    overrides = Overrides()
    if args.config:
        try:
            data = read_bytes(args.config)
        except SourceError as error:
            raise ConfigError(os.path.abspath(args.config), "", f"cannot read configuration: {error}") from None
        explicit = load_policy(data, os.path.abspath(args.config), overrides)
    prefixes = _prefixes(args.paths, cwd, root)
    cache = FindingCache(None if args.no_cache else (args.cache_dir or default_cache_dir(root)))
    blobs = BlobReader(root)
    bar = _progress_bar(len(commits))
    try:
        result = walk(
            root, commits, Selection(root, prefixes), cache, PolicyReader(root, overrides, blobs.read), blobs,
            explicit, args.directory_depth, not args.no_working_tree, bar.update if bar else None,
        )
    finally:
        if bar:
            bar.close()
        blobs.close()
        cache.save()
    result.notes[:0] = notes
    for line in result.skipped:
        sys.stderr.write(f"warning: skipped {line}\n")
    for line in result.notes:
        sys.stderr.write(f"note: {line}\n")
    if not result.points:
        raise HistoryError("no commit could be counted (see the warnings above)")
    unchecked = {path: why for path, why in result.points[-1].unchecked.items()}
    for path, why in sorted(unchecked.items()):
        sys.stderr.write(f"warning: {path}: not counted: {why}\n")
    text = RENDERERS[args.output_format](result, args.by)
    _write(text, args.output_file)
    if args.html:
        from flake8_ssot.progress.page import render_html

        _write(render_html(result), args.html)
    return EXIT_CLEAN


def _prefixes(paths: list[str], cwd: str, root: str) -> list[str]:
    prefixes = []
    for path in paths:
        relative = os.path.relpath(os.path.abspath(os.path.join(cwd, path)), root).replace(os.sep, "/")
        if relative.startswith(".."):
            raise HistoryError(f"{path} is outside the repository {root}")
        if relative == ".":
            return []
        prefixes.append(relative.rstrip("/"))
    return prefixes


def _progress_bar(total: int):
    """tqdm on standard error, only on a terminal and for walks worth watching."""
    if total < 2 or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="commit", desc="ssot progress", file=sys.stderr, leave=False)


def _write(text: str, output_file: str | None) -> None:
    if output_file:
        directory = os.path.dirname(os.path.abspath(output_file))
        os.makedirs(directory, exist_ok=True)
        with open(output_file, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()
