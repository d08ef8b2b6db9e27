"""What happens once the store is open: the demo studio of a fresh embedded install."""

import sys

from entrypoints.container import Container


async def warm_up(container: Container) -> None:
    """Pay one-off costs at start-up, not in the first requests that need them."""
    container.common_passwords().load()
    await container.password_hasher().warm_up()  # the dummy hash for unknown accounts
    container.access_tokens()  # loads (or, on first start, generates) the signing key


async def announce_demo_studio(container: Container) -> None:
    """On the embedded default with an empty store, create studio ``demo`` and its admin.

    A generated password is printed once, to standard error and never to the logs (log lines
    never carry secrets). With MongoDB configured nothing happens: production studios are
    created on purpose (``studio-bridge studio create``).
    """
    settings = container.settings()
    if settings.mongodb_uri:
        return
    created = await container.ensure_demo_studio()(
        admin_email=settings.bootstrap_admin_email,
        admin_password=settings.bootstrap_admin_password,
    )
    if created is None:
        return
    lines = [
        "",
        f"Created studio '{created.studio.slug}' with admin {created.admin.email}.",
    ]
    if created.generated_password:
        lines.append(f"  Generated admin password (shown once): {created.generated_password}")
    else:
        lines.append("  Its password is BOOTSTRAP_ADMIN_PASSWORD.")
    sys.stderr.write("\n".join([*lines, ""]) + "\n")
    sys.stderr.flush()
