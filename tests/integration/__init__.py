"""Tests against a real server process over real HTTP."""
