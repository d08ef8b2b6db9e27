"""Blob stores: S3 (or any S3-compatible store) and the local folder, behind ``BlobStore``."""
