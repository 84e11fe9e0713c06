from netra_backend.app.services.user_execution_context import UserExecutionContext


def from_payload(payload: dict):
    return UserExecutionContext(**payload)
