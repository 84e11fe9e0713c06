"""Validates the five mission-critical WebSocket events before they are sent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

REQUIRED_EVENTS = ("agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed")


@dataclass(frozen=True)
class ValidationResult:
    ok: bool
    reason: str = ""


def validate_event(event: dict[str, Any], expected_user_id: str) -> ValidationResult:
    event_type = event.get("type")
    if event_type not in REQUIRED_EVENTS and event_type not in {"pong", "error"}:
        return ValidationResult(False, f"unknown event type {event_type!r}")
    if event.get("user_id", expected_user_id) != expected_user_id:
        return ValidationResult(False, "event addressed to another user")
    return ValidationResult(True)


def missing_events(sent: list[dict[str, Any]]) -> list[str]:
    seen = {event.get("type") for event in sent}
    return [name for name in REQUIRED_EVENTS if name not in seen]
