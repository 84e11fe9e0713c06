"""Generates short titles for new chat threads."""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from netra_backend.app.services import UserContextManager
from netra_backend.app.services.user_execution_context import UserExecutionContext


class LLMClient(Protocol):
    async def complete(self, prompt: str, *, user_id: str) -> str: ...


class ThreadTitleGenerator:
    def __init__(self, llm_client: LLMClient, contexts: UserContextManager) -> None:
        self.llm_client = llm_client
        self.contexts = contexts

    async def generate(self, user_id: str, thread_id: str, first_message: str) -> str:
        context = UserExecutionContext(
            user_id=user_id,
            thread_id=thread_id,
            run_id=f"title_{uuid.uuid4()}",
        )
        prompt = f"Give this conversation a five-word title: {first_message[:500]}"
        title = await self.llm_client.complete(prompt, user_id=context.user_id)
        return title.strip().strip('"')[:80]

    async def regenerate(self, user_id: str, thread_id: str, messages: list[dict[str, Any]]) -> str:
        context = self.contexts.get_or_create(user_id, thread_id)
        recent = "\n".join(message["content"] for message in messages[-5:])
        return await self.llm_client.complete(f"Retitle: {recent}", user_id=context.user_id)
