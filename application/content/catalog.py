"""The published catalogue, for every signed-in user of a studio (``BROWSE_CATALOG``).

Viewers see visible series only (published, with at least one published episode) and their
published episodes; anything else is not found, exactly as another studio's content. Staff
(artists and above) may also open their studio's unpublished series and episodes, marked
``preview``. The catalogue list itself shows visible series only, to everyone.

Each episode is marked ``free`` (its number is within the studio's
``free_episodes_per_series``) and ``locked`` for a viewer without an active subscription
(``SubscriptionCheck``: the viewer's subscription as it counts now).
"""

from dataclasses import dataclass, field

from application.content.access import episode_id_of, series_id_of
from application.content.ports import (
    DEFAULT_PUBLISHED_SERIES_SORT,
    EpisodeQuery,
    PublishedSeriesQuery,
    SubscriptionCheck,
)
from application.shared.ports import Clock, Persistence, UnitOfWork
from domain.content.errors import EpisodeNotFoundError, SeriesNotFoundError
from domain.content.model import Episode, Series
from domain.content.rules import episode_access, sees_unpublished, viewer_sees
from domain.content.values import check_tag, query_words
from domain.identity.access import Actor, Capability, authorize
from domain.identity.model import Role
from domain.shared.paging import Page, PageWindow, SortSpec, Window


@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesView:
    series: Series
    preview: bool  # not visible to viewers: shown to staff only


@dataclass(frozen=True, slots=True, kw_only=True)
class EpisodeView:
    episode: Episode
    free: bool
    locked: bool
    preview: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ListPublishedSeries:
    actor: Actor
    tag: str | None = None
    q: str | None = None  # each word must begin a word of the title
    sort: SortSpec = DEFAULT_PUBLISHED_SERIES_SORT  # PUBLISHED_SERIES_SORTS
    window: Window = field(default_factory=PageWindow)


class ListPublishedSeriesHandler:
    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: ListPublishedSeries) -> Page[Series]:
        authorize(query.actor, Capability.BROWSE_CATALOG)
        published = PublishedSeriesQuery(
            tag=None if query.tag is None else check_tag(query.tag),
            words=() if query.q is None else query_words(query.q),
            sort=query.sort,
            window=query.window,
        )
        async with self._persistence.unit_of_work(read_only=True) as uow:
            return await uow.series.list_published(query.actor.studio_id, published)


async def _series_view(uow: UnitOfWork, actor: Actor, series_id: str) -> SeriesView:
    series = await uow.series.get(actor.studio_id, series_id_of(series_id))
    if viewer_sees(series):
        return SeriesView(series=series, preview=False)
    if sees_unpublished(actor):
        return SeriesView(series=series, preview=True)
    raise SeriesNotFoundError()


@dataclass(frozen=True, slots=True, kw_only=True)
class GetPublishedSeries:
    actor: Actor
    series_id: str


class GetPublishedSeriesHandler:
    def __init__(self, persistence: Persistence) -> None:
        self._persistence = persistence

    async def __call__(self, query: GetPublishedSeries) -> SeriesView:
        authorize(query.actor, Capability.BROWSE_CATALOG)
        async with self._persistence.unit_of_work(read_only=True) as uow:
            return await _series_view(uow, query.actor, query.series_id)


class _Marking:
    """Marks episodes free or locked, and preview, for one caller."""

    def __init__(self, actor: Actor, series: Series, free_episodes: int, subscribed: bool):
        self._actor = actor
        self._series = series
        self._free_episodes = free_episodes
        self._subscribed = subscribed

    def view(self, episode: Episode) -> EpisodeView:
        access = episode_access(
            episode.number,
            free_episodes=self._free_episodes,
            role=self._actor.role,
            subscribed=self._subscribed,
        )
        preview = not viewer_sees(self._series, episode)
        return EpisodeView(episode=episode, free=access.free, locked=access.locked, preview=preview)


class _CatalogReader:
    def __init__(
        self, persistence: Persistence, subscriptions: SubscriptionCheck, clock: Clock
    ) -> None:
        self._persistence = persistence
        self._subscriptions = subscriptions
        self._clock = clock

    async def _marking(self, uow: UnitOfWork, actor: Actor, series: Series) -> _Marking:
        studio = await uow.studios.get(actor.studio_id)
        subscribed = actor.role is Role.VIEWER and await self._subscriptions.is_subscribed(
            actor.studio_id, actor.user_id, at=self._clock.now()
        )
        return _Marking(actor, series, studio.settings.free_episodes_per_series, subscribed)


@dataclass(frozen=True, slots=True, kw_only=True)
class ListPublishedEpisodes:
    actor: Actor
    series_id: str
    window: Window = field(default_factory=PageWindow)


@dataclass(frozen=True, slots=True, kw_only=True)
class EpisodeListing:
    series: SeriesView
    episodes: Page[EpisodeView]


class ListPublishedEpisodesHandler(_CatalogReader):
    """A series' episodes in number order: published ones for viewers; every one for staff,
    the unpublished marked ``preview``."""

    async def __call__(self, query: ListPublishedEpisodes) -> EpisodeListing:
        actor = query.actor
        authorize(actor, Capability.BROWSE_CATALOG)
        async with self._persistence.unit_of_work(read_only=True) as uow:
            shown = await _series_view(uow, actor, query.series_id)
            series = shown.series
            episodes = await uow.episodes.list_in_series(
                actor.studio_id,
                series.id,
                EpisodeQuery(published_only=not sees_unpublished(actor), window=query.window),
            )
            marking = await self._marking(uow, actor, series)
        views = tuple(marking.view(episode) for episode in episodes.items)
        page = Page(
            views,
            episodes.limit,
            page=episodes.page,
            total=episodes.total,
            next_after=episodes.next_after,
        )
        return EpisodeListing(series=shown, episodes=page)


@dataclass(frozen=True, slots=True, kw_only=True)
class GetPublishedEpisode:
    actor: Actor
    episode_id: str


class GetPublishedEpisodeHandler(_CatalogReader):
    async def __call__(self, query: GetPublishedEpisode) -> EpisodeView:
        actor = query.actor
        authorize(actor, Capability.BROWSE_CATALOG)
        async with self._persistence.unit_of_work(read_only=True) as uow:
            episode = await uow.episodes.get(actor.studio_id, episode_id_of(query.episode_id))
            series = await uow.series.get(actor.studio_id, episode.series_id)
            if not viewer_sees(series, episode) and not sees_unpublished(actor):
                raise EpisodeNotFoundError()
            marking = await self._marking(uow, actor, series)
        return marking.view(episode)
