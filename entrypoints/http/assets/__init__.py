"""The ``/assets`` routes."""
