"""Reporters in-process: position conventions on non-ASCII lines, escaping, fingerprints,
and rule documentation rendered from the rule docstrings."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from projects import APP_LEGACY_POLICY
from sarif_schema import assert_valid_sarif

from flake8_ssot.checking.runner import FileResult
from flake8_ssot.config import load_config
from flake8_ssot.diagnostic import Diagnostic, Edit, Fix
from flake8_ssot.engine import check_source
from flake8_ssot.reporters import Report, render
from flake8_ssot.reporters.github import escape_data, escape_property
from flake8_ssot.reporters.statistics import render_text, statistics
from flake8_ssot.reporters.text import display_width, snippet
from flake8_ssot.rules import RULES, docs
from flake8_ssot.span import Span

# An astral emoji is one character, two UTF-16 code units and four UTF-8 bytes.
SOURCE = 'label = "🚀 prêt"; import app.ws.factory\n\tvalue = 1; from app.ws.factory import build\n'


@pytest.fixture
def checked(tmp_path):
    (tmp_path / "pyproject.toml").write_text(APP_LEGACY_POLICY, encoding="utf-8")
    path = tmp_path / "src" / "app" / "jobs" / "runner, v2.py"
    path.parent.mkdir(parents=True)
    path.write_text(SOURCE, encoding="utf-8")
    config = load_config(str(tmp_path / "pyproject.toml"))
    result = check_source(SOURCE, str(path), config)
    file_result = FileResult(str(path), tuple(result.diagnostics))
    report = Report([file_result], str(tmp_path), lambda p: SOURCE.splitlines(), [config])
    return report, file_result


def test_engine_spans_count_characters(checked):
    _, result = checked
    first, second = result.diagnostics
    assert first.span == Span(1, len('label = "🚀 prêt"; import '), 1, len('label = "🚀 prêt"; import app.ws.factory'))
    assert first.span.column == 25  # not 28 (UTF-8 bytes) nor 26 (UTF-16 units)
    assert second.span.line == 2 and second.span.column == 12


def test_concise_and_full_use_one_based_character_columns_and_aligned_carets(checked):
    report, _ = checked
    assert render("concise", report) == (
        "src/app/jobs/runner, v2.py:1:26: SSOT001 legacy import 'app.ws.factory': use 'app.ws.canonical_imports'\n"
        "src/app/jobs/runner, v2.py:2:13: SSOT001 legacy import 'app.ws.factory': use 'app.ws.canonical_imports'\n"
    )
    full = render("full", report)
    # the emoji is two columns wide on a terminal; the caret row keeps the tab of line 2
    assert (
        '1 | label = "🚀 prêt"; import app.ws.factory\n'
        "  |                           ^^^^^^^^^^^^^^ SSOT001\n"
        "2 | \tvalue = 1; from app.ws.factory import build\n"
    ) in full
    assert "  | \t           " + "^" * len("from app.ws.factory import build") + " SSOT001\n" in full


def test_caret_of_a_span_over_several_lines_runs_to_the_end_of_the_first():
    lines = ["from app.ws.factory import (", "    build,", ")"]
    diagnostic = Diagnostic("SSOT001", "legacy import", Span(1, 0, 3, 1))
    assert snippet(lines, diagnostic) == [
        "  |",
        "1 | from app.ws.factory import (",
        "  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ SSOT001",
        "2 |     build,",
        "  |",
    ]
    assert display_width("見出し") == 6 and display_width("é") == 1 and display_width("e\u0301") == 1


def test_json_and_sarif_columns_on_the_emoji_line(checked):
    report, _ = checked
    (first, second) = json.loads(render("json", report))
    assert first["location"] == {"row": 1, "column": 26} and first["end_location"] == {"row": 1, "column": 40}
    assert second["location"] == {"row": 2, "column": 13}
    document = json.loads(render("sarif", report))
    assert_valid_sarif(document)
    run = document["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 1, "startColumn": 26, "endLine": 1, "endColumn": 40}
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "src/app/jobs/runner,%20v2.py"  # a URI reference: the space percent-encoded


def test_json_serialises_fixes_with_character_columns(tmp_path):
    fix = Fix((Edit(Span(1, 25, 1, 39), "app.ws.canonical_imports"),), "unsafe", "use the canonical module")
    diagnostic = Diagnostic("SSOT001", "legacy import", Span(1, 25, 1, 39), subject="app.ws.factory", fix=fix)
    report = Report([FileResult(str(tmp_path / "a.py"), (diagnostic,))], str(tmp_path))
    (item,) = json.loads(render("json", report))
    assert item["fix"] == {
        "applicability": "unsafe",
        "message": "use the canonical module",
        "edits": [{
            "content": "app.ws.canonical_imports",
            "location": {"row": 1, "column": 26},
            "end_location": {"row": 1, "column": 40},
        }],
    }
    assert item["subject"] == "app.ws.factory" and item["canonical"] is None


def test_github_escapes_properties_and_data(checked):
    report, _ = checked
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    first = render("github", report).splitlines()[0]
    assert first == (
        "::error file=src/app/jobs/runner%2C v2.py,line=1,col=26,endLine=1,endColumn=40,title=SSOT001::"
        "legacy import 'app.ws.factory': use 'app.ws.canonical_imports'"
    )
    multiline = Diagnostic("SSOT101", "50% of callers\nstill use it", Span(3, 0, 3, 4), severity="warning")
    other = Report([FileResult(report.results[0].path, (multiline,))], report.cwd)
    assert render("github", other).endswith("title=SSOT101::50%25 of callers%0Astill use it\n")
    assert render("github", other).startswith("::warning ")


def test_gitlab_paths_follow_ci_project_dir_and_fingerprints_ignore_lines(checked, monkeypatch, tmp_path):
    report, result = checked
    monkeypatch.setenv("CI_PROJECT_DIR", str(tmp_path / "src"))
    issues = json.loads(render("gitlab", report))
    assert [issue["location"] for issue in issues] == [
        {"path": "app/jobs/runner, v2.py", "lines": {"begin": 1, "end": 1}},
        {"path": "app/jobs/runner, v2.py", "lines": {"begin": 2, "end": 2}},
    ]
    moved = tuple(
        Diagnostic(d.code, d.message, Span(d.span.line + 10, d.span.column, d.span.end_line + 10, d.span.end_column),
                   d.subject, d.severity, d.fix, d.statement)
        for d in result.diagnostics
    )
    later = json.loads(render("gitlab", Report([FileResult(result.path, moved)], report.cwd)))
    assert [i["fingerprint"] for i in later] == [i["fingerprint"] for i in issues]
    # the same statement twice in one file: two identities, by occurrence
    twice = Report([FileResult(result.path, (result.diagnostics[0], moved[0]))], report.cwd)
    fingerprints = [i["fingerprint"] for i in json.loads(render("gitlab", twice))]
    assert len(set(fingerprints)) == 2


def test_junit_escapes_messages_and_reports_unreadable_files_as_errors(tmp_path):
    diagnostic = Diagnostic("SSOT101", "replace <Factory> & co", Span(1, 0, 1, 3))
    results = [
        FileResult(str(tmp_path / "a.py"), (diagnostic,)),
        FileResult(str(tmp_path / "b.py"), error="cannot read: Permission denied"),
    ]
    root = ElementTree.fromstring(render("junit", Report(results, str(tmp_path))))
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "1")
    failure = suite.find("testcase[@name='a.py']/failure")
    assert failure.text == "a.py:1:1: SSOT101 replace <Factory> & co\n"
    error = suite.find("testcase[@name='b.py']/error")
    assert error.get("message") == "cannot read: Permission denied"


def test_junit_has_the_attributes_of_the_common_junit_schema(tmp_path):
    """testsuites/testsuite: name, tests, failures, errors, skipped, time; testcase: classname,
    name, file, line (its first failing violation), time; failure: message and type."""
    failing = Diagnostic("SSOT001", "legacy import", Span(3, 4, 3, 9))
    warning = Diagnostic("SSOT004", "legacy reference", Span(1, 0, 1, 3), severity="warning")
    results = [FileResult(str(tmp_path / "a.py"), (warning, failing)), FileResult(str(tmp_path / "b.py"))]
    root = ElementTree.fromstring(render("junit", Report(results, str(tmp_path))))
    assert root.tag == "testsuites"
    for element in (root, root.find("testsuite")):
        assert set(element.keys()) >= {"name", "tests", "failures", "errors", "skipped", "time"}
        assert (element.get("tests"), element.get("failures"), element.get("errors"), element.get("skipped")) == (
            "2", "1", "0", "0")
        float(element.get("time"))
    first, second = root.find("testsuite").findall("testcase")
    assert set(first.keys()) >= {"classname", "name", "file", "line", "time"}
    assert (first.get("name"), first.get("file"), first.get("line")) == ("a.py", "a.py", "3")
    assert "line" not in second.keys()  # a passing file has no line to point at
    failure = first.find("failure")
    assert (failure.get("message"), failure.get("type")) == ("1 violation", "SSOT001")


def test_statistics_sort_by_count_then_name():
    diagnostics = [
        Diagnostic("SSOT002", "m", Span(1, 0, 1, 1), subject="pkg.ctx.UserExecutionContext"),
        Diagnostic("SSOT001", "m", Span(2, 0, 2, 1), subject="pkg.ws.factory"),
        Diagnostic("SSOT001", "m", Span(3, 0, 3, 1), subject="pkg.ws.factory"),
        Diagnostic("SSOT001", "m", Span(4, 0, 4, 1), subject="pkg.legacy_*"),
    ]
    assert render_text(statistics(diagnostics)) == (
        "Violations by code:\n"
        "  3  SSOT001  legacy-import\n"
        "  1  SSOT002  direct-construction\n"
        "\n"
        "Violations by legacy path or symbol:\n"
        "  2  SSOT001  pkg.ws.factory\n"
        "  1  SSOT002  pkg.ctx.UserExecutionContext\n"
        "  1  SSOT001  pkg.legacy_*\n"
    )


def test_statistics_name_a_pattern_rule_by_what_it_flags():
    """A pattern rule's subject is its own code: the listing by subject says its message, when
    every match gives the same one, and the code otherwise (messages with metavariables)."""
    diagnostics = [
        Diagnostic("SSOT101", "the factory accessor is retired", Span(1, 0, 1, 1), subject="SSOT101"),
        Diagnostic("SSOT101", "the factory accessor is retired", Span(2, 0, 2, 1), subject="SSOT101"),
        Diagnostic("SSOT102", "retired: get_a()", Span(3, 0, 3, 1), subject="SSOT102"),
        Diagnostic("SSOT102", "retired: get_b()", Span(4, 0, 4, 1), subject="SSOT102"),
    ]
    stats = statistics(diagnostics)
    assert render_text(stats).endswith(
        "Violations by legacy path or symbol:\n"
        "  2  SSOT101  the factory accessor is retired\n"
        "  2  SSOT102  SSOT102\n"
    )
    assert stats["by_subject"][0] == {
        "subject": "SSOT101", "code": "SSOT101", "count": 2, "message": "the factory accessor is retired",
    }


# --------------------------------------------------------------------------- rule documentation


@pytest.mark.parametrize("rule", RULES, ids=[rule.CODE for rule in RULES])
def test_every_rule_docstring_has_the_sections_ssot_rule_prints(rule):
    doc = docs.module_doc(rule)
    assert doc.code == rule.CODE and doc.name == rule.NAME
    assert list(doc.sections)[:4] == ["What it does", "Why is this bad?", "Example", "Use instead"]
    assert doc.markdown().startswith(f"# {rule.CODE} {rule.NAME}\n\n{doc.summary[0].upper()}")
    text = doc.text()
    assert "```" not in text and "What it does\n------------\n" in text


def test_rule_table_lists_every_rule_from_its_docstring():
    table = docs.rule_table().splitlines()
    assert table[:2] == ["| code | name | what it flags |", "|---|---|---|"]
    assert table[2] == (
        "| [SSOT001](docs/rules.md#ssot001-legacy-import) | legacy-import "
        "| an import of a legacy path, or of a canonical symbol through a re-export |"
    )
    assert [row.split("]")[0] for row in table[2:]] == [
        "| [SSOT001", "| [SSOT002", "| [SSOT003", "| [SSOT004", "| [SSOT005", "| [SSOT1xx-SSOT8xx",
    ]


def test_pattern_rules_are_documented_from_their_configuration(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[[tool.ssot.patterns]]\ncode = "SSOT101"\npattern = "get_websocket_manager_factory($$$ARGS)"\n'
        'message = "the factory accessor is retired"\nfix = "get_websocket_manager($$$ARGS)"\n',
        encoding="utf-8",
    )
    config = load_config(str(tmp_path / "pyproject.toml"))
    doc = docs.find_rule("ssot101", config)
    assert (doc.code, doc.name, doc.summary) == ("SSOT101", "pattern-ssot101", "the factory accessor is retired")
    assert doc.sections["What it does"] == (
        "Flags code matching the ast-grep pattern `get_websocket_manager_factory($$$ARGS)` "
        "(declared in `[[tool.ssot.patterns]]`)."
    )
    assert doc.sections["Use instead"] == "The fix rewrites a match to `get_websocket_manager($$$ARGS)`."
    diagnostic = Diagnostic("SSOT101", "the factory accessor is retired", Span(1, 0, 1, 5))
    sarif = json.loads(render("sarif", Report([FileResult(str(tmp_path / "a.py"), (diagnostic,))], str(tmp_path),
                                              configs=[config])))
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert rules[sarif["runs"][0]["results"][0]["ruleIndex"]]["name"] == "pattern-ssot101"


# --------------------------------------------------------------------------- hostile file names

HOSTILE_NAMES = ["a b#%.py", "new\nline.py", "bell\x07.py", "esc\x1b[31m.py", "sep\u2028.py", "caf\u00e9.py", "\udcff.py"]


def hostile_report(tmp_path, outside=False) -> Report:
    base = tmp_path.parent / "elsewhere" if outside else tmp_path
    diagnostic = Diagnostic("SSOT001", "legacy \x01 message", Span(1, 0, 1, 4), subject="pkg.old")
    results = [FileResult(str(base / name), (diagnostic,)) for name in HOSTILE_NAMES]
    results.append(FileResult(str(base / "broken\x02.py"), error="cannot read: odd \x03 reason"))
    return Report(results, str(tmp_path))


@pytest.mark.parametrize("outside", [False, True], ids=["under-the-root", "outside"])
def test_sarif_uris_are_valid_percent_encoded_uri_references(tmp_path, outside):
    document = json.loads(render("sarif", hostile_report(tmp_path, outside)))
    assert_valid_sarif(document)
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in document["runs"][0]["results"]]
    uris = [location["uri"] for location in locations]
    if outside:
        base = (tmp_path.parent / "elsewhere").as_uri()
        assert all("uriBaseId" not in location for location in locations)
        assert uris[0] == f"{base}/a%20b%23%25.py"
    else:
        assert all(location["uriBaseId"] == "%SRCROOT%" for location in locations)
        assert uris == [
            "a%20b%23%25.py", "new%0Aline.py", "bell%07.py", "esc%1B%5B31m.py", "sep%E2%80%A8.py", "caf%C3%A9.py",
            "%FF.py",
        ]
    assert all(uri.isascii() and " " not in uri for uri in uris)


def test_junit_is_well_formed_with_control_characters_in_names_and_messages(tmp_path):
    text = render("junit", hostile_report(tmp_path))
    root = ElementTree.fromstring(text.encode("utf-8", "backslashreplace"))
    names = [case.get("name") for case in root.iter("testcase")]
    assert names[2] == "bell\\x07.py" and names[6] == "\\udcff.py"
    assert names[0] == "a b#%.py" and names[1] == "new\nline.py"  # an attribute may hold a line break
    (error,) = root.iter("error")
    assert error.get("message") == "cannot read: odd \\x03 reason"
    failure = next(root.iter("failure"))
    assert failure.text.endswith("SSOT001 legacy \\x01 message\n")


@pytest.mark.parametrize("output_format", ["concise", "full", "pylint", "grouped"])
def test_line_formats_keep_one_line_per_finding_whatever_the_file_name(tmp_path, output_format):
    text = render(output_format, hostile_report(tmp_path))
    assert "new\\nline.py" in text and "\\x1b[31m" in text and "\x1b" not in text and "\u2028" not in text
    if output_format in ("concise", "pylint"):
        assert len(text.splitlines()) == len(HOSTILE_NAMES)
    assert "caf\u00e9.py" in text  # printable characters are shown as they are


_texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["", "SSOT001", 'say "hi"\\', "tab\there", "line\nbreak", "é ✓ \u2028", "\x00\x1f\x7f"])
_spans = st.builds(Span, *(st.integers(0, 10**6),) * 4)
_fixes = st.none() | st.builds(
    Fix, st.lists(st.builds(Edit, _spans, _texts), max_size=3).map(tuple), st.sampled_from(["safe", "unsafe"]), _texts)
_diagnostics = st.builds(
    Diagnostic, code=_texts, message=_texts, span=_spans, subject=_texts, severity=st.sampled_from(["error", "warning"]),
    fix=_fixes, statement=_texts, canonical=_texts)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(_texts, st.lists(_diagnostics, max_size=3)), max_size=4))
def test_json_is_written_as_json_dumps_would_indent_it(files):
    """`render_json` lays the objects out itself (the standard library's indenting encoder is
    slow): byte for byte what `json.dumps(indent=2, ensure_ascii=False)` gives."""
    from flake8_ssot.reporters.json_format import objects, render_json

    report = Report([FileResult("/project/" + path, tuple(found)) for path, found in files], "/project")
    assert render_json(report) == json.dumps(objects(report), indent=2, ensure_ascii=False) + "\n"
