"""The whole micro-drama journey on a real server process, over real HTTP, on both blob stores.

A creator uploads a real MP4 (made here with ffmpeg), registers it and builds a series of four
episodes; an admin approves them; a viewer plays a free episode but is refused the locked
fourth (the studio's first three are free); the admin activates the viewer's subscription;
the viewer plays it: ``ffprobe`` reads the video's duration through the URL the API returned,
and a ranged GET resumes mid-file; the viewer's progress then drives continue-watching.

- ``local``: the embedded media folder, whose signed URLs the server itself serves.
- ``s3``: moto's S3 server; the bytes go to it and come back from it over its own socket.

ffmpeg and ffprobe are Debian's (``tools/system_deps.py``, run by ``make test`` and
``.ci/run``, installs them when missing); without them this test fails, naming the fix.
"""

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import start_blocking_portal

from tests.support.s3_server import (
    TEST_ACCESS_KEY_ID,
    TEST_REGION,
    TEST_SECRET_ACCESS_KEY,
    fresh_bucket,
    shared_s3_endpoint,
)
from tests.support.server import ServerProcess, running_server

pytestmark = [pytest.mark.server, pytest.mark.slow]

ADMIN_EMAIL = "owner@demo.example.com"
ADMIN_PASSWORD = "tangerine-lighthouse-ferry-31"
STAFF_PASSWORD = "lantern-quill-orchard-42"
SECONDS = 3
EPISODES = 4  # the studio's default free episodes per series is 3: the fourth is locked
Auth = dict[str, str]


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"{name} is missing: install Debian's ffmpeg package "
            "(`python tools/system_deps.py test` does it, as `make test` and .ci/run do)",
            pytrace=False,
        )
    return found


