"""`[tool.ssot]`: find it, parse it once into frozen typed objects, validate it with key paths.

Rules receive a ready `Config` (matchers, not raw TOML). Every problem is a `ConfigError`
naming the file, the key path and what is wrong; never a traceback.
"""

from __future__ import annotations

import json
import keyword
import os
import re
import stat
import sys
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping

from flake8_ssot.config import schema
from flake8_ssot.config.globs import GlobSet, InvalidGlob
from flake8_ssot.config.prefilter import Prefilter
from flake8_ssot.dotted import PathTable, is_dotted_path, is_dotted_pattern, is_wildcard, last_literal_run
from flake8_ssot.paths import relative_path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CODE_PREFIX = re.compile(r"^SSO(T[0-9]{0,3})?$")
PATTERN_CODE = re.compile(r"^SSOT([1-8][0-9]{2})$")
# The built-in codes (SSOT000 is a file that does not parse): a selector must be a prefix of
# one of them, of the pattern range (SSOT1 ... SSOT89) or of a declared pattern rule. The
# rules package cannot be imported here (it sits above); tests/test_cli_conventions.py
# holds the two lists together.
BUILTIN_CODES = ("SSOT000", "SSOT001", "SSOT002", "SSOT003", "SSOT004", "SSOT005")
_PATTERN_RANGE_PREFIX = re.compile(r"^SSOT[1-8][0-9]?$")
FIX_VALUES = ("safe", "unsafe", "none")
SEVERITIES = ("error", "warning")


class ConfigError(Exception):
    """A configuration problem, already phrased for the user."""

    def __init__(self, file: str, key_path: str, problem: str) -> None:
        self.file, self.key_path, self.problem = file, key_path, problem
        where = f"{file}: {cut(key_path)}" if key_path else file
        super().__init__(f"{where}: {cut(problem)}")


# A message quotes the user's keys and values; a hostile file's 100 kB key must not become a
# 100 kB line. Past this many characters the middle is left out.
MAX_SHOWN = 200


def cut(text: str, limit: int = MAX_SHOWN) -> str:
    if len(text) <= limit:
        return text
    head = limit * 2 // 3
    return f"{text[:head]}...({len(text) - limit} characters left out)...{text[head - limit:]}"


@dataclass(frozen=True)
class Entry:
    """One `[tool.ssot.legacy]`, `canonical` or `factories` entry."""

    key: str
    use: str | None = None
    message: str = ""
    fix: str = "none"
    allow: GlobSet = field(default_factory=GlobSet)
    type_checking: bool = False
    severity: str = "error"
    # `factories` only: how SSOT002's fix maps the constructor's keyword arguments onto the
    # factory's, (argument, factory parameter or None to drop it), in the order written.
    args: tuple[tuple[str, str | None], ...] = ()
    # `fix` is the default for the entry's shape (it has no `fix` key): SSOT001 makes a fix safe
    # where the project index proves the rewrite keeps the same objects (rules/rewrites.py).
    fix_default: bool = False


@dataclass(frozen=True)
class DeprecatedExports:
    module: str
    names: frozenset[str]
    message: str = ""
    severity: str = "error"


@dataclass(frozen=True)
class PatternRule:
    code: str
    rule: Mapping[str, Any]  # an ast-grep rule table: {"pattern": ...} or kind/has/inside/not
    message: str
    fix: str | None = None
    files: GlobSet | None = None
    allow: GlobSet = field(default_factory=GlobSet)
    severity: str = "error"
    anchors: tuple[str, ...] = ()  # literal words any match must contain; () = no prefilter


