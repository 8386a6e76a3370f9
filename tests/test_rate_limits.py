"""Rate limits: counted per client, shared by every worker and server through Redis."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import build_app
from tests.helpers import FormPage, filled_contact

REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set (CI sets it)")
def test_two_servers_sharing_redis_count_one_client_together(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        # Clients are keyed by a hash under the secret key: a fresh key, fresh counters.
        "SECRET_KEY": f"rate-limit-test-{uuid.uuid4().hex}",
        "SUBMIT_RATE_LIMIT": "3 per minute",
    }
    servers = [build_app(tmp_path / f"instance-{n}", db_url, **shared) for n in range(2)]
    people = [FormPage(app.test_client()) for app in servers]
    pages = [people[n % 2].open("/contact") for n in range(4)]
    later = time.time() + 10
    monkeypatch.setattr(time, "time", lambda: later)

    statuses = []
    for n, fields in enumerate(pages):
        data = {**fields, **filled_contact(message=f"Message {n} envoyé à l'équipe, merci.")}
        statuses.append(people[n % 2].client.post("/contact", data=data).status_code)
    assert statuses == [303, 303, 303, 429]
