"""Composition root and delivery mechanisms: settings, container, HTTP app, CLI."""
