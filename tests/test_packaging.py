"""Ready to publish and to run in CI: the sdist and the wheel build, pass `twine check` and
install into a fresh environment; `.pre-commit-hooks.yaml` works through `pre-commit
try-repo`; Hypothesis runs derandomized in CI so a failure can be replayed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import hypothesis_profile
from projects import APP_LEGACY_POLICY, write

ROOT = Path(__file__).resolve().parent.parent


def _run(*command: str | Path, cwd: Path, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout
    )
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


# --------------------------------------------------------------------------- Hypothesis in CI


def test_hypothesis_profile_is_chosen_by_the_environment():
    assert hypothesis_profile({}) == "dev"
    assert hypothesis_profile({"CI": "true"}) == "ci"
    assert hypothesis_profile({"CI": "true", "HYPOTHESIS_PROFILE": "dev"}) == "dev"
    assert hypothesis_profile({"HYPOTHESIS_PROFILE": "ci"}) == "ci"


# What the suite's conftest.py sets up, then one property test's examples.
PROBE = """
import conftest  # noqa: F401  (loads the profile, as pytest does before any test)
from hypothesis import given, settings, strategies as st

seen = []

@given(st.text())
def record(text):
    seen.append(text)

record()
print(settings.get_current_profile_name() + repr(seen))
"""


def test_the_ci_profile_generates_the_same_examples_every_run(tmp_path):
    for name in ("conftest.py", "projects.py"):
        shutil.copy(ROOT / "tests" / name, tmp_path / name)
    base = {key: value for key, value in os.environ.items() if key not in ("CI", "HYPOTHESIS_PROFILE")}
    ci_first, ci_second, dev_first, dev_second = (
        _run(sys.executable, "-c", PROBE, cwd=tmp_path, env=env).stdout
        for env in ({**base, "CI": "true"}, {**base, "CI": "true"}, base, base)
    )
    assert ci_first.startswith("ci[") and dev_first.startswith("dev[")
    assert ci_first == ci_second  # derandomized: a CI failure replays anywhere
    assert dev_first != dev_second  # random outside CI, so searches keep finding new cases


def test_ci_runs_the_suite_under_the_ci_profile():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"\n' in script


# --------------------------------------------------------------------------- the release


def _working_tree(destination: Path) -> Path:
    """The files a commit of the working tree would hold (tracked and new, not ignored)."""
    listed = _run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).stdout
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def _git_env(home: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    return {
        **env, "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.com",
    }


def _violating_project(root: Path) -> Path:
    return write(root, {
        "pyproject.toml": APP_LEGACY_POLICY,
        "src/app/jobs.py": "from app.ws.factory import build\n",
        "src/app/clean.py": "import os\n",
    })


LEGACY_LINE = "src/app/jobs.py:1:1: SSOT001 legacy import 'app.ws.factory': use 'app.ws.canonical_imports'\n"


class PreCommitRun:
    """`pre-commit try-repo` on a commit of the working tree, in a project of its own: pre-commit
    installs the package from that commit as it would from a user's `repo:` entry. The first
    run spends most of its time installing; it starts before the build so the two overlap."""

    def __init__(self, root: Path):
        self.env = {**_git_env(root), "PRE_COMMIT_HOME": str(root / "cache")}
        for name in ("PYTHONPATH", "VIRTUAL_ENV"):
            self.env.pop(name, None)
        self.repository = _working_tree(root / "repository")
        for command in (("git", "init", "-q"), ("git", "add", "-A"), ("git", "commit", "-q", "-m", "working tree")):
            _run(*command, cwd=self.repository, env=self.env)
        self.project = _violating_project(root / "project")
        for command in (("git", "init", "-q"), ("git", "add", "-A")):
            _run(*command, cwd=self.project, env=self.env)
        self.command = (sys.executable, "-m", "pre_commit", "try-repo", str(self.repository), "ssot", "--all-files")
        self.first = subprocess.Popen(
            self.command, cwd=self.project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=self.env
        )

    def first_run(self) -> tuple[int, str]:
        output, _ = self.first.communicate(timeout=900)
        return self.first.returncode, output

    def run_again(self) -> subprocess.CompletedProcess:
        _run("git", "add", "-A", cwd=self.project, env=self.env)
        return subprocess.run(
            self.command, cwd=self.project, capture_output=True, text=True, env=self.env, timeout=600
        )


@pytest.fixture(scope="module")
def pre_commit(tmp_path_factory):
    run = PreCommitRun(tmp_path_factory.mktemp("pre-commit"))
    yield run
    if run.first.poll() is None:
        run.first.kill()
        run.first.communicate()


@pytest.fixture(scope="module")
def distributions(tmp_path_factory, pre_commit) -> list[Path]:
    """`python -m build` on a copy of the working tree (a build writes into its source). It
    builds the sdist, then the wheel from the sdist: a wheel that works proves the sdist."""
    source = _working_tree(tmp_path_factory.mktemp("source"))
    dist = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--outdir", dist, cwd=source)
    return sorted(dist.iterdir())


@pytest.mark.slow
def test_build_gives_an_sdist_and_a_wheel_that_pass_twine_check(distributions):
    assert [path.name for path in distributions] == ["flake8_ssot-0.1.0-py3-none-any.whl", "flake8_ssot-0.1.0.tar.gz"]
    wheel_path, sdist_path = distributions
    done = _run(sys.executable, "-m", "twine", "check", "--strict", *distributions, cwd=wheel_path.parent)
    assert done.stdout.count("PASSED") == 2, done.stdout
    wheel = zipfile.ZipFile(wheel_path)
    modules = {name for name in wheel.namelist() if name.endswith(".py")}
    assert {"flake8_ssot/reporters/rdjson.py", "flake8_ssot/rules/legacy_import.py"} <= modules
    with tarfile.open(sdist_path) as sdist:
        shipped = {name.partition("/src/")[2] for name in sdist.getnames() if "/src/" in name}
    assert modules <= shipped, modules - shipped
    entry_points = wheel.read("flake8_ssot-0.1.0.dist-info/entry_points.txt").decode()
    assert "ssot = flake8_ssot.command:main" in entry_points
    assert "SSO = flake8_ssot.flake8_plugin:SsotChecker" in entry_points


@pytest.mark.slow
def test_the_wheel_installs_and_runs_in_a_fresh_environment(distributions, tmp_path):
    wheel = distributions[0]
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    bin_dir = environment / ("Scripts" if os.name == "nt" else "bin")
    project = _violating_project(tmp_path / "project")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    _run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path, env=env)
    where = _run(bin_dir / "python", "-c", "import flake8_ssot; print(flake8_ssot.__file__)", cwd=tmp_path, env=env)
    assert Path(where.stdout.strip()).is_relative_to(environment), where.stdout
    check = subprocess.run(
        [str(bin_dir / "ssot"), "check", "--no-cache", "--output-format", "concise"],
        cwd=project, capture_output=True, text=True, env=env, timeout=120,
    )
    assert (check.returncode, check.stdout.splitlines(keepends=True)[0]) == (1, LEGACY_LINE), check.stderr
    plugin = subprocess.run(
        [str(bin_dir / "flake8"), "--select", "SSO", "src"],
        cwd=project, capture_output=True, text=True, env=env, timeout=120,
    )
    assert plugin.returncode == 1 and "src/app/jobs.py:1:1: SSOT001 " in plugin.stdout, plugin.stdout + plugin.stderr
    rule = _run(bin_dir / "ssot", "rule", "SSOT001", cwd=tmp_path, env=env)  # the docstrings ship
    assert rule.stdout.startswith("# SSOT001 legacy-import\n")


@pytest.mark.slow
def test_pre_commit_runs_the_hook_this_repository_offers(pre_commit):
    returncode, output = pre_commit.first_run()
    assert returncode == 1, output
    assert "ssot" in output and "Failed" in output and LEGACY_LINE in output, output
    (pre_commit.project / "src" / "app" / "jobs.py").write_text(
        "from app.ws.canonical_imports import build\n", encoding="utf-8"
    )
    passed = pre_commit.run_again()
    assert passed.returncode == 0 and "Passed" in passed.stdout, passed.stdout + passed.stderr


# --------------------------------------------------------------------------- the pre-commit snippet


def test_the_versions_a_release_tags_agree():
    from flake8_ssot import __version__

    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["version"] == __version__


def test_the_pre_commit_snippet_names_a_rev_that_exists():
    """A tag of this repository, or a commit of it whose hooks file offers the hooks used."""
    ci = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    (rev,) = re.findall(r"^    rev: (\S+)", ci, re.M)
    used = re.findall(r"^\s+- id: (\S+)$", ci, re.M)
    git = ("git", "-C", str(ROOT))
    if subprocess.run([*git, "rev-parse", "-q", "--verify", f"refs/tags/{rev}"], capture_output=True).returncode == 0:
        return
    assert re.fullmatch(r"[0-9a-f]{40}", rev), f"rev: {rev} is neither a tag of this repository nor a full commit id"
    found = subprocess.run([*git, "cat-file", "-e", f"{rev}^{{commit}}"], capture_output=True)
    if found.returncode != 0:
        shallow = _run(*git, "rev-parse", "--is-shallow-repository", cwd=ROOT).stdout.strip() == "true"
        if shallow:
            pytest.skip(f"a shallow clone cannot tell whether {rev} exists")
        pytest.fail(f"rev: {rev} is not a commit of this repository")
    hooks = _run(*git, "show", f"{rev}:.pre-commit-hooks.yaml", cwd=ROOT).stdout
    offered = re.findall(r"^- id: (\S+)$", hooks, re.M)
    assert used and set(used) <= set(offered), (used, offered)


# --------------------------------------------------------------------------- the editor page

EDITORS = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", EDITORS, re.M | re.S)


def test_the_editor_settings_parse():
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    settings = [json.loads(block) for block in _blocks("json")]
    assert {"glspc.server.command", "flake8.importStrategy", "editor.codeActionsOnSave"} <= {
        key for block in settings for key in block
    }
    (helix,) = [tomllib.loads(block) for block in _blocks("toml")]
    assert helix["language-server"]["ssot"] == {"command": "ssot", "args": ["server"]}
    versions = [re.match(r"-- Neovim (\d+)\.(\d+)\+\n", block) for block in _blocks("lua")]
    assert [m.groups() for m in versions if m] == [("0", "10"), ("0", "8"), ("0", "7")]


def _nvim_version() -> tuple[int, int] | None:
    if shutil.which("nvim") is None:
        return None
    first = subprocess.run(["nvim", "--version"], capture_output=True, text=True, timeout=30).stdout.split("\n")[0]
    found = re.match(r"NVIM v(\d+)\.(\d+)", first)
    return (int(found.group(1)), int(found.group(2))) if found else None


NVIM_PROBE = """
vim.cmd("edit src/app/jobs.py")
local buf = vim.api.nvim_get_current_buf()
vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 100)
for _, d in ipairs(vim.diagnostic.get(buf)) do
  io.stdout:write(string.format("%d:%d %s %s\\n", d.lnum + 1, d.col + 1, tostring(d.code), d.message))
