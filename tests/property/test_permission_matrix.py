"""The permission matrix against DESIGN section 3, restated here independently of ``MATRIX``.

Every role x capability x (no resource | own | someone else's) x (same | other studio) is
checked against ``can`` and ``authorize``, for signed-in users and service identities alike.
"""

import itertools
import uuid
from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.identity.access import Actor, Capability, Owned, authorize, can
from domain.identity.errors import UserNotFoundError
from domain.identity.model import Role
from domain.shared.errors import DomainError, ForbiddenError, NotFoundError
from domain.shared.ids import StudioId, UserId

C = Capability
# DESIGN section 3, row by row: the columns are viewer, artist, director, producer, admin.
ROLE_COLUMNS = (Role.VIEWER, Role.ARTIST, Role.DIRECTOR, Role.PRODUCER, Role.ADMIN)
DESIGN_TABLE: tuple[tuple[str, tuple[Capability, ...]], ...] = (
    # browse published catalog, track own progress; play an episode (viewers: if entitled,
    # which the entitlement policy decides, not the matrix)
    ("y y y y y", (C.BROWSE_CATALOG, C.PLAY_EPISODE)),
    # read assets, upload, create assets
    ("- y y y y", (C.READ_ASSETS, C.UPLOAD, C.CREATE_ASSETS)),
    # edit/delete own assets; create and edit own series, episodes, videos
    ("- y y y y", (C.EDIT_OWN, C.DELETE_OWN, C.CREATE_CONTENT)),
    # edit any asset or content; review assets; manage render jobs
    ("- - y y y", (C.EDIT_ANY, C.REVIEW_ASSETS, C.MANAGE_RENDER_JOBS)),
    # moderate (approve/reject publication); delete any; read audit
    ("- - - y y", (C.MODERATE, C.DELETE_ANY, C.READ_AUDIT)),
    # manage users, roles, subscriptions, studio settings
    ("- - - - y", (C.MANAGE_USERS, C.MANAGE_SUBSCRIPTIONS, C.MANAGE_STUDIO)),
)


def _holders() -> dict[Capability, frozenset[Role]]:
    holders: dict[Capability, frozenset[Role]] = {}
    for marks, capabilities in DESIGN_TABLE:
        roles = frozenset(
            role for role, mark in zip(ROLE_COLUMNS, marks.split(), strict=True) if mark == "y"
        )
        for capability in capabilities:
            holders[capability] = roles
    return holders


HOLDERS = _holders()
# "Own" rights reach someone else's resource only through the matching "any" right.
ON_OTHERS = {C.EDIT_OWN: C.EDIT_ANY, C.DELETE_OWN: C.DELETE_ANY}


class Target(StrEnum):
    NONE = "no resource"
    OWN = "own resource"
    OTHERS = "someone else's resource"


STUDIO = StudioId("0192f5a4-0000-7000-8000-00000000a001")
OTHER_STUDIO = StudioId("0192f5a4-0000-7000-8000-00000000b002")
ME = UserId("0192f5a4-0000-7000-8000-0000000000e1")
COLLEAGUE = UserId("0192f5a4-0000-7000-8000-0000000000e2")


def expected(role: Role, capability: Capability, target: Target, same_studio: bool) -> bool:
    """What DESIGN section 3 says, from the table above only."""
    if target is not Target.NONE and not same_studio:
        return False  # another studio's resource: as if it did not exist
    if target is Target.OTHERS and capability in ON_OTHERS:
        return role in HOLDERS[ON_OTHERS[capability]]
    return role in HOLDERS[capability]


def resource_for(actor: Actor, target: Target, same_studio: bool, other: UserId) -> Owned | None:
    studio = actor.studio_id if same_studio else OTHER_STUDIO
    if target is Target.NONE:
        return None
    return Owned(studio_id=studio, owner_id=actor.user_id if target is Target.OWN else other)


def check(actor: Actor, capability: Capability, resource: Owned | None, allowed: bool) -> None:
    """``can`` answers ``allowed``; ``authorize`` agrees, with the right kind of refusal."""
    assert can(actor, capability, resource) is allowed, (actor, capability, resource)
    if allowed:
        authorize(actor, capability, resource)  # does not raise
        return
    other_studio = resource is not None and resource.studio_id != actor.studio_id
    expected_error: type[DomainError] = NotFoundError if other_studio else ForbiddenError
    with pytest.raises(expected_error) as caught:
        authorize(actor, capability, resource)
    if other_studio:
        # Never "forbidden": that would tell the caller the resource exists.
        assert not isinstance(caught.value, ForbiddenError)
    else:
        assert not isinstance(caught.value, NotFoundError)
        assert caught.value.code == "forbidden"


def test_the_restated_table_names_every_capability_once() -> None:
    named = [capability for _, capabilities in DESIGN_TABLE for capability in capabilities]
    assert sorted(named) == sorted(Capability)  # a new capability must be added to DESIGN too


