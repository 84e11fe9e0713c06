"""The formats ruff has that other tools read: `pylint`, `grouped`, `azure` and `rdjson`
(reviewdog), each compared whole, on a non-ASCII line, a fix, a warning and two files."""

from __future__ import annotations

import json

import jsonschema
import pytest
from projects import APP_LEGACY_POLICY, ssot, write

from flake8_ssot.checking.runner import FileResult
from flake8_ssot.diagnostic import Diagnostic, Edit, Fix
from flake8_ssot.reporters import FORMATS, Report, render
from flake8_ssot.reporters.azure import escape_data, escape_property
from flake8_ssot.span import Span

# "🚀" is one character and four UTF-8 bytes: character columns and byte columns differ by 3.
FIRST = 'label = "🚀"; import app.ws.factory\n'
SECOND = "import os\n\n\n\n\n\n\n\n\nfrom app.ws.factory import build\n"
LEGACY = "legacy import 'app.ws.factory': use 'app.ws.canonical_imports'"
URL = "https://github.com/flake8-ssot/flake8-ssot/blob/main/docs/rules.md#ssot001-legacy-import"


@pytest.fixture
def report(tmp_path) -> Report:
    import_span = Span(1, 20, 1, 34)
    fix = Fix((Edit(import_span, "app.ws.canonical_imports"),), "safe", "use the canonical module")
    first = Diagnostic("SSOT001", LEGACY, import_span, subject="app.ws.factory", fix=fix)
    second = Diagnostic("SSOT001", LEGACY, Span(10, 5, 10, 19), subject="app.ws.factory")
    warning = Diagnostic("SSOT101", "50%; of callers]\nstill", Span(1, 0, 1, 9), severity="warning")
    sources = {str(tmp_path / "a.py"): FIRST, str(tmp_path / "pkg" / "b.py"): SECOND}
    results = [
        FileResult(str(tmp_path / "a.py"), (first,)),
        FileResult(str(tmp_path / "clean.py")),
        FileResult(str(tmp_path / "pkg" / "b.py"), (warning, second)),
    ]
    return Report(
        results, str(tmp_path), lambda path: sources[path].splitlines(),
        fix_marks=lambda result, diagnostic: diagnostic.fix is not None,
    )


def test_the_formats_are_offered():
    assert {"pylint", "grouped", "azure", "rdjson"} <= set(FORMATS)


def test_pylint_is_path_line_code_message(report):
    assert render("pylint", report) == (
        f"a.py:1: [SSOT001] {LEGACY}\n"
        "pkg/b.py:1: [SSOT101] 50%; of callers]\nstill\n"
        f"pkg/b.py:10: [SSOT001] {LEGACY}\n"
    )


def test_grouped_names_each_file_once_with_aligned_lines_and_fix_marks(report):
    assert render("grouped", report) == (
        "a.py:\n"
        f"  1:21 SSOT001 [*] {LEGACY}\n"
        "\n"
        "pkg/b.py:\n"
        "   1:1 SSOT101 [warning] 50%; of callers]\nstill\n"
        f"  10:6 SSOT001 {LEGACY}\n"
        "\n"
    )


def test_grouped_pads_columns_of_different_widths(tmp_path):
    diagnostics = (Diagnostic("SSOT001", "m", Span(2, 3, 2, 4)), Diagnostic("SSOT001", "m", Span(3, 11, 3, 12)))
    report = Report([FileResult(str(tmp_path / "a.py"), diagnostics)], str(tmp_path))
    assert render("grouped", report) == "a.py:\n  2:4  SSOT001 m\n  3:12 SSOT001 m\n\n"


def test_azure_logging_commands_escape_what_would_end_or_split_them(report):
    assert escape_data("100%\r\n]") == "100%AZP25%0D%0A]"
    assert escape_property("a;b]c%") == "a%3Bb%5Dc%AZP25"
    assert render("azure", report) == (
        "##vso[task.logissue type=error;sourcepath=a.py;linenumber=1;columnnumber=21;code=SSOT001;]"
        f"{LEGACY}\n"
        "##vso[task.logissue type=warning;sourcepath=pkg/b.py;linenumber=1;columnnumber=1;code=SSOT101;]"
        "50%AZP25; of callers]%0Astill\n"
        "##vso[task.logissue type=error;sourcepath=pkg/b.py;linenumber=10;columnnumber=6;code=SSOT001;]"
        f"{LEGACY}\n"
    )


