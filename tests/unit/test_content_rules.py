"""Content rules with plain values: both transition tables exhaustively (every status x every
action), the series/episode rules across them, values, and the free/locked marking."""

from itertools import product

import pytest

from domain.content.errors import (
    EpisodeLockedError,
    IllegalTransitionError,
    InvalidContentError,
    SeriesArchivedError,
    SeriesNotPublishableError,
    VideoNotReadyError,
)
from domain.content.model import (
    EPISODE_TRANSITIONS,
    EPISODES_RESET,
    MODERATOR_ACTIONS,
    SERIES_TRANSITIONS,
    ContentAction,
    EpisodeStatus,
    Rejection,
    RejectionReason,
    Series,
    SeriesStatus,
)
from domain.content.rules import episode_access, episode_transition, viewer_sees
from domain.content.values import (
    MAX_EPISODE_NUMBER,
    MAX_SYNOPSIS,
    check_number,
    check_synopsis,
    check_tags,
    check_title,
    matches_query,
    query_words,
)
from domain.identity.model import Role
from domain.media.model import VideoStatus
from domain.shared.errors import ConflictError
from domain.shared.ids import StudioId, UserId
from tests.support import content as make
from tests.support.builders import at

STUDIO = StudioId("0192f5a4-0000-7000-8000-00000000a001")
OWNER = UserId("0192f5a4-0000-7000-8000-0000000000e1")
NOTE = Rejection(reason=RejectionReason.COPYRIGHT, note="The theme song is not cleared.")
S, E, A = SeriesStatus, EpisodeStatus, ContentAction

# The tables restated independently: (status, action) -> status, everything else illegal.
EXPECTED_SERIES = {
    (S.DRAFT, A.SUBMIT): S.PENDING,
    (S.REJECTED, A.SUBMIT): S.PENDING,
    (S.PENDING, A.WITHDRAW): S.DRAFT,
    (S.PENDING, A.APPROVE): S.PUBLISHED,
    (S.PENDING, A.REJECT): S.REJECTED,
    (S.PUBLISHED, A.UNPUBLISH): S.DRAFT,
    (S.DRAFT, A.ARCHIVE): S.ARCHIVED,
    (S.PENDING, A.ARCHIVE): S.ARCHIVED,
    (S.PUBLISHED, A.ARCHIVE): S.ARCHIVED,
    (S.REJECTED, A.ARCHIVE): S.ARCHIVED,
    (S.ARCHIVED, A.RESTORE): S.DRAFT,
}
EXPECTED_EPISODES = {
    (E.DRAFT, A.SUBMIT): E.PENDING,
    (E.REJECTED, A.SUBMIT): E.PENDING,
    (E.PENDING, A.WITHDRAW): E.DRAFT,
    (E.PENDING, A.APPROVE): E.PUBLISHED,
    (E.PENDING, A.REJECT): E.REJECTED,
    (E.PUBLISHED, A.UNPUBLISH): E.DRAFT,
}


def test_the_tables_are_the_ones_documented() -> None:
    assert dict(SERIES_TRANSITIONS) == EXPECTED_SERIES
    assert dict(EPISODE_TRANSITIONS) == EXPECTED_EPISODES
    assert set(MODERATOR_ACTIONS) == {A.APPROVE, A.REJECT, A.UNPUBLISH, A.ARCHIVE, A.RESTORE}


@pytest.mark.parametrize(("status", "action"), list(product(SeriesStatus, ContentAction)))
@pytest.mark.parametrize("published_episodes", [0, 2])
def test_every_series_status_x_action(
    status: SeriesStatus, action: ContentAction, published_episodes: int
) -> None:
    if published_episodes and status is not S.PUBLISHED:
        return  # only a published series has published episodes
    series = make.series(STUDIO, OWNER, status=status, published_episodes=published_episodes)
    rejection = NOTE if action is A.REJECT else None
    expected = EXPECTED_SERIES.get((status, action))
    if expected is None:
        with pytest.raises(IllegalTransitionError) as raised:
            series.transitioned(action, rejection=rejection, at=at(10))
        assert isinstance(raised.value, ConflictError)
        assert raised.value.code == "illegal_transition"
        assert raised.value.details == {
            "resource": "series",
            "status": status.value,
            "action": action.value,
        }
        return
    moved = series.transitioned(action, rejection=rejection, at=at(10))
    assert moved.status is expected
    assert moved.updated_at == at(10)
    assert moved.rejection == (NOTE if expected is S.REJECTED else None)
    if action is A.SUBMIT:
        assert moved.submitted_at == at(10)
    if action is A.APPROVE:
        assert (moved.published_by_hand, moved.published_at) == (True, at(10))
    if action in EPISODES_RESET:
        assert (moved.published_episodes, moved.published_by_hand) == (0, False)
        assert moved.published_at is None


