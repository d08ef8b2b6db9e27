"""``/admin/users/{userId}/subscription``: a user's subscription and its history (admins).

``POST`` with no body (or ``{}``) toggles active/canceled as the micro-drama API does; with
``{status, plan?, currentPeriodEnd?}`` it sets that state. Each change is recorded in the
subscription's history and the audit log. Another studio's user is 404 ``user_not_found``.
"""

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from application.subscriptions.manage import (
    GetSubscription,
    GetSubscriptionHandler,
    ListSubscriptionHistory,
    ListSubscriptionHistoryHandler,
    SetSubscription,
    SetSubscriptionHandler,
)
from domain.identity.access import Actor
from domain.shared.paging import DEFAULT_LIMIT, CursorCodec, PageWindow
from entrypoints.http.auth import current_actor
from entrypoints.http.envelope import Data
from entrypoints.http.listing import LimitParam, ListOf, PageParam, list_of
from entrypoints.http.subscriptions.schemas import (
    SubscriptionChangeOut,
    SubscriptionIn,
    SubscriptionOut,
)


class SubscriptionsController(Controller):
    path = "/admin/users"
    tags = ["subscriptions"]
    dependencies = {"actor": Provide(current_actor)}

    @post("/{user_id:str}/subscription", status_code=200)
    async def set_subscription(
        self,
        user_id: FromPath[str],
        actor: NamedDependency[Actor],
        set_subscription: NamedDependency[SetSubscriptionHandler],
        data: JSONBody[SubscriptionIn | None] = None,
    ) -> Data[SubscriptionOut]:
        """Toggle the user's subscription (no body, or ``{}``): active becomes canceled;
        none, canceled or expired becomes active for 30 days. Or set ``{status, plan?,
        currentPeriodEnd?}`` exactly."""
        explicit = None if data is None else data.explicit()
        state = await set_subscription(
            SetSubscription(actor=actor, user_id=user_id, explicit=explicit)
        )
        return Data(data=SubscriptionOut.of(state))

    @get("/{user_id:str}/subscription")
    async def get_subscription(
        self,
        user_id: FromPath[str],
        actor: NamedDependency[Actor],
        get_subscription: NamedDependency[GetSubscriptionHandler],
    ) -> Data[SubscriptionOut | None]:
        """The user's subscription as it counts now; ``null`` when they never had one."""
        state = await get_subscription(GetSubscription(actor=actor, user_id=user_id))
        return Data(data=SubscriptionOut.of_optional(state))

    @get("/{user_id:str}/subscription/history")
    async def list_subscription_history(
        self,
        user_id: FromPath[str],
        actor: NamedDependency[Actor],
        list_subscription_history: NamedDependency[ListSubscriptionHistoryHandler],
        cursor_codec: NamedDependency[CursorCodec],
        page: PageParam = 1,
        limit: LimitParam = DEFAULT_LIMIT,
    ) -> ListOf[SubscriptionChangeOut]:
        """Every change to the user's subscription, newest first: who, when, from, to."""
        history = await list_subscription_history(
            ListSubscriptionHistory(actor=actor, user_id=user_id, window=PageWindow(page, limit))
        )
        items = [SubscriptionChangeOut.of(change) for change in history.items]
        return list_of(history, items, codec=cursor_codec, query="subscription-history")
