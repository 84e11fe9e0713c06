"""Imported by the canonical module at import time: importing it back from there is a cycle."""
from app.ws.compat import ConnectionRegistry

HANDLER_NAMES = ("connect", "disconnect")


def new_registry():
    return ConnectionRegistry()
