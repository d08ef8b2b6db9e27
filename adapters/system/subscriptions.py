"""Subscriptions until they are built: nobody is subscribed.

``SubscriptionCheck`` is what the catalogue asks to unlock episodes past a studio's free ones
for viewers. The subscriptions issue replaces this with a check of the viewer's subscription;
until then viewers play free episodes only (staff roles play everything, whatever this says).
"""

from datetime import datetime

from domain.shared.ids import StudioId, UserId


class NoSubscriptions:
    async def is_subscribed(self, studio_id: StudioId, user_id: UserId, *, at: datetime) -> bool:
        return False
