from netra_backend.app.agents.run_context import AgentRunContext, create_agent_run_context


def triage(context):
    return create_agent_run_context(user_context=context, agent_name=None or "triage", timeout=5.0) if context else AgentRunContext(user_context=context)
