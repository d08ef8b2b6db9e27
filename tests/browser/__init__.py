"""Tests that drive a real headless Chromium against a real server process."""
