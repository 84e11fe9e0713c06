"""The `ssot` command line: `check` (the CI gate and pre-commit hook), `rule`, `registry`, `server`.

A thin front-end: it parses the arguments, has `checking` check (or fix) the paths and
gives the results to a reporter. Exit codes: 0 clean, 1 violations (or files that could not
be checked), 2 configuration or usage error, or a report that could not be written.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import stat
import sys
import time
from typing import TYPE_CHECKING, Callable, Sequence, TextIO

from flake8_ssot import __version__, discover, progress, replay
from flake8_ssot.checking import Outcome, check_paths, check_stdin, fixing
from flake8_ssot.checking.fixing import FixMode
from flake8_ssot.checking.runner import FileResult, default_jobs, quiet_collector, with_syntax_error
from flake8_ssot.checking.runstate import DamagedState
from flake8_ssot.cli import colour, settings
from flake8_ssot.cli.registry import render_registry
from flake8_ssot.config import (
    PATTERN_CODE,
    Config,
    ConfigError,
    find_config_file,
    has_ssot_table,
    load_config,
    selector_problem,
)
from flake8_ssot.config.globs import GlobSet, InvalidGlob, patterns_proven
from flake8_ssot.config.resolve import Configurations, Overrides, project_root
from flake8_ssot.files import source_reader, write_atomic
from flake8_ssot.index import index_for
from flake8_ssot.index.policy import policy_notes, policy_problems
from flake8_ssot.paths import display_path
from flake8_ssot.reporters import FORMATS, TEXT_FORMATS, Report, one_line, render
from flake8_ssot.reporters.statistics import render_json as render_statistics_json
from flake8_ssot.reporters.statistics import render_text as render_statistics_text
from flake8_ssot.reporters.statistics import split_statistics, statistics

if TYPE_CHECKING:
    from flake8_ssot.diagnostic import Diagnostic
    from flake8_ssot.baseline import Plan as BaselinePlan

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """A command-line mistake; the message is meant for the user."""


class OutputError(Exception):
    """The report could not be written; the message is meant for the user."""


# --------------------------------------------------------------------------- arguments


def _codes(text: str) -> tuple[str, ...]:
    codes = tuple(part.strip() for part in text.split(",") if part.strip())
    for code in codes:
        problem = selector_problem(code)  # a full pattern code is judged once the policies are read
        if problem is not None:
            raise argparse.ArgumentTypeError(problem)
    return codes


def undeclared_pattern_codes(args: argparse.Namespace, configs: Sequence[Config]) -> None:
    """A full pattern code on the command line must be declared by a policy of the run."""
    declared = {rule.code for config in configs for rule in config.patterns}
    for option in ("select", "ignore", "extend_select"):
        for code in getattr(args, option) or ():
            problem = selector_problem(code, declared)
            if problem is not None:
                raise UsageError(f"--{option.replace('_', '-')}: {problem}")


def _globs(text: str) -> tuple[str, ...]:
    globs = tuple(part.strip() for part in text.split(",") if part.strip())
    try:
        GlobSet(globs)
    except InvalidGlob as error:
        raise argparse.ArgumentTypeError(f"invalid glob {error.pattern!r}: {error.reason}") from None
    return globs


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ssot",
        description="Keep a Python codebase on its single sources of truth (flake8-ssot).",
        allow_abbrev=False,  # as ruff: `--unsafe` is no `--unsafe-fixes`
    )
    parser.add_argument("--version", action="version", version=f"ssot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="check files against [tool.ssot]", description=(
        "Check Python files against the [tool.ssot] configuration. Exit codes: 0 clean, "
        "1 violations found, 2 configuration or usage error."
    ))
    check.add_argument(
        "paths", nargs="*", metavar="PATH",
        help="files or directories (default: the project root; with --config FILE, the current directory); "
        "`-` for standard input",
    )
    check.add_argument(
        "-w", "--watch", action="store_true",
        help="check again whenever a Python file or a configuration changes, until Ctrl-C (needs the watch extra)",
    )
    check.add_argument(
        "--config",
        metavar="FILE | 'KEY = VALUE'",
        action="append",
        help="pyproject.toml to use for every file (default: the nearest one above each file; its relative paths "
        "are the current directory's, as in ruff), or a TOML "
        "`KEY = VALUE` line that overrides that [tool.ssot] setting (repeatable), "
        "e.g. --config 'select = [\"SSOT001\"]'",
    )
    output = check.add_argument_group("output")
    output.add_argument("--output-format", choices=FORMATS, default="full", help="default: full")
    output.add_argument("--output-file", metavar="FILE", help="write the report to FILE instead of standard output")
    output.add_argument(
        "--statistics", action="store_true", help="counts per code and per legacy path instead of each violation"
    )
    output.add_argument("-q", "--quiet", action="store_true", help="print violations only, no summary")
    output.add_argument(
        "--color", choices=colour.CHOICES, default="auto",
        help="colour full and concise output: auto (a terminal, unless NO_COLOR; FORCE_COLOR forces it), always, never",
    )
    output.add_argument(
        "-v", "--verbose", action="store_true",
        help="on standard error: the configuration files used, how many files were checked and cached, the time",
    )
    output.add_argument(
        "--show-files", action="store_true", help="list the files that would be checked, one per line, and stop"
    )
    output.add_argument(
        "--show-settings", action="store_true",
        help="print the settings for the first PATH (or the project root), each with where it came from, and stop",
    )
    output.add_argument(
        "--show-syntax-errors",
        action="store_true",
        help="report each file Python cannot parse as an SSOT000 violation (default: one summary line)",
    )
    output.add_argument(
        "--show-policy",
        action="store_true",
        help="list the policy entries that name code the tree does not have (the summary shows the first few), "
        "and check nothing",
    )
    output.add_argument(
        "-s", "--silent", action="store_true",
        help="print nothing on standard output but fixed standard input (the exit code and error lines stay)",
    )
    output.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even with violations (2 still means bad configuration)"
    )
    output.add_argument(
        "--exit-non-zero-on-fix", action="store_true",
        help="exit 1 when --fix changed a file, even if no violation remains",
    )
    selection = check.add_argument_group("rule selection (overrides [tool.ssot])")
    selection.add_argument(
        "--select",
        type=_codes,
        metavar="CODES",
        help="comma-separated codes or prefixes to enable, replacing select and ignore",
    )
    selection.add_argument(
        "--ignore", type=_codes, metavar="CODES", help="comma-separated codes or prefixes to disable"
    )
    selection.add_argument(
        "--extend-select",
        type=_codes,
        metavar="CODES",
        help="comma-separated codes or prefixes to enable on top of select",
    )
    files = check.add_argument_group("files")
    files.add_argument(
        "--stdin-filename",
        metavar="PATH",
        help="check source from standard input, reported as PATH with PATH's configuration",
    )
    files.add_argument(
        "--extend-exclude",
        type=_globs,
        metavar="GLOBS",
        help="comma-separated globs to exclude on top of exclude (relative to the configuration's directory)",
    )
    files.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply .gitignore and exclude to files named on the command line too (for pre-commit)",
    )
    files.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    files.add_argument("--cache-dir", metavar="DIR", help="cache directory (default: .ssot_cache in the project root)")
    files.add_argument(
        "-j", "--jobs", type=_jobs, default=None, metavar="N", help="worker processes (default: all cores)"
    )
    fixes = check.add_argument_group("fixes")
    fixes.add_argument("--fix", action="store_true", help="apply safe fixes")
    fixes.add_argument("--unsafe-fixes", action="store_true", help="apply unsafe fixes too")
    fixes.add_argument("--diff", action="store_true", help="print the fixes as a unified diff, change nothing")
    fixes.add_argument(
        "--show-fixes", action="store_true",
        help="per file, the fixes applied (with --fix) or that would apply, with counts, and why the rest "
        "was not fixed (unsafe, conflicting edits, not fixable)",
    )
    fixes.add_argument(
        "--add-noqa", action="store_true",
        help="add `# noqa: CODE` to every line with a violation (existing noqa codes are kept), report nothing",
    )
    baseline = check.add_argument_group("baselines")
    baseline.add_argument("--baseline", metavar="FILE", help="report only violations not recorded in FILE")
    baseline.add_argument("--write-baseline", metavar="FILE", help="record the current violations in FILE")
    baseline.add_argument(
        "--add-new",
        action="store_true",
        help="with --write-baseline over an existing baseline: add new violations too (default: only drop fixed ones)",
    )
    check.set_defaults(handler=run_check)

    rule = commands.add_parser("rule", help="explain a rule (all rules without CODE)")
    rule.add_argument("code", nargs="?", metavar="CODE")
    rule.add_argument("--all", action="store_true", help="explain every rule (what no CODE does)")
    rule.add_argument(
        "--output-format", choices=("text", "json"), default="text",
        help="text (Markdown, the default) or json (an object per rule, an array with --all)",
    )
    rule.add_argument(
        "--config", metavar="FILE", help="pyproject.toml declaring pattern rules (default: found from here)"
    )
    rule.set_defaults(handler=run_rule)

    registry = commands.add_parser("registry", help="print the canonical import registry as Markdown")
    registry.add_argument("--config", metavar="FILE", help="pyproject.toml to read (default: found from here)")
    registry.add_argument("--output-file", metavar="FILE", help="write the Markdown to FILE")
    registry.set_defaults(handler=run_registry)

    server = commands.add_parser(
        "server",
        help="run the language server (LSP on standard input/output)",
        description=(
            "Serve the Language Server Protocol on standard input/output for an editor: diagnostics "
            "as you type, quick fixes, hover. Needs the server extra: pip install 'flake8-ssot[server]'."
        ),
    )
    server.add_argument(
        "--log-level",
        default="warning",
        choices=("error", "warning", "info", "debug"),
        help="what to log on standard error (default: warning)",
    )
    server.add_argument("--log-file", metavar="FILE", help="log to FILE instead of standard error")
    server.set_defaults(handler=run_server)
    progress.add_parser(commands)  # `ssot progress`: its handler loads the walk only when it runs
    discover.add_parser(commands)  # `ssot discover`: likewise, the tree walk loads when it runs
    for command in commands.choices.values():
        command.allow_abbrev = False
    return parser


def parse_arguments(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """The arguments; an unknown option is refused by its command's parser (its usage, and
    "did you mean" when an option of that command is close), not by `ssot`'s."""
    args, unknown = parser.parse_known_args(argv)
    if not unknown:
        return args
    command = _command_parser(parser, args.command) or parser
    options = [option for action in command._actions for option in action.option_strings]
    message = f"unrecognized arguments: {' '.join(unknown)}"
    first = next((item.split("=", 1)[0] for item in unknown if item.startswith("-")), None)
    from difflib import get_close_matches  # only for a 'did you mean' message: not every run's import
    close = get_close_matches(first, options, n=1, cutoff=0.6) if first else []
    command.error(message + (f"; did you mean '{close[0]}'?" if close else ""))
    raise AssertionError("unreachable: error() exits")