end
vim.cmd("qall!")
"""


@pytest.mark.slow
@pytest.mark.parametrize("minimum", [(0, 10), (0, 8), (0, 7)], ids=["nvim-0.10", "nvim-0.8", "nvim-0.7"])
def test_the_neovim_snippet_starts_the_server_and_shows_diagnostics(minimum, tmp_path):
    """Each `-- Neovim X.Y+` snippet, run by the Neovim installed here when it is recent enough
    (Debian 12 has 0.7): `nvim --headless` opens a file with a violation and waits."""
    version = _nvim_version()
    if version is None or version < minimum:
        pytest.skip(f"needs Neovim {minimum[0]}.{minimum[1]} or later, found {version}")
    (snippet,) = [block for block in _blocks("lua") if block.startswith(f"-- Neovim {minimum[0]}.{minimum[1]}+\n")]
    (tmp_path / "init.lua").write_text(snippet, encoding="utf-8")
    (tmp_path / "probe.lua").write_text(NVIM_PROBE, encoding="utf-8")
    project = _violating_project(tmp_path / "project")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "data")}
    done = subprocess.run(
        ["nvim", "--headless", "--clean", "-u", str(tmp_path / "init.lua"), "-c", f"luafile {tmp_path / 'probe.lua'}"],
        cwd=project, capture_output=True, text=True, env=env, timeout=120,
    )
    shown = done.stdout + done.stderr
    assert "1:1 SSOT001 legacy import 'app.ws.factory': use 'app.ws.canonical_imports'" in shown, shown
