"""Internal tools act as service identities (``service:<name>``, not a UUID): what they own
and what they did is stored and found like a user's, on every store."""

import pytest

from application.assets.ports import AssetQuery
from application.audit.ports import AuditQuery
from application.shared.ports import Persistence
from domain.shared.ids import UserId
from tests.support import builders as make

pytestmark = pytest.mark.anyio

SERVICE = UserId("service:asset-import")


async def test_an_asset_owned_by_a_service_round_trips_and_filters(
    persistence: Persistence,
) -> None:
    studio = make.studio()
    person = make.user(studio)
    by_tool = make.asset(person, "Imported", owner_id=SERVICE)
    by_person = make.asset(person, "Drawn")
    version = make.asset_version(by_tool, author_id=SERVICE)
    event = make.audit_event(studio, actor_id=SERVICE)
    async with persistence.unit_of_work() as uow:
        await uow.studios.add(studio)
        await uow.assets.add(by_tool)
        await uow.assets.add(by_person)
        await uow.assets.add_version(version)
        await uow.audit.record(event)
        await uow.commit()
    async with persistence.unit_of_work(read_only=True) as uow:
        assert await uow.assets.get(studio.id, by_tool.id) == by_tool
        owned = await uow.assets.list(studio.id, AssetQuery(owner_id=SERVICE))
        assert [a.id for a in owned.items] == [by_tool.id]
        assert (await uow.assets.get_version(studio.id, by_tool.id, 1)).author_id == SERVICE
        events = await uow.audit.list(studio.id, AuditQuery())
        assert [e.actor_id for e in events.items] == [SERVICE]
