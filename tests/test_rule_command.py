"""`ssot rule`: `--all` and `--output-format json`, read from the rules' docstrings."""

from __future__ import annotations

import json

from projects import ssot

from flake8_ssot.rules.docs import builtin_docs, rule_url


def test_all_prints_what_no_code_prints(tmp_path):
    everything = ssot("rule", "--all", cwd=tmp_path)
    assert everything.returncode == 0, everything.stderr
    assert everything.stdout == ssot("rule", cwd=tmp_path).stdout
    assert everything.stdout == "\n".join(doc.markdown() for doc in builtin_docs())


def test_json_for_one_rule_has_ruff_field_names_and_the_docstring(tmp_path):
    done = ssot("rule", "SSOT002", "--output-format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    doc = next(doc for doc in builtin_docs() if doc.code == "SSOT002")
    assert json.loads(done.stdout) == {
        "code": "SSOT002",
        "name": "direct-construction",
        "summary": doc.summary,
        "explanation": doc.body + "\n",
        "url": rule_url("SSOT002"),
    }
    assert json.loads(done.stdout)["explanation"].startswith("## What it does\n")


def test_json_for_all_rules_is_an_array_in_rule_order(tmp_path):
    done = ssot("rule", "--all", "--output-format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rules = json.loads(done.stdout)
    assert [rule["code"] for rule in rules] == [doc.code for doc in builtin_docs()]
    assert rules[0]["name"] == "legacy-import" and rules[-1]["name"] == "pattern-rules"
    assert json.loads(ssot("rule", "--output-format", "json", cwd=tmp_path).stdout) == rules


def test_a_code_and_all_together_is_a_usage_error(tmp_path):
    done = ssot("rule", "SSOT001", "--all", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "error: give a CODE or --all, not both (got 'SSOT001' and --all)\n"


def test_json_for_an_unknown_rule_is_still_a_usage_error(tmp_path):
    done = ssot("rule", "SSOT009", "--output-format", "json", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("error: unknown rule 'SSOT009'; the rules are SSOT001, ")
