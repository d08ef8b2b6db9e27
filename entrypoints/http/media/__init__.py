"""HTTP routes of the media context: uploads, videos, and the local store's signed URLs."""
