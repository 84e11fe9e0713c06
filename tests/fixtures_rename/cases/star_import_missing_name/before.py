# The legacy module defines a name of its own that the canonical module does not export.
# fix: unsafe
from netra_backend.app.websocket_core.factory import *  # noqa: F403

NAME = legacy_factory_name()
