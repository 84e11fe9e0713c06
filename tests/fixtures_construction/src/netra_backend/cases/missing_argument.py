from netra_backend.app.agents.run_context import AgentRunContext


def triage(context):
    return AgentRunContext(context, agent_name=None or "triage", timeout=5.0) if context else AgentRunContext(user_context=context)
