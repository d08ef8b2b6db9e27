"""Subscriptions (with their history of changes) and watch progress on MongoDB."""