def _command_parser(parser: argparse.ArgumentParser, name: str | None) -> argparse.ArgumentParser | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and name is not None:
            return action.choices.get(name)
    return None


def main(argv: Sequence[str] | None = None, *, ending: bool = False) -> int:
    """The command line. `ending`: the process ends when this returns (the `ssot`
    executable): a check leaves the cyclic collector off (`quiet_collector`)."""
    parser = build_parser()
    try:
        args = parse_arguments(parser, argv)
    except SystemExit as exit_:  # argparse already printed the usage error
        return exit_.code if isinstance(exit_.code, int) else EXIT_ERROR
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    args.argv = list(sys.argv[1:] if argv is None else argv)  # what `--watch` runs again
    try:
        if args.command != "check":
            return args.handler(args)  # `server` runs for hours: it keeps the collector on
        args.recording = replay.Recording(args.argv) if replay_wanted(args) else None
        with quiet_collector(stay_off=ending), args.recording or contextlib.nullcontext():
            # (a failed replay of this very command saw the configuration unchanged: its globs
            # compile when first matched, if ever)
            with patterns_proven(args.recording is not None and replay.configuration_as_recorded(args.recording.key)):
                code = args.handler(args)
        if args.recording is not None:
            args.recording.save(code)
        return code
    except ConfigError as error:
        _error(str(error))
        return EXIT_ERROR
    except (UsageError, OutputError) as error:
        _error(str(error))
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`ssot check | head`)
        replay.stop_output()
        return EXIT_VIOLATIONS


