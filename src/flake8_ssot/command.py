"""The `ssot` executable: a repeated `ssot check` whose inputs have not changed is answered
by replaying its output (replay.py) before the checker is even imported; everything else
runs the command line (cli).

When the command returns, the process ends at once (`os._exit`, after flushing the standard
streams) instead of tearing the interpreter down: freeing a run's objects one by one (a run
after one edit on a 24,000-file tree holds a few hundred thousand) costs 50-100 ms and
changes nothing the user sees. Every file the command writes is closed by then (`with`
blocks, files.write_atomic), its worker processes are joined, and nothing registers an exit
handler. An exception still propagates (its traceback, its status), as does `sys.exit`. For
the same reason the cyclic collector is not turned on again after a check (cli.main's
`ending`): its first collection would scan every object the run made."""

from __future__ import annotations

import os
import sys


def main() -> int:
    from flake8_ssot.replay import replayed

    code = replayed(sys.argv[1:], _import_checker)
    if code is None:
        from flake8_ssot.cli import main as run

        code = run(ending=True)
    return _end(code)


def _import_checker() -> None:
    """The command will run (the replay's stats found a change): its imports, 60-70 ms on a
    large tree's run, go while the stat processes finish."""
    try:
        import flake8_ssot.cli  # noqa: F401
    except Exception:  # the command's own import reports it
        pass


def _end(code: int) -> int:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away: nothing more to say, as the command line does
        from flake8_ssot.replay import stop_output

        stop_output()
        code = code or 1
    except (OSError, ValueError):  # a stream closed or full: let the interpreter's exit deal with it
        return code
    os._exit(code)
