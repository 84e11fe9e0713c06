"""Runs the fixture's modules and prints what they build: the same before and after `--fix`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "src"))

from netra_backend.app.agents import (  # noqa: E402
    aliased_annotated,
    aliased_context,
    aliased_in_function,
    aliased_one_statement,
    aliased_run_ids,
    annotated_agent,
    data_helper_agent,
    execution_engine,
    exported_context,
    mixed_safety,
    module_alias,
    module_alias_kept,
    replay_registry,
    retry_agent,
    retry_registry,
    run_scheduler,
    supervisor_agent,
    tool_dispatcher,
    triage_agent,
    typed_context,
)
from netra_backend.app.routes import chat  # noqa: E402
from netra_backend.app.services.user_execution_context import BUILT  # noqa: E402
from netra_backend.app.websocket_core import connection, event_handlers  # noqa: E402

agent = supervisor_agent.SupervisorAgent("u1")
agent.start("t1")
agent.child("t2", "req-2")
agent.retry("t3")
tool_dispatcher.dispatch("u2", "t4")
execution_engine.engine_contexts("u3", "t5")
print(annotated_agent.describe(annotated_agent.two_contexts("u4")[1]))
exported_context.build_pair("u5", "t6")
mixed_safety.safe_context("u6", "t7")
mixed_safety.fresh_run("u6", "t8")
print(chat.is_context(event_handlers.on_connect("u7", "c1")), chat.is_context(connection.open_connection("u8", "c2")))
event_handlers.on_reconnect("u7", "c1")
scheduled = run_scheduler.schedule("u9", "t9")
run_scheduler.resume(run_scheduler.reschedule(scheduled))
triage_agent.triage_context("u10", "t10")
triage_agent.replay_context("u10", "t11")
print(len(triage_agent.triage_request_id()), typed_context.typed_context("u11", "t12").thread_id)
data_helper_agent.data_context("u12", "t13")
print(chat.chat_run_id().startswith("run_"))
print(sorted(exported_context.__all__), sorted(tool_dispatcher.MANAGER.contexts))
aliased_context.agent_context("u13", "t14")
aliased_context.handler_context("u13", "t15")
aliased_one_statement.primary_context("u14", "t16")
aliased_one_statement.retry_context("u14", "t17")
aliased_in_function.pipeline_context("u15", "t18")
aliased_in_function.legacy_context("u15", "t19")
print(aliased_annotated.annotated_context("u16", "t20").thread_id, aliased_annotated.run_context("u16", "t21").user_id)
module_alias.websocket_context("u17", "t22")
module_alias.agent_context("u17", "t23")
module_alias_kept.register("u18", "t24")
print(module_alias_kept.fallback("u18").request_id, sorted(module_alias_kept.MANAGER.contexts))
retry_agent.retry_context("u19", "t25")
print(sorted(retry_registry.MANAGER.contexts), retry_registry.retry("u20", "t26").user_id)
aliased_run_ids.agent_context("u21", "t27")
aliased_run_ids.handler_context("u21", "t28")
print(replay_registry.replay_context("u22", "t29").thread_id, sorted(replay_registry.contexts.contexts))
for built in BUILT:
    print(built)
