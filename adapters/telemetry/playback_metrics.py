"""Playback counters on ``/metrics`` (the process's Prometheus registry, as the HTTP metrics).

``studio_bridge_plays_total``: signed URLs handed out; ``studio_bridge_play_denials_total``:
refusals, by reason (``not_published``, ``subscription_required``, ``subscription_expired``).
Created once per process: the registry refuses a second metric of the same name.
"""

from prometheus_client import Counter

_PLAYS = Counter("studio_bridge_plays", "Episodes played: a signed playback URL handed out.")
_DENIALS = Counter(
    "studio_bridge_play_denials",
    "Plays refused by the entitlement policy, by reason.",
    ["reason"],
)


class PrometheusPlaybackMetrics:
    def played(self) -> None:
        _PLAYS.inc()

    def denied(self, reason: str) -> None:
        _DENIALS.labels(reason=reason).inc()
