"""The `ssot` executable: a repeated `ssot check` whose inputs have not changed is answered
by replaying its output (replay.py) before the checker is even imported; everything else
runs the command line (cli)."""

from __future__ import annotations

import sys


def main() -> int:
    from flake8_ssot.replay import replayed

    code = replayed(sys.argv[1:])
    if code is not None:
        return code
    from flake8_ssot.cli import main as run

    return run()
