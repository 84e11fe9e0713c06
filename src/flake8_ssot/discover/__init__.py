"""`ssot discover`: the policy the tree already states. Proposes `[tool.ssot]` entries from
deprecation warnings and decorators, re-export shims, `__all__` entries commented deprecated,
classes built only through a factory, and (as candidates) names defined in several modules;
each with its evidence (file:line and the quoted text) and a confidence. See docs/discover.md.

Only the command line imports this package (and `--show-policy`'s hints); it writes nothing
but `pyproject.toml`, and only with `--write`.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from flake8_ssot.config import (
    Config,
    ConfigError,
    config_for,
    default_config,
    find_config_file,
    load_config,
)

if TYPE_CHECKING:
    from flake8_ssot.index.policy import PolicyHint

EXIT_CLEAN, EXIT_ERROR = 0, 2
FORMATS = ("toml", "json", "markdown")


def add_parser(commands) -> None:
    discover = commands.add_parser(
        "discover",
        help="propose [tool.ssot] entries from what the code already says (deprecation warnings, shims, ...)",
        description=(
            "Read the tree and propose [tool.ssot] entries from what the code already says: "
            "DeprecationWarnings and @deprecated decorators naming a replacement, re-export shims, "
            "__all__ entries commented deprecated, factory-only classes; names defined in several "
            "modules are listed as candidates. Each entry comes with its evidence (file:line and "
            "the quoted text) and a confidence. Entries the policy already has are not proposed again."
        ),
    )
    discover.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: the project root)")
    discover.add_argument("--config", metavar="FILE", help="pyproject.toml whose policy and src roots to use")
    discover.add_argument("--output-format", choices=FORMATS, default="toml",
                          help="toml (a [tool.ssot] snippet, the default), json or markdown")
    discover.add_argument("--output-file", metavar="FILE",
                          help="write the proposals to FILE instead of standard output")
    discover.add_argument("--write", action="store_true",
                          help="add the proposed entries to pyproject.toml, keeping the rest of the file as it is")
    discover.set_defaults(handler=main)


def _policy(explicit: str | None) -> tuple[Config, str]:
    """The policy to compare with, and the pyproject.toml that --write edits."""
    if explicit:  # as ssot check --config: its relative paths (src, exclude) are the current directory's
        return load_config(explicit, root=os.getcwd()), os.path.abspath(explicit)
    cwd = os.getcwd()
    found = find_config_file(cwd)
    if found:
        return config_for(cwd), found
    return default_config(cwd), os.path.join(cwd, "pyproject.toml")


def main(args: argparse.Namespace) -> int:
    from flake8_ssot.discover.output import (
        RENDERERS,  # the tree walk loads only when it runs
    )
    from flake8_ssot.discover.proposals import discover_policy

    config, pyproject = _policy(args.config)
    missing = [path for path in args.paths if not os.path.exists(path)]
    if missing:
        sys.stderr.write(f"error: {missing[0]}: no such file or directory\n")
        return EXIT_ERROR
    cwd = os.getcwd()
    discovered = discover_policy(args.paths, config)
    text = RENDERERS[args.output_format](discovered, cwd)
    if args.output_file:
        try:
            with open(args.output_file, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as error:
            sys.stderr.write(f"error: cannot write {args.output_file}: {error.strerror}\n")
            return EXIT_ERROR
    elif not args.write or args.output_format != "toml":
        sys.stdout.write(text)
    if args.write:
        from flake8_ssot.discover.write import write_proposals

        try:
            written = write_proposals(pyproject, discovered.proposals, cwd)
        except ConfigError as error:
            sys.stderr.write(f"error: the proposals would make an invalid policy, nothing written: {error}\n")
            return EXIT_ERROR
        except (OSError, UnicodeDecodeError, ValueError) as error:
            sys.stderr.write(f"error: cannot update {pyproject}: {error}\n")
            return EXIT_ERROR
        shown = os.path.relpath(pyproject, cwd) if pyproject.startswith(cwd + os.sep) else pyproject
        sys.stderr.write(f"Added {written} entr{'y' if written == 1 else 'ies'} to {shown}.\n")
    return EXIT_CLEAN


def policy_hints(config: Config) -> list[PolicyHint]:
    """`ssot check --show-policy`: what the code deprecates (warnings, decorators, `__all__`
    comments) that the policy does not know yet, and what it says that contradicts the policy."""
    from flake8_ssot.index.policy import PolicyHint  # the index: not imported by `ssot check`'s warm path

    from flake8_ssot.discover.proposals import CONFLICT, PROPOSED, discover_policy

    hints = []
    for proposal in discover_policy([], config, deprecations_only=True).proposals:
        quote = proposal.quote
        if proposal.status == CONFLICT:
            hints.append(PolicyHint(quote.file, quote.line,
                                    f"the code deprecates '{proposal.key}', but {proposal.note}"))
        elif proposal.status == PROPOSED and proposal.section == "deprecated-exports":
            names = ", ".join(proposal.names)
            hints.append(PolicyHint(quote.file, quote.line, f"'{proposal.key}' exports {names}, said deprecated: "
                                    "not in [tool.ssot.deprecated-exports] (ssot discover --write adds it)"))
        elif proposal.status == PROPOSED:
            use = f" (use '{proposal.use}')" if proposal.use else ""
            hints.append(PolicyHint(quote.file, quote.line, f"the code deprecates '{proposal.key}'{use}: "
                                    "not in [tool.ssot.legacy] (ssot discover --write adds it)"))
    return hints
