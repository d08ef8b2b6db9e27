"""Studio Bridge test suite."""
