"""Vocabulary shared by every bounded context."""
