"""What the project indexes of one run share (checking.runner.RunIndexes): the summaries one
worker built, read by the others instead of parsing the module again, and the stats of the
module files, taken once per run. Both must give the answers the index gives alone."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from flake8_ssot.checking.runner import RunIndexes, Task, run_tasks
from flake8_ssot.config import load_config
from flake8_ssot.index import Dependency, ProjectIndex, index_for

from projects import write

POLICY = """\
[tool.ssot]
src = ["src"]
[tool.ssot.legacy]
"app.ws.factory" = "app.ws.manager"
[tool.ssot.factories]
"app.models.context.UserExecutionContext" = { use = "app.models.context.create_context" }
"""

FILES = {
    "pyproject.toml": POLICY,
    "src/app/__init__.py": "",
    "src/app/ws/__init__.py": "",
    "src/app/ws/manager.py": "class WebSocketManager:\n    pass\n",
    "src/app/ws/factory.py": "from app.ws.manager import WebSocketManager\n",
    "src/app/models/__init__.py": "",
    "src/app/models/context.py": (
        "class UserExecutionContext:\n    def __init__(self, user_id):\n        self.user_id = user_id\n\n\n"
        "def create_context(user_id):\n    return UserExecutionContext(user_id)\n"),
    "src/app/context.py": "from app.models.context import UserExecutionContext\n\nContext = UserExecutionContext\n",
}


def _dependency(path: str) -> Dependency:
    status = os.stat(path)
    return Dependency(path, status.st_mtime_ns, status.st_size)


def test_a_summary_one_worker_wrote_is_read_by_another_until_the_file_changes(tmp_path):
    root = write(tmp_path, FILES)
    config = load_config(str(root / "pyproject.toml"))
    module = str(root / "src/app/context.py")
    writer = ProjectIndex([str(root / "src")])
    with RunIndexes([config], processes=True, stable=True) as shared:
        directory = shared.directory
        assert directory is not None and os.path.isdir(directory)
        summary = writer.summary("app.context")  # parsed here: nothing shared yet
        shared.write(module, _dependency(module), summary)
        assert shared.read(module, _dependency(module)) == summary
        # The other worker's index (index_for) takes it from the run's directory, not the file.
        reader = index_for(config.src)
        assert shared.read in reader.stored and shared.write in reader.published
        # The files that mention a name, found by one worker, are the only ones another reads.
        assert reader.shared_mentions == (shared.read_mentions, shared.write_mentions)
        assert shared.read_mentions("Context") is None
        found = reader._mentioning("Context")
        assert module in found.files
        assert shared.read_mentions("Context") == found.files
        Path(module).write_text("from app.models.context import UserExecutionContext as Context\n")
        assert shared.read(module, _dependency(module)) is None  # changed since: parsed again
    assert not os.path.exists(directory)
    assert shared.read not in reader.stored and shared.write not in reader.published
    assert reader.run_stats is None and reader.shared_mentions is None


def test_a_run_with_workers_reports_what_one_process_reports(tmp_path):
    files = dict(FILES)
    for n in range(80):  # enough files for worker processes (runner.MIN_FILES_FOR_PROCESSES)
        files[f"src/app/tests/test_{n}.py"] = (
            "from app.context import Context\nfrom app.ws.factory import WebSocketManager\n\n\n"
            f"def test_{n}():\n    return Context({n}), WebSocketManager()\n")
    root = write(tmp_path, files)
    config = load_config(str(root / "pyproject.toml"))
    paths = sorted(str(path) for path in (root / "src").rglob("*.py"))
    tasks = [Task(path, 0) for path in paths]

    def found(jobs: int) -> list:
        results = run_tasks(tasks, [config], jobs)
        return [json.dumps([(d.code, d.span.line, d.message) for d in result.diagnostics]) for result in results]

    alone, together = found(1), found(2)
    assert alone == together
    assert sum("SSOT002" in row for row in together) == 80  # through the renamed re-export
    assert index_for(config.src).run_stats is None  # a run's stats are not kept after it


# --------------------------------------------------------------------------- renamed classes

RENAMES = {
    "src/app/__init__.py": "",
    "src/app/models/__init__.py": "",
    "src/app/models/context.py": "class UserExecutionContext:\n    pass\n\n\nclass Other:\n    pass\n",
    # every spelling of a binding that renames (the index follows each)
    "src/app/a.py": "from app.models.context import UserExecutionContext as Context\n",
    "src/app/b.py": "from app.models import context\n\nB = context.UserExecutionContext\n",
    "src/app/c.py": "from app.models.context import (  # the class\n    UserExecutionContext  # it\n    as C,\n)\n",
    "src/app/d.py": "import app.models.context\n\nD = (\n    app.models.context.\n    UserExecutionContext\n)\n",
    "src/app/e.py": "from app.models.context import UserExecutionContext\n\nE1 = E2 = UserExecutionContext\nE3: type = UserExecutionContext\n",
    "src/app/f.py": "from app.models.context import \\\n    UserExecutionContext \\\n    as F\n",
    "src/app/g.py": "from app.models import context as ctx\nG = ctx.\\\n    UserExecutionContext\n",
    # renames of renames, a star import that carries a renamed name on
    "src/app/h.py": "from app.a import Context as H\n",
    "src/app/i.py": "from app.h import *\n",
    "src/app/j.py": "from .i import H as J\n",
    "src/app/k.py": "import app.j as jj\n\nK = jj.J\n",
    # names that are not the class: a call builds one, an annotation names it
    "src/app/l.py": (
        "from app.models.context import Other, UserExecutionContext\n\nL = UserExecutionContext()\n"
        "M: UserExecutionContext = None\nOtherName = Other\n\n\ndef build(x=UserExecutionContext):\n    return x\n"),
    "src/app/broken.py": "from app.a import Context as Broken\ndef (:\n",
}


def test_the_names_a_class_can_have_are_every_name_that_resolves_to_it(tmp_path):
    from flake8_ssot.index import module_of
    from flake8_ssot.index.aliases import renamed_aliases

    root = write(tmp_path, RENAMES)
    index = ProjectIndex([str(root / "src")])
    found = renamed_aliases(index, {"UserExecutionContext"})
    resolving = set()
    for file in index._python_files():
        module = module_of(file, index.roots)
        summary = index.summary(module)
        for name, _, _ in summary.bindings if summary else ():
            if index.resolve(f"{module}.{name}") == ("app.models.context.UserExecutionContext", "definition"):
                resolving.add(name)
    assert resolving == {"UserExecutionContext", "Context", "B", "C", "D", "E1", "E2", "E3", "F", "G", "H", "J", "K"}
    assert resolving <= found  # complete: the filter never hides a call
    assert found - resolving <= {"x"}  # and narrow (a default value is not a module-level binding)


def _renaming_project(tmp_path) -> Path:
    files = dict(RENAMES)
    names = ["Context", "B", "C", "D", "E1", "E3", "F", "G", "H", "H", "J", "K"]
    modules = ["a", "b", "c", "d", "e", "e", "f", "g", "h", "i", "j", "k"]
    for n in range(70):  # a run over at least checking.renamed.MIN_FILES files computes the names
        name, module = names[n % len(names)], modules[n % len(names)]
        files[f"src/app/tests/test_{n}.py"] = (
            f"from app.{module} import {name}\nfrom app.l import OtherName, build\n"
            "from app.models.context import UserExecutionContext\n"  # what makes it a candidate
            "from app.n import New\n\n\n"
            f"def test_{n}():\n    return {name}(), OtherName(), build(), New(), UserExecutionContext()\n")
    files["src/app/n.py"] = "from app.models.context import Other\n\nNew = Other\n"
    files["pyproject.toml"] = POLICY.replace('"app.models.context.create_context"', '"app.models.context.Other"')
    return write(tmp_path, files)


def _aged(root: Path) -> float:
    """Every file of the tree made 100 s old, older than the cache's racy window (later runs
    trust their stat); the time they were set to."""
    past = time.time() - 100
    for path in root.rglob("*"):
        os.utime(path, (past, past))
    return past


def _constructions(result) -> list:
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    return sorted((row["filename"].rpartition("src")[2], row["location"]["row"], row["message"])
                  for row in rows if row["code"] == "SSOT002")


def test_a_check_with_the_renamed_names_finds_what_resolving_every_call_finds_and_the_cache_stays_right(tmp_path):
    from projects import ssot

    root = _renaming_project(tmp_path)
    past = _aged(root)
    options = ["--output-format", "json", "--exit-zero"]
    cold = _constructions(ssot("check", "src", "--no-cache", *options, cwd=root))
    # 70 files: each builds the class directly and through a renamed re-export; l.py builds it
    assert len(cold) == 2 * 70 + 1
    one_process = _constructions(ssot("check", "src", "--no-cache", "--jobs", "1", *options, cwd=root))
    assert one_process == cold
    assert _constructions(ssot("check", "src", *options, cwd=root)) == cold  # fills the cache
    kept = json.loads(next((root / ".ssot_cache").rglob("*.json")).read_text())
    assert set(kept["renamed"]) >= {"UserExecutionContext", "Context", "H", "J", "K"}
    assert "New" not in kept["renamed"]
    # One changed file now renames the class as a name 70 cached files call: a run that checks
    # only that file must not trust what the cache says of them.
    (root / "src/app/n.py").write_text("from app.models.context import UserExecutionContext\n\nNew = UserExecutionContext\n")
    os.utime(root / "src/app/n.py", (past + 50, past + 50))
    warm = ssot("check", "src", "--verbose", *options, cwd=root)
    assert "(0 from the cache)" in warm.stderr  # every entry was computed without 'New'
    warm = _constructions(warm)
    assert len(warm) == 3 * 70 + 1
    assert warm == _constructions(ssot("check", "src", "--no-cache", *options, cwd=root))
    kept = json.loads(next((root / ".ssot_cache").rglob("*.json")).read_text())
    assert "New" in kept["renamed"]


CALLER = ("from app.{module} import {name}\n"
          "from app.models.context import UserExecutionContext  # what makes it a candidate\n\n\n"
          "def build_{n}(n):\n    return {name}(n), UserExecutionContext\n")


def test_a_small_run_with_the_kept_names_reads_the_files_changed_outside_it(tmp_path):
    """pre-commit names one file; another file, outside the run, changed since the cache was
    written and now renames the class: the run reads it (the cache had not seen it so), finds
    the new name and computes the names again, instead of trusting the kept ones."""
    from projects import ssot

    root = _renaming_project(tmp_path)
    (root / "src/app/caller.py").write_text(CALLER.format(module="h", name="H", n=1))
    _aged(root)
    options = ["--output-format", "json", "--exit-zero"]
    cold = _constructions(ssot("check", "src", "--no-cache", *options, cwd=root))
    assert ("/app/caller.py", 6) in [(name, row) for name, row, _ in cold]
    assert _constructions(ssot("check", "src", *options, cwd=root)) == cold  # fills the cache
    (root / "src/app/h.py").write_text((root / "src/app/h.py").read_text() + "Renamed = H\n")
    (root / "src/app/caller.py").write_text(CALLER.format(module="h", name="Renamed", n=2))
    small = _constructions(ssot("check", "src/app/caller.py", *options, cwd=root))
    assert [(name, row) for name, row, _ in small] == [("/app/caller.py", 6)]
    assert small == _constructions(ssot("check", "src/app/caller.py", "--no-cache", *options, cwd=root))


QUIET = "from app.{module} import {name}\n\n\ndef build_{n}(n):\n    return {name}(n)\n"


def test_a_file_that_spells_no_policy_word_but_a_renamed_name_is_checked(tmp_path):
    """`from app.h import H; H(n)` builds the class and spells no word of the policy, which is
    all the prefilter looks for: with the renamed names, such a file is checked too, with the
    cache and without."""
    from projects import ssot

    root = _renaming_project(tmp_path)
    (root / "src/app/quiet.py").write_text(QUIET.format(module="h", name="H", n=1))
    _aged(root)
    options = ["--output-format", "json", "--exit-zero"]
    cold = _constructions(ssot("check", "src", "--no-cache", *options, cwd=root))
    assert ("/app/quiet.py", 5) in [(name, row) for name, row, _ in cold]
    assert _constructions(ssot("check", "src", *options, cwd=root)) == cold  # fills the cache
    assert _constructions(ssot("check", "src", *options, cwd=root)) == cold  # from the cache


def test_a_fix_run_that_meets_a_new_renamed_name_keeps_the_names_it_computed_and_trusts_no_entry(tmp_path):
    """A file written since the check renames the class again (`New`): the fix run sees that the
    kept names no longer hold, computes them (with `New`), and keeps them with its entries; the
    check after it answers as a check without a cache."""
    from projects import ssot

    root = _renaming_project(tmp_path)
    past = _aged(root)
    options = ["--output-format", "json", "--exit-zero"]
    assert len(_constructions(ssot("check", "src", *options, cwd=root))) == 2 * 70 + 1  # fills the cache
    (root / "src/app/n.py").write_text("from app.models.context import UserExecutionContext\n\nNew = UserExecutionContext\n")
    os.utime(root / "src/app/n.py", (past + 50, past + 50))
    ssot("check", "src", "--fix", *options, cwd=root)
    kept = json.loads(next((root / ".ssot_cache").rglob("*.json")).read_text())
    assert "New" in kept["renamed"]
    assert _constructions(ssot("check", "src", *options, cwd=root)) == _constructions(
        ssot("check", "src", "--no-cache", *options, cwd=root))


def test_work_split_between_two_processes_answers_as_one_process(monkeypatch):
    from flake8_ssot.checking import runner

    items = [f"module_{number}" for number in range(50)]
    work = lambda part: sorted(item.upper() for item in part if item.endswith(("3", "7")))  # noqa: E731
    alone = runner.in_two_processes(work, items, jobs=1, least=10)
    split = runner.in_two_processes(work, items, jobs=2, least=10)
    assert len(alone) == 1 and len(split) == (2 if sys.platform.startswith("linux") else 1)
    assert sorted(set().union(*split)) == alone[0]
    parent = os.getpid()

    def failing(part):  # the forked half fails: this process does it as well
        if os.getpid() != parent:
            raise RuntimeError("a worker that died")
        return work(part)

    assert sorted(set().union(*runner.in_two_processes(failing, items, jobs=2, least=10))) == alone[0]
