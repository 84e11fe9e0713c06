from netra_backend.app.agents.run_context import AgentRunContext


def triage(context):
    return AgentRunContext(user_context=context, agent_name="triage", retries=3)
