# importlib.import_module of a moved module.
# fix: safe
import importlib

utils = importlib.import_module("netra_backend.app.websocket_core.compat.utils")
