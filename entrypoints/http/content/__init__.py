"""The micro-drama catalogue over HTTP: creators' series and episodes, moderation, content."""