# The shape of reviewdog's DiagnosticResult (proto/rdf/jsonschema/DiagnosticResult.json),
# with the fields ssot always fills made required.
POSITION = {
    "type": "object", "required": ["line", "column"],
    "properties": {"line": {"type": "integer", "minimum": 1}, "column": {"type": "integer", "minimum": 1}},
}
RANGE = {"type": "object", "required": ["start", "end"], "properties": {"start": POSITION, "end": POSITION}}
SEVERITY = {"enum": ["UNKNOWN_SEVERITY", 0, "ERROR", 1, "WARNING", 2, "INFO", 3]}
RDJSON_SCHEMA = {
    "type": "object",
    "required": ["source", "diagnostics"],
    "properties": {
        "source": {
            "type": "object", "required": ["name"],
            "properties": {"name": {"type": "string"}, "url": {"type": "string"}},
        },
        "severity": SEVERITY,
        "diagnostics": {"type": "array", "items": {
            "type": "object",
            "required": ["message", "location", "severity", "code"],
            "properties": {
                "message": {"type": "string"},
                "location": {
                    "type": "object", "required": ["path", "range"],
                    "properties": {"path": {"type": "string"}, "range": RANGE},
                },
                "severity": SEVERITY,
                "code": {
                    "type": "object", "required": ["value", "url"],
                    "properties": {"value": {"type": "string"}, "url": {"type": "string"}},
                },
                "suggestions": {"type": "array", "items": {
                    "type": "object", "required": ["range", "text"],
                    "properties": {"range": RANGE, "text": {"type": "string"}},
                }},
            },
        }},
    },
}


def test_rdjson_validates_and_counts_columns_in_utf8_bytes(report):
    document = json.loads(render("rdjson", report))
    jsonschema.validate(document, RDJSON_SCHEMA)
    first, warning, second = document["diagnostics"]
    # 'import' starts at character 21 but byte 24: the emoji is four bytes
    byte_range = {"start": {"line": 1, "column": 24}, "end": {"line": 1, "column": 38}}
    assert first == {
        "message": LEGACY,
        "location": {"path": "a.py", "range": byte_range},
        "severity": "ERROR",
        "code": {"value": "SSOT001", "url": URL},
        "suggestions": [{"range": byte_range, "text": "app.ws.canonical_imports"}],
    }
    assert warning["severity"] == "WARNING" and "suggestions" not in warning
    assert second["location"] == {
        "path": "pkg/b.py", "range": {"start": {"line": 10, "column": 6}, "end": {"line": 10, "column": 20}},
    }
    assert document["source"] == {"name": "ssot", "url": "https://pypi.org/project/flake8-ssot/"}


def test_rdjson_of_a_clean_run_is_an_empty_result(tmp_path):
    document = json.loads(render("rdjson", Report([FileResult(str(tmp_path / "a.py"))], str(tmp_path))))
    jsonschema.validate(document, RDJSON_SCHEMA)
    assert document["diagnostics"] == []


def test_the_command_line_offers_them_and_grouped_ends_with_the_summary(tmp_path):
    write(tmp_path, {"pyproject.toml": APP_LEGACY_POLICY, "src/app/a.py": FIRST})
    grouped = ssot("check", "--no-cache", "--output-format", "grouped", cwd=tmp_path)
    assert grouped.returncode == 1, grouped.stderr
    assert grouped.stdout == (
        f"src/app/a.py:\n  1:21 SSOT001 {LEGACY}\n\n"
        "Found 1 error.\nNo fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n"
    )
    pylint = ssot("check", "--no-cache", "--output-format", "pylint", cwd=tmp_path)
    assert (pylint.returncode, pylint.stdout) == (1, f"src/app/a.py:1: [SSOT001] {LEGACY}\n")
    rdjson = ssot("check", "--no-cache", "--output-format", "rdjson", cwd=tmp_path)
    document = json.loads(rdjson.stdout)
    jsonschema.validate(document, RDJSON_SCHEMA)
    assert document["diagnostics"][0]["location"]["range"]["start"] == {"line": 1, "column": 24}
    azure = ssot("check", "--no-cache", "--output-format", "azure", cwd=tmp_path)
    assert azure.stdout == (
        "##vso[task.logissue type=error;sourcepath=src/app/a.py;linenumber=1;columnnumber=21;code=SSOT001;]"
        f"{LEGACY}\n"
    )


@pytest.mark.parametrize(
    "output_format", ["sarif", "github", "gitlab", "junit", "json-lines", "pylint", "azure", "rdjson"]
)
def test_statistics_refuse_a_format_they_cannot_be_printed_in(tmp_path, output_format):
    write(tmp_path, {"pyproject.toml": APP_LEGACY_POLICY, "src/app/a.py": FIRST})
    done = ssot("check", "--no-cache", "--statistics", "--output-format", output_format, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"error: --statistics prints a table or JSON, not {output_format}: "
        "use it with --output-format full, concise, grouped or json\n"
    )


def test_statistics_in_grouped_print_the_table(tmp_path):
    write(tmp_path, {"pyproject.toml": APP_LEGACY_POLICY, "src/app/a.py": FIRST})
    grouped = ssot("check", "--no-cache", "--statistics", "--output-format", "grouped", cwd=tmp_path)
    assert grouped.stdout == ssot("check", "--no-cache", "--statistics", cwd=tmp_path).stdout
    assert grouped.stdout.startswith("Violations by code:\n  1  SSOT001  legacy-import\n")