def replay_wanted(args: argparse.Namespace) -> bool:
    """May a later identical command be answered by replaying this one's output (replay.py)?
    Only a command that reads the tree and reports: nothing it writes, nothing on standard
    input, no timings."""
    return not (
        args.no_cache or args.stdin_filename is not None or "-" in args.paths or args.fix or args.diff
        or args.watch or args.add_noqa or args.show_files or args.show_settings or args.show_policy
        or args.verbose or args.output_file or args.write_baseline is not None
    )


def _error(message: str) -> None:
    sys.stderr.write(f"error: {message}\n")


def _shown(path: str, cwd: str) -> str:
    """A file's name in an `error:` line: a line break in it cannot forge another line."""
    return one_line(display_path(path, cwd))


# --------------------------------------------------------------------------- ssot check


def run_check(args: argparse.Namespace) -> int:
    if args.statistics and args.output_format not in (*TEXT_FORMATS, "json"):
        raise UsageError(
            f"--statistics prints a table or JSON, not {args.output_format}: "
            "use it with --output-format full, concise, grouped or json"
        )
    started = time.perf_counter()
    fix = FixMode.from_args(args.fix, args.unsafe_fixes, args.diff)
    cwd = os.getcwd()
    if args.add_noqa and (fix is not None or args.stdin_filename is not None or "-" in args.paths):
        raise UsageError("--add-noqa edits files: it cannot be combined with --fix, --diff or standard input")
    if args.silent:  # ruff's -s: no report, no summary, no warning; the exit code says it all
        args.quiet = True
    if "-" in args.paths:  # `ssot check -`: standard input, as in ruff and flake8
        if args.paths != ["-"]:
            raise UsageError("`-` (standard input) is checked alone: give it without other paths")
        args.paths = []
        if args.stdin_filename is None:
            args.stdin_filename = "-"
    try:
        args.config, config_settings = settings.config_arguments(args.config or [])
    except ValueError as error:
        raise UsageError(str(error)) from None
    if args.config:
        load_config(args.config)  # a bad --config is exit 2 before anything else happens
        require_policy_in(args.config)
    if args.watch:
        return watch_and_check(args, cwd)
    if args.show_policy:
        return show_policy(args)
    overrides = Overrides(
        args.select, args.ignore or (), args.extend_select or (), args.extend_exclude or (), config_settings
    )
    configurations = Configurations(args.config, overrides)
    if args.show_files or args.show_settings:
        root = project_root(cwd, args.config)
        if args.show_settings:
            return settings.show_settings((args.paths or [args.stdin_filename or root])[0], configurations, cwd)
        return settings.show_files(args.paths or [root], configurations, root, args.force_exclude)
    plan = baseline_plan(args, cwd, configurations)
    sources: dict[str, str] = {}
    if args.stdin_filename is not None:
        outcome = check_stdin(args.stdin_filename, configurations, sources, fix)
    else:
        root = project_root(cwd, args.config)
        recording = getattr(args, "recording", None)
        written = len(recording.chunks) if recording is not None else 0

        def run(lazy: bool) -> Outcome:
            return check_paths(
                args.paths or [root],
                configurations,
                root,
                jobs=args.jobs or default_jobs(),
                cache_dir=None if args.no_cache else (args.cache_dir or ""),
                force_exclude=args.force_exclude,
                fix=fix,
                lazy=lazy,
            )

        outcome = run(lazy=recording is not None)
        if outcome.recorded is not None:
            # Files changed in place, and every result is the run-level state's: the output
            # is the record's (replay.py), made from that state, unless this run wrote something
            # already (a warning about the cache), which the record cannot hold.
            if len(recording.chunks) == written:
                return replay_recorded(outcome.recorded, recording, outcome.proof, plan)
            try:
                outcome = dataclasses.replace(outcome, results=list(outcome.results), recorded=None)
            except DamagedState:
                outcome = run(lazy=False)
    if not any(config.file for config in outcome.configs) and not outcome.problems and not _policy_above(args, cwd):
        # A gate with nothing to check against would pass anything: a configuration error.
        raise UsageError(
            f"no pyproject.toml with a [tool.ssot] table in {_places_looked(args, cwd)} or above: "
            "nothing to check against (add [tool.ssot], or pass --config FILE)"
        )
    undeclared_pattern_codes(args, outcome.configs)
    if args.verbose:
        sys.stderr.write(verbose_lines(outcome, cwd, time.perf_counter() - started, bool(config_settings)))
    if not args.quiet:
        sys.stderr.write("".join(one_line(warning) + "\n" for warning in outcome.warnings))
    if args.add_noqa:
        return noqa_added(outcome, cwd, args.quiet)
    if args.show_syntax_errors:
        outcome = dataclasses.replace(outcome, results=syntax_errors_shown(outcome.results, configurations, sources))
    if plan is not None:
        checked = [] if args.stdin_filename is not None else (args.paths or [plan.root])
        if plan.write_to is not None:
            return report_written(args, outcome, cwd, plan.write(outcome.results, sources, checked, configurations))
        applied = plan.check(outcome.results, sources, checked, configurations)
        outcome = dataclasses.replace(
            outcome, results=applied.results, baselined=applied.baselined, notes=applied.notes
        )
    if not args.quiet:  # warnings in the summary; they never change the exit code
        notes = [*outcome.notes, *policy_notes(outcome.configs, cwd)]
        if args.config:  # a policy from elsewhere: its `src` may not fit this tree (a project's own may leave
            notes += outside_src(outcome.results, configurations, cwd)  # scripts and tests out on purpose)
        outcome = dataclasses.replace(outcome, notes=notes)
    recording = getattr(args, "recording", None)
    if recording is not None:
        _record_inputs(recording, outcome.proof, plan)
    return report(args, outcome, cwd, sources)


