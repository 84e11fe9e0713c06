import netra_backend.app.services.user_execution_context as uec


async def handle(user_id: str, thread_id: str, payload: dict) -> object:
    context = uec.UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id=payload["run_id"])
    return context
