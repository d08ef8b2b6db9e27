"""Property-based tests: random sequences of operations checked against a small model."""
