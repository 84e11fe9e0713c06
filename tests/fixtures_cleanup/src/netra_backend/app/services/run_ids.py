"""Run ids for contexts built before the factory gave every context its own."""

import uuid


def new_run_id() -> str:
    return f"run_{uuid.uuid4().hex}"
