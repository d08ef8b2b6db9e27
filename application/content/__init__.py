"""Content: creators' series and episodes, their moderation, and the published catalogue."""
