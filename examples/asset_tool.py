"""An internal tool: import a batch of assets into a studio and list them, without HTTP.

    .venv/bin/python -m examples.asset_tool --studio demo --tag import-2026 \\
        "Hero Rig:rig" "Castle:environment"

It builds the same service the HTTP app runs (``bootstrap`` + ``running``: the configured
store, opened and migrated) and calls the use-case handlers directly. It acts as a named
service identity with a role, so the permission matrix, validation, idempotency and audit
apply exactly as they do to an HTTP request. Re-running it is safe: each asset is created
with an idempotency key derived from the batch and its name.
"""

import argparse
import asyncio
import sys
from collections.abc import Sequence

from application.assets.catalogue import CreateAsset, ListAssets
from application.assets.ports import AssetQuery
from domain.assets.model import Asset, AssetType
from domain.identity.access import Actor
from domain.identity.model import Role
from domain.shared.paging import Direction, KeysetWindow, SortSpec
from entrypoints.bootstrap import bootstrap, running
from entrypoints.settings import load_settings


async def import_assets(
    studio_slug: str, specs: Sequence[tuple[str, AssetType]], *, tag: str
) -> list[Asset]:
    """Create each (name, type) tagged ``tag`` (idempotently); answer the tag's whole list."""
    async with running(bootstrap(load_settings())) as service:
        async with service.persistence().unit_of_work(read_only=True) as uow:
            studio = await uow.studios.get_by_slug(studio_slug)
        tool = Actor.for_service("asset-import", studio_id=studio.id, role=Role.PRODUCER)
        create = service.create_asset()
        for name, kind in specs:
            await create(
                CreateAsset(
                    actor=tool,
                    name=name,
                    type=kind,
                    tags=(tag,),
                    idempotency_key=f"{tag}:{name.casefold()}",
                )
            )
        listed: list[Asset] = []
        window = KeysetWindow(limit=100)
        query = AssetQuery(tag=tag, sort=SortSpec("name", Direction.ASC), window=window)
        list_assets = service.list_assets()
        while True:  # a cursor walk: any number of assets, 100 at a time
            page = await list_assets(ListAssets(actor=tool, query=query))
            listed += page.items
            if page.next_after is None:
                return listed
            query = AssetQuery(
                tag=tag,
                sort=query.sort,
                window=KeysetWindow(after=page.next_after, limit=100),
            )


def _spec(text: str) -> tuple[str, AssetType]:
    name, _, kind = text.rpartition(":")
    try:
        return (name or text, AssetType(kind) if name else AssetType.OTHER)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{kind!r} is not an asset type ({', '.join(t.value for t in AssetType)})"
        ) from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studio", default="demo", help="the studio's slug")
    parser.add_argument("--tag", required=True, help="tag every imported asset with this")
    parser.add_argument("assets", nargs="+", type=_spec, help="NAME:TYPE")
    args = parser.parse_args(argv)
    assets = asyncio.run(import_assets(args.studio, args.assets, tag=args.tag.lower()))
    for asset in assets:  # the tool's output is its report: one line per asset
        sys.stdout.write(
            f"{asset.id}  {asset.type.value:<12} {asset.status.value:<10} {asset.name}\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
