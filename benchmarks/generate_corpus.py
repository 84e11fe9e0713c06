#!/usr/bin/env python3
"""Write a realistic, deterministic Python monorepo for benchmarking flake8-ssot.

    python benchmarks/generate_corpus.py OUT_DIR [--lines 10000000] [--seed 1128] [--force] [--stats]

The tree is modelled on the monorepo of the seeds (`netra_backend`, `tests`,
`auth_service`, ...): packages and subpackages, modules of a log-normal length
(median about 160 lines, most under 500, a few over 5,000), classes, functions,
docstrings, tests with `mock.patch`, and at its root a `pyproject.toml` whose
`[tool.ssot]` table follows PRODUCT.md. It is calibrated to the statistics of the
real monorepo (TARGETS, issue #16): 27% of the files pass the literal prefilter,
9.5% have a finding (every kind at least once), the factory-only class is named in
18% (mostly imports, annotations and docstrings), the policy's words turn up in
unrelated code, 6% of the files do not parse (merge markers, Python 2 syntax,
truncation, unclosed brackets, ...), and file lengths have a long tail.
`--stats` measures a tree against those figures.

`corpus-manifest.json` at the root lists every planted violation (file, line,
kind, expected code), the broken files and the legitimate mentions, so a run's
findings can be compared with what was planted. Same seed and size: same bytes.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from policy import ssot_pyproject  # noqa: E402

GENERATOR_VERSION = 3
DEFAULT_LINES = 10_000_000
DEFAULT_SEED = 1128
MIN_LINES = 1_000
MANIFEST = "corpus-manifest.json"

# Calibration (issue #16): the real monorepo of the seeds, 24,650 .py files, 10.0M lines,
# 463 MB, with the seeds' policy. Each figure is a share of all .py files unless said
# otherwise; `--stats` measures the generated tree against these.
TARGETS = {
    "files per 10M lines": 24_650,
    "mean lines per file": 405,
    "mean bytes per file": 18_800,
    "pass the literal prefilter": 0.27,  # 6,610 files
    "have a finding": 0.095,  # 2,341 files
    "name the factory-only class": 0.18,  # UserExecutionContext, mostly imports/annotations/docs
    "do not parse (Python 3.11)": 0.06,  # 1,484 files
    "broken files passing the prefilter": 0.26,  # 385 of the 1,484
}
FINDING_SHARE = TARGETS["have a finding"]
UEC_SHARE = TARGETS["name the factory-only class"]
PREFILTER_SHARE = TARGETS["pass the literal prefilter"]
BROKEN_SHARE = TARGETS["do not parse (Python 3.11)"]
BROKEN_MENTION_SHARE = TARGETS["broken files passing the prefilter"]
FINDING_HOSTS_NAMING_UEC = 0.7  # files with another finding that also name the class
SECOND_FINDING = 0.25  # a file with a finding has another one (of any kind) this often
OTHER_LEGIT_SHARE = 0.015  # canonical-manager, mock.patch of the accessor, near misses, ...
# module length: log-normal, median and sigma in lines, capped; with the packages'
# __init__.py files (many empty) the mean is about 405 lines and the tail reaches 15,000
LENGTH_MEDIAN, LENGTH_SIGMA, LENGTH_CAP = 265, 1.15, 15_000
FACTORY_MODULE_SHARE = 0.012  # modules named like `agent_factory.py` (not the legacy one)

WS = "netra_backend.app.websocket_core"
UEC_MODULE = "netra_backend.app.services.user_execution_context"

# --------------------------------------------------------------------------- vocabulary

NOUNS = (
    "message", "thread", "run", "agent", "session", "user", "event", "metric", "report",
    "cache", "queue", "token", "config", "health", "state", "pipeline", "router", "handler",
    "validator", "tracker", "executor", "registry", "client", "adapter", "processor",
    "builder", "monitor", "scheduler", "payload", "request", "response", "context", "result",
    "workflow", "tool", "prompt", "corpus", "quota", "billing", "invoice", "account",
    "permission", "audit", "trace", "span", "alert", "notification", "connection", "channel",
    "schema", "record", "batch", "job", "task", "worker", "store", "repository", "snapshot",
    "checkpoint", "migration", "index", "embedding", "model", "provider", "template",
    "policy", "limit", "retry", "backoff", "circuit", "heartbeat", "subscription", "topic",
)
ADJS = (
    "thread", "quality", "agent", "user", "data", "synthetic", "async", "unified", "base",
    "core", "shared", "admin", "billing", "realtime", "batch", "stream", "cached", "secure",
    "tenant", "session", "supervisor", "triage", "optimization", "reporting", "corpus",
    "llm", "tool", "state", "message", "event", "metrics", "health", "startup", "runtime",
    "execution", "request", "response", "clickhouse", "postgres", "redis", "auth", "oauth",
    "jwt", "rate", "cost", "usage", "demo", "enterprise", "golden", "mission",
)
VERBS = (
    "get", "create", "build", "validate", "process", "handle", "fetch", "update", "compute",
    "parse", "serialize", "register", "resolve", "load", "store", "emit", "dispatch", "sync",
    "normalize", "merge", "apply", "collect", "prepare", "render", "schedule", "refresh",
    "ensure", "check", "record", "publish", "extract", "transform", "aggregate", "filter",
)
CLASS_SUFFIXES = (
    "Service", "Handler", "Processor", "Validator", "Tracker", "Executor", "Registry",
    "Client", "Adapter", "Builder", "Monitor", "Scheduler", "Config", "Result", "State",
    "Store", "Repository", "Router", "Pipeline", "Coordinator", "Engine", "Provider",
)
CAMEL = {w: "".join(p.capitalize() for p in w.split("_")) for w in set(NOUNS) | set(ADJS)}
CAMEL.update(llm="LLM", jwt="JWT", oauth="OAuth", clickhouse="ClickHouse")
VARS = (
    "result", "payload", "items", "data", "record", "entry", "value", "response", "state",
    "config", "options", "metrics", "events", "batch", "context", "summary", "report",
    "status", "counts", "cursor", "snapshot", "params", "headers", "body", "rows",
)
ITEMS = ("item", "row", "event", "entry", "record", "message", "chunk", "key", "candidate")
KEYS = (
    "user_id", "thread_id", "run_id", "status", "timestamp", "payload", "error", "retries",
    "tenant", "trace_id", "duration_ms", "created_at", "updated_at", "metadata", "version",
    "count", "limit", "offset", "model", "tokens", "cost", "region", "priority", "source",
)
LOG_MSGS = (
    "processing %s", "skipping empty batch for %s", "retrying after transient error: %s",
    "cache miss for %s", "state transition recorded: %s", "dispatching event %s",
    "validation failed for %s", "received %s from upstream", "completed step %s",
    "user isolation check passed for %s", "falling back to defaults for %s",
)
EXCEPTIONS = ("ValueError", "KeyError", "RuntimeError", "TypeError", "LookupError")
PHRASES = (
    "keeps the {a} in sync with the {b}",
    "validates the {a} before it reaches the {b} pipeline",
    "collects {a} figures for the {b} dashboard",
    "wraps the {a} client with retries and a circuit breaker",
    "routes each {a} to the {b} that owns it",
    "builds the {a} payload sent to the {b} service",
    "tracks {a} state across {b} restarts",
    "isolates {a} data per user so {b} never leaks across tenants",
    "normalises {a} records coming from the {b} queue",
    "schedules {a} jobs and reports their {b} status",
)
BVJ_SEGMENTS = ("Platform/Internal", "Enterprise", "Mid", "Early", "Free", "All")
BVJ_GOALS = ("Stability", "Retention", "Conversion", "Expansion", "Development Velocity", "Risk Reduction")
STDLIB_IMPORTS = (
    ("asyncio", "import asyncio"),
    ("json", "import json"),
    ("time", "import time"),
    ("uuid", "import uuid"),
    ("os", "import os"),
    ("re", "import re"),
    ("datetime", "from datetime import datetime, timezone"),
    ("dataclass", "from dataclasses import dataclass, field"),
    ("enum", "from enum import Enum"),
    ("functools", "import functools"),
    ("collections", "from collections import defaultdict"),
    ("contextlib", "from contextlib import asynccontextmanager"),
)
# Names ordinary code must never define or use: they belong to the policy.
RESERVED_NAMES = frozenset({
    "WebSocketManager", "UserExecutionContext", "WebSocketManagerFactory", "WebSocketFactory",
    "create_websocket_manager", "get_websocket_manager", "get_websocket_manager_factory",
    "create_defensive_user_execution_context", "UnifiedWebSocketManager",
})
RESERVED_MODULES = frozenset({
    "factory", "websocket_manager", "websocket_manager_factory", "canonical_imports",
    "user_execution_context", "unified_manager", "connection_manager", "factory_helpers",
    "build", "dist", "venv", "env", "site_packages", "node_modules", "migrations", "compat",
    "handlers", "utils", "unified_init", "quality", "core", "events", "fixtures", "typing",
})


# --------------------------------------------------------------------------- the policy


def corpus_policy(compat: list[tuple[str, list[str]]]) -> dict:
    """The `[tool.ssot]` table of the generated tree (PRODUCT.md schema)."""
    return {
        "src": ["."],
        "legacy": {
            # seeds 000/001 (issue #1128): the retired factory module
            f"{WS}.factory": f"{WS}.canonical_imports",
            # seed 002 (issue #1126): the retired factory function
            f"{WS}.websocket_manager_factory.create_websocket_manager": {
                "use": f"{WS}.websocket_manager.get_websocket_manager",
                "message": "the factory was retired in #1126",
            },
            # seed 003 (issue #1066): the package-level alias
            f"{WS}.create_websocket_manager": f"{WS}.websocket_manager.get_websocket_manager",
            # typing-only imports of the old manager are tolerated while annotations migrate
            f"{WS}.unified_manager": {"use": f"{WS}.websocket_manager", "type-checking": True},
            # every netra_backend.app.legacy_* module moved into netra_backend.app.core
            "netra_backend.app.legacy_*": "netra_backend.app.core",
        },
        "canonical": {
            f"{WS}.websocket_manager.WebSocketManager": {},
            f"{UEC_MODULE}.UserExecutionContext": {},
        },
        "factories": {
            f"{UEC_MODULE}.UserExecutionContext": {
                "use": f"{UEC_MODULE}.create_defensive_user_execution_context",
                "allow": ["netra_backend/tests/fixtures/**"],
            },
        },
        "deprecated-exports": {
            f"{WS}.websocket_manager_factory": ["WebSocketManagerFactory", "get_websocket_manager_factory"],
            WS: ["create_websocket_manager"],
            **{module: names for module, names in compat},
        },
        "patterns": [
            {
                "code": "SSOT101",
                "pattern": "get_websocket_manager_factory($$$ARGS)",
                "message": "the factory accessor is retired",
                "fix": "get_websocket_manager($$$ARGS)",
            }
        ],
    }


# --------------------------------------------------------------------------- violation kinds

# kind -> (expected code, weight among the files with a finding, host pool). Most findings
# of the real tree are direct constructions of the factory-only class and legacy imports.
KINDS: dict[str, tuple[str, float, str]] = {
    "legacy-from-import": ("SSOT001", 8.0, "any"),
    "legacy-import-module": ("SSOT001", 1.5, "any"),
    "legacy-import-aliased": ("SSOT001", 2.0, "any"),
    "legacy-import-relative": ("SSOT001", 1.5, "ws"),
    "legacy-symbol-import": ("SSOT001", 6.0, "any"),
    "legacy-package-alias-import": ("SSOT001", 2.0, "any"),
    "legacy-wildcard-import": ("SSOT001", 2.0, "any"),
    "legacy-starred-import": ("SSOT001", 0.5, "any"),
    "legacy-import-in-function": ("SSOT001", 2.0, "any"),
    "legacy-import-try-except": ("SSOT001", 1.5, "any"),
    "legacy-import-type-checking": ("SSOT001", 1.0, "any"),
    "legacy-importlib-import-module": ("SSOT001", 1.0, "any"),
    "legacy-dunder-import": ("SSOT001", 0.3, "any"),
    "reexport-import": ("SSOT001", 1.5, "any"),
    "direct-construction": ("SSOT002", 14.0, "any"),
    "direct-construction-aliased": ("SSOT002", 2.0, "any"),
    "direct-construction-module-attribute": ("SSOT002", 1.0, "any"),
    "direct-construction-relative": ("SSOT002", 0.5, "svc"),
    "mock-patch-string": ("SSOT004", 4.0, "test"),
    "monkeypatch-string": ("SSOT004", 1.0, "test"),
    "registry-dict-string": ("SSOT004", 1.0, "any"),
    "module-list-string": ("SSOT004", 0.5, "any"),
    "attribute-chain": ("SSOT004", 0.5, "any"),
    "duplicate-class": ("SSOT005", 0.3, "netra"),
    "duplicate-assignment": ("SSOT005", 0.1, "netra"),
    "pattern-call": ("SSOT101", 1.0, "any"),
}
# Mentions that are not findings. The factory-only class is named in imports, annotations,
# TYPE_CHECKING blocks and docstrings far more often than it is built; the policy's words
# (`factory` as a whole word, the `legacy_` run of the wildcard key) turn up in code that
# has nothing to do with the policy.
UEC_LEGIT_KINDS = {"uec-import-annotation": 0.45, "uec-docstring": 0.25, "uec-type-checking": 0.15, "uec-annotation": 0.15}
WORD_LEGIT_KINDS = {"factory-parameter": 0.45, "factory-prose": 0.3, "legacy-flag": 0.25}
OTHER_LEGIT_KINDS = (
    "defensive-factory-call", "canonical-manager", "canonical-mock-patch",
    "uec-subclass", "uec-classmethod", "type-checking-exempt", "near-miss-module",
    "canonical-imports", "other-package-class",
)
LEGIT_KINDS = (*UEC_LEGIT_KINDS, *WORD_LEGIT_KINDS, *OTHER_LEGIT_KINDS)
UEC_KINDS = frozenset({
    "direct-construction", "direct-construction-aliased", "direct-construction-module-attribute",
    "direct-construction-relative", "uec-subclass", "uec-classmethod", *UEC_LEGIT_KINDS,
})
# how a file is broken -> weight: merge markers and Python 2 leftovers are the usual ones
BROKEN_KINDS = {
    "merge-conflict": 3, "python2-print": 2, "python2-except": 2, "truncated": 2,
    "unclosed-bracket": 1, "unterminated-string": 1, "bad-indent": 1, "bad-def": 1,
}


@dataclass
class Snippet:
    imports: list[str] = field(default_factory=list)  # module-level, after the ordinary imports
    body: list[str] = field(default_factory=list)  # module-level block between definitions
    hits: list[tuple[str, int, str]] = field(default_factory=list)  # (part, line index, code)


@dataclass
class Module:
    path: str  # posix, relative to the root
    dotted: str
    role: str  # app | test | script | init | special
    target: int
    top: str
    exports: list[str] = field(default_factory=list)
    injections: list[str] = field(default_factory=list)
    legit: list[str] = field(default_factory=list)
    broken: str | None = None
    depth_in_ws: int = -1  # package depth below websocket_core (0 = in it), -1 = outside
    depth_in_svc: int = -1


def _dotted(path: str) -> str:
    parts = path[:-3].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _named_like_policy(dotted: str) -> bool:
    """Does the module's own name hold one of the policy's words (the prefilter then admits it)?"""
    return "factory" in dotted or "legacy_" in dotted or "unified_manager" in dotted


# --------------------------------------------------------------------------- the generator


class Generator:
    def __init__(self, lines: int, seed: int) -> None:
        self.lines = max(lines, MIN_LINES)
        self.seed = seed
        self.rng = random.Random(seed)
        self.callables: list[str] = []  # names the module being rendered imported from its neighbours
        self.modules: list[Module] = []
        self.paths: set[str] = set()
        self.dirs: set[str] = set()
        self.exports_by_top: dict[str, list[tuple[str, list[str]]]] = {}
        self.exports_of: dict[str, list[str]] = {}
        self.children_of: dict[str, list[str]] = {}  # package -> its app modules
        self.counter = 0

    # ---------------------------------------------------------------- names

    def _uid(self) -> int:
        self.counter += 1
        return self.counter

    def module_name(self, test: bool) -> str:
        r = self.rng
        if r.random() < 0.3:
            name = r.choice(NOUNS)
        elif r.random() < 0.85:
            name = f"{r.choice(ADJS)}_{r.choice(NOUNS)}"
        else:
            name = f"{r.choice(ADJS)}_{r.choice(NOUNS)}_{r.choice(NOUNS)}"
        if r.random() < FACTORY_MODULE_SHARE:
            # `agent_factory.py`: its own module name holds the legacy key's last word, so the
            # prefilter lets it through although nothing in it touches the policy
            name = f"{r.choice(ADJS)}_factory"
        if name in RESERVED_MODULES or name.startswith("legacy"):
            name += "_service"
        return f"test_{name}" if test else name

    def class_name(self) -> str:
        r = self.rng
        while True:
            suffix = "Factory" if r.random() < 0.02 else r.choice(CLASS_SUFFIXES)
            name = CAMEL[r.choice(ADJS)] + CAMEL[r.choice(NOUNS)] + suffix
            if name not in RESERVED_NAMES:
                return name

    def func_name(self) -> str:
        r = self.rng
        if r.random() < 0.0015:  # `build_agent_factory`, `tool_factory_for`: the word, not the policy
            return f"{r.choice(VERBS)}_{r.choice(NOUNS)}_factory"
        return f"{r.choice(VERBS)}_{r.choice(NOUNS)}" + (f"_{r.choice(NOUNS)}" if r.random() < 0.4 else "")

    # ---------------------------------------------------------------- planning

    def module_length(self) -> int:
        # log-normal with a long tail: median LENGTH_MEDIAN, ~25% over 500, ~0.3% over 5,000
        length = self.rng.lognormvariate(math.log(LENGTH_MEDIAN), LENGTH_SIGMA)
        return int(min(LENGTH_CAP, self.lines // 20, max(12, length)))

    def add_module(self, path: str, role: str, target: int, exports: list[str] | None = None) -> Module:
        assert path not in self.paths, path
        self.paths.add(path)
        top = path.split("/", 1)[0]
        module = Module(path=path, dotted=_dotted(path), role=role, target=target, top=top)
        if role == "app":
            module.exports = exports if exports is not None else self._plan_exports()
            if not path.endswith("__init__.py"):
                self.exports_by_top.setdefault(top, []).append((module.dotted, module.exports))
                self.exports_of[module.dotted] = module.exports
                self.children_of.setdefault(module.dotted.rsplit(".", 1)[0], []).append(module.dotted)
        parts = path.split("/")
        if path.startswith("netra_backend/app/websocket_core/"):
            module.depth_in_ws = len(parts) - 4
        if path.startswith("netra_backend/app/services/"):
            module.depth_in_svc = len(parts) - 4
        self.modules.append(module)
        return module

    def _plan_exports(self) -> list[str]:
        names = [self.class_name(), self.func_name()]
        if self.rng.random() < 0.4:
            names.append(self.func_name())
        return names

    def ensure_package(self, directory: str, role: str) -> None:
        """Create `__init__.py` files for directory and its parents (below the root)."""
        parts = directory.split("/")
        for i in range(1, len(parts) + 1):
            sub = "/".join(parts[:i])
            if sub in self.dirs:
                continue
            self.dirs.add(sub)
            if sub == "scripts":
                continue
            init = f"{sub}/__init__.py"
            if init not in self.paths:
                self.add_module(init, "init", 0 if self.rng.random() < 0.5 else self.rng.randint(3, 20))

    def fresh_child(self, directory: str, names: tuple[str, ...] | None = None) -> str:
        for _ in range(50):
            name = self.rng.choice(names) if names else self.module_name(False)
            if name in RESERVED_MODULES or name.startswith("legacy"):
                continue
            candidate = f"{directory}/{name}"
            if candidate not in self.dirs and f"{candidate}.py" not in self.paths:
                return candidate
        return f"{directory}/pkg_{self._uid()}"

    def fill(self, directory: str, budget: int, role: str, depth: int, first_level: tuple[str, ...] = ()) -> int:
        """Modules in `directory` and its subpackages, about `budget` lines; the lines planned."""
        if budget <= 0:
            return 0
        if role != "script":
            self.ensure_package(directory, role)
        used = 0
        own = budget if depth >= 4 or budget < 1500 else int(budget * self.rng.uniform(0.25, 0.6))
        if first_level:
            own = min(own, int(budget * 0.08))
        count = 0
        while used < own and count < 40:
            length = self.module_length()
            for _ in range(20):
                name = self.module_name(role == "test")
                path = f"{directory}/{name}.py"
                if path not in self.paths and f"{directory}/{name}" not in self.dirs:
                    break
            else:
                path = f"{directory}/mod_{self._uid()}.py"
            self.add_module(path, role, length)
            used += length
            count += 1
        rest = budget - used
        if rest <= 0:
            return used
        if depth >= 4 and not first_level:
            # too deep: keep filling here
            return used + self.fill_flat(directory, rest, role)
        if first_level:
            children = list(first_level)
        else:
            n = max(1, min(8, round(rest / self.rng.uniform(2500, 6000))))
            children = [None] * n
        weights = [self.rng.uniform(0.5, 1.5) for _ in children]
        total = sum(weights)
        for child, weight in zip(children, weights):
            sub = f"{directory}/{child}" if child else self.fresh_child(directory)
            used += self.fill(sub, int(rest * weight / total), role, depth + 1)
        return used

    def fill_flat(self, directory: str, budget: int, role: str) -> int:
        used = 0
        while used < budget:
            length = self.module_length()
            name = self.module_name(role == "test")
            path = f"{directory}/{name}.py"
            if path in self.paths or f"{directory}/{name}" in self.dirs:
                path = f"{directory}/{name}_{self._uid()}.py"
            self.add_module(path, role, length)
            used += length
        return used

    def plan(self) -> None:
        r = self.rng
        n_compat = max(3, round(3 + self.lines / 2_500_000))
        self.compat = self.plan_specials(n_compat)
        special_lines = sum(m.target for m in self.modules)
        budget = max(0, self.lines - special_lines)
        # ordinary modules that must exist next to the special ones (hosts for relative forms)
        for path, role in (
            (f"netra_backend/app/websocket_core/handlers.py", "app"),
            (f"netra_backend/app/websocket_core/quality/quality_message_router.py", "app"),
            (f"netra_backend/app/services/quality_manager.py", "app"),
            (f"netra_backend/app/services/thread/thread_title_generator.py", "app"),
            (f"netra_backend/tests/unit/test_thread_fixtures.py", "test"),
            (f"tests/unit/ssot/test_websocket_ssot_compliance_validation.py", "test"),
        ):
            self.ensure_package(path.rsplit("/", 1)[0], role)
            length = min(self.module_length(), 400)
            self.add_module(path, role, length)
            budget -= length
        budget = max(budget, 0)
        areas = (
            ("netra_backend/app", 0.42, "app", (
                "agents", "services", "websocket_core", "db", "core", "routes", "schemas", "llm",
                "tools", "monitoring", "clients", "middleware", "models", "workers", "analytics",
            )),
            ("netra_backend/tests", 0.14, "test", ("unit", "integration", "e2e", "agents")),
            ("tests", 0.18, "test", ("unit", "integration", "e2e", "mission_critical")),
            ("auth_service", 0.07, "app", ("auth_core", "routes", "models", "services")),
            ("analytics_service", 0.06, "app", ("analytics_core", "clickhouse", "api")),
            ("shared", 0.04, "app", ("types", "logging", "isolation")),
            ("test_framework", 0.05, "app", ("ssot", "fixtures_lib", "helpers")),
            ("scripts", 0.04, "script", ()),
        )
        for root, share, role, first in areas:
            area_budget = int(budget * share)
            if role == "script":
                self.dirs.add("scripts")
                self.fill_flat(root, area_budget, role)
            else:
                self.fill(root, area_budget, role, 0, first_level=first if area_budget > 8000 else ())
        self.modules.sort(key=lambda m: m.path)
        self.plant()

    # ---------------------------------------------------------------- planting

    def plant(self) -> None:
        """Choose the files with findings, with mentions that are not findings, and the broken ones.

        Shares of all files (TARGETS): FINDING_SHARE get a planted violation (every kind at
        least once), enough others name the factory-only class to reach UEC_SHARE, others
        use the policy's words innocently until PREFILTER_SHARE of the files would pass the
        prefilter, and BROKEN_SHARE do not parse, BROKEN_MENTION_SHARE of them among the
        files that mention the policy.
        """
        r = self.rng
        n_files = len(self.modules)
        ordinary = [m for m in self.modules if m.role in ("app", "test", "script")]
        tests = [m for m in ordinary if m.role == "test"]
        apps = [m for m in ordinary if m.role == "app"]
        scripts = [m for m in ordinary if m.role == "script"] or apps
        pools = {
            "ws": [m for m in ordinary if m.depth_in_ws >= 0 and m.role == "app"],
            "svc": [m for m in ordinary if m.depth_in_svc >= 0 and m.role == "app"],
            "test": tests,
            "netra": [m for m in ordinary if m.top == "netra_backend"],
        }
        kinds = list(KINDS)
        weights = [KINDS[k][1] for k in kinds]
        n_hosts = max(len(kinds), round(FINDING_SHARE * n_files))
        wanted = kinds + r.choices(kinds, weights, k=n_hosts - len(kinds))
        wanted += r.choices(kinds, weights, k=round(SECOND_FINDING * n_hosts))  # second findings
        for index, kind in enumerate(wanted):
            pool = KINDS[kind][2]
            second = index >= n_hosts
            for _ in range(20):  # a file without a finding yet; a second finding joins a host
                if pool == "any":
                    roll = r.random()
                    host = r.choice(tests if roll < 0.6 else apps if roll < 0.93 else scripts)
                else:
                    host = r.choice(pools[pool])
                if bool(host.injections) == second:
                    break
            host.injections.append(kind)
        # mentions of the factory-only class that are not findings: in most files with a
        # finding too (the real tree's 27% is not far above 18% + 9.5%: they overlap)
        naming = [m for m in ordinary if UEC_KINDS.intersection(m.injections)]
        extra = max(0, round(UEC_SHARE * n_files) - len(naming))
        hosts = [m for m in ordinary if m.injections and not UEC_KINDS.intersection(m.injections)]
        hosts = [m for m in hosts if r.random() < FINDING_HOSTS_NAMING_UEC][:extra]
        clean = [m for m in ordinary if not m.injections]
        uec_kinds, uec_weights = list(UEC_LEGIT_KINDS), list(UEC_LEGIT_KINDS.values())
        for module in hosts + r.sample(clean, min(extra - len(hosts), len(clean))):
            module.legit.append(r.choices(uec_kinds, uec_weights)[0])
        for module in ordinary:  # the other legitimate forms, here and there
            if r.random() < OTHER_LEGIT_SHARE:
                module.legit.append(r.choice(OTHER_LEGIT_KINDS))
        for module in ordinary:
            while "other-package-class" in module.legit and module.top == "netra_backend":
                module.legit.remove("other-package-class")  # that would be a real SSOT005
        elsewhere = [m for m in ordinary if m.top != "netra_backend"] or ordinary
        for kind in LEGIT_KINDS:  # at least one of each
            r.choice(elsewhere if kind == "other-package-class" else ordinary).legit.append(kind)
        # innocent uses of the policy's words, up to the prefilter share
        mentioning = [m for m in self.modules if m.injections or m.legit or m.role == "special" or _named_like_policy(m.dotted)]
        quiet = [m for m in ordinary if not (m.injections or m.legit or _named_like_policy(m.dotted))]
        extra = max(0, round(PREFILTER_SHARE * n_files) - len(mentioning))
        word_kinds, word_weights = list(WORD_LEGIT_KINDS), list(WORD_LEGIT_KINDS.values())
        for module in r.sample(quiet, min(extra, len(quiet))):
            module.legit.append(r.choices(word_kinds, word_weights)[0])
        # syntax-broken files: a share of them among the files that mention the policy
        n_broken = max(2, round(BROKEN_SHARE * n_files))
        candidates = [m for m in ordinary if m.target >= 30]
        loud = [m for m in candidates if m.injections or m.legit or _named_like_policy(m.dotted)]
        silent = [m for m in candidates if not (m.injections or m.legit or _named_like_policy(m.dotted))]
        n_loud = min(len(loud), max(1, round(BROKEN_MENTION_SHARE * n_broken)))
        chosen = r.sample(loud, n_loud) + r.sample(silent, min(len(silent), n_broken - n_loud))
        broken_kinds, broken_weights = list(BROKEN_KINDS), list(BROKEN_KINDS.values())
        for i, module in enumerate(sorted(chosen, key=lambda m: m.path)):
            # every way of breaking at least once, then by weight
            module.broken = broken_kinds[i] if i < len(broken_kinds) else r.choices(broken_kinds, broken_weights)[0]
        # make sure at least one broken file holds a planted violation (error-tolerant checks)
        broken = [m for m in self.modules if m.broken]
        if broken and not any(m.injections for m in broken):
            broken[0].injections.append("legacy-from-import")

    # ---------------------------------------------------------------- special files

    def plan_specials(self, n_compat: int) -> list[tuple[str, list[str]]]:
        self.special_text: dict[str, str] = {}
        self.special_hits: dict[str, list[tuple[int, str, str]]] = {}

        def special(path: str, text: str, hits: list[tuple[str, str]] = ()) -> None:
            """hits: (marker substring on the line, code)."""
            directory = path.rsplit("/", 1)[0]
            self.ensure_package(directory, "app")
            if path in self.paths:  # an __init__ planned by ensure_package
                self.paths.discard(path)
                self.modules = [m for m in self.modules if m.path != path]
            module = self.add_module(path, "special", text.count("\n"), exports=[])
            module.role = "special"
            self.special_text[path] = text
            found = []
            lines = text.split("\n")
            for marker, code in hits:
                for index, line in enumerate(lines):
                    if marker in line:
                        found.append((index + 1, code, "special"))
                        break
                else:  # pragma: no cover - a template bug
                    raise AssertionError(f"marker {marker!r} not in {path}")
            self.special_hits[path] = found

        special("netra_backend/__init__.py", '"""Netra backend service."""\n')
        special("netra_backend/app/__init__.py", '"""Netra backend application package."""\n')
        special("netra_backend/app/websocket_core/__init__.py", WS_INIT, [("'create_websocket_manager',", "SSOT003")])
        special("netra_backend/app/websocket_core/websocket_manager.py", WS_MANAGER)
        special("netra_backend/app/websocket_core/canonical_imports.py", WS_CANONICAL_IMPORTS)
        special("netra_backend/app/websocket_core/factory.py", WS_FACTORY)
        special(
            "netra_backend/app/websocket_core/websocket_manager_factory.py",
            WS_MANAGER_FACTORY,
            [("'get_websocket_manager_factory',  # DEPRECATED", "SSOT003"), ("'WebSocketManagerFactory',  # COMPAT", "SSOT003")],
        )
        special("netra_backend/app/websocket_core/unified_manager.py", WS_UNIFIED_MANAGER)
        special("netra_backend/app/websocket_core/factory_helpers.py", WS_FACTORY_HELPERS)
        special("netra_backend/app/services/user_execution_context.py", UEC)
        special("netra_backend/app/core/__init__.py", CORE_INIT)
        special("netra_backend/app/core/events.py", CORE_EVENTS)
        special("netra_backend/app/legacy_events.py", LEGACY_EVENTS)
        special("netra_backend/app/legacy_metrics.py", LEGACY_METRICS)
        special("netra_backend/tests/fixtures/context_fixtures.py", FIXTURES)
        # compat modules whose __all__ still exports deprecated names, one form each
        forms = ("tuple", "augmented", "append", "extend", "annotated")
        compat = []
        fixed = (
            ("netra_backend/app/websocket_core/utils.py", "get_manager_singleton"),
            ("netra_backend/app/websocket_core/unified_init.py", "create_websocket_manager_sync"),
            ("netra_backend/app/agents/supervisor/agent_instance_factory.py", "get_global_agent_factory"),
        )
        for i in range(n_compat):
            form = forms[i % len(forms)]
            if i < len(fixed):
                path, deprecated = fixed[i]
            else:
                noun = NOUNS[(i * 7) % len(NOUNS)]
                path = f"netra_backend/app/compat/{noun}_exports_{i}.py"
                deprecated = f"get_{noun}_singleton_{i}"
            text = compat_module(path, deprecated, form)
            special(path, text, [(f'"{deprecated}"', "SSOT003")])
            compat.append((_dotted(path), [deprecated]))
        return compat

    # ---------------------------------------------------------------- rendering helpers

    def docstring(self, ind: str, title: str, long: bool, args: bool = True) -> list[str]:
        r = self.rng
        phrase = r.choice(PHRASES).format(a=r.choice(NOUNS), b=r.choice(NOUNS))
        if not long:
            return [f'{ind}"""{title.capitalize()}: {phrase}."""']
        out = [f'{ind}"""{title.capitalize()}.', "", f"{ind}This {phrase}."]
        if args and r.random() < 0.5:
            out += ["", f"{ind}Args:"]
            for _ in range(r.randint(1, 3)):
                out.append(f"{ind}    {r.choice(KEYS)}: the {r.choice(NOUNS)} {r.choice(('to use', 'to check', 'of the caller', 'from the request'))}.")
        if args and r.random() < 0.4:
            out += ["", f"{ind}Returns:", f"{ind}    The {r.choice(NOUNS)} {r.choice(NOUNS)}, or None when nothing matched."]
        out.append(f'{ind}"""')
        return out

    def expr(self, names: list[str], imported: set[str], in_method: bool) -> str:
        r = self.rng
        src = r.choice(names)
        t = r.randrange(16)
        if t == 0:
            return f'{src}.get("{r.choice(KEYS)}") if isinstance({src}, dict) else None'
        if t == 1:
            return f"len({src}) if {src} else 0"
        if t == 2 and in_method:
            return f"self._{r.choice(NOUNS)}_{r.choice(('cache', 'state', 'count', 'limit'))}"
        if t == 3:
            item = r.choice(ITEMS)
            return f"[{item} for {item} in ({src} or []) if {item}]"
        if t == 4:
            return f"dict({src} or {{}})"
        if t == 5:
            return f"str({src}).strip().lower()"
        if t == 6:
            return f"int({src} or 0) + {r.randint(1, 500)}"
        if t == 7 and "time" in imported:
            return "time.monotonic()"
        if t == 8 and "uuid" in imported:
            return "str(uuid.uuid4())"
        if t == 9 and "json" in imported:
            return f"json.dumps({src}, default=str)"
        if t == 10 and "datetime" in imported:
            return "datetime.now(timezone.utc)"
        if t == 11:
            first, second = r.sample(KEYS, 2)
            return f'{{"{first}": {src}, "{second}": {r.choice(names)}}}'
        if t == 12:
            return f"{src} is not None and {r.choice(names)} is not None"
        if t == 13:
            return f"sorted({src} or [], key=str)[:{r.randint(5, 100)}]"
        if t == 14:
            return f'"{r.choice(NOUNS)}:" + str({src})'
        return f"{src} or {r.choice(('None', '0', '[]', '{}', repr(r.choice(KEYS))))}"

    def body(self, ind: str, params: list[str], n: int, imported: set[str], is_async: bool, in_method: bool) -> list[str]:
        r = self.rng
        out: list[str] = []
        names = list(params) if params else []
        if not names:
            v = r.choice(VARS)
            out.append(f"{ind}{v} = {{}}")
            names.append(v)
        while len(out) < n:
            t = r.randrange(26)
            v = r.choice(VARS) if r.random() < 0.4 else f"{r.choice(NOUNS)}_{r.choice(VARS)}"
            src = r.choice(names)
            if t >= 20:
                # the long lines of real code: keyword-heavy calls and f-string messages
                key, other = r.sample(KEYS, 2)
                if t < 23:
                    owner = f"self._{r.choice(NOUNS)}_client" if in_method else f'client_for("{r.choice(NOUNS)}")'
                    out.append(
                        f"{ind}{v} = {'await ' if is_async else ''}{owner}.{r.choice(VERBS)}_{r.choice(NOUNS)}("
                        f"{src}, {key}={r.choice(names)}, {other}={r.choice(names)}, timeout={r.randint(1, 60)})"
                    )
                    names.append(v)
                else:
                    out.append(
                        f'{ind}logger.{r.choice(("info", "debug", "warning"))}(f"{r.choice(VERBS)} {r.choice(NOUNS)} for '
                        f'{key}={{{src}!r}} finished with {other}={{{r.choice(names)}!r}} ({r.choice(PHRASES).split(" ")[0]})")'
                    )
            elif t < 6:
                out.append(f"{ind}{v} = {self.expr(names, imported, in_method)}")
                names.append(v)
            elif t < 8:
                out.append(f"{ind}if {src} is None:")
                if r.random() < 0.5:
                    out.append(f'{ind}    raise {r.choice(EXCEPTIONS)}("{r.choice(KEYS)} is required")')
                else:
                    out.append(f"{ind}    {src} = {self.expr(names, imported, in_method)}")
            elif t < 10:
                item = r.choice(ITEMS)
                out.append(f"{ind}for {item} in {src} or []:")
                out.append(f"{ind}    if not {item}:")
                out.append(f"{ind}        continue")
                out.append(f'{ind}    logger.debug("{r.choice(LOG_MSGS)}", {item})')
            elif t < 12:
                level = r.choice(("info", "debug", "warning"))
                if r.random() < 0.5:
                    out.append(f'{ind}logger.{level}("{r.choice(LOG_MSGS)}", {src}, extra={{"{r.choice(KEYS)}": {r.choice(names)}}})')
                else:
                    out.append(f'{ind}logger.{level}("{r.choice(LOG_MSGS)}", {src})')
            elif t < 13:
                exc = r.choice(EXCEPTIONS)
                out.append(f"{ind}try:")
                out.append(f"{ind}    {v} = {self.expr(names, imported, in_method)}")
                out.append(f"{ind}except ({exc}, {r.choice(EXCEPTIONS)}) as exc:")
                out.append(f'{ind}    logger.warning("{r.choice(LOG_MSGS)}", exc)')
                out.append(f"{ind}    {v} = None")
                names.append(v)
            elif t < 15:
                out.append(f'{ind}{src} = {{**dict({src} or {{}}), "{r.choice(KEYS)}": {r.choice(names)}}}')
            elif t < 16:
                out.append(f"{ind}# {r.choice(PHRASES).format(a=r.choice(NOUNS), b=r.choice(NOUNS))}")
            elif t < 17 and is_async:
                out.append(f"{ind}await asyncio.sleep(0)")
            elif t < 18 and self.callables:
                # use what the module imported from its neighbours, as real code does
                out.append(f"{ind}{v} = {r.choice(self.callables)}({src})")
                names.append(v)
            elif t < 19 and in_method:
                out.append(f"{ind}self._{r.choice(NOUNS)}_{r.choice(('cache', 'state', 'count'))} = {src}")
            else:
                out.append(f"{ind}assert {src} is not None or {r.choice(names)} is None")
        out.append(f"{ind}return {r.choice(names)}")
        return out

    def function(self, name: str | None, imported: set[str], ind: str = "", method: bool = False) -> list[str]:
        r = self.rng
        name = name or (("_" if r.random() < 0.25 else "") + self.func_name())
        is_async = "asyncio" in imported and r.random() < 0.25
        params = r.sample(KEYS, r.randint(0, 3))
        out = []
        decorator = None
        if method and r.random() < 0.12:
            decorator = "@property" if not params else "@staticmethod"
            out.append(f"{ind}{decorator}")
        parts = ["self"] if method and decorator != "@staticmethod" else []
        defaults = False
        for p in params:
            annotation = r.choice(("Any", "str", "Optional[str]", "Dict[str, Any]", "int"))
            defaults = defaults or (len(parts) > 1 and r.random() < 0.4)
            if defaults:
                annotation = annotation if annotation.startswith(("Optional", "Any")) else f"Optional[{annotation}]"
                parts.append(f"{p}: {annotation} = None")
            else:
                parts.append(f"{p}: {annotation}")
        sig = ", ".join(parts)
        out.append(f"{ind}{'async ' if is_async else ''}def {name}({sig}) -> {r.choice(('Any', 'Optional[Dict[str, Any]]', 'List[Any]', 'bool', 'None'))}:")
        out += self.docstring(ind + "    ", name.strip("_").replace("_", " "), r.random() < 0.5)
        out += self.body(ind + "    ", params, r.randint(3, 18), imported, is_async, method and decorator != "@staticmethod")
        return out

    def klass(self, name: str | None, imported: set[str]) -> list[str]:
        r = self.rng
        name = name or self.class_name()
        out = []
        if "dataclass" in imported and r.random() < 0.3:
            out += ["@dataclass", f"class {name}:"]
            out += self.docstring("    ", name, False)
            for key in r.sample(KEYS, r.randint(2, 7)):
                kind = r.randrange(4)
                out.append(
                    f"    {key}: str = \"\"" if kind == 0 else f"    {key}: int = {r.randint(0, 100)}" if kind == 1
                    else f"    {key}: List[str] = field(default_factory=list)" if kind == 2
                    else f"    {key}: Dict[str, Any] = field(default_factory=dict)"
                )
            out.append("")
            out += self.function(None, imported, "    ", method=True)
            return out
        base = r.choice(("", "", "", "(Exception)" if name.endswith("Error") else "", "(Enum)" if "enum" in imported and r.random() < 0.2 else ""))
        out.append(f"class {name}{base}:")
        out += self.docstring("    ", name, r.random() < 0.6)
        if base == "(Enum)":
            for i, key in enumerate(r.sample(KEYS, r.randint(2, 6))):
                out.append(f'    {key.upper()} = "{key}"')
            return out
        out.append("")
        attrs = r.sample(KEYS, r.randint(1, 4))
        out.append(f"    def __init__(self, {', '.join(a + ': Any = None' for a in attrs)}) -> None:")
        for a in attrs:
            out.append(f"        self.{a} = {a}")
        out.append(f"        self._{r.choice(NOUNS)}_cache: Dict[str, Any] = {{}}")
        for _ in range(r.randint(1, 6)):
            out.append("")
            out += self.function(None, imported, "    ", method=True)
        return out

    def test_block(self, targets: list[tuple[str, list[str]]]) -> list[str]:
        r = self.rng
        out = []
        module, names = r.choice(targets) if targets else ("netra_backend.app.core.events", ["publish_event"])
        target = f"{module}.{r.choice(names)}"
        if r.random() < 0.5:
            cls = "Test" + CAMEL[r.choice(ADJS)] + CAMEL[r.choice(NOUNS)]
            out.append(f"class {cls}:")
            out += self.docstring("    ", f"tests for {module.rsplit('.', 1)[-1].replace('_', ' ')}", False)
            for _ in range(r.randint(1, 5)):
                out.append("")
                fname = f"test_{self.func_name()}_{r.choice(('succeeds', 'fails_cleanly', 'is_isolated', 'retries', 'returns_none'))}"
                mock_name = f"mock_{r.choice(NOUNS)}"
                if r.random() < 0.7:
                    module2, names2 = r.choice(targets) if targets else (module, names)
                    out.append(f'    @mock.patch("{module2}.{r.choice(names2)}")')
                    out.append(f"    def {fname}(self, {mock_name}):")
                    out.append(f"        {mock_name}.return_value = {{\"{r.choice(KEYS)}\": {r.randint(1, 99)}}}")
                else:
                    out.append(f"    def {fname}(self):")
                    out.append(f"        {mock_name} = MagicMock()")
                for _ in range(r.randint(1, 6)):
                    v = r.choice(VARS)
                    out.append(f"        {v} = {mock_name}({r.choice(KEYS)}={r.randint(0, 9)!r})")
                    out.append(f"        assert {v} is not None")
                out.append(f"        {mock_name}.assert_called()" if r.random() < 0.5 else f"        assert {mock_name}.call_count >= 0")
            return out
        fname = f"test_{self.func_name()}"
        if r.random() < 0.3:
            out.append("@pytest.mark.asyncio")
            out.append(f"async def {fname}():")
            out.append(f'    with patch("{target}") as patched:')
            out.append(f"        patched.return_value = MagicMock()")
            out.append(f"        await asyncio.sleep(0)")
            out.append(f"        assert patched is not None")
            return out
        out.append(f"def {fname}(monkeypatch):")
        out += self.docstring("    ", fname[5:].replace("_", " "), False)
        out.append(f'    monkeypatch.setattr("{target}", MagicMock())')
        for _ in range(r.randint(1, 8)):
            v = r.choice(VARS)
            out.append(f'    {v} = {{"{r.choice(KEYS)}": "{r.choice(NOUNS)}-{r.randint(1, 999)}"}}')
            out.append(f'    assert {v}["{list(KEYS)[0]}"] if "{list(KEYS)[0]}" in {v} else True')
        return out

    # ---------------------------------------------------------------- snippets

    def snippet(self, kind: str, module: Module) -> Snippet:
        r = self.rng
        n = self._uid()
        s = Snippet()
        imp, body, hits = s.imports, s.body, s.hits
        code = KINDS[kind][0] if kind in KINDS else None

        def hit_import() -> None:
            hits.append(("imports", len(imp) - 1, code))

        def hit_body() -> None:
            hits.append(("body", len(body) - 1, code))

        if kind == "legacy-from-import":
            imp.append(f"from {WS}.factory import {r.choice(('create_websocket_manager', 'WebSocketFactory', 'get_factory_instance'))}")
            hit_import()
        elif kind == "legacy-import-module":
            imp.append(f"import {WS}.factory")
            hit_import()
        elif kind == "legacy-import-aliased":
            if r.random() < 0.5:
                imp.append(f"import {WS}.factory as ws_factory")
            else:
                imp.append(f"from {WS}.websocket_manager_factory import create_websocket_manager as make_manager")
            hit_import()
        elif kind == "legacy-import-relative":
            dots = "." * (module.depth_in_ws + 1)
            choice = r.randrange(3)
            imp.append(
                f"from {dots}factory import create_websocket_manager" if choice == 0
                else f"from {dots}websocket_manager_factory import create_websocket_manager" if choice == 1
                else f"from {dots} import factory"
            )
            hit_import()
        elif kind == "legacy-symbol-import":
            imp.append(f"from {WS}.websocket_manager_factory import create_websocket_manager")
            hit_import()
        elif kind == "legacy-package-alias-import":
            imp.append(f"from {WS} import create_websocket_manager")
            hit_import()
        elif kind == "legacy-wildcard-import":
            imp.append(r.choice((
                "from netra_backend.app.legacy_events import EventBus",
                "from netra_backend.app.legacy_metrics import record_metric",
                "import netra_backend.app.legacy_metrics",
            )))
            hit_import()
        elif kind == "legacy-starred-import":
            imp.append(f"from {WS}.factory import *  # noqa: F403")
            hit_import()
        elif kind == "legacy-import-in-function":
            body += [
                f"def _load_legacy_manager_{n}(user_context):",
                '    """Build a manager the old way (kept for the validation script)."""',
                f"    from {WS}.websocket_manager_factory import create_websocket_manager",
            ]
            hit_body()
            body.append("    return create_websocket_manager(user_context)")
        elif kind == "legacy-import-try-except":
            imp += ["try:", f"    from {WS}.factory import create_websocket_manager as _create_{n}"]
            hit_import()
            imp += ["except ImportError:  # pragma: no cover - pre-#1128 layout", f"    _create_{n} = None"]
        elif kind == "legacy-import-type-checking":
            imp += ["from typing import TYPE_CHECKING", "", "if TYPE_CHECKING:", f"    from {WS}.factory import WebSocketFactory"]
            hit_import()
        elif kind == "legacy-importlib-import-module":
            body += [
                f"def _resolve_factory_module_{n}():",
                "    import importlib",
                "",
                f'    return importlib.import_module("{WS}.factory")',
            ]
            hit_body()
        elif kind == "legacy-dunder-import":
            body.append(f'_legacy_factory_{n} = __import__("{WS}.factory", fromlist=["create_websocket_manager"])')
            hit_body()
        elif kind == "reexport-import":
            imp.append(r.choice((
                f"from {WS} import WebSocketManager",
                f"from {WS}.websocket_manager_factory import WebSocketManager",
            )))
            hit_import()
        elif kind.startswith("direct-construction"):
            if kind == "direct-construction":
                imp.append(f"from {UEC_MODULE} import UserExecutionContext")
                call = "UserExecutionContext("
            elif kind == "direct-construction-aliased":
                imp.append(f"from {UEC_MODULE} import UserExecutionContext as ExecutionContext")
                call = "ExecutionContext("
            elif kind == "direct-construction-module-attribute":
                imp.append("from netra_backend.app.services import user_execution_context as uec")
                call = "uec.UserExecutionContext("
            else:
                imp.append(f"from {'.' * (module.depth_in_svc + 1)}user_execution_context import UserExecutionContext")
                call = "UserExecutionContext("
            body += [
                f"def _build_user_context_{n}(user_id: str, thread_id: str):",
                '    """Create the per-request context (predates the defensive factory)."""',
                f"    user_context = {call}",
            ]
            hit_body()
            body += [
                "        user_id=user_id,",
                "        thread_id=thread_id,",
                '        run_id=f"run_{thread_id}",',
                "    )",
                "    return user_context",
            ]
        elif kind == "mock-patch-string":
            target = r.choice((f"{WS}.factory.create_websocket_manager", f"{WS}.websocket_manager_factory.create_websocket_manager", f"{WS}.factory.WebSocketFactory"))
            if r.random() < 0.5:
                body.append(f'@mock.patch("{target}")')
                hit_body()
                body += [
                    f"def test_manager_created_through_legacy_factory_{n}(mock_create):",
                    '    """Old-style patch target (issue #1128)."""',
                    "    mock_create.return_value = MagicMock()",
                    "    assert mock_create.return_value is not None",
                ]
            else:
                body += [f"def test_legacy_factory_patched_in_context_{n}():", f'    with patch("{target}") as mock_create:']
                hit_body()
                body += ["        mock_create.return_value = MagicMock()", "        assert mock_create is not None"]
        elif kind == "monkeypatch-string":
            body += [f"def test_factory_monkeypatched_{n}(monkeypatch):", f'    monkeypatch.setattr("{WS}.factory.WebSocketFactory", MagicMock())']
            hit_body()
            body.append("    assert monkeypatch is not None")
        elif kind == "registry-dict-string":
            body += [f"LEGACY_FACTORY_REGISTRY_{n} = {{", f"    'module': '{WS}.factory',"]
            hit_body()
            body += [f"    'replacement': '{WS}.websocket_manager.get_websocket_manager',", "    'issue': 1128,", "}"]
        elif kind == "module-list-string":
            body += [f"MODULES_TO_VALIDATE_{n} = [", f'    "{WS}.websocket_manager",', f'    "{WS}.factory",']
            hit_body()
            body += [f'    "{UEC_MODULE}",', "]"]
        elif kind == "attribute-chain":
            imp.append("import netra_backend")
            body += [f"def _legacy_manager_via_package_{n}(user_context):", f"    return netra_backend.app.websocket_core.factory.create_websocket_manager(user_context)"]
            hit_body()
        elif kind == "duplicate-class":
            body.append("class WebSocketManager:")
            hit_body()
            body += [
                '    """Local stand-in kept from before the SSOT consolidation."""',
                "",
                "    def __init__(self, user_context=None):",
                "        self.user_context = user_context",
            ]
        elif kind == "duplicate-assignment":
            body.append(r.choice((
                'WebSocketManager = type("WebSocketManager", (), {})  # stub so old pickles load',
                "UserExecutionContext = dict  # pre-#1126 alias",
            )))
            hit_body()
        elif kind == "pattern-call":
            body += [
                f"def _manager_factory_{n}():",
                f"    from {WS}.websocket_manager_factory import get_websocket_manager_factory",
                "",
                "    return get_websocket_manager_factory()",
            ]
            hit_body()
        # ---- legitimate mentions (no violation)
        elif kind == "uec-annotation":
            imp.append(f"from {UEC_MODULE} import UserExecutionContext")
            body += [
                f"def _context_user_{n}(user_context: UserExecutionContext) -> str:",
                "    if not isinstance(user_context, UserExecutionContext):",
                '        raise TypeError("expected a UserExecutionContext")',
                "    return user_context.user_id",
            ]
        elif kind == "uec-import-annotation":
            imp.append(f"from {UEC_MODULE} import UserExecutionContext")
            body += [
                f"async def _handle_for_user_{n}(",
                "    user_context: UserExecutionContext,",
                "    payload: Dict[str, Any],",
                ") -> Dict[str, Any]:",
                '    """Handle one request inside the caller\'s UserExecutionContext."""',
                '    return {"user_id": user_context.user_id, "thread_id": user_context.thread_id, **payload}',
            ]
        elif kind == "uec-docstring":
            body += [
                f"def _scoped_key_{n}(user_context: Any, name: str) -> str:",
                '    """The cache key of `name` for one user.',
                "",
                "    Args:",
                "        user_context: the UserExecutionContext of the request (built by",
                "            create_defensive_user_execution_context, never directly).",
                "        name: the key inside the user's namespace.",
                '    """',
                '    return f"{user_context.user_id}:{name}"',
            ]
        elif kind == "uec-type-checking":
            imp += ["from typing import TYPE_CHECKING", "", "if TYPE_CHECKING:", f"    from {UEC_MODULE} import UserExecutionContext"]
            body += [
                f'def _thread_of_{n}(user_context: "UserExecutionContext") -> str:',
                "    return user_context.thread_id",
            ]
        elif kind == "factory-parameter":
            body += [
                f"class _Registry{n}:",
                '    """Named constructors, registered at import time."""',
                "",
                "    def __init__(self) -> None:",
                "        self._factories: Dict[str, Any] = {}",
                "",
                "    def register(self, name: str, factory: Any) -> None:",
                "        self._factories[name] = factory",
                "",
                "    def build(self, name: str, **kwargs: Any) -> Any:",
                "        factory = self._factories[name]",
                "        return factory(**kwargs)",
            ]
        elif kind == "factory-prose":
            body += [
                f"# The session factory below hands out one session per request; see the factory",
                f"# fixture in conftest for the test variant.",
                f"def _session_scope_{n}(maker: Any) -> Any:",
                '    """Open a session from the factory and close it on the way out."""',
                "    session = maker()",
                "    try:",
                "        return session",
                "    finally:",
                "        session.close()",
            ]
        elif kind == "legacy-flag":
            body += [
                f"def _payload_format_{n}(payload: Dict[str, Any], legacy_format: bool = False) -> Dict[str, Any]:",
                '    """Old clients still send the pre-v2 envelope."""',
                '    if legacy_format or payload.get("legacy_envelope"):',
                '        return {"data": payload}',
                "    return payload",
            ]
        elif kind == "defensive-factory-call":
            imp.append(f"from {UEC_MODULE} import create_defensive_user_execution_context")
            body += [
                f"def _make_context_{n}(user_id: str, client_id: str):",
                "    return create_defensive_user_execution_context(user_id=user_id, websocket_client_id=client_id)",
            ]
        elif kind == "canonical-manager":
            imp.append(f"from {WS}.websocket_manager import WebSocketManager, get_websocket_manager")
            body += [
                f"async def _notify_{n}(user_context, event: dict) -> None:",
                "    manager: WebSocketManager = get_websocket_manager(user_context)",
                "    await manager.send_event(event)",
            ]
        elif kind == "canonical-mock-patch":
            body += [
                f'@mock.patch("{WS}.websocket_manager.get_websocket_manager")' if module.role == "test" else f"# see {WS}.websocket_manager.get_websocket_manager",
                f"def {'test' if module.role == 'test' else '_check'}_canonical_manager_{n}(mock_get=None):",
                '    """Patch the SSOT accessor, not the retired factory."""',
                "    assert mock_get is None or mock_get is not None",
            ]
        elif kind == "uec-subclass":
            imp.append(f"from {UEC_MODULE} import UserExecutionContext")
            body += [
                f"class AuditedExecutionContext{n}(UserExecutionContext):",
                '    """Adds audit fields; instances still come from the factory."""',
                "",
                "    audit_trail: tuple = ()",
            ]
        elif kind == "uec-classmethod":
            imp.append(f"from {UEC_MODULE} import UserExecutionContext")
            body += [
                f"def _context_from_request_{n}(request):",
                "    return UserExecutionContext.from_request(request)",
            ]
        elif kind == "type-checking-exempt":
            imp += ["from typing import TYPE_CHECKING", "", "if TYPE_CHECKING:", f"    from {WS}.unified_manager import UnifiedWebSocketManager"]
        elif kind == "near-miss-module":
            imp.append(f"from {WS}.factory_helpers import build_factory_config")
        elif kind == "canonical-imports":
            imp.append(f"from {WS}.canonical_imports import create_websocket_manager as create_manager")
        elif kind == "other-package-class":
            body += [
                "class WebSocketManager:  # a test double in another top-level package",
                "    def __init__(self, *args, **kwargs):",
                "        self.sent = []",
            ]
        else:  # pragma: no cover
            raise AssertionError(kind)
        return s

    # ---------------------------------------------------------------- modules

    def header(self, module: Module, imported: set[str]) -> list[str]:
        r = self.rng
        title = module.path.rsplit("/", 1)[-1][:-3].replace("_", " ")
        out = []
        if r.random() < 0.85:
            out += self.docstring("", title, True, args=False)
            if r.random() < 0.3 and out[-1] == '"""':
                out[-1:] = [
                    "",
                    "Business Value Justification (BVJ):",
                    f"- Segment: {r.choice(BVJ_SEGMENTS)}",
                    f"- Business Goal: {r.choice(BVJ_GOALS)}",
                    f"- Value Impact: {r.choice(PHRASES).format(a=r.choice(NOUNS), b=r.choice(NOUNS))}",
                    '"""',
                ]
            out.append("")
        if r.random() < 0.5:
            out += ["from __future__ import annotations", ""]
        std = ["import logging"]
        for name, line in r.sample(STDLIB_IMPORTS, r.randint(1, 6)):
            imported.add(name)
            std.append(line)
        if module.role == "test":
            if "asyncio" not in imported:
                imported.add("asyncio")
                std.append("import asyncio")
            std.append("from unittest import mock")
            std.append("from unittest.mock import MagicMock, patch")
        std.append("from typing import Any, Dict, List, Optional")
        out += sorted(std, key=lambda s: (s.startswith("from"), s))
        if module.role == "test":
            out += ["", "import pytest"]
        return out

    def intra_imports(self, module: Module) -> tuple[list[str], list[tuple[str, list[str]]]]:
        r = self.rng
        top = "netra_backend" if module.role == "test" or module.top in ("tests", "test_framework", "scripts") else module.top
        pool = self.exports_by_top.get(top) or []
        if not pool:
            return [], []
        out = []
        chosen = []
        seen: set[str] = set()
        for _ in range(r.randint(1, 5) if module.role != "test" else r.randint(1, 3)):
            dotted, names = r.choice(pool)
            picked = sorted(set(r.sample(names, r.randint(1, len(names)))) - seen - set(module.exports))
            if dotted == module.dotted or not picked:
                continue
            seen.update(picked)
            out.append(f"from {dotted} import {', '.join(picked)}")
            chosen.append((dotted, names))
        if module.top == "netra_backend" and module.role == "app" and r.random() < 0.3:
            siblings = [d for d in self.children_of.get(module.dotted.rsplit(".", 1)[0], ()) if d != module.dotted]
            if siblings:
                sib = r.choice(siblings)
                name = self.exports_of[sib][0]
                if name not in seen and name not in module.exports:
                    seen.add(name)
                    out.append(f"from .{sib.rsplit('.', 1)[-1]} import {name}")
        self.callables = sorted(seen)
        return sorted(set(out)), chosen

    def render(self, module: Module) -> tuple[str, list[tuple[int, str, str]], list[str]]:
        """Text, planted (line, code, kind), legit kinds."""
        if module.role == "special":
            return self.special_text[module.path], self.special_hits[module.path], []
        r = self.rng
        if module.role == "init":
            return self.render_init(module), [], []
        imported: set[str] = set()
        lines = self.header(module, imported)
        self.callables = []
        intra, targets = self.intra_imports(module)
        if intra:
            lines.append("")
            lines += intra
        snippets = [(kind, self.snippet(kind, module)) for kind in module.injections + module.legit]
        hits: list[tuple[int, str, str]] = []
        # planted imports: after the ordinary ones
        for kind, s in snippets:
            if not s.imports:
                continue
            lines.append("")
            base = len(lines)
            lines += s.imports
            for part, index, code in s.hits:
                if part == "imports":
                    hits.append((base + index + 1, code, kind))
        lines += ["", "logger = logging.getLogger(__name__)", ""]
        for _ in range(r.randint(0, 3)):
            lines.append(f"{r.choice(KEYS).upper()}_{r.choice(('TIMEOUT', 'LIMIT', 'RETRIES', 'TTL', 'BATCH_SIZE'))} = {r.randint(1, 600)}")
        # body blocks; planted body snippets at random points
        bodies = [(kind, s) for kind, s in snippets if s.body]
        at = sorted((r.uniform(0.1, 0.95) * module.target, i) for i in range(len(bodies)))
        exports = list(module.exports) if module.role == "app" else []
        blocks_done = 0
        while True:
            while at and (len(lines) >= at[0][0] or len(lines) >= module.target - 5):
                _, i = at.pop(0)
                kind, s = bodies[i]
                lines += ["", ""]
                base = len(lines)
                lines += s.body
                for part, index, code in s.hits:
                    if part == "body":
                        hits.append((base + index + 1, code, kind))
            if len(lines) >= module.target and not exports and not at and blocks_done:
                break
            lines += ["", ""]
            if module.role == "test":
                lines += self.test_block(targets)
            elif exports:
                name = exports.pop(0)
                lines += self.klass(name, imported) if name[0].isupper() else self.function(name, imported)
            elif r.random() < 0.4:
                lines += self.klass(None, imported)
            else:
                lines += self.function(None, imported)
            blocks_done += 1
        if module.role == "script":
            lines += ["", "", "def main() -> int:", "    import argparse", "", "    parser = argparse.ArgumentParser(description=__doc__)",
                      '    parser.add_argument("--dry-run", action="store_true")', "    args = parser.parse_args()",
                      '    logger.info("dry run: %s", args.dry_run)', "    return 0", "", "",
                      'if __name__ == "__main__":', "    raise SystemExit(main())"]
        text = "\n".join(lines) + "\n"
        return text, hits, list(module.legit)

    def render_init(self, module: Module) -> str:
        if module.target == 0:
            return ""
        r = self.rng
        title = module.dotted.rsplit(".", 1)[-1].replace("_", " ")
        out = [f'"""{title.capitalize()} package."""']
        children = [(d, self.exports_of[d]) for d in self.children_of.get(module.dotted, ())]
        if children and r.random() < 0.6:
            out.append("")
            names = []
            for dotted, exported in children[: r.randint(1, 4)]:
                out.append(f"from .{dotted.rsplit('.', 1)[-1]} import {exported[0]}")
                names.append(exported[0])
            out += ["", "__all__ = ["] + [f'    "{n}",' for n in names] + ["]"]
        return "\n".join(out) + "\n"

    def corrupt(self, text: str, hits: list[tuple[int, str, str]], how: str) -> tuple[str, list[tuple[int, str, str]]]:
        """Break a file's syntax after its imports; shift or drop the planted lines."""
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        # first line after the logger assignment (after the imports)
        try:
            start = lines.index("logger = logging.getLogger(__name__)") + 1
        except ValueError:
            start = len(lines) // 3
        for _attempt in range(20):
            text2, hits2 = self._corrupt_once(lines, hits, how, start)
            try:
                compile(text2, "<corpus>", "exec", dont_inherit=True)
            except (SyntaxError, ValueError):
                return text2, hits2
        return "<<<<<<< HEAD\n" + text2, [(line + 1, code, kind) for line, code, kind in hits2]

    def _corrupt_once(self, lines: list[str], hits: list[tuple[int, str, str]], how: str, start: int) -> tuple[str, list[tuple[int, str, str]]]:
        lines = list(lines)
        at = self.rng.randint(start, max(start, len(lines) - 1))
        if how == "truncated":
            keep = max(start, at)
            # cut in the middle of a line
            cut = lines[:keep] + ([lines[keep][: len(lines[keep]) // 2]] if keep < len(lines) and lines[keep] else ["def unfinished("])
            new_hits = [h for h in hits if h[0] <= keep]
            return "\n".join(cut), new_hits
        insert = {
            "merge-conflict": ["<<<<<<< HEAD", "RETRY_LIMIT = 3", "=======", "RETRY_LIMIT = 5", ">>>>>>> feature/websocket-ssot"],
            "unclosed-bracket": ["PENDING_STATES = [", '    "queued",', '    "running",'],
            "python2-print": ['print "legacy debug output"'],
            "bad-indent": ["   orphan_value = 1"],
            "bad-def": ["def broken_handler(:", "    pass"],
            "python2-except": ["try:", "    import cPickle as pickle", "except ImportError, exc:", "    import pickle"],
            "unterminated-string": ['BANNER = "unterminated banner'],
        }[how]
        lines[at:at] = insert
        new_hits = [(line + len(insert) if line > at else line, code, kind) for line, code, kind in hits]
        return "\n".join(lines) + "\n", new_hits

    # ---------------------------------------------------------------- writing

    def write(self, out: Path) -> dict:
        started = time.perf_counter()
        self.plan()
        out.mkdir(parents=True, exist_ok=True)
        planted = []
        legit_counts: dict[str, int] = {}
        broken_files = []
        total_lines = 0
        total_bytes = 0
        made_dirs: set[str] = set()
        longest = ("", 0)
        # the directory filling overshoots a little: scale the plan to the requested size
        fixed = sum(m.target for m in self.modules if m.role not in ("app", "test", "script"))
        flexible = sum(m.target for m in self.modules if m.role in ("app", "test", "script"))
        factor = max(0.0, self.lines - fixed) / flexible if flexible else 1.0
        if factor < 1.0:
            for module in self.modules:
                if module.role in ("app", "test", "script"):
                    module.target = max(12, int(module.target * factor))
        planned = 0
        for module in self.modules:
            # steer the running total towards the plan: a module after an overshoot is shorter
            planned += module.target
            if module.role in ("app", "test", "script"):
                module.target = max(12, module.target - max(0, total_lines - (planned - module.target)))
            text, hits, legit = self.render(module)
            if module.broken:
                text, hits = self.corrupt(text, hits, module.broken)
                broken_files.append({"file": module.path, "how": module.broken})
            directory = module.path.rsplit("/", 1)[0]
            if directory not in made_dirs:
                (out / directory).mkdir(parents=True, exist_ok=True)
                made_dirs.add(directory)
            data = text.encode("utf-8")
            with open(out / module.path, "wb") as handle:
                handle.write(data)
            n_lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
            total_lines += n_lines
            total_bytes += len(data)
            if n_lines > longest[1]:
                longest = (module.path, n_lines)
            for line, code, kind in hits:
                planted.append({"file": module.path, "line": line, "code": code, "kind": kind, "broken_file": bool(module.broken)})
            for kind in legit:
                legit_counts[kind] = legit_counts.get(kind, 0) + 1
        policy = corpus_policy(self.compat)
        pyproject = ssot_pyproject(
            policy,
            header=(
                f"Generated by flake8-ssot's benchmarks/generate_corpus.py (seed {self.seed}, "
                f"{self.lines} lines requested).\nThe policy of the seeds: issues #1066, #1126, #1128."
            ),
            project="netra-apex",
        )
        (out / "pyproject.toml").write_text(pyproject, encoding="utf-8")
        planted.sort(key=lambda h: (h["file"], h["line"], h["code"]))
        by_code: dict[str, int] = {}
        by_kind: dict[str, int] = {}
        for h in planted:
            by_code[h["code"]] = by_code.get(h["code"], 0) + 1
            by_kind[h["kind"]] = by_kind.get(h["kind"], 0) + 1
        manifest = {
            "generator_version": GENERATOR_VERSION,
            "seed": self.seed,
            "lines_requested": self.lines,
            "files": len(self.modules),
            "lines": total_lines,
            "bytes": total_bytes,
            "longest_file": {"file": longest[0], "lines": longest[1]},
            "expected_by_code": dict(sorted(by_code.items())),
            "planted_by_kind": dict(sorted(by_kind.items())),
            "legit_mentions_by_kind": dict(sorted(legit_counts.items())),
            "broken_files": broken_files,
            "touch_file": self.touch_candidate(),
            "planted": planted,
        }
        (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=False) + "\n", encoding="utf-8")
        manifest["seconds"] = round(time.perf_counter() - started, 2)
        return manifest

    def touch_candidate(self) -> str:
        """An ordinary, unbroken module of typical size: the 'one file changed' target."""
        ok = [m for m in self.modules if m.role == "app" and not m.broken and not m.injections and 100 <= m.target <= 400]
        ok = ok or [m for m in self.modules if m.role in ("app", "test") and not m.broken]
        return ok[len(ok) // 2].path


# --------------------------------------------------------------------------- special file texts

WS_INIT = '''"""WebSocket core: the SSOT home of the WebSocket manager.

Import the manager from `netra_backend.app.websocket_core.websocket_manager`.
"""

from .websocket_manager import WebSocketManager, get_websocket_manager

# Backward-compatibility alias (issue #1066): remove once callers migrate.
create_websocket_manager = get_websocket_manager

__all__ = [
    'WebSocketManager',
    'get_websocket_manager',
    'create_websocket_manager',
]
'''

WS_MANAGER = '''"""The canonical WebSocket manager (SSOT).

Business Value Justification (BVJ):
- Segment: All
- Business Goal: Golden Path reliability
- Value Impact: one manager per user keeps events isolated between users
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

logger = logging.getLogger(__name__)


class WebSocketManager:
    """Delivers agent events to one user's connections."""

    def __init__(self, user_context: Any, max_queue: int = 1000) -> None:
        self.user_context = user_context
        self.max_queue = max_queue
        self._connections: Dict[str, Any] = {}
        self._queue: List[Dict[str, Any]] = []
        self._lock = asyncio.Lock()

    async def add_connection(self, connection_id: str, connection: Any) -> None:
        async with self._lock:
            self._connections[connection_id] = connection
            logger.debug("connection added: %s", connection_id)

    async def remove_connection(self, connection_id: str) -> None:
        async with self._lock:
            self._connections.pop(connection_id, None)

    async def send_event(self, event: Dict[str, Any]) -> int:
        """Send an event to every live connection of the user; the number reached."""
        sent = 0
        for connection_id, connection in list(self._connections.items()):
            try:
                await connection.send_json(event)
                sent += 1
            except (ConnectionError, RuntimeError) as exc:
                logger.warning("dropping connection %s: %s", connection_id, exc)
                self._connections.pop(connection_id, None)
        if not sent and len(self._queue) < self.max_queue:
            self._queue.append(event)
        return sent

    def pending(self) -> List[Dict[str, Any]]:
        return list(self._queue)


_managers: Dict[str, WebSocketManager] = {}


def get_websocket_manager(user_context: Any, max_queue: Optional[int] = None) -> WebSocketManager:
    """The manager of `user_context`'s user, created on first use (the SSOT accessor)."""
    key = getattr(user_context, "user_id", None) or str(id(user_context))
    manager = _managers.get(key)
    if manager is None:
        manager = WebSocketManager(user_context, max_queue=max_queue or 1000)
        _managers[key] = manager
    return manager
'''

WS_CANONICAL_IMPORTS = '''"""Canonical import surface for WebSocket construction (replaces websocket_core.factory)."""

from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager


def create_websocket_manager(user_context):
    """Kept for callers of the retired factory; delegates to the SSOT accessor."""
    return get_websocket_manager(user_context)


__all__ = ["create_websocket_manager"]
'''

WS_FACTORY = '''"""DEPRECATED (issue #1128): use netra_backend.app.websocket_core.canonical_imports."""

import warnings

from netra_backend.app.websocket_core.canonical_imports import create_websocket_manager

warnings.warn(
    "netra_backend.app.websocket_core.factory is deprecated; use canonical_imports",
    DeprecationWarning,
    stacklevel=2,
)


class WebSocketFactory:
    """Retired: kept so old pickles still load."""

    def create(self, user_context):
        return create_websocket_manager(user_context)


def get_factory_instance():
    return WebSocketFactory()
'''

WS_MANAGER_FACTORY = '''"""WebSocket manager factory: compatibility layer (issue #1126).

Everything here delegates to the SSOT manager; new code must not import from this module.
"""

import logging
import threading

from netra_backend.app.websocket_core.websocket_manager import WebSocketManager, get_websocket_manager
from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context

logger = logging.getLogger(__name__)

_factory_instance = None
_factory_lock = threading.Lock()


class FactoryInitializationError(RuntimeError):
    """Raised when the compatibility factory cannot be built."""


class WebSocketManagerFactory:
    """Compatibility shim over get_websocket_manager."""

    def create_manager(self, user_context):
        return get_websocket_manager(user_context)


def get_websocket_manager_factory():
    global _factory_instance
    with _factory_lock:
        if _factory_instance is None:
            _factory_instance = WebSocketManagerFactory()
    return _factory_instance


def create_websocket_manager(user_context):
    """DEPRECATED: use get_websocket_manager."""
    logger.warning("create_websocket_manager is deprecated; use get_websocket_manager")
    return get_websocket_manager(user_context)


def create_websocket_manager_sync(user_context):
    return get_websocket_manager(user_context)


__all__ = [
    'create_websocket_manager',  # DEPRECATED: Use get_websocket_manager from SSOT
    'create_websocket_manager_sync',  # DEPRECATED: Use WebSocketManager directly
    'get_websocket_manager_factory',  # DEPRECATED: Returns SSOT function
    'WebSocketManagerFactory',  # COMPATIBILITY: For SSOT violation testing
    'create_defensive_user_execution_context',  # Compatibility utility
    'FactoryInitializationError',  # Compatibility exception
    'WebSocketManager',
    '_factory_instance',  # Legacy compatibility
    '_factory_lock',  # Legacy compatibility
]
'''

WS_UNIFIED_MANAGER = '''"""DEPRECATED: the pre-SSOT unified manager; annotations may still name it."""

from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager


class UnifiedWebSocketManager:
    """Old name of the per-user manager."""

    def __init__(self, user_context):
        self._delegate = get_websocket_manager(user_context)

    async def send_event(self, event):
        return await self._delegate.send_event(event)
'''

WS_FACTORY_HELPERS = '''"""Helpers shared by factories (not the retired factory module)."""

from typing import Any, Dict


def build_factory_config(**overrides: Any) -> Dict[str, Any]:
    config = {"max_queue": 1000, "heartbeat_seconds": 30}
    config.update(overrides)
    return config
'''

UEC = '''"""UserExecutionContext: per-request user isolation (SSOT).

Build contexts with `create_defensive_user_execution_context`; never construct directly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, Optional


@dataclass(frozen=True)
class UserExecutionContext:
    """Everything that identifies one user's request."""

    user_id: str
    thread_id: str
    run_id: str
    websocket_client_id: Optional[str] = None
    metadata: Dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_request(cls, request: Any) -> "UserExecutionContext":
        return create_defensive_user_execution_context(
            user_id=request.user_id, websocket_client_id=getattr(request, "client_id", None)
        )


def create_defensive_user_execution_context(
    user_id: str, websocket_client_id: Optional[str] = None, thread_id: Optional[str] = None
) -> UserExecutionContext:
    """The one way to build a context: validates ids and fills in the rest."""
    if not user_id or user_id in ("None", "null"):
        raise ValueError("user_id is required")
    thread = thread_id or f"thread_{uuid.uuid4().hex[:12]}"
    return UserExecutionContext(
        user_id=user_id,
        thread_id=thread,
        run_id=f"run_{uuid.uuid4().hex[:12]}",
        websocket_client_id=websocket_client_id,
    )
'''

CORE_INIT = '''"""Core services (the home of everything that was in netra_backend.app.legacy_*)."""

from .events import EventBus, record_metric

__all__ = ["EventBus", "record_metric"]
'''

CORE_EVENTS = '''"""Event bus and metrics (moved here from netra_backend.app.legacy_events / legacy_metrics)."""

from collections import defaultdict
from typing import Any, Callable, Dict, List


class EventBus:
    def __init__(self) -> None:
        self._handlers: Dict[str, List[Callable[..., Any]]] = defaultdict(list)

    def subscribe(self, topic: str, handler: Callable[..., Any]) -> None:
        self._handlers[topic].append(handler)

    def publish(self, topic: str, payload: Any) -> int:
        for handler in self._handlers[topic]:
            handler(payload)
        return len(self._handlers[topic])


_METRICS: Dict[str, float] = {}


def record_metric(name: str, value: float) -> None:
    _METRICS[name] = _METRICS.get(name, 0.0) + value
'''

LEGACY_EVENTS = '''"""DEPRECATED: moved to netra_backend.app.core."""

from netra_backend.app.core.events import EventBus

__all__ = ["EventBus"]
'''

LEGACY_METRICS = '''"""DEPRECATED: moved to netra_backend.app.core."""

from netra_backend.app.core.events import record_metric

__all__ = ["record_metric"]
'''

FIXTURES = '''"""Test fixtures that may build contexts directly (allowed by [tool.ssot.factories])."""

from netra_backend.app.services.user_execution_context import UserExecutionContext


def make_user_context(user_id: str = "user-1", thread_id: str = "thread-1") -> UserExecutionContext:
    return UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id="run-1")
'''


def compat_module(path: str, deprecated: str, form: str) -> str:
    module = _dotted(path)
    head = (
        f'"""Compatibility exports of {module.rsplit(".", 1)[-1]} (SSOT migration in progress)."""\n\n'
        "from typing import Any, Dict, List\n\n"
        "_singleton: Dict[str, Any] = {}\n\n\n"
        f"def {deprecated}() -> Dict[str, Any]:\n"
        '    """DEPRECATED: use the per-user accessor instead of a process-wide singleton."""\n'
        "    return _singleton\n\n\n"
        "def format_frame(payload: Dict[str, Any]) -> List[Any]:\n"
        "    return sorted(payload.items())\n\n\n"
    )
    if form == "tuple":
        tail = f'__all__ = (\n    "format_frame",\n    "{deprecated}",\n)\n'
    elif form == "augmented":
        tail = f'__all__ = ["format_frame"]\n__all__ += ["{deprecated}"]\n'
    elif form == "append":
        tail = f'__all__ = ["format_frame"]\n__all__.append("{deprecated}")\n'
    elif form == "extend":
        tail = f'__all__ = ["format_frame"]\n__all__.extend(["{deprecated}"])\n'
    else:
        tail = f'__all__: List[str] = [\n    "format_frame",\n    "{deprecated}",\n]\n'
    return head + tail


# --------------------------------------------------------------------------- statistics

_FACTORY_WORD = re.compile(rb"(?<![A-Za-z0-9_])factory(?![A-Za-z0-9_])")


def tree_stats(root: str | Path) -> dict:
    """Measure a generated tree against TARGETS (reads every file once; the manifest gives
    the planted findings and the broken files). The prefilter is flake8-ssot's own, built
    from the tree's pyproject.toml, when flake8-ssot is importable."""
    root = Path(root)
    manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    try:
        from flake8_ssot.config import load_config

        prefilter = load_config(str(root / "pyproject.toml")).prefilter
    except Exception:  # flake8-ssot not installed, or its API moved: report without it
        prefilter = None
    broken = {entry["file"] for entry in manifest["broken_files"]}
    with_finding = {hit["file"] for hit in manifest["planted"]}
    lengths: list[int] = []
    n_bytes = passing = strict = passing_broken = uec = uec_built = factory_word = factory_any = 0
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        data = path.read_bytes()
        n_bytes += len(data)
        lengths.append(data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1))
        if prefilter is not None:
            module = _dotted(rel)
            if prefilter.may_match(data, module):
                passing += 1
                passing_broken += rel in broken
                strict += prefilter.may_match(data, module, strict=True)
        if b"UserExecutionContext" in data:
            uec += 1
            uec_built += b"UserExecutionContext(" in data
        factory_word += bool(_FACTORY_WORD.search(data))
        factory_any += b"factory" in data
    n = len(lengths) or 1
    lengths.sort()

    def pct(q: float) -> int:
        return lengths[min(len(lengths) - 1, int(q * len(lengths)))] if lengths else 0

    return {
        "files": len(lengths),
        "lines": sum(lengths),
        "bytes": n_bytes,
        "files per 10M lines": round(len(lengths) * 10_000_000 / max(1, sum(lengths))),
        "mean lines per file": round(sum(lengths) / n),
        "mean bytes per file": round(n_bytes / n),
        "lines p50/p90/p99/max": [pct(0.5), pct(0.9), pct(0.99), lengths[-1] if lengths else 0],
        "pass the literal prefilter": passing / n if prefilter is not None else None,
        "pass the strict prefilter (flake8 plugin)": strict / n if prefilter is not None else None,
        "have a finding": len(with_finding) / n,
        "name the factory-only class": uec / n,
        "build it with a call": uec_built / n,
        "`factory` as a whole word": factory_word / n,
        "`factory` anywhere (names too)": factory_any / n,
        "do not parse (Python 3.11)": len(broken) / n,
        "broken files passing the prefilter": passing_broken / max(1, len(broken)) if prefilter is not None else None,
    }


def format_stats(stats: dict) -> str:
    """A table of the measured figures beside their targets."""
    rows = ["| measure | generated | target (real tree) |", "|---|---:|---:|"]
    for key, value in stats.items():
        target = TARGETS.get(key)
        if value is None:
            shown = "n/a (flake8-ssot not importable)"
        elif isinstance(value, float):
            shown = f"{value:.1%}"
        elif isinstance(value, list):
            shown = " / ".join(f"{v:,}" for v in value)
        else:
            shown = f"{value:,}"
        wanted = "" if target is None else f"{target:.1%}" if isinstance(target, float) else f"{target:,}"
        rows.append(f"| {key} | {shown} | {wanted} |")
    return "\n".join(rows)


# --------------------------------------------------------------------------- command line


def generate(out: str | Path, lines: int = DEFAULT_LINES, seed: int = DEFAULT_SEED, force: bool = False) -> dict:
    """Write the tree into `out` (which must be empty or absent unless `force`)."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        if not force:
            raise FileExistsError(f"{out} is not empty (use --force to replace it)")
        if not (out / MANIFEST).exists():
            raise FileExistsError(f"{out} is not a generated corpus; refusing to delete it")
        shutil.rmtree(out)
    return Generator(lines, seed).write(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="directory to write the tree into (empty or absent)")
    parser.add_argument("--lines", type=int, default=DEFAULT_LINES, help=f"about how many lines (default {DEFAULT_LINES:,}; at least {MIN_LINES:,})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--force", action="store_true", help="replace an existing generated tree")
    parser.add_argument(
        "--stats", action="store_true",
        help="measure the tree against the real monorepo's figures (TARGETS); on an existing "
        "generated tree without --force, only measure it",
    )
    args = parser.parse_args(argv)
    if args.stats and not args.force and (Path(args.out) / MANIFEST).exists():
        print(format_stats(tree_stats(args.out)))
        return 0
    try:
        manifest = generate(args.out, args.lines, args.seed, args.force)
    except FileExistsError as error:
        print(f"generate_corpus: {error}", file=sys.stderr)
        return 2
    print(
        f"wrote {manifest['files']:,} files, {manifest['lines']:,} lines, {manifest['bytes'] / 1e6:.1f} MB "
        f"to {args.out} in {manifest['seconds']} s; planted {sum(manifest['expected_by_code'].values())} "
        f"violations {manifest['expected_by_code']}, {len(manifest['broken_files'])} syntax-broken files"
    )
    if args.stats:
        print(format_stats(tree_stats(args.out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
