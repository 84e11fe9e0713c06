"""SSOT base classes and helpers for tests."""
