"""Made-up but plausible catalogue data for the assets benchmark, as the app's own entities.

Everything is drawn from a seeded ``random.Random``, so the same shape always gives the same
rows. Assets are ``domain.assets.model.Asset`` values (validated by the entity) turned into rows
by the SQLite adapter's own ``asset_to_row``/``version_to_row``; their terms and edges are the
rows ``SqliteAssetRepository`` writes for them (``bench.assets_seed`` checks a sample of each
against the repository itself).
"""

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import accumulate

from adapters.persistence.sqlite.assets import asset_to_row, version_to_row
from adapters.persistence.sqlite.rows import Row, from_ms
from domain.assets.model import Asset, AssetStatus, AssetType, AssetVersion, name_words
from domain.media.model import UploadPurpose, storage_key
from domain.shared.ids import StudioId, UserId

START = datetime(2025, 1, 1, tzinfo=UTC)  # the catalogue's history: two years of work
START_MS = int(START.timestamp() * 1000)
SPAN_MS = 650 * 86_400_000  # to mid-October 2026

TYPE_WEIGHTS = {
    AssetType.CHARACTER: 12,
    AssetType.PROP: 25,
    AssetType.ENVIRONMENT: 10,
    AssetType.RIG: 8,
    AssetType.TEXTURE: 20,
    AssetType.ANIMATION: 12,
    AssetType.AUDIO: 5,
    AssetType.VIDEO: 5,
    AssetType.OTHER: 3,
}
# The review workflow's states, and how many transitions each is from a new draft.
STATUS_WEIGHTS = {
    AssetStatus.DRAFT: 30,
    AssetStatus.IN_REVIEW: 15,
    AssetStatus.APPROVED: 45,
    AssetStatus.ARCHIVED: 10,
}
_STEPS = {AssetStatus.DRAFT: 0, AssetStatus.IN_REVIEW: 1, AssetStatus.APPROVED: 2}
DELETED_SHARE = 0.02  # soft-deleted: kept (names stay taken), never listed


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_ADJECTIVES = _words(
    "Crimson Amber Frozen Hollow Ancient Silent Rusty Golden Misty Broken Lunar Velvet Iron "
    "Scarlet Hidden Wild Bright Shadow Copper Azure Emerald Stormy Quiet Gentle Grand Tiny "
    "Sunken Burning Paper Glass Marble Neon Dusty Royal Wooden Crystal Faded Lucky Northern"
)
_NOUNS = {
    AssetType.CHARACTER: _words("Hero Villain Fox Knight Witch Robot Sailor Dragon Child Elder"),
    AssetType.PROP: _words("Lantern Sword Chair Teacup Clock Umbrella Key Map Bicycle Crate"),
    AssetType.ENVIRONMENT: _words("Harbor Forest Market Rooftop Cavern Village Desert Station"),
    AssetType.RIG: _words("FaceRig BodyRig HandRig TailRig CapeRig WingRig"),
    AssetType.TEXTURE: _words("Bark Brick Fabric Skin Rust Moss Stone Water Metal Leather"),
    AssetType.ANIMATION: _words("Walk Run Jump Idle Fall Wave Fight Dance Climb Turn"),
    AssetType.AUDIO: _words("Theme Footsteps Rain Crowd Wind Sting Ambience Dialogue"),
    AssetType.VIDEO: _words("Animatic Previz Turntable Playblast Reference Teaser"),
    AssetType.OTHER: _words("Notes Palette Moodboard Script Layout"),
}
_DEPARTMENTS = _words("modeling lookdev rigging animation fx lighting compositing sound")
_SOFTWARE = _words("maya blender houdini substance nuke zbrush")
_TAGS = (
    *(f"ep{n:02d}" for n in range(1, 41)),
    *_DEPARTMENTS,
    *_words("hero background wip final outsourced 4k stylized crowd night hires"),
)
_CONTENT_TYPES = {
    AssetType.AUDIO: ("audio/wav", "wav"),
    AssetType.VIDEO: ("video/mp4", "mp4"),
    AssetType.TEXTURE: ("image/png", "png"),
}


@dataclass(frozen=True)
class StudioSeed:
    """One studio's share of the catalogue."""

    studio_id: StudioId
    owners: Sequence[UserId]  # who owns its assets (the first ones own the most)
    count: int
    seed: int  # of its own random.Random: studios can be made in any order, or in parallel


@dataclass(frozen=True)
class AssetRows:
    """An asset and every row the repository writes for it."""

    asset: Asset
    row: Row
    terms: list[Row]
    edges: list[Row]
    versions: list[AssetVersion]


