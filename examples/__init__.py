"""Runnable examples of using Studio Bridge as a library (tested by tests/integration)."""
