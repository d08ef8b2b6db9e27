"""Operational use cases: readiness."""
