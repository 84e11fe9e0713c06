"""Netra backend application."""