def replay_recorded(record: replay.Record, recording: replay.Recording, proof: tuple | None,
                    plan: BaselinePlan | None) -> int:
    """Write the output of a replay record, as `ssot` does when nothing changed, and keep it
    for this command's next record."""
    _record_inputs(recording, proof, plan)
    record.write()
    return record.code


def _record_inputs(recording: replay.Recording, proof: tuple | None, plan: BaselinePlan | None) -> None:
    """What the output depends on, for the replay record: what the run-level state watched,
    and the baseline compared against."""
    recording.proof = proof
    if plan is not None and plan.against is not None:
        recording.extra.append(plan.against)


def watch_and_check(args: argparse.Namespace, cwd: str) -> int:
    """`--watch`: this command line without it, run again on each change (cli/watch.py)."""
    if args.stdin_filename is not None or args.add_noqa or args.show_files or args.show_settings or args.show_policy:
        raise UsageError("--watch checks files again as they change: it cannot be combined with standard "
                         "input, --add-noqa, --show-files, --show-settings or --show-policy")
    from flake8_ssot.cli import watch as watching

    try:
        import watchfiles  # noqa: F401
    except ImportError:
        raise UsageError(watching.MISSING_EXTRA) from None
    root = project_root(cwd, args.config)
    paths = args.paths or [root]
    configs = [args.config] if args.config else [found for found in (
        find_config_file(os.path.abspath(place)) for place in [cwd, *paths]) if found]
    cache_dirs = ([args.cache_dir] if args.cache_dir
                  else [os.path.join(os.path.dirname(c), ".ssot_cache") for c in configs])
    places = watching.watched_places(paths, configs)
    if not places:
        raise UsageError(f"--watch: nothing to watch: {', '.join(paths)} not found")
    return watching.watch(args.argv, places, watching.Relevant(paths, configs, cache_dirs), cwd)


