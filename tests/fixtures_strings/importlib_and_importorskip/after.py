# importlib, __import__ and pytest.importorskip name modules: what follows the prefix is kept.
# fix: mixed
import importlib

import pytest

utils = importlib.import_module("netra_backend.app.websocket_core.utils")  # SSOT001
helpers = __import__("netra_backend.app.websocket_core.utils", fromlist=["format_ws_message"])  # SSOT001
factory = importlib.import_module("netra_backend.app.websocket_core.canonical_imports")  # SSOT001
pytest.importorskip("netra_backend.app.websocket_core.utils")  # SSOT004
