"""The documented internal tool (examples/asset_tool.py) run as an operator runs it: a real
process on a real store, then the same assets seen through the HTTP API, with their audit."""

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.support.identity_http import bearer, sign_in_admin
from tests.support.server import ROOT


def run_tool(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "APP_ENV": "test",
        "DATA_DIR": str(tmp_path / "var"),
        "ENV_FILE": "",
        "BOOTSTRAP_ADMIN_EMAIL": ADMIN_EMAIL,
        "BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "PYTHONPATH": str(ROOT),
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        [sys.executable, "-m", "examples.asset_tool", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_tool_imports_assets_idempotently_through_the_handlers(
    tmp_path: Path, make_client: Callable[..., TestClient[Any]]
) -> None:
    # The demo studio exists once the app has started on the store once.
    client = make_client()
    admin = bearer(sign_in_admin(client)["accessToken"])
    client.__exit__(None, None, None)  # release the store for the tool's process

    specs = ["Hero Rig:rig", "Castle:environment", "Rain Loop:audio"]
    first = run_tool(tmp_path, "--tag", "Import-1", *specs)
    assert first.returncode == 0, first.stderr
    again = run_tool(tmp_path, "--tag", "import-1", *specs)  # a re-run creates nothing new
    assert again.returncode == 0, again.stderr
    assert first.stdout == again.stdout
    lines = first.stdout.splitlines()
    assert [line.split(maxsplit=3)[-1] for line in lines] == ["Castle", "Hero Rig", "Rain Loop"]

    bad = run_tool(tmp_path, "--tag", "x", "Ship:spaceship")
    assert bad.returncode == 2
    assert "not an asset type" in bad.stderr

    client = make_client()
    listed = client.get("/assets", params={"tag": "import-1"}, headers=admin).json()
    assert listed["meta"]["total"] == 3
    assert {a["name"] for a in listed["data"]} == {"Hero Rig", "Castle", "Rain Loop"}
    assert all(a["ownerId"] == "service:asset-import" for a in listed["data"])
    events = client.get("/audit", params={"resourceType": "asset"}, headers=admin).json()["data"]
    assert sum(e["action"] == "asset.created" for e in events) == 3
