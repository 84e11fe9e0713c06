# canonical_imports is a plain module: there is no canonical_imports.helpers to point at.
# fix: none
from netra_backend.app.websocket_core.factory.helpers import build_factory
