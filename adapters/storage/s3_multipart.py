"""Multipart uploads on S3: create one with a presigned URL per part, complete it, abort it.

Above the store's threshold a client sends the file as numbered parts, each to its own URL
whose signature fixes the part's exact length; the app then asks S3 to assemble them.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from adapters.storage.s3_rules import is_incomplete_upload, is_unknown_upload
from application.media.ports import CompletedPart, PresignedPart
from domain.media.errors import UploadIncompleteError

if TYPE_CHECKING:  # the stubs are a dev dependency: types only
    from types_aiobotocore_s3 import S3Client


async def create(
    client: "S3Client",
    presigner: "S3Client",
    *,
    bucket: str,
    key: str,
    content_type: str,
    sizes: Sequence[int],
    lifetime: int,
) -> tuple[str, tuple[PresignedPart, ...]]:
    """Start the upload (its type is fixed here, once) and presign one URL per part size."""
    created = await client.create_multipart_upload(Bucket=bucket, Key=key, ContentType=content_type)
    upload_id = created["UploadId"]
    parts = []
    for number, size in enumerate(sizes, start=1):
        url = await presigner.generate_presigned_url(
            "upload_part",
            Params={
                "Bucket": bucket,
                "Key": key,
                "UploadId": upload_id,
                "PartNumber": number,
                "ContentLength": size,
            },
            ExpiresIn=lifetime,
            HttpMethod="PUT",
        )
        parts.append(PresignedPart(number=number, url=url, size=size))
    return upload_id, tuple(parts)


async def complete(
    client: "S3Client", *, bucket: str, key: str, upload_id: str, parts: Sequence[CompletedPart]
) -> bool:
    """Assemble the parts; False when S3 no longer knows the upload (completed or aborted).

    Raises ``UploadIncompleteError`` when the parts do not make the whole file.
    """
    ordered = sorted(parts, key=lambda part: part.number)
    # S3 assembles whatever valid parts it is given, gaps included: a part left out would
    # silently make a shorter file. Our URLs number parts 1..n, so anything else is short.
    # (Leaving out the last parts still passes here: the registration's size check sees it.)
    if [part.number for part in ordered] != list(range(1, len(ordered) + 1)):
        raise UploadIncompleteError(
            "Parts must be numbered 1, 2, 3... with none missing or repeated.",
            details={"parts": [part.number for part in ordered]},
        )
    try:
        await client.complete_multipart_upload(
            Bucket=bucket,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={
                "Parts": [{"PartNumber": part.number, "ETag": part.etag} for part in ordered]
            },
        )
    except ClientError as exc:
        if is_incomplete_upload(exc):
            raise UploadIncompleteError(
                "Some parts of this upload are missing, too small, or not as sent."
            ) from exc
        if is_unknown_upload(exc):
            return False
        raise
    return True


async def abort(client: "S3Client", *, bucket: str, key: str, upload_id: str) -> None:
    """Drop the parts sent so far; an upload already gone (aborted, completed) is fine."""
    try:
        await client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
    except ClientError as exc:
        if not is_unknown_upload(exc):
            raise
