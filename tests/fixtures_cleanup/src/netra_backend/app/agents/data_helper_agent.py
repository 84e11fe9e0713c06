from netra_backend.app.services.run_ids import new_run_id
from netra_backend.app.services.user_execution_context import UserExecutionContext


def data_context(user_id: str, thread_id: str):
    return UserExecutionContext(user_id=user_id, thread_id=thread_id, run_id=new_run_id(), request_id="data")
