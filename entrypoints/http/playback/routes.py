"""``/video``: play an episode, and keep where each viewer is (every signed-in user).

``GET /video/play/{episodeId}`` asks the entitlement policy and answers a short-lived signed
URL (``PLAYBACK_URL_SECONDS``); a refusal is 403 with the policy's reason as its code
(``not_published``, ``subscription_required``, ``subscription_expired``), counted and audited.
``POST /video/progress`` keeps a position (idempotent, never backwards in time, throttled per
viewer: 429 ``progress_throttled``); ``GET /video/history`` and ``GET /video/continue`` read it.
"""

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from application.playback.play import PlayEpisode, PlayEpisodeHandler
from application.playback.progress import (
    ContinueWatching,
    ContinueWatchingHandler,
    ListHistory,
    ListHistoryHandler,
    RecordProgress,
    RecordProgressHandler,
)
from domain.identity.access import Actor
from domain.shared.paging import DEFAULT_LIMIT, CursorCodec, PageWindow
from entrypoints.http.auth import current_actor
from entrypoints.http.envelope import Data
from entrypoints.http.listing import LimitParam, ListOf, PageParam, list_of
from entrypoints.http.playback.schemas import ContinueOut, PlaybackOut, ProgressIn, ProgressOut

# A play URL works for anyone holding it until it expires: no cache may keep the answer.
NO_STORE = {"Cache-Control": "no-store"}


class VideoController(Controller):
    path = "/video"
    tags = ["playback"]
    dependencies = {"actor": Provide(current_actor)}

    @get("/play/{episode_id:str}")
    async def play_episode(
        self,
        episode_id: FromPath[str],
        actor: NamedDependency[Actor],
        play_episode: NamedDependency[PlayEpisodeHandler],
    ) -> Response[Data[PlaybackOut]]:
        """A signed URL of the episode's video, valid a few minutes (HTTP Range works on it).
        Viewers need the episode published and free or an active subscription; staff may
        preview their studio's unpublished episodes."""
        playback = await play_episode(PlayEpisode(actor=actor, episode_id=episode_id))
        return Response(Data(data=PlaybackOut.of(playback)), headers=NO_STORE)

    @post("/progress", status_code=200)
    async def record_progress(
        self,
        data: JSONBody[ProgressIn],
        actor: NamedDependency[Actor],
        record_progress: NamedDependency[RecordProgressHandler],
    ) -> Data[ProgressOut]:
        """Keep the caller's position in an episode; answers what is stored (a write observed
        before the stored one changes nothing)."""
        stored = await record_progress(
            RecordProgress(
                actor=actor,
                episode_id=data.episode_id,
                position=data.position,
                duration=data.duration,
                watched_at=data.watched_at,
            )
        )
        return Data(data=ProgressOut.of(stored))

    @get("/history")
    async def list_history(
        self,
        actor: NamedDependency[Actor],
        list_history: NamedDependency[ListHistoryHandler],
        cursor_codec: NamedDependency[CursorCodec],
        page: PageParam = 1,
        limit: LimitParam = DEFAULT_LIMIT,
    ) -> ListOf[ProgressOut]:
        """The caller's progress, one entry per episode, most recently watched first."""
        history = await list_history(ListHistory(actor=actor, window=PageWindow(page, limit)))
        items = [ProgressOut.of(entry) for entry in history.items]
        return list_of(history, items, codec=cursor_codec, query="video-history")

    @get("/continue")
    async def continue_watching(
        self,
        actor: NamedDependency[Actor],
        continue_watching: NamedDependency[ContinueWatchingHandler],
        limit: LimitParam = DEFAULT_LIMIT,
    ) -> Data[list[ContinueOut]]:
        """Per series in progress, most recent first: the episode to watch and where to start
        (the next episode once the last one watched is completed; a finished series is left
        out)."""
        found = await continue_watching(ContinueWatching(actor=actor, limit=limit))
        return Data(data=[ContinueOut.of(resume) for resume in found])
