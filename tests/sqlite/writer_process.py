"""The writer of the durability test: one committed user per unit of work, each acknowledged.

Run as ``python -m tests.sqlite.writer_process DB_PATH``. After each commit returns it prints
``ack <user id>`` and flushes, so every line the test reads names a write the store promised.
It writes until it is killed.
"""

import asyncio
import sys

from adapters.persistence.sqlite import SqlitePersistence
from domain.shared.ids import StudioId
from tests.sqlite.factories import make_user

STUDIO = StudioId("00000000-0000-7000-8000-00000000d0ab")


async def write_forever(path: str) -> None:
    store = SqlitePersistence(path, readers=1)
    await store.start()
    while True:
        user = make_user(STUDIO)
        async with store.unit_of_work() as uow:
            await uow.users.add(user)
            await uow.commit()
        sys.stdout.write(f"ack {user.id}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(write_forever(sys.argv[1]))
