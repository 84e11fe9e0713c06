"""Each function imports the class itself; the factory joins the import the call sees."""


def check_user_isolation():
    from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context

    first = create_defensive_user_execution_context(user_id="user_a", websocket_client_id="thread_a")
    second = create_defensive_user_execution_context(user_id="user_b", websocket_client_id="thread_b")
    return first is not second and first.user_id != second.user_id


def check_factory_imported_beside():
    from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context

    first = create_defensive_user_execution_context(user_id="user_c")
    second = create_defensive_user_execution_context(user_id="user_d", websocket_client_id="thread_d")
    return first is not second
