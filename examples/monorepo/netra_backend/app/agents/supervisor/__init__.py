"""Supervisor agent."""
