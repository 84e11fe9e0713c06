"""`ssot progress`: how a migration goes over time. Walks the first-parent history of the
current branch, counts the legacy uses at each sampled commit (per legacy path, code,
canonical target, owner and directory) and at the working tree, and reports the trend.

Only the command line imports this package; its arguments are registered here so that
`ssot check` pays nothing for it (the walk and its libraries load only when it runs).
"""

from __future__ import annotations

import argparse
import os
import re
import sys

EXIT_CLEAN, EXIT_ERROR = 0, 2
FORMATS = ("text", "json", "csv", "markdown")
BY = ("path", "owner", "code", "directory", "canonical")
MISSING_EXTRA_MESSAGE = (
    "ssot progress needs the progress extra (codeowners, pygal, tqdm): pip install 'flake8-ssot[progress]'"
)


def _every(text: str) -> str:
    if text == "week" or re.fullmatch(r"[1-9][0-9]*", text):
        return text
    raise argparse.ArgumentTypeError(f"{text!r} is neither a number of commits nor 'week'")


def _depth(text: str) -> int:
    if not re.fullmatch(r"[1-9][0-9]*", text):
        raise argparse.ArgumentTypeError("must be a whole number, at least 1")
    return int(text)


def add_parser(commands) -> None:
    progress = commands.add_parser(
        "progress",
        help="legacy uses over the git history: per legacy path, owner, code; a burn-down chart",
        description=(
            "Count the legacy uses at sampled first-parent commits of the current branch and in the "
            "working tree, per legacy path, owner (CODEOWNERS), code, directory or canonical target, "
            "with the policy of each commit. Findings are cached by file content: a second run checks "
            "only what changed. Needs the progress extra: pip install 'flake8-ssot[progress]'."
        ),
    )
    progress.add_argument("paths", nargs="*", metavar="PATH", help="count only files under these paths")
    history = progress.add_argument_group("which commits")
    history.add_argument("--since", metavar="DATE", help="commits after DATE (as git log --since takes it)")
    history.add_argument("--until", metavar="DATE", help="commits before DATE")
    history.add_argument("--rev-range", metavar="A..B", help="the commits of B not in A, after their merge base")
    history.add_argument(
        "--every", type=_every, metavar="N|week", help="every Nth commit, or the last commit of each week"
    )
    history.add_argument("--no-working-tree", action="store_true", help="leave out the working tree's point")
    progress.add_argument(
        "--config", metavar="FILE", help="apply this pyproject.toml to every commit (default: each commit's own)"
    )
    output = progress.add_argument_group("output")
    output.add_argument("--by", choices=BY, default="path", help="the table's rows (default: path, the legacy path)")
    output.add_argument("--output-format", choices=FORMATS, default="text", help="default: text")
    output.add_argument("--output-file", metavar="FILE", help="write the report to FILE instead of standard output")
    output.add_argument("--html", metavar="FILE", help="also write a self-contained page with burn-down charts")
    output.add_argument(
        "--directory-depth", type=_depth, default=1, metavar="N", help="--by directory: the first N directories"
    )
    cache = progress.add_argument_group("cache")
    cache.add_argument("--no-cache", action="store_true", help="neither read nor write the findings cache")
    cache.add_argument("--cache-dir", metavar="DIR", help="cache directory (default: .ssot_cache in the repository)")
    progress.set_defaults(handler=main)


def missing_extra() -> str | None:
    try:
        import codeowners  # noqa: F401
        import pygal  # noqa: F401
        import tqdm  # noqa: F401
    except ImportError:
        return MISSING_EXTRA_MESSAGE
    return None


def main(args: argparse.Namespace) -> int:
    problem = missing_extra()
    if problem is not None:
        _error(problem)
        return EXIT_ERROR
    from flake8_ssot.progress.command import run
    from flake8_ssot.progress.history import HistoryError

    try:
        return run(args, os.getcwd())
    except HistoryError as error:
        _error(str(error))
        return EXIT_ERROR


def _error(message: str) -> None:
    sys.stderr.write(f"error: {message}\n")
