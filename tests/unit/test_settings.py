"""Settings are read from the environment and a .env file, and refused as a whole when wrong."""

import subprocess
import sys
from pathlib import Path

import pytest

from entrypoints.settings import SettingsError, load_settings
from tests.support.server import ROOT


def problems(env: dict[str, str]) -> dict[str, str]:
    with pytest.raises(SettingsError) as caught:
        load_settings(env, env_file=None)
    return caught.value.problems


def test_defaults_are_the_embedded_development_setup() -> None:
    settings = load_settings({}, env_file=None)
    assert (settings.host, settings.port, settings.app_env) == ("127.0.0.1", 8000, "development")
    assert settings.cors_allow_origins == ()  # no wildcard unless someone asks for it
    assert settings.embedded_components() == ["persistence", "media", "keys"]
    assert settings.user_state_cache_seconds == 5.0
    assert settings.playback_url_seconds == 300
    assert (settings.progress_writes_per_second, settings.progress_burst) == (1.0, 5)


def test_values_are_converted_from_text() -> None:
    settings = load_settings(
        {
            "PORT": "9001",
            "CORS_ALLOW_ORIGINS": "https://a.example.com, http://localhost:3000",
            "SHUTDOWN_DRAIN_SECONDS": "1.5",
            "DATA_DIR": "/srv/studio",
        },
        env_file=None,
    )
    assert settings.port == 9001
    assert settings.cors_allow_origins == ("https://a.example.com", "http://localhost:3000")
    assert settings.shutdown_drain_seconds == 1.5
    assert settings.data_dir == Path("/srv/studio")


@pytest.mark.parametrize(
    ("env", "variable", "says"),
    [
        ({"PORT": "eighty"}, "PORT", "whole number"),
        ({"PORT": "70000"}, "PORT", "<= 65535"),
        ({"LOG_LEVEL": "chatty"}, "LOG_LEVEL", "one of DEBUG, INFO, WARNING, ERROR"),
        ({"APP_ENV": "staging"}, "APP_ENV", "one of development, test, production"),
        ({"READY_TIMEOUT_SECONDS": "0"}, "READY_TIMEOUT_SECONDS", "> 0"),
        ({"ALLOW_EMBEDDED": "media,everything"}, "ALLOW_EMBEDDED", "one of persistence"),
        ({"CORS_ALLOW_ORIGINS": "studio.example.com"}, "CORS_ALLOW_ORIGINS", "not an origin"),
        ({"TRUSTED_PROXIES": "10.0.0.0/8,proxy"}, "TRUSTED_PROXIES", "not an IP address"),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"}, "OTEL_EXPORTER_OTLP_ENDPOINT", "http"),
        ({"MONGODB_URI": "postgres://x"}, "MONGODB_URI", "mongodb://"),
        ({"ENV_FILE": "/nowhere/.env"}, "ENV_FILE", "no such file"),
        ({"USER_STATE_CACHE_SECONDS": "61"}, "USER_STATE_CACHE_SECONDS", "<= 60"),
        ({"USER_STATE_CACHE_SECONDS": "-1"}, "USER_STATE_CACHE_SECONDS", ">= 0"),
        ({"PLAYBACK_URL_SECONDS": "10"}, "PLAYBACK_URL_SECONDS", ">= 30"),
        ({"PLAYBACK_URL_SECONDS": "7200"}, "PLAYBACK_URL_SECONDS", "<= 3600"),
        ({"PROGRESS_WRITES_PER_SECOND": "0"}, "PROGRESS_WRITES_PER_SECOND", "> 0"),
        ({"PROGRESS_WRITES_PER_SECOND": "often"}, "PROGRESS_WRITES_PER_SECOND", "a number"),
        ({"PROGRESS_BURST": "0"}, "PROGRESS_BURST", ">= 1"),
        ({"SQLITE_CACHE_MIB": "0"}, "SQLITE_CACHE_MIB", ">= 1"),
        ({"WORKERS": "0"}, "WORKERS", ">= 1"),
        ({"WORKERS": "65"}, "WORKERS", "<= 64"),
    ],
)
def test_each_kind_of_bad_value_is_named_with_its_reason(
    env: dict[str, str], variable: str, says: str
) -> None:
    found = problems(env)
    assert variable in found
    assert says in found[variable]


def test_every_offending_variable_is_named_at_once() -> None:
    found = problems({"PORT": "x", "LOG_LEVEL": "loud", "CORS_ALLOW_ORIGINS": "nope"})
    assert set(found) == {"PORT", "LOG_LEVEL", "CORS_ALLOW_ORIGINS"}


def test_secrets_are_never_echoed_in_the_message() -> None:
    found = problems({"MONGODB_URI": "postgres://admin:s3cr3t@db"})
    assert "s3cr3t" not in found["MONGODB_URI"]


def test_production_refuses_each_embedded_default_it_was_not_allowed() -> None:
    found = problems({"APP_ENV": "production", "ALLOW_EMBEDDED": "keys"})
    assert set(found) == {"MONGODB_URI", "S3_BUCKET"}
    assert "ALLOW_EMBEDDED" in found["MONGODB_URI"]


def test_production_runs_on_embedded_defaults_when_explicitly_allowed() -> None:
    settings = load_settings({"APP_ENV": "production", "ALLOW_EMBEDDED": "all"}, env_file=None)
    assert settings.app_env == "production"


def test_dotenv_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text('PORT=9100\nLOG_LEVEL="DEBUG"\n# a comment\nexport HOST=0.0.0.0\n')
    settings = load_settings({"PORT": "9200"}, env_file=env_file)
    assert (settings.port, settings.log_level, settings.host) == (9200, "DEBUG", "0.0.0.0")


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "entrypoints.cli.main", *args],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("command", [("serve",), ("config", "check")])
def test_the_process_exits_2_with_one_message_naming_every_problem(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    result = run_cli(*command, env={"PORT": "0", "APP_ENV": "production"}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("invalid configuration") == 1
    for variable in ("PORT", "MONGODB_URI", "S3_BUCKET", "JWT_PRIVATE_KEY_FILE"):
        assert variable in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_dotenv_value_stops_the_process_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORT=not-a-port\n")
    result = run_cli("config", "check", env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "PORT" in result.stderr


def test_config_check_prints_settings_without_secrets(tmp_path: Path) -> None:
    result = run_cli(
        "config", "check", env={"MONGODB_URI": "mongodb://u:pw-secret@db/x"}, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "PORT=8000" in result.stdout
    assert "pw-secret" not in result.stdout
    assert "MONGODB_URI=***" in result.stdout