@dataclass(frozen=True)
class Config:
    file: str | None  # the pyproject.toml it came from, None for the empty default
    root: str  # the directory globs and `src` are relative to
    src: tuple[str, ...]
    exclude: GlobSet
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    extend_select: tuple[str, ...]
    per_file_ignores: tuple[tuple[GlobSet, tuple[str, ...]], ...]
    legacy: PathTable[Entry]
    canonical: PathTable[Entry]
    factories: PathTable[Entry]
    deprecated_exports: Mapping[str, DeprecatedExports]
    patterns: tuple[PatternRule, ...]
    baseline: str | None = None
    cache_dir: str | None = None
    anchors: tuple[str, ...] = ()  # the prefilter's words, for display and tests
    prefilter: Any = None  # prefilter.Prefilter, built from this configuration

    def relative(self, path: str) -> str:
        """`path` relative to the configuration root, with forward slashes."""
        return relative_path(path, self.root)

    @property
    def is_empty(self) -> bool:
        return not (
            self.legacy or self.canonical or self.factories or self.deprecated_exports or self.patterns
        )


def default_config(root: str | None = None) -> Config:
    root = os.path.abspath(root or os.getcwd())
    return _build({}, file=None, root=root)


# --------------------------------------------------------------------------- discovery

_LOADED: dict[tuple[str, int, int], Config] = {}
_FOUND: dict[str, str | None] = {}


def find_config_file(start: str) -> str | None:
    """The nearest `pyproject.toml` with a `[tool.ssot]` table, walking up from `start`."""
    directory = os.path.abspath(start)
    if not os.path.isdir(directory):
        directory = os.path.dirname(directory)
    visited = []
    found: str | None = None
    while True:
        if directory in _FOUND:
            found = _FOUND[directory]
            break
        visited.append(directory)
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.exists(candidate) and _has_ssot_table(candidate):
            found = candidate
            break
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    for directory in visited:
        _FOUND[directory] = found
    return found


