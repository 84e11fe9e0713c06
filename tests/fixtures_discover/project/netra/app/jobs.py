from netra.ctx.user_context import create_defensive_user_execution_context


def run(user_id: str) -> str:
    return create_defensive_user_execution_context(user_id, "jobs").thread_id
