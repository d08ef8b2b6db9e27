"""``/auth``: register, sign in, refresh, sign out, who am I, change password."""

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from application.identity.authenticate import GetCurrentUser, GetCurrentUserHandler
from application.identity.login import Login, LoginHandler
from application.identity.password import ChangePassword, ChangePasswordHandler
from application.identity.refresh import Logout, LogoutHandler, Refresh, RefreshHandler
from application.identity.register import Register, RegisterHandler
from application.shared.ports import Clock
from application.subscriptions.manage import GetSubscription, GetSubscriptionHandler
from domain.identity.access import Actor
from entrypoints.http.auth import current_actor
from entrypoints.http.envelope import Data
from entrypoints.http.identity.schemas import (
    LoginIn,
    PasswordIn,
    RefreshIn,
    RegisterIn,
    SessionOut,
    UserOut,
)
from entrypoints.http.subscriptions.schemas import SubscriptionOut


class MeOut(UserOut, kw_only=True):
    """The signed-in user, with their subscription as it counts now (null when none)."""

    subscription: SubscriptionOut | None


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post("/register", status_code=201)
    async def register(
        self,
        data: JSONBody[RegisterIn],
        register: NamedDependency[RegisterHandler],
        clock: NamedDependency[Clock],
    ) -> Response[Data[SessionOut]]:
        """Create an account (viewer unless the studio allows artists) and sign it in."""
        signed_in = await register(
            Register(
                studio=data.studio,
                email=data.email,
                password=data.password,
                name=data.name,
                role=data.role,
            )
        )
        body = Data(data=SessionOut.of(signed_in, now=clock.now()))
        return Response(body, status_code=201, headers={"Location": "/auth/me"})

    @post("/login", status_code=200)
    async def login(
        self,
        data: JSONBody[LoginIn],
        login: NamedDependency[LoginHandler],
        clock: NamedDependency[Clock],
    ) -> Data[SessionOut]:
        """Trade an email and password for an access token and a refresh token."""
        signed_in = await login(Login(studio=data.studio, email=data.email, password=data.password))
        return Data(data=SessionOut.of(signed_in, now=clock.now()))

    @post("/refresh", status_code=200)
    async def refresh(
        self,
        data: JSONBody[RefreshIn],
        refresh: NamedDependency[RefreshHandler],
        clock: NamedDependency[Clock],
    ) -> Data[SessionOut]:
        """Trade a refresh token for new tokens. Each refresh token works once."""
        signed_in = await refresh(Refresh(data.refresh_token))
        return Data(data=SessionOut.of(signed_in, now=clock.now()))

    @post("/logout", status_code=204)
    async def logout(
        self, data: JSONBody[RefreshIn], logout: NamedDependency[LogoutHandler]
    ) -> None:
        """End the session of a refresh token (answers 204 whether or not it was live)."""
        await logout(Logout(data.refresh_token))

    @get("/me", dependencies={"actor": Provide(current_actor)})
    async def me(
        self,
        actor: NamedDependency[Actor],
        get_current_user: NamedDependency[GetCurrentUserHandler],
        get_subscription: NamedDependency[GetSubscriptionHandler],
    ) -> Data[MeOut]:
        """The signed-in user, and their subscription (``null`` when they never had one)."""
        user = UserOut.of(await get_current_user(GetCurrentUser(actor=actor)))
        subscription = await get_subscription(GetSubscription(actor=actor))
        return Data(
            data=MeOut(
                **{name: getattr(user, name) for name in UserOut.__struct_fields__},
                subscription=SubscriptionOut.of_optional(subscription),
            )
        )

    @post("/password", status_code=200, dependencies={"actor": Provide(current_actor)})
    async def change_password(
        self,
        data: JSONBody[PasswordIn],
        actor: NamedDependency[Actor],
        change_password: NamedDependency[ChangePasswordHandler],
        clock: NamedDependency[Clock],
    ) -> Data[SessionOut]:
        """Change one's password: every session ends; the answer carries a fresh one."""
        signed_in = await change_password(
            ChangePassword(
                actor=actor,
                current_password=data.current_password,
                new_password=data.new_password,
            )
        )
        return Data(data=SessionOut.of(signed_in, now=clock.now()))
