"""Ports and helpers shared by every use case."""
