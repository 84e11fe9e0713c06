"""flake8-ssot: keep a Python codebase on its single sources of truth.

The engine (`flake8_ssot.engine.check_source`) turns source, path and configuration into
diagnostics; the flake8 plugin, the `ssot` command line and the language server adapt it.
"""

__version__ = "0.1.0"
