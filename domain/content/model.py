"""Series, episodes and their publication state machines.

Both move through one vocabulary of actions (``ContentAction``), each with its own table.
Anything not in a table is ``IllegalTransitionError`` (409 ``illegal_transition``).

A series is published iff it has a published episode or was published by hand (``approve``
of a pending series): the series carries ``published_by_hand`` and a count of its published
episodes, and its constructor refuses any state that breaks the rule. Viewers only ever see a
*visible* series: published with at least one published episode.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Self

from domain.content.errors import (
    EpisodeLockedError,
    IllegalTransitionError,
    InvalidContentError,
    SeriesArchivedError,
)
from domain.content.values import check_number, check_title
from domain.shared.ids import StudioId, UserId

SeriesId = str
EpisodeId = str


class SeriesStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"
    ARCHIVED = "archived"


class EpisodeStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"


class ContentAction(StrEnum):
    SUBMIT = "submit"  # draft or rejected -> pending (whoever may edit it)
    WITHDRAW = "withdraw"  # pending -> draft, back from review (whoever may edit it)
    APPROVE = "approve"  # pending -> published (moderators)
    REJECT = "reject"  # pending -> rejected, with a reason (moderators)
    UNPUBLISH = "unpublish"  # published -> draft (moderators)
    ARCHIVE = "archive"  # any series but an archived one -> archived (moderators)
    RESTORE = "restore"  # archived series -> draft (moderators)


# The actions that need the MODERATE capability; the others need edit rights on the item.
MODERATOR_ACTIONS = frozenset(
    {
        ContentAction.APPROVE,
        ContentAction.REJECT,
        ContentAction.UNPUBLISH,
        ContentAction.ARCHIVE,
        ContentAction.RESTORE,
    }
)

_S, _E, _A = SeriesStatus, EpisodeStatus, ContentAction
SERIES_TRANSITIONS: Mapping[tuple[SeriesStatus, ContentAction], SeriesStatus] = {
    (_S.DRAFT, _A.SUBMIT): _S.PENDING,
    (_S.REJECTED, _A.SUBMIT): _S.PENDING,
    (_S.PENDING, _A.WITHDRAW): _S.DRAFT,
    (_S.PENDING, _A.APPROVE): _S.PUBLISHED,
    (_S.PENDING, _A.REJECT): _S.REJECTED,
    (_S.PUBLISHED, _A.UNPUBLISH): _S.DRAFT,
    (_S.DRAFT, _A.ARCHIVE): _S.ARCHIVED,
    (_S.PENDING, _A.ARCHIVE): _S.ARCHIVED,
    (_S.PUBLISHED, _A.ARCHIVE): _S.ARCHIVED,
    (_S.REJECTED, _A.ARCHIVE): _S.ARCHIVED,
    (_S.ARCHIVED, _A.RESTORE): _S.DRAFT,
}
EPISODE_TRANSITIONS: Mapping[tuple[EpisodeStatus, ContentAction], EpisodeStatus] = {
    (_E.DRAFT, _A.SUBMIT): _E.PENDING,
    (_E.REJECTED, _A.SUBMIT): _E.PENDING,
    (_E.PENDING, _A.WITHDRAW): _E.DRAFT,
    (_E.PENDING, _A.APPROVE): _E.PUBLISHED,
    (_E.PENDING, _A.REJECT): _E.REJECTED,
    (_E.PUBLISHED, _A.UNPUBLISH): _E.DRAFT,
}
# What a series action does to the series' episodes: those in these statuses go back to draft
# (in the same transaction), so an unpublished or archived series keeps no published episode
# and an archived one leaves nothing waiting in the moderation queue.
EPISODES_RESET: Mapping[ContentAction, frozenset[EpisodeStatus]] = {
    ContentAction.UNPUBLISH: frozenset({EpisodeStatus.PUBLISHED}),
    ContentAction.ARCHIVE: frozenset({EpisodeStatus.PUBLISHED, EpisodeStatus.PENDING}),
}
# The statuses a series or an episode may be created in ("as the request says").
INITIAL_SERIES_STATUSES = frozenset({SeriesStatus.DRAFT, SeriesStatus.PENDING})
INITIAL_EPISODE_STATUSES = frozenset({EpisodeStatus.DRAFT, EpisodeStatus.PENDING})
# An episode is edited only in these statuses (pending ones are withdrawn first).
EDITABLE_EPISODE_STATUSES = frozenset({EpisodeStatus.DRAFT, EpisodeStatus.REJECTED})


def next_series_status(status: SeriesStatus, action: ContentAction) -> SeriesStatus:
    try:
        return SERIES_TRANSITIONS[(status, action)]
    except KeyError:
        raise _illegal("series", status, action) from None


def next_episode_status(status: EpisodeStatus, action: ContentAction) -> EpisodeStatus:
    try:
        return EPISODE_TRANSITIONS[(status, action)]
    except KeyError:
        raise _illegal("episode", status, action) from None


def _illegal(kind: str, status: str, action: ContentAction) -> IllegalTransitionError:
    return IllegalTransitionError(
        f"Cannot {action} a {kind} that is {status}.",
        details={"resource": kind, "status": str(status), "action": str(action)},
    )


class RejectionReason(StrEnum):
    INAPPROPRIATE_CONTENT = "inappropriate_content"
    COPYRIGHT = "copyright"
    LOW_QUALITY = "low_quality"
    MISLEADING_METADATA = "misleading_metadata"
    TECHNICAL_PROBLEM = "technical_problem"
    OTHER = "other"  # needs a note


MAX_NOTE = 2_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejection:
    """Why a moderator rejected a series or an episode; the note is for its creator."""

    reason: RejectionReason
    note: str = ""

    def __post_init__(self) -> None:
        if len(self.note) > MAX_NOTE:
            raise InvalidContentError(
                f"A note has at most {MAX_NOTE} characters.", details={"field": "note"}
            )
        if self.reason is RejectionReason.OTHER and not self.note.strip():
            raise InvalidContentError(
                "A rejection for another reason needs a note.", details={"field": "note"}
            )


def _rejection_for(action: ContentAction, rejection: Rejection | None) -> Rejection | None:
    if action is ContentAction.REJECT and rejection is None:
        raise InvalidContentError("A rejection needs a reason.", details={"field": "reason"})
    return rejection if action is ContentAction.REJECT else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Series:
    id: SeriesId
    studio_id: StudioId
    owner_id: UserId
    title: str
    synopsis: str = ""
    tags: tuple[str, ...] = ()
    status: SeriesStatus = SeriesStatus.DRAFT
    published_by_hand: bool = False  # approved while pending, not only through an episode
    published_episodes: int = 0  # kept by the use cases in the transaction of each change
    popularity: int = 0  # plays, counted from the issue that brings playback
    rejection: Rejection | None = None  # the latest, until resubmitted
    submitted_at: datetime | None = None  # the latest submission: the moderation queue's order
    published_at: datetime | None = None  # since when it is published (None when it is not)
    created_at: datetime
    updated_at: datetime
    revision: int = 1

    def __post_init__(self) -> None:
        if check_title(self.title) != self.title:
            raise InvalidContentError("Store titles in their cleaned form.")
        if self.published_episodes < 0 or self.popularity < 0:
            raise InvalidContentError("Counts are never negative.")
        published = self.status is SeriesStatus.PUBLISHED
        if published != (self.published_episodes > 0 or self.published_by_hand):
            raise InvalidContentError(
                "A series is published iff it has a published episode or was published by hand.",
                details={"status": str(self.status)},
            )
        if published != (self.published_at is not None):
            raise InvalidContentError("A series has a publication time iff it is published.")
        if (self.status is SeriesStatus.REJECTED) != (self.rejection is not None):
            raise InvalidContentError("A series has a rejection iff it is rejected.")
        if self.status is SeriesStatus.PENDING and self.submitted_at is None:
            raise InvalidContentError("A pending series has a submission time.")

    @property
    def etag(self) -> str:
        return f'"{self.revision}"'

    @property
    def visible(self) -> bool:
        """What viewers may see: published, with at least one published (playable) episode."""
        return self.status is SeriesStatus.PUBLISHED and self.published_episodes > 0

    def changed(
        self,
        *,
        title: str | None = None,
        synopsis: str | None = None,
        tags: tuple[str, ...] | None = None,
        at: datetime,
    ) -> Self:
        """The series with the given fields replaced (already checked); ``None`` keeps one."""
        if self.status is SeriesStatus.ARCHIVED:
            raise SeriesArchivedError()
        return replace(
            self,
            title=self.title if title is None else title,
            synopsis=self.synopsis if synopsis is None else synopsis,
            tags=self.tags if tags is None else tags,
            updated_at=at,
        )

    def transitioned(
        self, action: ContentAction, *, rejection: Rejection | None = None, at: datetime
    ) -> Self:
        """The series after ``action`` (the episodes' side is ``EPISODES_RESET``)."""
        status = next_series_status(self.status, action)
        by_hand, count = self.published_by_hand, self.published_episodes
        submitted_at, published_at = self.submitted_at, self.published_at
        if action is ContentAction.SUBMIT:
            submitted_at = at
        elif action is ContentAction.APPROVE:
            by_hand, published_at = True, at
        elif action in EPISODES_RESET:
            # Its episodes go back to draft with it: nothing of it stays published.
            by_hand, count, published_at = False, 0, None
        return replace(
            self,
            status=status,
            published_by_hand=by_hand,
            published_episodes=count,
            rejection=_rejection_for(action, rejection),
            submitted_at=submitted_at,
            published_at=published_at,
            updated_at=at,
        )

    def episode_published(self, *, at: datetime) -> Self:
        """One more published episode; a draft or pending series is published with it."""
        if self.status not in (SeriesStatus.DRAFT, SeriesStatus.PENDING, SeriesStatus.PUBLISHED):
            raise _illegal("series", self.status, ContentAction.APPROVE)
        return replace(
            self,
            status=SeriesStatus.PUBLISHED,
            published_episodes=self.published_episodes + 1,
            published_at=self.published_at or at,
            updated_at=at,
        )

    def episode_unpublished(self, *, at: datetime) -> Self:
        """One published episode fewer; without any left (and not published by hand) the
        series goes back to draft."""
        if self.published_episodes < 1:
            raise _illegal("series", self.status, ContentAction.UNPUBLISH)
        count = self.published_episodes - 1
        if count == 0 and not self.published_by_hand:
            return replace(
                self,
                status=SeriesStatus.DRAFT,
                published_episodes=0,
                published_at=None,
                updated_at=at,
            )
        return replace(self, published_episodes=count, updated_at=at)


@dataclass(frozen=True, slots=True, kw_only=True)
class Episode:
    id: EpisodeId
    studio_id: StudioId
    series_id: SeriesId
    owner_id: UserId
    number: int  # unique in its series
    title: str
    video_id: str  # a video of the same studio and owner
    status: EpisodeStatus = EpisodeStatus.DRAFT
    rejection: Rejection | None = None  # the latest, until resubmitted
    submitted_at: datetime | None = None
    published_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    revision: int = 1

    def __post_init__(self) -> None:
        if check_title(self.title) != self.title:
            raise InvalidContentError("Store titles in their cleaned form.")
        check_number(self.number)
        if (self.status is EpisodeStatus.PUBLISHED) != (self.published_at is not None):
            raise InvalidContentError("An episode has a publication time iff it is published.")
        if (self.status is EpisodeStatus.REJECTED) != (self.rejection is not None):
            raise InvalidContentError("An episode has a rejection iff it is rejected.")
        if self.status is EpisodeStatus.PENDING and self.submitted_at is None:
            raise InvalidContentError("A pending episode has a submission time.")

    @property
    def etag(self) -> str:
        return f'"{self.revision}"'

    def changed(
        self,
        *,
        number: int | None = None,
        title: str | None = None,
        video_id: str | None = None,
        at: datetime,
    ) -> Self:
        """The episode with the given fields replaced (already checked); ``None`` keeps one."""
        if self.status not in EDITABLE_EPISODE_STATUSES:
            raise EpisodeLockedError(details={"status": str(self.status)})
        return replace(
            self,
            number=self.number if number is None else number,
            title=self.title if title is None else title,
            video_id=self.video_id if video_id is None else video_id,
            updated_at=at,
        )

    def transitioned(
        self, action: ContentAction, *, rejection: Rejection | None = None, at: datetime
    ) -> Self:
        status = next_episode_status(self.status, action)
        return replace(
            self,
            status=status,
            rejection=_rejection_for(action, rejection),
            submitted_at=at if action is ContentAction.SUBMIT else self.submitted_at,
            published_at=at if status is EpisodeStatus.PUBLISHED else None,
            updated_at=at,
        )

    def moved_to_draft(self, *, at: datetime) -> Self:
        """What ``EPISODES_RESET`` does to each episode it names (adapters do it in bulk)."""
        return replace(self, status=EpisodeStatus.DRAFT, published_at=None, updated_at=at)
