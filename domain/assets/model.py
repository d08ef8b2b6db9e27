"""An asset, its versions and its review workflow.

The review workflow is a state machine: draft -> in_review -> approved (reviewers) or back
to draft with a note; approved -> archived. Anything else is ``IllegalTransitionError``.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Self

from domain.assets.errors import (
    IllegalTransitionError,
    InvalidAssetError,
    VersionNotForwardError,
)
from domain.shared.ids import StudioId, UserId

AssetId = str

MAX_NAME = 200
MAX_DESCRIPTION = 5_000
MAX_TAGS = 32
MAX_TAG = 40
MAX_METADATA_ENTRIES = 64
MAX_METADATA_KEY = 64
MAX_METADATA_VALUE = 1_024
MAX_DEPENDENCIES = 500
MAX_NOTE = 2_000
MAX_QUERY_WORDS = 5

_WORD = re.compile(r"\w+")


class AssetType(StrEnum):
    CHARACTER = "character"
    PROP = "prop"
    ENVIRONMENT = "environment"
    RIG = "rig"
    TEXTURE = "texture"
    ANIMATION = "animation"
    AUDIO = "audio"
    VIDEO = "video"
    OTHER = "other"


class AssetStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    ARCHIVED = "archived"


class ReviewAction(StrEnum):
    SUBMIT = "submit"  # draft -> in_review (the owner, or anyone who may edit it)
    APPROVE = "approve"  # in_review -> approved (reviewers)
    SEND_BACK = "send_back"  # in_review -> draft, with a note (reviewers)
    ARCHIVE = "archive"  # approved -> archived (reviewers)


TRANSITIONS: Mapping[tuple[AssetStatus, ReviewAction], AssetStatus] = {
    (AssetStatus.DRAFT, ReviewAction.SUBMIT): AssetStatus.IN_REVIEW,
    (AssetStatus.IN_REVIEW, ReviewAction.APPROVE): AssetStatus.APPROVED,
    (AssetStatus.IN_REVIEW, ReviewAction.SEND_BACK): AssetStatus.DRAFT,
    (AssetStatus.APPROVED, ReviewAction.ARCHIVE): AssetStatus.ARCHIVED,
}
# The actions that need the REVIEW_ASSETS capability (submitting needs only edit rights).
REVIEWER_ACTIONS = frozenset({ReviewAction.APPROVE, ReviewAction.SEND_BACK, ReviewAction.ARCHIVE})


def next_status(status: AssetStatus, action: ReviewAction) -> AssetStatus:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransitionError(
            f"Cannot {action.replace('_', ' ')} an asset that is {status.replace('_', ' ')}.",
            details={"status": str(status), "action": str(action)},
        ) from None


def check_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not 1 <= len(cleaned) <= MAX_NAME:
        raise InvalidAssetError(
            f"A name has 1 to {MAX_NAME} characters.", details={"field": "name"}
        )
    return cleaned


def name_key(name: str) -> str:
    """What names are compared and sorted by: unique per studio without regard to case."""
    return name.casefold()


def name_words(name: str) -> tuple[str, ...]:
    """The words of a name, case-folded, each once: what a ``q`` search matches against."""
    return tuple(dict.fromkeys(_WORD.findall(name.casefold())))


def query_words(q: str) -> tuple[str, ...]:
    """The words of a search: an asset matches when each begins a word of its name.

    "red he" finds "Red Hero Rig"; so does "hero". Empty or too many words is an error.
    """
    words = name_words(q)
    if not 1 <= len(words) <= MAX_QUERY_WORDS:
        raise InvalidAssetError(
            f"A search has 1 to {MAX_QUERY_WORDS} words of letters or digits.",
            details={"field": "q"},
        )
    return words


def matches_query(name: str, words: tuple[str, ...]) -> bool:
    """The meaning of a ``q`` search, for adapters' tests and in-memory fakes."""
    own = name_words(name)
    return all(any(word.startswith(w) for word in own) for w in words)