@pytest.mark.parametrize(("status", "action"), list(product(EpisodeStatus, ContentAction)))
def test_every_episode_status_x_action(status: EpisodeStatus, action: ContentAction) -> None:
    series = make.series(STUDIO, OWNER, status=S.PUBLISHED, published_episodes=1)
    episode = make.episode(series, status=status)
    rejection = NOTE if action is A.REJECT else None
    expected = EXPECTED_EPISODES.get((status, action))
    if expected is None:
        with pytest.raises(IllegalTransitionError) as raised:
            episode_transition(
                series,
                episode,
                action,
                video_status=VideoStatus.READY,
                rejection=rejection,
                at=at(10),
            )
        assert raised.value.code == "illegal_transition"
        assert raised.value.details is not None
        assert raised.value.details["resource"] == "episode"
        return
    new_series, moved = episode_transition(
        series, episode, action, video_status=VideoStatus.READY, rejection=rejection, at=at(10)
    )
    assert moved.status is expected
    assert (moved.published_at is not None) == (expected is E.PUBLISHED)
    assert moved.rejection == (NOTE if expected is E.REJECTED else None)
    change = {A.APPROVE: 1, A.UNPUBLISH: -1}.get(action, 0)
    assert new_series.published_episodes == series.published_episodes + change


@pytest.mark.parametrize("status", [S.DRAFT, S.PENDING])
def test_approving_an_episode_publishes_a_draft_or_pending_series(status: SeriesStatus) -> None:
    series = make.series(STUDIO, OWNER, status=status)
    episode = make.episode(series, status=E.PENDING)
    new_series, moved = episode_transition(
        series, episode, A.APPROVE, video_status=VideoStatus.UPLOADED, at=at(10)
    )
    assert moved.status is E.PUBLISHED
    assert new_series.status is S.PUBLISHED
    assert (new_series.published_episodes, new_series.published_by_hand) == (1, False)
    assert new_series.published_at == at(10)
    assert viewer_sees(new_series, moved)


def test_a_published_series_keeps_its_publication_time_with_more_episodes() -> None:
    series = make.series(STUDIO, OWNER, status=S.PUBLISHED, published_episodes=1)
    new_series, _ = episode_transition(
        series,
        make.episode(series, 2, status=E.PENDING),
        A.APPROVE,
        video_status=VideoStatus.READY,
        at=at(10),
    )
    assert (new_series.published_episodes, new_series.published_at) == (2, series.published_at)


@pytest.mark.parametrize(("status", "error"), [(S.REJECTED, SeriesNotPublishableError)])
def test_an_episode_of_a_rejected_series_cannot_be_approved(
    status: SeriesStatus, error: type[ConflictError]
) -> None:
    series = make.series(STUDIO, OWNER, status=status)
    with pytest.raises(error) as raised:
        episode_transition(
            series,
            make.episode(series, status=E.PENDING),
            A.APPROVE,
            video_status=VideoStatus.READY,
            at=at(10),
        )
    assert raised.value.code == "series_not_publishable"


@pytest.mark.parametrize("action", [A.SUBMIT, A.APPROVE, A.REJECT, A.WITHDRAW])
def test_nothing_moves_in_an_archived_series(action: ContentAction) -> None:
    series = make.series(STUDIO, OWNER, status=S.ARCHIVED)
    status = E.DRAFT if action is A.SUBMIT else E.PENDING
    with pytest.raises(SeriesArchivedError) as raised:
        episode_transition(
            series,
            make.episode(series, status=status),
            action,
            video_status=VideoStatus.READY,
            rejection=NOTE,
            at=at(10),
        )
    assert raised.value.code == "series_archived"


@pytest.mark.parametrize("video", [VideoStatus.PROCESSING, VideoStatus.FAILED, None])
def test_an_episode_needs_a_playable_video_to_be_approved(video: VideoStatus | None) -> None:
    series = make.series(STUDIO, OWNER)
    with pytest.raises(VideoNotReadyError) as raised:
        episode_transition(
            series, make.episode(series, status=E.PENDING), A.APPROVE, video_status=video, at=at(9)
        )
    assert isinstance(raised.value, ConflictError)
    assert raised.value.code == "video_not_ready"


def test_unpublishing_the_last_episode_takes_the_series_back_to_draft() -> None:
    series = make.series(STUDIO, OWNER, status=S.PUBLISHED, published_episodes=1)
    new_series, moved = episode_transition(
        series, make.episode(series, status=E.PUBLISHED), A.UNPUBLISH, video_status=None, at=at(9)
    )
    assert moved.status is E.DRAFT
    assert (new_series.status, new_series.published_episodes) == (S.DRAFT, 0)
    assert new_series.published_at is None


