"""``bootstrap()``: how the HTTP app, the CLI, internal tools and tests get a wired service."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from dependency_injector import providers

from entrypoints.container import Container
from entrypoints.settings import Settings


def bootstrap(settings: Settings, **overrides: Any) -> Container:
    """Build the container for ``settings``.

    Each keyword replaces the provider of that name, with a provider or a ready-made object:
    ``bootstrap(settings, clock=FixedClock(...))``. Nothing is opened here: ``running()``
    starts what has a lifetime.
    """
    container = Container(settings=settings)
    for name, replacement in overrides.items():
        provider = getattr(container, name, None)
        if not isinstance(provider, providers.Provider):
            raise TypeError(f"bootstrap() has no provider named {name!r} to override")
        if not isinstance(replacement, providers.Provider):
            replacement = providers.Object(replacement)
        provider.override(replacement)
    return container


@asynccontextmanager
async def running(container: Container) -> AsyncIterator[Container]:
    """Open the service's resources (the store: connected, migrated) and close them after.

    ``async with running(bootstrap(load_settings())) as service: ...`` is how an internal
    tool uses the library without HTTP; the HTTP app's lifespan does the same.
    """
    persistence = container.persistence()
    blob_store = container.blob_store()
    await persistence.start()
    try:
        await blob_store.start()
        try:
            yield container
        finally:
            await blob_store.close()
    finally:
        await persistence.close()
