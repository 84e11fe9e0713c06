# importlib, __import__ and pytest.importorskip name modules: what follows the prefix is kept.
# fix: mixed
import importlib

import pytest

utils = importlib.import_module("netra_backend.app.websocket_core.compat.utils")  # SSOT001
helpers = __import__("netra_backend.app.websocket_core.compat.utils", fromlist=["format_ws_message"])  # SSOT001
factory = importlib.import_module("netra_backend.app.websocket_core.factory")  # SSOT001
pytest.importorskip("netra_backend.app.websocket_core.compat.utils")  # SSOT004