@pytest.mark.parametrize("role", list(Role))
def test_the_whole_matrix_for_users(role: Role) -> None:
    actor = Actor(user_id=ME, studio_id=STUDIO, role=role)
    for capability, target, same_studio in itertools.product(Capability, Target, (True, False)):
        resource = resource_for(actor, target, same_studio, COLLEAGUE)
        check(actor, capability, resource, expected(role, capability, target, same_studio))


@pytest.mark.parametrize("role", list(Role))
def test_the_whole_matrix_for_service_identities(role: Role) -> None:
    actor = Actor.for_service("render-farm", studio_id=STUDIO, role=role)
    assert actor.service == "render-farm"
    for capability, target, same_studio in itertools.product(Capability, Target, (True, False)):
        resource = resource_for(actor, target, same_studio, COLLEAGUE)
        check(actor, capability, resource, expected(role, capability, target, same_studio))


ids = st.uuids().map(str)
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=20)


@st.composite
def actors(draw: st.DrawFn) -> Actor:
    role = draw(st.sampled_from(Role))
    studio = StudioId(draw(ids))
    if draw(st.booleans()):
        return Actor.for_service(draw(names), studio_id=studio, role=role)
    return Actor(user_id=UserId(draw(ids)), studio_id=studio, role=role)


@given(
    actor=actors(),
    capability=st.sampled_from(Capability),
    target=st.sampled_from(Target),
    same_studio=st.booleans(),
    other_owner=ids,
    other_studio=ids,
)
def test_any_actor_any_ids_follow_the_table(
    actor: Actor,
    capability: Capability,
    target: Target,
    same_studio: bool,
    other_owner: str,
    other_studio: str,
) -> None:
    if same_studio:
        studio = actor.studio_id
    else:
        studio = StudioId(other_studio)
        if studio == actor.studio_id:
            studio = StudioId(str(uuid.uuid4()))
    resource = None
    if target is not Target.NONE:
        owner = actor.user_id if target is Target.OWN else UserId(other_owner)
        resource = Owned(studio_id=studio, owner_id=owner)
    check(actor, capability, resource, expected(actor.role, capability, target, same_studio))


@given(actor=actors(), capability=st.sampled_from(Capability), own=st.booleans())
def test_another_studio_is_not_found_with_the_callers_error(
    actor: Actor, capability: Capability, own: bool
) -> None:
    # Whatever the role, even an admin, even for a resource "owned" by the same user id.
    resource = Owned(
        studio_id=StudioId(str(uuid.uuid4())),
        owner_id=actor.user_id if own else UserId(str(uuid.uuid4())),
    )
    assert not can(actor, capability, resource)
    with pytest.raises(UserNotFoundError):
        authorize(actor, capability, resource, not_found=UserNotFoundError)


@given(name=names, user_id=ids, role=st.sampled_from(Role), capability=st.sampled_from(C))
def test_a_service_identity_has_exactly_the_rights_of_its_role(
    name: str, user_id: str, role: Role, capability: Capability
) -> None:
    service = Actor.for_service(name, studio_id=STUDIO, role=role)
    person = Actor(user_id=UserId(user_id), studio_id=STUDIO, role=role)
    colleague = Owned(studio_id=STUDIO, owner_id=COLLEAGUE)
    for resource in (None, colleague, Owned(studio_id=OTHER_STUDIO, owner_id=COLLEAGUE)):
        assert can(service, capability, resource) == can(person, capability, resource)
    # A service identity owns nothing of a user's: its own rights reach no one else's work.
    theirs = Owned(studio_id=STUDIO, owner_id=UserId(user_id))
    assert can(service, capability, theirs) == expected(role, capability, Target.OTHERS, True)


def rights(role: Role) -> set[tuple[Capability, Target]]:
    """Everything ``role`` may do in its own studio, asked of ``can`` itself."""
    actor = Actor(user_id=ME, studio_id=STUDIO, role=role)
    return {
        (capability, target)
        for capability, target in itertools.product(Capability, Target)
        if can(actor, capability, resource_for(actor, target, True, COLLEAGUE))
    }


def test_each_role_has_every_right_of_the_role_below_and_more() -> None:
    for lower, higher in itertools.pairwise(ROLE_COLUMNS):
        assert rights(lower) < rights(higher), (lower, higher)


def test_viewers_only_browse_and_play() -> None:
    assert {capability for capability, _ in rights(Role.VIEWER)} == {
        C.BROWSE_CATALOG,
        C.PLAY_EPISODE,
    }


def test_a_refusal_names_the_capability_and_the_role() -> None:
    actor = Actor(user_id=ME, studio_id=STUDIO, role=Role.ARTIST)
    with pytest.raises(ForbiddenError) as caught:
        authorize(actor, C.MODERATE)
    assert caught.value.details == {"capability": "moderate", "role": "artist"}
