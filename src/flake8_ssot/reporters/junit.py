"""`junit`: one test case per checked file; a file with violations fails with all of them
listed in its failure, a file that could not be checked is an error."""

from __future__ import annotations

from xml.etree import ElementTree

from flake8_ssot.reporters import Report


def render(report: Report) -> str:
    suites = ElementTree.Element("testsuites", name="ssot")
    suite = ElementTree.SubElement(suites, "testsuite", name="ssot")
    tests = failures = errors = 0
    for result in report.results:
        tests += 1
        path = report.display_path(result.path)
        case = ElementTree.SubElement(suite, "testcase", name=path, classname="ssot", file=path)
        if result.error is not None:
            errors += 1
            element = ElementTree.SubElement(case, "error", message=result.error, type="unreadable")
            element.text = f"{path}: {result.error}"
            continue
        failing = [d for d in result.diagnostics if d.severity != "warning"]
        warnings = [d for d in result.diagnostics if d.severity == "warning"]
        if failing:
            failures += 1
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
    suite.set("skipped", "0")
    ElementTree.indent(suites)
    body = ElementTree.tostring(suites, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _line(path: str, diagnostic) -> str:
    warning = " [warning]" if diagnostic.severity == "warning" else ""
    return f"{path}:{diagnostic.line}:{diagnostic.column + 1}: {diagnostic.code}{warning} {diagnostic.message}\n"
