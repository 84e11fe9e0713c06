# `import ... as x` of a module that moved under the same name.
# fix: safe
import netra_backend.app.websocket_core.utils as ws_utils
