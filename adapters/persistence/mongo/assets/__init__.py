"""Assets, their versions and dependency edges on MongoDB."""
