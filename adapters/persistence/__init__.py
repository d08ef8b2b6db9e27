"""Persistence adapters: the ``Persistence`` port on SQLite (embedded default) and MongoDB."""
