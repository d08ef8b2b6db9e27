"""Uploads and videos to BSON documents and back.

``_id``, ``studio_id`` and ``owner_id`` are native UUIDs; dates are BSON dates; enums are their
string values. Optional fields are stored as null rather than left out, so every document of a
collection has the same shape.
"""

from adapters.persistence.mongo.shared.codec import Document, from_uuid, to_uuid, utc
from domain.media.model import Upload, UploadPurpose, UploadStatus, Video, VideoStatus
from domain.shared.ids import StudioId, UserId


def upload_to_doc(upload: Upload) -> Document:
    return {
        "_id": to_uuid(upload.id),
        "studio_id": to_uuid(upload.studio_id),
        "owner_id": to_uuid(upload.owner_id),
        "purpose": upload.purpose.value,
        "key": upload.key,
        "filename": upload.filename,
        "content_type": upload.content_type,
        "size": upload.size,
        "created_at": upload.created_at,
        "expires_at": upload.expires_at,
        "status": upload.status.value,
        "multipart_id": upload.multipart_id,
        "revision": upload.revision,
    }


def upload_from_doc(doc: Document) -> Upload:
    return Upload(
        id=from_uuid(doc["_id"]),
        studio_id=StudioId(from_uuid(doc["studio_id"])),
        owner_id=UserId(from_uuid(doc["owner_id"])),
        purpose=UploadPurpose(doc["purpose"]),
        key=doc["key"],
        filename=doc["filename"],
        content_type=doc["content_type"],
        size=doc["size"],
        created_at=utc(doc["created_at"]),
        expires_at=utc(doc["expires_at"]),
        status=UploadStatus(doc["status"]),
        multipart_id=doc.get("multipart_id"),
        revision=doc["revision"],
    )


def video_to_doc(video: Video) -> Document:
    duration = video.duration_seconds
    return {
        "_id": to_uuid(video.id),
        "studio_id": to_uuid(video.studio_id),
        "owner_id": to_uuid(video.owner_id),
        "title": video.title,
        "storage_key": video.storage_key,
        "content_type": video.content_type,
        "size": video.size,
        "status": video.status.value,
        # Always a double (as SQLite's REAL column), whatever number the caller gave.
        "duration_seconds": None if duration is None else float(duration),
        "width": video.width,
        "height": video.height,
        "created_at": video.created_at,
        "updated_at": video.updated_at,
        "revision": video.revision,
    }


def video_from_doc(doc: Document) -> Video:
    return Video(
        id=from_uuid(doc["_id"]),
        studio_id=StudioId(from_uuid(doc["studio_id"])),
        owner_id=UserId(from_uuid(doc["owner_id"])),
        title=doc["title"],
        storage_key=doc["storage_key"],
        content_type=doc["content_type"],
        size=doc["size"],
        status=VideoStatus(doc["status"]),
        duration_seconds=doc.get("duration_seconds"),
        width=doc.get("width"),
        height=doc.get("height"),
        created_at=utc(doc["created_at"]),
        updated_at=utc(doc["updated_at"]),
        revision=doc["revision"],
    )