def outside_src(results: Sequence[FileResult], configurations: Configurations, cwd: str) -> list[str]:
    """With `--config`, one summary line when checked files lie under none of its `src` roots
    (a policy written for another layout): their module names then come from their packages'
    `__init__.py` files, which may not be what was meant."""
    outside: list[str] = []
    roots: dict[str, None] = {}
    if len(configurations.configs) == 1 and os.sep == "/" and not any("//" in result.path for result in results):
        # One configuration (what --config makes of every directory): a string test per file.
        src = configurations.configs[0].src
        below = tuple(root.rstrip(os.sep) + os.sep for root in src)
        outside = [result.path for result in results if not result.path.startswith(below)]
        if outside:
            roots.update(dict.fromkeys(src))
        results = ()
    by_directory: dict[str, bool] = {}  # a run of 40,000 files has a few thousand directories
    for result in results:
        path = result.path  # (os.path.dirname, by hand for the usual normalised path: once per file)
        directory = path.rpartition("/")[0] or "/" if os.sep == "/" and "//" not in path else os.path.dirname(path)
        under = by_directory.get(directory)
        if under is None:
            src = configurations.configs[configurations.index_for_file(result.path)].src
            under = by_directory[directory] = any(
                directory == root or directory.startswith(root.rstrip(os.sep) + os.sep) for root in src)
            if not under:
                roots.update(dict.fromkeys(src))
        if not under:
            outside.append(result.path)
    if not outside:
        return []
    shown = ", ".join(_shown(root, cwd) for root in roots)
    files = f"{_plural(len(outside), 'file')} checked" + (" lies" if len(outside) == 1 else " lie")
    return [f"note: {files} under no `src` root ({shown}), e.g. {_shown(outside[0], cwd)}: module names come "
            "from their packages' __init__.py files; set `src` in [tool.ssot] if that is not right"]


def verbose_lines(outcome: Outcome, cwd: str, seconds: float, settings_given: bool) -> str:
    """-v: which configuration files the run used, how many files it checked (how many the
    cache answered for) and how long it took; on standard error, so reports stay parseable."""
    files = [_shown(config.file, cwd) for config in outcome.configs if config.file]
    used = ", ".join(files) if files else "none (the defaults)"
    if settings_given:
        used += " (with --config settings)"
    checked = len(outcome.results)
    return (f"Configuration: {used}\n"
            f"Checked {_plural(checked, 'file')} ({outcome.cached} from the cache) in {seconds:.2f}s\n")


def noqa_added(outcome: Outcome, cwd: str, quiet: bool) -> int:
    """--add-noqa: the comments written, and how many on standard error (as ruff says it)."""
    from flake8_ssot.cli.noqa import add_noqa  # the fixer's modules: not for every run's start-up

    for problem in outcome.problems:
        _error(one_line(problem))
    added, errors = add_noqa(outcome.results)
    for path, why in errors:
        _error(f"{_shown(path, cwd)}: {why}")
    if added and not quiet:
        sys.stderr.write(f"Added {added} noqa directive{'' if added == 1 else 's'}.\n")
    return EXIT_ERROR if outcome.problems or errors else EXIT_CLEAN


def _policy_above(args: argparse.Namespace, cwd: str) -> bool:
    """A policy that applies though no checked file used it (every file was left out)."""
    given = [args.stdin_filename] if args.stdin_filename is not None else args.paths
    return any(find_config_file(os.path.abspath(place)) for place in [cwd, *given])


def _places_looked(args: argparse.Namespace, cwd: str) -> str:
    given = [args.stdin_filename] if args.stdin_filename is not None else args.paths
    places = dict.fromkeys([cwd, *(os.path.abspath(path) for path in given)])
    return ", ".join(_shown(place, cwd) if place != cwd else cwd for place in places)


def require_policy_in(config_file: str) -> None:
    """`--config FILE` names the policy to use: a file without `[tool.ssot]` is a mistake."""
    with open(config_file, "rb") as handle:  # load_config has just read it
        data = handle.read()
    if not has_ssot_table(data):
        raise ConfigError(os.path.abspath(config_file), "", "no [tool.ssot] table: --config names the policy to use")


