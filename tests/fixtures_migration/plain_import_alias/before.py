# `import ... as x` of a module that moved under the same name.
# fix: safe
import netra_backend.app.websocket_core.compat.utils as ws_utils