def uuid7(at_ms: int, rng: random.Random) -> str:
    """A version-7 UUID at ``at_ms``, laid out as the app's ``UuidV7Generator`` makes them."""
    value = (at_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= rng.getrandbits(12) << 64
    value |= 0b10 << 62
    value |= rng.getrandbits(62)
    text = f"{value:032x}"  # what str(uuid.UUID(int=value)) gives, several times faster
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def instant(offset_ms: int) -> datetime:
    """The instant ``offset_ms`` into the catalogue's history, as the adapter reads it back."""
    return from_ms(START_MS + offset_ms)


def catalogue(seed: StudioSeed) -> Iterator[AssetRows]:
    """``seed.count`` assets of one studio, oldest first, with unique names."""
    rng = random.Random(seed.seed)
    offsets = sorted(rng.randrange(SPAN_MS) for _ in range(seed.count))
    types, type_weights = list(TYPE_WEIGHTS), list(accumulate(TYPE_WEIGHTS.values()))
    statuses, status_weights = list(STATUS_WEIGHTS), list(accumulate(STATUS_WEIGHTS.values()))
    # A few people own most of a studio's assets.
    owner_weights = list(accumulate(1 / (rank + 1) for rank in range(len(seed.owners))))
    earlier: list[str] = []
    for number, offset in enumerate(offsets, start=1):
        kind = rng.choices(types, cum_weights=type_weights)[0]
        status = rng.choices(statuses, cum_weights=status_weights)[0]
        owner = rng.choices(seed.owners, cum_weights=owner_weights)[0]
        yield _asset_rows(seed.studio_id, rng, number, offset, kind, status, owner, earlier)


def _asset_rows(
    studio_id: StudioId,
    rng: random.Random,
    number: int,
    offset: int,
    kind: AssetType,
    status: AssetStatus,
    owner: UserId,
    earlier: list[str],
) -> AssetRows:
    created_ms = START_MS + offset
    asset_id = uuid7(created_ms, rng)
    name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS[kind])} {number:06d}"
    versions = 0 if status is AssetStatus.DRAFT and rng.random() < 0.5 else rng.randint(1, 3)
    updated_offset = min(offset + rng.randrange(60 * 86_400_000), SPAN_MS)
    dependencies: tuple[str, ...] = ()
    if earlier and rng.random() < 0.2:  # uses 1-3 of the studio's 5,000 latest assets
        recent = min(len(earlier), 5_000)
        picks = (earlier[-1 - int(rng.random() * recent)] for _ in range(rng.randint(1, 3)))
        dependencies = tuple(dict.fromkeys(picks))
    steps = _STEPS.get(status, 3)
    deleted = rng.random() < DELETED_SHARE
    asset = Asset(
        id=asset_id,
        studio_id=studio_id,
        owner_id=owner,
        name=name,
        type=kind,
        status=status,
        description=_description(rng, kind, name),
        tags=tuple(dict.fromkeys(rng.sample(_TAGS, rng.randint(0, 4)))),
        metadata=_metadata(rng, kind),
        current_version=versions or None,
        dependencies=dependencies,
        review_note="Needs another pass on the silhouette." if rng.random() < 0.03 else None,
        created_at=instant(offset),
        updated_at=instant(updated_offset),
        deleted_at=instant(updated_offset) if deleted else None,
        revision=1 + versions + steps + bool(dependencies) + rng.randint(0, 2),
    )
    earlier.append(asset_id)
    return AssetRows(
        asset=asset,
        row=asset_to_row(asset),
        terms=[(studio_id, "tag", tag, asset_id) for tag in asset.tags]
        + [(studio_id, "word", word, asset_id) for word in name_words(name)],
        edges=[(studio_id, asset_id, other) for other in dependencies],
        versions=[_version(asset, n, offset, updated_offset, rng) for n in range(1, versions + 1)],
    )


def _description(rng: random.Random, kind: AssetType, name: str) -> str:
    if rng.random() < 0.25:
        return ""
    department = rng.choice(_DEPARTMENTS)
    return f"{name}: {kind.value} for the {department} team, see the shot breakdown for usage."


def _metadata(rng: random.Random, kind: AssetType) -> dict[str, str]:
    metadata = {"department": rng.choice(_DEPARTMENTS), "software": rng.choice(_SOFTWARE)}
    if kind is AssetType.TEXTURE:
        metadata["resolution"] = rng.choice(("1k", "2k", "4k", "8k"))
    return metadata


def _version(
    asset: Asset, number: int, created: int, updated: int, rng: random.Random
) -> AssetVersion:
    content_type, extension = _CONTENT_TYPES.get(asset.type, ("application/octet-stream", "bin"))
    at = created + (updated - created) * number // 4
    upload_id = uuid7(START_MS + at, rng)
    filename = f"{asset.name.replace(' ', '_').lower()}_v{number}.{extension}"
    return AssetVersion(
        studio_id=asset.studio_id,
        asset_id=asset.id,
        number=number,
        storage_key=storage_key(asset.studio_id, UploadPurpose.ASSET_VERSION, upload_id, filename),
        size=rng.randrange(10_000, 500_000_000),
        sha256=f"{rng.getrandbits(256):064x}",
        content_type=content_type,
        author_id=asset.owner_id,
        note="" if number == 1 else "Fixes from review.",
        created_at=instant(at),
    )


@dataclass(frozen=True)
class StudioRows:
    """A studio's rows, ready for ``executemany``; ``checked`` keeps a sample whole."""

    assets: list[Row]
    terms: list[Row]
    edges: list[Row]
    versions: list[Row]
    checked: list[AssetRows]


def studio_rows(seed: StudioSeed, first: int, step: int) -> StudioRows:
    """Every row of ``seed``'s studio (run in a worker process); ``first`` is the number of
    assets made before this studio, so every ``step``-th asset of the whole file is kept."""
    made = StudioRows([], [], [], [], [])
    for number, rows in enumerate(catalogue(seed), first):
        made.assets.append(rows.row)
        made.terms.extend(rows.terms)
        made.edges.extend(rows.edges)
        made.versions.extend(map(version_to_row, rows.versions))
        if number % step == 0:
            made.checked.append(rows)
    made.terms.sort()  # primary key order: appends to the studio's part of the index
    return made
