"""Studio Bridge domain: entities, value objects, policies and errors (standard library only)."""
