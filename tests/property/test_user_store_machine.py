"""A state machine drives random user operations on every adapter against a dict model.

It checks, after every step: the adapter gives the same results as the model, a studio never
sees another's users, revisions only grow, no acknowledged write is lost, and keyset pages
neither skip nor repeat items.
"""

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from application.identity.ports import UserQuery
from application.shared.ports import Persistence, UnitOfWork
from domain.identity.errors import UserEmailTakenError, UserNotFoundError
from domain.identity.model import Role, Studio, User
from domain.shared.errors import StaleRevisionError
from domain.shared.ids import StudioId
from domain.shared.paging import Direction, KeysetWindow, Page, PageWindow, SortSpec
from tests.support import builders as make
from tests.support.persistence import ADAPTERS, open_persistence

EMAILS = ["ada@x.io", "bob@x.io", "cy@x.io", "dee@x.io", "eve@x.io"]
NAMES = ["Ada", "ada", "Bob", "Émile", "Zoe", "zoe"]
SORTS = [SortSpec(f, d) for f in ("email", "name", "createdAt") for d in Direction]

# Steps per adapter: mongoeco's wire server is the slow one (DESIGN §7).
BUDGET = {"mongo": (15, 25), "mongodb": (25, 30)}
DEFAULT_BUDGET = (40, 30)


def sort_key(user: User, sort: SortSpec) -> tuple[str | int, str]:
    if sort.field == "createdAt":
        return (int(user.created_at.timestamp() * 1000), user.id)
    return (str(getattr(user, sort.field)), user.id)


def model_order(users: list[User], sort: SortSpec, role: Role | None = None) -> list[User]:
    chosen = [u for u in users if role is None or u.role is role]
    return sorted(chosen, key=lambda u: sort_key(u, sort), reverse=sort.direction is Direction.DESC)


async def add_studio(uow: UnitOfWork, *, studio: Studio) -> None:
    await uow.studios.add(studio)


async def list_users(uow: UnitOfWork, *, studio_id: StudioId, query: UserQuery) -> Page[User]:
    return await uow.users.list(studio_id, query)


