"""Media use cases and ports."""
