"""Development tooling for the repository (not shipped)."""
