"""How the S3 clients are configured: signatures, addressing, retries, timeouts, checksums."""

from aiobotocore.config import AioConfig

from adapters.storage.s3_rules import MAX_PART_SIZE, MAX_SINGLE_PUT, MIN_PART_SIZE


def client_config(
    *,
    path_style: bool,
    connect_timeout: float,
    read_timeout: float,
    max_attempts: int,
) -> AioConfig:
    # AioConfig is botocore's Config with aiohttp's connector options: what aiobotocore takes.
    return AioConfig(
        # botocore presigns S3 URLs with SigV2 unless told otherwise (DESIGN section 7), and
        # SigV2 URLs sign no header and are refused by newer regions.
        signature_version="s3v4",
        # An S3-compatible store (MinIO, a test server) rarely has per-bucket DNS names.
        s3={"addressing_style": "path"} if path_style else None,
        retries={"mode": "standard", "max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        # botocore >= 1.36 adds CRC checksums to every upload by default, which several
        # S3-compatible stores refuse; checksums only where the API requires them.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )


def check_sizes(*, multipart_threshold: int, part_size: int) -> None:
    """Refuse now the settings S3 would refuse at every upload later."""
    if not MIN_PART_SIZE <= part_size <= MAX_PART_SIZE:
        raise ValueError(f"part_size must be between {MIN_PART_SIZE} and {MAX_PART_SIZE}")
    if not 1 <= multipart_threshold <= MAX_SINGLE_PUT:
        raise ValueError(f"multipart_threshold must be between 1 and {MAX_SINGLE_PUT}")