@pytest.fixture(scope="module")
def mp4(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real 3-second H.264/AAC MP4 (320x240, 24 fps), its index at the front."""
    out = tmp_path_factory.mktemp("media") / "episode.mp4"
    source = ["-f", "lavfi", "-i", f"testsrc=duration={SECONDS}:size=320x240:rate=24"]
    tone = ["-f", "lavfi", "-i", f"sine=duration={SECONDS}"]
    codecs = ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart"]
    subprocess.run(
        [tool("ffmpeg"), "-v", "error", "-y", *source, *tone, *codecs, str(out)],
        check=True,
        timeout=120,
    )
    data = out.read_bytes()
    assert 10_000 < len(data) < 2_000_000, len(data)
    return data


def probed_duration(url: str) -> float:
    """What a real media client reads through ``url``: the container's duration."""
    command = [tool("ffprobe"), "-v", "error", "-show_entries", "format=duration"]
    done = subprocess.run(
        [*command, "-of", "csv=p=0", url], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return float(done.stdout.strip())


@pytest.fixture(params=["local", "s3"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    env = {"BOOTSTRAP_ADMIN_EMAIL": ADMIN_EMAIL, "BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD}
    if request.param == "local":
        with running_server(tmp_path, env) as started:
            yield started
        return
    endpoint = shared_s3_endpoint()
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(fresh_bucket(endpoint)) as bucket,
    ):
        env |= {
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": endpoint,
            "S3_REGION": TEST_REGION,
            "AWS_ACCESS_KEY_ID": TEST_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": TEST_SECRET_ACCESS_KEY,
            "AWS_DEFAULT_REGION": TEST_REGION,
        }
        with running_server(tmp_path, env) as started:
            yield started


def data(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()["data"]


def test_upload_publish_deny_subscribe_play_probe_resume_and_continue(
    server: ServerProcess, mp4: bytes
) -> None:
    with server.client() as http:

        def login(email: str, password: str) -> Auth:
            session = data(http.post("/auth/login", json={"email": email, "password": password}))
            return {"Authorization": f"Bearer {session['accessToken']}"}

        def member(role: str) -> tuple[str, Auth]:
            email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
            body = {"email": email, "name": role.title(), "role": role, "password": STAFF_PASSWORD}
            made = data(http.post("/users", json=body, headers=admin), 201)
            return made["id"], login(email, STAFF_PASSWORD)

        admin = login(ADMIN_EMAIL, ADMIN_PASSWORD)
        _, artist = member("artist")
        viewer_id, viewer = member("viewer")

        # The creator uploads the MP4 straight to the store and registers it.
        presigned = data(
            http.post(
                "/uploads/presign",
                json={
                    "filename": "episode.mp4",
                    "contentType": "video/mp4",
                    "size": len(mp4),
                    "purpose": "video",
                },
                headers=artist,
            )
        )
        storage_key = presigned["s3Key"]
        sent = httpx.put(
            presigned["uploadUrl"], content=mp4, headers=presigned["headers"], timeout=30
        )
        assert sent.status_code in (200, 204), sent.text
        video = data(
            http.post(
                "/creator/videos", json={"s3Key": storage_key, "title": "Master"}, headers=artist
            ),
            201,
        )

        # A series of four episodes, submitted; the admin approves each (and the series).
        made = {"title": "Night Shift", "status": "pending"}
        series = data(http.post("/creator/series", json=made, headers=artist), 201)
        episodes = []
        for number in range(1, EPISODES + 1):
            body = {
                "number": number,
                "title": f"Episode {number}",
                "videoId": video["id"],
                "status": "pending",
            }
            path = f"/creator/series/{series['id']}/episodes"
            episodes.append(data(http.post(path, json=body, headers=artist), 201)["id"])
        pending = http.get("/admin/episodes/pending", headers=admin).json()["data"]
        assert [e["id"] for e in pending] == episodes
        for episode_id in episodes:
            approved = http.post(f"/admin/episodes/{episode_id}/approve", headers=admin)
            assert data(approved)["status"] == "published"
        free, locked = episodes[0], episodes[-1]

        # The viewer plays a free episode, and is refused the locked one.
        answers = [first := http.get(f"/video/play/{free}", headers=viewer)]
        assert data(first)["free"] is True
        assert abs(probed_duration(data(first)["url"]) - SECONDS) < 0.25
        refused = http.get(f"/video/play/{locked}", headers=viewer)
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["code"] == "subscription_required"

        # The admin activates the viewer's subscription (the micro-drama toggle).
        subscription = data(http.post(f"/admin/users/{viewer_id}/subscription", headers=admin))
        assert subscription["status"] == "active"
        me = data(http.get("/auth/me", headers=viewer))
        assert me["subscription"]["status"] == "active"

        # Now the locked episode plays: a real media client reads it through the URL...
        played = http.get(f"/video/play/{locked}", headers=viewer)
        answers.append(played)
        playback = data(played)
        assert (playback["episodeId"], playback["free"]) == (locked, False)
        url = playback["url"]
        assert abs(probed_duration(url) - SECONDS) < 0.25
        # ...and a player that stopped mid-file resumes with a ranged GET.
        middle = len(mp4) // 2
        resumed = httpx.get(url, headers={"Range": f"bytes={middle}-"}, timeout=30)
        assert resumed.status_code == 206, resumed.text
        assert resumed.headers["content-range"] == f"bytes {middle}-{len(mp4) - 1}/{len(mp4)}"
        assert resumed.content == mp4[middle:]
        assert httpx.get(url, timeout=30).content == mp4

        # Where the file lives is the server's business: no answer names a key field, and
        # the local store's URLs do not even spell the key (an S3 URL's path is its object).
        for answer in answers:
            assert '"s3Key"' not in answer.text
            assert '"storageKey"' not in answer.text
            if "/media/download?token=" in data(answer)["url"]:
                assert storage_key not in answer.text

        # Progress: episode 1 watched to the end, then part of episode 4.
        duration = probed_duration(url)
        earlier = datetime.now(UTC) - timedelta(seconds=10)  # two distinct instants, in order
        progress = [
            {"episodeId": free, "position": duration, "duration": duration},
            {"episodeId": locked, "position": 1.25, "duration": duration},
        ]
        for seconds, write in enumerate(progress):
            write["watchedAt"] = (earlier + timedelta(seconds=seconds)).isoformat()
        stored = [data(http.post("/video/progress", json=p, headers=viewer)) for p in progress]
        assert [(s["completed"], s["episodeNumber"]) for s in stored] == [(True, 1), (False, 4)]
        history = http.get("/video/history", headers=viewer).json()
        assert [h["episodeId"] for h in history["data"]] == [locked, free]
        assert history["meta"]["total"] == 2

        # Continue-watching: the series, at episode 4, from where the viewer stopped.
        [resume] = data(http.get("/video/continue", headers=viewer))
        assert (resume["seriesId"], resume["episodeId"], resume["position"]) == (
            series["id"],
            locked,
            1.25,
        )
        # Finishing it finishes the series: nothing left to continue.
        done = {"episodeId": locked, "position": duration, "duration": duration}
        assert data(http.post("/video/progress", json=done, headers=viewer))["completed"]
        assert data(http.get("/video/continue", headers=viewer)) == []