def show_policy(args: argparse.Namespace) -> int:
    """`ssot check --show-policy`: every policy entry naming code the tree does not have."""
    config = _config_here(args.config)
    problems = policy_problems(config, index_for(config.src)) if config is not None else []
    text = "".join(f"{problem.shown(os.getcwd())}\n" for problem in problems)
    # What the code deprecates that the policy does not know yet (`ssot discover` proposes it).
    text += "".join(f"{hint.shown(os.getcwd())}\n" for hint in (discover.policy_hints(config) if config else []))
    _write(text or "The policy names only code the tree has.\n", args.output_file, True)
    return 0


def syntax_errors_shown(
    results: Sequence[FileResult], configurations: Configurations, sources: dict[str, str]
) -> list[FileResult]:
    """--show-syntax-errors: each file's syntax error becomes an SSOT000 diagnostic (selection,
    per-file-ignores, noqa and baselines apply to it as to any code)."""
    read = source_reader(sources)
    return [
        result if result.syntax_error is None else with_syntax_error(
            result, configurations.configs[configurations.index_for_file(result.path)], read(result.path)
        )
        for result in results
    ]


def baseline_plan(args: argparse.Namespace, cwd: str, configurations: Configurations) -> BaselinePlan | None:
    """--baseline / --write-baseline / `baseline` in [tool.ssot] (or `--config 'baseline = ...'`);
    the baseline is read now."""
    if args.add_new and not args.write_baseline:
        raise UsageError("--add-new only works with --write-baseline")
    root = project_root(cwd, args.config)
    configured = configurations.for_directory(root).baseline  # with the --config KEY = VALUE lines
    if args.write_baseline is None and (args.baseline or configured) is None:
        return None  # what Plan.make answers here, without importing the baseline module
    from flake8_ssot.baseline import Plan as BaselinePlan

    return BaselinePlan.make(root, cwd, args.baseline, args.write_baseline, args.add_new, configured)


def report_written(args: argparse.Namespace, outcome: Outcome, cwd: str, notes: list[str]) -> int:
    """After --write-baseline: no violations listed, only what was written."""
    for problem in outcome.problems:
        _error(one_line(problem))
    for result in outcome.results:
        if result.error is not None:
            _error(f"{_shown(result.path, cwd)}: {result.error} (its baseline entries are kept)")
    if not args.quiet:
        _write("".join(line + "\n" for line in notes), None, True)
    unchecked = outcome.problems or any(result.error is not None for result in outcome.results)
    return EXIT_VIOLATIONS if unchecked and not args.exit_zero else EXIT_CLEAN


# --------------------------------------------------------------------------- reporting


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(
    results: Sequence[FileResult], problems: Sequence[str], fix: FixMode | None = None, unsafe: bool = False,
    syntax_errors_listed: bool = False,
    baseline: bool = False,
) -> list[str]:
    errors = sum(1 for r in results for d in r.diagnostics if d.severity != "warning")
    warnings = sum(1 for r in results for d in r.diagnostics if d.severity == "warning")
    broken = sum(1 for r in results if r.syntax_error is not None)
    unchecked = sum(1 for r in results if r.error is not None) + len(problems)
    lines = []
    fixed = fixing.fixed_count(results)
    if fixed and baseline:
        # The fixed violations may be baselined ones: "Found 2 errors" would call them new.
        left = f"{errors} new remaining" + (f", {_plural(warnings, 'new warning')}" if warnings else "")
        lines.append(f"Fixed {_plural(fixed, 'error')} ({left}).")
    elif fixed:
        lines.append(fixing.found_line(errors, fixed, warnings))
    elif errors or warnings:
        parts = [_plural(errors, "error")] if errors else []
        if warnings:
            parts.append(_plural(warnings, "warning"))
        lines.append(f"Found {' and '.join(parts)}.")
    elif unchecked:
        lines.append("No violations found in the files checked.")
    else:
        lines.append("All checks passed!")
    hint = fixing.hint_line(results, unsafe or (fix is not None and fix.unsafe))
    if hint:
        lines.append(hint)
    if broken and not syntax_errors_listed:
        lines.append(syntax_error_line(broken))
    if unchecked:
        lines.append(f"{_plural(unchecked, 'path')} could not be checked (see the errors above).")
    return lines


def syntax_error_line(broken: int) -> str:
    """One line for every file that does not parse (ruff's wording); each is listed, as an
    SSOT000 violation, only with --show-syntax-errors."""
    files = "1 file with a syntax error was" if broken == 1 else f"{broken} files with syntax errors were"
    return f"{files} checked with error recovery (--show-syntax-errors to list them)"


