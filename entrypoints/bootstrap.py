"""``bootstrap()``: how the HTTP app, the CLI, internal tools and tests get a wired service."""

from typing import Any

from dependency_injector import providers

from entrypoints.container import Container
from entrypoints.settings import Settings


def bootstrap(settings: Settings, **overrides: Any) -> Container:
    """Build the container for ``settings``.

    Each keyword replaces the provider of that name, with a provider or a ready-made object:
    ``bootstrap(settings, clock=FixedClock(...))``. Nothing is opened until it is first used
    (or, for resources, until ``init_resources()``, which the HTTP app's lifespan calls).
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
