"""Subscriptions: who may watch past the free episodes, and the one entitlement policy."""
