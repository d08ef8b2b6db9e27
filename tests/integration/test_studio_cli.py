"""``studio-bridge studio create``: a studio and its first admin, from the command line.

The admin password is prompted for on a terminal (not echoed), read from standard input with
``--admin-password-stdin``, or else generated and printed once. Each studio made here is then
signed in to through the app.
"""

import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.support.server import ROOT

pytestmark = pytest.mark.slow

ADMIN_EMAIL = "a@m.example.com"
CHOSEN_PASSWORD = "velvet-compass-morning-88"
GENERATED_LINE = "Generated admin password (shown once): "
CREATE = [
    "studio",
    "create",
    "--slug",
    "moonlit",
    "--name",
    "Moonlit",
    "--admin-email",
    ADMIN_EMAIL,
]


def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APP_", "BOOTSTRAP_", "OTEL_"))}
    # The same store the in-process client of this test opens (see make_settings).
    env |= {
        "APP_ENV": "test",
        "DATA_DIR": str(tmp_path / "var"),
        "ENV_FILE": "",
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    return env


def cli(
    tmp_path: Path, args: Sequence[str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "entrypoints.cli.main", *args],
        cwd=tmp_path,
        env=cli_env(tmp_path),
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,  # not a terminal
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def on_terminal(tmp_path: Path, args: Sequence[str], answers: Sequence[str]) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as its standard streams; answer each prompt in turn."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "entrypoints.cli.main", *args],
        cwd=tmp_path,
        env=cli_env(tmp_path),
        stdin=follower,
        stdout=follower,
        stderr=follower,
        start_new_session=True,
    )
    os.close(follower)
    output = b""
    since_answer = b""  # what the process wrote since the last answer: a new prompt or not
    pending = list(answers)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(leader, 4096)
                except OSError:  # EIO: the process closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
                since_answer += chunk
                # getpass flushes typed-ahead input, so answer only once a prompt is shown.
                if pending and since_answer.rstrip().endswith(b":"):
                    os.write(leader, pending.pop(0).encode() + b"\n")
                    since_answer = b""
            elif process.poll() is not None:
                break
        code = process.wait(timeout=30)
    finally:
        os.close(leader)
        if process.poll() is None:
            process.kill()
            process.wait()
    return code, output.decode(errors="replace")


def generated_password(output: str) -> str:
    lines = [line for line in output.splitlines() if GENERATED_LINE in line]
    assert len(lines) == 1, output
    return lines[0].split(GENERATED_LINE, 1)[1].strip()


def signs_in(
    make_client: Callable[..., TestClient[Any]], password: str, studio: str = "moonlit"
) -> dict[str, Any]:
    client = make_client()
    response = client.post(
        "/auth/login", json={"email": ADMIN_EMAIL, "password": password, "studio": studio}
    )
    assert response.status_code == 200, response.text
    user: dict[str, Any] = response.json()["data"]["user"]
    return user


def test_without_a_terminal_a_password_is_generated_and_shown_once(
    tmp_path: Path, make_client: Callable[..., TestClient[Any]]
) -> None:
    result = cli(tmp_path, CREATE)
    assert result.returncode == 0, result.stderr
    assert "moonlit" in result.stdout
    assert ADMIN_EMAIL in result.stdout
    password = generated_password(result.stdout)
    assert len(password) >= 12
    assert (result.stdout + result.stderr).count(password) == 1
    user = signs_in(make_client, password)
    assert (user["email"], user["role"]) == (ADMIN_EMAIL, "admin")


def test_a_password_from_stdin_is_used_and_not_printed(
    tmp_path: Path, make_client: Callable[..., TestClient[Any]]
) -> None:
    result = cli(tmp_path, [*CREATE, "--admin-password-stdin"], stdin=CHOSEN_PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    assert GENERATED_LINE not in result.stdout
    assert CHOSEN_PASSWORD not in result.stdout + result.stderr
    assert signs_in(make_client, CHOSEN_PASSWORD)["role"] == "admin"


def test_a_weak_password_creates_nothing(tmp_path: Path) -> None:
    weak = cli(tmp_path, [*CREATE, "--admin-password-stdin"], stdin="qwerty123456\n")
    assert weak.returncode == 1
    assert "password_too_common" in weak.stderr
    # The slug is still free: nothing was half-made.
    retry = cli(tmp_path, [*CREATE, "--admin-password-stdin"], stdin=CHOSEN_PASSWORD + "\n")
    assert retry.returncode == 0, retry.stderr


def test_a_taken_slug_or_a_bad_one_is_refused(tmp_path: Path) -> None:
    assert cli(tmp_path, CREATE).returncode == 0
    again = cli(tmp_path, CREATE)
    assert again.returncode == 1
    assert "studio_slug_taken" in again.stderr
    assert GENERATED_LINE not in again.stdout
    bad = [*CREATE]
    bad[bad.index("moonlit")] = "Moon Lit"
    refused = cli(tmp_path, bad)
    assert refused.returncode == 1
    assert "invalid_slug" in refused.stderr


def test_on_a_terminal_the_password_is_prompted_for_and_not_echoed(
    tmp_path: Path, make_client: Callable[..., TestClient[Any]]
) -> None:
    code, output = on_terminal(tmp_path, CREATE, [CHOSEN_PASSWORD, CHOSEN_PASSWORD])
    assert code == 0, output
    assert "password" in output.lower()
    assert CHOSEN_PASSWORD not in output
    assert GENERATED_LINE not in output
    assert signs_in(make_client, CHOSEN_PASSWORD)["email"] == ADMIN_EMAIL


def test_on_a_terminal_two_different_answers_create_nothing(tmp_path: Path) -> None:
    code, output = on_terminal(tmp_path, CREATE, [CHOSEN_PASSWORD, CHOSEN_PASSWORD + "x"])
    assert code != 0, output
    assert "differ" in output
    assert (
        cli(tmp_path, [*CREATE, "--admin-password-stdin"], stdin=CHOSEN_PASSWORD + "\n").returncode
        == 0
    )


def test_on_a_terminal_an_empty_answer_generates_one(
    tmp_path: Path, make_client: Callable[..., TestClient[Any]]
) -> None:
    code, output = on_terminal(tmp_path, CREATE, [""])
    assert code == 0, output
    assert signs_in(make_client, generated_password(output))["role"] == "admin"
