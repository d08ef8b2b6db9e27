"""Errors of the subscriptions context."""

from domain.shared.errors import InvalidInputError, NotFoundError


class SubscriptionNotFoundError(NotFoundError):
    code = "subscription_not_found"
    default_message = "This user has no subscription."


class InvalidSubscriptionError(InvalidInputError):
    code = "invalid_subscription"
    default_message = "The subscription is not valid."
