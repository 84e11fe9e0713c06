from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context


def build(uid, tid, run):
    context = create_defensive_user_execution_context(  # one per request
        user_id=uid,  # who asked
        # the socket's thread doubles as the client id
        websocket_client_id=tid,
        # the factory makes its own
    )
    return context
