"""Helpers for identity tests over the in-process client: sign in, seed studios and users."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from dependency_injector import providers
from litestar.testing import TestClient

from adapters.system.clock import SystemClock
from application.identity.studios import CreatedStudio, CreateStudio
from domain.identity.model import Role, StudioSettings
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

Client = TestClient[Any]

# A password that passes the policy (12+ characters, not on the common list).
STAFF_PASSWORD = "lantern-quill-orchard-42"


def on_app_loop[T](client: Client, work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` on the app's own event loop (the store is bound to it)."""
    return client.blocking_portal.call(work)


def container(client: Client) -> Any:
    return client.app.state.container


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def unique_email(label: str = "user") -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}@example.com"


def error_of(response: Any, status: int, code: str) -> dict[str, Any]:
    """Assert the error contract with ``status`` and ``code``; return the error object."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert (error["status"], error["code"]) == (status, code), error
    assert isinstance(error["message"], str)
    assert error["message"]
    assert error["correlationId"] == response.headers["x-request-id"]
    return error


def sign_in(
    client: Client, email: str, password: str, *, studio: str | None = None
) -> dict[str, Any]:
    """POST /auth/login, expecting success; the session (``data``) of the answer."""
    body: dict[str, str] = {"email": email, "password": password}
    if studio is not None:
        body["studio"] = studio
    response = client.post("/auth/login", json=body)
    assert response.status_code == 200, response.text
    session: dict[str, Any] = response.json()["data"]
    return session


def sign_in_admin(client: Client) -> dict[str, Any]:
    """The demo studio's admin (seeded on every fresh test store)."""
    return sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)


def add_user(
    client: Client,
    admin_token: str,
    role: Role | str,
    *,
    email: str | None = None,
    password: str = STAFF_PASSWORD,
) -> dict[str, Any]:
    """POST /users as an admin; the created user (``data``)."""
    response = client.post(
        "/users",
        json={
            "email": email or unique_email(str(role)),
            "name": f"A {role}",
            "role": str(role),
            "password": password,
        },
        headers=bearer(admin_token),
    )
    assert response.status_code == 201, response.text
    user: dict[str, Any] = response.json()["data"]
    return user


def signed_in_as(
    client: Client, admin_token: str, role: Role, *, studio: str | None = None
) -> dict[str, Any]:
    """A new user of ``role`` in the admin's studio (slug ``studio``), signed in: their session."""
    user = add_user(client, admin_token, role)
    return sign_in(client, user["email"], STAFF_PASSWORD, studio=studio)


def seed_studio(
    client: Client,
    slug: str,
    *,
    admin_email: str,
    admin_password: str = STAFF_PASSWORD,
    self_signup_roles: frozenset[Role] = frozenset({Role.VIEWER}),
) -> CreatedStudio:
    """A second studio with its own admin, made through the container (as the CLI does)."""
    service = container(client)

    async def create() -> CreatedStudio:
        created: CreatedStudio = await service.create_studio()(
            CreateStudio(
                slug=slug, name=slug.title(), admin_email=admin_email, admin_password=admin_password
            )
        )
        if self_signup_roles == created.studio.settings.self_signup_roles:
            return created
        studio = replace(
            created.studio, settings=StudioSettings(self_signup_roles=self_signup_roles)
        )
        async with service.persistence().unit_of_work() as uow:
            saved = await uow.studios.save(studio, expected_revision=created.studio.revision)
            await uow.commit()
        return replace(created, studio=saved)

    return on_app_loop(client, create)


class ManualClock:
    """A clock that stands still until a test moves it (starts at the real time)."""

    def __init__(self) -> None:
        self._now = SystemClock().now()

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)


def use_clock(client: Client, clock: ManualClock) -> ManualClock:
    """From now on the app reads the time from ``clock``."""
    container(client).clock.override(providers.Object(clock))
    return clock
