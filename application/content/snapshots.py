"""A series or an episode as JSON text and back: what an idempotency record keeps of the
first answer to a create."""

import json
from datetime import datetime
from typing import Any

from domain.content.model import (
    Episode,
    EpisodeStatus,
    Rejection,
    RejectionReason,
    Series,
    SeriesStatus,
)
from domain.shared.ids import StudioId, UserId


def _instant(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def _parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _rejection(rejection: Rejection | None) -> dict[str, str] | None:
    if rejection is None:
        return None
    return {"reason": rejection.reason.value, "note": rejection.note}


def _rejection_from(raw: dict[str, str] | None) -> Rejection | None:
    if raw is None:
        return None
    return Rejection(reason=RejectionReason(raw["reason"]), note=raw["note"])


def _dump(content: dict[str, Any]) -> bytes:
    return json.dumps(content, separators=(",", ":")).encode()


def series_snapshot(series: Series) -> bytes:
    return _dump(
        {
            "id": series.id,
            "studio_id": series.studio_id,
            "owner_id": series.owner_id,
            "title": series.title,
            "synopsis": series.synopsis,
            "tags": list(series.tags),
            "status": series.status.value,
            "published_by_hand": series.published_by_hand,
            "published_episodes": series.published_episodes,
            "popularity": series.popularity,
            "rejection": _rejection(series.rejection),
            "submitted_at": _instant(series.submitted_at),
            "published_at": _instant(series.published_at),
            "created_at": series.created_at.isoformat(),
            "updated_at": series.updated_at.isoformat(),
            "revision": series.revision,
        }
    )


def series_from_snapshot(data: bytes) -> Series:
    raw = json.loads(data)
    return Series(
        id=raw["id"],
        studio_id=StudioId(raw["studio_id"]),
        owner_id=UserId(raw["owner_id"]),
        title=raw["title"],
        synopsis=raw["synopsis"],
        tags=tuple(raw["tags"]),
        status=SeriesStatus(raw["status"]),
        published_by_hand=raw["published_by_hand"],
        published_episodes=raw["published_episodes"],
        popularity=raw["popularity"],
        rejection=_rejection_from(raw["rejection"]),
        submitted_at=_parse(raw["submitted_at"]),
        published_at=_parse(raw["published_at"]),
        created_at=datetime.fromisoformat(raw["created_at"]),
        updated_at=datetime.fromisoformat(raw["updated_at"]),
        revision=raw["revision"],
    )


def episode_snapshot(episode: Episode) -> bytes:
    return _dump(
        {
            "id": episode.id,
            "studio_id": episode.studio_id,
            "series_id": episode.series_id,
            "owner_id": episode.owner_id,
            "number": episode.number,
            "title": episode.title,
            "video_id": episode.video_id,
            "status": episode.status.value,
            "rejection": _rejection(episode.rejection),
            "submitted_at": _instant(episode.submitted_at),
            "published_at": _instant(episode.published_at),
            "created_at": episode.created_at.isoformat(),
            "updated_at": episode.updated_at.isoformat(),
            "revision": episode.revision,
        }
    )


def episode_from_snapshot(data: bytes) -> Episode:
    raw = json.loads(data)
    return Episode(
        id=raw["id"],
        studio_id=StudioId(raw["studio_id"]),
        series_id=raw["series_id"],
        owner_id=UserId(raw["owner_id"]),
        number=raw["number"],
        title=raw["title"],
        video_id=raw["video_id"],
        status=EpisodeStatus(raw["status"]),
        rejection=_rejection_from(raw["rejection"]),
        submitted_at=_parse(raw["submitted_at"]),
        published_at=_parse(raw["published_at"]),
        created_at=datetime.fromisoformat(raw["created_at"]),
        updated_at=datetime.fromisoformat(raw["updated_at"]),
        revision=raw["revision"],
    )