class UserStoreMachine(RuleBasedStateMachine):
    # Set by each test: opens a fresh, empty store of one adapter.
    open_store: ClassVar[Callable[[], AbstractAsyncContextManager[Persistence]]]

    users = Bundle("users")

    def __init__(self) -> None:
        super().__init__()
        self.runner = asyncio.Runner()
        self.store_context = type(self).open_store()
        self.store: Persistence = self.runner.run(self.store_context.__aenter__())
        self.studios: list[Studio] = []
        self.model: dict[str, dict[str, User]] = {}  # studio id -> user id -> user
        self.highest_revision: dict[str, int] = {}

    def teardown(self) -> None:
        try:
            self.runner.run(self.store_context.__aexit__(None, None, None))
        finally:
            self.runner.close()

    def write[T](self, step: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """Run ``step`` in a committed unit of work, on the machine's event loop."""

        async def go() -> T:
            async with self.store.unit_of_work() as uow:
                result = await step(uow)
                await uow.commit()
                return result

        return self.runner.run(go())

    def read[T](self, step: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        async def go() -> T:
            async with self.store.unit_of_work(read_only=True) as uow:
                return await step(uow)

        return self.runner.run(go())

    @initialize()
    def two_studios(self) -> None:
        for slug in ("north", "south"):
            studio = make.studio(slug)
            self.write(partial(add_studio, studio=studio))
            self.studios.append(studio)
            self.model[studio.id] = {}

    def owner(self, user: User) -> Studio:
        return next(s for s in self.studios if s.id == user.studio_id)

    def other(self, studio: Studio) -> Studio:
        return next(s for s in self.studios if s.id != studio.id)

    @rule(
        target=users,
        which=st.sampled_from([0, 1]),
        email=st.sampled_from(EMAILS),
        name=st.sampled_from(NAMES),
        role=st.sampled_from(list(Role)),
        second=st.integers(0, 3),
    )
    def create(self, which: int, email: str, name: str, role: Role, second: int) -> User | None:
        studio = self.studios[which]
        user = make.user(studio, email, name=name, role=role, created_at=make.at(second))
        taken = any(u.email == email for u in self.model[studio.id].values())
        try:
            self.write(lambda uow: uow.users.add(user))
        except UserEmailTakenError:
            assert taken
            return None
        assert not taken
        self.model[studio.id][user.id] = user
        self.highest_revision[user.id] = 1
        return user

    @rule(user=users)
    def get_in_own_and_other_studio(self, user: User | None) -> None:
        if user is None:
            return
        expected = self.model[user.studio_id].get(user.id)
        try:
            found = self.read(lambda uow: uow.users.get(user.studio_id, user.id))
        except UserNotFoundError:
            assert expected is None
        else:
            assert found == expected
        with pytest.raises(UserNotFoundError):
            self.read(lambda uow: uow.users.get(self.other(self.owner(user)).id, user.id))

    @rule(
        user=users,
        fresh=st.booleans(),
        name=st.sampled_from(NAMES),
        role=st.sampled_from(list(Role)),
        email=st.one_of(st.none(), st.sampled_from(EMAILS)),
    )
    def update(
        self, user: User | None, fresh: bool, name: str, role: Role, email: str | None
    ) -> None:
        if user is None:
            return
        current = self.model[user.studio_id].get(user.id)
        revision = current.revision if current else 1
        expected_revision = revision if fresh else revision + 1
        base = current or user
        changed = replace(
            base.changed(name=name, role=role, at=make.at(10)), email=email or base.email
        )
        try:
            saved = self.write(
                lambda uow: uow.users.save(changed, expected_revision=expected_revision)
            )
        except UserNotFoundError:
            assert current is None
        except StaleRevisionError:
            assert current is not None
            assert not fresh
        except UserEmailTakenError:
            assert current is not None
            assert fresh
            assert any(
                u.email == changed.email and u.id != user.id
                for u in self.model[user.studio_id].values()
            )
        else:
            assert current is not None
            assert fresh
            assert saved.revision == revision + 1
            self.model[user.studio_id][user.id] = saved
            self.highest_revision[user.id] = saved.revision

    @rule(user=consumes(users))
    def delete(self, user: User | None) -> None:
        if user is None:
            return
        present = user.id in self.model[user.studio_id]
        try:
            self.write(lambda uow: uow.users.delete(user.studio_id, user.id))
        except UserNotFoundError:
            assert not present
        else:
            assert present
            del self.model[user.studio_id][user.id]

    @rule(
        which=st.sampled_from([0, 1]),
        sort=st.sampled_from(SORTS),
        page=st.integers(1, 4),
        limit=st.integers(1, 4),
        role=st.one_of(st.none(), st.sampled_from([Role.ARTIST, Role.VIEWER])),
    )
    def list_page(
        self, which: int, sort: SortSpec, page: int, limit: int, role: Role | None
    ) -> None:
        studio = self.studios[which]
        query = UserQuery(role=role, sort=sort, window=PageWindow(page, limit))
        result = self.read(lambda uow: uow.users.list(studio.id, query))
        expected = model_order(list(self.model[studio.id].values()), sort, role)
        assert result.total == len(expected)
        assert list(result.items) == expected[(page - 1) * limit : page * limit]

    @rule(which=st.sampled_from([0, 1]), sort=st.sampled_from(SORTS), limit=st.integers(1, 3))
    def walk_with_cursor(self, which: int, sort: SortSpec, limit: int) -> None:
        studio = self.studios[which]
        walked: list[User] = []
        after = None
        for _ in range(50):
            query = UserQuery(sort=sort, window=KeysetWindow(after=after, limit=limit))
            result = self.read(partial(list_users, studio_id=studio.id, query=query))
            walked.extend(result.items)
            if result.next_after is None:
                break
            after = result.next_after
        assert walked == model_order(list(self.model[studio.id].values()), sort)

    @invariant()
    def nothing_lost_and_revisions_only_grow(self) -> None:
        if not self.studios:
            return
        for studio in self.studios:
            everyone = UserQuery(window=PageWindow(1, 100))
            stored = self.read(partial(list_users, studio_id=studio.id, query=everyone))
            assert {u.id: u for u in stored.items} == self.model[studio.id]
            for user in stored.items:
                assert user.studio_id == studio.id
                assert user.revision >= self.highest_revision[user.id]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ADAPTERS)
def test_user_store_behaves_like_the_model(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    examples, steps = BUDGET.get(kind, DEFAULT_BUDGET)

    class Machine(UserStoreMachine):
        open_store = staticmethod(
            lambda: open_persistence(kind, tmp_path, lambda: request.getfixturevalue("mongo_uri"))
        )

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
