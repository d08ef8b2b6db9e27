"""Content: the micro-drama catalogue of series and their episodes, and its moderation."""
