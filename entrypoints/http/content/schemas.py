"""Bodies of the content routes: shapes and bounds here, business rules in the domain.

Creators and moderators see a series or an episode whole (``SeriesOut``, ``EpisodeOut``, with
its moderation state); the catalogue shows what a viewer may know (``CatalogSeriesOut``,
``CatalogEpisodeOut``: no rejection, no submission time, no video id) plus ``preview`` (staff
looking at unpublished content) and, for episodes, ``free`` and ``locked``.
"""

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from application.content.catalog import EpisodeView, SeriesView
from domain.content.model import (
    MAX_NOTE,
    Episode,
    EpisodeStatus,
    Rejection,
    RejectionReason,
    Series,
    SeriesStatus,
)
from domain.content.values import (
    MAX_EPISODE_NUMBER,
    MAX_SYNOPSIS,
    MAX_TAG,
    MAX_TAGS,
    MAX_TITLE,
    MIN_EPISODE_NUMBER,
)
from entrypoints.http.identity.schemas import Body

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TITLE)]
Synopsis = Annotated[str, msgspec.Meta(max_length=MAX_SYNOPSIS)]
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TAG)]
Tags = Annotated[list[Tag], msgspec.Meta(max_length=MAX_TAGS)]
Number = Annotated[int, msgspec.Meta(ge=MIN_EPISODE_NUMBER, le=MAX_EPISODE_NUMBER)]
VideoIdText = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Note = Annotated[str, msgspec.Meta(max_length=MAX_NOTE)]
# What a creator may create content as: a draft, or submitted for review at once.
InitialStatus = Literal["draft", "pending"]


class SeriesCreateIn(Body):
    title: Title
    synopsis: Synopsis = ""
    tags: Tags = msgspec.field(default_factory=list)
    status: InitialStatus = "draft"


class SeriesPatchIn(Body):
    """Only the fields sent change. Status moves through the action routes."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    synopsis: Synopsis | msgspec.UnsetType = msgspec.UNSET
    tags: Tags | msgspec.UnsetType = msgspec.UNSET


class EpisodeCreateIn(Body):
    number: Number
    title: Title
    video_id: VideoIdText
    status: InitialStatus = "draft"


class EpisodePatchIn(Body):
    """Only the fields sent change (draft and rejected episodes only)."""

    number: Number | msgspec.UnsetType = msgspec.UNSET
    title: Title | msgspec.UnsetType = msgspec.UNSET
    video_id: VideoIdText | msgspec.UnsetType = msgspec.UNSET


class RejectIn(Body):
    """Why it is rejected: one of the fixed reasons; ``other`` needs a note."""

    reason: RejectionReason
    note: Note | None = None

    def rejection(self) -> Rejection:
        return Rejection(reason=self.reason, note=self.note or "")


class RejectionOut(msgspec.Struct, kw_only=True, rename="camel"):
    reason: RejectionReason
    note: str

    @classmethod
    def of(cls, rejection: Rejection | None) -> "RejectionOut | None":
        if rejection is None:
            return None
        return cls(reason=rejection.reason, note=rejection.note)


class SeriesOut(msgspec.Struct, kw_only=True, rename="camel"):
    id: str
    title: str
    synopsis: str
    tags: list[str]
    status: SeriesStatus
    owner_id: str
    rejection: RejectionOut | None
    published_episodes: int
    popularity: int
    submitted_at: datetime | None
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    revision: int

    @classmethod
    def of(cls, series: Series) -> "SeriesOut":
        return cls(
            id=series.id,
            title=series.title,
            synopsis=series.synopsis,
            tags=list(series.tags),
            status=series.status,
            owner_id=series.owner_id,
            rejection=RejectionOut.of(series.rejection),
            published_episodes=series.published_episodes,
            popularity=series.popularity,
            submitted_at=series.submitted_at,
            published_at=series.published_at,
            created_at=series.created_at,
            updated_at=series.updated_at,
            revision=series.revision,
        )


class EpisodeOut(msgspec.Struct, kw_only=True, rename="camel"):
    id: str
    series_id: str
    number: int
    title: str
    video_id: str
    status: EpisodeStatus
    owner_id: str
    rejection: RejectionOut | None
    submitted_at: datetime | None
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    revision: int

    @classmethod
    def of(cls, episode: Episode) -> "EpisodeOut":
        return cls(
            id=episode.id,
            series_id=episode.series_id,
            number=episode.number,
            title=episode.title,
            video_id=episode.video_id,
            status=episode.status,
            owner_id=episode.owner_id,
            rejection=RejectionOut.of(episode.rejection),
            submitted_at=episode.submitted_at,
            published_at=episode.published_at,
            created_at=episode.created_at,
            updated_at=episode.updated_at,
            revision=episode.revision,
        )


class CatalogSeriesOut(msgspec.Struct, kw_only=True, rename="camel"):
    id: str
    title: str
    synopsis: str
    tags: list[str]
    status: SeriesStatus
    owner_id: str
    published_episodes: int
    popularity: int
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    preview: bool  # not visible to viewers: shown to staff only

    @classmethod
    def of(cls, series: Series, *, preview: bool = False) -> "CatalogSeriesOut":
        return cls(
            id=series.id,
            title=series.title,
            synopsis=series.synopsis,
            tags=list(series.tags),
            status=series.status,
            owner_id=series.owner_id,
            published_episodes=series.published_episodes,
            popularity=series.popularity,
            published_at=series.published_at,
            created_at=series.created_at,
            updated_at=series.updated_at,
            preview=preview,
        )

    @classmethod
    def of_view(cls, view: SeriesView) -> "CatalogSeriesOut":
        return cls.of(view.series, preview=view.preview)


class CatalogEpisodeOut(msgspec.Struct, kw_only=True, rename="camel"):
    id: str
    series_id: str
    number: int
    title: str
    status: EpisodeStatus
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    free: bool  # among the studio's free episodes of each series
    locked: bool  # this caller may not play it (a viewer without a subscription)
    preview: bool

    @classmethod
    def of(cls, view: EpisodeView) -> "CatalogEpisodeOut":
        episode = view.episode
        return cls(
            id=episode.id,
            series_id=episode.series_id,
            number=episode.number,
            title=episode.title,
            status=episode.status,
            published_at=episode.published_at,
            created_at=episode.created_at,
            updated_at=episode.updated_at,
            free=view.free,
            locked=view.locked,
            preview=view.preview,
        )
