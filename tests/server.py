"""A real gunicorn server, started as ``make run`` does, on a throw-away SQLite database.

Shared by the server tests (many people at once, nothing personal at rest) and the browser
tests; the ``server`` fixture of ``conftest.py`` wraps ``running_server``.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import TEST_DATA_KEY, TEST_SECRET_KEY

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HEALTH_WAIT_SECONDS = 20.0
STOP_WAIT_SECONDS = 15.0
FLASK_COMMAND_SECONDS = 60


@dataclass
class Server:
    """A gunicorn master with its workers, its database file and its captured output."""

    url: str
    database: Path
    stdout: Path
    stderr: Path
    process: subprocess.Popen[bytes]
    env: dict[str, str]

    def logs(self) -> str:
        """Everything gunicorn and the application wrote so far."""
        return f"--- stdout ---\n{read_log(self.stdout)}\n--- stderr ---\n{read_log(self.stderr)}"

    def flask(self, *args: str) -> str:
        """Run ``flask --app intake ARGS`` on this server's database; return its output."""
        return run_flask(self.env, *args)

    def stop(self) -> None:
        """Stop gracefully (which also flushes the logs); kill the group if it hangs."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_WAIT_SECONDS)


@contextmanager
def running_server(workdir: Path, **settings: str) -> Iterator[Server]:
    """A fresh, migrated database in ``workdir`` served by gunicorn until the block ends.

    ``settings`` are environment variables that replace the defaults of ``server_environ``.
    """
    port = free_port()
    env = {**server_environ(workdir, port), **settings}
    run_flask(env, "db", "upgrade")  # as the operator does before starting the server
    running = start_gunicorn(workdir, env, port)
    try:
        wait_until_healthy(running)
        yield running
    finally:
        running.stop()


def read_log(path: Path) -> str:
    """A log file's text, or nothing if it was never written."""
    return path.read_text(errors="replace") if path.exists() else ""


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_environ(workdir: Path, port: int) -> dict[str, str]:
    """The environment of ``make run``, pointed at a throw-away instance and database."""
    inherited = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    # gunicorn (25.1+) opens a control socket in $XDG_RUNTIME_DIR, else in ~/.gunicorn/, where
    # a second server would take it over: give each test server its own.
    runtime = workdir / "run"
    runtime.mkdir(mode=0o700)
    return {
        **inherited,
        "XDG_RUNTIME_DIR": str(runtime),
        "INTAKE_ENV": "development",
        "INTAKE_BIND": f"127.0.0.1:{port}",
        "INTAKE_INSTANCE_PATH": str(workdir / "instance"),
        "DATABASE_URL": f"sqlite:///{workdir / 'intake.db'}",
        "SECRET_KEY": TEST_SECRET_KEY,
        "DATA_ENCRYPTION_KEY": TEST_DATA_KEY,
        "MIN_FILL_SECONDS": "0",
        "SUBMIT_RATE_LIMIT": "100000 per minute",
        "WEB_CONCURRENCY": "4",
        "PYTHONUNBUFFERED": "1",
    }


def run_flask(env: dict[str, str], *args: str) -> str:
    """``flask --app intake ARGS`` in the project, failing the test if the command fails."""
    done = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "intake", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=FLASK_COMMAND_SECONDS,
        check=False,
    )
    assert done.returncode == 0, f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def start_gunicorn(workdir: Path, env: dict[str, str], port: int) -> Server:
    """Launch gunicorn with the project's configuration, its output going to files."""
    stdout, stderr = workdir / "gunicorn.stdout.log", workdir / "gunicorn.stderr.log"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "--config", "python:intake.gunicorn_conf", "wsgi:app"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    database = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
    return Server(f"http://127.0.0.1:{port}", database, stdout, stderr, process, env)


def wait_until_healthy(server: Server) -> None:
    """Poll /healthz until it answers 200, for a bounded time."""
    deadline = time.monotonic() + HEALTH_WAIT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"gunicorn exited with {server.process.returncode}\n{server.logs()}")
        try:
            health = f"{server.url}/healthz"  # always http://127.0.0.1, built above
            with urllib.request.urlopen(health, timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:  # refused while booting, or a 503 (HTTPError is an OSError)
            pass
        time.sleep(0.1)
    pytest.fail(f"/healthz did not answer 200 within {HEALTH_WAIT_SECONDS}s\n{server.logs()}")


def database_scalar(database: Path, query: str) -> Any:
    """One value read straight from the SQLite file, beside the running server."""
    connection = sqlite3.connect(database, timeout=15)
    try:
        return connection.execute(query).fetchone()[0]
    finally:
        connection.close()
