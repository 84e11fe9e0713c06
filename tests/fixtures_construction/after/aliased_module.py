import netra_backend.app.services.user_execution_context as uec


async def handle(user_id: str, thread_id: str, payload: dict) -> object:
    context = uec.create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id)
    return context
