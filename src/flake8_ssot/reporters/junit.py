"""`junit`: one test case per checked file; a file with violations fails with all of them
listed in its failure, a file that could not be checked is an error. Characters XML 1.0 cannot
hold (control characters, lone surrogates of undecodable file names) are written as Python
escapes (`\\x01`), so the document is always well-formed.

The attributes are those of the common JUnit schema (Jenkins' junit-10.xsd, which GitLab
and Azure read): `testsuites`/`testsuite` with name, tests, failures, errors, skipped and
time; `testcase` with classname, name and time, plus `file` and, for a failing file, `line`
(its first violation), which GitLab and the JUnit report actions read; `failure`/`error`
with message and type. Times are 0:
files are not timed one by one (the cache answers for most), and the report stays the same
from run to run."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from flake8_ssot.reporters import Report

# Everything outside XML 1.0's Char production (tab, LF and CR are allowed).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    if text.isprintable():  # the common case: nothing to escape
        return text
    return _NOT_XML.sub(lambda match: repr(match.group())[1:-1], text)


def render(report: Report) -> str:
    suites = ElementTree.Element("testsuites", name="ssot")
    suite = ElementTree.SubElement(suites, "testsuite", name="ssot")
    tests = failures = errors = 0
    for result in report.results:
        tests += 1
        path = xml_text(report.display_path(result.path))
        case = ElementTree.SubElement(suite, "testcase", name=path, classname="ssot", file=path, time="0")
        if result.error is not None:
            errors += 1
            error = xml_text(result.error)
            element = ElementTree.SubElement(case, "error", message=error, type="unreadable")
            element.text = f"{path}: {error}"
            continue
        failing = [d for d in result.diagnostics if d.severity != "warning"]
        warnings = [d for d in result.diagnostics if d.severity == "warning"]
        if failing:
            failures += 1
            case.set("line", str(min(d.line for d in failing)))
            count = len(failing)
            element = ElementTree.SubElement(
                case, "failure",
                message=f"{count} violation{'s' if count != 1 else ''}",
                type=",".join(sorted({d.code for d in failing})),
            )
            element.text = "".join(_line(path, d) for d in failing)
        if warnings:
            output = ElementTree.SubElement(case, "system-out")
            output.text = "".join(_line(path, d) for d in warnings)
    for element in (suites, suite):
        element.set("tests", str(tests))
        element.set("failures", str(failures))
        element.set("errors", str(errors))
        element.set("skipped", "0")
        element.set("time", "0")
    ElementTree.indent(suites)
    body = ElementTree.tostring(suites, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _line(path: str, diagnostic) -> str:
    warning = " [warning]" if diagnostic.severity == "warning" else ""
    message = xml_text(diagnostic.message)
    return f"{path}:{diagnostic.line}:{diagnostic.column + 1}: {diagnostic.code}{warning} {message}\n"
