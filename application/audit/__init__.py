"""Audit use cases and ports."""
