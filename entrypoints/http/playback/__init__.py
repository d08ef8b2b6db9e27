"""HTTP routes of the playback context: ``/video``."""