def exit_code(results: Sequence[FileResult], problems: Sequence[str], exit_zero: bool) -> int:
    if exit_zero:
        return EXIT_CLEAN
    failed = problems or any(
        r.error is not None or any(d.severity != "warning" for d in r.diagnostics) for r in results
    )
    return EXIT_VIOLATIONS if failed else EXIT_CLEAN


def lines_reader(sources: dict[str, str]) -> Callable[[str], list[str] | None]:
    read = source_reader(sources)

    def lines_of(path: str) -> list[str] | None:
        source = read(path)
        return None if source is None else source.splitlines()

    return lines_of


def baseline_keys_reader(sources: dict[str, str]) -> Callable[[str, Sequence[Diagnostic]], list]:
    """SARIF's fingerprints are the baseline keys, so that an alert keeps its identity as a
    baseline entry does."""
    read = source_reader(sources)

    def keys(path: str, diagnostics: Sequence[Diagnostic]) -> list:
        from flake8_ssot.baseline import keys as baseline_keys  # only SARIF needs the module

        return baseline_keys(diagnostics, read(path))

    return keys


def report(args: argparse.Namespace, outcome: Outcome, cwd: str, sources: dict[str, str]) -> int:
    results = outcome.results
    for problem in outcome.problems:
        _error(one_line(problem))
    for result in results:
        if result.error is not None:
            _error(f"{_shown(result.path, cwd)}: {result.error}")
    for path, why in fixing.fix_errors(results):
        _error(f"{_shown(path, cwd)}: {why}")
    if outcome.fix is not None and not outcome.fix.write:
        return report_diff(args, outcome)
    if outcome.output is not None:  # --fix on standard input: the source out, the report to stderr
        _write_bytes(outcome.output, None)
    fmt = args.output_format
    if args.statistics:
        new = [d for r in results for d in r.diagnostics]
        stats = statistics(new) if outcome.baselined is None else split_statistics(new, outcome.baselined)
        text = render_statistics_json(stats) if fmt == "json" else render_statistics_text(stats)
        textual = fmt != "json"
    else:
        marks = fixing.fix_marks(args.unsafe_fixes) if outcome.fix is None else None
        the_report = Report(results, cwd, lines_reader(sources), outcome.configs, fix_marks=marks,
                            baseline_keys=baseline_keys_reader(sources))
        text = render(fmt, the_report)
        textual = fmt in TEXT_FORMATS
    if textual and args.show_fixes:  # asked for: shown with -q too (not with -s), as ruff's
        if text and not text.endswith("\n\n"):
            text += "\n"
        text += "".join(line + "\n" for line in fixing.show_fixes(results, outcome.fix, args.unsafe_fixes, cwd))
        text += "\n" if not args.quiet else ""
    elif args.show_fixes and not args.quiet:  # machine formats stay parseable: on standard error
        shown = fixing.show_fixes(results, outcome.fix, args.unsafe_fixes, cwd)
        sys.stderr.write("".join(line + "\n" for line in shown))
    if textual and not args.quiet:
        if text and not text.endswith("\n\n") and fmt == "full" and not args.statistics:
            text += "\n"
        text += "".join(line + "\n" for line in summary(
            results, outcome.problems, outcome.fix, args.unsafe_fixes, args.show_syntax_errors,
            baseline=outcome.baselined is not None))
    elif not textual and not args.quiet and not args.show_syntax_errors:
        broken = sum(1 for result in results if result.syntax_error is not None)
        if broken:  # machine formats stay parseable: the summary line on standard error
            sys.stderr.write(syntax_error_line(broken) + "\n")
    if outcome.notes and not args.quiet:  # machine formats stay parseable: notes on standard error
        if textual:
            text += "".join(line + "\n" for line in outcome.notes)
        else:
            sys.stderr.write("".join(line + "\n" for line in outcome.notes))
    if (fmt in ("full", "concise") and not args.statistics and not args.output_file and outcome.output is None
            and colour.wanted(args.color, sys.stdout)):
        text = colour.coloured(text, (the_report.line_path(result.path) for result in results))
    if not args.silent or args.output_file:
        _write(text, args.output_file, textual, stderr=outcome.output is not None)
    if args.exit_non_zero_on_fix and not args.exit_zero and fixing.fixed_count(results):
        return EXIT_VIOLATIONS  # ruff's option: CI fails when --fix had to change a file
    return exit_code(results, outcome.problems, args.exit_zero)


def report_diff(args: argparse.Namespace, outcome: Outcome) -> int:
    """`--diff`: the diffs on standard output (a patch `patch -p0` applies), the summary on
    standard error; exit 1 when applying the fixes would change a file (or a path failed)."""
    results = outcome.results
    if not args.silent or args.output_file:
        _write_bytes(fixing.diffs(results), args.output_file)
    if args.show_fixes and not args.silent:  # the diff alone on standard output: `patch` reads it
        sys.stderr.write("".join(line + "\n" for line in fixing.show_fixes(results, outcome.fix, False, os.getcwd())))
    if not args.quiet:
        sys.stderr.write(fixing.diff_summary(results, outcome.fix.unsafe) + "\n")
    changes = any(getattr(r, "diff", b"") for r in results)
    failed = changes or outcome.problems or any(r.error is not None for r in results)
    return EXIT_VIOLATIONS if failed and not args.exit_zero else EXIT_CLEAN


