"""Moving series and episodes through their state machines: submit and withdraw (whoever may
edit the item), approve, reject, unpublish, archive and restore (moderators: producers and
admins).

Each move is one transaction with its audit events: approving an episode publishes its
series with it when the series was a draft or pending; unpublishing its last published
episode takes a series not published by hand back to draft; unpublishing or archiving a
series takes its episodes back to draft (``EPISODES_RESET``).
"""

from dataclasses import dataclass

from application.audit.trail import AuditTrail
from application.content.access import (
    check_revision,
    load_episode,
    load_series,
    save_episode,
    save_series,
)
from application.shared.ports import Clock, Persistence, UnitOfWork
from domain.content.model import (
    EPISODES_RESET,
    MODERATOR_ACTIONS,
    ContentAction,
    Episode,
    Rejection,
    Series,
    SeriesStatus,
)
from domain.content.rules import episode_transition
from domain.identity.access import Actor, Capability, authorize
from domain.media.errors import VideoNotFoundError
from domain.media.model import VideoStatus


def _capability(action: ContentAction) -> Capability:
    return Capability.MODERATE if action in MODERATOR_ACTIONS else Capability.EDIT_OWN


def _details(
    before: SeriesStatus | str, after: SeriesStatus | str, rejection: Rejection | None
) -> dict[str, str]:
    details = {"from": str(before), "to": str(after)}
    if rejection is not None:
        details |= {"reason": rejection.reason.value, "note": rejection.note}
    return details


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeSeriesStatus:
    actor: Actor
    series_id: str
    action: ContentAction
    rejection: Rejection | None = None  # required to reject
    expected_revision: int | None = None


class ChangeSeriesStatusHandler:
    """Apply ``action`` to a series (``SERIES_TRANSITIONS``); 409 ``illegal_transition``
    when the table has no such move."""

    def __init__(self, *, persistence: Persistence, audit: AuditTrail, clock: Clock) -> None:
        self._persistence = persistence
        self._audit = audit
        self._clock = clock

    async def __call__(self, command: ChangeSeriesStatus) -> Series:
        actor = command.actor
        capability = _capability(command.action)
        authorize(actor, Capability.CREATE_CONTENT)
        authorize(actor, capability)
        now = self._clock.now()
        async with self._persistence.unit_of_work() as uow:
            series = await load_series(uow, actor, command.series_id, capability)
            check_revision(series, command.expected_revision)
            moved = series.transitioned(command.action, rejection=command.rejection, at=now)
            details = _details(series.status, moved.status, moved.rejection)
            reset = EPISODES_RESET.get(command.action)
            if reset is not None:
                count = await uow.episodes.move_to_draft(series.studio_id, series.id, reset, at=now)
                details["episodesToDraft"] = str(count)
            saved = await save_series(
                uow,
                self._audit,
                actor,
                series,
                moved,
                action=f"series.{command.action.value}",
                details=details,
            )
            await uow.commit()
        return saved


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeEpisodeStatus:
    actor: Actor
    episode_id: str
    action: ContentAction
    rejection: Rejection | None = None  # required to reject
    expected_revision: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EpisodeMoved:
    """The episode after the move, and its series (published or back to draft with it)."""

    episode: Episode
    series: Series


class ChangeEpisodeStatusHandler:
    """Apply ``action`` to an episode (``EPISODE_TRANSITIONS`` and ``episode_transition``):
    409 ``illegal_transition``, ``series_archived``, ``series_not_publishable`` or
    ``video_not_ready`` (an approval needs a ``ready`` or ``uploaded`` video)."""

    def __init__(self, *, persistence: Persistence, audit: AuditTrail, clock: Clock) -> None:
        self._persistence = persistence
        self._audit = audit
        self._clock = clock

    async def __call__(self, command: ChangeEpisodeStatus) -> EpisodeMoved:
        actor = command.actor
        capability = _capability(command.action)
        authorize(actor, Capability.CREATE_CONTENT)
        authorize(actor, capability)
        now = self._clock.now()
        async with self._persistence.unit_of_work() as uow:
            episode = await load_episode(uow, actor, command.episode_id, capability)
            check_revision(episode, command.expected_revision)
            series = await uow.series.get(episode.studio_id, episode.series_id)
            video_status = None
            if command.action is ContentAction.APPROVE:
                video_status = await _video_status(uow, episode)
            new_series, moved = episode_transition(
                series,
                episode,
                command.action,
                video_status=video_status,
                rejection=command.rejection,
                at=now,
            )
            saved = await save_episode(
                uow,
                self._audit,
                actor,
                episode,
                moved,
                action=f"episode.{command.action.value}",
                details=_details(episode.status, moved.status, moved.rejection),
            )
            if new_series != series:
                # Published with its first episode, or back to draft without any: recorded as
                # a change of the series, caused by the episode's move.
                cause = {"cause": f"episode.{command.action.value}", "episodeId": episode.id}
                series_action = {
                    ContentAction.APPROVE: "series.episode_published",
                    ContentAction.UNPUBLISH: "series.episode_unpublished",
                }[command.action]
                new_series = await save_series(
                    uow,
                    self._audit,
                    actor,
                    series,
                    new_series,
                    action=series_action,
                    details=_details(series.status, new_series.status, None) | cause,
                )
            await uow.commit()
        return EpisodeMoved(episode=saved, series=new_series)


async def _video_status(uow: UnitOfWork, episode: Episode) -> VideoStatus | None:
    try:
        return (await uow.videos.get(episode.studio_id, episode.video_id)).status
    except VideoNotFoundError:
        return None
