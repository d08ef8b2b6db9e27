"""One suite, every persistence adapter: the proof that the adapters agree."""
