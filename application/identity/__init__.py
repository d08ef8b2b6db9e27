"""Identity use cases and ports."""
