"""The per-request user context. Only `create_defensive_user_execution_context` may build one:
it validates the ids and gives every context its own run id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

# Every context built, as (user_id, thread_id, request_id): what the runtime test compares
# before and after the fix.
BUILT: list[tuple[str, str, str | None]] = []


@dataclass(frozen=True)
class UserExecutionContext:
    user_id: str
    thread_id: str
    run_id: str = ""
    request_id: str | None = None
    db_session: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        BUILT.append((self.user_id, self.thread_id, self.request_id))


def new_run_id() -> str:
    """A run id for callers that made their own, before the factory gave every context one."""
    return f"run_{uuid.uuid4().hex}"


def create_defensive_user_execution_context(
    user_id: str,
    websocket_client_id: str | None = None,
    *,
    request_id: str | None = None,
    db_session: object = None,
) -> UserExecutionContext:
    if not user_id:
        raise ValueError("user_id is required")
    thread_id = websocket_client_id or f"thread_{user_id}"
    return UserExecutionContext(user_id, thread_id, f"run_{uuid.uuid4()}", request_id, db_session)


class UserContextManager:
    """The per-user registry of live contexts."""

    def __init__(self) -> None:
        self.contexts: dict[str, UserExecutionContext] = {}

    def register(self, context: UserExecutionContext) -> UserExecutionContext:
        self.contexts[context.user_id] = context
        return context
