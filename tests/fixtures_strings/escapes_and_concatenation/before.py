# Strings the source does not spell literally are reported, never rewritten.
# fix: none
SPLIT = ("netra_backend.app.websocket_core"
         ".factory")  # SSOT004
ESCAPED = "netra_backend\x2eapp.websocket_core.factory"  # SSOT004
