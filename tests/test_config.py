"""Configuration: keys generated once in development, required in production."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from intake import create_app
from intake.config import ConfigurationError, load_config
from tests.conftest import TEST_DATA_KEY, TEST_SECRET_KEY


def test_factory_builds_a_testing_app(tmp_path: Path) -> None:
    environ = {"INTAKE_INSTANCE_PATH": str(tmp_path)}
    assert not create_app(environ=environ).testing
    assert create_app({"TESTING": True}, environ=environ).testing


def test_development_generates_keys_once_and_reuses_them(tmp_path: Path) -> None:
    first = load_config({}, str(tmp_path))
    second = load_config({}, str(tmp_path))
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert first["DATA_ENCRYPTION_KEY"] == second["DATA_ENCRYPTION_KEY"]
    assert len(first["DATA_ENCRYPTION_KEY"]) == 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/intake.db"


def production(**environ: str) -> dict[str, str]:
    """A production environment with valid keys, and any variable replaced."""
    return {
        "INTAKE_ENV": "production",
        "SECRET_KEY": TEST_SECRET_KEY,
        "DATA_ENCRYPTION_KEY": TEST_DATA_KEY,
        **environ,
    }


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATA_ENCRYPTION_KEY"])
def test_production_refuses_to_start_without_a_key_and_says_which(
    tmp_path: Path, missing: str
) -> None:
    environ = production()
    del environ[missing]
    with pytest.raises(ConfigurationError, match=missing):
        load_config(environ, str(tmp_path))
    assert not list(tmp_path.iterdir()), "no key may be generated in production"


def test_production_refuses_a_secret_key_shorter_than_32_bytes(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="SECRET_KEY is 31 bytes") as refused:
        load_config(production(SECRET_KEY="k" * 31), str(tmp_path))
    assert "at least 32" in str(refused.value)
    assert "secrets.token_urlsafe(32)" in str(refused.value)
    # Bytes, not characters: sixteen « é » are 32 bytes.
    assert load_config(production(SECRET_KEY="é" * 16), str(tmp_path))["SECRET_KEY"]
    # Development keeps whatever key a developer chose.
    assert load_config({"SECRET_KEY": "court"}, str(tmp_path))["SECRET_KEY"] == "court"


def test_production_refuses_to_start_in_debug_mode(tmp_path: Path) -> None:
    instance = {"INTAKE_INSTANCE_PATH": str(tmp_path)}
    for on in ("1", "true", "Yes"):
        with pytest.raises(ConfigurationError, match="FLASK_DEBUG") as refused:
            create_app(environ={**production(FLASK_DEBUG=on), **instance})
        assert "Unset FLASK_DEBUG" in str(refused.value)
    # What `flask --no-debug` sets, and what Flask itself reads as off, is no reason to refuse.
    for off in ("", "0", "false", "No"):
        create_app(environ={**production(FLASK_DEBUG=off), **instance})


def test_mail_links_default_to_where_gunicorn_listens(tmp_path: Path) -> None:
    links = {
        "0.0.0.0:8080": "http://127.0.0.1:8080",
        "[::]:8080": "http://[::1]:8080",
        "localhost:5001": "http://localhost:5001",
        "127.0.0.1": "http://127.0.0.1:8000",  # gunicorn's own default port
        "tcp://192.168.1.20:5000": "http://192.168.1.20:5000",
    }
    found = {
        bind: load_config({"INTAKE_BIND": bind}, str(tmp_path))["PORTAL_URL"] for bind in links
    }
    assert found == links
    chosen = {"INTAKE_BIND": "0.0.0.0:8080", "PORTAL_URL": "https://temoignages.example.org"}
    assert load_config(chosen, str(tmp_path))["PORTAL_URL"] == chosen["PORTAL_URL"]
    with pytest.raises(ConfigurationError, match="INTAKE_BIND"):
        load_config({"INTAKE_BIND": "localhost:http"}, str(tmp_path))


def test_weak_or_malformed_encryption_key_is_refused(tmp_path: Path) -> None:
    short = base64.urlsafe_b64encode(b"k" * 16).decode()
    for bad in (short, "not base64 at all!!"):
        with pytest.raises(ConfigurationError, match="DATA_ENCRYPTION_KEY"):
            load_config({"DATA_ENCRYPTION_KEY": bad}, str(tmp_path))


def test_environment_values_are_read_and_checked(tmp_path: Path) -> None:
    config = load_config(
        {
            "DATABASE_URL": "postgresql://postgres@db/intake",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
            "RETENTION_SUBMISSION_DAYS": "90",
        },
        str(tmp_path),
    )
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://postgres@db/intake"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert config["RETENTION_SUBMISSION_DAYS"] == 90
    with pytest.raises(ConfigurationError, match="RETENTION_CONTACT_DAYS"):
        load_config({"RETENTION_CONTACT_DAYS": "a year"}, str(tmp_path))
    with pytest.raises(ConfigurationError, match="INTAKE_ENV"):
        load_config({"INTAKE_ENV": "staging"}, str(tmp_path))


def test_every_setting_is_documented_in_the_readme() -> None:
    from intake.config import SECRET_KEYS, SETTINGS

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for name in [*SETTINGS, *SECRET_KEYS, "INTAKE_INSTANCE_PATH", "INTAKE_BIND"]:
        assert f"| `{name}` |" in readme, name
