"""Old event routing."""
import warnings


def route(event: str) -> str:
    warnings.warn(f"route() is deprecated, use netra.ws.events_v2.EventRouter instead ({event})", DeprecationWarning)
    return event
