"""Asset rules under random inputs: the review state machine and the dependency graph."""

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.assets.dependencies import check_no_cycle
from domain.assets.errors import (
    DependencyCycleError,
    IllegalTransitionError,
    VersionNotForwardError,
)
from domain.assets.model import (
    TRANSITIONS,
    Asset,
    AssetStatus,
    AssetType,
    ReviewAction,
)
from domain.shared.ids import UserId
from tests.support import builders as make

# DESIGN section 2 / the assets issue, restated: the only legal moves.
LEGAL = {
    (AssetStatus.DRAFT, ReviewAction.SUBMIT): AssetStatus.IN_REVIEW,
    (AssetStatus.IN_REVIEW, ReviewAction.APPROVE): AssetStatus.APPROVED,
    (AssetStatus.IN_REVIEW, ReviewAction.SEND_BACK): AssetStatus.DRAFT,
    (AssetStatus.APPROVED, ReviewAction.ARCHIVE): AssetStatus.ARCHIVED,
}


def an_asset(status: AssetStatus = AssetStatus.DRAFT) -> Asset:
    return Asset(
        id=make.new_id(),
        studio_id=make.studio().id,
        owner_id=UserId(make.new_id()),
        name="Hero rig",
        type=AssetType.RIG,
        status=status,
        created_at=make.T0,
        updated_at=make.T0,
    )


def test_the_table_is_exactly_the_workflow() -> None:
    assert dict(TRANSITIONS) == LEGAL


@given(
    actions=st.lists(st.sampled_from(list(ReviewAction)), max_size=12),
)
def test_any_sequence_follows_the_workflow_or_is_refused(actions: list[ReviewAction]) -> None:
    asset = an_asset()
    for step, action in enumerate(actions):
        before = asset.status
        if (before, action) in LEGAL:
            asset = asset.reviewed(action, note="needs work", at=make.at(step))
            assert asset.status is LEGAL[(before, action)]
            # A note is kept only when an asset is sent back.
            assert (asset.review_note is not None) == (action is ReviewAction.SEND_BACK)
        else:
            with pytest.raises(IllegalTransitionError):
                asset.reviewed(action, note=None, at=make.at(step))
    # Archived is final.
    if asset.status is AssetStatus.ARCHIVED:
        for action in ReviewAction:
            with pytest.raises(IllegalTransitionError):
                asset.reviewed(action, note=None, at=make.at(99))


graphs = st.dictionaries(
    st.sampled_from("abcdefgh"), st.lists(st.sampled_from("abcdefgh"), max_size=4), max_size=8
)


def reaches(graph: dict[str, list[str]], start: str, goal: str) -> bool:
    stack, seen = [start], set()
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(graph.get(node, []))
    return False


@given(graph=graphs, asset=st.sampled_from("abcdefgh"), new=st.lists(st.sampled_from("abcdefgh")))
def test_a_cycle_is_refused_exactly_when_a_new_dependency_reaches_back(
    graph: dict[str, list[str]], asset: str, new: list[str]
) -> None:
    would_cycle = any(reaches(graph, dependency, asset) for dependency in new)
    if would_cycle:
        with pytest.raises(DependencyCycleError):
            check_no_cycle(asset, new, lambda node: graph.get(node, []))
    else:
        check_no_cycle(asset, new, lambda node: graph.get(node, []))


def test_the_current_version_only_moves_forward() -> None:
    asset = an_asset().with_version(1, at=make.at(1)).with_version(2, at=make.at(2))
    assert asset.current_version == 2
    for number in (1, 2):
        with pytest.raises(VersionNotForwardError):
            asset.with_version(number, at=make.at(3))


def test_soft_delete_and_restore_are_idempotent() -> None:
    asset = an_asset()
    deleted = asset.deleted(at=make.at(1))
    assert deleted.deleted(at=make.at(2)).deleted_at == make.at(1)
    assert deleted.restored(at=make.at(3)).deleted_at is None
    assert replace(asset).restored(at=make.at(3)) == asset
