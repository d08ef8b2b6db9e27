"""Watching: what a viewer has watched and where to continue."""
