"""The audit log on MongoDB."""