def _write_bytes(data: bytes, output_file: str | None) -> None:
    if output_file:
        write_report(output_file, data)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _write(text: str, output_file: str | None, textual: bool, stderr: bool = False) -> None:
    if output_file:
        write_report(output_file, text.encode("utf-8", "backslashreplace"))
        return
    out: TextIO = sys.stderr if stderr else sys.stdout
    if not textual:
        # Machine formats are UTF-8 by their specifications, whatever the terminal's encoding.
        out.flush()
        out.buffer.write(text.encode("utf-8", "backslashreplace"))
        out.buffer.flush()
        return
    stream: TextIO = out
    if hasattr(stream, "reconfigure"):
        stream.reconfigure(errors="backslashreplace")
    stream.write(text)
    stream.flush()


def write_report(output_file: str, data: bytes) -> None:
    """Write `--output-file`: a regular file is replaced whole (a temporary file and a rename,
    so a full disk leaves the previous report), anything else (/dev/stdout, a FIFO, a
    terminal) is written in place, never replaced."""
    try:
        if _written_in_place(output_file):
            with open(output_file, "wb") as stream:
                stream.write(data)
            return
        target = os.path.realpath(output_file)  # a symbolic link to the report stays a link
        directory = os.path.dirname(target)
        if not os.path.exists(directory):  # a file in its place: writing says "Not a directory"
            os.makedirs(directory, exist_ok=True)
        write_atomic(target, data)
    except OSError as error:
        raise OutputError(f"{output_file}: cannot write the report: {error.strerror or error}") from None


def _written_in_place(output_file: str) -> bool:
    # /dev/stdout redirected to a file stats as that regular file, yet must be written through.
    if os.path.abspath(output_file).startswith(("/dev/", "/proc/")):
        return True
    try:
        return not stat.S_ISREG(os.stat(output_file).st_mode)
    except OSError:
        return False  # a new file (or one that cannot be reached: writing it will say why)


# --------------------------------------------------------------------------- ssot rule / registry


def _config_here(explicit: str | None) -> Config | None:
    if explicit:  # its relative paths are the current directory's, as for `ssot check`
        return load_config(explicit, root=os.getcwd())
    found = find_config_file(os.getcwd())
    return load_config(found) if found else None


def run_rule(args: argparse.Namespace) -> int:
    from flake8_ssot.rules.docs import builtin_docs, find_rule, rule_url

    def as_json(doc) -> dict:  # ruff's `rule --output-format json` field names, where they apply
        return {"code": doc.code, "name": doc.name, "summary": doc.summary, "explanation": doc.body + "\n",
                "url": rule_url(doc.code)}

    if args.all and args.code is not None:
        raise UsageError(f"give a CODE or --all, not both (got {args.code!r} and --all)")
    if args.code is None:
        if args.output_format == "json":
            _write(json.dumps([as_json(doc) for doc in builtin_docs()], indent=2, ensure_ascii=False) + "\n",
                   None, False)
        else:
            sys.stdout.write("\n".join(doc.markdown() for doc in builtin_docs()))
        return EXIT_CLEAN
    config = None
    if PATTERN_CODE.match(args.code.strip().upper()):
        config = _config_here(args.config)
    doc = find_rule(args.code, config)
    if doc is None:
        known = ", ".join(doc.code for doc in builtin_docs()[:-1])
        raise UsageError(f"unknown rule {args.code!r}; the rules are {known} and SSOT100-SSOT899 (pattern rules)")
    if args.output_format == "json":
        _write(json.dumps(as_json(doc), indent=2, ensure_ascii=False) + "\n", None, False)
    else:
        sys.stdout.write(doc.markdown())
    return EXIT_CLEAN


def run_registry(args: argparse.Namespace) -> int:
    config = _config_here(args.config)
    if config is None:
        raise UsageError(f"no pyproject.toml with a [tool.ssot] table in {os.getcwd()} or above; pass --config FILE")
    name = display_path(config.file or "pyproject.toml", os.getcwd())
    _write(render_registry(config, name), args.output_file, True)
    return EXIT_CLEAN


def run_server(args: argparse.Namespace) -> int:
    from flake8_ssot import server

    if server.MISSING_EXTRA is not None:  # pygls/lsprotocol are not installed
        _error(server.MISSING_EXTRA_MESSAGE)
        return EXIT_ERROR
    return server.main(["--log-level", args.log_level, *(["--log-file", args.log_file] if args.log_file else [])])
