"""Builders of series and episodes for tests: consistent for the status asked, every field
overridable (``published_episodes=2``, ``published_by_hand=True``...)."""

import uuid
from dataclasses import replace
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
from tests.support.builders import T0, at

REJECTION = Rejection(reason=RejectionReason.LOW_QUALITY, note="The sound drops at 0:42.")


def new_id() -> str:
    return str(uuid.uuid4())


def series(
    studio_id: StudioId,
    owner_id: UserId,
    title: str | None = None,
    status: SeriesStatus = SeriesStatus.DRAFT,
    **changes: Any,
) -> Series:
    """A series in ``status``; a published one is published by hand unless it is given
    ``published_episodes``."""
    published = status is SeriesStatus.PUBLISHED
    episodes = changes.pop("published_episodes", 0)
    made = Series(
        id=changes.pop("id", None) or new_id(),
        studio_id=studio_id,
        owner_id=owner_id,
        title=title or f"Series {uuid.uuid4().hex[:8]}",
        status=status,
        published_by_hand=changes.pop("published_by_hand", published and episodes == 0),
        published_episodes=episodes,
        rejection=REJECTION if status is SeriesStatus.REJECTED else None,
        submitted_at=at(1) if status is not SeriesStatus.DRAFT else None,
        published_at=at(2) if published else None,
        created_at=T0,
        updated_at=T0,
    )
    return replace(made, **changes)


def episode(
    of: Series,
    number: int = 1,
    status: EpisodeStatus = EpisodeStatus.DRAFT,
    **changes: Any,
) -> Episode:
    made = Episode(
        id=changes.pop("id", None) or new_id(),
        studio_id=of.studio_id,
        series_id=of.id,
        owner_id=of.owner_id,
        number=number,
        title=changes.pop("title", None) or f"Episode {number}",
        video_id=changes.pop("video_id", None) or new_id(),
        status=status,
        rejection=REJECTION if status is EpisodeStatus.REJECTED else None,
        submitted_at=at(1) if status is not EpisodeStatus.DRAFT else None,
        published_at=at(2) if status is EpisodeStatus.PUBLISHED else None,
        created_at=T0,
        updated_at=T0,
    )
    return replace(made, **changes)
