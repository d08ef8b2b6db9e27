"""Uploads and videos: round trips, unique keys, tenancy, compare-and-set, the sweep, lists."""

import asyncio
from dataclasses import replace

import pytest

from application.media.ports import VideoQuery
from application.shared.ports import Persistence
from domain.identity.model import Studio, User
from domain.media.errors import UploadNotFoundError, VideoNotFoundError
from domain.media.model import Upload, UploadPurpose, UploadStatus, Video, VideoStatus
from domain.shared.errors import ConflictError, StaleRevisionError
from domain.shared.ids import UserId
from domain.shared.paging import KeysetWindow, PageWindow, SortKey
from tests.support import builders as make

pytestmark = pytest.mark.anyio


async def studio_with_user(persistence: Persistence) -> tuple[Studio, User]:
    studio = make.studio()
    user = make.user(studio)
    async with persistence.unit_of_work() as uow:
        await uow.studios.add(studio)
        await uow.users.add(user)
        await uow.commit()
    return studio, user


async def add_uploads(persistence: Persistence, *uploads: Upload) -> None:
    async with persistence.unit_of_work() as uow:
        for upload in uploads:
            await uow.uploads.add(upload)
        await uow.commit()


async def add_videos(persistence: Persistence, *videos: Video) -> None:
    async with persistence.unit_of_work() as uow:
        for video in videos:
            await uow.videos.add(video)
        await uow.commit()


# Uploads


