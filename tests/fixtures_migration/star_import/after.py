# Nothing proves canonical_imports exports every name the file uses: unsafe.
# fix: unsafe
from netra_backend.app.websocket_core.canonical_imports import *
