"""Audit: who did what, to which resource, when."""