def _has_ssot_table(path: str) -> bool:
    """Is this the configuration to use? Also yes for what cannot be judged without reporting
    it (not a regular file, broken TOML, UTF-16): skipping it silently would check the tree
    against another policy, or none."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return True
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return False
    return has_ssot_table(data)


def has_ssot_table(data: bytes) -> bool:
    """Does this pyproject.toml content hold a `[tool.ssot]` table? A file that cannot be
    parsed says yes when it mentions ssot, so that loading it reports the problem."""
    if b"ssot" not in data:
        wide = _wide_encoding(data)
        return wide is not None and "ssot" in data.decode(wide, "replace")
    try:
        document = parse_toml(data, "")
    except ConfigError:
        return True
    tool = document.get("tool")
    return isinstance(tool, dict) and "ssot" in tool


def _wide_encoding(data: bytes) -> str | None:
    """"utf-16"/"utf-32" when `data` looks like text in one (a byte-order mark, or NUL bytes
    between ASCII ones, as Windows editors and PowerShell's `>` write it)."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if len(data) >= 4 and data[1:2] == b"\x00" and data[3:4] == b"\x00":
        return "utf-16-le"
    if len(data) >= 4 and data[0:1] == b"\x00" and data[2:3] == b"\x00":
        return "utf-16-be"
    return None


def parse_toml(data: bytes, file: str) -> dict[str, Any]:
    """The TOML document in `data`; every way it can fail is a `ConfigError` naming `file`
    (tomllib's recursion and Python's limit on integer digits would otherwise be tracebacks)."""
    wide = _wide_encoding(data)  # (UTF-16 without a mark is valid UTF-8: NUL is a character)
    if wide is not None:
        encoding = "UTF-32" if wide == "utf-32" else "UTF-16"
        raise ConfigError(file, "", f"is {encoding}, not UTF-8 (TOML files are UTF-8); save it as UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(file, "", "is not valid UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(file, "", f"is not valid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(file, "", "cannot be read: arrays or tables nested too deeply") from None
    except ValueError as error:  # int(): more digits than sys.get_int_max_str_digits()
        if "digits" in str(error):
            raise ConfigError(file, "", "cannot be read: an integer too large (thousands of digits)") from None
        raise ConfigError(file, "", f"is not valid TOML: {error}") from None


def config_for(path: str, explicit: str | None = None) -> Config:
    """The configuration that applies to `path`: `explicit`, else the nearest one, else the cwd's."""
    if explicit:  # as ruff: its relative paths (`src`, `exclude`, `baseline`) are the current directory's
        return load_config(explicit, root=os.getcwd())
    found = find_config_file(path) or find_config_file(os.getcwd())
    return load_config(found) if found else default_config()


def load_config(path: str, root: str | None = None) -> Config:
    """Parse and validate a pyproject.toml; cached by path, size and modification time.
    `root`: the directory its relative paths start from (default: the file's own)."""
    path = os.path.abspath(path)
    try:
        status = os.stat(path)
    except OSError as error:
        raise ConfigError(path, "", f"cannot read configuration: {error.strerror or error}") from None
    if not stat.S_ISREG(status.st_mode):  # a FIFO would block the run forever, a directory fail later
        raise ConfigError(path, "", "not a regular file")
    key = (path, status.st_mtime_ns, status.st_size, root)
    cached = _LOADED.get(key)
    if cached is not None:
        return cached
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise ConfigError(path, "", f"cannot read configuration: {error.strerror or error}") from None
    config = config_from_document(parse_toml(data, path), path, root)
    _LOADED[key] = config
    return config


def config_from_document(document: Mapping[str, Any], path: str, root: str | None = None) -> Config:
    """The policy of a parsed pyproject.toml at `path`; `root` (default: its directory) is where
    its relative paths start."""
    tool = document.get("tool", {})
    table = tool.get("ssot", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(path, "tool.ssot", f"must be a table, not {_type_name(table)}")
    return _build(table, file=path, root=os.path.abspath(root) if root else os.path.dirname(path))


def clear_caches() -> None:
    _LOADED.clear()
    _FOUND.clear()


# --------------------------------------------------------------------------- validation


def selector_problem(code: str, declared: Iterable[str] | None = None) -> str | None:
    """Why `code` selects no rule (None when it selects some): as ruff, an unknown selector is
    an error, with "did you mean" when a known code is close. `declared`: the pattern codes
    of the policy; None accepts every code of the pattern range (the command line, before
    the policies are read)."""
    declared = tuple(declared) if declared is not None else None
    if any(known.startswith(code) for known in BUILTIN_CODES) or _PATTERN_RANGE_PREFIX.match(code):
        return None
    if PATTERN_CODE.match(code) and (declared is None or code in declared):
        return None
    if PATTERN_CODE.match(code):
        problem = f"{code!r} selects no rule: no pattern rule in the policy has this code"
        candidates = list(declared or ())
    else:
        problem = f"{code!r} is not a flake8-ssot code or prefix (expected e.g. 'SSOT', 'SSOT001', 'SSOT1')"
        candidates = [*BUILTIN_CODES, *(declared or ()), "SSOT"]
    from difflib import get_close_matches  # only for a 'did you mean' message: not every run's import
    close = get_close_matches(re.sub(r"\s+", "", code).upper(), candidates, n=1, cutoff=0.6)
    return problem + (f"; did you mean {close[0]!r}?" if close else "")


def quote_key(key: str) -> str:
    return key if re.match(r"^[A-Za-z0-9_-]+$", key) else '"' + key.replace('"', '\\"') + '"'


def inline_toml(value: Any) -> str:
    """A value as TOML writes it inline (`{ kind = "call", has = { pattern = "f($A)" } }`): how
    `ssot rule` and `ssot registry` show a pattern rule's table."""
    if isinstance(value, Mapping):
        items = ", ".join(f"{quote_key(str(key))} = {inline_toml(item)}" for key, item in value.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(inline_toml(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string takes JSON's escapes


class _Checker:
    def __init__(self, file: str | None, suffix: str = "") -> None:
        self.file = file or "<default configuration>"
        self.suffix = suffix  # e.g. " (pattern rule SSOT101)": which rule a problem belongs to

    def fail(self, key_path: str, problem: str) -> ConfigError:
        return ConfigError(self.file, key_path, problem + self.suffix)

    def keys(self, table: Mapping[str, Any], allowed: Iterable[str], key_path: str) -> None:
        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                from difflib import get_close_matches  # only for a 'did you mean' message: not every run's import
                close = get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else f"; expected one of: {', '.join(allowed)}"
                raise self.fail(f"{key_path}.{quote_key(key)}", f"unknown key{hint}")

    def typed(self, value: Any, kind: type | tuple[type, ...], key_path: str, what: str) -> Any:
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise self.fail(key_path, f"must be {what}, not {_type_name(value)}")
        return value

    def strings(self, value: Any, key_path: str) -> tuple[str, ...]:
        self.typed(value, list, key_path, "a list of strings")
        for index, item in enumerate(value):
            self.typed(item, str, f"{key_path}[{index}]", "a string")
        return tuple(value)

    def globs(self, value: Any, key_path: str, root: str) -> GlobSet:
        patterns = self.strings(value, key_path)
        for index, pattern in enumerate(patterns):
            if not pattern.strip():
                raise self.fail(f"{key_path}[{index}]", "is an empty glob")
        try:
            return GlobSet(patterns, root)
        except InvalidGlob as error:
            index = patterns.index(error.pattern) if error.pattern in patterns else 0
            raise self.fail(f"{key_path}[{index}]", f"invalid glob {error.pattern!r}: {error.reason}") from None

    def codes(self, value: Any, key_path: str, declared: Iterable[str] | None = None) -> tuple[str, ...]:
        codes = self.strings(value, key_path)
        for index, code in enumerate(codes):
            problem = selector_problem(code, declared)
            if problem is not None:
                raise self.fail(f"{key_path}[{index}]", problem)
        return codes

    def choice(self, value: Any, choices: tuple[str, ...], key_path: str) -> str:
        self.typed(value, str, key_path, "a string")
        if value not in choices:
            raise self.fail(key_path, f"must be one of {', '.join(repr(c) for c in choices)}, not {value!r}")
        return value

    def dotted(self, value: Any, key_path: str, wildcards: bool = False) -> str:
        self.typed(value, str, key_path, "a dotted path string")
        valid = is_dotted_pattern(value) if wildcards else is_dotted_path(value)
        if not valid:
            raise self.fail(key_path, f"{value!r} is not a valid dotted path (e.g. 'pkg.module.Name')")
        return value


def _type_name(value: Any) -> str:
    return {
        dict: "a table", list: "an array", str: "a string", bool: "a boolean",
        int: "an integer", float: "a float",
    }.get(type(value), type(value).__name__)


def _build(table: Mapping[str, Any], file: str | None, root: str) -> Config:
    check = _Checker(file)
    check.keys(table, schema.TOP_KEYS, "tool.ssot")
    base = "tool.ssot"
    src = check.strings(table.get("src", schema.default("src")), f"{base}.src")
    roots = tuple(os.path.normpath(os.path.join(root, item)) for item in src)
    exclude = check.globs(table.get("exclude", schema.default("exclude")), f"{base}.exclude", root)
    select = check.codes(table.get("select", schema.default("select")), f"{base}.select")
    ignore = check.codes(table.get("ignore", schema.default("ignore")), f"{base}.ignore")
    extend_select = check.codes(table.get("extend-select", schema.default("extend-select")), f"{base}.extend-select")
    per_file = check.typed(
        table.get("per-file-ignores", schema.default("per-file-ignores")), dict, f"{base}.per-file-ignores",
        schema.top("per-file-ignores").kind,
    )
    per_file_ignores = tuple(
        (
            check.globs([glob], f"{base}.per-file-ignores.{quote_key(glob)}", root),
            check.codes(codes, f"{base}.per-file-ignores.{quote_key(glob)}"),
        )
        for glob, codes in per_file.items()
    )
    legacy = _entries(check, table.get("legacy", schema.default("legacy")), f"{base}.legacy", "legacy", root)
    canonical = _entries(
        check, table.get("canonical", schema.default("canonical")), f"{base}.canonical", "canonical", root
    )
    factories = _entries(
        check, table.get("factories", schema.default("factories")), f"{base}.factories", "factories", root
    )
    _check_replacements(check, legacy, canonical, base)
    exports = _deprecated_exports(
        check, table.get("deprecated-exports", schema.default("deprecated-exports")), f"{base}.deprecated-exports"
    )
    patterns = _patterns(check, table.get("patterns", schema.default("patterns")), f"{base}.patterns", root)
    declared = [rule.code for rule in patterns]  # a full pattern code must name one of them
    for key in ("select", "ignore", "extend-select"):
        check.codes(list(table.get(key, schema.default(key))), f"{base}.{key}", declared)
    for glob, codes in per_file.items():
        check.codes(list(codes), f"{base}.per-file-ignores.{quote_key(glob)}", declared)
    baseline = table.get("baseline")
    if baseline is not None:
        check.typed(baseline, str, f"{base}.baseline", schema.top("baseline").kind)
        if not baseline.strip():
            raise check.fail(f"{base}.baseline", "is an empty path (e.g. \"ssot-baseline.json\")")
        baseline = os.path.normpath(os.path.join(root, baseline))
    cache_dir = table.get("cache-dir")
    if cache_dir is not None:
        check.typed(cache_dir, str, f"{base}.cache-dir", schema.top("cache-dir").kind)
        cache_dir = os.path.normpath(os.path.join(root, cache_dir))
    config = Config(
        file=file, root=root, src=roots, exclude=exclude, select=select, ignore=ignore,
        extend_select=extend_select, per_file_ignores=per_file_ignores, legacy=legacy,
        canonical=canonical, factories=factories, deprecated_exports=exports, patterns=patterns,
        baseline=baseline, cache_dir=cache_dir,
    )
    return _with_anchors(config)


def _entries(check: _Checker, table: Any, key_path: str, section: str, root: str) -> PathTable[Entry]:
    check.typed(table, dict, key_path, "a table")
    wildcards = section == "legacy"
    entries = []
    for key, value in table.items():
        entry_path = f"{key_path}.{quote_key(key)}"
        if not (is_dotted_pattern(key) if wildcards else is_dotted_path(key)):
            raise check.fail(entry_path, f"{key!r} is not a valid dotted path (e.g. 'pkg.module.Name')")
        if isinstance(value, str) and section != "canonical":
            value = {"use": value}
        allowed = schema.ENTRY_KEYS_OF[section]
        what = "a table" if section == "canonical" else "a dotted path string or a table"
        check.typed(value, dict, entry_path, what)
        check.keys(value, allowed, entry_path)
        use = value.get("use")
        if use is not None:
            use = check.dotted(use, f"{entry_path}.use")
            if use == key:
                raise check.fail(f"{entry_path}.use", f"the canonical path {use!r} is the same as the legacy path")
        message = check.typed(value.get("message", ""), str, f"{entry_path}.message", "a string")
        if "fix" in value:
            fix = check.choice(value["fix"], FIX_VALUES, f"{entry_path}.fix")
        elif use is None:
            fix = "none"
        else:
            fix = "safe" if use.rsplit(".", 1)[-1] == key.rsplit(".", 1)[-1] else "unsafe"
        entries.append(
            (
                key,
                Entry(
                    key=key,
                    use=use,
                    message=message,
                    fix=fix,
                    fix_default="fix" not in value and use is not None,
                    allow=check.globs(value.get("allow", []), f"{entry_path}.allow", root),
                    type_checking=check.typed(
                        value.get("type-checking", False), bool, f"{entry_path}.type-checking", "a boolean"
                    ),
                    severity=check.choice(value.get("severity", "error"), SEVERITIES, f"{entry_path}.severity"),
                    args=_argument_mapping(check, value["args"], f"{entry_path}.args") if "args" in value else (),
                ),
            )
        )
    return PathTable(entries)


def _argument_mapping(check: _Checker, value: Any, key_path: str) -> tuple[tuple[str, str | None], ...]:
    """A factory entry's `args`: argument name -> the factory's parameter name, or false to drop it."""
    check.typed(value, dict, key_path, "a table (argument = \"factory parameter\" or false)")
    mapping: list[tuple[str, str | None]] = []
    targets: dict[str, str] = {}
    for argument, target in value.items():
        item_path = f"{key_path}.{quote_key(argument)}"
        if not argument.isidentifier() or keyword.iskeyword(argument):
            raise check.fail(item_path, f"{argument!r} is not an argument name (a Python identifier)")
        if target is False:
            mapping.append((argument, None))
            continue
        if target is True:
            raise check.fail(item_path,
                             "must be the factory's parameter name or false (to drop the argument), not true")
        check.typed(target, str, item_path, "the factory's parameter name (a string) or false")
        if not target.isidentifier() or keyword.iskeyword(target):
            raise check.fail(item_path, f"{target!r} is not a parameter name (a Python identifier)")
        if target in targets:
            raise check.fail(item_path, f"maps to {target!r}, as {targets[target]!r} does: one argument per parameter")
        targets[target] = argument
        mapping.append((argument, target))
    return tuple(mapping)


def _check_replacements(
    check: _Checker, legacy: PathTable[Entry], canonical: PathTable[Entry], base: str
) -> None:
    """Every path SSOT001 rewrites must reach one that it leaves alone; otherwise each `--fix`
    run flips the imports again. Followed from every legacy and canonical key."""
    limit = 2 * (len(legacy) + len(canonical)) + 2
    starts = [(key, f"{base}.legacy.{quote_key(key)}.use") for key, _ in legacy.items()]
    starts += [(key, f"{base}.canonical.{quote_key(key)}") for key in canonical.exact]
    homes: dict[tuple[str, str], list[str]] = {}  # (top-level package, name) -> canonical keys
    for key in canonical.exact:
        homes.setdefault((key.split(".", 1)[0], key.rpartition(".")[2]), []).append(key)
    for start, key_path in starts:
        chain = [start]
        path: str | None = _replacement(legacy, homes, start)
        while path is not None:
            if path in chain:
                raise check.fail(key_path, f"replacements form a cycle: {' -> '.join([*chain, path])}")
            chain.append(path)
            if len(chain) > limit:  # each turn lengthens the path: `a` -> `b.x`, `b` -> `a`
                shown = " -> ".join(chain[:4])
                raise check.fail(key_path, f"replacements never end: {shown} -> ...")
            path = _replacement(legacy, homes, path)


def _replacement(legacy: PathTable[Entry], homes: Mapping[tuple[str, str], list[str]], path: str) -> str | None:
    """What SSOT001 tells an import of `path` to import instead: its legacy entry's `use`, else
    the canonical symbol of the same name in the same top-level package that `path` re-exports
    (rules.lookup.replacement and reexport_target, which decide it for each file)."""
    match = legacy.lookup(path)
    if match is not None:
        return match.entry.use + match.rest if match.entry.use else None
    for key in homes.get((path.split(".", 1)[0], path.rpartition(".")[2]), ()):
        if key != path:
            return key
    return None


def _deprecated_exports(check: _Checker, table: Any, key_path: str) -> dict[str, DeprecatedExports]:
    check.typed(table, dict, key_path, "a table")
    result = {}
    for module, value in table.items():
        entry_path = f"{key_path}.{quote_key(module)}"
        if not is_dotted_path(module):
            raise check.fail(entry_path, f"{module!r} is not a valid dotted module path")
        if isinstance(value, list):
            value = {"names": value}
        check.typed(value, dict, entry_path, "a list of names or a table")
        check.keys(value, schema.ENTRY_KEYS_OF["deprecated-exports"], entry_path)
        if "names" not in value:
            raise check.fail(f"{entry_path}.names", "is required")
        names = check.strings(value["names"], f"{entry_path}.names")
        for index, name in enumerate(names):
            if not name.isidentifier():
                raise check.fail(f"{entry_path}.names[{index}]", f"{name!r} is not a Python name")
        result[module] = DeprecatedExports(
            module=module,
            names=frozenset(names),
            message=check.typed(value.get("message", ""), str, f"{entry_path}.message", "a string"),
            severity=check.choice(value.get("severity", "error"), SEVERITIES, f"{entry_path}.severity"),
        )
    return result


def _patterns(check: _Checker, value: Any, key_path: str, root: str) -> tuple[PatternRule, ...]:
    from flake8_ssot.config.patterns import (  # ast-grep is only needed with patterns
        TemplateError,
        compile_rule,
    )

    check.typed(value, list, key_path, schema.top("patterns").kind)
    rules = []
    codes: dict[str, int] = {}
    for index, item in enumerate(value):
        item_path = f"{key_path}[{index}]"
        check.typed(item, dict, item_path, "a table")
        code = _pattern_code(check, item, item_path, codes)
        codes[code] = index
        rule_check = _Checker(check.file, suffix=f" (pattern rule {code})")
        for key in item:
            if key not in schema.PATTERN_KEYS and key in _RULE_TABLE_KEYS:
                raise rule_check.fail(
                    f"{item_path}.{quote_key(key)}",
                    f"unknown key; '{key}' belongs in the rule table: rule = {{ {key} = ... }}",
                )
        rule_check.keys(item, schema.PATTERN_KEYS, item_path)
        if "pattern" in item and "rule" in item:
            raise rule_check.fail(
                f"{item_path}.rule",
                "give 'pattern' or 'rule', not both; a rule table can hold the pattern: rule = { pattern = ..., ... }",
            )
        if "pattern" not in item and "rule" not in item:
            raise rule_check.fail(item_path, "needs a 'pattern', or a 'rule' table with a 'pattern' or a 'kind'")
        if "pattern" in item:
            rule = {"pattern": rule_check.typed(item["pattern"], str, f"{item_path}.pattern", "a string")}
        else:
            rule = rule_check.typed(item["rule"], dict, f"{item_path}.rule", "a table (an ast-grep rule)")
        message = rule_check.typed(item.get("message", ""), str, f"{item_path}.message", "a string")
        fix = item.get("fix")
        if fix is not None:
            rule_check.typed(fix, str, f"{item_path}.fix", "a string (a fix template)")
        files = item.get("files")
        files = None if files is None else rule_check.globs(files, f"{item_path}.files", root)
        allow = rule_check.globs(item.get("allow", []), f"{item_path}.allow", root)
        severity = rule_check.choice(item.get("severity", "error"), SEVERITIES, f"{item_path}.severity")
        try:
            anchors = compile_rule(rule, fix, message)
        except TemplateError as error:
            raise check.fail(f"{item_path}.{error.key}", f"{code}'s {error.key} {error}") from None
        except ValueError as error:
            where = f"{item_path}.pattern" if "pattern" in item else f"{item_path}.rule"
            raise check.fail(where, f"invalid ast-grep rule for {code}: {error}") from None
        rules.append(
            PatternRule(
                code=code,
                rule=rule,
                message=message or f"matches pattern rule {code}",
                fix=fix,
                files=files,
                allow=allow,
                severity=severity,
                anchors=anchors,
            )
        )
    return tuple(rules)


# Keys of an ast-grep rule table, which a pattern rule holds under `rule`, not beside `code`.
_RULE_TABLE_KEYS = ("kind", "has", "inside", "not", "all", "any", "regex", "precedes", "follows", "matches", "nthChild")


def _pattern_code(check: _Checker, item: Mapping[str, Any], item_path: str, codes: Mapping[str, int]) -> str:
    """The rule's code, checked first so that every later message can name it."""
    if "code" not in item:
        pattern = item.get("pattern")
        what = f"the rule with pattern {pattern!r}" if isinstance(pattern, str) else "a pattern rule"
        raise check.fail(f"{item_path}.code", f"is required: {what} needs a code between SSOT100 and SSOT899")
    code = check.typed(item["code"], str, f"{item_path}.code", "a string such as 'SSOT101'")
    if PATTERN_CODE.match(code):
        if code in codes:
            raise check.fail(
                f"{item_path}.code",
                f"{code} is already the code of patterns[{codes[code]}]; each pattern rule needs its own code",
            )
        return code
    if re.match(r"^SSOT[0-9]{3}$", code):
        raise check.fail(f"{item_path}.code", f"{code!r} is outside SSOT100-SSOT899")
    upper = re.sub(r"\s+", "", code).upper()
    hint = f"; did you mean {upper!r}?" if PATTERN_CODE.match(upper) else ""
    raise check.fail(
        f"{item_path}.code",
        f"{code!r} is not a pattern rule code: 'SSOT' and three digits between 100 and 899, e.g. 'SSOT101'{hint}",
    )


def _class_words(config: Config) -> dict[str, set[str] | None]:
    """The words that name only classes (no legacy path or pattern anchor ends in them), with
    the canonical homes they may be imported from (None: a factory-only class), for the
    strict prefilter's `put_to_use`."""
    others = {key.rsplit(".", 1)[-1] for key, _ in config.legacy.items()}
    for rule in config.patterns:
        others.update(rule.anchors)
    uses: dict[str, set[str] | None] = {}
    for key, _ in config.factories.items():
        uses.setdefault(key.rsplit(".", 1)[-1], None)
    for key, _ in config.canonical.items():
        home, _, last = key.rpartition(".")
        homes = uses.get(last)
        uses[last] = (homes or set()) | {home}
    return {word: homes for word, homes in uses.items() if word not in others and not is_wildcard(word)}


def _legacy_leaves(config: Config) -> set[str]:
    """The words that end only dotted legacy paths (not a class's name, a pattern anchor or a
    top-level module), for the strict prefilter's `in_path_or_import`."""
    leaves = {key.rsplit(".", 1)[-1] for key, _ in config.legacy.items() if "." in key}
    others = {key for key, _ in config.legacy.items() if "." not in key}
    for table in (config.canonical, config.factories):
        others.update(key.rsplit(".", 1)[-1] for key, _ in table.items())
    for rule in config.patterns:
        others.update(rule.anchors)
    return {word for word in leaves - others if not is_wildcard(word)}


def _with_anchors(config: Config) -> Config:
    """The words a file must contain for any rule to fire in it (see prefilter.py)."""
    words: set[str] = set()
    fragments: set[str] = set()
    requires: dict[str, set[str] | None] = {}  # word -> first components of its paths
    for table in (config.legacy, config.canonical, config.factories):
        for key, _ in table.items():
            last = key.rsplit(".", 1)[-1]
            if is_wildcard(last):
                fragments.add(last_literal_run(key))
                continue
            words.add(last)
            first = key.split(".", 1)[0]
            if "." not in key or is_wildcard(first):
                requires[last] = None
            elif requires.get(last, ()) is not None:
                requires.setdefault(last, set()).add(first)
    everything = "" in fragments
    for rule in config.patterns:
        if rule.anchors:
            words.update(rule.anchors)
            requires.update((anchor, None) for anchor in rule.anchors)
        else:
            everything = True  # a rule without a literal word can match anything
    prefilter = Prefilter.build(words, fragments, config.deprecated_exports, everything, requires,
                                _class_words(config), _legacy_leaves(config))
    return replace(config, anchors=prefilter.words + prefilter.fragments, prefilter=prefilter)
