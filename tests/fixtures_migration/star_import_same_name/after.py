# Even a module that kept its name may not export the same names: unsafe.
# fix: unsafe
from netra_backend.app.websocket_core.utils import *
