"""The ``studio-bridge`` command."""
