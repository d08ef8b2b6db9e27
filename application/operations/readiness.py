"""Readiness: does every configured dependency answer within its time budget?"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from application.media.ports import BlobStore
from application.shared.ports import DependencyProbe, Persistence


@dataclass(frozen=True, slots=True, kw_only=True)
class DependencyStatus:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadinessReport:
    checks: tuple[DependencyStatus, ...]

    @property
    def ready(self) -> bool:
        return all(check.ok for check in self.checks)


class CheckReadinessHandler:
    """Ask every probe at once; one that fails or exceeds ``timeout`` means not ready."""

    def __init__(self, probes: Sequence[DependencyProbe], *, timeout: float) -> None:
        self._probes = tuple(probes)
        self._timeout = timeout

    async def __call__(self) -> ReadinessReport:
        statuses = await asyncio.gather(*(self._ask(probe) for probe in self._probes))
        return ReadinessReport(checks=tuple(statuses))

    async def _ask(self, probe: DependencyProbe) -> DependencyStatus:
        try:
            async with asyncio.timeout(self._timeout):
                await probe.check()
        except TimeoutError:
            return DependencyStatus(
                name=probe.name, ok=False, detail=f"no answer within {self._timeout:g}s"
            )
        except Exception as exc:  # any failure of a dependency means "not ready", never a crash
            return DependencyStatus(name=probe.name, ok=False, detail=_describe(exc))
        return DependencyStatus(name=probe.name, ok=True, detail="ok")


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


class PersistenceProbe:
    """Readiness of the configured store, whichever adapter it is."""

    def __init__(self, persistence: Persistence, *, name: str) -> None:
        self._persistence = persistence
        self.name = name

    async def check(self) -> None:
        await self._persistence.ping()


class BlobStoreProbe:
    """Readiness of the media store (the bucket answers, or the folder is writable)."""

    def __init__(self, blob_store: BlobStore, *, name: str) -> None:
        self._blob_store = blob_store
        self.name = name

    async def check(self) -> None:
        await self._blob_store.ping()
