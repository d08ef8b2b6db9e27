"""Series and episodes to BSON documents and back.

``_id``, ``studio_id``, ``series_id`` and ``video_id`` are native UUIDs; ``owner_id`` too (or
the text of an internal tool's service identity); dates are BSON dates; enums are their string
values; a rejection is a ``{reason, note}`` sub-document (its keys are ours). Optional fields
are stored as null rather than left out, so every document of a collection has the same shape.
An episode stores its video's id only, never the video's storage key.

Derived series fields, written on every add and save and never read back: ``title_key`` (the
case-folded title that title sorts use), ``words`` (what a ``q`` search matches by prefix) and
``visible`` (published with a published episode: what the catalogue shows, as one equality at
the front of its indexes).
"""

from adapters.persistence.mongo.shared.codec import (
    Document,
    from_principal,
    from_uuid,
    optional_utc,
    to_principal,
    to_uuid,
    utc,
)
from domain.content.model import (
    Episode,
    EpisodeStatus,
    Rejection,
    RejectionReason,
    Series,
    SeriesStatus,
)
from domain.content.values import title_key, title_words
from domain.shared.ids import StudioId, UserId


def rejection_to_doc(rejection: Rejection | None) -> Document | None:
    if rejection is None:
        return None
    return {"reason": rejection.reason.value, "note": rejection.note}


def rejection_from_doc(doc: Document | None) -> Rejection | None:
    if doc is None:
        return None
    return Rejection(reason=RejectionReason(doc["reason"]), note=doc["note"])


def series_to_doc(series: Series) -> Document:
    return {
        "_id": to_uuid(series.id),
        "studio_id": to_uuid(series.studio_id),
        "owner_id": to_principal(series.owner_id),
        "title": series.title,
        "title_key": title_key(series.title),
        "words": list(title_words(series.title)),
        "synopsis": series.synopsis,
        # In the order given: the order is part of the series (SQLite keeps a JSON array).
        "tags": list(series.tags),
        "status": series.status.value,
        "visible": series.visible,
        "published_by_hand": series.published_by_hand,
        "published_episodes": series.published_episodes,
        "popularity": series.popularity,
        "rejection": rejection_to_doc(series.rejection),
        "submitted_at": series.submitted_at,
        "published_at": series.published_at,
        "created_at": series.created_at,
        "updated_at": series.updated_at,
        "revision": series.revision,
    }


def series_from_doc(doc: Document) -> Series:
    return Series(
        id=from_uuid(doc["_id"]),
        studio_id=StudioId(from_uuid(doc["studio_id"])),
        owner_id=UserId(from_principal(doc["owner_id"])),
        title=doc["title"],
        synopsis=doc["synopsis"],
        tags=tuple(doc["tags"]),
        status=SeriesStatus(doc["status"]),
        published_by_hand=doc["published_by_hand"],
        published_episodes=doc["published_episodes"],
        popularity=doc["popularity"],
        rejection=rejection_from_doc(doc.get("rejection")),
        submitted_at=optional_utc(doc.get("submitted_at")),
        published_at=optional_utc(doc.get("published_at")),
        created_at=utc(doc["created_at"]),
        updated_at=utc(doc["updated_at"]),
        revision=doc["revision"],
    )


def episode_to_doc(episode: Episode) -> Document:
    return {
        "_id": to_uuid(episode.id),
        "studio_id": to_uuid(episode.studio_id),
        "series_id": to_uuid(episode.series_id),
        "owner_id": to_principal(episode.owner_id),
        "number": episode.number,
        "title": episode.title,
        "video_id": to_uuid(episode.video_id),
        "status": episode.status.value,
        "rejection": rejection_to_doc(episode.rejection),
        "submitted_at": episode.submitted_at,
        "published_at": episode.published_at,
        "created_at": episode.created_at,
        "updated_at": episode.updated_at,
        "revision": episode.revision,
    }


def episode_from_doc(doc: Document) -> Episode:
    return Episode(
        id=from_uuid(doc["_id"]),
        studio_id=StudioId(from_uuid(doc["studio_id"])),
        series_id=from_uuid(doc["series_id"]),
        owner_id=UserId(from_principal(doc["owner_id"])),
        number=doc["number"],
        title=doc["title"],
        video_id=from_uuid(doc["video_id"]),
        status=EpisodeStatus(doc["status"]),
        rejection=rejection_from_doc(doc.get("rejection")),
        submitted_at=optional_utc(doc.get("submitted_at")),
        published_at=optional_utc(doc.get("published_at")),
        created_at=utc(doc["created_at"]),
        updated_at=utc(doc["updated_at"]),
        revision=doc["revision"],
    )
