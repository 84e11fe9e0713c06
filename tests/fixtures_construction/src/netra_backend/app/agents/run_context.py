"""What an agent run knows about its caller."""


class AgentRunContext:
    def __init__(self, user_context, agent_name, retries=0, timeout=30.0):
        self.user_context = user_context
        self.agent_name = agent_name
        self.retries = retries
        self.timeout = timeout


def create_agent_run_context(user_context, agent_name, timeout=30.0):
    return AgentRunContext(user_context, agent_name, 0, timeout)
