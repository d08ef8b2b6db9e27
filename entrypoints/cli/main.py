"""``studio-bridge``: serve the API, check the configuration.

Exit status 2 means the configuration is unusable; the message names every offending variable.
"""

import argparse
import asyncio
import getpass
import sys
from collections.abc import Sequence

import msgspec

from adapters.telemetry.logging import configure_logging
from application.identity.studios import CreateStudio
from domain.shared.errors import DomainError
from entrypoints.bootstrap import bootstrap, running
from entrypoints.settings import Settings, SettingsError, load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="studio-bridge", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="serve the HTTP API (the default)")
    config = commands.add_parser("config", help="configuration")
    config_commands = config.add_subparsers(dest="config_command", required=True)
    config_commands.add_parser("check", help="validate the settings and print them (no secrets)")
    studio = commands.add_parser("studio", help="studios")
    studio_commands = studio.add_subparsers(dest="studio_command", required=True)
    create = studio_commands.add_parser(
        "create",
        help="create a studio and its first admin",
        description="The password is prompted for on a terminal; without one it is generated "
        "and printed once. --admin-password-stdin reads it from standard input.",
    )
    create.add_argument("--slug", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--admin-email", required=True)
    create.add_argument("--admin-name", default="Administrator")
    create.add_argument("--admin-password-stdin", action="store_true")
    uploads = commands.add_parser("uploads", help="uploads")
    uploads_commands = uploads.add_subparsers(dest="uploads_command", required=True)
    uploads_commands.add_parser(
        "sweep", help="remove expired uploads never registered (objects, parts and records)"
    )
    db = commands.add_parser("db", help="the store")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser(
        "migrate", help="apply schema migrations (SQLite) or create indexes (MongoDB); idempotent"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"studio-bridge: {exc}", file=sys.stderr)
        return 2
    if args.command == "config":
        for name, value in sorted(_printable(settings).items()):
            print(f"{name}={value}")
        return 0
    configure_logging(settings.log_level)
    if args.command == "db":
        return asyncio.run(_migrate(settings))
    if args.command == "studio":
        return asyncio.run(_create_studio(settings, args))
    if args.command == "uploads":
        return asyncio.run(_sweep_uploads(settings))
    from entrypoints.server import serve  # the server stack loads only when serving

    return serve(settings)


async def _migrate(settings: Settings) -> int:
    persistence = bootstrap(settings).persistence()
    try:
        applied = await persistence.migrate()
    finally:
        await persistence.close()
    store = "mongodb" if settings.mongodb_uri else f"sqlite ({settings.sqlite_path})"
    print(f"{store}: {', '.join(applied) if applied else 'up to date'}")
    return 0


def _admin_password(args: argparse.Namespace) -> str | None:
    """From stdin, from a prompt on a terminal, or None (the server generates one)."""
    if args.admin_password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if sys.stdin.isatty():
        first = getpass.getpass("Admin password (12+ characters; empty to generate one): ")
        if not first:
            return None
        if getpass.getpass("Repeat it: ") != first:
            raise SystemExit("studio-bridge: the passwords differ")
        return first
    return None


async def _create_studio(settings: Settings, args: argparse.Namespace) -> int:
    password = _admin_password(args)
    command = CreateStudio(
        slug=args.slug,
        name=args.name,
        admin_email=args.admin_email,
        admin_name=args.admin_name,
        admin_password=password,
    )
    try:
        async with running(bootstrap(settings)) as service:
            created = await service.create_studio()(command)
    except DomainError as exc:
        print(f"studio-bridge: {exc.message} ({exc.code})", file=sys.stderr)
        return 1
    print(f"Created studio {created.studio.slug!r} ({created.studio.id}).")
    print(f"Admin: {created.admin.email}")
    if created.generated_password:
        print(f"Generated admin password (shown once): {created.generated_password}")
    return 0


async def _sweep_uploads(settings: Settings) -> int:
    async with running(bootstrap(settings)) as service:
        swept = await service.sweep_uploads()()
    print(f"Removed {swept} expired upload(s).")
    return 0


def _printable(settings: Settings) -> dict[str, str]:
    shown = {}
    for field in msgspec.structs.fields(Settings):
        value = getattr(settings, field.name)
        secret = any(m in field.name.upper() for m in ("KEY", "SECRET", "PASSWORD", "URI"))
        if isinstance(value, tuple):
            value = ",".join(str(v) for v in value)
        shown[field.name.upper()] = (
            "***" if secret and value else ("" if value is None else str(value))
        )
    return shown


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
