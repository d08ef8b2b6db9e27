"""Series and their episodes (the micro-drama catalogue) on MongoDB."""
