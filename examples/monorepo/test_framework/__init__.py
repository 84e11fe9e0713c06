"""Shared SSOT test framework."""