def test_a_series_published_by_hand_stays_published_without_episodes() -> None:
    series = make.series(
        STUDIO, OWNER, status=S.PUBLISHED, published_episodes=1, published_by_hand=True
    )
    new_series, _ = episode_transition(
        series, make.episode(series, status=E.PUBLISHED), A.UNPUBLISH, video_status=None, at=at(9)
    )
    assert (new_series.status, new_series.published_episodes) == (S.PUBLISHED, 0)
    assert not viewer_sees(new_series)  # published, but nothing to play: not shown to viewers


def test_a_series_refuses_to_break_the_publication_rule() -> None:
    for status, by_hand, count in [
        (S.DRAFT, False, 1),
        (S.DRAFT, True, 0),
        (S.PUBLISHED, False, 0),
        (S.ARCHIVED, False, 2),
    ]:
        with pytest.raises(InvalidContentError):
            Series(
                id="x",
                studio_id=STUDIO,
                owner_id=OWNER,
                title="T",
                status=status,
                published_by_hand=by_hand,
                published_episodes=count,
                published_at=at(1) if status is S.PUBLISHED else None,
                created_at=at(0),
                updated_at=at(0),
            )


def test_a_rejection_needs_a_reason_and_other_needs_a_note() -> None:
    series = make.series(STUDIO, OWNER, status=S.PENDING)
    with pytest.raises(InvalidContentError):
        series.transitioned(A.REJECT, rejection=None, at=at(3))
    with pytest.raises(InvalidContentError):
        Rejection(reason=RejectionReason.OTHER, note="  ")
    with pytest.raises(InvalidContentError):
        Rejection(reason=RejectionReason.LOW_QUALITY, note="x" * 2001)
    assert Rejection(reason=RejectionReason.OTHER, note="see chat").note == "see chat"


@pytest.mark.parametrize("status", list(EpisodeStatus))
def test_only_draft_and_rejected_episodes_are_edited(status: EpisodeStatus) -> None:
    series = make.series(STUDIO, OWNER, status=S.PUBLISHED, published_episodes=1)
    episode = make.episode(series, status=status)
    if status in (E.DRAFT, E.REJECTED):
        changed = episode.changed(title="New", number=4, at=at(5))
        assert (changed.title, changed.number, changed.status) == ("New", 4, status)
        return
    with pytest.raises(EpisodeLockedError) as raised:
        episode.changed(title="New", at=at(5))
    assert raised.value.code == "episode_locked"


def test_an_archived_series_is_not_edited() -> None:
    with pytest.raises(SeriesArchivedError):
        make.series(STUDIO, OWNER, status=S.ARCHIVED).changed(title="New", at=at(5))


def test_values_are_cleaned_and_bounded() -> None:
    assert check_title("  Love   in  Seoul ") == "Love in Seoul"
    for bad in ("", "   ", "x" * 201):
        with pytest.raises(InvalidContentError):
            check_title(bad)
    assert check_synopsis("  s  ") == "s"
    with pytest.raises(InvalidContentError):
        check_synopsis("x" * (MAX_SYNOPSIS + 1))
    assert check_tags(("Romance", "romance ", "CEO", "")) == ("romance", "ceo")
    with pytest.raises(InvalidContentError):
        check_tags(("x" * 41,))
    for number in (1, MAX_EPISODE_NUMBER):
        assert check_number(number) == number
    for wrong in (0, -1, MAX_EPISODE_NUMBER + 1, True):
        with pytest.raises(InvalidContentError):
            check_number(wrong)


def test_q_matches_word_prefixes_of_the_title() -> None:
    assert query_words("Love SE") == ("love", "se")
    assert matches_query("Love in Seoul", ("se", "lo"))
    assert not matches_query("Love in Seoul", ("oul",))
    for bad in ("", "  ", "a b c d e f"):
        with pytest.raises(InvalidContentError):
            query_words(bad)


@pytest.mark.parametrize(
    ("number", "role", "subscribed", "free", "locked"),
    [
        (1, Role.VIEWER, False, True, False),
        (3, Role.VIEWER, False, True, False),
        (4, Role.VIEWER, False, False, True),
        (4, Role.VIEWER, True, False, False),
        (4, Role.ARTIST, False, False, False),
        (99, Role.ADMIN, False, False, False),
    ],
)
def test_free_and_locked(
    number: int, role: Role, subscribed: bool, free: bool, locked: bool
) -> None:
    access = episode_access(number, free_episodes=3, role=role, subscribed=subscribed)
    assert (access.free, access.locked) == (free, locked)


def test_no_free_episodes_locks_every_episode_for_viewers() -> None:
    access = episode_access(1, free_episodes=0, role=Role.VIEWER, subscribed=False)
    assert (access.free, access.locked) == (False, True)
