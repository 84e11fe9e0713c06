"""The `ssot` command line, run for real (`python -m flake8_ssot`) on fixture trees.

tests/fixtures/cli/ is a small netra_backend slice: non-ASCII lines, a warning-severity
entry, an `exclude`d migrations folder and a file that does not parse. Trees that need
.gitignore files, broken encodings or many files are built in tmp_path from it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import projects
from markers import FIXTURES, expected, python_files
from projects import write
from sarif_schema import assert_valid_sarif

CLI = FIXTURES / "cli"
EXCLUDED = "src/netra_backend/migrations/0007_backfill_threads.py"
NOTIFIER = "src/netra_backend/app/agents/notifier.py"
FACTORY_MESSAGE = (
    "legacy import 'netra_backend.app.websocket_core.factory': "
    "use 'netra_backend.app.websocket_core.canonical_imports'"
)
# A machine format keeps standard output parseable: the syntax-error summary line goes to standard error.
SYNTAX_SUMMARY = "1 file with a syntax error was checked with error recovery (--show-syntax-errors to list them)\n"
CONCISE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>SSOT\d{3})(?P<fixable> \[\*\])?(?P<warning> \[warning\])? "
    r"(?P<message>.*)$"
)
# The notifier's two module imports of the renamed factory module are proven safe by the
# project index (nothing, or only what canonical_imports has, is read through them; issue #15).
FIX_HINT = "[*] 3 fixable with the `--fix` option (2 hidden fixes are available with the `--unsafe-fixes` option)."


def ssot(*args: str, cwd: Path = CLI, stdin: str | None = None) -> subprocess.CompletedProcess:
    return projects.ssot(*args, cwd=cwd, stdin=stdin)


def check(*args: str, cwd: Path = CLI, stdin: str | None = None) -> subprocess.CompletedProcess:
    return ssot("check", "--no-cache", *args, cwd=cwd, stdin=stdin)


def marked(root: Path, skip: tuple[str, ...] = (EXCLUDED,)) -> Counter:
    """(relative path, line, code) of every marker in the tree, minus the excluded files."""
    found: Counter = Counter()
    for path in python_files(root):
        relative = path.relative_to(root).as_posix()
        if relative in skip:
            continue
        for (line, code), count in expected(path).items():
            found[(relative, line, code)] += count
    return found


def copy_tree(tmp_path: Path) -> Path:
    root = tmp_path / "cli"
    shutil.copytree(CLI, root, ignore=shutil.ignore_patterns(".ssot_cache", "__pycache__"))
    return root


# --------------------------------------------------------------------------- text formats


def test_full_format_shows_the_line_with_a_caret_under_the_violation():
    result = check(NOTIFIER)
    assert result.returncode == 1
    assert textwrap.dedent(f"""\
        {NOTIFIER}:9:58: SSOT001 [*] {FACTORY_MESSAGE}
           |
         8 | titre = "Réponse prête"; import netra_backend.app.websocket_core.factory as usine  # SSOT001
         9 | 見出し = "通知"; from netra_backend.app.websocket_core import factory  # SSOT001
           |                                                               ^^^^^^^ SSOT001
        10 |
           |
        """) in result.stdout
    assert result.stdout.endswith(
        "\nFound 4 errors.\n[*] 2 fixable with the `--fix` option (1 hidden fix is available with the `--unsafe-fixes` option).\n"
    )
    assert result.stderr == ""


def test_concise_reports_every_marked_line_except_excluded_files():
    result = check("--output-format", "concise")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-3:] == [
        "Found 5 errors and 1 warning.",
        FIX_HINT,
        "1 file with a syntax error was checked with error recovery (--show-syntax-errors to list them)",
    ]
    rows = [CONCISE.match(line) for line in lines[:-3]]
    assert all(rows), lines
    assert Counter((m["path"], int(m["line"]), m["code"]) for m in rows) == marked(CLI)
    assert [m["path"] for m in rows] == sorted(m["path"] for m in rows)  # stable order
    warnings = [m.string for m in rows if m["warning"]]
    assert warnings == [
        "src/netra_backend/app/agents/emitter_bridge.py:5:1: SSOT001 [warning] legacy import "
        "'netra_backend.app.websocket_core.unified_emitter': use 'netra_backend.app.websocket_core.emitter' "
        "(phase 3 of #1128)"
    ]
    assert result.stderr == ""


def test_statistics_count_per_code_and_per_legacy_path():
    result = check("--statistics")
    assert result.returncode == 1
    assert result.stdout == textwrap.dedent("""\
        Violations by code:
          4  SSOT001  legacy-import
          1  SSOT002  direct-construction
          1  SSOT003  deprecated-export

        Violations by legacy path or symbol:
          3  SSOT001  netra_backend.app.websocket_core.factory
          1  SSOT002  netra_backend.app.services.user_execution_context.UserExecutionContext
          1  SSOT003  netra_backend.app.websocket_core.create_websocket_manager
          1  SSOT001  netra_backend.app.websocket_core.unified_emitter
        Found 5 errors and 1 warning.
        [*] 3 fixable with the `--fix` option (2 hidden fixes are available with the `--unsafe-fixes` option).
        1 file with a syntax error was checked with error recovery (--show-syntax-errors to list them)
        """)
    data = json.loads(check("--statistics", "--output-format", "json").stdout)
    assert data["total"] == 6
    assert data["by_code"][0] == {"code": "SSOT001", "name": "legacy-import", "count": 4}
    assert data["by_subject"][0] == {"subject": "netra_backend.app.websocket_core.factory", "code": "SSOT001", "count": 3}


# --------------------------------------------------------------------------- machine formats


def test_json_has_ruff_fields_and_character_columns_on_non_ascii_lines():
    result = check("--output-format", "json")
    assert result.returncode == 1
    items = json.loads(result.stdout)  # nothing but JSON on stdout
    got = Counter((Path(i["filename"]).relative_to(CLI).as_posix(), i["location"]["row"], i["code"]) for i in items)
    assert got == marked(CLI)
    by_line = {(Path(i["filename"]).name, i["location"]["row"]): i for i in items}
    # `titre = "Réponse prête"; import netra_backend...`: the name starts at character 33 (byte 35).
    import_line = by_line[("notifier.py", 8)]
    assert import_line["location"] == {"row": 8, "column": len('titre = "Réponse prête"; import ') + 1} == {"row": 8, "column": 33}
    assert import_line["end_location"] == {"row": 8, "column": 82}
    assert import_line["message"] == FACTORY_MESSAGE
    assert import_line["subject"] == "netra_backend.app.websocket_core.factory"
    assert import_line["severity"] == "error"
    # after CJK and an astral emoji (two UTF-16 units), columns still count characters
    assert by_line[("notifier.py", 9)]["location"]["column"] == 58
    assert by_line[("notifier.py", 13)]["location"]["column"] == len('    statut = "✅🚀"; contexte = ') + 1
    assert by_line[("emitter_bridge.py", 5)]["severity"] == "warning"
    lines = check("--output-format", "json-lines").stdout.splitlines()
    assert [json.loads(line) for line in lines] == items


def test_sarif_has_every_field_github_code_scanning_requires():
    result = check("--output-format", "sarif")
    assert result.returncode == 1
    sarif = json.loads(result.stdout)
    assert_valid_sarif(sarif)
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (run,) = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "ssot"
    assert driver["version"] and driver["informationUri"].startswith("https://")
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids[:5] == ["SSOT001", "SSOT002", "SSOT003", "SSOT004", "SSOT005"]
    for rule in driver["rules"]:
        assert rule["name"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"].startswith(f"# {rule['id']} ")
        assert rule["defaultConfiguration"]["level"] == "error"
        assert rule["helpUri"].endswith("/docs/rules.md#" + (
            f"{rule['id'].lower()}-{rule['name']}" if rule["id"] < "SSOT1" else "ssot1xx-ssot8xx-pattern-rules"))
    legacy = driver["rules"][0]
    assert legacy["name"] == "legacy-import"
    assert legacy["shortDescription"]["text"] == "an import of a legacy path, or of a canonical symbol through a re-export"
    assert "## Why is this bad?" in legacy["help"]["markdown"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == CLI.resolve().as_uri() + "/"
    got = Counter()
    for item in run["results"]:
        assert ids[item["ruleIndex"]] == item["ruleId"]
        assert item["level"] in ("error", "warning") and item["message"]["text"]
        (location,) = item["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%" and "\\" not in artifact["uri"]
        assert not artifact["uri"].startswith(("/", "file:"))
        region = location["physicalLocation"]["region"]
        assert set(region) == {"startLine", "startColumn", "endLine", "endColumn"}
        assert region["startColumn"] >= 1 and region["endLine"] >= region["startLine"]
        got[(artifact["uri"], region["startLine"], item["ruleId"])] += 1
    assert got == marked(CLI)
    cjk = next(r for r in run["results"] if r["locations"][0]["physicalLocation"]["region"]["startLine"] == 9
               and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == NOTIFIER)
    assert cjk["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 9, "startColumn": 58, "endLine": 9, "endColumn": 65,
    }
    warning = next(r for r in run["results"] if r["level"] == "warning")
    assert warning["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("emitter_bridge.py")


def test_github_annotations_one_per_violation():
    result = check("--output-format", "github")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == sum(marked(CLI).values())
    assert (
        f"::error file={NOTIFIER},line=8,col=33,endLine=8,endColumn=82,title=SSOT001::{FACTORY_MESSAGE}"
    ) in lines
    assert lines[0] == (
        "::warning file=src/netra_backend/app/agents/emitter_bridge.py,line=5,col=1,endLine=5,endColumn=78,"
        "title=SSOT001::legacy import 'netra_backend.app.websocket_core.unified_emitter': "
        "use 'netra_backend.app.websocket_core.emitter' (phase 3 of #1128)"
    )


def test_gitlab_fingerprints_survive_lines_inserted_above(tmp_path):
    root = copy_tree(tmp_path)
    before = json.loads(check("--output-format", "gitlab", cwd=root).stdout)
    assert len(before) == sum(marked(root).values())
    for issue in before:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["description"].startswith(issue["check_name"] + ": ")
        assert issue["severity"] == ("minor" if "unified_emitter" in issue["description"] else "major")
        assert re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])
    assert len({issue["fingerprint"] for issue in before}) == len(before)
    notifier = root / NOTIFIER
    notifier.write_text("# -*- coding: utf-8 -*-\n\n" + notifier.read_text(encoding="utf-8"), encoding="utf-8")
    after = json.loads(check("--output-format", "gitlab", cwd=root).stdout)
    lines_before = {i["fingerprint"]: i["location"]["lines"]["begin"] for i in before}
    lines_after = {i["fingerprint"]: i["location"]["lines"]["begin"] for i in after}
    assert lines_after.keys() == lines_before.keys()
    moved = {f for f in lines_before if lines_after[f] == lines_before[f] + 2}
    assert len(moved) == 4  # the notifier's four violations moved down, same identity


def test_junit_has_one_testcase_per_checked_file():
    result = check("--output-format", "junit")
    assert result.returncode == 1
    suites = ElementTree.fromstring(result.stdout)
    (suite,) = suites.findall("testsuite")
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    checked = {p.relative_to(CLI).as_posix() for p in python_files(CLI)
               if not p.relative_to(CLI).as_posix().startswith("src/netra_backend/migrations/")}
    assert set(cases) == checked
    assert suite.get("tests") == str(len(checked)) and suite.get("failures") == "2" and suite.get("errors") == "0"
    failure = cases[NOTIFIER].find("failure")
    assert failure.get("message") == "4 violations" and failure.get("type") == "SSOT001,SSOT002"
    assert f"{NOTIFIER}:8:33: SSOT001 {FACTORY_MESSAGE}\n" in failure.text
    bridge = cases["src/netra_backend/app/agents/emitter_bridge.py"]
    assert bridge.find("failure") is None and "[warning]" in bridge.find("system-out").text
    assert cases["src/netra_backend/app/routes/health.py"].find("failure") is None


# --------------------------------------------------------------------------- exit codes


def test_exit_codes_clean_warning_only_exit_zero_and_bad_configuration(tmp_path):
    clean = check("src/netra_backend/app/routes/health.py")
    assert (clean.returncode, clean.stdout) == (0, "All checks passed!\n")
    warning_only = check("--output-format", "concise", "src/netra_backend/app/agents/emitter_bridge.py")
    assert warning_only.returncode == 0 and warning_only.stdout.endswith(
        "Found 1 warning.\nNo fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n"
    )
    assert check("--exit-zero", NOTIFIER).returncode == 0
    write(tmp_path, {"pyproject.toml": '[tool.ssot.legacy]\n"pkg.old" = { use = "pkg.new", fix = "sometimes" }\n',
                     "mod.py": "import pkg.old\n"})
    bad = check(cwd=tmp_path)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr == (
        f"error: {tmp_path / 'pyproject.toml'}: tool.ssot.legacy.\"pkg.old\".fix: "
        "must be one of 'safe', 'unsafe', 'none', not 'sometimes'\n"
    )
    assert check("--exit-zero", cwd=tmp_path).returncode == 2


def test_usage_errors_exit_2():
    bad_code = check("--select", "E501")
    assert bad_code.returncode == 2
    assert "argument --select: 'E501' is not a flake8-ssot code or prefix" in bad_code.stderr
    jobs = check("--jobs", "0")
    assert jobs.returncode == 2 and "argument -j/--jobs: must be at least 1" in jobs.stderr
    assert ssot().returncode == 2


def test_select_and_ignore_override_the_configuration():
    only = check("--output-format", "concise", "--select", "SSOT002", NOTIFIER)
    assert [line.split(": ")[1].split()[0] for line in only.stdout.splitlines()[:-1]] == ["SSOT002"]
    ignored = check("--output-format", "concise", "--ignore", "SSOT001,SSOT002", NOTIFIER)
    assert (ignored.returncode, ignored.stdout) == (0, "All checks passed!\n")


# --------------------------------------------------------------------------- files


def test_gitignore_files_and_git_info_exclude_are_honoured(tmp_path):
    root = copy_tree(tmp_path)
    legacy = "from netra_backend.app.websocket_core.factory import create_websocket_manager\n"
    write(root, {
        ".gitignore": "generated/\n*_pb2.py\n",
        "generated/api_client.py": legacy,
        "src/netra_backend/app/events_pb2.py": legacy,
        "src/netra_backend/app/vendored/.gitignore": "*.py\n!keep_me.py\n",
        "src/netra_backend/app/vendored/copied.py": legacy,
        "src/netra_backend/app/vendored/keep_me.py": legacy,
        "src/netra_backend/app/local_only.py": legacy,
        ".git/info/exclude": "local_only.py\n",
        ".venv/lib/site.py": legacy,
        "node_modules/pkg/x.py": legacy,
    })
    result = check("--output-format", "concise", cwd=root)
    paths = {line.split(":")[0] for line in result.stdout.splitlines()[:-2]}
    assert "src/netra_backend/app/vendored/keep_me.py" in paths
    for hidden in ("generated/api_client.py", "src/netra_backend/app/events_pb2.py",
                   "src/netra_backend/app/vendored/copied.py", "src/netra_backend/app/local_only.py",
                   ".venv/lib/site.py", "node_modules/pkg/x.py", EXCLUDED):
        assert hidden not in paths
    # a file named on the command line is always checked, unless --force-exclude (pre-commit)
    named = check("--output-format", "concise", "generated/api_client.py", EXCLUDED, cwd=root)
    assert [line.split(":")[0] for line in named.stdout.splitlines()[:-2]] == ["generated/api_client.py", EXCLUDED]
    forced = check("--force-exclude", "generated/api_client.py", EXCLUDED, cwd=root)
    assert (forced.returncode, forced.stdout) == (0, "All checks passed!\n")


def test_stdin_filename_reports_under_that_path_with_its_configuration():
    source = "import os\nfrom netra_backend.app.websocket_core.factory import create_websocket_manager\n"
    result = check("--output-format", "concise", "--stdin-filename", "src/netra_backend/app/routes/health.py",
                   stdin=source)
    assert result.returncode == 1
    assert result.stdout == (
        # factory.py defines its own create_websocket_manager, not canonical_imports' one (#14)
        f"src/netra_backend/app/routes/health.py:2:1: SSOT001 {FACTORY_MESSAGE} (not a re-export: "
        "'netra_backend.app.websocket_core.factory.create_websocket_manager' is defined there, a different object)"
        "\nFound 1 error.\n"
        "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n"
    )
    # the legacy module itself is exempt from its own entry: the path decides, not the content
    own = check("--stdin-filename", "src/netra_backend/app/websocket_core/factory.py", stdin=source)
    assert (own.returncode, own.stdout) == (0, "All checks passed!\n")


def test_jobs_1_and_jobs_2_give_identical_output(tmp_path):
    root = copy_tree(tmp_path)
    notifier = (root / NOTIFIER).read_text(encoding="utf-8")
    for index in range(90):  # enough files for worker processes to start
        write(root, {f"src/netra_backend/app/agents/generated/notifier_{index:03}.py": notifier})
    one = check("--output-format", "json", "--jobs", "1", cwd=root)
    two = check("--output-format", "json", "--jobs", "2", cwd=root)
    assert one.returncode == two.returncode == 1
    assert len(json.loads(one.stdout)) == 6 + 90 * 4
    assert one.stdout == two.stdout


def test_unreadable_undecodable_and_missing_files_are_reported_not_raised(tmp_path):
    write(tmp_path, {
        "pyproject.toml": '[tool.ssot.legacy]\n"pkg.old" = "pkg.new"\n',
        "latin1.py": "# Générateur\nimport pkg.old\n".encode("latin-1"),
        "declared.py": "# -*- coding: latin-1 -*-\n# Générateur\nimport pkg.old\n".encode("latin-1"),
        "bad_cookie.py": b"# -*- coding: klingon -*-\nimport pkg.old\n",
        "bom.py": "\ufeffimport pkg.old\n".encode("utf-8"),
    })
    os.symlink(tmp_path / "gone.py", tmp_path / "dangling.py")
    result = check("--output-format", "concise", ".", "dangling.py", "missing.py", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: missing.py: no such file or directory",
        "error: bad_cookie.py: bad encoding declaration: unknown encoding: klingon",
        f"error: dangling.py: cannot read: the symbolic link points at nothing ({tmp_path / 'gone.py'})",
        "error: latin1.py: cannot decode line 1 as utf-8 (byte 0xe9: invalid continuation byte); "
        "save the file as UTF-8 or declare its encoding (PEP 263)",
    ]
    assert result.stdout == (
        "bom.py:1:8: SSOT001 legacy import 'pkg.old': use 'pkg.new'\n"
        "declared.py:3:8: SSOT001 legacy import 'pkg.old': use 'pkg.new'\n"
        "Found 2 errors.\n"
        "No fixes available (2 hidden fixes can be enabled with the `--unsafe-fixes` option).\n"
        "4 paths could not be checked (see the errors above).\n"
    )
    assert "Traceback" not in result.stderr


def test_each_file_uses_the_nearest_configuration(tmp_path):
    write(tmp_path, {
        "pyproject.toml": '[tool.ssot.legacy]\n"pkg.old" = "pkg.new"\n',
        "app.py": "import pkg.old\nimport billing.old\n",
        "billing/pyproject.toml": '[tool.ssot]\nsrc = ["."]\n[tool.ssot.legacy]\n"billing.old" = "billing.new"\n',
        "billing/service.py": "import pkg.old\nimport billing.old\n",
    })
    result = check("--output-format", "concise", cwd=tmp_path)
    assert result.stdout.splitlines()[:-2] == [
        "app.py:1:8: SSOT001 legacy import 'pkg.old': use 'pkg.new'",
        "billing/service.py:2:8: SSOT001 legacy import 'billing.old': use 'billing.new'",
    ]
    explicit = check("--output-format", "concise", "--config", "pyproject.toml", cwd=tmp_path)
    assert [line.split(":")[0] for line in explicit.stdout.splitlines()[:-2]] == ["app.py", "billing/service.py"]
    assert "'pkg.old'" in explicit.stdout.splitlines()[1]


def test_output_file_and_cache_round_trip(tmp_path):
    root = copy_tree(tmp_path)
    first = ssot("check", "--output-format", "json", "--output-file", "report/ssot.json", cwd=root)
    assert first.returncode == 1 and first.stdout == ""
    report = (root / "report" / "ssot.json").read_text(encoding="utf-8")
    cache_files = list((root / ".ssot_cache").rglob("*.json"))
    assert len(cache_files) == 1 and (root / ".ssot_cache" / ".gitignore").read_text().endswith("*\n")
    warm = ssot("check", "--output-format", "json", cwd=root)
    assert warm.stdout == report
    cache_files[0].write_text('{"format": 1, "files": {"src": [1, 2', encoding="utf-8")  # torn write
    damaged = ssot("check", "--output-format", "json", cwd=root)
    assert (damaged.returncode, damaged.stdout, damaged.stderr) == (1, report, SYNTAX_SUMMARY)


# --------------------------------------------------------------------------- rule, registry


def test_rule_prints_the_rule_documentation():
    result = ssot("rule", "SSOT002")
    assert result.returncode == 0
    assert result.stdout.startswith("# SSOT002 direct-construction\n\nA factory-only class constructed directly.\n\n## What it does\n")
    assert "## Use instead\n```python\nfrom pkg.ctx import create_defensive_user_execution_context" in result.stdout
    listing = ssot("rule")
    assert [line for line in listing.stdout.splitlines() if line.startswith("# SSOT")] == [
        "# SSOT001 legacy-import", "# SSOT002 direct-construction", "# SSOT003 deprecated-export",
        "# SSOT004 legacy-reference", "# SSOT005 duplicate-definition", "# SSOT1xx-SSOT8xx pattern-rules",
    ]
    unknown = ssot("rule", "SSOT999")
    assert unknown.returncode == 2
    assert unknown.stderr == (
        "error: unknown rule 'SSOT999'; the rules are SSOT001, SSOT002, SSOT003, SSOT004, SSOT005 "
        "and SSOT100-SSOT899 (pattern rules)\n"
    )


def test_registry_renders_the_configuration_as_markdown():
    result = ssot("registry")
    assert result.returncode == 0
    assert result.stdout == textwrap.dedent("""\
        # Canonical import registry

        Generated by `ssot registry` from `pyproject.toml`; edit `[tool.ssot]` there, not this file.

        ## Legacy paths and their canonical replacements

        | legacy path | canonical path | fix | still allowed in | note |
        |---|---|---|---|---|
        | `netra_backend.app.websocket_core.factory` | `netra_backend.app.websocket_core.canonical_imports` | unsafe |  |  |
        | `netra_backend.app.websocket_core.unified_emitter` | `netra_backend.app.websocket_core.emitter` | unsafe |  | warning only; phase 3 of #1128 |

        ## Factory-only classes

        | class | build it with | may construct directly | note |
        |---|---|---|---|
        | `netra_backend.app.services.user_execution_context.UserExecutionContext` | `netra_backend.app.services.user_execution_context.create_defensive_user_execution_context` | its own module `netra_backend.app.services.user_execution_context` |  |

        ## Deprecated exports

        These names must leave their module's `__all__`.

        | module | deprecated names | note |
        |---|---|---|
        | `netra_backend.app.websocket_core` | `create_websocket_manager` |  |
        """)


# --------------------------------------------------------------------------- cache and progress, in-process


def _results(root: Path, cache_dir: Path):
    from flake8_ssot.checking import check_files
    from flake8_ssot.config.resolve import Configurations, Overrides

    files = [str(p) for p in python_files(root)]
    return {r.path: r for r in check_files(files, Configurations(None, Overrides()), 1, str(cache_dir))}


def test_cache_rechecks_a_file_changed_within_the_same_timestamp(tmp_path):
    write(tmp_path, {"pyproject.toml": '[tool.ssot.legacy]\n"pkg.old" = "pkg.new"\n', "mod.py": "import pkg.old\n"})
    module = tmp_path / "mod.py"
    first = _results(tmp_path, tmp_path / "cache")
    assert [d.code for d in first[str(module)].diagnostics] == ["SSOT001"]
    status = module.stat()
    module.write_text("import pkg.new\n", encoding="utf-8")  # same size, and the same mtime below
    os.utime(module, ns=(status.st_atime_ns, status.st_mtime_ns))
    second = _results(tmp_path, tmp_path / "cache")
    assert second[str(module)].diagnostics == ()


def test_concurrent_cache_writers_merge_and_damaged_entries_are_dropped(tmp_path):
    from flake8_ssot.checking.cache import Cache
    from flake8_ssot.checking.runner import check_file
    from flake8_ssot.config import load_config

    write(tmp_path, {"pyproject.toml": '[tool.ssot.legacy]\n"pkg.old" = "pkg.new"\n',
                     "a.py": "import pkg.old\n", "b.py": "import os\n"})
    config = load_config(str(tmp_path / "pyproject.toml"))
    first, second = Cache(str(tmp_path / "c"), config), Cache(str(tmp_path / "c"), config)
    for cache, name in ((first, "a.py"), (second, "b.py")):
        path = str(tmp_path / name)
        cache.store(path, os.stat(path), 0, check_file(path, config, digest=True))
    first.save()
    second.save()
    merged = Cache(str(tmp_path / "c"), config)
    assert sorted(merged.entries) == ["a.py", "b.py"]
    assert [d.message for d in merged.result(str(tmp_path / "a.py")).diagnostics] == [
        "legacy import 'pkg.old': use 'pkg.new'"
    ]
    document = json.loads(Path(merged.path).read_text(encoding="utf-8"))
    document["files"]["a.py"][4][0][0] = 999  # a string index that does not exist
    Path(merged.path).write_text(json.dumps(document), encoding="utf-8")
    damaged = Cache(str(tmp_path / "c"), config)
    assert damaged.result(str(tmp_path / "a.py")) is None  # recomputed, never trusted


class _Terminal:
    def __init__(self, tty: bool) -> None:
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_progress_only_on_a_terminal_and_only_after_the_delay():
    from flake8_ssot.checking.runner import Progress

    piped, terminal, quick = _Terminal(False), _Terminal(True), _Terminal(True)
    for stream, delay in ((piped, 0.0), (terminal, 0.0), (quick, 60.0)):
        progress = Progress(stream, delay=delay)
        progress(10, 40)
        progress(40, 40)
        progress.finish()
    assert piped.text == "" and quick.text == ""
    assert terminal.text == "\rChecked 10/40 files\rChecked 40/40 files\r\x1b[K"


def test_the_pre_commit_hook_entry_checks_the_named_files_with_excludes_applied():
    hooks = (Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    entry = re.search(r"^  entry: (.+)$", hooks, re.MULTILINE).group(1).split()
    assert entry[0] == "ssot" and "require_serial: true" in hooks
    staged = [NOTIFIER, EXCLUDED, "src/netra_backend/app/routes/health.py"]  # as pre-commit passes them
    result = ssot(*entry[1:], "--no-cache", "--output-format", "concise", *staged)
    assert result.returncode == 1
    assert {line.split(":")[0] for line in result.stdout.splitlines()[:-2]} == {NOTIFIER}


def test_the_installed_ssot_script_is_the_same_program():
    """`pip install .` puts an `ssot` script beside the interpreter; it must run this CLI."""
    script = shutil.which("ssot", path=os.path.dirname(sys.executable))
    assert script, "the `ssot` console script is not installed next to the interpreter"
    env = {**os.environ, "PYTHONUTF8": "1"}
    installed = subprocess.run([script, "check", "--no-cache", "--output-format", "concise"], cwd=CLI,
                               capture_output=True, encoding="utf-8", env=env, timeout=120)
    module = check("--output-format", "concise")
    assert installed.returncode == module.returncode == 1
    assert installed.stdout == module.stdout and "SSOT001" in installed.stdout


def test_a_pattern_rule_table_is_shown_as_toml(tmp_path):
    """`ssot registry` and `ssot rule SSOT1xx` show a rule table the way it is written in
    pyproject.toml (an inline table that parses back to the same rule), not as a Python dict."""
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent('''\
        [[tool.ssot.patterns]]
        code = "SSOT120"
        message = "the manager singleton is retired"
        rule = { kind = "class_definition", has = { pattern = "_instance = None", stopBy = "end" }, not = { regex = "^class Test" } }
        '''), encoding="utf-8")
    shown = 'rule = { kind = "class_definition", has = { pattern = "_instance = None", stopBy = "end" }, not = { regex = "^class Test" } }'
    registry = ssot("registry", cwd=tmp_path)
    assert registry.returncode == 0, registry.stderr
    assert "| SSOT120 | `" + shown.removeprefix("rule = ") + "` | the manager singleton is retired |  |" in registry.stdout
    rule = ssot("rule", "SSOT120", cwd=tmp_path)
    assert rule.returncode == 0, rule.stderr
    assert f"`{shown}`" in rule.stdout
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    written = tomllib.loads((tmp_path / "pyproject.toml").read_text(encoding="utf-8"))
    assert tomllib.loads(shown) == {"rule": written["tool"]["ssot"]["patterns"][0]["rule"]}
