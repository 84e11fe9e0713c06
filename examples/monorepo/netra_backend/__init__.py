"""Netra backend."""
