# The policy names supervisor.agent_instance_factory: the sub-path is carried.
# fix: unsafe
from netra_backend.app.agents.supervisor.agent_instance_factory import AgentInstanceFactory
