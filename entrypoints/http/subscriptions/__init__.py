"""HTTP routes of the subscriptions context."""
