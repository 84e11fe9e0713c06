"""A name spelled in compatibility characters still counts as an import of it in SSOT001's fix
safety (index/importers.py, checking/mentions.py).

Python reads identifiers in NFKC form: `from netra_backend.app.services.session import
ｃreate_websocket_manager` (a fullwidth c) takes `create_websocket_manager` from the session
module. Before a fix renames that imported name in the session module, the project index asks
whether another module takes it from there; a search that read text only as written did not
see this one, proved the rename safe, and the fixed tree failed at import time. The project
below is the seeds' websocket factory retirement: its own code runs before and after `--fix`
(cold, and warm from the cache after a file starts spelling the name that way).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_ssot.index import ProjectIndex
from flake8_ssot.index.importers import takes_from
from projects import ssot, write

_POLICY = """\
    [tool.ssot]
    src = ["."]

    [tool.ssot.legacy]
    "netra_backend.app.websocket_core.websocket_manager_factory.create_websocket_manager" = "netra_backend.app.websocket_core.websocket_manager.get_websocket_manager"
    """

_TREE = {
    "pyproject.toml": _POLICY,
    "netra_backend/__init__.py": "",
    "netra_backend/app/__init__.py": "",
    "netra_backend/app/websocket_core/__init__.py": "",
    "netra_backend/app/services/__init__.py": "",
    "netra_backend/app/routes/__init__.py": "",
    "netra_backend/app/websocket_core/websocket_manager.py": """\
        def get_websocket_manager(user_context, mode="unified"):
            return f"manager({user_context}, {mode})"
        """,
    "netra_backend/app/websocket_core/websocket_manager_factory.py": """\
        # Deprecated shim (#1126): use websocket_manager.get_websocket_manager.
        from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager as create_websocket_manager
        """,
    # The file the fix renames in: it imports the retired name and calls it.
    "netra_backend/app/services/session.py": """\
        from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager


        def open_session(user_id):
            return create_websocket_manager(f"user:{user_id}")
        """,
    "main.py": """\
        from netra_backend.app.routes.websocket import handle

        print(handle("u1"))
        """,
}

# The route module, taking the name from the session module in each spelling Python reads as
# `netra_backend.app.services.session.create_websocket_manager`.
_ROUTES = {
    "name": """\
        from netra_backend.app.services.session import ｃreate_websocket_manager, open_session


        def handle(user_id):
            return open_session(user_id), ｃreate_websocket_manager("admin")
        """,
    "module": """\
        from netra_backend.app.services.ｓession import create_websocket_manager, open_session


        def handle(user_id):
            return open_session(user_id), create_websocket_manager("admin")
        """,
    "attribute": """\
        import netra_backend.app.services.ｓｅｓｓｉｏｎ as session_service

        admin_manager = session_service.ｃｒｅａｔｅ_websocket_manager


        def handle(user_id):
            return session_service.open_session(user_id), admin_manager("admin")
        """,
    # A plain spelling (today's search already sees it): the answer is the same.
    "plain": """\
        from netra_backend.app.services.session import create_websocket_manager, open_session


        def handle(user_id):
            return open_session(user_id), create_websocket_manager("admin")
        """,
}

# Before the route module takes the name: it builds its manager from the canonical module.
_ROUTES_CANONICAL = """\
    from netra_backend.app.services.session import open_session
    from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager


    def handle(user_id):
        return open_session(user_id), get_websocket_manager("admin")
    """

_SESSION = "netra_backend/app/services/session.py"
_ROUTE = "netra_backend/app/routes/websocket.py"
_EXPECTED = "('manager(user:u1, unified)', 'manager(admin, unified)')\n"


def _project(root: Path, routes: str) -> Path:
    return write(root, {**_TREE, _ROUTE: routes})


def _run(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py"], cwd=project, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("spelling", sorted(_ROUTES))
def test_the_index_sees_the_route_module_take_the_name(tmp_path, spelling):
    project = _project(tmp_path, _ROUTES[spelling])
    assert _run(project).stdout == _EXPECTED  # Python reads each spelling as the plain one
    index = ProjectIndex([str(project)])
    taker = index.importer_of("netra_backend.app.services.session", "create_websocket_manager",
                              skip=str(project / _SESSION))
    assert taker == "netra_backend.app.routes.websocket"
    # the cache's question about a changed member of the name's group (checking/cache.py)
    assert takes_from(index, str(project / _ROUTE), "create_websocket_manager", "netra_backend.app.services.session")
    # and no other question is answered by it: the module it takes the name from counts
    assert index.importer_of("netra_backend.app.services.other", "create_websocket_manager") is None


def test_fix_keeps_the_name_another_module_takes_in_fullwidth_letters(tmp_path):
    project = _project(tmp_path, _ROUTES["name"])
    before = _run(project)
    assert before.returncode == 0 and before.stdout == _EXPECTED
    [finding] = json.loads(ssot("check", "--no-cache", "--output-format", "json", _SESSION, cwd=project).stdout)
    assert finding["fix"]["applicability"] == "unsafe"
    assert finding["fix"]["message"] == (
        "import from the canonical module (unsafe: keeps the alias 'create_websocket_manager': "
        "'netra_backend.app.routes.websocket' imports 'create_websocket_manager' from this module)")
    session = (project / _SESSION).read_text()
    fixed = ssot("check", "--fix", "--no-cache", _SESSION, cwd=project)
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr  # the finding stays: its fix is unsafe
    assert (project / _SESSION).read_text() == session
    after = _run(project)
    assert after.returncode == 0 and after.stdout == _EXPECTED, after.stderr


def test_a_file_that_starts_spelling_the_name_so_sends_the_cached_check_back(tmp_path):
    """The cache kept "no module takes the name" with the files holding it (a mention group); a
    changed file that now takes it in compatibility characters joins the group (KnownMentions.grow)."""
    project = _project(tmp_path, _ROUTES_CANONICAL)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    first = ssot("check", "--output-format", "json", *cache, ".", cwd=project)
    assert first.returncode == 1 and '"safe"' in first.stdout, first.stdout + first.stderr
    (project / _ROUTE).write_text(textwrap.dedent(_ROUTES["name"]), encoding="utf-8")
    assert _run(project).stdout == _EXPECTED
    [finding] = json.loads(ssot("check", "--output-format", "json", *cache, ".", cwd=project).stdout)
    assert finding["fix"]["applicability"] == "unsafe"  # the cached "safe" was not reported again
    assert "'netra_backend.app.routes.websocket' imports 'create_websocket_manager'" in finding["fix"]["message"]
    session = (project / _SESSION).read_text()
    fixed = ssot("check", "--fix", *cache, ".", cwd=project)
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr
    assert (project / _SESSION).read_text() == session
    after = _run(project)
    assert after.returncode == 0 and after.stdout == _EXPECTED, after.stderr
