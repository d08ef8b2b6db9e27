"""Studio Bridge use cases and the ports they declare (async, framework-free)."""
