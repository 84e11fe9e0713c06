"""WebSocket core."""
