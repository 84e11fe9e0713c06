"""Checking a tree: discovery, reading and decoding files, the worker pool, the per-file and
run-level caches, and the fix loop. It calls the engine; it decides no rule.
"""
