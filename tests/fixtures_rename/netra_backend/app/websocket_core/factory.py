"""Deprecated (#1128): the factory lives in websocket_factory."""

from netra_backend.app.websocket_core.websocket_factory import *  # noqa: F403


def legacy_factory_name():
    return "factory"
