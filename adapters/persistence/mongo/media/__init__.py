"""Uploads and videos on MongoDB."""
