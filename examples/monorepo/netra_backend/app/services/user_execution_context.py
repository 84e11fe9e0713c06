"""User execution context: the unit of multi-user isolation.

``UserExecutionContext`` is built only through ``create_defensive_user_execution_context``
(or the class methods below); constructing it here, in its own module, is expected.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Mapping


class InvalidContextError(ValueError):
    """Raised when a context would leak data between users."""


@dataclass(frozen=True)
class UserExecutionContext:
    user_id: str
    thread_id: str
    run_id: str
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    websocket_client_id: str | None = None
    db_session: Any = None
    agent_context: Mapping[str, Any] = field(default_factory=dict)
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def __post_init__(self) -> None:
        for name in ("user_id", "thread_id", "run_id"):
            value = getattr(self, name)
            if not value or value in {"None", "null", "placeholder"}:
                raise InvalidContextError(f"{name} must be a real identifier, got {value!r}")

    @classmethod
    def from_request(cls, user_id: str, thread_id: str, run_id: str, **extra: Any) -> UserExecutionContext:
        return cls(user_id=user_id, thread_id=thread_id, run_id=run_id, **extra)

    def with_db_session(self, db_session: Any) -> UserExecutionContext:
        return replace(self, db_session=db_session)

    def child(self, operation: str) -> UserExecutionContext:
        return UserExecutionContext(
            user_id=self.user_id,
            thread_id=self.thread_id,
            run_id=f"{self.run_id}:{operation}",
            websocket_client_id=self.websocket_client_id,
            db_session=self.db_session,
            agent_context=dict(self.agent_context),
        )


def create_defensive_user_execution_context(
    user_id: str,
    websocket_client_id: str | None = None,
    *,
    thread_id: str | None = None,
    run_id: str | None = None,
    db_session: Any = None,
) -> UserExecutionContext:
    """The SSOT way to build a context: fills safe, unique ids for anything the caller lacks."""
    if not user_id:
        raise InvalidContextError("user_id is required")
    return UserExecutionContext(
        user_id=user_id,
        thread_id=thread_id or f"thread_{uuid.uuid4()}",
        run_id=run_id or f"run_{uuid.uuid4()}",
        websocket_client_id=websocket_client_id,
        db_session=db_session,
    )


class UserContextManager:
    """Registry of live contexts, one per (user, thread)."""

    def __init__(self) -> None:
        self._contexts: dict[tuple[str, str], UserExecutionContext] = {}
        self._lock = threading.RLock()

    def get_or_create(self, user_id: str, thread_id: str) -> UserExecutionContext:
        with self._lock:
            key = (user_id, thread_id)
            if key not in self._contexts:
                self._contexts[key] = create_defensive_user_execution_context(
                    user_id=user_id, thread_id=thread_id
                )
            return self._contexts[key]

    def release(self, user_id: str, thread_id: str) -> None:
        with self._lock:
            self._contexts.pop((user_id, thread_id), None)

    def active_users(self) -> set[str]:
        with self._lock:
            return {user_id for user_id, _ in self._contexts}


__all__ = [
    "InvalidContextError",
    "UserContextManager",
    "UserExecutionContext",
    "create_defensive_user_execution_context",
]