async def test_an_upload_round_trips_by_key(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    single = make.upload(user, "Opening Scene.mp4")
    multipart = make.upload(
        user,
        "character sheet.png",
        purpose=UploadPurpose.ASSET_VERSION,
        content_type="image/png",
        size=250_000_000,
        multipart_id="2~multipart-upload-id",
        expires_at=make.at(7200),
    )
    await add_uploads(persistence, single, multipart)
    async with persistence.unit_of_work(read_only=True) as uow:
        assert await uow.uploads.get_by_key(studio.id, single.key) == single
        assert await uow.uploads.get_by_key(studio.id, multipart.key) == multipart
        assert await uow.uploads.get_by_key(studio.id, f"{single.key}-nothing") is None
    assert single.multipart_id is None
    assert single.status is UploadStatus.PENDING


async def test_an_upload_id_is_unique(persistence: Persistence) -> None:
    _, user = await studio_with_user(persistence)
    upload = make.upload(user)
    await add_uploads(persistence, upload)
    with pytest.raises(ConflictError) as caught:
        await add_uploads(persistence, replace(upload, key=f"{upload.key}-other"))
    assert caught.value.code == "duplicate_id"


async def test_an_upload_key_is_unique_within_its_studio(persistence: Persistence) -> None:
    _, user = await studio_with_user(persistence)
    _, stranger = await studio_with_user(persistence)
    upload = make.upload(user)
    await add_uploads(persistence, upload)
    with pytest.raises(ConflictError) as caught:
        await add_uploads(persistence, make.upload(user, key=upload.key))
    assert caught.value.code == "duplicate_key"
    # Uniqueness is per studio (server-made keys also name their studio, so this is moot).
    await add_uploads(persistence, make.upload(stranger, key=upload.key))


async def test_another_studios_upload_is_not_there(persistence: Persistence) -> None:
    _, user = await studio_with_user(persistence)
    mine, _ = await studio_with_user(persistence)
    theirs = make.upload(user)
    await add_uploads(persistence, theirs)
    async with persistence.unit_of_work() as uow:
        assert await uow.uploads.get_by_key(mine.id, theirs.key) is None
        with pytest.raises(UploadNotFoundError):
            await uow.uploads.save(
                replace(theirs, studio_id=mine.id).completed(), expected_revision=1
            )
        await uow.uploads.delete(mine.id, theirs.id)  # names nothing of ours: nothing happens
        await uow.commit()
    async with persistence.unit_of_work(read_only=True) as uow:
        assert await uow.uploads.get_by_key(theirs.studio_id, theirs.key) == theirs


async def test_completing_an_upload_is_compare_and_set(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    upload = make.upload(user)
    await add_uploads(persistence, upload)
    async with persistence.unit_of_work() as uow:
        completed = await uow.uploads.save(upload.completed(), expected_revision=1)
        await uow.commit()
    assert (completed.status, completed.revision) == (UploadStatus.COMPLETED, 2)
    async with persistence.unit_of_work() as uow:
        with pytest.raises(StaleRevisionError):
            await uow.uploads.save(upload.completed(), expected_revision=1)
    async with persistence.unit_of_work() as uow:
        with pytest.raises(UploadNotFoundError):
            await uow.uploads.save(make.upload(user).completed(), expected_revision=1)
    async with persistence.unit_of_work(read_only=True) as uow:
        assert await uow.uploads.get_by_key(studio.id, upload.key) == completed


async def test_two_concurrent_completions_exactly_one_wins(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    upload = make.upload(user)
    await add_uploads(persistence, upload)

    async def complete() -> str:
        try:
            async with persistence.unit_of_work() as uow:
                await uow.uploads.save(upload.completed(), expected_revision=1)
                await uow.commit()
        except StaleRevisionError:
            return "lost"
        return "won"

    outcomes = await asyncio.gather(complete(), complete())
    assert sorted(outcomes) == ["lost", "won"]
    async with persistence.unit_of_work(read_only=True) as uow:
        stored = await uow.uploads.get_by_key(studio.id, upload.key)
    assert stored is not None
    assert (stored.status, stored.revision) == (UploadStatus.COMPLETED, 2)


async def test_expired_pending_uploads_oldest_first_across_studios(
    persistence: Persistence,
) -> None:
    _, ada = await studio_with_user(persistence)
    _, eve = await studio_with_user(persistence)
    tied = sorted(
        [make.upload(ada, expires_at=make.at(30)), make.upload(eve, expires_at=make.at(30))],
        key=lambda u: u.id,
    )
    expired = [
        make.upload(eve, expires_at=make.at(10)),
        make.upload(ada, expires_at=make.at(20)),
        *tied,  # the same instant: by id
        make.upload(eve, expires_at=make.at(40)),
    ]
    completed = make.upload(ada, expires_at=make.at(5), status=UploadStatus.COMPLETED)
    at_the_limit = make.upload(ada, expires_at=make.at(50))  # not expired *before* at(50)
    live = make.upload(eve, expires_at=make.at(500))
    await add_uploads(persistence, live, *reversed(expired), completed, at_the_limit)
    async with persistence.unit_of_work(read_only=True) as uow:
        everything = await uow.uploads.expired_pending(make.at(50), limit=100)
        first_batch = await uow.uploads.expired_pending(make.at(50), limit=3)
        none_yet = await uow.uploads.expired_pending(make.at(10), limit=100)
    assert everything == expired
    assert first_batch == expired[:3]
    assert none_yet == []


async def test_deleting_an_upload_frees_its_key(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    upload = make.upload(user)
    await add_uploads(persistence, upload)
    async with persistence.unit_of_work() as uow:
        await uow.uploads.delete(studio.id, upload.id)
        await uow.uploads.delete(studio.id, upload.id)  # absent is fine
        await uow.uploads.delete(studio.id, make.new_id())
        await uow.commit()
    async with persistence.unit_of_work(read_only=True) as uow:
        assert await uow.uploads.get_by_key(studio.id, upload.key) is None
    await add_uploads(persistence, make.upload(user, key=upload.key))


# Videos


async def test_a_video_round_trips_with_and_without_its_optional_fields(
    persistence: Persistence,
) -> None:
    studio, user = await studio_with_user(persistence)
    bare = make.video(user)
    measured = make.video(
        user,
        title="Épisode 2 — la forêt",
        status=VideoStatus.READY,
        duration_seconds=754.25,
        width=1920,
        height=1080,
        created_at=make.at(1),
        updated_at=make.at(90),
        revision=3,
    )
    await add_videos(persistence, bare, measured)
    async with persistence.unit_of_work(read_only=True) as uow:
        assert await uow.videos.get(studio.id, bare.id) == bare
        assert await uow.videos.get(studio.id, measured.id) == measured
    assert (bare.duration_seconds, bare.width, bare.height) == (None, None, None)


async def test_a_duplicate_video_id_is_a_conflict(persistence: Persistence) -> None:
    _, user = await studio_with_user(persistence)
    video = make.video(user)
    await add_videos(persistence, video)
    with pytest.raises(ConflictError) as caught:
        await add_videos(persistence, replace(video, title="Again"))
    assert caught.value.code == "duplicate_id"


async def test_another_studios_video_is_not_found(persistence: Persistence) -> None:
    _, user = await studio_with_user(persistence)
    mine, me = await studio_with_user(persistence)
    theirs = make.video(user)
    await add_videos(persistence, theirs)
    async with persistence.unit_of_work() as uow:
        with pytest.raises(VideoNotFoundError):
            await uow.videos.get(mine.id, theirs.id)
        with pytest.raises(VideoNotFoundError):
            await uow.videos.get(mine.id, make.new_id())
        with pytest.raises(VideoNotFoundError):
            await uow.videos.save(replace(theirs, studio_id=mine.id), expected_revision=1)
        page = await uow.videos.list(mine.id, VideoQuery(owner_id=user.id))
        assert (page.items, page.total) == ((), 0)
        assert (await uow.videos.list(mine.id, VideoQuery(owner_id=me.id))).total == 0


async def test_video_save_is_compare_and_set(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    video = make.video(user)
    await add_videos(persistence, video)
    ready = replace(video, status=VideoStatus.READY, duration_seconds=12.0, width=1280, height=720)
    async with persistence.unit_of_work() as uow:
        saved = await uow.videos.save(ready, expected_revision=1)
        await uow.commit()
    assert saved.revision == 2
    async with persistence.unit_of_work() as uow:
        with pytest.raises(StaleRevisionError):
            await uow.videos.save(replace(video, status=VideoStatus.FAILED), expected_revision=1)
    async with persistence.unit_of_work() as uow:
        with pytest.raises(VideoNotFoundError):
            await uow.videos.save(make.video(user), expected_revision=1)
    async with persistence.unit_of_work(read_only=True) as uow:
        assert await uow.videos.get(studio.id, video.id) == saved


async def seeded_videos(persistence: Persistence) -> tuple[Studio, User, list[Video]]:
    """Seven videos of one creator (pairs share a created_at: id breaks the tie), plus others."""
    studio, creator = await studio_with_user(persistence)
    colleague = make.user(studio)
    _, stranger = await studio_with_user(persistence)
    async with persistence.unit_of_work() as uow:
        await uow.users.add(colleague)
        await uow.commit()
    videos = [make.video(creator, title=f"Take {i}", created_at=make.at(i // 2)) for i in range(7)]
    others = [make.video(colleague), make.video(stranger, created_at=make.at(2))]
    await add_videos(persistence, *others, *videos)
    return studio, creator, newest_first(videos)


def newest_first(videos: list[Video]) -> list[Video]:
    return sorted(videos, key=lambda v: (v.created_at, v.id), reverse=True)


async def test_video_page_mode_lists_one_creators_videos_newest_first(
    persistence: Persistence,
) -> None:
    studio, creator, expected = await seeded_videos(persistence)
    async with persistence.unit_of_work(read_only=True) as uow:
        pages = [
            await uow.videos.list(
                studio.id, VideoQuery(owner_id=creator.id, window=PageWindow(page, 3))
            )
            for page in (1, 2, 3, 4)
        ]
        nobody = await uow.videos.list(studio.id, VideoQuery(owner_id=UserId(make.new_id())))
    assert [p.total for p in pages] == [7, 7, 7, 7]
    assert pages[0].total_pages == 3
    assert [v for p in pages for v in p.items] == expected
    assert pages[3].items == ()
    assert (nobody.items, nobody.total) == ((), 0)


async def test_video_keyset_mode_walks_every_video_once_in_order(
    persistence: Persistence,
) -> None:
    studio, creator, expected = await seeded_videos(persistence)
    walked: list[Video] = []
    positions: list[SortKey] = []
    after = None
    async with persistence.unit_of_work(read_only=True) as uow:
        for _ in range(10):
            page = await uow.videos.list(
                studio.id, VideoQuery(owner_id=creator.id, window=KeysetWindow(after, limit=2))
            )
            walked.extend(page.items)
            if page.next_after is None:
                break
            positions.append(page.next_after)
            after = page.next_after
    assert walked == expected
    # A position is (created_at in epoch ms, id) of the window's last video.
    assert positions[0] == (int(expected[1].created_at.timestamp() * 1000), expected[1].id)
    assert len(positions) == 3  # 7 videos by 2: the fourth window ends the walk


async def test_media_writes_are_not_kept_without_commit(persistence: Persistence) -> None:
    studio, user = await studio_with_user(persistence)
    upload, video = make.upload(user), make.video(user)
    async with persistence.unit_of_work() as uow:
        await uow.uploads.add(upload)
        await uow.videos.add(video)
        assert await uow.uploads.get_by_key(studio.id, upload.key) == upload  # its own writes
    async with persistence.unit_of_work(read_only=True) as uow:
        assert await uow.uploads.get_by_key(studio.id, upload.key) is None
        with pytest.raises(VideoNotFoundError):
            await uow.videos.get(studio.id, video.id)
        assert (await uow.videos.list(studio.id, VideoQuery(owner_id=user.id))).total == 0
