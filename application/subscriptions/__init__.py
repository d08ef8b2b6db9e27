"""Subscriptions: set by admins, read by their holders, checked by the catalogue and playback."""
