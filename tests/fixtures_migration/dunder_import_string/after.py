# __import__ with fromlist: the module string is rewritten, the rest of the call kept.
# fix: safe
helpers = __import__("netra_backend.app.websocket_core.utils", fromlist=["format_ws_message"])
