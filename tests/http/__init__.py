"""http tests."""
