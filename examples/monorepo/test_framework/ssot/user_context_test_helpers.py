"""User context helpers for tests (#1128 step 2).

The SSOT registry allows ``test_framework/**`` to build ``UserExecutionContext`` directly,
so tests can craft contexts the defensive factory would refuse.
"""

from __future__ import annotations

import uuid
from typing import Any

from netra_backend.app.services.user_execution_context import UserExecutionContext


def make_user_context(user_id: str | None = None, **overrides: Any) -> UserExecutionContext:
    return UserExecutionContext(
        user_id=user_id or f"user_{uuid.uuid4().hex[:8]}",
        thread_id=overrides.pop("thread_id", f"thread_{uuid.uuid4().hex[:8]}"),
        run_id=overrides.pop("run_id", f"run_{uuid.uuid4().hex[:8]}"),
        **overrides,
    )


def make_context_sharing_thread(other: UserExecutionContext, user_id: str) -> UserExecutionContext:
    """Deliberately shares another user's thread, for isolation tests."""
    return make_user_context(user_id, thread_id=other.thread_id)
