"""Implementations of the application's ports; every third-party library lives here or above."""
