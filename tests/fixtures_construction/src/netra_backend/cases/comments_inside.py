from netra_backend.app.services.user_execution_context import UserExecutionContext


def build(uid, tid, run):
    context = UserExecutionContext(  # one per request
        user_id=uid,  # who asked
        # the socket's thread doubles as the client id
        thread_id=tid,
        run_id=run,  # the factory makes its own
    )
    return context
