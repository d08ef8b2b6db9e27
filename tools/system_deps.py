"""Install the Debian packages the tests or the benchmark need, when they are missing.

    python tools/system_deps.py test     # chromium (the /docs browser test), ffmpeg (playback)
    python tools/system_deps.py bench    # wrk (the load generator)

Runs apt-get as root (or through passwordless sudo). Exits non-zero, naming the package,
when it cannot install: a test that needs the tool must fail loudly, never skip.
"""

import os
import shutil
import subprocess
import sys

# purpose -> [(command that must exist, Debian package providing it)]
NEEDS: dict[str, list[tuple[str, str]]] = {
    # ffmpeg makes the playback test's MP4; ffprobe (same package) reads it through the URL.
    "test": [
        ("chromium", "chromium"),
        ("openssl", "openssl"),
        ("ffmpeg", "ffmpeg"),
        ("ffprobe", "ffmpeg"),
    ],
    "bench": [("wrk", "wrk")],
}


def missing(purpose: str) -> list[str]:
    return [package for command, package in NEEDS[purpose] if shutil.which(command) is None]


def install(packages: list[str]) -> None:
    prefix: list[str] = []
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            raise SystemExit(f"need root to install {', '.join(packages)} (apt-get); no sudo")
        prefix = ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*prefix, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        [*prefix, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
        check=True,
        env=env,
    )


def main(argv: list[str]) -> int:
    purposes = argv or ["test"]
    wanted = sorted({package for purpose in purposes for package in missing(purpose)})
    if not wanted:
        return 0
    print(f"installing Debian packages: {', '.join(wanted)}", flush=True)
    try:
        install(wanted)
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"could not install {', '.join(wanted)}: {exc}", file=sys.stderr)
        return 1
    still = sorted({p for purpose in purposes for p in missing(purpose)})
    if still:
        print(f"still missing after install: {', '.join(still)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
