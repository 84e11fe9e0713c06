"""Every key of `[tool.ssot]`, declared once: its name, what its value must be, its default
and one line of documentation. The validator (`config/__init__.py`) takes the known keys, their
order in "expected one of" hints and the defaults from here; the key tables of
docs/configuration.md and docs/patterns.md are checked against it (tests/test_config.py).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Key:
    name: str
    kind: str  # what the value must be, as an error message says it ("a list of strings")
    default: Any  # None: no default (the key is required, or absent means "not used")
    doc: str  # one line, Markdown: the documentation's table cell
    shown_default: str = ""  # the default as the documentation shows it


TOP = (
    Key("src", "a list of strings", [".", "src"],
        "directories, relative to the `pyproject.toml` (to the current directory with `--config FILE`), "
        "that turn file paths into module names (for "
        "relative imports and a module's exemption from its own entry); the longest root holding a file "
        "names it", '`[".", "src"]`'),
    Key("exclude", "a list of strings", [],
        "globs of files `ssot check` skips, on top of `.gitignore` (always honoured)", "`[]`"),
    Key("select", "a list of strings", ["SSOT"],
        'codes or prefixes to enable (`"SSOT"`, `"SSOT00"`, `"SSOT001"`, `"SSOT1"`, `"SSOT101"`)',
        '`["SSOT"]`: all'),
    Key("ignore", "a list of strings", [],
        "codes or prefixes to disable; the most specific prefix wins, and `ignore` wins a tie", "`[]`"),
    Key("extend-select", "a list of strings", [],
        "codes or prefixes to enable on top of `select` (a command-line `--select` replaces `select`, "
        "`ignore` and `extend-select`)", "`[]`"),
    Key("per-file-ignores", "a table", {},
        "a table: glob -> codes or prefixes ignored in the files it matches", "`{}`"),
    Key("legacy", "a table", {},
        "SSOT001 / SSOT004: legacy modules or symbols and their canonical replacements "
        "([entry keys](#entry-keys)); keys may hold `*` wildcards", "`{}`"),
    Key("canonical", "a table", {},
        "SSOT001 (re-exports) / SSOT005: canonical homes of symbols; each value is a table (`{}` for none)",
        "`{}`"),
    Key("factories", "a table", {}, "SSOT002: classes only their factory may build", "`{}`"),
    Key("deprecated-exports", "a table", {},
        "SSOT003: module -> names it must stop exporting (a list of names, or a table with `names`, "
        "`message`, `severity`)", "`{}`"),
    Key("patterns", "an array of tables ([[tool.ssot.patterns]])", [],
        "SSOT100-SSOT899: an array of pattern rules, `[[tool.ssot.patterns]]`; see "
        "[Pattern rules](patterns.md)", "`[]`"),
    Key("baseline", "a file path string", None,
        "the baseline file `ssot check` uses, relative to the `pyproject.toml` (to the current directory with "
        "`--config FILE`); see [Baselines](baselines.md)", "none"),
    Key("cache-dir", "a directory path string", None,
        "where `ssot check` keeps its cache, relative to the `pyproject.toml` (to the current directory with "
        "`--config FILE`; `--cache-dir` overrides it)",
        "`.ssot_cache` beside the `pyproject.toml`"),
)

# The keys of an entry of `legacy`, `canonical`, `factories` and `deprecated-exports`.
ENTRY = (
    Key("use", "a dotted path string", None,
        "the canonical path: the replacement of a legacy path, the factory of a class"),
    Key("message", "a string", "", "appended to the diagnostic"),
    Key("fix", "a string", None,
        '`"safe"`, `"unsafe"` or `"none"`; default `"safe"` when `use` ends in the same name as the key, '
        'else `"unsafe"` (`"none"` without `use`)'),
    Key("allow", "a list of strings", [], "globs of files where the entry does not apply"),
    Key("type-checking", "a boolean", False,
        "`true` exempts imports under `if TYPE_CHECKING:` (default `false`)"),
    Key("severity", "a string", "error",
        '`"error"` (default) or `"warning"`: printed, but does not fail the run'),
    Key("names", "a list of strings", None, "required in the table form: the names to stop exporting"),
    Key("args", "a table", {},
        "how SSOT002's fix maps the constructor's keyword arguments onto the factory's: "
        '`{ thread_id = "websocket_client_id", run_id = false }` renames one and drops the other; '
        "unlisted arguments pass through unchanged"),
)

# Which entry keys each table's entries take, in the order "expected one of" lists them.
ENTRY_KEYS_OF = {
    "legacy": ("use", "message", "fix", "allow", "type-checking", "severity"),
    "canonical": ("message", "allow", "severity"),
    "factories": ("use", "message", "allow", "severity", "args"),
    "deprecated-exports": ("names", "message", "severity"),
}

# The keys of one `[[tool.ssot.patterns]]` rule.
PATTERN = (
    Key("code", "a string", None, "required; `SSOT100` to `SSOT899`, unique among the rules"),
    Key("pattern", "a string", None, "the code shape to find; or"),
    Key("rule", "a table (an ast-grep rule)", None,
        "a full ast-grep rule table (give one of `pattern` and `rule`, not both)"),
    Key("message", "a string", "",
        "what the diagnostic says; default `matches pattern rule SSOTxxx`. `$NAME` and `$$$NAME` are "
        "replaced by the captured code, with whitespace collapsed to one line"),
    Key("fix", "a string (a fix template)", None,
        "optional; the replacement for the matched code, with the same metavariables"),
    Key("files", "a list of strings", None,
        'optional globs: the rule applies only to these files (e.g. `["tests/**"]`)'),
    Key("allow", "a list of strings", [],
        "optional globs: files the rule does not apply to (e.g. the module that owns the attribute)"),
    Key("severity", "a string", "error", '`"error"` (default) or `"warning"` (printed, does not fail the run)'),
)

TOP_KEYS = tuple(key.name for key in TOP)
PATTERN_KEYS = tuple(key.name for key in PATTERN)
_TOP = {key.name: key for key in TOP}


def top(name: str) -> Key:
    return _TOP[name]


def default(name: str) -> Any:
    """A top-level key's default, a fresh copy (the validator hands values on)."""
    return copy.copy(_TOP[name].default)