def check_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    """Tags are compared in lower case; duplicates collapse; order is kept."""
    cleaned = tuple(dict.fromkeys(tag.strip().lower() for tag in tags if tag.strip()))
    if len(cleaned) > MAX_TAGS or any(len(tag) > MAX_TAG for tag in cleaned):
        raise InvalidAssetError(
            f"At most {MAX_TAGS} tags of at most {MAX_TAG} characters.", details={"field": "tags"}
        )
    return cleaned


def check_metadata(metadata: Mapping[str, str]) -> dict[str, str]:
    if len(metadata) > MAX_METADATA_ENTRIES or any(
        not 1 <= len(k) <= MAX_METADATA_KEY or len(v) > MAX_METADATA_VALUE
        for k, v in metadata.items()
    ):
        raise InvalidAssetError(
            f"At most {MAX_METADATA_ENTRIES} entries; keys 1 to {MAX_METADATA_KEY} characters, "
            f"values at most {MAX_METADATA_VALUE}.",
            details={"field": "metadata"},
        )
    return dict(metadata)


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetVersion:
    studio_id: StudioId
    asset_id: AssetId
    number: int  # 1, 2, 3 ...
    storage_key: str  # never shown to a client
    size: int
    sha256: str
    content_type: str
    author_id: UserId
    note: str
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Asset:
    id: AssetId
    studio_id: StudioId
    owner_id: UserId
    name: str
    type: AssetType
    status: AssetStatus = AssetStatus.DRAFT
    description: str = ""
    tags: tuple[str, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)
    current_version: int | None = None
    dependencies: tuple[AssetId, ...] = ()
    review_note: str | None = None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    revision: int = 1

    def __post_init__(self) -> None:
        if check_name(self.name) != self.name:
            raise InvalidAssetError("Store names in their cleaned form.")
        if len(self.description) > MAX_DESCRIPTION:
            raise InvalidAssetError(
                f"A description has at most {MAX_DESCRIPTION} characters.",
                details={"field": "description"},
            )
        if len(self.dependencies) > MAX_DEPENDENCIES or self.id in self.dependencies:
            raise InvalidAssetError("Too many dependencies, or one on itself.")

    @property
    def etag(self) -> str:
        """What ``If-Match`` must carry to change this asset: its revision."""
        return f'"{self.revision}"'

    def reviewed(self, action: ReviewAction, *, note: str | None, at: datetime) -> Self:
        status = next_status(self.status, action)
        return replace(
            self,
            status=status,
            review_note=note if action is ReviewAction.SEND_BACK else None,
            updated_at=at,
        )

    def changed(
        self,
        *,
        name: str | None = None,
        type: AssetType | None = None,
        description: str | None = None,
        tags: tuple[str, ...] | None = None,
        metadata: Mapping[str, str] | None = None,
        at: datetime,
    ) -> Self:
        """The asset with the given fields replaced (checked and cleaned); ``None`` keeps one."""
        return replace(
            self,
            name=self.name if name is None else check_name(name),
            type=self.type if type is None else type,
            description=self.description if description is None else description,
            tags=self.tags if tags is None else check_tags(tags),
            metadata=self.metadata if metadata is None else check_metadata(metadata),
            updated_at=at,
        )

    def with_dependencies(self, dependencies: tuple[AssetId, ...], *, at: datetime) -> Self:
        return replace(self, dependencies=dependencies, updated_at=at)

    def with_version(self, number: int, *, at: datetime) -> Self:
        if self.current_version is not None and number <= self.current_version:
            raise VersionNotForwardError(details={"current": self.current_version, "given": number})
        return replace(self, current_version=number, updated_at=at)

    def deleted(self, *, at: datetime) -> Self:
        return self if self.deleted_at else replace(self, deleted_at=at, updated_at=at)

    def restored(self, *, at: datetime) -> Self:
        return replace(self, deleted_at=None, updated_at=at) if self.deleted_at else self
